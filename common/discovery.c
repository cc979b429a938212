/*
 * discovery: eligibility and ranking of members, and the discovery loop
 * of a KurrentDB-style client. See discovery.h for the rules.
 */
#include "discovery.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

static const struct {
	const char *name;
	enum discovery_pref pref;
} pref_names[] = {
    {"leader", DP_LEADER},
    {"follower", DP_FOLLOWER},
    {"random", DP_RANDOM},
    {"readonlyreplica", DP_READ_ONLY_REPLICA},
    {"read-only-replica", DP_READ_ONLY_REPLICA},
    {"read_only_replica", DP_READ_ONLY_REPLICA},
};

int
discovery_pref_parse(const char *s, enum discovery_pref *out)
{
	size_t i;

	if (s == NULL)
		return -1;
	for (i = 0; i < sizeof(pref_names) / sizeof(pref_names[0]); i++) {
		if (strcasecmp(s, pref_names[i].name) == 0) {
			*out = pref_names[i].pref;
			return 0;
		}
	}
	return -1;
}

const char *
discovery_pref_name(enum discovery_pref p)
{
	switch (p) {
	case DP_LEADER:
		return "leader";
	case DP_FOLLOWER:
		return "follower";
	case DP_RANDOM:
		return "random";
	case DP_READ_ONLY_REPLICA:
		return "readonlyreplica";
	}
	return "unknown";
}

uint32_t
discovery_rng_below(const struct discovery_rng *rng, uint32_t n)
{
	uint32_t threshold, r;

	if (n <= 1 || rng == NULL || rng->next == NULL)
		return 0;
	/* Values below threshold would make r % n uneven; draw again. */
	threshold = (uint32_t)(-n) % n;
	do {
		r = rng->next(rng->ctx);
	} while (r < threshold);
	return r % n;
}

void
discovery_shuffle(void *base, size_t n, size_t size,
		  const struct discovery_rng *rng)
{
	unsigned char tmp[1024];
	unsigned char *b = base;
	size_t i, j;

	if (n < 2 || size == 0 || size > sizeof(tmp) || n > UINT32_MAX)
		return;
	for (i = n - 1; i > 0; i--) {
		j = discovery_rng_below(rng, (uint32_t)(i + 1));
		if (j == i)
			continue;
		memcpy(tmp, b + i * size, size);
		memcpy(b + i * size, b + j * size, size);
		memcpy(b + j * size, tmp, size);
	}
}

bool
discovery_state_eligible(enum member_state s)
{
	switch (s) {
	case MS_LEADER:
	case MS_FOLLOWER:
	case MS_READ_ONLY_REPLICA:
	case MS_READ_ONLY_LEADERLESS:
		return true;
	default:
		return false;
	}
}

/* The preferred state of a preference, for strict mode. */
static bool
pref_state(enum discovery_pref p, enum member_state *out)
{
	switch (p) {
	case DP_LEADER:
		*out = MS_LEADER;
		return true;
	case DP_FOLLOWER:
		*out = MS_FOLLOWER;
		return true;
	case DP_READ_ONLY_REPLICA:
		*out = MS_READ_ONLY_REPLICA;
		return true;
	case DP_RANDOM:
		break;
	}
	return false;
}

int
discovery_rank_of(enum discovery_pref p, bool strict, enum member_state s)
{
	/* Rows: preference; columns: Leader, Follower, ROR, ROLeaderless. */
	/* -1: never, whatever else there is (see discovery.h) */
	static const int order[4][4] = {
	    [DP_LEADER] = {0, 1, 2, 3},
	    [DP_FOLLOWER] = {-1, 0, 1, 2},
	    [DP_RANDOM] = {0, 0, 0, 0},
	    [DP_READ_ONLY_REPLICA] = {2, 3, 0, 1},
	};
	enum member_state want;
	int col;

	if ((unsigned)p > DP_READ_ONLY_REPLICA || !discovery_state_eligible(s))
		return -1;
	if (strict && pref_state(p, &want) && s != want)
		return -1;
	switch (s) {
	case MS_LEADER:
		col = 0;
		break;
	case MS_FOLLOWER:
		col = 1;
		break;
	case MS_READ_ONLY_REPLICA:
		col = 2;
		break;
	default:
		col = 3;
		break;
	}
	return order[p][col];
}

void
discovery_format_endpoint(const char *host, int port, char *buf, size_t len)
{
	if (strchr(host, ':') != NULL && host[0] != '[')
		snprintf(buf, len, "[%s]:%d", host, port);
	else
		snprintf(buf, len, "%s:%d", host, port);
}

void
discovery_format_age(ticks_t then, ticks_t now, char *buf, size_t len)
{
	int64_t d = (now - then) / TICKS_PER_SEC;
	const char *pre = "", *post = " ago";

	if (then > now) {
		d = (then - now) / TICKS_PER_SEC;
		pre = "in ";
		post = "";
	}
	if (d < 1)
		snprintf(buf, len, "now");
	else if (d < 60)
		snprintf(buf, len, "%s%llds%s", pre, (long long)d, post);
	else if (d < 3600)
		snprintf(buf, len, "%s%lldm%02llds%s", pre, (long long)d / 60,
			 (long long)d % 60, post);
	else if (d < 86400)
		snprintf(buf, len, "%s%lldh%02lldm%s", pre, (long long)d / 3600,
			 (long long)d % 3600 / 60, post);
	else
		snprintf(buf, len, "%s%lldd%lldh%s", pre, (long long)d / 86400,
			 (long long)d % 86400 / 3600, post);
}

