/*
 * discovery_run: the discovery loop of a KurrentDB-style client over the
 * rules of discovery.c (see discovery.h): passes over the candidates,
 * confirmation of a chosen member by the member itself, the fallback
 * after a whole pass, and the overall deadline.
 */
#include "discovery.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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

static void __attribute__((format(printf, 2, 3)))
tracef(const struct run *r, const char *fmt, ...)
{
	char line[DISCOVERY_REASON_MAX + 128];
	va_list ap;

	if (r->env->trace == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	r->env->trace(r->env->ctx, line);
}

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
	/* a member that sends its clients elsewhere (AdvertiseHostToClientAs)
	 * is found by its own endpoint, kept in internalHttpEndPoint */
	for (i = 0; i < d->n; i++)
		if (same_endpoint(d->members[i].internal_http_ip,
				  d->members[i].internal_http_port, host, port))
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
	/* asked at its own endpoint: where its clients are sent (the
	 * advertised httpEndPoint) may be the database, not gossipd */
	const char *gh =
	    m->internal_http_ip[0] != '\0' ? m->internal_http_ip : m->http_ip;
	int gp = m->internal_http_ip[0] != '\0' && m->internal_http_port > 0
		     ? m->internal_http_port
		     : m->http_port;

	discovery_format_endpoint(m->http_ip, m->http_port, ep, sizeof(ep));
	e[0] = '\0';
	tracef(r, "confirming %s with itself", ep);
	if (r->env->fetch(r->env->ctx, gh, gp, timeout, &d, e, sizeof(e)) !=
	    0) {
		snprintf(why, len, "%s (%s there): %s", ep,
			 member_state_name(m->state),
			 e[0] != '\0' ? e : "request failed");
		tracef(r, "  %s", why);
		return 0;
	}
	self = self_entry(&d, gh, gp);
	if (self == NULL)
		snprintf(why, len, "%s does not list itself", ep);
	else if (!self->is_alive)
		snprintf(why, len, "%s reports itself dead", ep);
	else {
		*own = *self;
		rc = 1;
		tracef(r, "  %s is %s by its own account", ep,
		       member_state_name(own->state));
	}
	if (rc == 0)
		tracef(r, "  %s", why);
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
	char ep[DISCOVERY_ENDPOINT_MAX];
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
			discovery_format_endpoint(own.http_ip, own.http_port,
						  ep, sizeof(ep));
			snprintf(why, len, "%s is %s by its own account", ep,
				 member_state_name(own.state));
			continue;
		}
		if (r->best_rank < 0 || rank < r->best_rank) {
			r->best = own;
			r->best_rank = rank;
			discovery_format_endpoint(c->host, c->port, r->best_via,
						  sizeof(r->best_via));
			discovery_format_endpoint(own.http_ip, own.http_port,
						  ep, sizeof(ep));
			if (rank > 0)
				tracef(r,
				       "keeping %s (%s) unless the pass finds "
				       "a better one",
				       ep, member_state_name(own.state));
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
	char ep[DISCOVERY_ENDPOINT_MAX];
	int timeout = time_left(r), rc;
	size_t *idx = NULL, n, m;
	int had_best = r->best_rank;

	if (timeout <= 0)
		return -1;
	c->asked = true;
	why[0] = '\0';
	discovery_format_endpoint(c->host, c->port, ep, sizeof(ep));
	tracef(r, "asking %s %s", c->is_seed ? "seed" : "member", ep);
	if (r->env->fetch(r->env->ctx, c->host, c->port, timeout, &doc, why,
			  sizeof(why)) != 0) {
		note_failure(r, i, why[0] != '\0' ? why : "request failed");
		tracef(r, "  %s", r->out->failures[i].reason);
		return 0;
	}
	r->out->answers++;
	for (m = 0; m < doc.n; m++) {
		discovery_format_endpoint(doc.members[m].http_ip,
					  doc.members[m].http_port, ep,
					  sizeof(ep));
		tracef(r, "  lists %s %s%s", ep,
		       member_state_name(doc.members[m].state),
		       doc.members[m].is_alive ? "" : " (dead)");
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
		discovery_explain(&doc, r->p->pref, r->p->strict, why,
				  sizeof(why));
	rc = consider(r, c, &doc, idx, n, why, sizeof(why));
	if (rc == 0 && r->best_rank == had_best) {
		snprintf(msg, sizeof(msg), "answered, but %s",
			 why[0] != '\0' ? why : "nothing better");
		note_failure(r, i, msg);
		tracef(r, "  %s", msg);
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
	char ep[DISCOVERY_ENDPOINT_MAX];
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
		tracef(r, "attempt %d found nothing; next in %d ms", attempt,
		       p->delay_ms < left ? p->delay_ms : (int)left);
		env->sleep_ms(env->ctx,
			      p->delay_ms < left ? p->delay_ms : (int)left);
	}
	if (r->best_rank >= 0) {
		out->chosen = r->best;
		memcpy(out->via, r->best_via, sizeof(out->via));
		result = 0;
		discovery_format_endpoint(r->best.http_ip, r->best.http_port,
					  ep, sizeof(ep));
		tracef(r, "chose %s (%s), learned from %s", ep,
		       member_state_name(r->best.state), r->best_via);
	}
	out->out_of_time = rc == -1 && result != 0;
	finish_failures(r);
	free(r);
	return result;
}
