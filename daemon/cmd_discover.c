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

#include "commands.h"
#include "discovery.h"
#include "gossip_json.h"
#include "httpc.h"
#include "member.h"
#include "options.h"

#define SYSTEM_CA_BUNDLE "/etc/ssl/certs/ca-certificates.crt"

struct client_opts {
	const char *cmd; /* "discover" or "status" */
	struct gossip_seed seeds[OPT_MAX_SEEDS];
	size_t n_seeds;
	const char *cluster_dns;
	int port;
	enum discovery_pref pref;
	bool strict;
	int attempts;
	int delay_ms;
	int timeout_ms;
	const char *cacert;
	const char *cert;
	const char *key;
	bool insecure;
	bool no_verify;
	bool json;
	bool help;
};

static void
usage_discover(FILE *out)
{
	fprintf(out,
		"usage: gossipd discover (--seed HOST:PORT[,HOST:PORT...] | "
		"--cluster-dns NAME [--port P])\n"
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
		"  --prefer P          leader (default), follower, random, "
		"readonlyreplica\n"
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
	    "NAME [--port P]]\n"
	    "                      [--timeout-ms T] [--attempts N] "
	    "[--delay-ms D]\n"
	    "                      [--cacert FILE] [--cert FILE --key FILE] "
	    "[--no-verify] [--insecure]\n"
	    "                      [--json]\n"
	    "\n"
	    "Prints the cluster as the first seed that answers sees it: one "
	    "row per member,\n"
	    "the answering member marked with *. Default seed "
	    "127.0.0.1:2113.\n"
	    "--json prints the gossip document as received. TLS flags as "
	    "for discover.\n"
	    "Exit status: 0 printed, 1 no seed answered, 2 usage error.\n");
}

static int
usage_error(const struct client_opts *o, const char *fmt, const char *a,
	    const char *b)
{
	fprintf(stderr, "gossipd %s: ", o->cmd);
	fprintf(stderr, fmt, a, b);
	fprintf(stderr, "\n(see gossipd %s --help)\n", o->cmd);
	return 2;
}

/* A whole decimal number within [lo, hi]; returns 0 or -1. */
static int
parse_int(const char *s, long lo, long hi, int *out)
{
	char *end;
	long v;

	if (s == NULL || *s == '\0')
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < lo || v > hi)
		return -1;
	*out = (int)v;
	return 0;
}

static int
parse_bool(const char *s, bool *out)
{
	if (strcasecmp(s, "true") == 0 || strcmp(s, "1") == 0 ||
	    strcasecmp(s, "yes") == 0) {
		*out = true;
		return 0;
	}
	if (strcasecmp(s, "false") == 0 || strcmp(s, "0") == 0 ||
	    strcasecmp(s, "no") == 0) {
		*out = false;
		return 0;
	}
	return -1;
}

/*
 * Splits "--name=value" or "--name value". Returns the value, advancing
 * *i past a separate value; NULL when the value is missing.
 */
static const char *
flag_value(int argc, char **argv, int *i, const char *eq)
{
	if (eq != NULL)
		return eq + 1;
	if (*i + 1 >= argc)
		return NULL;
	return argv[++(*i)];
}

static int
add_seeds(struct client_opts *o, const char *list)
{
	char err[256];
	size_t n = 0;

	if (options_parse_seeds(list, o->seeds + o->n_seeds,
				OPT_MAX_SEEDS - o->n_seeds, &n, err,
				sizeof(err)) != 0)
		return usage_error(o, "--seed: %s%s", err, "");
	o->n_seeds += n;
	return 0;
}

