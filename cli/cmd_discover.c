/*
 * gossipd discover and gossipd status: the client side of the gossip
 * endpoint. discover does what a KurrentDB client in discovery mode does
 * and prints the member it would connect to; status prints the cluster
 * as one node sees it, for a person at a terminal. The rules of choosing
 * live in common/discovery.c; this file parses the command line, talks
 * HTTP(S) through common/httpc.c and prints.
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "client_opts.h"
#include "clock.h"
#include "commands.h"
#include "discovery.h"
#include "gossip_json.h"
#include "httpc.h"
#include "member.h"
#include "options.h"
#include "peer_health.h"

static void
usage_discover(FILE *out)
{
	fprintf(
	    out,
	    "usage: gossipd discover (--seed HOST:PORT[,HOST:PORT...] | "
	    "--cluster-dns NAME [--port P]\n"
	    "                         | CONNECTION-STRING)\n"
	    "                        [--prefer leader|follower|random|"
	    "readonlyreplica] [--strict]\n"
	    "                        [--attempts N] [--delay-ms D] "
	    "[--timeout-ms T]\n"
	    "                        [--cacert FILE] [--cert FILE --key "
	    "FILE] [--no-verify] [--insecure]\n"
	    "                        [--protocol grpc|http|auto] [--json]\n"
	    "\n"
	    "Asks the seeds (shuffled, in turn) for the gossip and prints "
	    "the HTTP endpoint\n"
	    "(host:port) of the member a KurrentDB client would connect "
	    "to.\n"
	    "Eligible: alive members in state Leader, Follower, "
	    "ReadOnlyReplica or\n"
	    "ReadOnlyLeaderless. Ranked by --prefer (default leader); "
	    "ties at random.\n"
	    "\n"
	    "  --seed LIST         gossip seeds, host:port (IPv6 as "
	    "[addr]:port)\n"
	    "  --cluster-dns NAME  every A/AAAA record of NAME is a seed, "
	    "on --port (2113)\n"
	    "  CONNECTION-STRING   a KurrentDB client connection string, "
	    "e.g.\n"
	    "                      esdb://node1:2113,node2:2113?"
	    "nodePreference=follower&tlsCAFile=ca.crt\n"
	    "                      (also --connection-string S; flags "
	    "override its settings)\n"
	    "  --prefer P          leader (default), follower, random, "
	    "readonlyreplica\n"
	    "                      (follower falls back to read-only "
	    "replicas, never the leader)\n"
	    "  --strict            only a member in the preferred state "
	    "itself (no fallback)\n"
	    "  --attempts N        passes over the seeds (default 10)\n"
	    "  --delay-ms D        pause between passes (default 100)\n"
	    "  --timeout-ms T      per request (default 5000); the whole "
	    "run ends within\n"
	    "                      attempts * (timeout + delay)\n"
	    "  --cacert FILE       CA certificate(s) to verify servers "
	    "(default: system CAs)\n"
	    "  --cert/--key FILE   client certificate to present\n"
	    "  --no-verify         TLS without verifying the server "
	    "(also --tls-verify-cert=false)\n"
	    "  --insecure          plain HTTP, for a cluster started with "
	    "--insecure\n"
	    "  --protocol P        grpc: gRPC Gossip/Read over HTTP/2 (as "
	    "KurrentDB clients ask);\n"
	    "                      http: GET /gossip; auto (default): over "
	    "TLS what the seed\n"
	    "                      chooses by ALPN, insecure http\n"
	    "  --json              print the chosen member's whole gossip "
	    "entry as JSON\n"
	    "  -v, --verbose       tell each step on stderr (asked, listed, "
	    "confirmed, chosen)\n"
	    "  (--gossip-seed and --ca-file/--tls-ca-file are accepted for "
	    "--seed and --cacert)\n"
	    "\n"
	    "Exit status: 0 found, 1 nothing eligible after all attempts "
	    "(reasons on\n"
	    "stderr, one line per seed), 2 usage error.\n");
}

static void
usage_status(FILE *out)
{
	fprintf(
	    out,
	    "usage: gossipd status [--seed HOST:PORT[,...] | --cluster-dns "
	    "NAME [--port P]\n"
	    "                       | CONNECTION-STRING | --config FILE]\n"
	    "                      [--timeout-ms T] [--attempts N] "
	    "[--delay-ms D]\n"
	    "                      [--cacert FILE] [--cert FILE --key FILE] "
	    "[--no-verify] [--insecure]\n"
	    "                      [--protocol grpc|http|auto] [--json] "
	    "[--cluster-size N] [--watch "
	    "[--interval-ms MS]]\n"
	    "\n"
	    "Prints the cluster as the first seed that answers sees it: one "
	    "row per member,\n"
	    "the answering member marked with *. Without a seed: the local "
	    "node, as its\n"
	    "configuration says (--config, $GOSSIPD_CONFIG or "
	    "/etc/gossipd/gossipd.conf:\n"
	    "endpoint, Insecure, TrustedRootCertificatesPath as the CA), "
	    "else 127.0.0.1:2113.\n"
	    "--json prints the gossip document as received. TLS flags and "
	    "--protocol as\nfor discover (gRPC carries id, time, state, "
	    "liveness and client endpoint only).\n"
	    "Each row also shows what the answering node's own exchanges "
	    "with the member\n"
	    "found (GET /members/health, served like /metrics): the last "
	    "success and its\n"
	    "round-trip time, or the failures since, and the days left on "
	    "the member's\n"
	    "certificate. Then the verdict: unhealthy when no member is "
	    "Leader, two are,\n"
	    "a member is dead, or fewer are alive than ClusterSize "
	    "(--cluster-size N, else\n"
	    "the local configuration's).\n"
	    "--watch prints again every --interval-ms (default 2000) until "
	    "interrupted.\n"
	    "Exit status: 0 healthy, 3 printed but unhealthy, 1 no seed gave "
	    "its document,\n"
	    "2 usage error.\n");
}

/* ---- the network, the clock and randomness for discovery_run ---- */

