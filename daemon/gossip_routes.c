/*
 * gossip_routes: the gossip endpoints, the life of the member table and
 * of the gossiper thread, and the log lines for what the table reports.
 *
 * The table (d->cluster) carries its own mutex (see common/cluster.h), so
 * handlers on any worker thread, the gossiper and the metrics renderer
 * call it without a lock here. d->cluster is created before the
 * listener starts and freed after it stops.
 */
#include "gossip_routes.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "cluster.h"
#include "gossip_json.h"
#include "gossiper.h"
#include "log.h"
#include "metrics.h"
#include "peer_health.h"
#include "ratelimit.h"

#define CT_JSON		  "application/json; charset=utf-8"
#define UPDATE_MAX_BYTES  4096
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
	char peer[40], ours[40];

	switch (ev->kind) {
	case CE_ADDED:
		log_info("member %s joined (%s, %s)", ev->endpoint,
			 state_name(ev->to), ev->alive ? "alive" : "dead");
		break;
	case CE_STATE:
		log_info("member %s: %s \u2192 %s", ev->endpoint,
			 state_name(ev->from), state_name(ev->to));
		break;
	case CE_DEAD:
		log_warn("member %s: alive \u2192 dead (%s)", ev->endpoint,
			 ev->reason);
		break;
	case CE_ALIVE:
		log_info("member %s: dead \u2192 alive", ev->endpoint);
		break;
	case CE_RESTARTED:
		log_info("member %s restarted (new instanceId)", ev->endpoint);
		break;
	case CE_REMOVED:
		log_info("member %s removed: dead for more than %d s",
			 ev->endpoint, d->cfg->dead_member_removal_period_sec);
		peer_health_forget(d->peers, ev->endpoint);
		break;
	case CE_REPLACED:
		log_info("seed %s answered as member %s", ev->seed,
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
		log_error("clock skew with member %s: its time %s, ours %s "
			  "(more than %d ms apart)",
			  ev->endpoint, peer, ours,
			  d->cfg->gossip_allowed_difference_ms);
		break;
	}
}

/* Defence in depth: routes.c checks identities before calling us. */
static bool
is_node(const struct request *r)
{
	return r->identity == ID_NODE || r->d->cfg->insecure;
}

static enum MHD_Result
respond_document(struct request *r)
{
	struct shared_buf *b = cluster_document(r->d->cluster, ticks_now());
	enum MHD_Result ret;

	if (b == NULL)
		return respond_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR,
				     "out of memory");
	ret = respond_shared(r, MHD_HTTP_OK, CT_JSON, b);
	shared_buf_unref(b);
	return ret;
}

static enum MHD_Result
respond_self(struct request *r, const struct member *self)
{
	size_t len;
	char *s = gossip_json_encode_member(self, &len);
	enum MHD_Result ret;

	if (s == NULL)
		return respond_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR,
				     "out of memory");
	ret = respond_bytes(r, MHD_HTTP_OK, CT_JSON, s, len);
	free(s);
	return ret;
}

enum MHD_Result
route_gossip_get(struct request *r)
{
	if (r->d->cluster == NULL)
		return respond_error(r, MHD_HTTP_SERVICE_UNAVAILABLE,
				     "not serving");
	return respond_document(r);
}

enum MHD_Result
route_gossip_post(struct request *r)
{
	const struct gossipd_config *cfg = r->d->cfg;
	struct cluster_doc doc;
	char err[256], msg[300];

	if (!is_node(r))
		return respond_error(r,
				     r->identity == ID_ANONYMOUS
					 ? MHD_HTTP_UNAUTHORIZED
					 : MHD_HTTP_FORBIDDEN,
				     "this endpoint is for cluster nodes only");
	if (r->d->cluster == NULL)
		return respond_error(r, MHD_HTTP_SERVICE_UNAVAILABLE,
				     "not serving");
	if (gossip_json_decode(r->body, r->body != NULL ? r->body_len : 0,
			       (size_t)cfg->max_body_bytes,
			       (size_t)cfg->max_members + OPT_MAX_SEEDS + 1,
			       &doc, err, sizeof(err)) != 0) {
		log_info("gossip from %s refused: %s", r->peer_addr, err);
		metrics_document_refused("invalid");
		snprintf(msg, sizeof(msg), "invalid gossip document: %s", err);
		return respond_error(r, MHD_HTTP_BAD_REQUEST, msg);
	}
	cluster_merge(r->d->cluster, &doc, NULL, ticks_now());
	cluster_doc_free(&doc);
	return respond_document(r);
}

enum MHD_Result
route_admin_member_put(struct request *r)
{
	struct member_update u;
	struct member self;
	char err[256], msg[300];

	if (!is_node(r) && r->identity != ID_LOCAL_ADMIN)
		return respond_error(r,
				     r->identity == ID_ANONYMOUS
					 ? MHD_HTTP_UNAUTHORIZED
					 : MHD_HTTP_FORBIDDEN,
				     "only nodes and the admin socket may "
				     "update the member");
	if (r->d->cluster == NULL)
		return respond_error(r, MHD_HTTP_SERVICE_UNAVAILABLE,
				     "not serving");
	if (gossip_json_decode_member_update(
		r->body, r->body != NULL ? r->body_len : 0, UPDATE_MAX_BYTES,
		&u, err, sizeof(err)) != 0) {
		snprintf(msg, sizeof(msg), "invalid member update: %s", err);
		return respond_error(r, MHD_HTTP_BAD_REQUEST, msg);
	}
	cluster_update_self(r->d->cluster, &u, ticks_now(), &self);
	return respond_self(r, &self);
}

enum MHD_Result
route_admin_member_get(struct request *r)
{
	struct member self;

	if (!is_node(r) && r->identity != ID_LOCAL_ADMIN)
		return respond_error(r,
				     r->identity == ID_ANONYMOUS
					 ? MHD_HTTP_UNAUTHORIZED
					 : MHD_HTTP_FORBIDDEN,
				     "only nodes and the admin socket may "
				     "read the member");
	if (r->d->cluster == NULL)
		return respond_error(r, MHD_HTTP_SERVICE_UNAVAILABLE,
				     "not serving");
	cluster_get_self(r->d->cluster, &self);
	return respond_self(r, &self);
}

int
gossip_service_start(struct gossipd *d, char *err, size_t errlen)
{
	const struct gossipd_config *cfg = d->cfg;
	struct cluster_params p;
	struct member self;
	char ep[CLUSTER_ENDPOINT_MAX];

	if (cluster_self_from_config(cfg, ticks_now(), &self, err, errlen) != 0)
		return -1;
	memset(&p, 0, sizeof(p));
	p.allowed_skew =
	    (ticks_t)cfg->gossip_allowed_difference_ms * TICKS_PER_MS;
	p.dead_removal =
	    (ticks_t)cfg->dead_member_removal_period_sec * TICKS_PER_SEC;
	p.max_members = cfg->max_members > 0 ? (size_t)cfg->max_members : 0;
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
	struct tls_creds *creds;

	if (d->gossiper == NULL)
		return;
	creds = gossipd_creds_get(d);
	gossiper_set_creds(d->gossiper, creds);
	tls_creds_unref(creds);
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
