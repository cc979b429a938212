/*
 * The command line and the HTTP(S) side shared by gossipd discover and
 * gossipd status: flags, seeds (listed or from DNS), the client for the
 * TLS flags, and GET /gossip with reasons that read well per seed.
 */
#include "client_opts.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include "discovery.h"
#include "grpc_client.h"
#include "num.h"
#include "options.h"
#include "resolver.h"

extern char **environ;

int
client_usage_error(const struct client_opts *o, const char *fmt, const char *a,
		   const char *b)
{
	fprintf(stderr, "gossipd %s: ", o->cmd);
	fprintf(stderr, fmt, a, b);
	fprintf(stderr, "\n(see gossipd %s --help)\n", o->cmd);
	return 2;
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
		return client_usage_error(o, "--seed: %s%s", err, "");
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
	*lo = 100;
	if (strcmp(name, "--interval-ms") == 0)
		return &o->interval_ms;
	*lo = 0;
	*hi = 1000;
	if (strcmp(name, "--cluster-size") == 0)
		return &o->cluster_size;
	return NULL;
}

static int
parse_value_flag(struct client_opts *o, const char *name, const char *v)
{
	long lo, hi;
	int *ip = int_flag(o, name, &lo, &hi);

	if (ip != NULL) {
		o->port_given |= ip == &o->port;
		o->cluster_size_given |= ip == &o->cluster_size;
		o->given |= ip == &o->attempts	   ? GIVEN_ATTEMPTS
			    : ip == &o->delay_ms   ? GIVEN_DELAY
			    : ip == &o->timeout_ms ? GIVEN_TIMEOUT
						   : 0;
		if (num_parse_int(v, lo, hi, ip) != NUM_OK)
			return client_usage_error(
			    o,
			    "%s: expected a whole number in "
			    "range, got \"%s\"",
			    name, v);
		return 0;
	}
	if (strcmp(name, "--seed") == 0)
		return add_seeds(o, v);
	if (strcmp(name, "--connection-string") == 0)
		o->conn_str = v;
	else if (strcmp(name, "--config") == 0)
		o->config = v;
	else if (strcmp(name, "--cluster-dns") == 0)
		o->cluster_dns = v;
	else if (strcmp(name, "--cacert") == 0)
		o->cacert = v;
	else if (strcmp(name, "--cert") == 0)
		o->cert = v;
	else if (strcmp(name, "--key") == 0)
		o->key = v;
	else if (strcmp(name, "--protocol") == 0) {
		if (strcmp(v, "grpc") == 0)
			o->protocol = CP_GRPC;
		else if (strcmp(v, "http") == 0)
			o->protocol = CP_HTTP;
		else if (strcmp(v, "auto") == 0)
			o->protocol = CP_AUTO;
		else
			return client_usage_error(
			    o, "--protocol: \"%s\" is not grpc, http or auto%s",
			    v, "");
	} else if (strcmp(name, "--prefer") == 0 &&
		   strcmp(o->cmd, "discover") == 0) {
		o->given |= GIVEN_PREF;
		if (discovery_pref_parse(v, &o->pref) != 0)
			return client_usage_error(
			    o,
			    "--prefer: \"%s\" is not one of "
			    "leader, follower, random, "
			    "readonlyreplica%s",
			    v, "");
	} else if (strcmp(name, "--tls-verify-cert") == 0) {
		bool verify;

		if (parse_bool(v, &verify) != 0)
			return client_usage_error(
			    o,
			    "%s: expected true or false, got "
			    "\"%s\"",
			    name, v);
		o->no_verify = !verify;
		o->given |= GIVEN_VERIFY;
	} else {
		return client_usage_error(o, "unknown option \"%s\"%s", name,
					  "");
	}
	return 0;
}

static bool
is_switch(struct client_opts *o, const char *name)
{
	if (strcmp(name, "--insecure") == 0) {
		o->insecure = true;
		o->given |= GIVEN_INSECURE;
	} else if (strcmp(name, "--no-verify") == 0) {
		o->no_verify = true;
		o->given |= GIVEN_VERIFY;
	} else if (strcmp(name, "--json") == 0)
		o->json = true;
	else if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0)
		o->help = true;
	else if ((strcmp(name, "--verbose") == 0 || strcmp(name, "-v") == 0) &&
		 strcmp(o->cmd, "discover") == 0)
		o->verbose = true;
	else if (strcmp(name, "--strict") == 0 &&
		 strcmp(o->cmd, "discover") == 0)
		o->strict = true;
	else if (strcmp(name, "--watch") == 0 && strcmp(o->cmd, "status") == 0)
		o->watch = true;
	else
		return false;
	return true;
}

