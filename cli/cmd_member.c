/*
 * gossipd member set|show: the co-located process (or an operator)
 * reports this member's state, checkpoints, epoch and priority to the
 * running daemon through its local admin socket, or reads them back.
 *
 * The admin socket speaks plain HTTP/1.1 over AF_UNIX; httpc reaches it
 * (one deadline, bounded answer, the same response parser as every other
 * request). PUT /admin/member carries a JSON object of the given fields;
 * GET /admin/member returns the self entry.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "commands.h"
#include "httpc.h"
#include "member.h"
#include "num.h"
#include "options.h"
#include "clock.h"

#define DEFAULT_ADMIN_SOCKET "/run/gossipd/admin.sock"
#define ADMIN_TIMEOUT_MS     5000
#define ADMIN_MAX_BODY	     (1024 * 1024)
#define POSITION_MAX	     (INT64_C(1) << 53) /* SPEC: exact in a double */

struct member_opts {
	const char *socket; /* NULL until --admin-socket or the config */
	const char *config; /* --config FILE */
	char socket_buf[4096];
	int timeout_ms;
	bool json; /* print the answer as compact JSON */
	char body[2048];
	size_t n_fields;
};

static void
usage(FILE *out)
{
	fprintf(
	    out,
	    "usage: gossipd member set [--state STATE] "
	    "[--writer-checkpoint N] [--chaser-checkpoint N]\n"
	    "                          [--last-commit-position N] "
	    "[--epoch-position N] [--epoch-number N]\n"
	    "                          [--epoch-id GUID] [--node-priority "
	    "N] [--read-only-replica true|false]\n"
	    "                          [--advertise-host-to-client-as HOST] "
	    "[--advertise-node-port-to-client-as N]\n"
	    "                          [--advertise-tcp-port-to-client-as "
	    "N]\n"
	    "                          [--admin-socket PATH | --config FILE] "
	    "[--timeout-ms T] [--json]\n"
	    "       gossipd member show [--admin-socket PATH | --config FILE] "
	    "[--timeout-ms T] [--json]\n"
	    "       gossipd member remove HOST:PORT [--force] [--admin-socket "
	    "PATH | --config FILE]\n"
	    "                          [--timeout-ms T]\n"
	    "\n"
	    "Talks to the running daemon through its admin socket. set "
	    "reports the given\n"
	    "fields of this member (PUT /admin/member) and prints the new "
	    "self entry; show\n"
	    "prints it. remove drops a dead or stray member from the whole "
	    "cluster: a\n"
	    "removal record goes round with the gossip so that relayed copies "
	    "do not bring\n"
	    "it back (a restarted member, new instanceId, does come back); a "
	    "live member\n"
	    "needs --force. The socket: --admin-socket, else the daemon's "
	    "AdminSocket as its\n"
	    "configuration says (--config, $GOSSIPD_CONFIG or "
	    "/etc/gossipd/gossipd.conf,\n"
	    "and $GOSSIPD_ADMIN_SOCKET), else " DEFAULT_ADMIN_SOCKET ".\n"
	    "STATE is a gossip state name: Leader, Follower, "
	    "ReadOnlyReplica, Manager, ...\n"
	    "The --advertise-* fields say where this member's clients "
	    "connect (\"\" or 0:\n"
	    "its own endpoint); they travel with it in gossip.\n"
	    "Exit status: 0 done, 1 the daemon could not be reached or "
	    "refused, 2 usage error.\n");
}

static int
usage_error(const char *fmt, const char *a)
{
	fprintf(stderr, "gossipd member: ");
	fprintf(stderr, fmt, a);
	fprintf(stderr, "\n(see gossipd member --help)\n");
	return 2;
}

/* ---- building the PUT body ---- */

static int
append(struct member_opts *o, const char *key, const char *json_value)
{
	size_t used = strlen(o->body);
	char quoted[64];
	int n;

	/* keys and values hold no quotes, so this finds a key given twice */
	snprintf(quoted, sizeof(quoted), "\"%s\":", key);
	if (strstr(o->body, quoted) != NULL)
		return usage_error("%s is given twice", key);
	n = snprintf(o->body + used, sizeof(o->body) - used, "%s\"%s\":%s",
		     o->n_fields == 0 ? "" : ",", key, json_value);
	if (n < 0 || (size_t)n >= sizeof(o->body) - used)
		return usage_error("too many fields%s", "");
	o->n_fields++;
	return 0;
}

