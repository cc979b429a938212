/*
 * gossiper: the gossip round thread. See gossiper.h.
 *
 * The thread owns its httpc client (httpc is thread-confined), so new
 * credentials from a reload are parked under the mutex and applied by
 * the thread itself at the start of its next round. The sleep between
 * rounds is a condition-variable wait on CLOCK_MONOTONIC, so that
 * gossiper_stop wakes it at once; an exchange in flight ends within its
 * own deadline.
 */
#include "gossiper.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "cluster.h"
#include "gossip_json.h"
#include "httpc.h"
#include "log.h"
#include "metrics.h"
#include "node_auth.h"
#include "peer_health.h"
#include "resolver.h"

#define FAST_ROUNDS	 20
#define FAST_INTERVAL_MS 100
#define DNS_RETRY_MS	 1000
#define DNS_REFRESH_MS	 (5 * 60 * 1000)
#define MAX_FANOUT	 16

struct gossiper {
	struct gossipd *d;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool stop;		     /* under mu */
	struct tls_creds *new_creds; /* under mu: to apply next round */
	struct httpc *hc;	     /* the thread's own */
	unsigned rng;
	int64_t next_dns_ms; /* 0: DNS not used */
	struct gossip_seed dns_seeds[OPT_MAX_SEEDS];
	size_t n_dns_seeds;
	bool dns_failing; /* the last resolution failed (warned once) */
	/* seed addresses that failed and were reported, until they answer */
	struct cluster_target quiet[OPT_MAX_SEEDS];
	size_t n_quiet;
	unsigned rounds; /* rounds run so far */
};

static size_t
quiet_find(const struct gossiper *g, const struct cluster_target *t)
{
	size_t i;

	for (i = 0; i < g->n_quiet; i++)
		if (g->quiet[i].port == t->port &&
		    strcasecmp(g->quiet[i].host, t->host) == 0)
			break;
	return i;
}

/*
 * A member's death is reported by the table (once); a seed that is not a
 * member yet is reported here, once until it answers.
 */
static void
seed_report(struct gossiper *g, const struct cluster_target *t, bool ok,
	    const char *cls, const char *why)
{
	size_t i = quiet_find(g, t);

	if (ok) {
		if (i < g->n_quiet) {
			log_info("seed %s:%d answers", t->host, t->port);
			g->quiet[i] = g->quiet[--g->n_quiet];
		}
		return;
	}
	if (i < g->n_quiet || g->n_quiet == OPT_MAX_SEEDS)
		return;
	/* Members start one after another: a refused or unanswered
	 * connection is no news in the first rounds; anything else (TLS,
	 * HTTP, document) is a configuration problem to report at once. */
	if (g->rounds < FAST_ROUNDS &&
	    (strcmp(cls, "connect") == 0 || strcmp(cls, "timeout") == 0))
		return;
	g->quiet[g->n_quiet++] = *t;
	log_warn("seed %s:%d does not answer: %s", t->host, t->port, why);
}

/* The current configuration; a replaced one stays allocated until exit. */
static const struct gossipd_config *
cfg_of(struct gossipd *d)
{
	const struct gossipd_config *cfg;

	pthread_mutex_lock(&d->lock);
	cfg = d->cfg;
	pthread_mutex_unlock(&d->lock);
	return cfg;
}

/* Static seeds plus what DNS gave, into the table. */
static void
publish_seeds(struct gossiper *g, const struct gossipd_config *cfg)
{
	struct gossip_seed all[OPT_MAX_SEEDS];
	size_t n = 0;

	for (size_t i = 0; i < cfg->n_seeds && n < OPT_MAX_SEEDS; i++)
		all[n++] = cfg->seeds[i];
	for (size_t i = 0; i < g->n_dns_seeds && n < OPT_MAX_SEEDS; i++)
		all[n++] = g->dns_seeds[i];
	cluster_set_seeds(g->d->cluster, all, n, ticks_now());
}

/*
 * Resolves ClusterDns into seeds: every A and AAAA record on
 * ClusterGossipPort. A failure keeps the previous seeds and retries
 * after a second.
 */
