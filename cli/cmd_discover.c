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

#include "client_opts.h"
#include "commands.h"
#include "discovery.h"
#include "gossip_json.h"
#include "httpc.h"
#include "member.h"
#include "options.h"

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
	    "                        [--json]\n"
	    "\n"
	    "Asks the seeds (shuffled, in turn) for GET /gossip and prints "
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
	    "                      [--json]\n"
	    "\n"
	    "Prints the cluster as the first seed that answers sees it: one "
	    "row per member,\n"
	    "the answering member marked with *. Without a seed: the local "
	    "node, as its\n"
	    "configuration says (--config, $GOSSIPD_CONFIG or "
	    "/etc/gossipd/gossipd.conf:\n"
	    "endpoint, Insecure, TrustedRootCertificatesPath as the CA), "
	    "else 127.0.0.1:2113.\n"
	    "--json prints the gossip document as received. TLS flags as "
	    "for discover.\n"
	    "Exit status: 0 printed, 1 no seed gave its document, 2 usage "
	    "error.\n");
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
	struct timespec ts;

	(void)ctx;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
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

struct row {
	char cells[9][DISCOVERY_ENDPOINT_MAX];
};

static void
fill_row(struct row *r, const struct member *m, const char *answered,
	 ticks_t now)
{
	const char *st = member_state_name(m->state);

	discovery_format_endpoint(m->http_ip, m->http_port, r->cells[1],
				  sizeof(r->cells[1]));
	snprintf(r->cells[0], sizeof(r->cells[0]), "%s",
		 strcasecmp(r->cells[1], answered) == 0 ? "*" : "");
	snprintf(r->cells[2], sizeof(r->cells[2]), "%s%s",
		 st != NULL ? st : "?",
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
}

static void
print_rows(const struct row *rows, size_t n)
{
	int w[9] = {0};
	size_t i, c, l;

	for (i = 0; i < n; i++)
		for (c = 0; c < 9; c++) {
			l = strlen(rows[i].cells[c]);
			if ((int)l > w[c])
				w[c] = (int)l;
		}
	for (i = 0; i < n; i++) {
		printf("%-1s ", rows[i].cells[0]);
		for (c = 1; c < 8; c++)
			printf("%-*s  ", w[c], rows[i].cells[c]);
		printf("%s\n", rows[i].cells[8]);
	}
}

static void
print_table(const struct cluster_doc *doc, const char *via)
{
	static const struct row head = {{"", "ENDPOINT", "STATE", "ALIVE",
					 "LAST SEEN", "WRITER", "CHASER",
					 "PRIORITY", "VERSION"}};
	char answered[DISCOVERY_ENDPOINT_MAX];
	struct row *rows = calloc(doc->n + 1, sizeof(*rows));
	ticks_t now = ticks_now();
	size_t i, alive = 0, marked = 0;

	if (rows == NULL) {
		fprintf(stderr, "gossipd status: out of memory\n");
		return;
	}
	discovery_format_endpoint(doc->server_ip, doc->server_port, answered,
				  sizeof(answered));
	rows[0] = head;
	for (i = 0; i < doc->n; i++) {
		fill_row(&rows[i + 1], &doc->members[i], answered, now);
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
	free(rows);
}

/* Asks one seed; prints on success. Returns 0 printed, -1 failed. */
static int
status_from(const struct client_opts *o, struct httpc *hc,
	    const struct gossip_seed *s, char *err, size_t errlen)
{
	struct httpc_response resp;
	struct cluster_doc doc;
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
	if (o->json)
		printf("%s%s", resp.body,
		       resp.body_len > 0 && resp.body[resp.body_len - 1] == '\n'
			   ? ""
			   : "\n");
	else
		print_table(&doc, via);
	rc = 0;
out:
	cluster_doc_free(&doc);
	httpc_response_free(&resp);
	return rc;
}

int
cmd_status(int argc, char **argv)
{
	struct client_opts o;
	struct httpc *hc = NULL;
	char(*errs)[DISCOVERY_REASON_MAX] = NULL;
	char ep[DISCOVERY_ENDPOINT_MAX];
	size_t i;
	int rc, attempt;

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
	for (attempt = 1; errs != NULL && attempt <= o.attempts; attempt++) {
		if (attempt > 1)
			client_sleep_ms(NULL, o.delay_ms);
		for (i = 0; i < o.n_seeds; i++)
			if (status_from(&o, hc, &o.seeds[i], errs[i],
					sizeof(errs[i])) == 0) {
				rc = 0;
				goto done;
			}
	}
	fprintf(stderr, "gossipd status: no gossip document from any seed\n");
	for (i = 0; errs != NULL && i < o.n_seeds; i++) {
		discovery_format_endpoint(o.seeds[i].host, o.seeds[i].port, ep,
					  sizeof(ep));
		fprintf(stderr, "seed %s: %s\n", ep, errs[i]);
	}
done:
	free(errs);
	httpc_free(hc);
	return rc;
}
