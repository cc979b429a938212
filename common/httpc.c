/*
 * httpc: outbound HTTP(S) to peers (see httpc.h and docs/modules/httpc.md).
 *
 * One client holds a small table of peers keyed by host:port, each with at
 * most one kept-alive connection and the last TLS session for resumption
 * (httpc_conn.c does the sockets and TLS). Every request runs against one
 * deadline, so a peer that accepts and then says nothing costs at most
 * timeout_ms. TLS material and RNG belong to the client: no globals.
 */
#include "httpc.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "httpc_conn.h"
#include "resolver.h"
#include "httpc_parse.h"
#include "node_auth.h"

#define PATH_MAX_LEN  2048
#define METHOD_MAX    16
#define READ_CHUNK    16384
#define REQ_HEAD_ROOM 512
#define CTYPE_MAX     127

/* ---- requests ------------------------------------------------------- */

static int
token_ok(const char *s, size_t max, int (*ok)(int))
{
	size_t n = 0;

	for (; s[n] != '\0'; n++) {
		if (n >= max || !ok((unsigned char)s[n]))
			return 0;
	}
	return n > 0;
}

static int
method_char(int ch)
{
	return ch >= 'A' && ch <= 'Z';
}

/* Visible ASCII: no space, CR, LF or other control (no header injection). */
static int
path_char(int ch)
{
	return ch > 0x20 && ch < 0x7f;
}

static int
ctype_char(int ch)
{
	return ch >= 0x20 && ch < 0x7f;
}

static int
host_char(int ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	       (ch >= '0' && ch <= '9') || ch == '.' || ch == '-' ||
	       ch == '_' || ch == ':';
}

/* Splits "[v6]" brackets off and checks the name; fills p's names. */
static int
peer_names(struct httpc_peer *p, const char *host, int port, char *err,
	   size_t errlen)
{
	size_t len = strlen(host);

	if (len >= 2 && host[0] == '[' && host[len - 1] == ']') {
		host++;
		len -= 2;
	}
	if (len == 0 || len > HOST_MAX) {
		snprintf(err, errlen, "invalid host name (length %zu)", len);
		return -1;
	}
	memcpy(p->host, host, len);
	p->host[len] = '\0';
	if (!token_ok(p->host, HOST_MAX, host_char)) {
		snprintf(err, errlen, "invalid host name \"%.64s\"", p->host);
		return -1;
	}
	if (port < 1 || port > 65535) {
		snprintf(err, errlen, "invalid port %d", port);
		return -1;
	}
	p->port = port;
	snprintf(p->name, sizeof p->name,
		 strchr(p->host, ':') ? "[%s]:%d" : "%s:%d", p->host, port);
	return 0;
}

static void
peer_free(struct httpc_peer *p)
{
	if (p == NULL)
		return;
	httpc_conn_close(p);
	httpc_conn_session_drop(p);
	free(p);
}

/* The peer entry for host:port, made (evicting the least recent) if new. */
static struct httpc_peer *
peer_get(struct httpc *c, const struct httpc_peer *want)
{
	struct httpc_peer *p;
	int i, free_slot = -1, oldest = -1;

	for (i = 0; i < HTTPC_MAX_PEERS; i++) {
		p = c->peers[i];
		if (p == NULL) {
			if (free_slot < 0)
				free_slot = i;
			continue;
		}
		if (p->port == want->port &&
		    strcasecmp(p->host, want->host) == 0)
			return p;
		if (!p->busy &&
		    (oldest < 0 || p->last_use < c->peers[oldest]->last_use))
			oldest = i;
	}
	if (free_slot < 0 && oldest < 0)
		return NULL; /* every peer has a request in flight */
	if (free_slot < 0) {
		peer_free(c->peers[oldest]);
		c->peers[oldest] = NULL;
		free_slot = oldest;
	}
	p = malloc(sizeof *p);
	if (p == NULL)
		return NULL;
	*p = *want;
	p->fd = -1;
	p->tls = 0;
	p->resumed = 0;
	p->have_session = 0;
	p->busy = 0;
	mbedtls_ssl_session_init(&p->session);
	c->peers[free_slot] = p;
	return p;
}