struct net {
	const struct client_opts *o;
	struct httpc *hc;
	uint64_t rng_state;
};

/* Fetches GET /gossip?format=json from host:port; body in *resp. */
static int
net_fetch(void *ctx, const char *host, int port, int timeout_ms,
	  struct cluster_doc *doc, char *err, size_t errlen)
{
	struct net *n = ctx;
	struct httpc_response resp;
	int rc;

	memset(&resp, 0, sizeof(resp));
	if (client_get_gossip(n->o, n->hc, host, port, timeout_ms, &resp, err,
			      errlen) != 0)
		return -1;
	rc = discovery_parse_response(resp.status, resp.content_type, resp.body,
				      resp.body_len, GOSSIP_JSON_MAX_BYTES, doc,
				      err, errlen);
	if (rc != 0)
		client_hint_status(n->o, resp.status, err, errlen);
	httpc_response_free(&resp);
	return rc;
}

static void
net_trace(void *ctx, const char *line)
{
	(void)ctx;
	fprintf(stderr, "discover: %s\n", line);
}

static int64_t
net_now(void *ctx)
{
	(void)ctx;
	return clock_mono_ms();
}

/* xorshift64*, seeded from the kernel: only for shuffling and ties. */
static uint32_t
net_random(void *ctx)
{
	struct net *n = ctx;

	n->rng_state ^= n->rng_state >> 12;
	n->rng_state ^= n->rng_state << 25;
	n->rng_state ^= n->rng_state >> 27;
	return (uint32_t)((n->rng_state * 0x2545F4914F6CDD1DULL) >> 32);
}

static void
net_seed(struct net *n)
{
	if (getrandom(&n->rng_state, sizeof(n->rng_state), 0) !=
	    (ssize_t)sizeof(n->rng_state))
		n->rng_state = (uint64_t)time(NULL) ^ (uint64_t)getpid() << 32;
	if (n->rng_state == 0)
		n->rng_state = 0x9E3779B97F4A7C15ULL;
}

/* ---- discover ---- */

