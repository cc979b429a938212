/*
 * gossip_service: the life of the member table and of the gossiper
 * thread, and the log lines for what the table reports.
 *
 * d->cluster is created before the listener starts and freed after it
 * stops; the table carries its own mutex (common/cluster.h).
 */
#include "gossip_service.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "cluster.h"
#include "gossiper.h"
#include "httpc.h"
#include "log.h"
#include "metrics.h"
#include "peer_health.h"
#include "ratelimit.h"

#define LEAVE_BUDGET_MS 1000

#define SKEW_LOG_EVERY_MS (60 * 1000)

/*
 * Clock-skew errors would come with every exchange; one line per peer
 * per minute is enough for an operator.
 */
static struct {
	pthread_mutex_t mu;
	struct ratelimit_set peers;
} skew_log = {.mu = PTHREAD_MUTEX_INITIALIZER,
	      .peers = {.window_ms = SKEW_LOG_EVERY_MS, .burst = 1}};

static bool
skew_should_log(const char *endpoint)
{
	bool log;

	pthread_mutex_lock(&skew_log.mu);
	log = ratelimit_set_allow(&skew_log.peers, endpoint, clock_mono_ms(),
				  NULL);
	pthread_mutex_unlock(&skew_log.mu);
	return log;
}

static bool
cluster_id_valid(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > HTTPC_CLUSTER_ID_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '.' &&
		    s[i] != '_' && s[i] != '-')
			return false;
	return true;
}

bool
gossip_log_once_a_minute(const char *key)
{
	return skew_should_log(key);
}

static const char *
state_name(enum member_state s)
{
	const char *n = member_state_name(s);

	return n != NULL ? n : "?";
}

/* The table's events become log lines (and the clock-skew metric). */
static void
on_event(void *ctx, const struct cluster_event *ev)
{
	struct gossipd *d = ctx;
	const struct gossipd_config *cfg = gossipd_cfg_get(d);
	char peer[40], ours[40];
	struct log_fields f = {.member = ev->endpoint};

	switch (ev->kind) {
	case CE_ADDED:
		log_fmsg(LL_INFO, &f, "member %s joined (%s, %s)", ev->endpoint,
			 state_name(ev->to), ev->alive ? "alive" : "dead");
		break;
	case CE_STATE:
		log_fmsg(LL_INFO, &f, "member %s: %s \u2192 %s", ev->endpoint,
			 state_name(ev->from), state_name(ev->to));
		break;
	case CE_DEAD:
		f.reason = ev->reason;
		log_fmsg(LL_WARN, &f, "member %s: alive \u2192 dead (%s)",
			 ev->endpoint, ev->reason);
		break;
	case CE_ALIVE:
		log_fmsg(LL_INFO, &f, "member %s: dead \u2192 alive",
			 ev->endpoint);
		break;
	case CE_EVICTED:
		f.reason = ev->reason;
		log_fmsg(LL_INFO, &f, "member %s (dead) dropped: %s",
			 ev->endpoint, ev->reason);
		peer_health_forget(d->peers, ev->endpoint);
		break;
	case CE_TABLE_FULL: {
		char key[CLUSTER_ENDPOINT_MAX + 8];

		/* Said once (a minute) per newcomer; counted every time. */
		snprintf(key, sizeof(key), "full %s", ev->endpoint);
		if (gossip_log_once_a_minute(key)) {
			f.reason = "table_full";
			log_fmsg(LL_WARN, &f,
				 "member %s (alive) not taken: the member "
				 "table holds MaxMembers (%d) live members; "
				 "raise MaxMembers",
				 ev->endpoint, cfg->max_members);
		}
		break;
	}
	case CE_FORGOTTEN:
		f.reason = ev->reason;
		log_fmsg(LL_WARN, &f,
			 "member %s removed %s: not taken back from gossip "
			 "while the removal record lasts",
			 ev->endpoint, ev->reason);
		peer_health_forget(d->peers, ev->endpoint);
		break;
	case CE_SUSPECT:
		f.reason = ev->reason;
		log_fmsg(LL_WARN, &f, "member %s: alive \u2192 suspect (%s)",
			 ev->endpoint, ev->reason);
		gossiper_suspected(d->gossiper, ev->endpoint);
		break;
	case CE_UNSUSPECT:
		f.reason = ev->reason;
		log_fmsg(LL_INFO, &f, "member %s: suspect \u2192 alive (%s)",
			 ev->endpoint, ev->reason);
		break;
	case CE_RESTARTED:
		log_fmsg(LL_INFO, &f, "member %s restarted (new instanceId)",
			 ev->endpoint);
		break;
	case CE_REMOVED:
		log_fmsg(LL_INFO, &f,
			 "member %s removed: dead for more than %d s",
			 ev->endpoint, cfg->dead_member_removal_period_sec);
		peer_health_forget(d->peers, ev->endpoint);
		break;
	case CE_REPLACED:
		log_fmsg(LL_INFO, &f, "seed %s answered as member %s", ev->seed,
			 ev->endpoint);
		break;
	case CE_CLOCK_SKEW:
		metrics_clock_skew();
		if (!skew_should_log(ev->endpoint)) {
			log_suppressed_add(1);
			break;
		}
		ticks_format(ev->peer_time, peer);
		ticks_format(ev->our_time, ours);
		log_fmsg(LL_ERROR, &f,
			 "clock skew with member %s: its time %s, ours %s "
			 "(more than %d ms apart)",
			 ev->endpoint, peer, ours,
			 cfg->gossip_allowed_difference_ms);
		break;
	}
	gossipd_cfg_put(cfg);
}