/* The request bytes, head and body in one buffer (one write, no Nagle). */
static char *
build_request(const struct httpc_peer *p, const char *method, const char *path,
	      const char *content_type, const char *headers, const void *body,
	      size_t body_len, size_t *out_len)
{
	int with_body =
	    body != NULL || body_len > 0 || strcmp(method, "POST") == 0 ||
	    strcmp(method, "PUT") == 0 || strcmp(method, "PATCH") == 0;
	size_t cap = REQ_HEAD_ROOM + strlen(path) + sizeof p->name +
		     (content_type ? strlen(content_type) : 0) +
		     (headers ? strlen(headers) : 0);
	char *req;
	int n;

	if (body_len > SIZE_MAX - cap)
		return NULL;
	req = malloc(cap + body_len);
	if (req == NULL)
		return NULL;
	n = snprintf(req, cap,
		     "%s %s HTTP/1.1\r\nHost: %s\r\n"
		     "Accept: application/json\r\nConnection: keep-alive\r\n",
		     method, path, p->name);
	if (with_body && content_type != NULL)
		n += snprintf(req + n, cap - (size_t)n, "Content-Type: %s\r\n",
			      content_type);
	if (with_body)
		n += snprintf(req + n, cap - (size_t)n,
			      "Content-Length: %zu\r\n", body_len);
	if (headers != NULL)
		n += snprintf(req + n, cap - (size_t)n, "%s", headers);
	n += snprintf(req + n, cap - (size_t)n, "\r\n");
	if (body_len > 0)
		memcpy(req + n, body, body_len);
	*out_len = (size_t)n + body_len;
	return req;
}

/*
 * Extra header lines: "Name: value\r\n" each, visible ASCII and spaces
 * only, CR only before LF, LF only after CR, ending with CRLF.
 */
static int
headers_ok(const char *h)
{
	size_t n = strlen(h);

	if (n == 0 || n > HTTPC_MAX_HEADER_BYTES || n < 2 || h[n - 2] != '\r' ||
	    h[n - 1] != '\n' || h[0] == '\r')
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)h[i];

		if (ch == '\r' && h[i + 1] == '\n' && h[i + 2] != '\r' &&
		    h[i + 2] != ' ' && h[i + 2] != '\t') {
			i++;
			continue;
		}
		if (ch < 0x20 || ch >= 0x7f)
			return 0;
	}
	return 1;
}

static int
check_request(const char *method, const char *path, const char *content_type,
	      const void *body, size_t body_len, int timeout_ms, char *err,
	      size_t errlen)
{
	if (method == NULL || !token_ok(method, METHOD_MAX, method_char)) {
		snprintf(err, errlen, "invalid HTTP method");
		return -1;
	}
	if (path == NULL || path[0] != '/' ||
	    !token_ok(path, PATH_MAX_LEN, path_char)) {
		snprintf(err, errlen, "invalid request path");
		return -1;
	}
	if (content_type != NULL &&
	    !token_ok(content_type, CTYPE_MAX, ctype_char)) {
		snprintf(err, errlen, "invalid content type");
		return -1;
	}
	if (body == NULL && body_len > 0) {
		snprintf(err, errlen, "body_len without a body");
		return -1;
	}
	if (timeout_ms <= 0) {
		snprintf(err, errlen, "invalid timeout %d ms", timeout_ms);
		return -1;
	}
	return 0;
}

/* ---- one request as a non-blocking state machine -------------------- */

enum op_stage { ST_DNS, ST_CONNECT, ST_TLS, ST_WRITE, ST_READ, ST_DONE };

struct httpc_op {
	struct httpc *c;
	struct httpc_peer *p;
	enum op_stage st;
	struct resolver_job *dns;
	struct addrinfo *res, *ai; /* addresses, the one being tried */
	struct addrinfo ux_ai;	   /* unix_socket: its one address */
	struct sockaddr_un ux_sa;
	int64_t retry_at; /* a full AF_UNIX backlog: connect again then */
	int last_errno;	  /* of the last failed connect */
	char *req;
	size_t req_len, off;
	int head;
	int reused;	  /* on a kept-alive connection */
	int64_t deadline; /* CLOCK_MONOTONIC ms */
	int timeout_ms;
	struct httpc_parser hp;
	int hp_live;
	int rc;		     /* ST_DONE: 0 success, -1 failure */
	enum httpc_err kind; /* of the failure (reason in err) */
	struct httpc_response resp;
	char what[sizeof(((struct httpc_peer *)0)->name) + PATH_MAX_LEN +
		  METHOD_MAX + 8]; /* "POST /gossip to 10.0.0.1:2113" */
	char err[1024];
};

