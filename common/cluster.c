/*
 * cluster: the member table, its merge and liveness rules, and the
 * cached document. See cluster.h for the promises and
 * docs/modules/cluster.md for the reasoning.
 *
 * The table is small (at most max_members entries plus seeds), so lookups
 * are linear scans. Entries are kept unordered; the document is sorted
 * by endpoint when it is built.
 */
#include "cluster.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define DEFAULT_MAX_MEMBERS 256
#define SELF_REFRESH	    TICKS_PER_SEC

struct seed {
	char host[MEMBER_HOST_MAX];
	int port;
	bool bound; /* an exchange at this address answered as bound_* */
	char bound_host[MEMBER_HOST_MAX];
	int bound_port;
};

/* What the table knows of an entry beside its document fields. */
struct meta {
	ticks_t suspect_since; /* 0: not suspect */
	char why[120];	       /* what made it suspect */
	bool reported_dead;    /* suspect because another node found it dead */
};

struct cluster {
	pthread_mutex_t mu;
	struct member self;
	struct member *ent; /* n entries, capacity max */
	struct meta *meta;  /* one per entry, same index */
	size_t n, max;
	struct seed seeds[OPT_MAX_SEEDS];
	size_t nseeds;
	ticks_t seeds_time;
	ticks_t allowed_skew, dead_removal;
	int suspicion_mult; /* 0: a failed exchange means dead at once */
	ticks_t suspicion_min, interval;
	cluster_event_fn fn;
	void *ctx;
	struct shared_buf *doc; /* cached encoding, or NULL */
	bool dirty;
	unsigned long full_refusals; /* newcomers not taken: table full */
	struct cluster_removal removals[CLUSTER_REMOVALS_MAX];
	size_t nremovals;
	ticks_t removal_keep;
};

/* Events gathered under the mutex, delivered after it is released. */
struct evlist {
	struct cluster_event *v;
	size_t n, cap;
};

static struct cluster_event *
ev_add(struct evlist *l, enum cluster_event_kind kind, const struct member *m)
{
	struct cluster_event *e;

	if (l->n == l->cap) {
		size_t cap = l->cap > 0 ? l->cap * 2 : 8;
		struct cluster_event *v = realloc(l->v, cap * sizeof(*v));

		if (v == NULL)
			return NULL; /* an event lost to ENOMEM, not a crash */
		l->v = v;
		l->cap = cap;
	}
	e = &l->v[l->n++];
	memset(e, 0, sizeof(*e));
	e->kind = kind;
	if (m != NULL) {
		member_endpoint(m, e->endpoint, sizeof(e->endpoint));
		e->from = e->to = m->state;
		e->alive = m->is_alive;
	}
	return e;
}

static void
lock(struct cluster *c)
{
	pthread_mutex_lock(&c->mu);
}