static int
check_combinations(struct client_opts *o)
{
	if (o->n_seeds > 0 && o->cluster_dns != NULL)
		return client_usage_error(o,
					  "give --seed or --cluster-dns, not "
					  "both%s%s",
					  "", "");
	if (o->port_given && o->cluster_dns == NULL)
		return client_usage_error(o,
					  "--port goes with --cluster-dns "
					  "(give seeds as host:port)%s%s",
					  "", "");
	if (o->insecure && (o->cacert || o->cert || o->key || o->no_verify))
		return client_usage_error(
		    o,
		    "--insecure is plain HTTP: --cacert, "
		    "--cert, --key and --no-verify do not "
		    "apply%s%s",
		    "", "");
	if ((o->cert == NULL) != (o->key == NULL))
		return client_usage_error(o, "--cert and --key go together%s%s",
					  "", "");
	return 0;
}

/* The TLS and file settings of a connection string, unless flags said. */
static void
apply_uri_tls(struct client_opts *o, const struct discovery_uri *u)
{
	if (!(o->given & GIVEN_INSECURE))
		o->insecure = !u->tls;
	if (!(o->given & GIVEN_VERIFY) && !u->tls_verify)
		o->no_verify = true;
	if (o->cacert == NULL && u->ca_file[0] != '\0') {
		memcpy(o->uri_ca, u->ca_file, sizeof(o->uri_ca));
		o->cacert = o->uri_ca;
	}
	if (o->cert == NULL && u->cert_file[0] != '\0') {
		memcpy(o->uri_cert, u->cert_file, sizeof(o->uri_cert));
		o->cert = o->uri_cert;
	}
	if (o->key == NULL && u->key_file[0] != '\0') {
		memcpy(o->uri_key, u->key_file, sizeof(o->uri_key));
		o->key = o->uri_key;
	}
}

/* Seeds and settings from the connection string; flags win. */
static int
apply_uri(struct client_opts *o)
{
	struct discovery_uri *u = calloc(1, sizeof(*u));
	char err[256];
	int rc = 0;

	if (u == NULL)
		return client_usage_error(o, "out of memory%s%s", "", "");
	if (discovery_uri_parse(o->conn_str, u, err, sizeof(err)) != 0) {
		rc = client_usage_error(o, "%s%s", err, "");
		goto out;
	}
	if (o->n_seeds > 0 || o->cluster_dns != NULL || o->port_given) {
		rc = client_usage_error(o,
					"a connection string names the hosts: "
					"no --seed, --cluster-dns or --port "
					"with it%s%s",
					"", "");
		goto out;
	}
	if (u->dns_discover && u->n_seeds == 1) {
		memcpy(o->uri_host, u->seeds[0].host, sizeof(o->uri_host));
		o->cluster_dns = o->uri_host;
		o->port = u->seeds[0].port;
		o->port_given = true;
	} else {
		memcpy(o->seeds, u->seeds, u->n_seeds * sizeof(u->seeds[0]));
		o->n_seeds = u->n_seeds;
	}
	if (u->have_pref && !(o->given & GIVEN_PREF))
		o->pref = u->pref;
	if (u->attempts > 0 && !(o->given & GIVEN_ATTEMPTS))
		o->attempts = u->attempts;
	if (u->have_delay && !(o->given & GIVEN_DELAY))
		o->delay_ms = u->delay_ms;
	if (u->timeout_ms > 0 && !(o->given & GIVEN_TIMEOUT))
		o->timeout_ms = u->timeout_ms;
	apply_uri_tls(o, u);
out:
	free(u);
	return rc;
}