/* The numeric flags: name, bounds and where each goes. */
static int *
int_flag(struct client_opts *o, const char *name, long *lo, long *hi)
{
	*lo = 1;
	*hi = 65535;
	if (strcmp(name, "--port") == 0)
		return &o->port;
	*hi = 1000;
	if (strcmp(name, "--attempts") == 0)
		return &o->attempts;
	*lo = 0;
	*hi = 600000;
	if (strcmp(name, "--delay-ms") == 0)
		return &o->delay_ms;
	*lo = 1;
	if (strcmp(name, "--timeout-ms") == 0)
		return &o->timeout_ms;
	return NULL;
}

static int
parse_value_flag(struct client_opts *o, const char *name, const char *v)
{
	long lo, hi;
	int *ip = int_flag(o, name, &lo, &hi);

	if (ip != NULL) {
		if (parse_int(v, lo, hi, ip) != 0)
			return usage_error(o,
					   "%s: expected a whole number in "
					   "range, got \"%s\"",
					   name, v);
		return 0;
	}
	if (strcmp(name, "--seed") == 0)
		return add_seeds(o, v);
	if (strcmp(name, "--cluster-dns") == 0)
		o->cluster_dns = v;
	else if (strcmp(name, "--cacert") == 0)
		o->cacert = v;
	else if (strcmp(name, "--cert") == 0)
		o->cert = v;
	else if (strcmp(name, "--key") == 0)
		o->key = v;
	else if (strcmp(name, "--prefer") == 0 &&
		 strcmp(o->cmd, "discover") == 0) {
		if (discovery_pref_parse(v, &o->pref) != 0)
			return usage_error(o,
					   "--prefer: \"%s\" is not one of "
					   "leader, follower, random, "
					   "readonlyreplica%s",
					   v, "");
	} else if (strcmp(name, "--tls-verify-cert") == 0) {
		bool verify;

		if (parse_bool(v, &verify) != 0)
			return usage_error(o,
					   "%s: expected true or false, got "
					   "\"%s\"",
					   name, v);
		o->no_verify = !verify;
	} else {
		return usage_error(o, "unknown option \"%s\"%s", name, "");
	}
	return 0;
}

static bool
is_switch(struct client_opts *o, const char *name)
{
	if (strcmp(name, "--insecure") == 0)
		o->insecure = true;
	else if (strcmp(name, "--no-verify") == 0)
		o->no_verify = true;
	else if (strcmp(name, "--json") == 0)
		o->json = true;
	else if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0)
		o->help = true;
	else if (strcmp(name, "--strict") == 0 &&
		 strcmp(o->cmd, "discover") == 0)
		o->strict = true;
	else
		return false;
	return true;
}

static int
check_combinations(struct client_opts *o)
{
	if (o->n_seeds > 0 && o->cluster_dns != NULL)
		return usage_error(o,
				   "give --seed or --cluster-dns, not "
				   "both%s%s",
				   "", "");
	if (o->insecure && (o->cacert || o->cert || o->key || o->no_verify))
		return usage_error(o,
				   "--insecure is plain HTTP: --cacert, "
				   "--cert, --key and --no-verify do not "
				   "apply%s%s",
				   "", "");
	if ((o->cert == NULL) != (o->key == NULL))
		return usage_error(o, "--cert and --key go together%s%s", "",
				   "");
	return 0;
}

static bool
takes_value(const struct client_opts *o, const char *name)
{
	static const char *const common[] = {
	    "--seed",	  "--cluster-dns",     "--port",   "--attempts",
	    "--delay-ms", "--timeout-ms",      "--cacert", "--cert",
	    "--key",	  "--tls-verify-cert",
	};
	size_t i;

	for (i = 0; i < sizeof(common) / sizeof(common[0]); i++)
		if (strcmp(name, common[i]) == 0)
			return true;
	return strcmp(name, "--prefer") == 0 && strcmp(o->cmd, "discover") == 0;
}

