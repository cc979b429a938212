/*
 * metrics: lock-free counters, rendered as Prometheus text format 0.0.4.
 *
 * Every counter is a relaxed atomic in static storage: the metrics are by
 * nature process-wide, any thread updates them, and rendering reads a
 * snapshot that is consistent per counter (not across counters), which is
 * what Prometheus expects of a scrape.
 */
#include "metrics.h"

#include "cluster.h"
#include "gossip_pb.h"
#include "peer_health.h"

#include <dirent.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

#define RENDER_MAX (512 * 1024)

static const char *const refusal_names[] = {
    "untrusted",	 "expired",	    "revoked",	  "not_yet_valid",
    "handshake_timeout", "tls_error",	    "conn_limit", "per_ip_limit",
    "protocol",		 "request_timeout", "evicted",	  "other",
};
#define N_REFUSALS (sizeof(refusal_names) / sizeof(refusal_names[0]))

static const char *const failure_names[] = {
    "timeout", "connect", "tls",	"not_node", "http",
    "decode",  "refused", "cluster_id", "other",
};
#define N_FAILURES (sizeof(failure_names) / sizeof(failure_names[0]))

/* Exchange latency buckets, in seconds (upper bounds, +Inf implied). */
static const double latency_bounds[] = {0.005, 0.01, 0.025, 0.05, 0.1,
					0.25,  0.5,  1.0,   2.5,  5.0};
#define N_BOUNDS (sizeof(latency_bounds) / sizeof(latency_bounds[0]))

static atomic_long conns_open;
static atomic_ulong handshakes_full, handshakes_resumed;
static atomic_ulong refusals[N_REFUSALS];
/* [protocol][class], class 1..5: 1xx..5xx */
static atomic_ulong requests_by_class[2][6];
static const char *const proto_names[] = {"http/1.1", "h2"};
#define N_GRPC GOSSIP_PB_GRPC_STATUSES
static atomic_ulong grpc_by_status[N_GRPC];
static atomic_ulong gossip_rounds;
static atomic_ulong exchanges_ok;
static atomic_ulong exchange_failures[N_FAILURES];
static atomic_ulong latency_buckets[N_BOUNDS + 1]; /* last: +Inf */
static atomic_ullong latency_sum_us;
static atomic_ulong clock_skew_events;
static atomic_ulong reloads_ok, reloads_failed;
static atomic_llong reload_last_ok;  /* Unix time; 0: never */
static atomic_ulong dns_failures[2]; /* cluster_dns, seed */
static atomic_int admin_socket_up;

static const char *const doc_refusal_names[] = {
    "unauthenticated", "not_node",   "too_large", "content_type",
    "invalid",	       "cluster_id", "other",
};
#define N_DOC_REFUSALS                                                         \
	(sizeof(doc_refusal_names) / sizeof(doc_refusal_names[0]))
static atomic_ulong doc_refusals[N_DOC_REFUSALS];
static atomic_ulong out_handshakes_full, out_handshakes_resumed;
static const char *const probe_names[] = {
    "asked", "ask_failed", "probing", "reached", "unreached", "other",
};
#define N_PROBES (sizeof(probe_names) / sizeof(probe_names[0]))
static atomic_ulong probes[N_PROBES];
static atomic_long beyond_size;

void
metrics_conn_open(int delta)
{
	atomic_fetch_add_explicit(&conns_open, delta, memory_order_relaxed);
}

void
metrics_handshake_ok(bool resumed)
{
	atomic_fetch_add_explicit(resumed ? &handshakes_resumed
					  : &handshakes_full,
				  1, memory_order_relaxed);
}

static size_t
name_index(const char *const *names, size_t n, const char *name)
{
	size_t i;

	for (i = 0; name != NULL && i < n - 1; i++)
		if (strcmp(names[i], name) == 0)
			return i;
	return n - 1; /* "other" */
}

void
metrics_refusal(const char *reason)
{
	size_t i = name_index(refusal_names, N_REFUSALS, reason);

	atomic_fetch_add_explicit(&refusals[i], 1, memory_order_relaxed);
}