/* The table's parameters from the configuration (at start and reload). */
static void
params_of(const struct gossipd_config *cfg, struct cluster_params *p)
{
	memset(p, 0, sizeof(*p));
	p->allowed_skew =
	    (ticks_t)cfg->gossip_allowed_difference_ms * TICKS_PER_MS;
	p->dead_removal =
	    (ticks_t)cfg->dead_member_removal_period_sec * TICKS_PER_SEC;
	p->max_members = cfg->max_members > 0 ? (size_t)cfg->max_members : 0;
	p->suspicion_mult = cfg->gossip_suspicion_mult;
	p->suspicion_min = (ticks_t)cfg->gossip_suspicion_min_ms * TICKS_PER_MS;
	p->interval = (ticks_t)cfg->gossip_interval_ms * TICKS_PER_MS;
	p->removal_keep = p->dead_removal;
}

/* gossip_service_start with the configuration held. */
static int
start_with(struct gossipd *d, const struct gossipd_config *cfg, char *err,
	   size_t errlen)
{
	struct cluster_params p;
	struct member self;
	char ep[CLUSTER_ENDPOINT_MAX];

	if (cfg->cluster_id != NULL && !cluster_id_valid(cfg->cluster_id)) {
		snprintf(err, errlen,
			 "ClusterId \"%.80s\": use 1 to %d letters, digits, "
			 "'.', '_' or '-'",
			 cfg->cluster_id, HTTPC_CLUSTER_ID_MAX);
		return -1;
	}
	if (cluster_self_from_config(cfg, ticks_now(), &self, err, errlen) != 0)
		return -1;
	params_of(cfg, &p);
	d->peers = peer_health_new();
	d->cluster =
	    d->peers != NULL ? cluster_new(&self, &p, on_event, d) : NULL;
	if (d->cluster == NULL) {
		peer_health_free(d->peers);
		d->peers = NULL;
		snprintf(err, errlen, "out of memory for the member table");
		return -1;
	}
	cluster_set_seeds(d->cluster, cfg->seeds, cfg->n_seeds, ticks_now());
	member_endpoint(&self, ep, sizeof(ep));
	if (cfg->cluster_size <= 1) {
		log_info("member %s (%s): ClusterSize 1, no gossip rounds", ep,
			 state_name(self.state));
		return 0;
	}
	d->gossiper = gossiper_start(d, err, errlen);
	if (d->gossiper == NULL) {
		cluster_free(d->cluster);
		d->cluster = NULL;
		peer_health_free(d->peers);
		d->peers = NULL;
		return -1;
	}
	log_info("member %s (%s): gossiping with %zu seed(s)%s, every %d ms, "
		 "timeout %d ms",
		 ep, state_name(self.state), cfg->n_seeds,
		 cfg->discover_via_dns ? " and ClusterDns" : "",
		 cfg->gossip_interval_ms, cfg->gossip_timeout_ms);
	return 0;
}

int
gossip_service_start(struct gossipd *d, char *err, size_t errlen)
{
	const struct gossipd_config *cfg = gossipd_cfg_get(d);
	int rc = start_with(d, cfg, err, errlen);

	gossipd_cfg_put(cfg);
	return rc;
}

void
gossip_service_leave(struct gossipd *d)
{
	struct member self;
	char ep[CLUSTER_ENDPOINT_MAX];

	if (d->gossiper == NULL || d->cluster == NULL)
		return;
	cluster_get_self(d->cluster, &self);
	member_endpoint(&self, ep, sizeof(ep));
	log_info("member %s leaving: telling the cluster (at most %d ms)", ep,
		 LEAVE_BUDGET_MS);
	gossiper_leave(d->gossiper, LEAVE_BUDGET_MS);
}

void
gossip_service_stop(struct gossipd *d)
{
	gossiper_stop(d->gossiper);
	d->gossiper = NULL;
	cluster_free(d->cluster);
	d->cluster = NULL;
	peer_health_free(d->peers);
	d->peers = NULL;
}

void
gossip_service_reload(struct gossipd *d)
{
	const struct gossipd_config *cfg;
	struct cluster_params p;
	struct tls_creds *creds;

	if (d->cluster != NULL) {
		cfg = gossipd_cfg_get(d);
		params_of(cfg, &p);
		cluster_set_params(d->cluster, &p);
		gossipd_cfg_put(cfg);
	}
	if (d->gossiper == NULL)
		return;
	creds = gossipd_creds_get(d);
	gossiper_set_creds(d->gossiper, creds);
	tls_creds_unref(creds);
	gossiper_reconfigure(d->gossiper);
}

const char *
gossip_self_state(struct gossipd *d)
{
	struct member self;

	if (d->cluster == NULL)
		return "Unknown";
	cluster_get_self(d->cluster, &self);
	return state_name(self.state);
}