static int
parse_client_opts(struct client_opts *o, int argc, char **argv)
{
	char name[64];
	const char *eq, *v;
	size_t nl;
	int i, rc;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strncmp(a, "--", 2) != 0 && strcmp(a, "-h") != 0)
			return usage_error(o, "unexpected argument \"%s\"%s", a,
					   "");
		eq = strchr(a, '=');
		nl = eq != NULL ? (size_t)(eq - a) : strlen(a);
		if (nl >= sizeof(name))
			return usage_error(o, "unknown option \"%s\"%s", a, "");
		memcpy(name, a, nl);
		name[nl] = '\0';
		if (eq == NULL && is_switch(o, name))
			continue;
		if (strcmp(name, "--tls-verify-cert") == 0 && eq == NULL &&
		    (i + 1 >= argc || strncmp(argv[i + 1], "--", 2) == 0)) {
			o->no_verify = false;
			continue;
		}
		if (!takes_value(o, name))
			return usage_error(o, "unknown option \"%s\"%s", name,
					   "");
		v = flag_value(argc, argv, &i, eq);
		if (v == NULL)
			return usage_error(o, "%s needs a value%s", name, "");
		rc = parse_value_flag(o, name, v);
		if (rc != 0)
			return rc;
	}
	if (o->help)
		return 0;
	return check_combinations(o);
}

static void
client_opts_init(struct client_opts *o, const char *cmd)
{
	memset(o, 0, sizeof(*o));
	o->cmd = cmd;
	o->port = DISCOVERY_DEFAULT_PORT;
	o->pref = DP_LEADER;
	o->attempts = DISCOVERY_DEFAULT_ATTEMPTS;
	o->delay_ms = DISCOVERY_DEFAULT_DELAY_MS;
	o->timeout_ms = DISCOVERY_DEFAULT_TIMEOUT_MS;
}

/* Seeds from --cluster-dns when asked. Returns 0, or 1 on failure. */
static int
resolve_seeds(struct client_opts *o)
{
	char err[512];

	if (o->cluster_dns == NULL)
		return 0;
	if (discovery_resolve_dns(o->cluster_dns, o->port, o->seeds,
				  OPT_MAX_SEEDS, &o->n_seeds, err,
				  sizeof(err)) != 0) {
		fprintf(stderr, "gossipd %s: --cluster-dns: %s\n", o->cmd, err);
		return 1;
	}
	return 0;
}

/* An HTTP(S) client for the TLS flags; NULL after printing why. */
static struct httpc *
make_client(const struct client_opts *o)
{
	struct httpc_config cfg;
	struct httpc *c;
	char err[512];

	memset(&cfg, 0, sizeof(cfg));
	if (o->insecure) {
		cfg.plain_http = 1;
	} else {
		cfg.ca_file = o->cacert != NULL ? o->cacert : SYSTEM_CA_BUNDLE;
		cfg.cert_file = o->cert;
		cfg.key_file = o->key;
		cfg.verify_none = o->no_verify;
	}
	c = httpc_new(&cfg, err, sizeof(err));
	if (c == NULL)
		fprintf(stderr, "gossipd %s: %s\n", o->cmd, err);
	return c;
}

/* ---- the network, the clock and randomness for discovery_run ---- */

struct net {
	struct httpc *hc;
	uint64_t rng_state;
};

/* Fetches GET /gossip?format=json from host:port; body in *resp. */
static int
get_gossip(struct httpc *hc, const char *host, int port, int timeout_ms,
	   struct httpc_response *resp, char *err, size_t errlen)
{
	return httpc_request(hc, host, port, "GET", "/gossip?format=json", NULL,
			     NULL, 0, timeout_ms, resp, err, errlen);
}

/*
 * "connect 127.0.0.1:2113: Connection refused" becomes "connect:
 * Connection refused": the line it is printed on names the endpoint.
 */