/* The reason into op->err (cut to its size). */
static void __attribute__((format(printf, 2, 3)))
op_say(struct httpc_op *op, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(op->err, sizeof op->err, fmt, ap);
	va_end(ap);
}

static int
op_fail(struct httpc_op *op, enum httpc_err kind, int close_conn)
{
	op->st = ST_DONE;
	op->rc = -1;
	op->kind = kind;
	if (close_conn)
		httpc_conn_close(op->p);
	return 1;
}

/* The stage's words for a deadline that passed. */
static int
op_timed_out(struct httpc_op *op)
{
	const char *stage = "", *name = op->p->name;

	switch (op->st) {
	case ST_DNS:
		stage = "resolve ";
		name = op->p->host;
		break;
	case ST_CONNECT:
		stage = "connect ";
		if (op->c->unix_path[0] != '\0')
			name = op->c->unix_path;
		op->c->last_errno = ETIMEDOUT;
		break;
	case ST_TLS:
		httpc_conn_session_drop(op->p);
		stage = "TLS handshake with ";
		break;
	default:
		name = op->what;
		break;
	}
	op_say(op, "%s%s: timed out after %d ms", stage, name, op->timeout_ms);
	return op_fail(op, HTTPC_ERR_TIMEOUT, 1);
}

static int
op_io_fail(struct httpc_op *op, const char *doing)
{
	struct httpc_peer *p = op->p;

	if (p->io_errno != 0) {
		op_say(op, "%s: %s: %s", op->what, doing,
		       strerror(p->io_errno));
	} else {
		char what[300];

		/* A long peer name is cut: the reason that follows matters
		 * more than the end of the name. */
		if (snprintf(what, sizeof what, "%.280s: %s", op->what,
			     doing) >= (int)sizeof what)
			what[sizeof what - 2] = '~';
		mbed_err(op->err, sizeof op->err, what, p->tls_err);
	}
	return op_fail(op, HTTPC_ERR_IO, 1);
}

static int
op_resolve(struct httpc_op *op)
{
	unsigned char a[sizeof(struct in6_addr)];
	int is_ip = inet_pton(AF_INET, op->p->host, a) == 1 ||
		    inet_pton(AF_INET6, op->p->host, a) == 1;
	char why[300];
	int rc;

	op->last_errno = ECONNREFUSED;
	if (op->c->unix_path[0] != '\0') {
		/* The local server: one address, no resolution. */
		memset(&op->ux_sa, 0, sizeof op->ux_sa);
		op->ux_sa.sun_family = AF_UNIX;
		memcpy(op->ux_sa.sun_path, op->c->unix_path,
		       strlen(op->c->unix_path) + 1);
		memset(&op->ux_ai, 0, sizeof op->ux_ai);
		op->ux_ai.ai_family = AF_UNIX;
		op->ux_ai.ai_socktype = SOCK_STREAM;
		op->ux_ai.ai_addr = (struct sockaddr *)&op->ux_sa;
		op->ux_ai.ai_addrlen = sizeof op->ux_sa;
		op->ai = &op->ux_ai;
		op->st = ST_CONNECT;
		return 0;
	}
	rc = resolver_start(op->p->host, op->p->port, is_ip, &op->dns, &op->res,
			    why, sizeof why);
	if (rc < 0) {
		op_say(op, "resolve %s: %.300s", op->p->host, why);
		return op_fail(op, HTTPC_ERR_RESOLVE, 0);
	}
	op->st = rc > 0 ? ST_CONNECT : ST_DNS;
	op->ai = op->res;
	return 0;
}

/* Back to a fresh connection (a kept-alive one the server had closed). */
static void
op_redial(struct httpc_op *op)
{
	httpc_conn_close(op->p);
	op->reused = 0;
	op->off = 0;
	if (op->hp_live)
		httpc_parser_free(&op->hp);
	op->hp_live = 0;
	op_resolve(op);
}