/* Other spellings an operator may reach for: the daemon's, curl's. */
static void
canonical_name(char *name, size_t len)
{
	static const struct {
		const char *alias, *name;
	} aliases[] = {
	    {"--gossip-seed", "--seed"},
	    {"--ca-file", "--cacert"},
	    {"--tls-ca-file", "--cacert"},
	};
	size_t i;

	for (i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
		if (strcmp(name, aliases[i].alias) == 0) {
			snprintf(name, len, "%s", aliases[i].name);
			return;
		}
}

/* Keeps the spelling of a TLS file flag, so that messages about the
 * file name the flag as the user typed it. */
static void
remember_typed(struct client_opts *o, const char *typed)
{
	char canon[64];

	snprintf(canon, sizeof(canon), "%s", typed);
	canonical_name(canon, sizeof(canon));
	if (strcmp(canon, "--cacert") == 0)
		snprintf(o->typed_cacert, sizeof(o->typed_cacert), "%s", typed);
	else if (strcmp(canon, "--cert") == 0)
		snprintf(o->typed_cert, sizeof(o->typed_cert), "%s", typed);
	else if (strcmp(canon, "--key") == 0)
		snprintf(o->typed_key, sizeof(o->typed_key), "%s", typed);
}

static bool
takes_value(const struct client_opts *o, const char *name)
{
	static const char *const common[] = {
	    "--seed",
	    "--cluster-dns",
	    "--port",
	    "--attempts",
	    "--delay-ms",
	    "--timeout-ms",
	    "--cacert",
	    "--cert",
	    "--key",
	    "--tls-verify-cert",
	    "--connection-string",
	    "--protocol",
	};
	size_t i;

	for (i = 0; i < sizeof(common) / sizeof(common[0]); i++)
		if (strcmp(name, common[i]) == 0)
			return true;
	if (strcmp(o->cmd, "status") == 0)
		return strcmp(name, "--config") == 0 ||
		       strcmp(name, "--cluster-size") == 0 ||
		       strcmp(name, "--interval-ms") == 0;
	return strcmp(name, "--prefer") == 0;
}

int
client_parse_opts(struct client_opts *o, int argc, char **argv)
{
	char name[64];
	const char *eq, *v;
	size_t nl;
	int i, rc;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strstr(a, "://") != NULL && o->conn_str == NULL) {
			o->conn_str = a;
			continue;
		}
		if (strncmp(a, "--", 2) != 0 && strcmp(a, "-h") != 0 &&
		    strcmp(a, "-v") != 0)
			return client_usage_error(
			    o, "unexpected argument \"%s\"%s", a, "");
		eq = strchr(a, '=');
		nl = eq != NULL ? (size_t)(eq - a) : strlen(a);
		if (nl >= sizeof(name))
			return client_usage_error(o, "unknown option \"%s\"%s",
						  a, "");
		memcpy(name, a, nl);
		name[nl] = '\0';
		remember_typed(o, name);
		canonical_name(name, sizeof(name));
		if (eq == NULL && is_switch(o, name))
			continue;
		if (strcmp(name, "--tls-verify-cert") == 0 && eq == NULL &&
		    (i + 1 >= argc || strncmp(argv[i + 1], "--", 2) == 0)) {
			o->no_verify = false;
			continue;
		}
		if (!takes_value(o, name))
			return client_usage_error(o, "unknown option \"%s\"%s",
						  name, "");
		v = flag_value(argc, argv, &i, eq);
		if (v == NULL)
			return client_usage_error(o, "%s needs a value%s", name,
						  "");
		rc = parse_value_flag(o, name, v);
		if (rc != 0)
			return rc;
	}
	if (o->help)
		return 0;
	if (o->conn_str != NULL && (rc = apply_uri(o)) != 0)
		return rc;
	return check_combinations(o);
}

void
client_opts_init(struct client_opts *o, const char *cmd)
{
	memset(o, 0, sizeof(*o));
	o->cmd = cmd;
	o->port = DISCOVERY_DEFAULT_PORT;
	o->pref = DP_LEADER;
	o->attempts = DISCOVERY_DEFAULT_ATTEMPTS;
	o->delay_ms = DISCOVERY_DEFAULT_DELAY_MS;
	o->timeout_ms = DISCOVERY_DEFAULT_TIMEOUT_MS;
	o->interval_ms = 2000;
}