static const struct {
	const char *flag;
	const char *key;
	int64_t lo, hi;
} number_flags[] = {
    {"--writer-checkpoint", "writerCheckpoint", -1, POSITION_MAX},
    {"--chaser-checkpoint", "chaserCheckpoint", -1, POSITION_MAX},
    {"--last-commit-position", "lastCommitPosition", -1, POSITION_MAX},
    {"--epoch-position", "epochPosition", -1, POSITION_MAX},
    {"--epoch-number", "epochNumber", -1, POSITION_MAX},
    {"--node-priority", "nodePriority", INT32_MIN, INT32_MAX},
    {"--advertise-node-port-to-client-as", "advertiseHttpPortToClientAs", 0,
     65535},
    {"--advertise-http-port-to-client-as", "advertiseHttpPortToClientAs", 0,
     65535},
    {"--advertise-tcp-port-to-client-as", "advertiseTcpPortToClientAs", 0,
     65535},
};

/* A host for --advertise-host-to-client-as: printable, no space, quote
 * or backslash (what the daemon accepts), or "" to unset. */
static bool
host_ok(const char *v)
{
	if (strlen(v) >= MEMBER_HOST_MAX)
		return false;
	for (const char *p = v; *p != '\0'; p++)
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f ||
		    *p == '"' || *p == '\\')
			return false;
	return true;
}

static int
set_field(struct member_opts *o, const char *flag, const char *v)
{
	enum member_state st;
	struct guid g;
	char buf[64];
	long long n;
	size_t i;

	for (i = 0; i < sizeof(number_flags) / sizeof(number_flags[0]); i++) {
		if (strcmp(flag, number_flags[i].flag) != 0)
			continue;
		if (num_parse(v, number_flags[i].lo, number_flags[i].hi, &n) !=
		    NUM_OK) {
			fprintf(stderr,
				"gossipd member: %s: expected a whole number "
				"from %" PRId64 " to %" PRId64 ", got \"%s\"\n",
				flag, number_flags[i].lo, number_flags[i].hi,
				v);
			return 2;
		}
		snprintf(buf, sizeof(buf), "%lld", n);
		return append(o, number_flags[i].key, buf);
	}
	if (strcmp(flag, "--state") == 0) {
		if (member_state_parse(v, &st) != 0)
			return usage_error(
			    "--state: \"%s\" is not a state (Leader, "
			    "Follower, ReadOnlyReplica, Manager, ...)",
			    v);
		snprintf(buf, sizeof(buf), "\"%s\"", member_state_name(st));
		return append(o, "state", buf);
	}
	if (strcmp(flag, "--epoch-id") == 0) {
		if (guid_parse(v, &g) != 0)
			return usage_error("--epoch-id: \"%s\" is not a GUID "
					   "(8-4-4-4-12 hex digits)",
					   v);
		buf[0] = '"';
		guid_format(&g, buf + 1);
		strcat(buf, "\"");
		return append(o, "epochId", buf);
	}
	if (strcmp(flag, "--advertise-host-to-client-as") == 0) {
		char q[MEMBER_HOST_MAX + 2];

		if (!host_ok(v))
			return usage_error("--advertise-host-to-client-as: "
					   "\"%s\" is not a host name or "
					   "address",
					   v);
		snprintf(q, sizeof(q), "\"%s\"", v);
		return append(o, "advertiseHostToClientAs", q);
	}
	if (strcmp(flag, "--read-only-replica") == 0) {
		if (strcasecmp(v, "true") != 0 && strcasecmp(v, "false") != 0)
			return usage_error("--read-only-replica: expected true "
					   "or false, got \"%s\"",
					   v);
		return append(o, "isReadOnlyReplica",
			      strcasecmp(v, "true") == 0 ? "true" : "false");
	}
	return usage_error("unknown option \"%s\"", flag);
}