/* Advances the connect stage: 0 connected, 1 waiting, -1 done (failed). */
static int
op_connect(struct httpc_op *op, short *events)
{
	struct httpc_peer *p = op->p;

	for (;;) {
		if (p->fd >= 0) {
			if (httpc_conn_connect_done(p->fd) == 0)
				return 0;
			op->last_errno = errno;
			close(p->fd);
			p->fd = -1;
			op->ai = op->ai->ai_next;
		}
		if (op->ai == NULL) {
			op->c->last_errno = op->last_errno;
			op_say(op, "connect %s: %s",
			       op->c->unix_path[0] != '\0' ? op->c->unix_path
							   : p->name,
			       strerror(op->last_errno));
			op_fail(op, HTTPC_ERR_CONNECT, 0);
			return -1;
		}
		if (op->retry_at > clock_mono_ms())
			return 1; /* a timer: no socket to wait on */
		switch (httpc_conn_connect_start(op->ai, &p->fd)) {
		case 0:
			return 0;
		case 1:
			*events = POLLOUT;
			return 1;
		default:
			op->last_errno = errno;
			if (errno == EAGAIN && op->ai->ai_family == AF_UNIX) {
				/* A full backlog: again in a moment. */
				op->retry_at =
				    clock_mono_ms() + HTTPC_OP_POLL_MS;
				return 1;
			}
			op->ai = op->ai->ai_next;
			break;
		}
	}
}

/* Reads and parses; 1 when finished (either way), 0 waiting. */
static int
op_read(struct httpc_op *op, short *events)
{
	struct httpc_peer *p = op->p;
	char buf[READ_CHUNK];
	size_t n = 0, extra = 0;
	int rc = 0, reset = 0;
	enum io_result r;

	while (rc == 0) {
		r = httpc_conn_try_read(p, buf, sizeof buf, &n, events, &reset);
		if (r == IO_WANT)
			return 0;
		if (r == IO_OK) {
			rc = httpc_parser_feed(&op->hp, buf, n, &extra, op->err,
					       sizeof op->err);
		} else if (r == IO_EOF || (r == IO_FAIL && reset)) {
			if (!op->hp.seen_bytes) {
				if (op->reused) {
					/* A kept-alive connection the server
					 * had just closed: once more, anew. */
					op_redial(op);
					return 0;
				}
				op_say(op,
				       "%s: connection closed by the server "
				       "before any response",
				       op->what);
				return op_fail(op, HTTPC_ERR_IO, 1);
			}
			if (r != IO_EOF)
				return op_io_fail(op, "reading the response");
			rc = httpc_parser_eof(&op->hp, op->err, sizeof op->err);
			extra = 1; /* the connection is gone */
			if (rc < 0)
				op->kind = HTTPC_ERR_IO; /* cut mid-answer */
		} else {
			return op_io_fail(op, "reading the response");
		}
	}
	if (rc == 1 && httpc_parser_take(&op->hp, &op->resp, op->err,
					 sizeof op->err) == 0) {
		int keep = extra == 0 && httpc_parser_keep_alive(&op->hp);

		op->resp.conn_reused = op->reused;
		op->resp.tls_resumed = p->resumed;
		op->resp.peer_not_after = httpc_conn_peer_not_after(p);
		if (!keep)
			httpc_conn_close(p);
		p->idle_since = clock_mono_ms();
		op->st = ST_DONE;
		op->rc = 0;
		return 1;
	}
	if (strncmp(op->err, op->what, strlen(op->what)) != 0) {
		/* Parser reasons get the request as context. */
		char reason[256];

		snprintf(reason, sizeof reason, "%.255s", op->err);
		op_say(op, "%s: %s", op->what, reason);
	}
	return op_fail(
	    op, op->kind == HTTPC_ERR_IO ? HTTPC_ERR_IO : HTTPC_ERR_HTTP, 1);
}