/* Seeds from --cluster-dns when asked. Returns 0, or 1 on failure. */
int
client_use_local_node(struct client_opts *o)
{
	char *argv[2] = {"--config", (char *)o->config}, err[512];
	struct gossipd_config *cfg;
	const char *host;
	struct stat st;

	o->n_seeds = 1;
	snprintf(o->seeds[0].host, sizeof(o->seeds[0].host), "127.0.0.1");
	o->seeds[0].port = DISCOVERY_DEFAULT_PORT;
	cfg = options_load(o->config != NULL ? 2 : 0, argv, environ, NULL, err,
			   sizeof(err));
	if (cfg == NULL) {
		if (o->config != NULL)
			return client_usage_error(o, "--config: %s%s", err, "");
		/* A node's configuration this user may not read: asking
		 * 127.0.0.1:2113 instead would only end in a misleading
		 * "connection refused". */
		if (strstr(err, "Permission denied") != NULL) {
			fprintf(stderr,
				"gossipd %s: cannot read the node "
				"configuration: %s; run it as root or as a "
				"user who may read the file (e.g. in group "
				"gossipd), or name the node with --seed "
				"HOST:PORT\n",
				o->cmd, err);
			return 2;
		}
		/* a note only when there was something to read */
		if (stat("/etc/gossipd/gossipd.conf", &st) == 0 ||
		    getenv("GOSSIPD_CONFIG") != NULL)
			fprintf(stderr,
				"gossipd %s: not using the node configuration "
				"(%s); asking 127.0.0.1:2113\n",
				o->cmd, err);
		return 0;
	}
	host = options_advertised_host(cfg);
	if (strcmp(host, "0.0.0.0") == 0)
		host = "127.0.0.1";
	else if (strcmp(host, "::") == 0)
		host = "::1";
	snprintf(o->seeds[0].host, sizeof(o->seeds[0].host), "%s", host);
	o->seeds[0].port = options_advertised_port(cfg);
	if (!o->cluster_size_given)
		o->cluster_size = cfg->cluster_size;
	if (!(o->given & GIVEN_INSECURE) && o->cacert == NULL &&
	    o->cert == NULL && !o->no_verify)
		o->insecure = cfg->insecure;
	if (!o->insecure && o->cacert == NULL) {
		snprintf(o->uri_ca, sizeof(o->uri_ca), "%s",
			 cfg->trusted_root_certificates_path);
		o->cacert = o->uri_ca;
	}
	options_free(cfg);
	return 0;
}

int
client_resolve_seeds(struct client_opts *o)
{
	char err[512];

	if (o->cluster_dns == NULL)
		return 0;
	if (resolver_seeds(o->cluster_dns, o->port, o->timeout_ms, o->seeds,
			   OPT_MAX_SEEDS, &o->n_seeds, err, sizeof(err)) != 0) {
		fprintf(
		    stderr,
		    "gossipd %s: --cluster-dns: cannot resolve \"%s\": %s\n",
		    o->cmd, o->cluster_dns, err);
		return 1;
	}
	return 0;
}

/* Where a TLS file came from, in the user's words. */
static const char *
file_source(const char *value, const char *uri_copy, const char *typed,
	    const char *flag, const char *uri_name, const char *dflt)
{
	if (value == NULL)
		return dflt;
	if (value == uri_copy)
		return uri_name;
	return typed[0] != '\0' ? typed : flag;
}

/* httpc names its files by its own fields ("ca_file X: ..."); say which
 * flag (as typed), connection-string setting or default it was. */
static void
name_the_flag(const struct client_opts *o, char *err, size_t errlen)
{
	const struct {
		const char *field, *source;
	} map[] = {
	    {"ca_file ",
	     file_source(o->cacert, o->uri_ca, o->typed_cacert, "--cacert",
			 "tlsCAFile (connection string)",
			 "the system CA bundle")},
	    {"cert_file ",
	     file_source(o->cert, o->uri_cert, o->typed_cert, "--cert",
			 "tlsCertFile (connection "
			 "string)",
			 "--cert")},
	    {"key_file ",
	     file_source(o->key, o->uri_key, o->typed_key, "--key",
			 "tlsKeyFile (connection string)", "--key")},
	};
	char out[1024];

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		size_t fl = strlen(map[i].field);

		if (strncmp(err, map[i].field, fl) != 0)
			continue;
		snprintf(out, sizeof(out), "%s %s", map[i].source, err + fl);
		if (strlen(out) < errlen)
			memcpy(err, out, strlen(out) + 1);
		return;
	}
}

/* An HTTP(S) client for the TLS flags; NULL after printing why. */
struct httpc *
client_make_httpc(const struct client_opts *o)
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
	if (c == NULL) {
		name_the_flag(o, err, sizeof(err));
		fprintf(stderr, "gossipd %s: %s\n", o->cmd, err);
	}
	return c;
}

