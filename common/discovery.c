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
	static const int order[4][4] = {
	    [DP_LEADER] = {0, 1, 2, 3},
	    [DP_FOLLOWER] = {1, 0, 2, 3},
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
	else if (strict && pref_state(p, &want))
		snprintf(buf, len, "is %s, not %s", name,
			 member_state_name(want));
	else
		snprintf(buf, len, "is %s", name);
}

static void
explain_refusals(const struct cluster_doc *doc, enum discovery_pref p,
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
		strict && p != DP_RANDOM ? "suitable" : "eligible");
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
		explain_refusals(doc, p, strict, err, errlen);
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

int
discovery_resolve_dns(const char *name, int port, struct gossip_seed *seeds,
		      size_t max, size_t *n, char *err, size_t errlen)
{
	struct addrinfo hints, *res = NULL, *ai;
	char host[INET6_ADDRSTRLEN];
	const void *addr;
	size_t i;
	int rc;

	*n = 0;
	if (name == NULL || name[0] == '\0' || strlen(name) > 253) {
		snprintf(err, errlen, "cluster DNS name is empty or too long");
		return -1;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	rc = getaddrinfo(name, NULL, &hints, &res);
	if (rc != 0) {
		snprintf(err, errlen, "cannot resolve \"%s\": %s", name,
			 gai_strerror(rc));
		return -1;
	}
	for (ai = res; ai != NULL && *n < max; ai = ai->ai_next) {
		if (ai->ai_family == AF_INET)
			addr = &((struct sockaddr_in *)ai->ai_addr)->sin_addr;
		else if (ai->ai_family == AF_INET6)
			addr = &((struct sockaddr_in6 *)ai->ai_addr)->sin6_addr;
		else
			continue;
		if (inet_ntop(ai->ai_family, addr, host, sizeof(host)) == NULL)
			continue;
		for (i = 0; i < *n; i++)
			if (strcmp(seeds[i].host, host) == 0)
				break;
		if (i < *n)
			continue;
		snprintf(seeds[*n].host, sizeof(seeds[*n].host), "%s", host);
		seeds[*n].port = port;
		(*n)++;
	}
	freeaddrinfo(res);
	if (*n == 0) {
		snprintf(err, errlen, "\"%s\" has no A or AAAA record", name);
		return -1;
	}
	return 0;
}

/* ---- the discovery loop ---- */

struct candidate {
	char host[MEMBER_HOST_MAX];
	int port;
	bool is_seed;
	bool asked;
};

struct run {
	const struct discovery_params *p;
	const struct discovery_env *env;
	struct discovery_outcome *out;
	struct candidate cand[DISCOVERY_MAX_CANDIDATES];
	size_t n_cand;
	int64_t deadline;
	/* the best confirmed member of this pass, and its rank */
	struct member best;
	int best_rank; /* -1: none yet */
	char best_via[DISCOVERY_ENDPOINT_MAX];
};

static void
add_candidate(struct run *r, const char *host, int port, bool is_seed)
{
	struct candidate *c;
	size_t i;

	if (host[0] == '\0' || port <= 0 || port > 65535)
		return;
	for (i = 0; i < r->n_cand; i++)
		if (r->cand[i].port == port &&
		    strcasecmp(r->cand[i].host, host) == 0)
			return;
	if (r->n_cand >= DISCOVERY_MAX_CANDIDATES)
		return;
	c = &r->cand[r->n_cand++];
	snprintf(c->host, sizeof(c->host), "%s", host);
	c->port = port;
	c->is_seed = is_seed;
	c->asked = false;
}

static void
note_failure(struct run *r, size_t i, const char *reason)
{
	snprintf(r->out->failures[i].reason, sizeof(r->out->failures[i].reason),
		 "%s", reason);
}

/* The request timeout left before the deadline; <= 0 when past it. */
static int
time_left(const struct run *r)
{
	int64_t left = r->deadline - r->env->now_ms(r->env->ctx);

	if (left <= 0)
		return 0;
	return left < r->p->timeout_ms ? (int)left : r->p->timeout_ms;
}

static bool
same_endpoint(const char *h1, int p1, const char *h2, int p2)
{
	return p1 == p2 && strcasecmp(h1, h2) == 0;
}

/* The entry of a document about the node that answered it. */
static const struct member *
self_entry(const struct cluster_doc *d, const char *host, int port)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		if (same_endpoint(d->members[i].http_ip,
				  d->members[i].http_port, d->server_ip,
				  d->server_port))
			return &d->members[i];
	for (i = 0; i < d->n; i++)
		if (same_endpoint(d->members[i].http_ip,
				  d->members[i].http_port, host, port))
			return &d->members[i];
	return NULL;
}