static bool
known_flag(const char *name, bool is_set)
{
	size_t i;

	if (strcmp(name, "--admin-socket") == 0 ||
	    strcmp(name, "--timeout-ms") == 0 || strcmp(name, "--config") == 0)
		return true;
	if (!is_set)
		return false;
	for (i = 0; i < sizeof(number_flags) / sizeof(number_flags[0]); i++)
		if (strcmp(name, number_flags[i].flag) == 0)
			return true;
	return strcmp(name, "--state") == 0 ||
	       strcmp(name, "--epoch-id") == 0 ||
	       strcmp(name, "--advertise-host-to-client-as") == 0 ||
	       strcmp(name, "--read-only-replica") == 0;
}

static int
parse_opts(struct member_opts *o, bool is_set, int argc, char **argv)
{
	char name[64];
	const char *a, *eq, *v;
	size_t nl;
	int i, rc;

	for (i = 2; i < argc; i++) {
		a = argv[i];
		if (strncmp(a, "--", 2) != 0)
			return usage_error("unexpected argument \"%s\"", a);
		eq = strchr(a, '=');
		nl = eq != NULL ? (size_t)(eq - a) : strlen(a);
		if (nl >= sizeof(name))
			return usage_error("unknown option \"%s\"", a);
		memcpy(name, a, nl);
		name[nl] = '\0';
		if (strcmp(name, "--json") == 0 && eq == NULL) {
			o->json = true;
			continue;
		}
		if (!known_flag(name, is_set))
			return usage_error("unknown option \"%s\"", name);
		if (eq != NULL)
			v = eq + 1;
		else if (i + 1 < argc)
			v = argv[++i];
		else
			return usage_error("%s needs a value", name);
		if (strcmp(name, "--admin-socket") == 0) {
			o->socket = v;
		} else if (strcmp(name, "--config") == 0) {
			o->config = v;
		} else if (strcmp(name, "--timeout-ms") == 0) {
			if (num_parse_int(v, 1, 600000, &o->timeout_ms) !=
			    NUM_OK)
				return usage_error("--timeout-ms: expected "
						   "1 to 600000, got \"%s\"",
						   v);
		} else if (is_set) {
			rc = set_field(o, name, v);
			if (rc != 0)
				return rc;
		} else {
			return usage_error("unknown option \"%s\" for show", a);
		}
	}
	if (o->socket != NULL && o->socket[0] == '\0')
		return usage_error("--admin-socket is empty%s", "");
	if (is_set && o->n_fields == 0)
		return usage_error("member set needs at least one field, e.g. "
				   "--state Leader%s",
				   "");
	return 0;
}

/* ---- a bounded HTTP/1.1 client over AF_UNIX ---- */

/* Advice for a socket that cannot be reached, by the errno of connect. */
static void
connect_advice(const char *path, int e, const char *why, char *err,
	       size_t errlen)
{
	if (e == ENOENT || e == ECONNREFUSED || e == ENOTDIR)
		snprintf(err, errlen,
			 "no gossipd is listening on %s (%s); is the daemon "
			 "running, and is AdminSocket set the same?",
			 path, why);
	else if (e == EACCES || e == EPERM)
		snprintf(err, errlen,
			 "cannot connect to %s (%s); the admin socket is mode "
			 "0600: run this as the daemon's user or as root",
			 path, why);
	else
		snprintf(err, errlen, "cannot connect to %s (%s)", path, why);
}

/*
 * One request to the admin socket through httpc (plain HTTP over
 * AF_UNIX, one deadline, bounded answer). Returns 0 with *resp (free with
 * httpc_response_free), or -1 with the reason in err.
 */