int
httpc_op_step(struct httpc_op *op, int *fd, short *events)
{
	struct httpc_peer *p = op->p;
	char why[300];
	int reset = 0, rc;

	*fd = -1;
	*events = 0;
	for (;;) {
		if (op->st == ST_DONE)
			return 1;
		if (clock_mono_ms() >= op->deadline)
			return op_timed_out(op);
		switch (op->st) {
		case ST_DNS:
			rc = resolver_poll(op->dns, &op->res, why, sizeof why);
			if (rc == 0)
				return 0; /* a timer: poll again soon */
			op->dns = NULL;
			if (rc < 0) {
				op_say(op, "resolve %s: %.300s", p->host, why);
				return op_fail(op, HTTPC_ERR_RESOLVE, 0);
			}
			op->ai = op->res;
			op->st = ST_CONNECT;
			break;
		case ST_CONNECT:
			rc = op_connect(op, events);
			if (rc < 0)
				return 1;
			if (rc > 0) {
				*fd = p->fd; /* -1: on a timer */
				return 0;
			}
			if (op->c->conf == NULL) {
				op->st = ST_WRITE;
			} else if (httpc_conn_tls_start(op->c, p, op->err,
							sizeof op->err) != 0) {
				return op_fail(op, HTTPC_ERR_LOCAL, 1);
			} else {
				op->st = ST_TLS;
			}
			break;
		case ST_TLS:
			rc = httpc_conn_tls_step(op->c, p, events, op->err,
						 sizeof op->err);
			if (rc < 0)
				return op_fail(op, p->fail, 1);
			if (rc > 0) {
				*fd = p->fd;
				return 0;
			}
			op->st = ST_WRITE;
			break;
		case ST_WRITE:
			p->io_errno = 0;
			p->tls_err = 0;
			switch (httpc_conn_try_write(p, op->req, op->req_len,
						     &op->off, events,
						     &reset)) {
			case IO_WANT:
				*fd = p->fd;
				return 0;
			case IO_OK:
				httpc_parser_init(&op->hp, op->c->max_body,
						  op->head);
				op->hp_live = 1;
				op->st = ST_READ;
				break;
			default:
				if (op->reused && reset) {
					op_redial(op);
					break;
				}
				return op_io_fail(op, "sending the request");
			}
			break;
		case ST_READ:
			if (op_read(op, events) != 0)
				return 1;
			if (op->st == ST_READ) {
				*fd = p->fd;
				return 0;
			}
			break; /* redialling */
		case ST_DONE:
			return 1;
		}
	}
}

/* p's kept-alive connection is closed: its server would not pass a new
 * handshake now (why). */
static void
closed_untrusted(const struct httpc *c, const struct httpc_peer *p,
		 const char *why)
{
	if (c->on_closed != NULL)
		c->on_closed(c->on_closed_ctx, p->name, why);
}

struct httpc_op *
httpc_op_start(struct httpc *c, const char *host, int port, const char *method,
	       const char *path, const char *content_type, const char *headers,
	       const void *body, size_t body_len, int timeout_ms, char *err,
	       size_t errlen)
{
	struct httpc_peer want, *p;
	struct httpc_op *op;
	char why[320] = "";

	memset(&want, 0, sizeof want);
	c->last_errno = 0;
	if (host == NULL || peer_names(&want, host, port, err, errlen) != 0 ||
	    check_request(method, path, content_type, body, body_len,
			  timeout_ms, err, errlen) != 0)
		return NULL;
	if (headers != NULL && !headers_ok(headers)) {
		snprintf(err, errlen, "invalid extra header lines");
		return NULL;
	}
	op = calloc(1, sizeof *op);
	if (op == NULL) {
		snprintf(err, errlen, "out of memory for a request");
		return NULL;
	}
	p = peer_get(c, &want);
	if (p == NULL || p->busy) {
		snprintf(err, errlen,
			 p == NULL ? "no room for a request to %s"
				   : "a request to %s is already in flight",
			 want.name);
		free(op);
		return NULL;
	}
	op->req = build_request(&want, method, path, content_type, headers,
				body, body_len, &op->req_len);
	if (op->req == NULL) {
		snprintf(err, errlen, "out of memory for a request");
		free(op);
		return NULL;
	}
	op->c = c;
	op->p = p;
	p->busy = 1;
	p->last_use = ++c->clock;
	snprintf(op->what, sizeof op->what, "%s %s to %s", method, path,
		 c->unix_path[0] != '\0' ? c->unix_path : p->name);
	op->head = strcmp(method, "HEAD") == 0;
	op->timeout_ms = timeout_ms;
	op->deadline = clock_mono_ms() + timeout_ms;
	if (p->fd >= 0 && clock_mono_ms() - p->idle_since <= c->max_idle_ms &&
	    httpc_conn_idle_ok(c, p, why, sizeof why)) {
		op->reused = 1;
		op->st = ST_WRITE;
	} else {
		if (p->fd >= 0 && why[0] != '\0')
			closed_untrusted(c, p, why);
		httpc_conn_close(p);
		op_resolve(op);
	}
	return op;
}

