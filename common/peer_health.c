/*
 * peer_health: the per-peer exchange record. See peer_health.h.
 */
#include "peer_health.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "discovery.h"
#include "member.h"

struct peer_health {
	pthread_mutex_t mu;
	struct peer_health_entry e[PEER_HEALTH_MAX];
	time_t seen[PEER_HEALTH_MAX]; /* last record, for replacement */
	size_t n;
	unsigned long successes;
};

struct peer_health *
peer_health_new(void)
{
	struct peer_health *ph = calloc(1, sizeof(*ph));

	if (ph != NULL)
		pthread_mutex_init(&ph->mu, NULL);
	return ph;
}

void
peer_health_free(struct peer_health *ph)
{
	if (ph == NULL)
		return;
	pthread_mutex_destroy(&ph->mu);
	free(ph);
}

static size_t
find(const struct peer_health *ph, const char *ep)
{
	size_t i;

	for (i = 0; i < ph->n; i++)
		if (strcasecmp(ph->e[i].endpoint, ep) == 0)
			break;
	return i;
}

/* The entry for host:port, made (or taken over) when missing. Under mu. */
static struct peer_health_entry *
slot(struct peer_health *ph, const char *host, int port, time_t now)
{
	char ep[PEER_HEALTH_ENDPOINT_MAX];
	size_t i, oldest = 0;

	discovery_format_endpoint(host, port, ep, sizeof(ep));
	i = find(ph, ep);
	if (i == ph->n) {
		if (ph->n < PEER_HEALTH_MAX) {
			ph->n++;
		} else {
			for (i = 1; i < ph->n; i++)
				if (ph->seen[i] < ph->seen[oldest])
					oldest = i;
			i = oldest;
		}
		memset(&ph->e[i], 0, sizeof(ph->e[i]));
		snprintf(ph->e[i].endpoint, sizeof(ph->e[i].endpoint), "%s",
			 ep);
	}
	ph->seen[i] = now;
	return &ph->e[i];
}

void
peer_health_ok(struct peer_health *ph, const char *host, int port,
	       double rtt_seconds, time_t cert_not_after, time_t now)
{
	struct peer_health_entry *e;

	if (ph == NULL)
		return;
	pthread_mutex_lock(&ph->mu);
	e = slot(ph, host, port, now);
	e->last_ok = now;
	e->rtt_seconds = rtt_seconds < 0 ? 0 : rtt_seconds;
	e->cert_not_after = cert_not_after;
	e->ok_total++;
	e->consecutive_failures = 0;
	ph->successes++;
	pthread_mutex_unlock(&ph->mu);
}

void
peer_health_fail(struct peer_health *ph, const char *host, int port,
		 const char *reason, const char *error, time_t now)
{
	struct peer_health_entry *e;

	if (ph == NULL)
		return;
	pthread_mutex_lock(&ph->mu);
	e = slot(ph, host, port, now);
	e->last_error_at = now;
	snprintf(e->reason, sizeof(e->reason), "%s",
		 reason != NULL ? reason : "other");
	snprintf(e->error, sizeof(e->error), "%s", error != NULL ? error : "");
	e->failures_total++;
	e->consecutive_failures++;
	pthread_mutex_unlock(&ph->mu);
}

void
peer_health_forget(struct peer_health *ph, const char *endpoint)
{
	size_t i;

	if (ph == NULL)
		return;
	pthread_mutex_lock(&ph->mu);
	i = find(ph, endpoint);
	if (i < ph->n) {
		ph->n--;
		ph->e[i] = ph->e[ph->n];
		ph->seen[i] = ph->seen[ph->n];
	}
	pthread_mutex_unlock(&ph->mu);
}

bool
peer_health_get(struct peer_health *ph, const char *endpoint,
		struct peer_health_entry *out)
{
	size_t i;
	bool found;

	if (ph == NULL)
		return false;
	pthread_mutex_lock(&ph->mu);
	i = find(ph, endpoint);
	found = i < ph->n;
	if (found)
		*out = ph->e[i];
	pthread_mutex_unlock(&ph->mu);
	return found;
}

size_t
peer_health_snapshot(struct peer_health *ph, struct peer_health_entry *out,
		     size_t max)
{
	size_t n;

	if (ph == NULL)
		return 0;
	pthread_mutex_lock(&ph->mu);
	n = ph->n < max ? ph->n : max;
	memcpy(out, ph->e, n * sizeof(*out));
	pthread_mutex_unlock(&ph->mu);
	return n;
}

unsigned long
peer_health_successes(struct peer_health *ph)
{
	unsigned long n;

	if (ph == NULL)
		return 0;
	pthread_mutex_lock(&ph->mu);
	n = ph->successes;
	pthread_mutex_unlock(&ph->mu);
	return n;
}

static void
problem(struct cluster_verdict *v, const char *text)
{
	size_t len = strlen(v->problems);

	if (len + strlen(text) + 3 < sizeof(v->problems))
		snprintf(v->problems + len, sizeof(v->problems) - len, "%s%s",
			 len > 0 ? "; " : "", text);
	v->healthy = false;
}

void
cluster_verdict_of(const struct cluster_doc *doc, int cluster_size,
		   struct cluster_verdict *v)
{
	char ep[PEER_HEALTH_ENDPOINT_MAX], text[PEER_HEALTH_ENDPOINT_MAX + 64];
	size_t i;

	memset(v, 0, sizeof(*v));
	v->healthy = true;
	for (i = 0; i < doc->n; i++) {
		const struct member *m = &doc->members[i];

		if (guid_is_zero(&m->instance_id)) {
			v->placeholders++;
			continue;
		}
		v->members++;
		if (!m->is_alive) {
			v->dead++;
			member_endpoint(m, ep, sizeof(ep));
			snprintf(text, sizeof(text), "member %s is dead", ep);
			problem(v, text);
			continue;
		}
		v->alive++;
		if (m->state == MS_LEADER)
			v->leaders++;
	}
	if (v->leaders == 0)
		problem(v, "no leader");
	else if (v->leaders > 1) {
		snprintf(text, sizeof(text), "%zu leaders", v->leaders);
		problem(v, text);
	}
	if (cluster_size > 0 && v->alive < (size_t)cluster_size) {
		snprintf(text, sizeof(text),
			 "%zu live member%s, fewer than ClusterSize %d",
			 v->alive, v->alive == 1 ? "" : "s", cluster_size);
		problem(v, text);
	}
}