/*
 * A member as another node described it is confirmed by the member
 * itself: its own entry is the authority on its state, and a member that
 * does not answer is not one a client can use. Returns 1 with its own
 * entry in *own, 0 with the reason in why, -1 past the deadline.
 */
static int
confirm(struct run *r, const struct member *m, struct member *own, char *why,
	size_t len)
{
	struct cluster_doc d = {0};
	const struct member *self;
	char e[DISCOVERY_REASON_MAX / 2], ep[DISCOVERY_ENDPOINT_MAX];
	int timeout = time_left(r), rc = 0;

	if (timeout <= 0)
		return -1;
	discovery_format_endpoint(m->http_ip, m->http_port, ep, sizeof(ep));
	e[0] = '\0';
	if (r->env->fetch(r->env->ctx, m->http_ip, m->http_port, timeout, &d, e,
			  sizeof(e)) != 0) {
		snprintf(why, len, "%s (%s there): %s", ep,
			 member_state_name(m->state),
			 e[0] != '\0' ? e : "request failed");
		return 0;
	}
	self = self_entry(&d, m->http_ip, m->http_port);
	if (self == NULL)
		snprintf(why, len, "%s does not list itself", ep);
	else if (!self->is_alive)
		snprintf(why, len, "%s reports itself dead", ep);
	else {
		*own = *self;
		rc = 1;
	}
	cluster_doc_free(&d);
	return rc;
}

/*
 * Considers the ranked members of doc (answered by candidate c) until one
 * is confirmed or none can beat the best of this pass. Returns 1 when a
 * member in the preferred state itself (rank 0) was found, 0 otherwise,
 * -1 past the deadline; a confirmed member of lower rank is kept in
 * r->best.
 */
static int
consider(struct run *r, const struct candidate *c,
	 const struct cluster_doc *doc, const size_t *idx, size_t n, char *why,
	 size_t len)
{
	const struct member *m;
	struct member own;
	size_t k;
	int rc, rank;

	for (k = 0; k < n; k++) {
		m = &doc->members[idx[k]];
		rank = discovery_rank_of(r->p->pref, r->p->strict, m->state);
		if (r->best_rank >= 0 && rank >= r->best_rank)
			break;
		if (m == self_entry(doc, c->host, c->port)) {
			own = *m;
		} else {
			rc = confirm(r, m, &own, why, len);
			if (rc != 1) {
				if (rc < 0)
					return -1;
				continue;
			}
		}
		rank = discovery_rank_of(r->p->pref, r->p->strict, own.state);
		if (rank < 0) {
			snprintf(why, len, "%s:%d is %s by its own account",
				 own.http_ip, own.http_port,
				 member_state_name(own.state));
			continue;
		}
		if (r->best_rank < 0 || rank < r->best_rank) {
			r->best = own;
			r->best_rank = rank;
			discovery_format_endpoint(c->host, c->port, r->best_via,
						  sizeof(r->best_via));
		}
		if (rank == 0)
			return 1;
	}
	return 0;
}

/*
 * Asks candidate i. Returns 1 when a member in the preferred state was
 * found, 0 when not, -1 past the deadline.
 */
