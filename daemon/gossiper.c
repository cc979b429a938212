/*
 * gossiper: the gossip engine. See gossiper.h.
 *
 * One thread owns an epoll loop. Every outbound exchange is an httpc_op,
 * a non-blocking state machine (resolution, connect, TLS handshake,
 * request, response) with its own deadline of GossipTimeoutMs; the loop
 * steps the ones in flight whenever a socket is ready, a deadline
 * passes, or a name resolution may have finished. A round fires on its
 * timer whatever is still in flight: it picks GossipFanout targets among
 * those with no exchange in flight and starts them all at once. The
 * thread owns its httpc client (httpc is thread-confined), so new
 * credentials from a reload are parked under the mutex and applied by
 * the thread itself, after abandoning the exchanges made with the old
 * ones; an eventfd wakes it for that and for gossiper_stop.
 */
#include "gossiper.h"

#include "gossip_service.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <poll.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "cluster.h"
#include "gossip_json.h"
#include "httpc.h"
#include "resolver.h"
#include "log.h"
#include "metrics.h"
#include "num.h"
#include "node_auth.h"
#include "discovery.h"
#include "peer_health.h"
#include "ratelimit.h"

#define FAST_PERIOD_MS	 2000 /* rounds every 100 ms during the first 2 s */
#define FAST_INTERVAL_MS 100
#define DNS_RETRY_MS	 1000
#define DNS_REFRESH_MS	 (5 * 60 * 1000)
#define DNS_TIMEOUT_MS	 5000
#define MAX_FANOUT	 16
#define MAX_INFLIGHT	 64

#define PROBE_QUEUE 32

/* What an exchange is for. */
enum xkind {
	XK_GOSSIP, /* POST /gossip: a round, a report, a probe for a peer */
	XK_ASK,	   /* POST /gossip/probe: ask a helper to reach a suspect */
};

/* One exchange in flight. */
struct xchg {
	struct httpc_op *op; /* NULL: the slot is free */
	enum xkind kind;
	struct cluster_target t;
	bool report; /* a probe for a peer: then report to */
	struct cluster_target report_to; /* the asking member */
	int64_t t0_us; /* when it started (CLOCK_MONOTONIC microseconds) */
	int reg_fd;    /* registered with epoll, or -1 */
	short reg_ev;  /* POLLIN or POLLOUT */
	bool dns_wait; /* no socket to wait on (a name, a retry): a short timer
			*/
};

/* Work handed to the loop by other threads (under mu). */
struct probe_job {
	bool ask; /* true: ask helpers about target; false: probe target */
	struct cluster_target target, reply;
};

/* SIGTERM: ShuttingDown to every member, then Shutdown and not alive. */
enum leave_phase {
	LEAVE_NONE,
	LEAVE_ASKED,
	LEAVE_SHUTTING,
	LEAVE_LAST,
	LEAVE_DONE
};

struct gossiper {
	struct gossipd *d;
	pthread_cond_t cv;	/* leave: LEAVE_DONE reached */
	enum leave_phase leave; /* under mu */
	int64_t leave_start, leave_budget_ms;
	struct probe_job pq[PROBE_QUEUE]; /* under mu */
	size_t npq;			  /* under mu */
	/* the configuration the loop reads, refreshed at each turn */
	const struct gossipd_config *cfg;
	unsigned cfg_gen;
	pthread_t thread;
	pthread_mutex_t mu;
	bool stop;		     /* under mu */
	struct tls_creds *new_creds; /* under mu: to apply at once */
	int wake_fd;		     /* eventfd: stop or new credentials */
	int ep;			     /* the loop's epoll */
	struct httpc *hc;	     /* the thread's own */
	unsigned rng;
	int64_t started_ms; /* the thread's start: the fast period */
	bool size_warned;   /* more live members than ClusterSize */
	int64_t next_round_ms;
	/* ClusterDns: the lookup under way, when the next one is due */
	struct resolver_job *dns_job;
	int64_t dns_deadline;
	int64_t next_dns_ms; /* 0: DNS not used */
	struct gossip_seed dns_seeds[OPT_MAX_SEEDS];
	size_t n_dns_seeds;
	bool dns_failing; /* the last resolution failed (warned once) */
	/* seed addresses that failed and were reported, until they answer */
	struct cluster_target quiet[OPT_MAX_SEEDS];
	size_t n_quiet;
	struct xchg x[MAX_INFLIGHT];
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
	char ep[PEER_HEALTH_ENDPOINT_MAX];