static void
tidy_reason(char *err, size_t errlen)
{
	char *colon, *sp;

	static const char hint[] = " (a plain HTTP node? then use --insecure)";

	if (strstr(err, "invalid SSL record") != NULL &&
	    strlen(err) + sizeof(hint) <= errlen) {
		strcat(err, hint);
		return;
	}
	if (strncmp(err, "connect ", 8) != 0)
		return;
	colon = strstr(err + 8, ": ");
	sp = strchr(err + 8, ' ');
	if (colon == NULL || (sp != NULL && sp < colon))
		return;
	memmove(err + 7, colon, strlen(colon) + 1);
}

static int
net_fetch(void *ctx, const char *host, int port, int timeout_ms,
	  struct cluster_doc *doc, char *err, size_t errlen)
{
	struct net *n = ctx;
	struct httpc_response resp;
	int rc;

	memset(&resp, 0, sizeof(resp));
	if (get_gossip(n->hc, host, port, timeout_ms, &resp, err, errlen) !=
	    0) {
		tidy_reason(err, errlen);
		return -1;
	}
	rc = discovery_parse_response(resp.status, resp.content_type, resp.body,
				      resp.body_len, GOSSIP_JSON_MAX_BYTES, doc,
				      err, errlen);
	httpc_response_free(&resp);
	return rc;
}

static void
net_sleep(void *ctx, int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};

	(void)ctx;
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
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

	fprintf(stderr,
		"gossipd discover: no %s member found after %d attempt%s "
		"(--prefer %s%s)\n",
		o->strict ? "suitable" : "eligible", r->attempts_made,
		r->attempts_made == 1 ? "" : "s", discovery_pref_name(o->pref),
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
	rc = parse_client_opts(&o, argc, argv);
	if (rc != 0)
		return rc;
	if (o.help) {
		usage_discover(stdout);
		return 0;
	}
	if (o.n_seeds == 0 && o.cluster_dns == NULL)
		return usage_error(&o,
				   "give --seed HOST:PORT[,...] or "
				   "--cluster-dns NAME%s%s",
				   "", "");
	if (resolve_seeds(&o) != 0)
		return 1;
	out = calloc(1, sizeof(*out));
	n.hc = make_client(&o);
	if (out == NULL || n.hc == NULL) {
		rc = out == NULL ? 1 : 2;
		goto done;
	}
	net_seed(&n);
	p = (struct discovery_params){o.pref, o.strict, o.attempts, o.delay_ms,
				      o.timeout_ms};
	env = (struct discovery_env){
	    net_fetch, net_sleep, net_now, &n, {net_random, &n}};
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
	if (get_gossip(hc, s->host, s->port, o->timeout_ms, &resp, err,
		       errlen) != 0) {
		tidy_reason(err, errlen);
		return -1;
	}
	if (discovery_parse_response(resp.status, resp.content_type, resp.body,
				     resp.body_len, GOSSIP_JSON_MAX_BYTES, &doc,
				     err, errlen) != 0)
		goto out;
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
	rc = parse_client_opts(&o, argc, argv);
	if (rc != 0)
		return rc;
	if (o.help) {
		usage_status(stdout);
		return 0;
	}
	if (o.n_seeds == 0 && o.cluster_dns == NULL) {
		snprintf(o.seeds[0].host, sizeof(o.seeds[0].host), "127.0.0.1");
		o.seeds[0].port = DISCOVERY_DEFAULT_PORT;
		o.n_seeds = 1;
	}
	if (resolve_seeds(&o) != 0)
		return 1;
	hc = make_client(&o);
	if (hc == NULL)
		return 2;
	errs = calloc(o.n_seeds, sizeof(*errs));
	rc = 1;
	for (attempt = 1; errs != NULL && attempt <= o.attempts; attempt++) {
		if (attempt > 1)
			net_sleep(NULL, o.delay_ms);
		for (i = 0; i < o.n_seeds; i++)
			if (status_from(&o, hc, &o.seeds[i], errs[i],
					sizeof(errs[i])) == 0) {
				rc = 0;
				goto done;
			}
	}
	fprintf(stderr, "gossipd status: no seed answered\n");
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