void
metrics_request_proto(enum metrics_proto proto, unsigned status)
{
	unsigned cls = status / 100;

	if (cls < 1 || cls > 5 || (unsigned)proto > METRICS_H2)
		return;
	atomic_fetch_add_explicit(&requests_by_class[proto][cls], 1,
				  memory_order_relaxed);
}

void
metrics_request(unsigned status)
{
	metrics_request_proto(METRICS_HTTP1, status);
}

void
metrics_grpc(int status)
{
	if (status >= 0 && (size_t)status < N_GRPC)
		atomic_fetch_add_explicit(&grpc_by_status[status], 1,
					  memory_order_relaxed);
}

void
metrics_gossip_round(void)
{
	atomic_fetch_add_explicit(&gossip_rounds, 1, memory_order_relaxed);
}

void
metrics_members_beyond_size(long n)
{
	atomic_store_explicit(&beyond_size, n, memory_order_relaxed);
}

void
metrics_probe(const char *what)
{
	size_t i = name_index(probe_names, N_PROBES, what);

	atomic_fetch_add_explicit(&probes[i], 1, memory_order_relaxed);
}

void
metrics_outbound_handshakes(unsigned long full, unsigned long resumed)
{
	atomic_store_explicit(&out_handshakes_full, full, memory_order_relaxed);
	atomic_store_explicit(&out_handshakes_resumed, resumed,
			      memory_order_relaxed);
}

static void
observe_latency(double seconds)
{
	size_t i;

	if (seconds < 0)
		seconds = 0;
	for (i = 0; i < N_BOUNDS && seconds > latency_bounds[i]; i++)
		;
	atomic_fetch_add_explicit(&latency_buckets[i], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&latency_sum_us,
				  (unsigned long long)(seconds * 1e6),
				  memory_order_relaxed);
}

void
metrics_exchange_ok(double seconds)
{
	atomic_fetch_add_explicit(&exchanges_ok, 1, memory_order_relaxed);
	observe_latency(seconds);
}

void
metrics_exchange_failure(const char *reason, double seconds)
{
	size_t i = name_index(failure_names, N_FAILURES, reason);

	atomic_fetch_add_explicit(&exchange_failures[i], 1,
				  memory_order_relaxed);
	observe_latency(seconds);
}

void
metrics_clock_skew(void)
{
	atomic_fetch_add_explicit(&clock_skew_events, 1, memory_order_relaxed);
}

void
metrics_reload(bool ok)
{
	if (ok) {
		atomic_fetch_add_explicit(&reloads_ok, 1, memory_order_relaxed);
		atomic_store(&reload_last_ok, (long long)time(NULL));
	} else {
		atomic_fetch_add_explicit(&reloads_failed, 1,
					  memory_order_relaxed);
	}
}

void
metrics_dns_failure(const char *source)
{
	bool seed = source != NULL && strcmp(source, "seed") == 0;

	atomic_fetch_add_explicit(&dns_failures[seed], 1, memory_order_relaxed);
}

void
metrics_document_refused(const char *reason)
{
	size_t i = name_index(doc_refusal_names, N_DOC_REFUSALS, reason);

	atomic_fetch_add_explicit(&doc_refusals[i], 1, memory_order_relaxed);
}

void
metrics_admin_socket(bool available)
{
	atomic_store(&admin_socket_up, available ? 1 : 0);
}

/* A bounded text builder: appends are dropped once the buffer is full,
 * and the overflow is reported by out.failed. */
struct out {
	char *buf;
	size_t len, cap;
	bool failed;
};

static void emit(struct out *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
emit(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->failed)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->len, o->cap - o->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= o->cap - o->len) {
		o->failed = true;
		return;
	}
	o->len += (size_t)n;
}