/* Releases the mutex, then hands out and frees the events. */
static void
unlock_deliver(struct cluster *c, struct evlist *l)
{
	pthread_mutex_unlock(&c->mu);
	for (size_t i = 0; i < l->n; i++)
		if (c->fn != NULL)
			c->fn(c->ctx, &l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}

static bool
same_ep(const char *h1, int p1, const char *h2, int p2)
{
	return p1 == p2 && strcasecmp(h1, h2) == 0;
}

static bool
is_self(const struct cluster *c, const char *host, int port)
{
	return same_ep(c->self.http_ip, c->self.http_port, host, port);
}

static struct member *
find(struct cluster *c, const char *host, int port)
{
	for (size_t i = 0; i < c->n; i++)
		if (same_ep(c->ent[i].http_ip, c->ent[i].http_port, host, port))
			return &c->ent[i];
	return NULL;
}

static bool removed_ep(const struct cluster *c, const char *host, int port);

static bool
seed_visible(struct cluster *c, const struct seed *s)
{
	if (removed_ep(c, s->host, s->port) ||
	    (s->bound && removed_ep(c, s->bound_host, s->bound_port)))
		return false;
	if (is_self(c, s->host, s->port) || find(c, s->host, s->port) != NULL)
		return false;
	if (s->bound && (is_self(c, s->bound_host, s->bound_port) ||
			 find(c, s->bound_host, s->bound_port) != NULL))
		return false;
	return true;
}

static void
placeholder(const struct cluster *c, const struct seed *s, struct member *m)
{
	memset(m, 0, sizeof(*m));
	m->timestamp = c->seeds_time;
	m->state = MS_MANAGER;
	m->is_alive = true;
	snprintf(m->internal_tcp_ip, sizeof(m->internal_tcp_ip), "%s", s->host);
	snprintf(m->external_tcp_ip, sizeof(m->external_tcp_ip), "%s", s->host);
	snprintf(m->internal_http_ip, sizeof(m->internal_http_ip), "%s",
		 s->host);
	m->internal_http_port = s->port;
	snprintf(m->http_ip, sizeof(m->http_ip), "%s", s->host);
	m->http_port = s->port;
	m->last_commit_position = -1;
	m->writer_checkpoint = -1;
	m->chaser_checkpoint = -1;
	m->epoch_position = -1;
	m->epoch_number = -1;
}

struct cluster *
cluster_new(const struct member *self, const struct cluster_params *p,
	    cluster_event_fn fn, void *ctx)
{
	struct cluster *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return NULL;
	c->max = p->max_members > 0 ? p->max_members : DEFAULT_MAX_MEMBERS;
	c->ent = calloc(c->max, sizeof(*c->ent));
	c->meta = calloc(c->max, sizeof(*c->meta));
	if (c->ent == NULL || c->meta == NULL) {
		free(c->ent);
		free(c->meta);
		free(c);
		return NULL;
	}
	pthread_mutex_init(&c->mu, NULL);
	cluster_set_params(c, p);
	c->self = *self;
	c->fn = fn;
	c->ctx = ctx;
	c->dirty = true;
	return c;
}

void
cluster_set_params(struct cluster *c, const struct cluster_params *p)
{
	pthread_mutex_lock(&c->mu);
	c->removal_keep =
	    p->removal_keep > 0 ? p->removal_keep : p->dead_removal;
	c->suspicion_mult = p->suspicion_mult;
	c->suspicion_min = p->suspicion_min;
	c->interval = p->interval;
	c->allowed_skew = p->allowed_skew;
	c->dead_removal = p->dead_removal;
	pthread_mutex_unlock(&c->mu);
}

void
cluster_free(struct cluster *c)
{
	if (c == NULL)
		return;
	shared_buf_unref(c->doc);
	free(c->ent);
	free(c->meta);
	pthread_mutex_destroy(&c->mu);
	free(c);
}

void
cluster_set_seeds(struct cluster *c, const struct gossip_seed *seeds, size_t n,
		  ticks_t now)
{
	struct seed next[OPT_MAX_SEEDS];
	size_t k = 0;

	lock(c);
	for (size_t i = 0; i < n && k < OPT_MAX_SEEDS; i++) {
		struct seed *s = &next[k];
		size_t j;

		for (j = 0; j < k; j++)
			if (same_ep(next[j].host, next[j].port, seeds[i].host,
				    seeds[i].port))
				break;
		if (j < k || strlen(seeds[i].host) >= MEMBER_HOST_MAX ||
		    seeds[i].host[0] == '\0')
			continue;
		memset(s, 0, sizeof(*s));
		snprintf(s->host, sizeof(s->host), "%s", seeds[i].host);
		s->port = seeds[i].port;
		for (j = 0; j < c->nseeds; j++) {
			if (same_ep(c->seeds[j].host, c->seeds[j].port, s->host,
				    s->port)) {
				*s = c->seeds[j];
				break;
			}
		}
		k++;
	}
	if (k != c->nseeds || memcmp(next, c->seeds, k * sizeof(*next)) != 0)
		c->dirty = true;
	memcpy(c->seeds, next, k * sizeof(*next));
	c->nseeds = k;
	c->seeds_time = now;
	pthread_mutex_unlock(&c->mu);
}

/* Is a more up to date than b (SPEC.md section 3)? */
static bool
newer(const struct member *a, const struct member *b)
{
	if (a->epoch_number != b->epoch_number)
		return a->epoch_number > b->epoch_number;
	if (a->writer_checkpoint != b->writer_checkpoint)
		return a->writer_checkpoint > b->writer_checkpoint;
	return a->timestamp > b->timestamp;
}

static void drop_entry(struct cluster *c, struct member *slot);

/*
 * A full table makes room for a live newcomer: the dead entry dead the
 * longest goes (CE_EVICTED). Returns false when none is dead.
 */
static bool
make_room(struct cluster *c, const struct member *m, struct evlist *ev)
{
	struct member *victim = NULL;
	struct cluster_event *e;

	for (size_t i = 0; i < c->n; i++)
		if (!c->ent[i].is_alive &&
		    (victim == NULL || c->ent[i].timestamp < victim->timestamp))
			victim = &c->ent[i];
	if (victim == NULL)
		return false;
	e = ev_add(ev, CE_EVICTED, victim);
	if (e != NULL)
		snprintf(e->reason, sizeof(e->reason),
			 "the table is full (MaxMembers): room for %.100s:%d",
			 m->http_ip, m->http_port);
	drop_entry(c, victim);
	return true;
}

/*
 * Writes m over the entry at *slot (or adds it when slot is NULL),
 * recording what changed. why explains a liveness change.
 */
static void
put(struct cluster *c, struct member *slot, const struct member *m,
    const char *why, struct evlist *ev)
{
	struct cluster_event *e;

	if (slot == NULL) {
		if (c->n == c->max && (!m->is_alive || !make_room(c, m, ev))) {
			/* Full of live members (or a dead newcomer): the
			 * live newcomer is refused, said and counted. */
			if (m->is_alive) {
				c->full_refusals++;
				ev_add(ev, CE_TABLE_FULL, m);
			}
			return;
		}
		memset(&c->meta[c->n], 0, sizeof(c->meta[c->n]));
		c->ent[c->n++] = *m;
		ev_add(ev, CE_ADDED, m);
		c->dirty = true;
		return;
	}
	if (memcmp(slot, m, sizeof(*m)) == 0)
		return;
	if (memcmp(&slot->instance_id, &m->instance_id,
		   sizeof(m->instance_id)) != 0 &&
	    !guid_is_zero(&slot->instance_id))
		ev_add(ev, CE_RESTARTED, m);
	if (slot->state != m->state) {
		e = ev_add(ev, CE_STATE, m);
		if (e != NULL)
			e->from = slot->state;
	}
	if (slot->is_alive != m->is_alive) {
		e = ev_add(ev, m->is_alive ? CE_ALIVE : CE_DEAD, m);
		if (e != NULL)
			snprintf(e->reason, sizeof(e->reason), "%s", why);
		c->meta[slot - c->ent].suspect_since = 0;
		c->meta[slot - c->ent].reported_dead = false;
	}
	*slot = *m;
	c->dirty = true;
}

static void
check_skew(struct cluster *c, const struct member *m, ticks_t now,
	   struct evlist *ev)
{
	ticks_t d = m->timestamp - now;
	struct cluster_event *e;

	if (d < 0)
		d = -d;
	if (c->allowed_skew > 0 && d > c->allowed_skew) {
		e = ev_add(ev, CE_CLOCK_SKEW, m);
		if (e != NULL) {
			e->peer_time = m->timestamp;
			e->our_time = now;
		}
	}
}

/* Binds every seed at the dialled address to the responder. */
static void
bind_seeds(struct cluster *c, const struct cluster_target *t, const char *host,
	   int port, struct evlist *ev)
{
	for (size_t i = 0; i < c->nseeds; i++) {
		struct seed *s = &c->seeds[i];
		bool was_visible;
		struct cluster_event *e;

		if (!same_ep(s->host, s->port, t->host, t->port))
			continue;
		if (s->bound &&
		    same_ep(s->bound_host, s->bound_port, host, port))
			continue;
		was_visible = seed_visible(c, s);
		s->bound = true;
		snprintf(s->bound_host, sizeof(s->bound_host), "%s", host);
		s->bound_port = port;
		c->dirty = true;
		if (was_visible && !seed_visible(c, s)) {
			e = ev_add(ev, CE_REPLACED, NULL);
			if (e == NULL)
				continue;
			snprintf(e->seed, sizeof(e->seed),
				 strchr(s->host, ':') != NULL ? "[%s]:%d"
							      : "%s:%d",
				 s->host, s->port);
			if (strchr(host, ':') != NULL)
				snprintf(e->endpoint, sizeof(e->endpoint),
					 "[%s]:%d", host, port);
			else
				snprintf(e->endpoint, sizeof(e->endpoint),
					 "%s:%d", host, port);
		}
	}
}

/*
 * log10 of a count, without libm: it is the program's only use of libm,
 * and loading libm costs about 0.3 MB of resident memory. Powers of ten
 * are exact (the mantissa is then 1 and adds nothing); other counts agree
 * with libm's log10 to within 1e-15 (the series below is taken to
 * double precision), far below a tick of the timeouts it scales.
 */
static double
log10_count(size_t x)
{
	const double ln2 = 0.693147180559945309417;
	const double ln10 = 2.302585092994045684018;
	size_t p = 1;
	int k = 0, twos = 0;
	double m, y, y2, term, sum = 0.0;

	if (x <= 1)
		return 0.0;
	for (; x / p >= 10; p *= 10)
		k++;
	/* x = m * 10^k * 2^twos, m in [1, 2); ln m = 2 atanh(y), y < 1/3. */
	for (m = (double)x / (double)p; m >= 2.0; m /= 2.0)
		twos++;
	y = (m - 1.0) / (m + 1.0);
	y2 = y * y;
	term = y;
	for (int i = 1; i < 60 && term != 0.0; i += 2) {
		sum += term / i;
		term *= y2;
	}
	return k + (twos * ln2 + 2.0 * sum) / ln10;
}

static ticks_t
suspicion_timeout_locked(const struct cluster *c)
{
	double scale = log10_count(c->n + 1);
	ticks_t t;

	if (scale < 1.0)
		scale = 1.0;
	t = (ticks_t)((double)c->suspicion_mult * scale * (double)c->interval);
	return t > c->suspicion_min ? t : c->suspicion_min;
}

ticks_t
cluster_suspicion_timeout(struct cluster *c)
{
	ticks_t t;

	lock(c);
	t = suspicion_timeout_locked(c);
	pthread_mutex_unlock(&c->mu);
	return t;
}

static bool
suspect(const struct cluster *c, const struct member *slot)
{
	return c->meta[slot - c->ent].suspect_since != 0;
}

/* slot (alive) becomes suspect: its death waits for the timeout. */
static void
suspect_set(struct cluster *c, struct member *slot, const char *why,
	    ticks_t now, struct evlist *ev)
{
	struct cluster_event *e;

	if (!slot->is_alive || suspect(c, slot))
		return;
	c->meta[slot - c->ent].suspect_since = now > 0 ? now : 1;
	/* Every suspicion starts clean: relayed_liveness sets it after. */
	c->meta[slot - c->ent].reported_dead = false;
	snprintf(c->meta[slot - c->ent].why, sizeof(c->meta[0].why), "%.119s",
		 why);
	e = ev_add(ev, CE_SUSPECT, slot);
	if (e != NULL)
		snprintf(e->reason, sizeof(e->reason), "%.150s", why);
}

/* A suspect shows it is alive: suspicion over. */
static void
suspect_clear(struct cluster *c, struct member *slot, const char *why,
	      struct evlist *ev)
{
	struct cluster_event *e;

	if (!suspect(c, slot))
		return;
	c->meta[slot - c->ent].suspect_since = 0;
	c->meta[slot - c->ent].reported_dead = false;
	e = ev_add(ev, CE_UNSUSPECT, slot);
	if (e != NULL)
		snprintf(e->reason, sizeof(e->reason), "%.150s", why);
}

/*
 * A third party's newer copy of a member we have (suspicion on): a copy
 * the member wrote after our suspicion began clears it; a copy that says
 * dead confirms our suspicion (dead now), or starts one of our own.
 */
static void
relayed_liveness(struct cluster *c, struct member *ex, const struct member *m,
		 const char *why, ticks_t now, struct evlist *ev)
{
	char reason[CLUSTER_ENDPOINT_MAX + 64];

	if (c->suspicion_mult <= 0 || !ex->is_alive)
		return;
	if (m->is_alive && suspect(c, ex) &&
	    m->timestamp > c->meta[ex - c->ent].suspect_since) {
		snprintf(reason, sizeof(reason), "a newer entry of its own, %s",
			 why);
		suspect_clear(c, ex, reason, ev);
	} else if (!m->is_alive && suspect(c, ex)) {
		struct member d = *ex;

		snprintf(reason, sizeof(reason), "suspect, and dead as %s",
			 why);
		d.is_alive = false;
		d.timestamp = now;
		put(c, ex, &d, reason, ev);
	} else if (!m->is_alive) {
		snprintf(reason, sizeof(reason), "dead as %s", why);
		suspect_set(c, ex, reason, now, ev);
		c->meta[ex - c->ent].reported_dead = true;
	}
}

static bool
removed_ep(const struct cluster *c, const char *host, int port)
{
	for (size_t i = 0; i < c->nremovals; i++)
		if (same_ep(c->removals[i].t.host, c->removals[i].t.port, host,
			    port))
			return true;
	return false;
}

/* Is m an instance removed by an operator (record still in force)? */
static bool
removed(const struct cluster *c, const struct member *m)
{
	for (size_t i = 0; i < c->nremovals; i++) {
		const struct cluster_removal *r = &c->removals[i];

		if (same_ep(r->t.host, r->t.port, m->http_ip, m->http_port) &&
		    memcmp(&r->instance_id, &m->instance_id,
			   sizeof(m->instance_id)) == 0)
			return true;
	}
	return false;
}

/* Drops the entry at slot (moving the last one into its place). */
static void
drop_entry(struct cluster *c, struct member *slot)
{
	size_t i = (size_t)(slot - c->ent);

	c->ent[i] = c->ent[--c->n];
	c->meta[i] = c->meta[c->n];
	c->dirty = true;
}

/* Keeps r (a new record), dropping the entry it names. */
static bool
removal_add(struct cluster *c, const struct cluster_removal *r, const char *why,
	    struct evlist *ev)
{
	struct member *ex;
	struct cluster_event *e;

	for (size_t i = 0; i < c->nremovals; i++)
		if (same_ep(c->removals[i].t.host, c->removals[i].t.port,
			    r->t.host, r->t.port) &&
		    memcmp(&c->removals[i].instance_id, &r->instance_id,
			   sizeof(r->instance_id)) == 0)
			return true; /* known already */
	if (c->nremovals == CLUSTER_REMOVALS_MAX)
		return false;
	c->removals[c->nremovals++] = *r;
	c->dirty = true;
	ex = find(c, r->t.host, r->t.port);
	if (ex != NULL && memcmp(&ex->instance_id, &r->instance_id,
				 sizeof(r->instance_id)) == 0) {
		e = ev_add(ev, CE_FORGOTTEN, ex);
		if (e != NULL)
			snprintf(e->reason, sizeof(e->reason), "%s", why);
		drop_entry(c, ex);
	}
	return true;
}

enum cluster_remove_result
cluster_remove(struct cluster *c, const struct cluster_target *t, bool force,
	       ticks_t now)
{
	struct evlist ev = {0};
	struct cluster_removal r;
	struct member *ex;
	enum cluster_remove_result rc = CR_REMOVED;

	lock(c);
	ex = find(c, t->host, t->port);
	if (ex == NULL)
		rc = CR_UNKNOWN;
	else if (ex->is_alive && !force)
		rc = CR_ALIVE;
	if (rc == CR_REMOVED) {
		memset(&r, 0, sizeof(r));
		r.t = *t;
		r.instance_id = ex->instance_id;
		r.at = now;
		if (!removal_add(c, &r, "by an operator here", &ev))
			rc = CR_FULL;
	}
	unlock_deliver(c, &ev);
	return rc;
}

void
cluster_apply_removal(struct cluster *c, const struct cluster_removal *r,
		      ticks_t now)
{
	struct evlist ev = {0};

	lock(c);
	if (now - r->at < c->removal_keep && !is_self(c, r->t.host, r->t.port))
		(void)removal_add(c, r, "by an operator elsewhere", &ev);
	unlock_deliver(c, &ev);
}

size_t
cluster_removals(struct cluster *c, ticks_t now, struct cluster_removal *out,
		 size_t max)
{
	size_t k = 0;

	lock(c);
	/* Newest last in the array: walk it backwards. */
	for (size_t i = c->nremovals; i > 0 && k < max; i--)
		if (now - c->removals[i - 1].at < c->removal_keep)
			out[k++] = c->removals[i - 1];
	pthread_mutex_unlock(&c->mu);
	return k;
}

void
cluster_merge(struct cluster *c, const struct cluster_doc *doc,
	      const struct cluster_target *dialled, ticks_t now)
{
	struct evlist ev = {0};
	bool sender_listed = false;
	char why[CLUSTER_ENDPOINT_MAX + 16];

	snprintf(why, sizeof(why),
		 strchr(doc->server_ip, ':') != NULL ? "reported by [%s]:%d"
						     : "reported by %s:%d",
		 doc->server_ip, doc->server_port);
	lock(c);
	for (size_t i = 0; i < doc->n; i++) {
		const struct member *m = &doc->members[i];
		struct member *ex;

		if (is_self(c, m->http_ip, m->http_port) ||
		    guid_is_zero(&m->instance_id) || removed(c, m))
			continue;
		ex = find(c, m->http_ip, m->http_port);
		if (same_ep(m->http_ip, m->http_port, doc->server_ip,
			    doc->server_port)) {
			sender_listed = true;
			check_skew(c, m, now, &ev);
			if (ex != NULL && m->is_alive)
				suspect_clear(c, ex, "its own entry arrived",
					      &ev);
			put(c, ex, m, "its own entry says so", &ev);
		} else if (ex == NULL) {
			if (m->is_alive ||
			    now - m->timestamp <= c->dead_removal)
				put(c, NULL, m, why, &ev);
		} else if (newer(m, ex)) {
			/* Liveness is ours to judge (our exchanges, or the
			 * member's own word): a third party's view of it would
			 * make members flap during a partition. */
			struct member r = *m;

			r.is_alive = ex->is_alive;
			put(c, ex, &r, why, &ev);
			relayed_liveness(c, ex, m, why, now, &ev);
		}
	}
	if (dialled != NULL) {
		bind_seeds(c, dialled, doc->server_ip, doc->server_port, &ev);
		if (!sender_listed) {
			struct member *ex =
			    find(c, dialled->host, dialled->port);

			if (ex != NULL)
				suspect_clear(c, ex, "an exchange succeeded",
					      &ev);
			if (ex != NULL && !ex->is_alive) {
				struct member m = *ex;

				m.is_alive = true;
				m.timestamp = now;
				put(c, ex, &m, "an exchange succeeded", &ev);
			}
		}
	}
	unlock_deliver(c, &ev);
}

bool
cluster_exchange_failed(struct cluster *c, const struct cluster_target *t,
			const char *reason, ticks_t now)
{
	struct evlist ev = {0};
	struct member *ex;
	bool known;

	lock(c);
	ex = find(c, t->host, t->port);
	known = ex != NULL;
	if (ex != NULL && ex->is_alive && c->suspicion_mult > 0 &&
	    suspect(c, ex) && c->meta[ex - c->ent].reported_dead) {
		/* Another node found it dead, and now we cannot reach it
		 * either: two independent failures, dead now. */
		struct member m = *ex;
		char why[200];

		snprintf(why, sizeof(why), "%.80s; and %.100s",
			 c->meta[ex - c->ent].why,
			 reason != NULL ? reason : "our exchange failed");
		m.is_alive = false;
		m.timestamp = now;
		put(c, ex, &m, why, &ev);
	} else if (ex != NULL && ex->is_alive && c->suspicion_mult > 0) {
		suspect_set(c, ex, reason != NULL ? reason : "exchange failed",
			    now, &ev);
	} else if (ex != NULL && ex->is_alive) {
		struct member m = *ex;

		m.is_alive = false;
		m.timestamp = now;
		put(c, ex, &m, reason != NULL ? reason : "exchange failed",
		    &ev);
	}
	unlock_deliver(c, &ev);
	return known;
}

void
cluster_expire(struct cluster *c, ticks_t now)
{
	struct evlist ev = {0};
	size_t i = 0;

	ticks_t limit;

	lock(c);
	for (size_t k = 0; k < c->nremovals;) {
		if (now - c->removals[k].at >= c->removal_keep) {
			c->removals[k] = c->removals[--c->nremovals];
			c->dirty = true;
			continue;
		}
		k++;
	}
	limit = suspicion_timeout_locked(c);
	while (i < c->n) {
		struct member *m = &c->ent[i];
		ticks_t since = c->meta[i].suspect_since;

		if (since != 0 && now - since >= limit) {
			struct member d = *m;
			char why[200];

			snprintf(why, sizeof(why),
				 "suspect for %lld ms without a sign of life; "
				 "%s",
				 (long long)((now - since) / TICKS_PER_MS),
				 c->meta[i].why);
			d.is_alive = false;
			d.timestamp = now;
			put(c, m, &d, why, &ev);
		}
		if (!m->is_alive && now - m->timestamp > c->dead_removal) {
			ev_add(&ev, CE_REMOVED, m);
			c->ent[i] = c->ent[--c->n];
			c->meta[i] = c->meta[c->n];
			c->dirty = true;
			continue;
		}
		i++;
	}
	unlock_deliver(c, &ev);
}

/* Up to max of the n candidates, in random order (a partial
 * Fisher-Yates shuffle of cand), into out; returns how many. */
static size_t
pick_random(struct cluster_target *cand, size_t n, struct cluster_target *out,
	    size_t max, unsigned *rng)
{
	size_t k;

	for (k = 0; k < max && k < n; k++) {
		size_t j = k + (size_t)rand_r(rng) % (n - k);
		struct cluster_target tmp = cand[k];

		cand[k] = cand[j];
		cand[j] = tmp;
		out[k] = cand[k];
	}
	return k;
}

size_t
cluster_pick_targets(struct cluster *c, unsigned *rng,
		     struct cluster_target *out, size_t max)
{
	struct cluster_target *cand;
	size_t n = 0, k;

	lock(c);
	cand = malloc((c->n + c->nseeds + 1) * sizeof(*cand));
	if (cand == NULL) {
		pthread_mutex_unlock(&c->mu);
		return 0;
	}
	for (size_t i = 0; i < c->n; i++) {
		memcpy(cand[n].host, c->ent[i].http_ip, MEMBER_HOST_MAX);
		cand[n++].port = c->ent[i].http_port;
	}
	for (size_t i = 0; i < c->nseeds; i++) {
		if (!seed_visible(c, &c->seeds[i]))
			continue;
		memcpy(cand[n].host, c->seeds[i].host, MEMBER_HOST_MAX);
		cand[n++].port = c->seeds[i].port;
	}
	pthread_mutex_unlock(&c->mu);
	k = pick_random(cand, n, out, max, rng);
	free(cand);
	return k;
}

void
cluster_touch_self(struct cluster *c, ticks_t now)
{
	lock(c);
	if (c->self.timestamp != now) {
		c->self.timestamp = now;
		c->dirty = true;
	}
	pthread_mutex_unlock(&c->mu);
}

void
cluster_self_leaving(struct cluster *c, enum member_state state, bool alive,
		     ticks_t now)
{
	struct evlist ev = {0};
	struct cluster_event *e;
	enum member_state was;

	lock(c);
	was = c->self.state;
	c->self.state = state;
	c->self.is_alive = alive;
	/* Later than anything we sent, so that it wins everywhere. */
	c->self.timestamp =
	    now > c->self.timestamp ? now : c->self.timestamp + 1;
	c->dirty = true;
	if (state != was) {
		e = ev_add(&ev, CE_STATE, &c->self);
		if (e != NULL)
			e->from = was;
	}
	unlock_deliver(c, &ev);
}

void
cluster_get_self(struct cluster *c, struct member *out)
{
	lock(c);
	*out = c->self;
	pthread_mutex_unlock(&c->mu);
}

void
cluster_update_self(struct cluster *c, const struct member_update *u,
		    ticks_t now, struct member *out)
{
	struct evlist ev = {0};
	struct cluster_event *e;
	enum member_state was;

	lock(c);
	was = c->self.state;
	member_update_apply(u, &c->self);
	c->self.timestamp = now;
	c->dirty = true;
	if (c->self.state != was) {
		e = ev_add(&ev, CE_STATE, &c->self);
		if (e != NULL)
			e->from = was;
	}
	if (out != NULL)
		*out = c->self;
	unlock_deliver(c, &ev);
}

static int
by_endpoint(const void *a, const void *b)
{
	const struct member *x = a, *y = b;
	int r = strcasecmp(x->http_ip, y->http_ip);

	if (r != 0)
		return r;
	return (x->http_port > y->http_port) - (x->http_port < y->http_port);
}

/* The document as structs, under the mutex. */
static int
snapshot_locked(struct cluster *c, struct cluster_doc *out)
{
	size_t n = 0;

	memset(out, 0, sizeof(*out));
	out->members = calloc(c->n + c->nseeds + 1, sizeof(*out->members));
	if (out->members == NULL)
		return -1;
	out->members[n++] = c->self;
	memcpy(out->members + n, c->ent, c->n * sizeof(*c->ent));
	n += c->n;
	/* Placeholders make room first: the document holds at most
	 * MaxMembers entries besides ours. */
	for (size_t i = 0; i < c->nseeds && n < c->max + 1; i++)
		if (seed_visible(c, &c->seeds[i]))
			placeholder(c, &c->seeds[i], &out->members[n++]);
	qsort(out->members, n, sizeof(*out->members), by_endpoint);
	out->n = n;
	memcpy(out->server_ip, c->self.http_ip, sizeof(out->server_ip));
	out->server_port = c->self.http_port;
	return 0;
}

int
cluster_snapshot(struct cluster *c, struct cluster_doc *out)
{
	int rc;

	lock(c);
	rc = snapshot_locked(c, out);
	pthread_mutex_unlock(&c->mu);
	return rc;
}

struct shared_buf *
cluster_document(struct cluster *c, ticks_t now)
{
	struct shared_buf *b = NULL;
	struct cluster_doc doc;
	char *s;
	size_t len;

	lock(c);
	if (now - c->self.timestamp > SELF_REFRESH) {
		c->self.timestamp = now;
		c->dirty = true;
	}
	if ((c->dirty || c->doc == NULL) && snapshot_locked(c, &doc) == 0) {
		s = gossip_json_encode(&doc, &len);
		cluster_doc_free(&doc);
		if (s != NULL) {
			b = shared_buf_new(s, len);
			free(s);
		}
		if (b != NULL) {
			shared_buf_unref(c->doc);
			c->doc = b;
			c->dirty = false;
		}
	}
	b = shared_buf_ref(c->doc);
	pthread_mutex_unlock(&c->mu);
	return b;
}

size_t
cluster_live_members(struct cluster *c)
{
	size_t n = 1;

	lock(c);
	for (size_t i = 0; i < c->n; i++)
		n += c->ent[i].is_alive;
	pthread_mutex_unlock(&c->mu);
	return n;
}

size_t
cluster_suspects(struct cluster *c, struct cluster_target *out, size_t max)
{
	size_t k = 0;

	lock(c);
	for (size_t i = 0; i < c->n && (out == NULL || k < max); i++) {
		if (c->meta[i].suspect_since == 0)
			continue;
		if (out != NULL) {
			memcpy(out[k].host, c->ent[i].http_ip, MEMBER_HOST_MAX);
			out[k].port = c->ent[i].http_port;
		}
		k++;
	}
	pthread_mutex_unlock(&c->mu);
	return k;
}

bool
cluster_is_suspect(struct cluster *c, const struct cluster_target *t)
{
	struct member *ex;
	bool s;

	lock(c);
	ex = find(c, t->host, t->port);
	s = ex != NULL && suspect(c, ex);
	pthread_mutex_unlock(&c->mu);
	return s;
}

size_t
cluster_pick_helpers(struct cluster *c, const struct cluster_target *suspect_t,
		     unsigned *rng, struct cluster_target *out, size_t max)
{
	struct cluster_target *cand;
	size_t n = 0, k;

	lock(c);
	cand = malloc((c->n + 1) * sizeof(*cand));
	if (cand == NULL) {
		pthread_mutex_unlock(&c->mu);
		return 0;
	}
	for (size_t i = 0; i < c->n; i++) {
		const struct member *m = &c->ent[i];

		if (!m->is_alive || c->meta[i].suspect_since != 0 ||
		    same_ep(m->http_ip, m->http_port, suspect_t->host,
			    suspect_t->port))
			continue;
		memcpy(cand[n].host, m->http_ip, MEMBER_HOST_MAX);
		cand[n++].port = m->http_port;
	}
	pthread_mutex_unlock(&c->mu);
	k = pick_random(cand, n, out, max, rng);
	free(cand);
	return k;
}

bool
cluster_is_member(struct cluster *c, const struct cluster_target *t)
{
	bool found;

	lock(c);
	found = find(c, t->host, t->port) != NULL;
	pthread_mutex_unlock(&c->mu);
	return found;
}

void
cluster_count(struct cluster *c, size_t by_state[MS__COUNT], size_t *alive,
	      size_t *dead)
{
	size_t a = 0, d = 0;

	if (by_state != NULL)
		memset(by_state, 0, MS__COUNT * sizeof(*by_state));
	lock(c);
	for (size_t i = 0; i <= c->n + c->nseeds; i++) {
		struct member m;

		if (i == 0)
			m = c->self;
		else if (i <= c->n)
			m = c->ent[i - 1];
		else if (seed_visible(c, &c->seeds[i - 1 - c->n]))
			placeholder(c, &c->seeds[i - 1 - c->n], &m);
		else
			continue;
		if (by_state != NULL && m.state < MS__COUNT)
			by_state[m.state]++;
		if (i > c->n)
			continue; /* a seed not answered: neither */
		if (m.is_alive)
			a++;
		else
			d++;
	}
	pthread_mutex_unlock(&c->mu);
	if (alive != NULL)
		*alive = a;
	if (dead != NULL)
		*dead = d;
}

unsigned long
cluster_full_refusals(struct cluster *c)
{
	unsigned long n;

	pthread_mutex_lock(&c->mu);
	n = c->full_refusals;
	pthread_mutex_unlock(&c->mu);
	return n;
}
