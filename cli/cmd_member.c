/*
 * gossipd member set|show: the co-located process (or an operator)
 * reports this member's state, checkpoints, epoch and priority to the
 * running daemon through its local admin socket, or reads them back.
 *
 * The admin socket speaks plain HTTP/1.1 over AF_UNIX; this file holds a
 * small blocking client for it, bounded in time and size, with responses
 * parsed by llhttp. PUT /admin/member carries a JSON object of the given
 * fields; GET /admin/member returns the self entry.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <llhttp.h>

#include "commands.h"
#include "member.h"
#include "num.h"
#include "options.h"
#include "clock.h"

#define DEFAULT_ADMIN_SOCKET "/run/gossipd/admin.sock"
#define ADMIN_TIMEOUT_MS     5000
#define ADMIN_MAX_HEADERS    (64 * 1024)
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
	    "                          [--admin-socket PATH | --config FILE] "
	    "[--timeout-ms T] [--json]\n"
	    "       gossipd member show [--admin-socket PATH | --config FILE] "
	    "[--timeout-ms T] [--json]\n"
	    "\n"
	    "Talks to the running daemon through its admin socket. set "
	    "reports the given\n"
	    "fields of this member (PUT /admin/member) and prints the new "
	    "self entry; show\n"
	    "prints it. The socket: --admin-socket, else the daemon's "
	    "AdminSocket as its\n"
	    "configuration says (--config, $GOSSIPD_CONFIG or "
	    "/etc/gossipd/gossipd.conf,\n"
	    "and $GOSSIPD_ADMIN_SOCKET), else " DEFAULT_ADMIN_SOCKET ".\n"
	    "STATE is a gossip state name: Leader, Follower, "
	    "ReadOnlyReplica, Manager, ...\n"
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
};

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

struct answer {
	int status;
	bool done;
	size_t header_bytes;
	char *body;
	size_t body_len;
	bool too_big;
};

static int
on_header_data(llhttp_t *p, const char *at, size_t len)
{
	struct answer *a = p->data;

	(void)at;
	a->header_bytes += len;
	return a->header_bytes > ADMIN_MAX_HEADERS ? -1 : 0;
}

static int
on_body(llhttp_t *p, const char *at, size_t len)
{
	struct answer *a = p->data;
	char *nb;

	if (a->body_len + len > ADMIN_MAX_BODY) {
		a->too_big = true;
		return -1;
	}
	nb = realloc(a->body, a->body_len + len + 1);
	if (nb == NULL)
		return -1;
	a->body = nb;
	memcpy(a->body + a->body_len, at, len);
	a->body_len += len;
	a->body[a->body_len] = '\0';
	return 0;
}

static int
on_complete(llhttp_t *p)
{
	struct answer *a = p->data;

	a->status = llhttp_get_status_code(p);
	a->done = true;
	return 0;
}

/* Waits for events on fd until the deadline; 1 ready, 0 timed out. */
static int
wait_fd(int fd, short events, int64_t deadline)
{
	struct pollfd pfd = {fd, events, 0};
	int64_t left;
	int rc;

	for (;;) {
		left = deadline - clock_mono_ms();
		if (left <= 0)
			return 0;
		rc = poll(&pfd, 1, (int)left);
		if (rc > 0)
			return 1;
		if (rc < 0 && errno != EINTR)
			return 1; /* let the next call report the error */
	}
}

static void
connect_error(const char *path, int e, char *err, size_t errlen)
{
	if (e == ENOENT || e == ECONNREFUSED || e == ENOTDIR)
		snprintf(err, errlen,
			 "no gossipd is listening on %s (connect: %s); is the "
			 "daemon running, and is AdminSocket set the same?",
			 path, strerror(e));
	else if (e == EACCES || e == EPERM)
		snprintf(err, errlen,
			 "cannot connect to %s (connect: %s); the admin socket "
			 "is mode 0600: run this as the daemon's user or as "
			 "root",
			 path, strerror(e));
	else
		snprintf(err, errlen, "cannot connect to %s (connect: %s)",
			 path, strerror(e));
}

static int
unix_connect(const char *path, int64_t deadline, char *err, size_t errlen)
{
	struct sockaddr_un sa;
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(err, errlen,
			 "admin socket path is longer than %zu bytes: %s",
			 sizeof(sa.sun_path) - 1, path);
		return -1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	/* A full backlog gives EAGAIN: try again until the deadline. */
	while (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		if ((errno == EAGAIN || errno == EINTR) &&
		    clock_mono_ms() < deadline) {
			struct timespec ts = {0, 10 * 1000000L};

			nanosleep(&ts, NULL);
			continue;
		}
		connect_error(path, errno, err, errlen);
		close(fd);
		return -1;
	}
	return fd;
}