/* Appends to a bounded string; truncation keeps it NUL-terminated. */
static void __attribute__((format(printf, 3, 4)))
appendf(char *buf, size_t len, const char *fmt, ...)
{
	size_t used = strnlen(buf, len);
	va_list ap;

	if (len == 0 || used + 1 >= len)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + used, len - used, fmt, ap);
	va_end(ap);
}

/* Why member m cannot be chosen: a short phrase. */
static void
refusal(const struct member *m, enum discovery_pref p, bool strict, char *buf,
	size_t len)
{
	const char *name = member_state_name(m->state);
	enum member_state want;

	if (name == NULL)
		name = "in an unknown state";
	if (!m->is_alive)
		snprintf(buf, len, "is not alive (%s)", name);
	else if (!discovery_state_eligible(m->state))
		snprintf(buf, len, "is %s", name);
	else if (discovery_rank_of(p, strict, m->state) < 0 &&
		 pref_state(p, &want))
		snprintf(buf, len, "is %s, not %s", name,
			 member_state_name(want));
	else
		snprintf(buf, len, "is %s", name);
}

void
discovery_explain(const struct cluster_doc *doc, enum discovery_pref p,
		  bool strict, char *err, size_t errlen)
{
	char ep[DISCOVERY_ENDPOINT_MAX], why[96];
	size_t i;

	if (errlen == 0)
		return;
	err[0] = '\0';
	if (doc->n == 0) {
		appendf(err, errlen, "the document lists no members");
		return;
	}
	appendf(err, errlen, "no %s member:",
		(strict && p != DP_RANDOM) || p == DP_FOLLOWER ? "suitable"
							       : "eligible");
	for (i = 0; i < doc->n; i++) {
		discovery_format_endpoint(doc->members[i].http_ip,
					  doc->members[i].http_port, ep,
					  sizeof(ep));
		refusal(&doc->members[i], p, strict, why, sizeof(why));
		appendf(err, errlen, "%s %s %s", i == 0 ? "" : ";", ep, why);
	}
}

size_t
discovery_rank(const struct cluster_doc *doc, enum discovery_pref p,
	       bool strict, const struct discovery_rng *rng, size_t *idx,
	       size_t max)
{
	size_t i, j, n = 0, t;
	int rank;

	for (i = 0; i < doc->n && n < max; i++) {
		if (!doc->members[i].is_alive)
			continue;
		rank = discovery_rank_of(p, strict, doc->members[i].state);
		if (rank >= 0)
			idx[n++] = i;
	}
	/* Shuffle, then a stable sort by rank: ties end up in random order. */
	discovery_shuffle(idx, n, sizeof(idx[0]), rng);
	for (i = 1; i < n; i++) {
		t = idx[i];
		rank = discovery_rank_of(p, strict, doc->members[t].state);
		for (j = i; j > 0 && discovery_rank_of(
					 p, strict,
					 doc->members[idx[j - 1]].state) > rank;
		     j--)
			idx[j] = idx[j - 1];
		idx[j] = t;
	}
	return n;
}

int
discovery_select(const struct cluster_doc *doc, enum discovery_pref p,
		 bool strict, const struct discovery_rng *rng, char *err,
		 size_t errlen)
{
	size_t *idx, n;
	int pick = -1;

	idx = calloc(doc->n > 0 ? doc->n : 1, sizeof(*idx));
	if (idx == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	n = discovery_rank(doc, p, strict, rng, idx, doc->n);
	if (n > 0)
		pick = (int)idx[0];
	else
		discovery_explain(doc, p, strict, err, errlen);
	free(idx);
	return pick;
}

/* Copies at most 60 printable characters of s, for a message. */
static void
printable(const char *s, char *buf, size_t len)
{
	size_t i, o = 0;

	for (i = 0; s[i] != '\0' && i < 60 && o + 1 < len; i++)
		buf[o++] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
	if (len > 0)
		buf[o] = '\0';
}

int
discovery_parse_response(int status, const char *content_type, const char *body,
			 size_t len, size_t max_bytes, struct cluster_doc *doc,
			 char *err, size_t errlen)
{
	char why[256], ct[64];

	if (status != 200) {
		snprintf(err, errlen, "HTTP %d from GET /gossip", status);
		return -1;
	}
	if (content_type != NULL && content_type[0] != '\0' &&
	    strcasestr(content_type, "json") == NULL) {
		printable(content_type, ct, sizeof(ct));
		snprintf(err, errlen,
			 "not a gossip document (content type \"%s\")", ct);
		return -1;
	}
	if (body == NULL)
		len = 0;
	if (gossip_json_decode(body != NULL ? body : "", len, max_bytes,
			       GOSSIP_JSON_MAX_MEMBERS, doc, why,
			       sizeof(why)) != 0) {
		snprintf(err, errlen, "invalid gossip document: %s", why);
		return -1;
	}
	return 0;
}