	discovery_format_endpoint(t->host, t->port, ep, sizeof(ep));
	if (ok) {
		if (i < g->n_quiet) {
			log_fmsg(LL_INFO, &(struct log_fields){.member = ep},
				 "seed %s answers", ep);
			g->quiet[i] = g->quiet[--g->n_quiet];
		}
		return;
	}
	if (i < g->n_quiet || g->n_quiet == OPT_MAX_SEEDS)
		return;
	/* Members start one after another: a refused or unanswered
	 * connection is no news in the fast start; anything else (TLS,
	 * HTTP, document) is a configuration problem to report at once. */
	if (clock_mono_ms() - g->started_ms < FAST_PERIOD_MS &&
	    (strcmp(cls, "connect") == 0 || strcmp(cls, "timeout") == 0))
		return;
	g->quiet[g->n_quiet++] = *t;
	log_fmsg(LL_WARN, &(struct log_fields){.member = ep, .reason = cls},
		 "seed %s does not answer: %s", ep, why);
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

static void
dns_failed(struct gossiper *g, const struct gossipd_config *cfg,
	   const char *why)
{
	/* Warn once; the retries every second go to debug. */
	log_msg(g->dns_failing ? LL_DEBUG : LL_WARN,
		"cannot resolve ClusterDns %s: %s; retrying in 1 s",
		cfg->cluster_dns, why);
	g->dns_failing = true;
	metrics_dns_failure("cluster_dns");
	g->next_dns_ms = clock_mono_ms() + DNS_RETRY_MS;
}

/* Every A and AAAA record of res, on ClusterGossipPort, as seeds. */
static void
dns_seeds_from(struct gossiper *g, const struct gossipd_config *cfg,
	       const struct addrinfo *res)
{
	char why[160];
	size_t n = 0;

	if (resolver_seeds_of(res, cfg->cluster_gossip_port, g->dns_seeds,
			      OPT_MAX_SEEDS, &n, why, sizeof(why)) != 0) {
		dns_failed(g, cfg, why);
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

/*
 * Resolves ClusterDns into seeds without blocking the loop: the lookup
 * runs on glibc's resolver thread and is looked at on every pass, given
 * up after DNS_TIMEOUT_MS. A failure keeps the previous seeds and retries
 * after a second.
 */
static void
dns_step(struct gossiper *g, const struct gossipd_config *cfg)
{
	struct addrinfo *res = NULL;
	char err[300];
	int rc;

	if (g->dns_job == NULL) {
		if (g->next_dns_ms == 0 || clock_mono_ms() < g->next_dns_ms)
			return;
		rc = resolver_start(cfg->cluster_dns, cfg->cluster_gossip_port,
				    0, &g->dns_job, &res, err, sizeof(err));
		if (rc < 0) {
			dns_failed(g, cfg, err);
			return;
		}
		g->dns_deadline = clock_mono_ms() + DNS_TIMEOUT_MS;
		if (rc == 0)
			return;
	} else {
		rc = resolver_poll(g->dns_job, &res, err, sizeof(err));
		if (rc == 0 && clock_mono_ms() < g->dns_deadline)
			return;
		if (rc == 0) {
			resolver_cancel(g->dns_job);
			snprintf(err, sizeof(err), "timed out after %d ms",
				 DNS_TIMEOUT_MS);
		}
		g->dns_job = NULL;
		if (rc <= 0) {
			dns_failed(g, cfg, err);
			return;
		}
	}
	dns_seeds_from(g, cfg, res);
	freeaddrinfo(res);
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

static bool gossip_with(struct gossiper *g, const struct gossipd_config *cfg,
			const struct cluster_target *t, bool probe,
			const struct cluster_target *report_to);

#define NOT_NODE_LOG_EVERY_MS (60 * 1000)

/* Refused peers, one line per peer and reason a minute (the gossiper's
 * thread only). */
static struct ratelimit_set not_node_log = {.window_ms = NOT_NODE_LOG_EVERY_MS,
					    .burst = 1};

/* A peer whose server certificate is not a node's (err from httpc holds
 * NODE_AUTH_NOT_A_NODE): one line in the words of an inbound refusal,
 * "connection from A:P denied: <reason>", at most once a minute per peer
 * and reason, saying how many more were refused meanwhile (each one is
 * counted in the metrics). */
static void
log_not_node(const struct cluster_target *t, const char *err)
{
	char ep[PEER_HEALTH_ENDPOINT_MAX], key[RATELIMIT_KEY_MAX];
	const char *denied = strstr(err, NODE_AUTH_NOT_A_NODE ": ");
	const char *reason =
	    denied != NULL ? denied + sizeof(NODE_AUTH_NOT_A_NODE ": ") - 1
			   : err;
	struct ratelimit_held prev = {0};

	discovery_format_endpoint(t->host, t->port, ep, sizeof(ep));
	/* the key may be cut: it only groups the lines */
	snprintf(key, sizeof(key), "%.200s %.70s", ep, reason);
	if (!ratelimit_set_allow(&not_node_log, key, clock_mono_ms(), &prev))
		return;
	if (prev.count > 0)
		log_fmsg(
		    LL_WARN, &(struct log_fields){.peer = ep, .reason = reason},
		    "connection to %s denied: %s (and %lu more times in "
		    "the last %lld s)",
		    ep, reason, prev.count, (long long)(prev.window_ms / 1000));
	else
		log_fmsg(LL_WARN,
			 &(struct log_fields){.peer = ep, .reason = reason},
			 "connection to %s denied: %s", ep, reason);
}

/* A pooled connection closed because its server would not pass a new
 * handshake now (httpc's on_closed): one line, in the words of the
 * inbound side's "connection from A:P closed: <reason>". */
static void
log_closed(void *ctx, const char *peer, const char *why)
{
	(void)ctx;
	log_fmsg(LL_WARN, &(struct log_fields){.peer = peer, .reason = why},
		 "connection to %s closed: %s", peer, why);
}

/* The end of an exchange with x->t: merge the answer, or count why not. */
static void
exchange_done(struct gossiper *g, const struct gossipd_config *cfg,
	      struct xchg *x)
{
	const struct cluster_target *t = &x->t;
	struct httpc_response resp;
	struct cluster_doc answer;
	const char *cls = NULL;
	char err[512], why[600], ep[PEER_HEALTH_ENDPOINT_MAX];
	double secs = (double)(clock_mono_us() - x->t0_us) / 1e6;
	long long resp_not_after;
	enum httpc_err hrc = httpc_op_finish(x->op, &resp, err, sizeof(err));

	x->op = NULL;
	if (hrc == HTTPC_OK && cfg->cluster_id != NULL &&
	    strcmp(resp.cluster_id, cfg->cluster_id) != 0) {
		/* Another cluster (or none): nothing of it is used. */
		char key[CLUSTER_ENDPOINT_MAX];

		snprintf(key, sizeof(key), "%s:%d", t->host, t->port);
		if (gossip_log_once_a_minute(key))
			log_warn("gossip with %s refused: it is of cluster "
				 "\"%s\", we are \"%s\" (ClusterId)",
				 key,
				 resp.cluster_id[0] != '\0' ? resp.cluster_id
							    : "(none)",
				 cfg->cluster_id);
		metrics_exchange_failure("cluster_id", secs);
		httpc_response_free(&resp);
		if (x->kind == XK_GOSSIP &&
		    !cluster_exchange_failed(g->d->cluster, t,
					     "another cluster (ClusterId)",
					     ticks_now()))
			seed_report(g, t, false, "cluster_id",
				    "it is of another cluster (ClusterId)");
		return;
	}
	if (x->kind == XK_ASK) {
		/* Only the asking is judged here; the probe's outcome comes
		 * back as gossip. */
		char key[CLUSTER_ENDPOINT_MAX + 8];

		if (hrc == HTTPC_ERR_NOT_NODE)
			log_not_node(t, err);
		else if (hrc == HTTPC_OK &&
			 (resp.status == 401 || resp.status == 403)) {
			snprintf(key, sizeof(key), "probe %s:%d", t->host,
				 t->port);
			if (gossip_log_once_a_minute(key))
				log_warn("asking %s:%d to probe: refused "
					 "(HTTP %d)",
					 t->host, t->port, resp.status);
		} else if (hrc != HTTPC_OK || resp.status != 202)
			log_debug("asking %s:%d to probe: %s", t->host, t->port,
				  hrc != HTTPC_OK ? err : "not accepted");
		metrics_probe(hrc == HTTPC_OK && resp.status == 202
				  ? "asked"
				  : "ask_failed");
		httpc_response_free(&resp);
		return;
	}
	if (hrc != HTTPC_OK) {
		cls = failure_class(hrc);
		snprintf(why, sizeof(why), "%s", err);
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
	httpc_response_free(&resp); /* zeroed by httpc_op_finish on failure */
	if (g->hc != NULL) {
		unsigned long full, resumed;

		httpc_handshake_counts(g->hc, &full, &resumed);
		metrics_outbound_handshakes(full, resumed);
	}
	if (cls == NULL) {
		metrics_exchange_ok(secs);
		peer_health_ok(g->d->peers, t->host, t->port, secs,
			       (time_t)resp_not_after, time(NULL));
		seed_report(g, t, true, NULL, NULL);
		if (x->report) {
			/* The suspect answered: tell the asker at once. */
			metrics_probe("reached");
			gossip_with(g, cfg, &x->report_to, false, NULL);
		}
		return;
	}
	if (x->report)
		metrics_probe("unreached");
	discovery_format_endpoint(t->host, t->port, ep, sizeof(ep));
	if (hrc == HTTPC_ERR_NOT_NODE)
		log_not_node(t, why); /* nothing of the answer is used */
	else
		log_debug("gossip with %s failed: %s", ep, why);
	metrics_exchange_failure(cls, secs);
	if (hrc == HTTPC_ERR_RESOLVE)
		metrics_dns_failure("seed");
	peer_health_fail(g->d->peers, t->host, t->port, cls, why, time(NULL));
	if (!cluster_exchange_failed(g->d->cluster, t, why, ticks_now()))
		seed_report(g, t, false, cls, why);
}

/*
 * Keeps x's epoll registration in step with what its request waits for.
 * Called right after each step, before any other socket is made, so the
 * number is x's own (a closed socket leaves epoll by itself: MOD then
 * fails with ENOENT and ADD follows).
 */
static void
xchg_watch(struct gossiper *g, struct xchg *x, int fd, short ev)
{
	struct epoll_event e;

	if (x->reg_fd >= 0 && (fd != x->reg_fd || ev == 0)) {
		(void)epoll_ctl(g->ep, EPOLL_CTL_DEL, x->reg_fd, NULL);
		x->reg_fd = -1;
	}
	x->dns_wait = fd < 0 && ev == 0 && x->op != NULL;
	if (fd < 0)
		return;
	memset(&e, 0, sizeof(e));
	e.events = ev == POLLIN ? EPOLLIN : EPOLLOUT;
	e.data.ptr = x;
	/* Always MOD, even for the same number and event: a failed connect
	 * closes its socket and the next address's socket may reuse the
	 * number within one step (ENOENT then, and ADD follows). */
	if (x->reg_fd == fd && epoll_ctl(g->ep, EPOLL_CTL_MOD, fd, &e) == 0) {
		x->reg_ev = ev;
		return;
	}
	if (epoll_ctl(g->ep, EPOLL_CTL_ADD, fd, &e) != 0 &&
	    (errno != EEXIST || epoll_ctl(g->ep, EPOLL_CTL_MOD, fd, &e) != 0)) {
		/* Cannot happen short of ENOMEM: the deadline ends it. */
		log_debug("epoll_ctl for %s:%d: %s", x->t.host, x->t.port,
			  strerror(errno));
		x->reg_fd = -1;
		x->dns_wait = true; /* stepped on the short timer instead */
		return;
	}
	x->reg_fd = fd;
	x->reg_ev = ev;
}

/* Advances x; finishes it when its request is done. */
static void
xchg_step(struct gossiper *g, const struct gossipd_config *cfg, struct xchg *x)
{
	short ev = 0;
	int fd = -1;

	if (x->op == NULL)
		return;
	if (httpc_op_step(x->op, &fd, &ev) == 0) {
		xchg_watch(g, x, fd, ev);
		return;
	}
	xchg_watch(g, x, -1, 0);
	exchange_done(g, cfg, x);
}

static bool
in_flight(const struct gossiper *g, const struct cluster_target *t)
{
	for (size_t i = 0; i < MAX_INFLIGHT; i++)
		if (g->x[i].op != NULL && g->x[i].t.port == t->port &&
		    strcasecmp(g->x[i].t.host, t->host) == 0)
			return true;
	return false;
}

static struct xchg *
free_slot(struct gossiper *g)
{
	for (size_t i = 0; i < MAX_INFLIGHT; i++)
		if (g->x[i].op == NULL)
			return &g->x[i];
	return NULL;
}

/*
 * The Gossip-Suspects header: the members we suspect (and with also, the
 * one a probe is for), so that a suspect that hears of it refutes at
 * once. Empty when there is none.
 */
static void
suspects_header(struct gossiper *g, const struct cluster_target *also,
		char *buf, size_t len)
{
	struct cluster_target sus[GOSSIP_SUSPECTS_MAX];
	size_t n = cluster_suspects(g->d->cluster, sus, GOSSIP_SUSPECTS_MAX);
	/* The value at most GOSSIP_SUSPECTS_HEADER_MAX, or the receiver
	 * ignores it whole: name plus value plus CRLF plus NUL. */
	size_t cap = sizeof(GOSSIP_SUSPECTS_HEADER ": ") - 1 +
		     GOSSIP_SUSPECTS_HEADER_MAX + 3;
	size_t slen = len < cap ? len : cap, off = 0;
	bool listed = false;

	buf[0] = '\0';
	if (also != NULL && n < GOSSIP_SUSPECTS_MAX) {
		for (size_t i = 0; i < n; i++)
			listed = listed ||
				 (sus[i].port == also->port &&
				  strcasecmp(sus[i].host, also->host) == 0);
		if (!listed)
			sus[n++] = *also;
	}
	for (size_t i = 0; i < n; i++) {
		int w =
		    snprintf(buf + off, slen - off, "%s%s%s%s:%d",
			     i == 0 ? GOSSIP_SUSPECTS_HEADER ": " : ",",
			     strchr(sus[i].host, ':') ? "[" : "", sus[i].host,
			     strchr(sus[i].host, ':') ? "]" : "", sus[i].port);

		if (w < 0 || (size_t)w >= slen - off - 2) {
			buf[off] = '\0'; /* the rest does not fit: left out */
			break;
		}
		off += (size_t)w;
	}
	if (off > 0)
		off += (size_t)snprintf(buf + off, len - off, "\r\n");
	gossip_removals_header(g->d->cluster, buf + off, len - off);
}

void
gossip_removals_header(struct cluster *c, char *buf, size_t len)
{
	struct cluster_removal r[GOSSIP_REMOVED_MAX];
	size_t n = cluster_removals(c, ticks_now(), r, GOSSIP_REMOVED_MAX);
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		char id[37];
		bool v6 = strchr(r[i].t.host, ':') != NULL;
		int w;

		guid_format(&r[i].instance_id, id);
		w = snprintf(buf + off, len - off, "%s%s%s%s:%d %s %lld",
			     i == 0 ? GOSSIP_REMOVED_HEADER ": " : ",",
			     v6 ? "[" : "", r[i].t.host, v6 ? "]" : "",
			     r[i].t.port, id, (long long)r[i].at);
		if (w < 0 || (size_t)w >= len - off - 2) {
			buf[off] = '\0';
			break;
		}
		off += (size_t)w;
	}
	if (off > 0)
		snprintf(buf + off, len - off, "\r\n");
}

size_t
gossip_removals_parse(const char *h, struct cluster_removal *out, size_t max)
{
	char copy[GOSSIP_REMOVED_HEADER_MAX + 1], *save = NULL, *tok;
	size_t n = 0;

	if (h == NULL || strlen(h) > GOSSIP_REMOVED_HEADER_MAX)
		return 0;
	snprintf(copy, sizeof(copy), "%s", h);
	for (tok = strtok_r(copy, ",", &save); tok != NULL && n < max;
	     tok = strtok_r(NULL, ",", &save)) {
		char *s2 = NULL, *ep = strtok_r(tok, " ", &s2),
		     *id = strtok_r(NULL, " ", &s2),
		     *at = strtok_r(NULL, " ", &s2);
		struct gossip_seed one;
		long long ticks;
		size_t k = 0;
		char err[64];

		if (ep == NULL || id == NULL || at == NULL ||
		    strtok_r(NULL, " ", &s2) != NULL ||
		    options_parse_seeds(ep, &one, 1, &k, err, sizeof(err)) !=
			0 ||
		    k != 1 || strlen(one.host) >= sizeof(out[n].t.host) ||
		    guid_parse(id, &out[n].instance_id) != 0 ||
		    num_parse(at, 0, INT64_MAX, &ticks) != NUM_OK)
			continue; /* a malformed record is ignored */
		snprintf(out[n].t.host, sizeof(out[n].t.host), "%s", one.host);
		out[n].t.port = one.port;
		out[n].at = (ticks_t)ticks;
		n++;
	}
	return n;
}

/* Gossip-Cluster-Id: ours, appended to the extra header lines. */
static void
cluster_id_header(const struct gossipd_config *cfg, char *buf, size_t len)
{
	size_t off = strlen(buf);

	if (cfg->cluster_id != NULL)
		snprintf(buf + off, len - off, "%s: %s\r\n",
			 HTTPC_CLUSTER_ID_HEADER, cfg->cluster_id);
}

/* A failure to start is a failed exchange (invalid address, no memory). */
static void
start_failed(struct gossiper *g, const struct cluster_target *t,
	     const char *err)
{
	metrics_exchange_failure("connect", 0.0);
	peer_health_fail(g->d->peers, t->host, t->port, "connect", err,
			 time(NULL));
	if (!cluster_exchange_failed(g->d->cluster, t, err, ticks_now()))
		seed_report(g, t, false, "connect", err);
}

/*
 * Starts a gossip exchange with t (our document, the suspects beside
 * it); probe_for: this is a probe asked by that member, reported to it
 * when t answers. False when it cannot start.
 */
static bool
gossip_with(struct gossiper *g, const struct gossipd_config *cfg,
	    const struct cluster_target *t, bool probe,
	    const struct cluster_target *report_to)
{
	char headers[GOSSIP_SUSPECTS_HEADER_MAX + GOSSIP_REMOVED_HEADER_MAX +
		     HTTPC_CLUSTER_ID_MAX + 128],
	    err[512];
	struct shared_buf *doc;
	struct xchg *x;

	if (in_flight(g, t) || (x = free_slot(g)) == NULL)
		return false;
	doc = cluster_document(g->d->cluster, ticks_now());
	if (doc == NULL)
		return false;
	suspects_header(g, probe ? t : NULL, headers, sizeof(headers));
	cluster_id_header(cfg, headers, sizeof(headers));
	x->kind = XK_GOSSIP;
	x->t = *t;
	x->report = report_to != NULL;
	if (report_to != NULL)
		x->report_to = *report_to;
	x->t0_us = clock_mono_us();
	x->reg_fd = -1;
	x->reg_ev = 0;
	x->op = httpc_op_start(
	    g->hc, t->host, t->port, "POST", "/gossip", "application/json",
	    headers[0] != '\0' ? headers : NULL, doc->data, doc->len,
	    cfg->gossip_timeout_ms, err, sizeof(err));
	shared_buf_unref(doc);
	if (x->op == NULL) {
		start_failed(g, t, err);
		return false;
	}
	xchg_step(g, cfg, x); /* a reused connection sends at once */
	return true;
}

/* Asks helper to reach suspect for us (POST /gossip/probe). */
static void
ask_probe(struct gossiper *g, const struct gossipd_config *cfg,
	  const struct cluster_target *helper,
	  const struct cluster_target *suspect_t)
{
	struct member self;
	char body[2 * CLUSTER_ENDPOINT_MAX + 64], me[CLUSTER_ENDPOINT_MAX],
	    them[CLUSTER_ENDPOINT_MAX], err[512],
	    hdr[HTTPC_CLUSTER_ID_MAX + 64] = "";
	struct xchg *x;

	if (in_flight(g, helper) || (x = free_slot(g)) == NULL)
		return;
	cluster_get_self(g->d->cluster, &self);
	member_endpoint(&self, me, sizeof(me));
	snprintf(them, sizeof(them),
		 strchr(suspect_t->host, ':') ? "[%s]:%d" : "%s:%d",
		 suspect_t->host, suspect_t->port);
	snprintf(body, sizeof(body), "{\"target\":\"%s\",\"reply\":\"%s\"}",
		 them, me);
	x->kind = XK_ASK;
	x->t = *helper;
	x->report = false;
	x->t0_us = clock_mono_us();
	x->reg_fd = -1;
	x->reg_ev = 0;
	cluster_id_header(cfg, hdr, sizeof(hdr)); /* refused (403) without */
	x->op = httpc_op_start(g->hc, helper->host, helper->port, "POST",
			       "/gossip/probe", "application/json",
			       hdr[0] != '\0' ? hdr : NULL, body, strlen(body),
			       cfg->gossip_timeout_ms, err, sizeof(err));
	if (x->op == NULL) {
		log_debug("asking %s:%d to probe: %s", helper->host,
			  helper->port, err);
		return;
	}
	xchg_step(g, cfg, x);
}

/* The work other threads queued: asks to send, probes to run. */
static void
run_probe_jobs(struct gossiper *g, const struct gossipd_config *cfg)
{
	struct probe_job jobs[PROBE_QUEUE];
	size_t n;

	pthread_mutex_lock(&g->mu);
	n = g->npq;
	memcpy(jobs, g->pq, n * sizeof(*jobs));
	g->npq = 0;
	pthread_mutex_unlock(&g->mu);
	for (size_t i = 0; i < n; i++) {
		struct cluster_target helpers[16];
		size_t k;

		if (!jobs[i].ask) {
			metrics_probe("probing");
			if (!gossip_with(g, cfg, &jobs[i].target, true,
					 &jobs[i].reply))
				log_debug(
				    "probe of %s:%d for %s:%d not "
				    "started (one in flight)",
				    jobs[i].target.host, jobs[i].target.port,
				    jobs[i].reply.host, jobs[i].reply.port);
			continue;
		}
		if (!cluster_is_suspect(g->d->cluster, &jobs[i].target))
			continue;
		/* Try it ourselves too, telling it it is suspected. */
		gossip_with(g, cfg, &jobs[i].target, true, NULL);
		k = cluster_pick_helpers(g->d->cluster, &jobs[i].target,
					 &g->rng, helpers,
					 (size_t)cfg->gossip_indirect_checks);
		for (size_t j = 0; j < k; j++)
			ask_probe(g, cfg, &helpers[j], &jobs[i].target);
	}
}

/* Abandons every exchange in flight (stop, or new credentials). */
static void
abandon_all(struct gossiper *g)
{
	for (size_t i = 0; i < MAX_INFLIGHT; i++) {
		struct xchg *x = &g->x[i];
		struct httpc_response resp;
		char err[64];

		if (x->op == NULL)
			continue;
		xchg_watch(g, x, -1, 0);
		(void)httpc_op_finish(x->op, &resp, err, sizeof(err));
		x->op = NULL;
		x->dns_wait = false;
	}
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
		/* Exchanges made with the old credentials end unjudged. */
		abandon_all(g);
		httpc_set_creds(g->hc, c);
		tls_creds_unref(c);
	}
}

/* More live members than ClusterSize: warned once, counted always. */
static void
check_cluster_size(struct gossiper *g, const struct gossipd_config *cfg)
{
	long live = (long)cluster_live_members(g->d->cluster);
	long over = live - cfg->cluster_size;

	metrics_members_beyond_size(over > 0 ? over : 0);
	if (over > 0 && !g->size_warned)
		log_warn(
		    "%ld live members, more than ClusterSize %d: another "
		    "cluster's nodes may have joined (ClusterId tells them "
		    "apart), or ClusterSize is out of date",
		    live, cfg->cluster_size);
	else if (over <= 0 && g->size_warned)
		log_info("%ld live members, within ClusterSize %d again", live,
			 cfg->cluster_size);
	g->size_warned = over > 0;
}

/*
 * The next target among cand[0..n) (random order; port 0: taken): every
 * other pick goes to a warm peer (a TLS session to resume or a live
 * connection, httpc_peer_warm) when there is one, so that a forming
 * cluster costs each node few full handshakes; the others are uniform,
 * which keeps the spread of a plain random gossip (in insecure mode no
 * peer is warm: always uniform). Peers with an exchange in flight are
 * skipped. Returns n when none is left.
 */
static size_t
pick_one(struct gossiper *g, const struct cluster_target *cand, size_t n)
{
	bool warm_turn = (rand_r(&g->rng) & 1) == 0;
	size_t any = n;

	for (size_t i = 0; i < n; i++) {
		if (cand[i].port == 0 || in_flight(g, &cand[i]))
			continue;
		if (any == n)
			any = i;
		if (!warm_turn)
			break;
		if (httpc_peer_warm(g->hc, cand[i].host, cand[i].port))
			return i;
	}
	return any;
}

static void
round_once(struct gossiper *g, const struct gossipd_config *cfg)
{
	struct cluster_target targets[MAX_INFLIGHT];
	ticks_t now = ticks_now();
	size_t fanout, n, started = 0;

	cluster_expire(g->d->cluster, now);
	cluster_touch_self(g->d->cluster, now);
	check_cluster_size(g, cfg);
	metrics_gossip_round();
	fanout = cfg->gossip_fanout > 0 ? (size_t)cfg->gossip_fanout : 1;
	if (fanout > MAX_FANOUT)
		fanout = MAX_FANOUT;
	/* Every candidate, in random order; those busy are passed over. */
	n = cluster_pick_targets(g->d->cluster, &g->rng, targets, MAX_INFLIGHT);
	while (started < fanout) {
		size_t i = pick_one(g, targets, n);

		if (i == n)
			break;
		started += gossip_with(g, cfg, &targets[i], false, NULL);
		targets[i].port = 0; /* taken */
	}
}

static bool leaving(struct gossiper *g);

/* Milliseconds until the loop must look again (a round, a deadline). */
static int
loop_timeout(struct gossiper *g)
{
	int64_t now = clock_mono_ms(), until = g->next_round_ms;

	if (leaving(g))
		until = now + HTTPC_OP_POLL_MS; /* leaving: look often */

	if (g->next_dns_ms != 0 && g->dns_job == NULL && g->next_dns_ms < until)
		until = g->next_dns_ms;
	if (g->dns_job != NULL && now + HTTPC_OP_POLL_MS < until)
		until = now + HTTPC_OP_POLL_MS;
	for (size_t i = 0; i < MAX_INFLIGHT; i++) {
		const struct xchg *x = &g->x[i];

		if (x->op == NULL)
			continue;
		if (x->dns_wait && now + HTTPC_OP_POLL_MS < until)
			until = now + HTTPC_OP_POLL_MS;
		if (httpc_op_deadline(x->op) < until)
			until = httpc_op_deadline(x->op);
	}
	if (until <= now)
		return 0;
	return until - now > 60000 ? 60000 : (int)(until - now);
}

static bool
stopping(struct gossiper *g)
{
	bool stop;

	pthread_mutex_lock(&g->mu);
	stop = g->stop;
	pthread_mutex_unlock(&g->mu);
	return stop;
}

static size_t
in_flight_count(const struct gossiper *g)
{
	size_t n = 0;

	for (size_t i = 0; i < MAX_INFLIGHT; i++)
		n += g->x[i].op != NULL;
	return n;
}

/* Our entry in state (alive or not) to every member and seed, at once. */
static void
leave_announce(struct gossiper *g, const struct gossipd_config *cfg,
	       enum member_state state, bool alive)
{
	struct cluster_target all[MAX_INFLIGHT];
	size_t n;

	abandon_all(g);
	cluster_self_leaving(g->d->cluster, state, alive, ticks_now());
	n = cluster_pick_targets(g->d->cluster, &g->rng, all, MAX_INFLIGHT);
	for (size_t i = 0; i < n; i++)
		gossip_with(g, cfg, &all[i], false, NULL);
}

/*
 * One step of the leave: phase one (ShuttingDown) until its exchanges
 * end or half the budget passed, phase two (Shutdown, not alive) until
 * its exchanges end or the budget is spent. Returns true when done.
 */
static bool
leave_step(struct gossiper *g, const struct gossipd_config *cfg)
{
	int64_t now = clock_mono_ms(), used = now - g->leave_start;
	enum leave_phase ph;

	pthread_mutex_lock(&g->mu);
	ph = g->leave;
	pthread_mutex_unlock(&g->mu);
	switch (ph) {
	case LEAVE_ASKED:
		g->leave_start = now;
		leave_announce(g, cfg, MS_SHUTTING_DOWN, true);
		ph = LEAVE_SHUTTING;
		break;
	case LEAVE_SHUTTING:
		if (in_flight_count(g) > 0 && used < g->leave_budget_ms / 2)
			return false;
		leave_announce(g, cfg, MS_SHUTDOWN, false);
		ph = LEAVE_LAST;
		break;
	case LEAVE_LAST:
		if (in_flight_count(g) > 0 && used < g->leave_budget_ms)
			return false;
		abandon_all(g);
		ph = LEAVE_DONE;
		break;
	default:
		return ph == LEAVE_DONE;
	}
	pthread_mutex_lock(&g->mu);
	g->leave = ph;
	if (ph == LEAVE_DONE)
		pthread_cond_broadcast(&g->cv);
	pthread_mutex_unlock(&g->mu);
	return ph == LEAVE_DONE;
}

static bool
leaving(struct gossiper *g)
{
	bool l;

	pthread_mutex_lock(&g->mu);
	l = g->leave != LEAVE_NONE;
	pthread_mutex_unlock(&g->mu);
	return l;
}

/*
 * A reload swapped the configuration: the static seeds and ClusterDns
 * (looked up again at once, or dropped), the bound of answers and the
 * round interval (the next round comes no later than one new interval)
 * take effect now. Exchanges in flight finish as they started.
 */
static void
apply_cfg(struct gossiper *g, const struct gossipd_config *cfg)
{
	int64_t now = clock_mono_ms();
	bool dns = cfg->discover_via_dns && cfg->cluster_dns != NULL &&
		   cfg->cluster_dns[0] != '\0';

	resolver_cancel(g->dns_job);
	g->dns_job = NULL;
	g->next_dns_ms = dns ? now : 0;
	if (!dns)
		g->n_dns_seeds = 0;
	publish_seeds(g, cfg);
	httpc_set_max_body(g->hc, (size_t)cfg->max_body_bytes);
	if (g->next_round_ms > now + cfg->gossip_interval_ms)
		g->next_round_ms = now + cfg->gossip_interval_ms;
	log_info("gossip settings reloaded: %zu seed(s)%s, every %d ms, "
		 "timeout %d ms, fanout %d",
		 cfg->n_seeds, dns ? " and ClusterDns" : "",
		 cfg->gossip_interval_ms, cfg->gossip_timeout_ms,
		 cfg->gossip_fanout);
}

static void *
run(void *arg)
{
	struct gossiper *g = arg;
	struct epoll_event evs[MAX_INFLIGHT];

	g->started_ms = clock_mono_ms();
	g->next_round_ms = g->started_ms;
	while (!stopping(g)) {
		unsigned gen = g->cfg_gen;
		const struct gossipd_config *cfg =
		    gossipd_cfg_refresh(g->d, &g->cfg, &g->cfg_gen);
		int64_t now;
		int n;

		if (g->cfg_gen != gen)
			apply_cfg(g, cfg);
		n = epoll_wait(g->ep, evs, MAX_INFLIGHT, loop_timeout(g));
		for (int i = 0; i < n; i++) {
			if (evs[i].data.ptr == NULL) {
				uint64_t v;

				if (read(g->wake_fd, &v, sizeof(v)) < 0)
					v = 0; /* EAGAIN: already read */
				apply_new_creds(g);
			}
		}
		/* Every exchange in flight takes a step: a ready socket
		 * moves on, a passed deadline ends it, a lookup is looked
		 * at; the others only find nothing to do. */
		for (size_t i = 0; i < MAX_INFLIGHT; i++)
			xchg_step(g, cfg, &g->x[i]);
		if (leaving(g)) {
			leave_step(g, cfg);
			continue; /* no rounds, probes or lookups any more */
		}
		run_probe_jobs(g, cfg);
		dns_step(g, cfg);
		now = clock_mono_ms();
		if (now >= g->next_round_ms) {
			int64_t iv = now - g->started_ms < FAST_PERIOD_MS
					 ? FAST_INTERVAL_MS
					 : cfg->gossip_interval_ms;

			round_once(g, cfg);
			/* On schedule: a late round does not shift the next
			 * ones, and missed ones are not made up in a burst. */
			g->next_round_ms += iv;
			if (g->next_round_ms <= now)
				g->next_round_ms = now + iv;
		}
	}
	abandon_all(g);
	return NULL;
}

static void
gossiper_free(struct gossiper *g)
{
	resolver_cancel(g->dns_job);
	httpc_free(g->hc);
	gossipd_cfg_put(g->cfg);
	tls_creds_unref(g->new_creds);
	if (g->ep >= 0)
		close(g->ep);
	if (g->wake_fd >= 0)
		close(g->wake_fd);
	pthread_cond_destroy(&g->cv);
	pthread_mutex_destroy(&g->mu);
	free(g);
}

static void
wake(struct gossiper *g)
{
	uint64_t one = 1;

	/* Fails only when the counter is full: it is awake anyway. */
	if (write(g->wake_fd, &one, sizeof(one)) < 0)
		return;
}

struct gossiper *
gossiper_start(struct gossipd *d, char *err, size_t errlen)
{
	const struct gossipd_config *cfg;
	struct httpc_config hcfg;
	struct epoll_event e;
	struct gossiper *g;
	char herr[256];
	int rc;

	g = calloc(1, sizeof(*g));
	if (g == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	g->d = d;
	cfg = gossipd_cfg_refresh(d, &g->cfg, &g->cfg_gen);
	g->rng = (unsigned)getpid() ^ (unsigned)ticks_now();
	pthread_mutex_init(&g->mu, NULL);
	{
		pthread_condattr_t ca;

		pthread_condattr_init(&ca);
		pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
		pthread_cond_init(&g->cv, &ca);
		pthread_condattr_destroy(&ca);
	}
	g->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	g->ep = epoll_create1(EPOLL_CLOEXEC);
	memset(&e, 0, sizeof(e));
	e.events = EPOLLIN;
	e.data.ptr = NULL; /* the wake-up */
	if (g->wake_fd < 0 || g->ep < 0 ||
	    epoll_ctl(g->ep, EPOLL_CTL_ADD, g->wake_fd, &e) != 0) {
		snprintf(err, errlen, "gossip loop: %s", strerror(errno));
		gossiper_free(g);
		return NULL;
	}
	memset(&hcfg, 0, sizeof(hcfg));
	hcfg.creds = gossipd_creds_get(d); /* NULL when insecure: plain */
	hcfg.max_body = (size_t)cfg->max_body_bytes;
	hcfg.on_closed = log_closed;
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
		g->next_dns_ms = clock_mono_ms(); /* resolved at once */
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
	pthread_mutex_unlock(&g->mu);
	wake(g);
	pthread_join(g->thread, NULL);
	gossiper_free(g);
}

void
gossiper_leave(struct gossiper *g, int budget_ms)
{
	struct timespec until;
	int64_t end;

	if (g == NULL)
		return;
	end = clock_mono_ms() + budget_ms + 200; /* the thread's own margin */
	until.tv_sec = (time_t)(end / 1000);
	until.tv_nsec = (long)(end % 1000) * 1000000;
	pthread_mutex_lock(&g->mu);
	if (g->leave == LEAVE_NONE) {
		g->leave_budget_ms = budget_ms;
		g->leave = LEAVE_ASKED;
	}
	pthread_mutex_unlock(&g->mu);
	wake(g);
	pthread_mutex_lock(&g->mu);
	while (g->leave != LEAVE_DONE && !g->stop)
		if (pthread_cond_timedwait(&g->cv, &g->mu, &until) == ETIMEDOUT)
			break;
	pthread_mutex_unlock(&g->mu);
}

static bool
queue_job(struct gossiper *g, const struct probe_job *j)
{
	bool ok, dup = false;

	pthread_mutex_lock(&g->mu);
	for (size_t i = 0; !dup && i < g->npq; i++)
		dup = g->pq[i].ask == j->ask &&
		      g->pq[i].target.port == j->target.port &&
		      strcasecmp(g->pq[i].target.host, j->target.host) == 0;
	/* the same job queued already: one does, and it counts as queued */
	ok = dup || g->npq < PROBE_QUEUE;
	if (ok && !dup)
		g->pq[g->npq++] = *j;
	pthread_mutex_unlock(&g->mu);
	if (ok && !dup)
		wake(g);
	return ok;
}

bool
gossiper_probe(struct gossiper *g, const struct cluster_target *target,
	       const struct cluster_target *reply)
{
	struct probe_job j;

	if (g == NULL)
		return false;
	memset(&j, 0, sizeof(j));
	j.target = *target;
	j.reply = *reply;
	return queue_job(g, &j);
}

void
gossiper_suspected(struct gossiper *g, const char *endpoint)
{
	struct gossip_seed one;
	struct probe_job j;
	char err[128];
	size_t n = 0;

	if (g == NULL ||
	    options_parse_seeds(endpoint, &one, 1, &n, err, sizeof(err)) != 0 ||
	    n != 1 || strlen(one.host) >= sizeof(j.target.host))
		return;
	memset(&j, 0, sizeof(j));
	j.ask = true;
	snprintf(j.target.host, sizeof(j.target.host), "%s", one.host);
	j.target.port = one.port;
	(void)queue_job(g, &j);
}

void
gossiper_reconfigure(struct gossiper *g)
{
	if (g != NULL)
		wake(g);
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
	wake(g);
}