/* Appends a hint when it fits. */
static void
add_hint(char *err, size_t errlen, const char *hint)
{
	size_t used = strlen(err);

	if (used + strlen(hint) + 1 <= errlen)
		memcpy(err + used, hint, strlen(hint) + 1);
}

/*
 * Makes a reason from httpc read well on a line that already names the
 * seed ("connect 127.0.0.1:2113: Connection refused" becomes "connect:
 * Connection refused"), and says what to do about the usual mistakes.
 */
static void
tidy_reason(const struct client_opts *o, char *err, size_t errlen)
{
	char *colon, *sp, hint[PATH_MAX + 96];

	if (strstr(err, "invalid SSL record") != NULL) {
		add_hint(err, errlen,
			 " (a plain HTTP node? then use --insecure)");
	} else if (o->insecure &&
		   strstr(err, "closed by the server before any response")) {
		add_hint(err, errlen, " (a TLS node? then drop --insecure)");
	} else if (strstr(err, "not signed by a trusted CA") != NULL) {
		snprintf(hint, sizeof(hint), " (checked against %s%s)",
			 o->cacert != NULL ? o->cacert : SYSTEM_CA_BUNDLE,
			 o->cacert != NULL ? ""
					   : "; give the cluster's CA with "
					     "--cacert");
		add_hint(err, errlen, hint);
	}
	if (strncmp(err, "connect ", 8) != 0)
		return;
	colon = strstr(err + 8, ": ");
	sp = strchr(err + 8, ' ');
	if (colon == NULL || (sp != NULL && sp < colon))
		return;
	memmove(err + 7, colon, strlen(colon) + 1);
}

/*
 * Gossip/Read over gRPC; its members become the JSON document the rest of
 * the tool reads (what Gossip/Read carries: instance id, time, state,
 * liveness and the client endpoint; the other fields are zero). Returns
 * 0, -1 (reason in err), or 1 when the seed chose HTTP/1.1 (auto).
 */
static int
grpc_get_gossip(const struct client_opts *o, struct httpc *hc, const char *host,
		int port, int timeout_ms, struct httpc_response *resp,
		char *err, size_t errlen)
{
	struct cluster_doc doc;
	enum grpc_read_result r;
	size_t len;

	r = grpc_gossip_read(hc, host, port, timeout_ms, o->protocol == CP_AUTO,
			     GOSSIP_JSON_MAX_MEMBERS, &doc, err, errlen);
	if (r == GRPC_READ_NOT_H2 && o->protocol == CP_AUTO)
		return 1;
	if (r != GRPC_READ_OK)
		return -1;
	snprintf(doc.server_ip, sizeof(doc.server_ip), "%s", host);
	doc.server_port = port;
	memset(resp, 0, sizeof(*resp));
	resp->body = gossip_json_encode(&doc, &len);
	cluster_doc_free(&doc);
	if (resp->body == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	resp->body_len = len;
	resp->status = 200;
	snprintf(resp->content_type, sizeof(resp->content_type),
		 "application/json");
	return 0;
}

int
client_get_gossip(const struct client_opts *o, struct httpc *hc,
		  const char *host, int port, int timeout_ms,
		  struct httpc_response *resp, char *err, size_t errlen)
{
	int r;

	if (o->protocol == CP_GRPC ||
	    (o->protocol == CP_AUTO && !o->insecure)) {
		r = grpc_get_gossip(o, hc, host, port, timeout_ms, resp, err,
				    errlen);
		if (r <= 0) {
			if (r < 0)
				tidy_reason(o, err, errlen);
			return r;
		}
	}
	if (httpc_request(hc, host, port, "GET", "/gossip?format=json", NULL,
			  NULL, 0, timeout_ms, resp, err, errlen) == 0)
		return 0;
	tidy_reason(o, err, errlen);
	return -1;
}

void
client_hint_status(const struct client_opts *o, int status, char *err,
		   size_t errlen)
{
	if (status == 401)
		add_hint(err, errlen,
			 o->cert != NULL
			     ? " (the node does not trust the "
			       "client certificate given)"
			     : " (the node wants a trusted client "
			       "certificate: give --cert and --key)");
	else if (status == 403)
		add_hint(err, errlen,
			 " (the node refuses this client certificate)");
}

void
client_sleep_ms(void *ctx, int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};

	(void)ctx;
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}