int64_t
httpc_op_deadline(const struct httpc_op *op)
{
	return op->deadline;
}

enum httpc_err
httpc_op_finish(struct httpc_op *op, struct httpc_response *resp, char *err,
		size_t errlen)
{
	enum httpc_err rc;

	memset(resp, 0, sizeof *resp);
	if (op == NULL) {
		snprintf(err, errlen, "no request");
		return HTTPC_ERR_LOCAL;
	}
	if (op->st != ST_DONE) {
		/* Abandoned half-way: the connection is in no known state. */
		httpc_conn_close(op->p);
		if (op->st == ST_TLS)
			httpc_conn_session_drop(op->p);
		op_say(op, "%s: abandoned", op->what);
		op->rc = -1;
		op->kind = HTTPC_ERR_LOCAL;
	}
	rc = op->rc == 0 ? HTTPC_OK : op->kind;
	if (rc == HTTPC_OK) {
		*resp = op->resp;
	} else {
		snprintf(err, errlen, "%s", op->err);
		httpc_response_free(&op->resp);
	}
	resolver_cancel(op->dns);
	if (op->res != NULL)
		freeaddrinfo(op->res);
	if (op->hp_live)
		httpc_parser_free(&op->hp);
	op->p->busy = 0;
	free(op->req);
	free(op);
	return rc;
}

/* Waits until fd is ready or the deadline passes (poll's EINTR: again). */
static void
wait_fd(int fd, short events, int64_t deadline)
{
	int64_t left = deadline - clock_mono_ms();
	struct pollfd pfd = {.fd = fd, .events = events};

	if (left <= 0)
		return;
	if (fd < 0 && left > HTTPC_OP_POLL_MS)
		left = HTTPC_OP_POLL_MS; /* a lookup under way */
	(void)poll(&pfd, fd >= 0 ? 1 : 0, (int)left);
}

enum httpc_err
httpc_request(struct httpc *c, const char *host, int port, const char *method,
	      const char *path, const char *content_type, const void *body,
	      size_t body_len, int timeout_ms, struct httpc_response *resp,
	      char *err, size_t errlen)
{
	struct httpc_op *op;
	short events;
	int fd;

	memset(resp, 0, sizeof *resp);
	op = httpc_op_start(c, host, port, method, path, content_type, NULL,
			    body, body_len, timeout_ms, err, errlen);
	if (op == NULL)
		return HTTPC_ERR_LOCAL;
	while (httpc_op_step(op, &fd, &events) == 0)
		wait_fd(fd, events, op->deadline);
	return httpc_op_finish(op, resp, err, errlen);
}

void
httpc_handshake_counts(const struct httpc *c, unsigned long *full,
		       unsigned long *resumed)
{
	*full = c->handshakes_full;
	*resumed = c->handshakes_resumed;
}

void
httpc_response_free(struct httpc_response *resp)
{
	if (resp == NULL)
		return;
	free(resp->body);
	resp->body = NULL;
	resp->body_len = 0;
}

/* ---- the client ----------------------------------------------------- */

