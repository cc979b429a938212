/*
 * audit: state changes and reloads, one line each (see audit.h).
 */
#include "audit.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

void
audit_who(const struct request *r, char *buf, size_t len)
{
	if (r->identity == ID_LOCAL_ADMIN) {
		/* peer_addr carries the peer's credentials (conn.c) */
		snprintf(buf, len, "%s", r->peer_addr);
		return;
	}
	snprintf(buf, len, "%s (%s%s%s, %s)", r->peer_addr,
		 r->peer_cn[0] != '\0' ? "CN \"" : "no certificate", r->peer_cn,
		 r->peer_cn[0] != '\0' ? "\"" : "",
		 node_identity_name(r->identity));
}

/* cfg's options, one "Name: value (Source)" line each; NULL on ENOMEM. */
static char *
render(const struct gossipd_config *cfg)
{
	char *text = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&text, &n);

	if (f == NULL)
		return NULL;
	options_what_if(cfg, f);
	if (fclose(f) != 0) {
		free(text);
		return NULL;
	}
	return text;
}

static void append(char *buf, size_t cap, size_t *n, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* The names of the options whose line differs, into out (the table's
 * order is the same in both). */
static void
changed_names(const char *a, const char *b, char *out, size_t len)
{
	size_t used = 0;

	out[0] = '\0';
	while (*a != '\0' && *b != '\0') {
		size_t la = strcspn(a, "\n"), lb = strcspn(b, "\n");
		size_t name = strcspn(b, ":");

		if ((la != lb || memcmp(a, b, la) != 0) && name < lb)
			append(out, len, &used, "%.*s", (int)name, b);
		a += la + (a[la] == '\n');
		b += lb + (b[lb] == '\n');
	}
}

void
audit_reload(const char *who, const struct gossipd_config *before,
	     const struct gossipd_config *after, int rc, const char *err)
{
	char *a, *b, names[512] = "";

	if (rc != 0) {
		log_warn("audit: %s: reload failed, nothing changed: %s", who,
			 err);
		return;
	}
	a = render(before);
	b = render(after);
	if (a != NULL && b != NULL)
		changed_names(a, b, names, sizeof(names));
	free(a);
	free(b);
	log_warn("audit: %s: reload: options changed: %s; certificates, "
		 "trusted roots and CRL re-read",
		 who, names[0] != '\0' ? names : "none");
}

/* Appends to buf (cap bytes, *n used so far), ", " between items;
 * truncates, never overruns. */
static void
append(char *buf, size_t cap, size_t *n, const char *fmt, ...)
{
	va_list ap;
	int w;

	if (*n + 1 >= cap)
		return;
	if (*n > 0) {
		w = snprintf(buf + *n, cap - *n, ", ");
		*n = *n + (size_t)w >= cap ? cap - 1 : *n + (size_t)w;
	}
	va_start(ap, fmt);
	w = vsnprintf(buf + *n, cap - *n, fmt, ap);
	va_end(ap);
	if (w > 0)
		*n = *n + (size_t)w >= cap ? cap - 1 : *n + (size_t)w;
}

#define DIFF_I64(field, name)                                                  \
	do {                                                                   \
		if (before->field != after->field)                             \
			append(what, sizeof(what), &n,                         \
			       name " %" PRId64 " -> %" PRId64,                \
			       (int64_t)before->field, (int64_t)after->field); \
	} while (0)

void
audit_member(const char *who, const struct member *before,
	     const struct member *after)
{
	char what[768] = "";
	size_t n = 0, counters_from, counters_to;

	if (before->state != after->state)
		append(what, sizeof(what), &n, "state %s -> %s",
		       member_state_name(before->state),
		       member_state_name(after->state));
	if (before->is_read_only_replica != after->is_read_only_replica)
		append(what, sizeof(what), &n, "isReadOnlyReplica %s",
		       after->is_read_only_replica ? "true" : "false");
	DIFF_I64(node_priority, "nodePriority");
	DIFF_I64(epoch_number, "epochNumber");
	counters_from = n;
	DIFF_I64(epoch_position, "epochPosition");
	DIFF_I64(writer_checkpoint, "writerCheckpoint");
	DIFF_I64(chaser_checkpoint, "chaserCheckpoint");
	DIFF_I64(last_commit_position, "lastCommitPosition");
	counters_to = n;
	if (strcmp(before->advertise_host_to_client_as,
		   after->advertise_host_to_client_as) != 0)
		append(what, sizeof(what), &n, "advertiseHostToClientAs \"%s\"",
		       after->advertise_host_to_client_as);
	DIFF_I64(advertise_http_port_to_client_as,
		 "advertiseHttpPortToClientAs");
	DIFF_I64(advertise_tcp_port_to_client_as, "advertiseTcpPortToClientAs");
	/* a change of state, priority, epoch or advertised address is at
	 * warn (kept at LogLevel warn, like the reload audit); a report
	 * that only moves the positions and checkpoints (a database sends
	 * one every few seconds) or changes nothing stays at info */
	if (counters_from > 0 || n > counters_to)
		log_warn("audit: %s: PUT /admin/member: %s", who, what);
	else
		log_info("audit: %s: PUT /admin/member: %s", who,
			 what[0] != '\0' ? what : "no change");
}