static int
admin_request(const struct member_opts *o, const char *method, const char *path,
	      const char *body, struct httpc_response *resp, char *err,
	      size_t errlen)
{
	struct httpc_config cfg;
	struct httpc *c;
	char why[600];
	enum httpc_err rc;

	memset(&cfg, 0, sizeof(cfg));
	cfg.unix_socket = o->socket;
	cfg.max_body = ADMIN_MAX_BODY;
	c = httpc_new(&cfg, why, sizeof(why));
	if (c == NULL) {
		snprintf(err, errlen, "admin socket %s", why);
		return -1;
	}
	rc = httpc_request(c, "localhost", 80, method, path,
			   body != NULL ? "application/json" : NULL, body,
			   body != NULL ? strlen(body) : 0, o->timeout_ms, resp,
			   why, sizeof(why));
	if (rc == HTTPC_ERR_CONNECT)
		connect_advice(o->socket, httpc_last_errno(c), why, err,
			       errlen);
	else if (rc != HTTPC_OK)
		snprintf(err, errlen, "%s", why);
	httpc_free(c);
	return rc == HTTPC_OK ? 0 : -1;
}

/* ---- printing ---- */

/*
 * The self entry, one "field  value" line each for a person, or as one
 * with --json the JSON exactly as received (also when not an object).
 */
static void
print_entry(const struct httpc_response *a, bool compact)
{
	cJSON *j =
	    cJSON_ParseWithLength(a->body != NULL ? a->body : "", a->body_len);
	const cJSON *it;
	char *s;

	if (!cJSON_IsObject(j) || compact) {
		/* as received: cJSON would print large integers as 1e+15 */
		printf("%.*s\n", (int)a->body_len,
		       a->body != NULL ? a->body : "");
		cJSON_Delete(j);
		return;
	}
	cJSON_ArrayForEach(it, j)
	{
		if (cJSON_IsString(it))
			printf("%-27s %s\n", it->string, it->valuestring);
		else if (cJSON_IsNumber(it))
			printf("%-27s %.0f\n", it->string, it->valuedouble);
		else if (cJSON_IsBool(it))
			printf("%-27s %s\n", it->string,
			       cJSON_IsTrue(it) ? "true" : "false");
		else {
			s = cJSON_PrintUnformatted(it);
			printf("%-27s %s\n", it->string, s != NULL ? s : "?");
			free(s);
		}
	}
	cJSON_Delete(j);
}

/* The daemon's {"error": "..."} message, else a short note. */
static void
print_refusal(const struct httpc_response *a, const char *what)
{
	cJSON *j =
	    cJSON_ParseWithLength(a->body != NULL ? a->body : "", a->body_len);
	const cJSON *e = cJSON_GetObjectItemCaseSensitive(j, "error");

	fprintf(stderr, "gossipd member: the daemon refused %s: HTTP %d%s%s\n",
		what, a->status, cJSON_IsString(e) ? ": " : "",
		cJSON_IsString(e) ? e->valuestring : "");
	cJSON_Delete(j);
}

static const char *
env_value(char **envp, const char *name)
{
	size_t nl = strlen(name);

	for (; envp != NULL && *envp != NULL; envp++)
		if (strncmp(*envp, name, nl) == 0 && (*envp)[nl] == '=')
			return *envp + nl + 1;
	return NULL;
}

/*
 * The daemon's AdminSocket, as its configuration says (--config,
 * GOSSIPD_CONFIG or /etc/gossipd/gossipd.conf, then GOSSIPD_ADMIN_SOCKET
 * and the KURRENTDB_ spelling); without a usable configuration, the
 * variable or the default. Returns 0, or 2 after a message.
 */
static int
find_socket(struct member_opts *o, char **envp)
{
	char *argv[2] = {"--config", (char *)o->config}, err[512];
	struct gossipd_config *cfg;
	const char *env;

	cfg = options_load(o->config != NULL ? 2 : 0, argv, envp, NULL, err,
			   sizeof(err));
	if (cfg == NULL) {
		if (o->config != NULL)
			return usage_error("--config: %s", err);
		env = env_value(envp, "GOSSIPD_ADMIN_SOCKET");
		o->socket = env != NULL ? env : DEFAULT_ADMIN_SOCKET;
		return 0;
	}
	if (cfg->admin_socket == NULL) {
		options_free(cfg);
		return usage_error("the node configuration sets no "
				   "AdminSocket; give --admin-socket%s",
				   "");
	}
	snprintf(o->socket_buf, sizeof(o->socket_buf), "%s", cfg->admin_socket);
	o->socket = o->socket_buf;
	options_free(cfg);
	return 0;
}