static void
resolve_dns(struct gossiper *g, const struct gossipd_config *cfg)
{
	char why[256];
	size_t n = 0;

	if (resolver_seeds(cfg->cluster_dns, cfg->cluster_gossip_port,
			   cfg->gossip_timeout_ms, g->dns_seeds, OPT_MAX_SEEDS,
			   &n, why, sizeof(why)) != 0) {
		/* Warn once; the retries every second go to debug. */
		log_msg(g->dns_failing ? LL_DEBUG : LL_WARN,
			"cannot resolve ClusterDns %s: %s; retrying in 1 s",
			cfg->cluster_dns, why);
		g->dns_failing = true;
		metrics_dns_failure("cluster_dns");
		g->next_dns_ms = clock_mono_ms() + DNS_RETRY_MS;
		return;
	}
	if (g->dns_failing)
		log_info("ClusterDns %s resolves again", cfg->cluster_dns);
	g->dns_failing = false;
	if (n != g->n_dns_seeds)
		log_info("ClusterDns %s gives %zu seed(s)", cfg->cluster_dns,
			 n);
	g->n_dns_seeds = n;
	g->next_dns_ms = clock_mono_ms() + DNS_REFRESH_MS;
	publish_seeds(g, cfg);
}

/* A failure reason class for metrics_exchange_failure. */
static const char *
failure_class(enum httpc_err e)
{
	switch (e) {
	case HTTPC_ERR_NOT_NODE:
		return "not_node";
	case HTTPC_ERR_TIMEOUT:
		return "timeout";
	case HTTPC_ERR_TLS:
		return "tls";
	case HTTPC_ERR_RESOLVE:
	case HTTPC_ERR_CONNECT:
	case HTTPC_ERR_IO:
		return "connect";
	case HTTPC_ERR_HTTP:
		return "http";
	default:
		return "other";
	}
}
/* One exchange with t: POST our document, merge the answer. */
static void
exchange(struct gossiper *g, const struct gossipd_config *cfg,
	 const struct cluster_target *t, const struct shared_buf *doc)
{
	struct httpc_response resp;
	struct cluster_doc answer;
	const char *cls = NULL, *denied = NULL;
	char err[512], why[600];
	int64_t t0 = clock_mono_us();
	long long resp_not_after;
	enum httpc_err hrc;
	double secs;

	memset(&resp, 0, sizeof(resp));
	hrc = httpc_request(g->hc, t->host, t->port, "POST", "/gossip",
			    "application/json", doc->data, doc->len,
			    cfg->gossip_timeout_ms, &resp, err, sizeof(err));
	if (hrc != HTTPC_OK) {
		cls = failure_class(hrc);
		snprintf(why, sizeof(why), "%s", err);
		if (hrc == HTTPC_ERR_NOT_NODE)
			denied = strstr(why, NODE_AUTH_NOT_A_NODE ": ");
	} else if (resp.status != 200) {
		cls = resp.status == 401 || resp.status == 403 ? "refused"
							       : "http";
		snprintf(why, sizeof(why), "POST /gossip answered HTTP %d",
			 resp.status);
	} else if (gossip_json_decode(
		       resp.body, resp.body_len, (size_t)cfg->max_body_bytes,
		       (size_t)cfg->max_members + OPT_MAX_SEEDS + 1, &answer,
		       err, sizeof(err)) != 0) {
		cls = "decode";
		snprintf(why, sizeof(why), "invalid gossip answer: %s", err);
	}
	if (cls == NULL) {
		cluster_merge(g->d->cluster, &answer, t, ticks_now());
		cluster_doc_free(&answer);
	}
	resp_not_after = resp.peer_not_after;
	httpc_response_free(&resp); /* zeroed by httpc_request on failure */
	secs = (double)(clock_mono_us() - t0) / 1e6;
	if (cls == NULL) {
		metrics_exchange_ok(secs);
		peer_health_ok(g->d->peers, t->host, t->port, secs,
			       (time_t)resp_not_after, time(NULL));
		seed_report(g, t, true, NULL, NULL);
		return;
	}
	if (denied != NULL)
		/* In the words of an inbound refusal: "connection from
		 * A:P denied: <reason>"; nothing of the answer is used. */
		log_warn("connection to %s:%d denied: %s", t->host, t->port,
			 denied + sizeof(NODE_AUTH_NOT_A_NODE ": ") - 1);
	else
		log_debug("gossip with %s:%d failed: %s", t->host, t->port,
			  why);
	metrics_exchange_failure(cls, secs);
	if (hrc == HTTPC_ERR_RESOLVE)
		metrics_dns_failure("seed");
	peer_health_fail(g->d->peers, t->host, t->port, cls, why, time(NULL));
	if (!cluster_exchange_failed(g->d->cluster, t, why, ticks_now()))
		seed_report(g, t, false, cls, why);
}

static void
apply_new_creds(struct gossiper *g)
{
	struct tls_creds *c;

	pthread_mutex_lock(&g->mu);
	c = g->new_creds;
	g->new_creds = NULL;
	pthread_mutex_unlock(&g->mu);
	if (c != NULL) {
		httpc_set_creds(g->hc, c);
		tls_creds_unref(c);
	}
}