static void
head(struct out *o, const char *name, const char *type, const char *help)
{
	emit(o, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static unsigned long
load(atomic_ulong *a)
{
	return atomic_load_explicit(a, memory_order_relaxed);
}

static void
render_connections(struct out *o)
{
	size_t i;

	head(o, "gossipd_build_info", "gauge", "Build information.");
	emit(o, "gossipd_build_info{version=\"%s\"} 1\n", GOSSIPD_VERSION);
	head(o, "gossipd_connections_open", "gauge",
	     "Client connections currently open.");
	emit(o, "gossipd_connections_open %ld\n",
	     atomic_load_explicit(&conns_open, memory_order_relaxed));
	head(o, "gossipd_tls_handshakes_total", "counter",
	     "Completed TLS handshakes by kind.");
	emit(o, "gossipd_tls_handshakes_total{kind=\"full\"} %lu\n",
	     load(&handshakes_full));
	emit(o, "gossipd_tls_handshakes_total{kind=\"resumed\"} %lu\n",
	     load(&handshakes_resumed));
	head(o, "gossipd_connection_refusals_total", "counter",
	     "Connections refused or ended before serving, by reason.");
	for (i = 0; i < N_REFUSALS; i++)
		emit(o,
		     "gossipd_connection_refusals_total{reason=\"%s\"} %lu\n",
		     refusal_names[i], load(&refusals[i]));
	head(o, "gossipd_http_requests_total", "counter",
	     "HTTP requests answered, by protocol and status class.");
	for (size_t p = 0; p < 2; p++)
		for (i = 1; i <= 5; i++)
			emit(o,
			     "gossipd_http_requests_total{protocol=\"%s\","
			     "code=\"%zuxx\"} %lu\n",
			     proto_names[p], i, load(&requests_by_class[p][i]));
	head(o, "gossipd_grpc_requests_total", "counter",
	     "gRPC calls answered (over HTTP/2), by gRPC status.");
	for (i = 0; i < N_GRPC; i++)
		emit(o, "gossipd_grpc_requests_total{status=\"%s\"} %lu\n",
		     gossip_pb_grpc_status_name((int)i),
		     load(&grpc_by_status[i]));
}

static void
render_gossip(struct out *o)
{
	unsigned long cum = 0, total;
	size_t i;

	head(o, "gossipd_gossip_rounds_total", "counter",
	     "Gossip rounds started.");
	emit(o, "gossipd_gossip_rounds_total %lu\n", load(&gossip_rounds));
	head(o, "gossipd_gossip_exchanges_total", "counter",
	     "Successful gossip exchanges.");
	emit(o, "gossipd_gossip_exchanges_total %lu\n", load(&exchanges_ok));
	head(o, "gossipd_gossip_exchange_failures_total", "counter",
	     "Failed gossip exchanges, by reason.");
	for (i = 0; i < N_FAILURES; i++)
		emit(o,
		     "gossipd_gossip_exchange_failures_total{reason=\"%s\"} "
		     "%lu\n",
		     failure_names[i], load(&exchange_failures[i]));
	head(o, "gossipd_gossip_exchange_seconds", "histogram",
	     "Duration of gossip exchanges, successful or not.");
	for (i = 0; i < N_BOUNDS; i++) {
		cum += load(&latency_buckets[i]);
		emit(o,
		     "gossipd_gossip_exchange_seconds_bucket{le=\"%g\"} %lu\n",
		     latency_bounds[i], cum);
	}
	total = cum + load(&latency_buckets[N_BOUNDS]);
	emit(o, "gossipd_gossip_exchange_seconds_bucket{le=\"+Inf\"} %lu\n",
	     total);
	emit(o, "gossipd_gossip_exchange_seconds_sum %.6f\n",
	     (double)atomic_load_explicit(&latency_sum_us,
					  memory_order_relaxed) /
		 1e6);
	emit(o, "gossipd_gossip_exchange_seconds_count %lu\n", total);
	head(o, "gossipd_clock_skew_events_total", "counter",
	     "Gossip peers whose clock differed by more than allowed.");
	emit(o, "gossipd_clock_skew_events_total %lu\n",
	     load(&clock_skew_events));
	head(o, "gossipd_gossip_outbound_handshakes_total", "counter",
	     "TLS handshakes the gossiper completed as a client, by kind.");
	emit(o, "gossipd_gossip_outbound_handshakes_total{kind=\"full\"} %lu\n",
	     load(&out_handshakes_full));
	emit(o,
	     "gossipd_gossip_outbound_handshakes_total{kind=\"resumed\"} "
	     "%lu\n",
	     load(&out_handshakes_resumed));
	head(o, "gossipd_members_beyond_cluster_size", "gauge",
	     "Live members (this node included) beyond ClusterSize; 0 when "
	     "within.");
	emit(o, "gossipd_members_beyond_cluster_size %ld\n",
	     atomic_load_explicit(&beyond_size, memory_order_relaxed));
	head(o, "gossipd_gossip_probes_total", "counter",
	     "Indirect probes (SWIM): asks we sent (asked, ask_failed) and "
	     "probes we ran for others (probing, reached, unreached).");
	for (i = 0; i < N_PROBES - 1; i++)
		emit(o, "gossipd_gossip_probes_total{event=\"%s\"} %lu\n",
		     probe_names[i], load(&probes[i]));
}

static void label_value(char *out, size_t cap, const char *s);

static void
render_failures(struct out *o, struct gossipd *d)
{
	size_t i;

	head(o, "gossipd_reloads_total", "counter",
	     "Configuration reloads (SIGHUP or POST /admin/reloadconfig), "
	     "by result.");
	emit(o, "gossipd_reloads_total{result=\"success\"} %lu\n",
	     load(&reloads_ok));
	emit(o, "gossipd_reloads_total{result=\"failure\"} %lu\n",
	     load(&reloads_failed));
	head(o, "gossipd_reload_last_success_timestamp_seconds", "gauge",
	     "Unix time of the last successful reload (0: none yet).");
	emit(o, "gossipd_reload_last_success_timestamp_seconds %lld\n",
	     (long long)atomic_load(&reload_last_ok));
	head(o, "gossipd_dns_resolution_failures_total", "counter",
	     "Failed name resolutions: ClusterDns, or a seed's host name.");
	emit(o,
	     "gossipd_dns_resolution_failures_total{source=\"cluster_dns\"} "
	     "%lu\n",
	     load(&dns_failures[0]));
	emit(o, "gossipd_dns_resolution_failures_total{source=\"seed\"} %lu\n",
	     load(&dns_failures[1]));
	head(o, "gossipd_gossip_documents_refused_total", "counter",
	     "Incoming gossip documents (POST /gossip) refused, by reason.");
	for (i = 0; i < N_DOC_REFUSALS; i++)
		emit(o,
		     "gossipd_gossip_documents_refused_total{reason=\"%s\"} "
		     "%lu\n",
		     doc_refusal_names[i], load(&doc_refusals[i]));
	head(o, "gossipd_member_table_full_total", "counter",
	     "Members not taken because the table held MaxMembers.");
	emit(o, "gossipd_member_table_full_total %lu\n",
	     d->cluster != NULL ? cluster_full_refusals(d->cluster) : 0UL);
	head(o, "gossipd_admin_socket_available", "gauge",
	     "1 when the admin socket listens, 0 when it could not be made "
	     "or is not configured.");
	emit(o, "gossipd_admin_socket_available %d\n",
	     atomic_load(&admin_socket_up));
	head(o, "gossipd_log_lines_suppressed_total", "counter",
	     "Log lines not written by a rate limiter (their summaries are).");
	emit(o, "gossipd_log_lines_suppressed_total %lu\n",
	     log_suppressed_total());
}

/* Descriptors open now: the entries of /proc/self/fd (less the one the
 * listing itself holds); -1 when it cannot be read. */
static long
open_fds(void)
{
	DIR *dir = opendir("/proc/self/fd");
	struct dirent *e;
	long n = 0;

	if (dir == NULL)
		return -1;
	while ((e = readdir(dir)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	closedir(dir);
	return n - 1;
}

/* Resident set size in bytes, from /proc/self/statm; -1 unknown. */
static long long
resident_bytes(void)
{
	FILE *f = fopen("/proc/self/statm", "re");
	long long pages_total, pages_rss = -1;

	if (f == NULL)
		return -1;
	if (fscanf(f, "%lld %lld", &pages_total, &pages_rss) != 2)
		pages_rss = -1;
	fclose(f);
	return pages_rss < 0 ? -1 : pages_rss * sysconf(_SC_PAGESIZE);
}

/* The standard process_* metrics of Prometheus client libraries. */
static void
render_process(struct out *o, struct gossipd *d)
{
	struct rusage ru;
	struct rlimit rl;
	long long rss = resident_bytes();
	long fds = open_fds();

	head(o, "process_start_time_seconds", "gauge",
	     "Start time of the process since the Unix epoch in seconds.");
	emit(o, "process_start_time_seconds %.3f\n",
	     (double)d->started / (double)TICKS_PER_SEC);
	if (getrusage(RUSAGE_SELF, &ru) == 0) {
		head(o, "process_cpu_seconds_total", "counter",
		     "Total user and system CPU time spent in seconds.");
		emit(o, "process_cpu_seconds_total %.6f\n",
		     (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
			 (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) /
			     1e6);
	}
	if (rss >= 0) {
		head(o, "process_resident_memory_bytes", "gauge",
		     "Resident memory size in bytes.");
		emit(o, "process_resident_memory_bytes %lld\n", rss);
	}
	if (fds >= 0) {
		head(o, "process_open_fds", "gauge",
		     "Number of open file descriptors.");
		emit(o, "process_open_fds %ld\n", fds);
	}
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		head(o, "process_max_fds", "gauge",
		     "Maximum number of open file descriptors.");
		emit(o, "process_max_fds %lld\n",
		     rl.rlim_cur == RLIM_INFINITY ? -1LL
						  : (long long)rl.rlim_cur);
	}
}

static void
render_certs(struct out *o, struct gossipd *d)
{
	struct tls_creds *c = gossipd_creds_get(d);
	time_t now = time(NULL);

	if (c == NULL)
		return;
	head(o, "gossipd_certificate_expiry_seconds", "gauge",
	     "Seconds until the certificate expires (negative: expired).");
	emit(o, "gossipd_certificate_expiry_seconds{cert=\"node\"} %lld\n",
	     (long long)(c->own_not_after - now));
	if (c->ca_not_after != 0)
		emit(o,
		     "gossipd_certificate_expiry_seconds{cert=\"ca\"} %lld\n",
		     (long long)(c->ca_not_after - now));
	/* the family is announced without a CRL too (no samples) */
	head(o, "gossipd_crl_next_update_seconds", "gauge",
	     "Seconds until the CRL's next update (negative: stale), "
	     "by issuer.");
	for (int i = 0; i < c->n_crls; i++) {
		char issuer[sizeof(c->crls[i].issuer) * 2];

		if (c->crls[i].next_update == 0)
			continue;
		label_value(issuer, sizeof(issuer), c->crls[i].issuer);
		emit(o, "gossipd_crl_next_update_seconds{issuer=\"%s\"} %lld\n",
		     issuer, (long long)(c->crls[i].next_update - now));
	}
	tls_creds_unref(c);
}

static void
render_members(struct out *o, struct gossipd *d)
{
	size_t by_state[MS__COUNT] = {0}, alive = 0, dead = 0;
	int s;

	if (d->cluster == NULL)
		return;
	cluster_count(d->cluster, by_state, &alive, &dead);
	head(o, "gossipd_members", "gauge",
	     "Entries of the gossip document by state (placeholders "
	     "included).");
	for (s = 0; s < MS__COUNT; s++)
		emit(o, "gossipd_members{state=\"%s\"} %zu\n",
		     member_state_name((enum member_state)s), by_state[s]);
	head(o, "gossipd_members_suspect", "gauge",
	     "Members suspected (a failed exchange, no sign of life since; "
	     "still isAlive true in the document until the suspicion "
	     "timeout).");
	emit(o, "gossipd_members_suspect %zu\n",
	     cluster_suspects(d->cluster, NULL, 0));
	head(o, "gossipd_members_alive", "gauge",
	     "Entries of the gossip document by liveness.");
	emit(o, "gossipd_members_alive{alive=\"true\"} %zu\n", alive);
	emit(o, "gossipd_members_alive{alive=\"false\"} %zu\n", dead);
}

/* A label value: backslash, quote and newline escaped. */
static void
label_value(char *out, size_t cap, const char *s)
{
	size_t n = 0;

	for (; *s != '\0' && n + 3 < cap; s++) {
		if (*s == '\\' || *s == '"' || *s == '\n') {
			out[n++] = '\\';
			out[n++] = *s == '\n' ? 'n' : *s;
		} else {
			out[n++] = *s;
		}
	}
	out[n] = '\0';
}

/* Per member, from d->peers: only what was measured is emitted. */
static void
render_peers(struct out *o, struct gossipd *d)
{
	struct peer_health_entry *e = malloc(PEER_HEALTH_MAX * sizeof(*e));
	char m[2 * PEER_HEALTH_ENDPOINT_MAX];
	time_t now = time(NULL);
	size_t n, i;

	if (e == NULL)
		return;
	n = peer_health_snapshot(d->peers, e, PEER_HEALTH_MAX);
	head(o, "gossipd_peer_last_success_timestamp_seconds", "gauge",
	     "Unix time of the last successful exchange with the member.");
	for (i = 0; i < n; i++) {
		label_value(m, sizeof(m), e[i].endpoint);
		if (e[i].last_ok != 0)
			emit(o,
			     "gossipd_peer_last_success_timestamp_seconds{"
			     "member=\"%s\"} %lld\n",
			     m, (long long)e[i].last_ok);
	}
	head(o, "gossipd_peer_last_error_timestamp_seconds", "gauge",
	     "Unix time of the last failed exchange with the member, "
	     "labelled with its reason.");
	for (i = 0; i < n; i++) {
		label_value(m, sizeof(m), e[i].endpoint);
		if (e[i].last_error_at != 0)
			emit(o,
			     "gossipd_peer_last_error_timestamp_seconds{"
			     "member=\"%s\",reason=\"%s\"} %lld\n",
			     m, e[i].reason, (long long)e[i].last_error_at);
	}
	head(o, "gossipd_peer_consecutive_failures", "gauge",
	     "Failed exchanges with the member since its last success.");
	for (i = 0; i < n; i++) {
		label_value(m, sizeof(m), e[i].endpoint);
		emit(o, "gossipd_peer_consecutive_failures{member=\"%s\"} %u\n",
		     m, e[i].consecutive_failures);
	}
	head(o, "gossipd_peer_round_trip_seconds", "gauge",
	     "Duration of the last successful exchange with the member.");
	for (i = 0; i < n; i++) {
		label_value(m, sizeof(m), e[i].endpoint);
		if (e[i].last_ok != 0)
			emit(o,
			     "gossipd_peer_round_trip_seconds{member=\"%s\"} "
			     "%.6f\n",
			     m, e[i].rtt_seconds);
	}
	head(o, "gossipd_peer_certificate_expiry_seconds", "gauge",
	     "Seconds until the certificate the member presented expires.");
	for (i = 0; i < n; i++) {
		label_value(m, sizeof(m), e[i].endpoint);
		if (e[i].cert_not_after != 0)
			emit(o,
			     "gossipd_peer_certificate_expiry_seconds{"
			     "member=\"%s\"} %lld\n",
			     m, (long long)(e[i].cert_not_after - now));
	}
	free(e);
}

struct shared_buf *
metrics_render(struct gossipd *d)
{
	struct out o = {NULL, 0, RENDER_MAX, false};
	struct shared_buf *b = NULL;

	o.buf = malloc(o.cap);
	if (o.buf == NULL)
		return NULL;
	render_connections(&o);
	render_gossip(&o);
	render_members(&o, d);
	render_peers(&o, d);
	render_certs(&o, d);
	render_failures(&o, d);
	render_process(&o, d);
	if (!o.failed)
		b = shared_buf_new(o.buf, o.len);
	free(o.buf);
	return b;
}