static int
print_chosen(const struct client_opts *o, const struct member *m)
{
	char ep[DISCOVERY_ENDPOINT_MAX];
	size_t len;
	char *json;

	if (!o->json) {
		discovery_format_endpoint(m->http_ip, m->http_port, ep,
					  sizeof(ep));
		printf("%s\n", ep);
		return 0;
	}
	json = gossip_json_encode_member(m, &len);
	if (json == NULL) {
		fprintf(stderr, "gossipd discover: out of memory\n");
		return 1;
	}
	printf("%s\n", json);
	free(json);
	return 0;
}

static void
print_failures(const struct client_opts *o, const struct discovery_outcome *r)
{
	size_t i;

	if (r->answers == 0)
		fprintf(stderr,
			"gossipd discover: no gossip document from any seed in "
			"%d attempt%s\n",
			r->attempts_made, r->attempts_made == 1 ? "" : "s");
	else
		fprintf(stderr,
			"gossipd discover: no %s member found after %d "
			"attempt%s (--prefer %s%s)\n",
			o->strict || o->pref == DP_FOLLOWER ? "suitable"
							    : "eligible",
			r->attempts_made, r->attempts_made == 1 ? "" : "s",
			discovery_pref_name(o->pref),
			o->strict ? " --strict" : "");
	for (i = 0; i < r->n_failures; i++)
		fprintf(stderr, "%s %s: %s\n",
			r->failures[i].is_seed ? "seed" : "member",
			r->failures[i].endpoint, r->failures[i].reason);
	if (r->out_of_time)
		fprintf(stderr,
			"gossipd discover: stopped at the overall limit of "
			"%d ms (attempts * (timeout + delay))\n",
			o->attempts * (o->timeout_ms + o->delay_ms));
}

int
cmd_discover(int argc, char **argv)
{
	struct client_opts o;
	struct discovery_params p;
	struct discovery_env env;
	struct discovery_outcome *out = NULL;
	struct net n = {0};
	int rc;

	client_opts_init(&o, "discover");
	rc = client_parse_opts(&o, argc, argv);
	if (rc != 0)
		return rc;
	if (o.help) {
		usage_discover(stdout);
		return 0;
	}
	if (o.n_seeds == 0 && o.cluster_dns == NULL)
		return client_usage_error(&o,
					  "give --seed HOST:PORT[,...] or "
					  "--cluster-dns NAME%s%s",
					  "", "");
	if (client_resolve_seeds(&o) != 0)
		return 1;
	out = calloc(1, sizeof(*out));
	n.hc = client_make_httpc(&o);
	if (out == NULL || n.hc == NULL) {
		rc = out == NULL ? 1 : 2;
		goto done;
	}
	net_seed(&n);
	n.o = &o;
	p = (struct discovery_params){o.pref, o.strict, o.attempts, o.delay_ms,
				      o.timeout_ms};
	env = (struct discovery_env){
	    net_fetch, client_sleep_ms,	 net_now,
	    &n,	       {net_random, &n}, o.verbose ? net_trace : NULL};
	if (discovery_run(&p, o.seeds, o.n_seeds, &env, out) == 0) {
		rc = print_chosen(&o, &out->chosen);
	} else {
		print_failures(&o, out);
		rc = 1;
	}
done:
	httpc_free(n.hc);
	free(out);
	return rc;
}

/* ---- status ---- */

#define N_CELLS 11

struct row {
	char cells[N_CELLS][DISCOVERY_ENDPOINT_MAX];
};

/* What GET /members/health said (NULL when it did not answer). */
struct health {
	cJSON *root;
	char note[DISCOVERY_REASON_MAX]; /* why there is none */
};

static const cJSON *
health_of(const struct health *h, const char *endpoint)
{
	const cJSON *m;

	if (h->root == NULL)
		return NULL;
	cJSON_ArrayForEach(m,
			   cJSON_GetObjectItemCaseSensitive(h->root, "members"))
	{
		const cJSON *ep =
		    cJSON_GetObjectItemCaseSensitive(m, "endpoint");

		if (cJSON_IsString(ep) &&
		    strcasecmp(ep->valuestring, endpoint) == 0)
			return m;
	}
	return NULL;
}