static void
round_once(struct gossiper *g, const struct gossipd_config *cfg)
{
	struct cluster_target targets[MAX_FANOUT];
	struct shared_buf *doc;
	ticks_t now = ticks_now();
	size_t fanout, n;

	if (g->next_dns_ms != 0 && clock_mono_ms() >= g->next_dns_ms)
		resolve_dns(g, cfg);
	apply_new_creds(g);
	cluster_expire(g->d->cluster, now);
	cluster_touch_self(g->d->cluster, now);
	doc = cluster_document(g->d->cluster, now);
	if (doc == NULL)
		return;
	fanout = cfg->gossip_fanout > 0 ? (size_t)cfg->gossip_fanout : 1;
	if (fanout > MAX_FANOUT)
		fanout = MAX_FANOUT;
	n = cluster_pick_targets(g->d->cluster, &g->rng, targets, fanout);
	metrics_gossip_round();
	for (size_t i = 0; i < n; i++) {
		pthread_mutex_lock(&g->mu);
		bool stop = g->stop;
		pthread_mutex_unlock(&g->mu);

		if (stop)
			break;
		exchange(g, cfg, &targets[i], doc);
	}
	shared_buf_unref(doc);
}

static void *
run(void *arg)
{
	struct gossiper *g = arg;

	for (;;) {
		const struct gossipd_config *cfg = cfg_of(g->d);
		int64_t start = clock_mono_ms(), wait_ms;
		struct timespec until;

		round_once(g, cfg);
		g->rounds++;
		wait_ms = g->rounds < FAST_ROUNDS ? FAST_INTERVAL_MS
						  : cfg->gossip_interval_ms;
		if (g->next_dns_ms != 0 && g->next_dns_ms - start < wait_ms)
			wait_ms = g->next_dns_ms - start;
		start += wait_ms;
		until.tv_sec = (time_t)(start / 1000);
		until.tv_nsec = (long)(start % 1000) * 1000000;
		pthread_mutex_lock(&g->mu);
		while (!g->stop && clock_mono_ms() < start)
			if (pthread_cond_timedwait(&g->cv, &g->mu, &until) ==
			    ETIMEDOUT)
				break;
		bool stop = g->stop;
		pthread_mutex_unlock(&g->mu);
		if (stop)
			break;
	}
	return NULL;
}

static void
gossiper_free(struct gossiper *g)
{
	httpc_free(g->hc);
	tls_creds_unref(g->new_creds);
	pthread_cond_destroy(&g->cv);
	pthread_mutex_destroy(&g->mu);
	free(g);
}

struct gossiper *
gossiper_start(struct gossipd *d, char *err, size_t errlen)
{
	const struct gossipd_config *cfg = cfg_of(d);
	struct httpc_config hcfg;
	pthread_condattr_t ca;
	struct gossiper *g;
	char herr[256];
	int rc;

	g = calloc(1, sizeof(*g));
	if (g == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	g->d = d;
	g->rng = (unsigned)getpid() ^ (unsigned)ticks_now();
	pthread_mutex_init(&g->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&g->cv, &ca);
	pthread_condattr_destroy(&ca);

	memset(&hcfg, 0, sizeof(hcfg));
	hcfg.creds = gossipd_creds_get(d); /* NULL when insecure: plain */
	hcfg.max_body = (size_t)cfg->max_body_bytes;
	g->hc = httpc_new(&hcfg, herr, sizeof(herr));
	tls_creds_unref(hcfg.creds); /* the client holds its own */
	if (g->hc == NULL) {
		snprintf(err, errlen, "gossip client: %s", herr);
		gossiper_free(g);
		return NULL;
	}
	publish_seeds(g, cfg);
	if (cfg->discover_via_dns && cfg->cluster_dns != NULL &&
	    cfg->cluster_dns[0] != '\0')
		g->next_dns_ms =
		    clock_mono_ms(); /* resolved in the first round */
	rc = pthread_create(&g->thread, NULL, run, g);
	if (rc != 0) {
		snprintf(err, errlen, "cannot start the gossip thread: %s",
			 strerror(rc));
		gossiper_free(g);
		return NULL;
	}
	return g;
}

void
gossiper_stop(struct gossiper *g)
{
	if (g == NULL)
		return;
	pthread_mutex_lock(&g->mu);
	g->stop = true;
	pthread_cond_broadcast(&g->cv);
	pthread_mutex_unlock(&g->mu);
	pthread_join(g->thread, NULL);
	gossiper_free(g);
}

void
gossiper_set_creds(struct gossiper *g, struct tls_creds *creds)
{
	if (g == NULL || creds == NULL)
		return;
	tls_creds_ref(creds);
	pthread_mutex_lock(&g->mu);
	tls_creds_unref(g->new_creds);
	g->new_creds = creds;
	pthread_mutex_unlock(&g->mu);
}
