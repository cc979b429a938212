/*
 * gossip_json encoding: the cluster document written by hand into a
 * growing buffer, compact, every field in SPEC.md order, integers as
 * exact integer text (never an exponent), strings escaped.
 */
#include "gossip_json.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A growing output buffer; an allocation failure sticks. */
struct sb {
	char *p;
	size_t len, cap;
	bool oom;
};

static void
sb_grow(struct sb *b, size_t need)
{
	size_t cap;
	char *p;

	if (b->oom || b->len + need + 1 <= b->cap)
		return;
	cap = b->cap > 0 ? b->cap : 1024;
	while (cap < b->len + need + 1)
		cap *= 2;
	p = realloc(b->p, cap);
	if (p == NULL) {
		b->oom = true;
		return;
	}
	b->p = p;
	b->cap = cap;
}

static void
sb_add(struct sb *b, const char *s, size_t n)
{
	sb_grow(b, n);
	if (b->oom)
		return;
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void
sb_lit(struct sb *b, const char *s)
{
	sb_add(b, s, strlen(s));
}

/* A JSON string with escapes for quote, backslash and control bytes. */
static void
sb_str(struct sb *b, const char *s)
{
	static const char hex[] = "0123456789abcdef";

	sb_add(b, "\"", 1);
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;
		char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};

		if (c == '"' || c == '\\') {
			esc[1] = (char)c;
			sb_add(b, esc, 2);
		} else if (c < 0x20) {
			sb_add(b, esc, 6);
		} else {
			sb_add(b, s, 1);
		}
	}
	sb_add(b, "\"", 1);
}

static void
sb_int(struct sb *b, int64_t v)
{
	char tmp[24];
	int n = snprintf(tmp, sizeof(tmp), "%" PRId64, v);

	sb_add(b, tmp, (size_t)n);
}

static void
sb_key_str(struct sb *b, const char *key, const char *val)
{
	sb_lit(b, key);
	sb_str(b, val);
}

static void
sb_key_int(struct sb *b, const char *key, int64_t v)
{
	sb_lit(b, key);
	sb_int(b, v);
}

static void
encode_member(struct sb *b, const struct member *m)
{
	const char *state = member_state_name(m->state);
	char guid[37], ts[40];

	guid_format(&m->instance_id, guid);
	ticks_format(m->timestamp, ts);
	sb_key_str(b, "{\"instanceId\":", guid);
	sb_key_str(b, ",\"timeStamp\":", ts);
	sb_key_str(b, ",\"state\":", state != NULL ? state : "Unknown");
	sb_lit(b, m->is_alive ? ",\"isAlive\":true" : ",\"isAlive\":false");
	sb_key_str(b, ",\"internalTcpIp\":", m->internal_tcp_ip);
	sb_key_int(b, ",\"internalTcpPort\":", m->internal_tcp_port);
	sb_key_int(b,
		   ",\"internalSecureTcpPort\":", m->internal_secure_tcp_port);
	sb_key_str(b, ",\"externalTcpIp\":", m->external_tcp_ip);
	sb_key_int(b, ",\"externalTcpPort\":", m->external_tcp_port);
	sb_key_int(b,
		   ",\"externalSecureTcpPort\":", m->external_secure_tcp_port);
	sb_key_str(b, ",\"internalHttpEndPointIp\":", m->internal_http_ip);
	sb_key_int(b, ",\"internalHttpEndPointPort\":", m->internal_http_port);
	sb_key_str(b, ",\"httpEndPointIp\":", m->http_ip);
	sb_key_int(b, ",\"httpEndPointPort\":", m->http_port);
	sb_key_int(b, ",\"lastCommitPosition\":", m->last_commit_position);
	sb_key_int(b, ",\"writerCheckpoint\":", m->writer_checkpoint);
	sb_key_int(b, ",\"chaserCheckpoint\":", m->chaser_checkpoint);
	sb_key_int(b, ",\"epochPosition\":", m->epoch_position);
	sb_key_int(b, ",\"epochNumber\":", m->epoch_number);
	guid_format(&m->epoch_id, guid);
	sb_key_str(b, ",\"epochId\":", guid);
	sb_key_int(b, ",\"nodePriority\":", m->node_priority);
	sb_lit(b, m->is_read_only_replica ? ",\"isReadOnlyReplica\":true"
					  : ",\"isReadOnlyReplica\":false");
	sb_key_str(b, ",\"esVersion\":", m->es_version);
	if (member_advertises(m)) {
		/* KurrentDB's names (MemberInfoDto); only when set, so that a
		 * document without them is what it always was */
		sb_key_str(b, ",\"advertiseHostToClientAs\":",
			   m->advertise_host_to_client_as);
		sb_key_int(b, ",\"advertiseHttpPortToClientAs\":",
			   m->advertise_http_port_to_client_as);
		sb_key_int(b, ",\"advertiseTcpPortToClientAs\":",
			   m->advertise_tcp_port_to_client_as);
	}
	sb_lit(b, "}");
}

static char *
sb_finish(struct sb *b, size_t *len)
{
	if (b->oom || b->p == NULL) {
		free(b->p);
		return NULL;
	}
	if (len != NULL)
		*len = b->len;
	return b->p;
}

char *
gossip_json_encode(const struct cluster_doc *doc, size_t *len)
{
	struct sb b = {0};

	sb_grow(&b, 64 + doc->n * 900);
	sb_lit(&b, "{\"members\":[");
	for (size_t i = 0; i < doc->n; i++) {
		if (i > 0)
			sb_lit(&b, ",");
		encode_member(&b, &doc->members[i]);
	}
	sb_key_str(&b, "],\"serverIp\":", doc->server_ip);
	sb_key_int(&b, ",\"serverPort\":", doc->server_port);
	sb_lit(&b, "}");
	return sb_finish(&b, len);
}

char *
gossip_json_encode_member(const struct member *m, size_t *len)
{
	struct sb b = {0};

	encode_member(&b, m);
	return sb_finish(&b, len);
}