static int
send_all(int fd, const char *buf, size_t len, int64_t deadline,
	 const char *path, char *err, size_t errlen)
{
	ssize_t n;

	while (len > 0) {
		n = send(fd, buf, len, MSG_NOSIGNAL);
		if (n > 0) {
			buf += n;
			len -= (size_t)n;
			continue;
		}
		if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
			if (wait_fd(fd, POLLOUT, deadline))
				continue;
			snprintf(err, errlen, "%s: timed out sending", path);
			return -1;
		}
		snprintf(err, errlen, "%s: send: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* Reads and parses the answer into *a. Returns 0 or -1 with a reason. */
static int
read_answer(int fd, struct answer *a, int64_t deadline, int timeout_ms,
	    const char *path, char *err, size_t errlen)
{
	llhttp_settings_t settings;
	llhttp_t parser;
	char buf[8192];
	llhttp_errno_t e = HPE_OK;
	ssize_t n;

	llhttp_settings_init(&settings);
	settings.on_status = on_header_data;
	settings.on_header_field = on_header_data;
	settings.on_header_value = on_header_data;
	settings.on_body = on_body;
	settings.on_message_complete = on_complete;
	llhttp_init(&parser, HTTP_RESPONSE, &settings);
	parser.data = a;
	while (!a->done) {
		if (!wait_fd(fd, POLLIN, deadline)) {
			snprintf(err, errlen, "no answer from %s within %d ms",
				 path, timeout_ms);
			return -1;
		}
		n = recv(fd, buf, sizeof(buf), 0);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n < 0) {
			snprintf(err, errlen, "%s: recv: %s", path,
				 strerror(errno));
			return -1;
		}
		e = n == 0 ? llhttp_finish(&parser)
			   : llhttp_execute(&parser, buf, (size_t)n);
		if (e != HPE_OK && !a->done)
			break;
		if (n == 0)
			break;
	}
	if (a->done)
		return 0;
	if (a->too_big)
		snprintf(err, errlen, "%s: answer over %d bytes", path,
			 ADMIN_MAX_BODY);
	else if (e != HPE_OK)
		snprintf(err, errlen, "%s: bad HTTP answer: %s", path,
			 llhttp_get_error_reason(&parser) != NULL
			     ? llhttp_get_error_reason(&parser)
			     : llhttp_errno_name(e));
	else
		snprintf(err, errlen,
			 "%s: the daemon closed the connection "
			 "without an answer",
			 path);
	return -1;
}

static int
admin_request(const struct member_opts *o, const char *method, const char *body,
	      struct answer *a, char *err, size_t errlen)
{
	int64_t deadline = clock_mono_ms() + o->timeout_ms;
	char req[4096];
	int fd, n, rc = -1;

	n = snprintf(
	    req, sizeof(req),
	    "%s /admin/member HTTP/1.1\r\nHost: localhost\r\n"
	    "User-Agent: gossipd-member\r\nAccept: application/json\r\n"
	    "Connection: close\r\n",
	    method);
	if (body != NULL)
		n += snprintf(req + n, sizeof(req) - (size_t)n,
			      "Content-Type: application/json\r\n"
			      "Content-Length: %zu\r\n\r\n%s",
			      strlen(body), body);
	else
		n += snprintf(req + n, sizeof(req) - (size_t)n, "\r\n");
	if (n < 0 || (size_t)n >= sizeof(req)) {
		snprintf(err, errlen, "request too large");
		return -1;
	}
	fd = unix_connect(o->socket, deadline, err, errlen);
	if (fd < 0)
		return -1;
	if (send_all(fd, req, (size_t)n, deadline, o->socket, err, errlen) == 0)
		rc = read_answer(fd, a, deadline, o->timeout_ms, o->socket, err,
				 errlen);
	close(fd);
	return rc;
}

/* ---- printing ---- */

/*
 * The self entry, one "field  value" line each for a person, or as one
 * with --json the JSON exactly as received (also when not an object).
 */
static void
print_entry(const struct answer *a, bool compact)
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
			printf("%-25s %s\n", it->string, it->valuestring);
		else if (cJSON_IsNumber(it))
			printf("%-25s %.0f\n", it->string, it->valuedouble);
		else if (cJSON_IsBool(it))
			printf("%-25s %s\n", it->string,
			       cJSON_IsTrue(it) ? "true" : "false");
		else {
			s = cJSON_PrintUnformatted(it);
			printf("%-25s %s\n", it->string, s != NULL ? s : "?");
			free(s);
		}
	}
	cJSON_Delete(j);
}

/* The daemon's {"error": "..."} message, else a short note. */
static void
print_refusal(const struct answer *a, const char *what)
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

int
cmd_member(int argc, char **argv, char **envp)
{
	struct member_opts o;
	struct answer a;
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
	is_set = strcmp(argv[1], "set") == 0;
	if (!is_set && strcmp(argv[1], "show") != 0)
		return usage_error("unknown subcommand \"%s\" (set or show)",
				   argv[1]);
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
	if (admin_request(&o, is_set ? "PUT" : "GET", is_set ? body : NULL, &a,
			  err, sizeof(err)) != 0) {
		fprintf(stderr, "gossipd member: %s\n", err);
		rc = 1;
	} else if (a.status != 200) {
		print_refusal(&a, is_set ? "the update" : "the request");
		rc = 1;
	} else {
		print_entry(&a, o.json);
		rc = 0;
	}
	free(a.body);
	return rc;
}