static double
num(const cJSON *o, const char *name, double dflt)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

	return cJSON_IsNumber(v) ? v->valuedouble : dflt;
}

static const char *
str(const cJSON *o, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* "ok 2s ago, 0.4 ms" or "FAILING x3 (connect)"; "-" when unknown. */
static void
fill_health(struct row *r, const cJSON *m)
{
	double fails = num(m, "consecutiveFailures", 0);
	double ago = num(m, "lastSuccessSecondsAgo", -1);
	double cert = num(m, "certificateExpiresInSeconds", -1e18);
	const char *reason = str(m, "lastErrorReason");
	const cJSON *self = cJSON_GetObjectItemCaseSensitive(m, "self");

	if (cJSON_IsTrue(self))
		snprintf(r->cells[9], sizeof(r->cells[9]), "(self)");
	else if (fails > 0)
		snprintf(r->cells[9], sizeof(r->cells[9]), "FAILING x%.0f (%s)",
			 fails, reason != NULL ? reason : "?");
	else if (ago >= 0)
		snprintf(r->cells[9], sizeof(r->cells[9]),
			 "ok %.0fs ago, %.1f ms", ago,
			 num(m, "roundTripMs", 0));
	else
		snprintf(r->cells[9], sizeof(r->cells[9]), "-");
	if (cert > -1e17)
		snprintf(r->cells[10], sizeof(r->cells[10]), "%s%.0fd",
			 cert < 0 ? "EXPIRED " : "", cert / 86400);
	else
		snprintf(r->cells[10], sizeof(r->cells[10]), "-");
}

static void
fill_row(struct row *r, const struct member *m, const char *answered,
	 ticks_t now, const struct health *h)
{
	const char *st = member_state_name(m->state);
	const cJSON *mh;

	char own[DISCOVERY_ENDPOINT_MAX];

	/* the endpoint clients are sent to; the answering node is found by
	 * its own (internal) endpoint when it advertises another */
	discovery_format_endpoint(m->internal_http_ip, m->internal_http_port,
				  own, sizeof(own));
	discovery_format_endpoint(m->http_ip, m->http_port, r->cells[1],
				  sizeof(r->cells[1]));
	snprintf(r->cells[0], sizeof(r->cells[0]), "%s",
		 strcasecmp(r->cells[1], answered) == 0 ||
			 strcasecmp(own, answered) == 0
		     ? "*"
		     : "");
	snprintf(r->cells[2], sizeof(r->cells[2]), "%s%s",
		 guid_is_zero(&m->instance_id) ? "seed, not yet answered"
		 : st != NULL		       ? st
					       : "?",
		 m->is_read_only_replica && m->state != MS_READ_ONLY_REPLICA
		     ? " (read-only)"
		     : "");
	snprintf(r->cells[3], sizeof(r->cells[3]), "%s",
		 m->is_alive ? "yes" : "NO");
	discovery_format_age(m->timestamp, now, r->cells[4],
			     sizeof(r->cells[4]));
	snprintf(r->cells[5], sizeof(r->cells[5]), "%lld",
		 (long long)m->writer_checkpoint);
	snprintf(r->cells[6], sizeof(r->cells[6]), "%lld",
		 (long long)m->chaser_checkpoint);
	snprintf(r->cells[7], sizeof(r->cells[7]), "%lld",
		 (long long)m->node_priority);
	snprintf(r->cells[8], sizeof(r->cells[8]), "%s", m->es_version);
	mh = health_of(h, r->cells[1]);
	if (mh != NULL && m->is_alive &&
	    cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(mh, "suspect")))
		snprintf(r->cells[3], sizeof(r->cells[3]), "SUSPECT");
	if (mh != NULL) {
		fill_health(r, mh);
	} else {
		snprintf(r->cells[9], sizeof(r->cells[9]), "-");
		snprintf(r->cells[10], sizeof(r->cells[10]), "-");
	}
}