struct httpc *
httpc_new(const struct httpc_config *cfg, char *err, size_t errlen)
{
	static const char pers[] = "gossipd httpc";
	struct httpc *c = calloc(1, sizeof *c);
	int ret;

	if (c == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	mbedtls_entropy_init(&c->entropy);
	mbedtls_ctr_drbg_init(&c->drbg);
	mbedtls_x509_crt_init(&c->ca);
	mbedtls_x509_crt_init(&c->cert);
	mbedtls_pk_init(&c->key);
	c->max_body = cfg->max_body ? cfg->max_body : HTTPC_MAX_BODY_DEFAULT;
	c->on_closed = cfg->on_closed;
	c->on_closed_ctx = cfg->on_closed_ctx;
	c->max_idle_ms =
	    cfg->max_idle_ms > 0 ? cfg->max_idle_ms : HTTPC_MAX_IDLE_MS_DEFAULT;
	if (cfg->unix_socket != NULL) {
		if (strlen(cfg->unix_socket) > HTTPC_UNIX_PATH_MAX ||
		    cfg->unix_socket[0] == '\0') {
			snprintf(err, errlen,
				 "socket path is empty or longer than %d "
				 "bytes: %.128s",
				 HTTPC_UNIX_PATH_MAX, cfg->unix_socket);
			httpc_free(c);
			return NULL;
		}
		snprintf(c->unix_path, sizeof c->unix_path, "%s",
			 cfg->unix_socket);
		c->plain = 1;
		return c;
	}
	c->plain =
	    cfg->plain_http || (cfg->creds == NULL && cfg->ca_file == NULL &&
				cfg->cert_file == NULL &&
				cfg->key_file == NULL && !cfg->verify_none);
	if (c->plain)
		return c;
	c->verify = !cfg->verify_none;
	ret =
	    mbedtls_ctr_drbg_seed(&c->drbg, mbedtls_entropy_func, &c->entropy,
				  (const unsigned char *)pers, sizeof pers - 1);
	if (ret != 0) {
		mbed_err(err, errlen, "seeding the random generator", ret);
		goto fail;
	}
	if (cfg->creds != NULL) {
		c->creds = tls_creds_ref(cfg->creds);
		c->conf = httpc_conn_conf_new(c, &c->creds->trusted, NULL,
					      &c->creds->chain, &c->creds->key,
					      err, errlen);
	} else {
		if (httpc_conn_load_files(c, cfg, err, errlen) != 0)
			goto fail;
		c->conf = httpc_conn_conf_new(c, &c->ca, NULL,
					      c->cert.version ? &c->cert : NULL,
					      &c->key, err, errlen);
	}
	if (c->conf == NULL)
		goto fail;
	return c;
fail:
	httpc_free(c);
	return NULL;
}

void
httpc_set_max_body(struct httpc *c, size_t max_body)
{
	c->max_body = max_body ? max_body : HTTPC_MAX_BODY_DEFAULT;
}

int
httpc_peer_warm(const struct httpc *c, const char *host, int port)
{
	for (int i = 0; c != NULL && !c->plain && i < HTTPC_MAX_PEERS; i++) {
		const struct httpc_peer *p = c->peers[i];

		if (p != NULL && p->port == port &&
		    strcasecmp(p->host, host) == 0)
			return p->have_session || (p->fd >= 0 && p->tls);
	}
	return 0;
}

int
httpc_last_errno(const struct httpc *c)
{
	return c->last_errno;
}

void
httpc_close_idle(struct httpc *c)
{
	for (int i = 0; c != NULL && i < HTTPC_MAX_PEERS; i++) {
		if (c->peers[i] != NULL)
			httpc_conn_close(c->peers[i]);
	}
}

/*
 * Every connection and saved session was made with the old credentials;
 * a session resumed after a reload would skip the new trust store and
 * CRL, so both go now (the client is thread-confined: none is in use).
 */
bool
httpc_peer_still_trusted(const struct tls_creds *creds,
			 const mbedtls_x509_crt *crt, const char *host,
			 time_t *not_after, char *why, size_t whylen)
{
	if (crt == NULL || crt->raw.p == NULL) {
		snprintf(why, whylen, "no server certificate");
		return false;
	}
	/* mbedTLS takes the chain as non-const; it only reads it. A resumed
	 * connection or a saved session keeps the leaf alone: one an
	 * intermediate signed is verified with the issuer the set holds, in
	 * full against the roots (tls_creds_verify_resumed), not refused as
	 * "not signed by a trusted CA" at every reload. */
	if (tls_creds_verify_resumed(creds, (mbedtls_x509_crt *)crt, not_after,
				     why, whylen) != 0)
		return false;
	return node_auth_peer_verdict(crt, creds->reserved_cn, host, why,
				      whylen) == ID_NODE;
}

/* Frees the replaced configurations no live connection uses any more. */
static void
retired_gc(struct httpc *c)
{
	for (int r = 0; r < HTTPC_MAX_RETIRED; r++) {
		bool used = false;

		if (c->retired[r].conf == NULL)
			continue;
		for (int i = 0; i < HTTPC_MAX_PEERS && !used; i++)
			used = c->peers[i] != NULL && c->peers[i]->tls &&
			       c->peers[i]->ssl.conf == c->retired[r].conf;
		if (used)
			continue;
		httpc_conn_conf_free(c->retired[r].conf);
		tls_creds_unref(c->retired[r].creds);
		c->retired[r].conf = NULL;
		c->retired[r].creds = NULL;
	}
}

/* A slot for the configuration being replaced: a free one, or the oldest
 * one's, whose connections are closed. */
static int
retired_slot(struct httpc *c)
{
	retired_gc(c);
	for (int r = 0; r < HTTPC_MAX_RETIRED; r++)
		if (c->retired[r].conf == NULL)
			return r;
	for (int i = 0; i < HTTPC_MAX_PEERS; i++)
		if (c->peers[i] != NULL && c->peers[i]->tls &&
		    c->peers[i]->ssl.conf == c->retired[0].conf)
			httpc_conn_close(c->peers[i]);
	retired_gc(c);
	memmove(&c->retired[0], &c->retired[1],
		(HTTPC_MAX_RETIRED - 1) * sizeof(c->retired[0]));
	c->retired[HTTPC_MAX_RETIRED - 1].conf = NULL;
	c->retired[HTTPC_MAX_RETIRED - 1].creds = NULL;
	return HTTPC_MAX_RETIRED - 1;
}

void
httpc_set_creds(struct httpc *c, struct tls_creds *creds)
{
	mbedtls_ssl_config *conf;
	char err[300];
	int slot;

	if (c == NULL || c->plain || creds == NULL || creds == c->creds)
		return;
	tls_creds_ref(creds);
	conf = httpc_conn_conf_new(c, &creds->trusted, NULL, &creds->chain,
				   &creds->key, err, sizeof err);
	if (conf == NULL) {
		/* Out of memory: the old credentials stay. */
		tls_creds_unref(creds);
		return;
	}
	/* Each pooled connection and saved session is judged again under
	 * the new set; what fails is closed or forgotten now. */
	for (int i = 0; i < HTTPC_MAX_PEERS; i++) {
		struct httpc_peer *p = c->peers[i];

		if (p == NULL)
			continue;
		/* counted before the judgement, as at a handshake */
		p->crl_stale_seen =
		    httpc_conn_crl_stale_count(creds, time(NULL));
		if (p->tls && p->fd >= 0 &&
		    !httpc_peer_still_trusted(
			creds, mbedtls_ssl_get_peer_cert(&p->ssl), p->host,
			&p->path_not_after, err, sizeof err)) {
			strncat(err, " (reload)", sizeof err - strlen(err) - 1);
			closed_untrusted(c, p, err);
			httpc_conn_close(p);
		}
		if (p->have_session &&
		    !httpc_peer_still_trusted(creds, p->session.peer_cert,
					      p->host, NULL, err, sizeof err))
			httpc_conn_session_drop(p);
	}
	/* the connections kept still use the old configuration */
	slot = retired_slot(c);
	c->retired[slot].conf = c->conf;
	c->retired[slot].creds = c->creds;
	c->conf = conf;
	c->creds = creds;
	retired_gc(c);
}

void
httpc_free(struct httpc *c)
{
	if (c == NULL)
		return;
	for (int i = 0; i < HTTPC_MAX_PEERS; i++)
		peer_free(c->peers[i]);
	for (int r = 0; r < HTTPC_MAX_RETIRED; r++) {
		httpc_conn_conf_free(c->retired[r].conf);
		tls_creds_unref(c->retired[r].creds);
	}
	httpc_conn_conf_free(c->conf);
	tls_creds_unref(c->creds);
	mbedtls_x509_crt_free(&c->ca);
	mbedtls_x509_crt_free(&c->cert);
	mbedtls_pk_free(&c->key);
	mbedtls_ctr_drbg_free(&c->drbg);
	mbedtls_entropy_free(&c->entropy);
	free(c);
}