static int
ask(struct run *r, size_t i)
{
	struct candidate *c = &r->cand[i];
	struct cluster_doc doc = {0};
	char why[DISCOVERY_REASON_MAX - 32], msg[DISCOVERY_REASON_MAX];
	int timeout = time_left(r), rc;
	size_t *idx = NULL, n, m;
	int had_best = r->best_rank;

	if (timeout <= 0)
		return -1;
	c->asked = true;
	why[0] = '\0';
	if (r->env->fetch(r->env->ctx, c->host, c->port, timeout, &doc, why,
			  sizeof(why)) != 0) {
		note_failure(r, i, why[0] != '\0' ? why : "request failed");
		return 0;
	}
	idx = calloc(doc.n > 0 ? doc.n : 1, sizeof(*idx));
	if (idx == NULL) {
		note_failure(r, i, "out of memory");
		cluster_doc_free(&doc);
		return 0;
	}
	n = discovery_rank(&doc, r->p->pref, r->p->strict, &r->env->rng, idx,
			   doc.n);
	if (n == 0)
		explain_refusals(&doc, r->p->pref, r->p->strict, why,
				 sizeof(why));
	rc = consider(r, c, &doc, idx, n, why, sizeof(why));
	if (rc == 0 && r->best_rank == had_best) {
		snprintf(msg, sizeof(msg), "answered, but %s",
			 why[0] != '\0' ? why : "nothing better");
		note_failure(r, i, msg);
	}
	/*
	 * Without a member in the preferred state yet, ask the members this
	 * one knows about too (as KurrentDB clients fall back on the last
	 * gossip): each is the authority on its own state, and this view
	 * may be a gossip round behind.
	 */
	if (rc == 0)
		for (m = 0; m < doc.n; m++)
			if (doc.members[m].is_alive)
				add_candidate(r, doc.members[m].http_ip,
					      doc.members[m].http_port, false);
	free(idx);
	cluster_doc_free(&doc);
	return rc;
}

/*
 * One pass: seeds shuffled, then learned members shuffled, then members
 * learned during the pass. Stops at the first member in the preferred
 * state; a member of lower rank is only taken after every candidate was
 * asked.
 */
static int
one_pass(struct run *r)
{
	size_t order[DISCOVERY_MAX_CANDIDATES], n_seed = 0, n = 0, i;
	int rc;

	for (i = 0; i < r->n_cand; i++)
		if (r->cand[i].is_seed)
			order[n_seed++] = i;
	n = n_seed;
	for (i = 0; i < r->n_cand; i++)
		if (!r->cand[i].is_seed)
			order[n++] = i;
	discovery_shuffle(order, n_seed, sizeof(order[0]), &r->env->rng);
	discovery_shuffle(order + n_seed, n - n_seed, sizeof(order[0]),
			  &r->env->rng);
	for (i = 0; i < r->n_cand; i++) {
		rc = ask(r, i < n ? order[i] : i);
		if (rc != 0)
			return rc;
	}
	return 0;
}

static void
finish_failures(struct run *r)
{
	struct discovery_failure *f;
	size_t i;

	for (i = 0; i < r->n_cand; i++) {
		f = &r->out->failures[i];
		discovery_format_endpoint(r->cand[i].host, r->cand[i].port,
					  f->endpoint, sizeof(f->endpoint));
		f->is_seed = r->cand[i].is_seed;
		if (!r->cand[i].asked)
			snprintf(f->reason, sizeof(f->reason), "%s",
				 r->out->out_of_time ? "not asked: out of time"
						     : "not asked");
	}
	r->out->n_failures = r->n_cand;
}

int
discovery_run(const struct discovery_params *p, const struct gossip_seed *seeds,
	      size_t n_seeds, const struct discovery_env *env,
	      struct discovery_outcome *out)
{
	struct run *r;
	int64_t left;
	int attempt, rc = 0, result = -1;
	size_t i;

	memset(out, 0, sizeof(*out));
	r = calloc(1, sizeof(*r));
	if (r == NULL)
		return -1;
	r->p = p;
	r->env = env;
	r->out = out;
	r->best_rank = -1;
	for (i = 0; i < n_seeds; i++)
		add_candidate(r, seeds[i].host, seeds[i].port, true);
	r->deadline = env->now_ms(env->ctx) +
		      (int64_t)p->attempts * (p->timeout_ms + p->delay_ms);
	for (attempt = 1; attempt <= p->attempts && r->n_cand > 0; attempt++) {
		out->attempts_made = attempt;
		rc = one_pass(r);
		if (rc != 0 || r->best_rank >= 0 || attempt == p->attempts)
			break;
		left = r->deadline - env->now_ms(env->ctx);
		if (left <= 0) {
			rc = -1;
			break;
		}
		env->sleep_ms(env->ctx,
			      p->delay_ms < left ? p->delay_ms : (int)left);
	}
	if (r->best_rank >= 0) {
		out->chosen = r->best;
		memcpy(out->via, r->best_via, sizeof(out->via));
		result = 0;
	}
	out->out_of_time = rc == -1 && result != 0;
	finish_failures(r);
	free(r);
	return result;
}