static void
print_rows(const struct row *rows, size_t n)
{
	int w[N_CELLS] = {0};
	size_t i, c, l;

	for (i = 0; i < n; i++)
		for (c = 0; c < N_CELLS; c++) {
			l = strlen(rows[i].cells[c]);
			if ((int)l > w[c])
				w[c] = (int)l;
		}
	for (i = 0; i < n; i++) {
		printf("%-1s ", rows[i].cells[0]);
		for (c = 1; c < N_CELLS - 1; c++)
			printf("%-*s  ", w[c], rows[i].cells[c]);
		printf("%s\n", rows[i].cells[N_CELLS - 1]);
	}
}

/* Prints the table and the verdict; returns whether healthy. */
static bool
print_table(const struct cluster_doc *doc, const char *via,
	    const struct health *h, int cluster_size)
{
	static const struct row head = {
	    {"", "ENDPOINT", "STATE", "ALIVE", "LAST SEEN", "WRITER", "CHASER",
	     "PRIORITY", "VERSION", "EXCHANGES", "PEER CERT"}};
	char answered[DISCOVERY_ENDPOINT_MAX];
	struct row *rows = calloc(doc->n + 1, sizeof(*rows));
	struct cluster_verdict v;
	ticks_t now = ticks_now();
	size_t i, alive = 0, marked = 0;

	cluster_verdict_of(doc, cluster_size, &v);
	if (rows == NULL) {
		fprintf(stderr, "gossipd status: out of memory\n");
		return v.healthy;
	}
	discovery_format_endpoint(doc->server_ip, doc->server_port, answered,
				  sizeof(answered));
	rows[0] = head;
	for (i = 0; i < doc->n; i++) {
		fill_row(&rows[i + 1], &doc->members[i], answered, now, h);
		alive += doc->members[i].is_alive;
		marked += rows[i + 1].cells[0][0] == '*';
	}
	print_rows(rows, doc->n + 1);
	printf("%zu member%s, %zu alive; answered by %s%s%s\n", doc->n,
	       doc->n == 1 ? "" : "s", alive, answered,
	       strcmp(answered, via) != 0 ? " via " : "",
	       strcmp(answered, via) != 0 ? via : "");
	if (marked == 0)
		printf("(the answering node %s is not in its own member "
		       "list)\n",
		       answered);
	if (h->root == NULL)
		printf("(no per-peer health: %s)\n", h->note);
	if (v.healthy)
		printf("healthy: %zu live member%s, one leader%s\n", v.alive,
		       v.alive == 1 ? "" : "s",
		       cluster_size > 0 ? ""
					: " (ClusterSize unknown: "
					  "--cluster-size N)");
	else
		printf("UNHEALTHY: %s\n", v.problems);
	free(rows);
	return v.healthy;
}

/* GET /members/health from the node that answered; h->root or h->note. */
static void
fetch_health(const struct client_opts *o, struct httpc *hc,
	     const struct gossip_seed *s, struct health *h)
{
	struct httpc_response resp;
	char err[DISCOVERY_REASON_MAX];

	memset(&resp, 0, sizeof(resp));
	h->root = NULL;
	if (httpc_request(hc, s->host, s->port, "GET", "/members/health", NULL,
			  NULL, 0, o->timeout_ms, &resp, err,
			  sizeof(err)) != 0) {
		snprintf(h->note, sizeof(h->note), "%s", err);
		return;
	}
	if (resp.status == 200)
		h->root = cJSON_ParseWithLength(resp.body, resp.body_len);
	if (h->root == NULL)
		snprintf(h->note, sizeof(h->note),
			 "GET /members/health answered HTTP %d%s", resp.status,
			 resp.status == 401 || resp.status == 403
			     ? " (the node serves it as it serves /metrics: "
			       "give a node certificate with --cert/--key)"
			     : "");
	httpc_response_free(&resp);
}

/* Asks one seed; prints on success. Returns 0 printed healthy, 3 printed
 * unhealthy, -1 failed. */