/* gossipd member remove HOST:PORT [--force] [socket options]. */
static int
member_remove(struct member_opts *o, int argc, char **argv, char **envp)
{
	struct gossip_seed ep;
	struct httpc_response a;
	const char *target = NULL;
	char err[768], body[400], *args[64];
	bool force = false;
	size_t n = 0;
	int nargs = 2, rc;

	memset(&a, 0, sizeof(a));
	if (argc > 64)
		return usage_error("too many arguments%s", "");
	args[0] = argv[0];
	args[1] = argv[1];
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 ||
		    strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return 0;
		}
		if (strcmp(argv[i], "--force") == 0)
			force = true;
		else if (strncmp(argv[i], "--", 2) != 0 && target == NULL)
			target = argv[i];
		else if (strncmp(argv[i], "--", 2) != 0)
			return usage_error("unexpected argument \"%s\"",
					   argv[i]);
		else
			args[nargs++] = argv[i];
		/* a socket option's value stays with its flag */
		if (strncmp(argv[i], "--", 2) == 0 &&
		    strcmp(argv[i], "--force") != 0 &&
		    strchr(argv[i], '=') == NULL && i + 1 < argc)
			args[nargs++] = argv[++i];
	}
	if (target == NULL)
		return usage_error("member remove needs HOST:PORT%s", "");
	if (options_parse_seeds(target, &ep, 1, &n, err, sizeof(err)) != 0 ||
	    n != 1)
		return usage_error("\"%s\" is not HOST:PORT", target);
	rc = parse_opts(o, false, nargs, args);
	if (rc == 0 && o->socket == NULL)
		rc = find_socket(o, envp);
	if (rc != 0)
		return rc;
	snprintf(body, sizeof(body),
		 strchr(ep.host, ':')
		     ? "{\"endpoint\":\"[%s]:%d\",\"force\":%s}"
		     : "{\"endpoint\":\"%s:%d\",\"force\":%s}",
		 ep.host, ep.port, force ? "true" : "false");
	if (admin_request(o, "POST", "/admin/member/remove", body, &a, err,
			  sizeof(err)) != 0) {
		fprintf(stderr, "gossipd member: %s\n", err);
		rc = 1;
	} else if (a.status != 200) {
		print_refusal(&a, "the removal");
		rc = 1;
	} else {
		printf("removed %s; the removal goes round with the gossip\n",
		       target);
		rc = 0;
	}
	httpc_response_free(&a);
	return rc;
}

int
cmd_member(int argc, char **argv, char **envp)
{
	struct member_opts o;
	struct httpc_response a;
	char err[768], body[2100];
	bool is_set;
	int rc;

	memset(&o, 0, sizeof(o));
	memset(&a, 0, sizeof(a));
	o.timeout_ms = ADMIN_TIMEOUT_MS;
	if (argc < 2 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (strcmp(argv[1], "remove") == 0)
		return member_remove(&o, argc, argv, envp);
	is_set = strcmp(argv[1], "set") == 0;
	if (!is_set && strcmp(argv[1], "show") != 0)
		return usage_error(
		    "unknown subcommand \"%s\" (set, show or remove)", argv[1]);
	for (rc = 2; rc < argc; rc++)
		if (strcmp(argv[rc], "--help") == 0 ||
		    strcmp(argv[rc], "-h") == 0) {
			usage(stdout);
			return 0;
		}
	rc = parse_opts(&o, is_set, argc, argv);
	if (rc == 0 && o.socket == NULL)
		rc = find_socket(&o, envp);
	if (rc != 0)
		return rc;
	snprintf(body, sizeof(body), "{%s}", o.body);
	if (admin_request(&o, is_set ? "PUT" : "GET", "/admin/member",
			  is_set ? body : NULL, &a, err, sizeof(err)) != 0) {
		fprintf(stderr, "gossipd member: %s\n", err);
		rc = 1;
	} else if (a.status != 200) {
		print_refusal(&a, is_set ? "the update" : "the request");
		rc = 1;
	} else {
		print_entry(&a, o.json);
		rc = 0;
	}
	httpc_response_free(&a);
	return rc;
}