static int
status_from(const struct client_opts *o, struct httpc *hc,
	    const struct gossip_seed *s, char *err, size_t errlen)
{
	struct httpc_response resp;
	struct cluster_doc doc;
	struct cluster_verdict v;
	struct health h = {NULL, ""};
	char via[DISCOVERY_ENDPOINT_MAX];
	int rc = -1;

	memset(&resp, 0, sizeof(resp));
	memset(&doc, 0, sizeof(doc));
	if (client_get_gossip(o, hc, s->host, s->port, o->timeout_ms, &resp,
			      err, errlen) != 0) {
		return -1;
	}
	if (discovery_parse_response(resp.status, resp.content_type, resp.body,
				     resp.body_len, GOSSIP_JSON_MAX_BYTES, &doc,
				     err, errlen) != 0) {
		client_hint_status(o, resp.status, err, errlen);
		goto out;
	}
	discovery_format_endpoint(s->host, s->port, via, sizeof(via));
	if (o->json) {
		printf("%s%s", resp.body,
		       resp.body_len > 0 && resp.body[resp.body_len - 1] == '\n'
			   ? ""
			   : "\n");
		cluster_verdict_of(&doc, o->cluster_size, &v);
		rc = v.healthy ? 0 : 3;
		goto out;
	}
	fetch_health(o, hc, s, &h);
	rc = print_table(&doc, via, &h, o->cluster_size) ? 0 : 3;
	cJSON_Delete(h.root);
out:
	cluster_doc_free(&doc);
	httpc_response_free(&resp);
	return rc;
}

/* One pass over the seeds (o->attempts times). Returns 0 healthy, 3
 * unhealthy, 1 when no seed answered (reasons printed). */
static int
status_once(const struct client_opts *o, struct httpc *hc,
	    char (*errs)[DISCOVERY_REASON_MAX])
{
	char ep[DISCOVERY_ENDPOINT_MAX];
	size_t i;
	int attempt, rc;

	for (attempt = 1; attempt <= o->attempts; attempt++) {
		if (attempt > 1)
			client_sleep_ms(NULL, o->delay_ms);
		for (i = 0; i < o->n_seeds; i++) {
			rc = status_from(o, hc, &o->seeds[i], errs[i],
					 sizeof(errs[i]));
			if (rc >= 0)
				return rc;
		}
	}
	fprintf(stderr, "gossipd status: no gossip document from any seed\n");
	for (i = 0; i < o->n_seeds; i++) {
		discovery_format_endpoint(o->seeds[i].host, o->seeds[i].port,
					  ep, sizeof(ep));
		fprintf(stderr, "seed %s: %s\n", ep, errs[i]);
	}
	return 1;
}

int
cmd_status(int argc, char **argv)
{
	struct client_opts o;
	struct httpc *hc = NULL;
	char(*errs)[DISCOVERY_REASON_MAX] = NULL;
	bool tty = isatty(STDOUT_FILENO);
	int rc;

	client_opts_init(&o, "status");
	o.attempts = 1;
	rc = client_parse_opts(&o, argc, argv);
	if (rc != 0)
		return rc;
	if (o.help) {
		usage_status(stdout);
		return 0;
	}
	if (o.n_seeds == 0 && o.cluster_dns == NULL) {
		rc = client_use_local_node(&o);
		if (rc != 0)
			return rc;
	}
	if (client_resolve_seeds(&o) != 0)
		return 1;
	hc = client_make_httpc(&o);
	if (hc == NULL)
		return 2;
	errs = calloc(o.n_seeds, sizeof(*errs));
	rc = 1;
	while (errs != NULL) {
		if (o.watch) {
			time_t t = time(NULL);
			char when[32];

			strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S",
				 localtime(&t));
			printf("%s%s (every %d ms; Ctrl-C to stop)\n",
			       tty ? "\033[H\033[2J" : "", when, o.interval_ms);
		}
		rc = status_once(&o, hc, errs);
		if (!o.watch)
			break;
		fflush(stdout);
		client_sleep_ms(NULL, o.interval_ms);
	}
	free(errs);
	httpc_free(hc);
	return rc;
}
