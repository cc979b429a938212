/*
 * routes: the dispatch table behind libmicrohttpd, body collection within
 * the configured bound, method and identity checks, the small built-in
 * endpoints, and the response helpers every handler uses.
 */
#include "routes.h"

#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "access.h"
#include "builtin_routes.h"
#include "clock.h"
#include "conn_info.h"
#include "gossip_routes.h"
#include "httpc.h"
#include "health_routes.h"
#include "log.h"
#include "metrics.h"
#include "num.h"
#include "ratelimit.h"
#include "worker.h"

/*
 * A body over the limit whose length was not announced (chunked) is read
 * to its end and dropped, so that it can be answered 413: libmicrohttpd
 * 0.9.75 cannot queue an answer while a body is being uploaded. Up to this
 * many times the limit (and within RequestTimeoutMs); beyond, the
 * connection is cut, with a log line.
 */
#define DISCARD_FACTOR 64

#define DENIED_LOGS_PER_S 10

enum method_bit { M_GET = 1, M_HEAD = 2, M_POST = 4, M_PUT = 8 };

struct route {
	const char *path;
	unsigned methods;
	route_fn fn;
	enum access_rule auth;
	bool json_body; /* the body must be application/json */
};

struct req_ctx {
	struct request r;
	const struct route *route;
	char *body;
	size_t len, cap;
	size_t discarded;
	bool too_big;
	bool answered;
	unsigned v_status; /* a refusal decided at the headers, or 0 */
	const char *v_msg;
	unsigned v_allow; /* the methods for a 405 */
	struct conn_info *ci;
};

static const struct route route_table[] = {
    {"/gossip", M_GET | M_HEAD, route_gossip_read, ACCESS_GOSSIP_READ, false},
    {"/gossip", M_POST, route_gossip_post, ACCESS_NODE, true},
    {"/gossip/probe", M_POST, route_gossip_probe, ACCESS_NODE, true},
    {"/health/live", M_GET | M_HEAD, route_health_live, ACCESS_ANY, false},
    {"/health/ready", M_GET | M_HEAD, route_health_ready, ACCESS_ANY, false},
    {"/members/health", M_GET | M_HEAD, route_members_health, ACCESS_METRICS,
     false},
    {"/ping", M_GET | M_HEAD, route_ping, ACCESS_ANY, false},
    {"/info", M_GET | M_HEAD, route_info, ACCESS_ANY, false},
    {"/metrics", M_GET | M_HEAD, route_metrics, ACCESS_METRICS, false},
    {"/admin/reloadconfig", M_POST, route_reload_config, ACCESS_ADMIN_CHANGE,
     false},
    {"/admin/member/remove", M_POST, route_admin_member_remove,
     ACCESS_ADMIN_CHANGE, true},
    {"/admin/member", M_PUT, route_admin_member_put, ACCESS_ADMIN_CHANGE, true},
    {"/admin/member", M_GET | M_HEAD, route_admin_member_get,
     ACCESS_NODE_OR_ADMIN, false},
};
#define N_ROUTES (sizeof(route_table) / sizeof(route_table[0]))

/* ---- response helpers ------------------------------------------------ */

static enum MHD_Result
queue(struct request *r, unsigned status, const char *content_type,
      struct MHD_Response *resp)
{
	enum MHD_Result ret;

	if (resp == NULL)
		return MHD_NO;
	if (content_type != NULL)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
					content_type);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL,
				"no-cache");
	/* Our cluster's name beside every answer: a node that dials us
	 * checks it (ClusterId). */
	if (r->cfg->cluster_id != NULL)
		MHD_add_response_header(resp, HTTPC_CLUSTER_ID_HEADER,
					r->cfg->cluster_id);
	/* While stopping, every answer is the connection's last. */
	if (atomic_load(&r->d->phase) == PHASE_STOPPING)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION,
					"close");
	ret = MHD_queue_response(r->conn, status, resp);
	MHD_destroy_response(resp);
	if (ret == MHD_YES)
		metrics_request(status);
	return ret;
}

enum MHD_Result
respond_bytes(struct request *r, unsigned status, const char *content_type,
	      const void *body, size_t len)
{
	struct MHD_Response *resp = MHD_create_response_from_buffer(
	    len, (void *)(uintptr_t)body, MHD_RESPMEM_MUST_COPY);

	return queue(r, status, content_type, resp);
}

static void
unref_shared(void *cls)
{
	shared_buf_unref(cls);
}

/* Answers with a shared buffer, without copying; takes its own reference. */
static enum MHD_Result
respond_shared(struct request *r, unsigned status, const char *content_type,
	       struct shared_buf *buf)
{
	struct MHD_Response *resp;

	if (buf == NULL)
		return MHD_NO;
	resp = MHD_create_response_from_buffer_with_free_callback_cls(
	    buf->len, buf->data, unref_shared, buf);
	if (resp == NULL)
		return MHD_NO;
	shared_buf_ref(buf); /* dropped by unref_shared with the response */
	return queue(r, status, content_type, resp);
}

enum MHD_Result
respond_rendered(struct request *r, const char *content_type,
		 struct shared_buf *buf, const char *why)
{
	enum MHD_Result ret;

	if (buf == NULL)
		return respond_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR, why);
	ret = respond_shared(r, MHD_HTTP_OK, content_type, buf);
	shared_buf_unref(buf);
	return ret;
}

enum MHD_Result
respond_refused(struct request *r, const char *msg)
{
	return respond_error(r,
			     r->identity == ID_ANONYMOUS ? MHD_HTTP_UNAUTHORIZED
							 : MHD_HTTP_FORBIDDEN,
			     msg);
}

/* Writes s into out as the inside of a JSON string, truncated to fit. */
static void
json_escape(char *out, size_t cap, const char *s)
{
	size_t n = 0;

	for (; *s != '\0' && n + 7 < cap; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\') {
			out[n++] = '\\';
			out[n++] = (char)c;
		} else if (c < 0x20 || c == 0x7f) {
			n += (size_t)snprintf(out + n, cap - n, "\\u%04x", c);
		} else {
			out[n++] = (char)c;
		}
	}
	out[n] = '\0';
}

enum MHD_Result
respond_error(struct request *r, unsigned status, const char *msg)
{
	char esc[1024], body[1100];
	int n;

	json_escape(esc, sizeof(esc), msg);
	n = snprintf(body, sizeof(body), "{\"error\":\"%s\"}", esc);
	return respond_bytes(r, status, CT_JSON, body, (size_t)n);
}

enum MHD_Result
respond_empty(struct request *r, unsigned status)
{
	return respond_bytes(r, status, NULL, "", 0);
}

const char *
request_arg(struct request *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND,
					   name);
}

const char *
request_header(struct request *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

/* ---- dispatch -------------------------------------------------------- */

static unsigned
method_bit(const char *method)
{
	static const struct {
		const char *name;
		unsigned bit;
	} map[] = {
	    {"GET", M_GET}, {"HEAD", M_HEAD}, {"POST", M_POST}, {"PUT", M_PUT}};
	size_t i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(method, map[i].name) == 0)
			return map[i].bit;
	return 0;
}

static enum MHD_Result
respond_405(struct request *r, unsigned allowed)
{
	static const char *const names[] = {"GET", "HEAD", "POST", "PUT"};
	char allow[64] = "";
	struct MHD_Response *resp;
	static const char body[] = "{\"error\":\"method not allowed\"}";
	size_t i, n = 0;

	for (i = 0; i < 4; i++) {
		if ((allowed & (1u << i)) == 0)
			continue;
		n += (size_t)snprintf(allow + n, sizeof(allow) - n, "%s%s",
				      n > 0 ? ", " : "", names[i]);
	}
	resp = MHD_create_response_from_buffer(
	    sizeof(body) - 1, (void *)(uintptr_t)body, MHD_RESPMEM_PERSISTENT);
	if (resp == NULL)
		return MHD_NO;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, allow);
	return queue(r, MHD_HTTP_METHOD_NOT_ALLOWED, CT_JSON, resp);
}

static void
refuse(struct req_ctx *c, unsigned status, const char *msg)
{
	c->v_status = status;
	c->v_msg = msg;
}

/* Finds the route; decides 404 or 405 and returns NULL then. */
static const struct route *
find_route(struct req_ctx *c)
{
	unsigned bit = method_bit(c->r.method), allowed = 0;
	size_t i;

	for (i = 0; i < N_ROUTES; i++) {
		if (strcmp(route_table[i].path, c->r.path) != 0)
			continue;
		if ((route_table[i].methods & bit) != 0)
			return &route_table[i];
		allowed |= route_table[i].methods;
	}
	if (allowed == 0)
		refuse(c, MHD_HTTP_NOT_FOUND, "not found");
	else
		refuse(c, MHD_HTTP_METHOD_NOT_ALLOWED, NULL);
	c->v_allow = allowed;
	return NULL;
}

struct access_switches
routes_access_switches(const struct gossipd_config *cfg)
{
	return (struct access_switches){
	    .gossip_requires_client_cert = cfg->gossip_requires_client_cert,
	    .metrics_requires_node = cfg->metrics_requires_node,
	    .admin_over_https = cfg->admin_over_https,
	    .metrics_requires_client_cert = cfg->metrics_requires_client_cert,
	};
}

/* Applies the route's identity rule: 0 to go on, else the status. */
static unsigned
auth_check(const struct request *r, enum access_rule rule)
{
	const struct access_switches sw = routes_access_switches(r->cfg);

	switch (access_check(rule, r->identity, &sw)) {
	case ACCESS_OK:
		return 0;
	case ACCESS_UNAUTHENTICATED:
		return MHD_HTTP_UNAUTHORIZED;
	default:
		return MHD_HTTP_FORBIDDEN;
	}
}
/* A denial line through the worker's refusal limiter (keyed on peer
 * address and reason, summarised when its window ends). */
static void __attribute__((format(printf, 4, 5)))
denied_line(struct worker *w, const struct log_fields *f, const char *req,
	    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	worker_vlog_refusal(w, f, req, fmt, ap);
	va_end(ap);
}

/* One line per refused request: per peer address and reason through the
 * worker's limiter (outside a worker, at most DENIED_LOGS_PER_S a
 * second). */
static void
log_denied(const struct req_ctx *c, unsigned status)
{
	static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
	static struct ratelimit rl = {.window_ms = 1000,
				      .burst = DENIED_LOGS_PER_S};
	struct worker *w = worker_current();
	const char *why = "no client certificate was presented", *what;
	struct log_fields f;
	bool allow;

	if (status == MHD_HTTP_FORBIDDEN &&
	    c->route->auth == ACCESS_ADMIN_CHANGE && c->r.identity == ID_NODE)
		why = "AdminOverHttps is off";
	else if (status == MHD_HTTP_FORBIDDEN)
		why = c->ci != NULL && c->ci->why_not_node[0] != '\0'
			  ? c->ci->why_not_node
			  : "not a cluster node";
	else if (c->ci != NULL && c->ci->identity == ID_ANONYMOUS &&
		 c->ci->why_not_node[0] != '\0')
		/* a certificate not usable for client authentication
		 * counts as none, and says why */
		why = c->ci->why_not_node;
	what = c->route->auth == ACCESS_GOSSIP_READ ||
		       (c->route->auth == ACCESS_METRICS &&
			!c->r.cfg->metrics_requires_node)
		   ? "trusted clients"
	       : c->route->auth == ACCESS_ADMIN_CHANGE ? "the admin socket"
						       : "cluster nodes";
	f = (struct log_fields){.peer = c->r.peer_addr,
				.reason = why,
				.cn = c->r.peer_cn[0] != '\0' ? c->r.peer_cn
							      : NULL};
	if (w != NULL) {
		char req[160];

		/* one limiter per endpoint too: each is its own problem */
		snprintf(req, sizeof(req), "%s %s", c->r.method, c->r.path);
		denied_line(w, &f, req,
			    "connection from %s denied: %s (%s %s is for %s)",
			    c->r.peer_addr, why, c->r.method, c->r.path, what);
		return;
	}
	pthread_mutex_lock(&mu);
	allow = ratelimit_allow(&rl, clock_mono_ms(), NULL);
	pthread_mutex_unlock(&mu);
	if (!allow) {
		log_suppressed_add(1);
		return;
	}
	log_fmsg(LL_WARN, &f, "connection from %s denied: %s (%s %s is for %s)",
		 c->r.peer_addr, why, c->r.method, c->r.path, what);
}

static bool
is_json_type(const char *ct)
{
	size_t n = strlen("application/json");

	if (ct == NULL || strncasecmp(ct, "application/json", n) != 0)
		return false;
	return ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ';
}

/* The announced body length (0 without Content-Length), read by the
 * bounded parser: NUM_INVALID for anything but digits, NUM_TOO_LARGE past
 * long long. */
static enum num_err
content_length(struct req_ctx *c, long long *len)
{
	const char *cl = request_header(&c->r, MHD_HTTP_HEADER_CONTENT_LENGTH);

	*len = 0;
	if (cl == NULL)
		return NUM_OK;
	return num_parse(cl, 0, LLONG_MAX, len);
}

struct cl_count {
	const char *first;
	bool differ;
	unsigned n;
};

static enum MHD_Result
count_cl(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	struct cl_count *k = cls;

	(void)kind;
	if (strcasecmp(key, MHD_HTTP_HEADER_CONTENT_LENGTH) != 0)
		return MHD_YES;
	if (k->n++ == 0)
		k->first = value;
	else if (value == NULL || k->first == NULL ||
		 strcmp(value, k->first) != 0)
		k->differ = true;
	return MHD_YES;
}

/* Requests that break HTTP/1.1 itself (RFC 9112 3.2 and 6.3), whatever
 * the path: 400 JSON. */
static const char *
malformed(struct req_ctx *c, const char *version)
{
	struct cl_count k = {NULL, false, 0};

	if (version != NULL && strcmp(version, MHD_HTTP_VERSION_1_1) == 0 &&
	    request_header(&c->r, MHD_HTTP_HEADER_HOST) == NULL)
		return "an HTTP/1.1 request needs a Host header";
	MHD_get_connection_values(c->r.conn, MHD_HEADER_KIND, count_cl, &k);
	if (k.differ)
		return "conflicting Content-Length headers";
	return NULL;
}

/* A transfer coding other than chunked (RFC 9112 6.1): 501, or the body
 * would be read until the connection ends. */
static bool
unknown_coding(struct req_ctx *c)
{
	const char *te =
	    request_header(&c->r, MHD_HTTP_HEADER_TRANSFER_ENCODING);

	return te != NULL && strcasecmp(te, "chunked") != 0;
}

/* The checks made once the headers are in; a refusal is recorded in
 * c->v_status, to be answered by answer_refusal. */
static void
precheck(struct req_ctx *c, const char *version)
{
	long long len;
	enum num_err cl = content_length(c, &len);
	const char *bad;
	unsigned status;

	log_debug("%s %s from %s (%s)", c->r.method, c->r.path, c->r.peer_addr,
		  node_identity_name(c->r.identity));
	bad = malformed(c, version);
	if (bad != NULL || unknown_coding(c)) {
		c->route = NULL;
		if (bad != NULL)
			refuse(c, MHD_HTTP_BAD_REQUEST, bad);
		else
			refuse(c, MHD_HTTP_NOT_IMPLEMENTED,
			       "only the chunked transfer coding is supported");
		return;
	}
	c->route = find_route(c);
	if (c->route == NULL)
		return;
	status = auth_check(&c->r, c->route->auth);
	if (status != 0) {
		log_denied(c, status);
		refuse(c, status,
		       status == MHD_HTTP_UNAUTHORIZED
			   ? "a trusted client certificate is required"
		       : c->route->auth == ACCESS_ADMIN_CHANGE &&
			       c->r.identity == ID_NODE
			   ? "state changes are made on the admin socket "
			     "(AdminOverHttps is off)"
			   : "this endpoint is for cluster nodes only");
	} else if (cl == NUM_INVALID) {
		refuse(c, MHD_HTTP_BAD_REQUEST, "invalid Content-Length");
	} else if (cl == NUM_TOO_LARGE || len > c->r.cfg->max_body_bytes) {
		refuse(c, MHD_HTTP_CONTENT_TOO_LARGE, "request body too large");
	} else if (c->route->json_body &&
		   !is_json_type(
		       request_header(&c->r, MHD_HTTP_HEADER_CONTENT_TYPE))) {
		refuse(c, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE,
		       "content type must be application/json");
	}
}

/* A refused POST /gossip is a refused document, counted by reason. */
static void
count_document_refusal(const struct req_ctx *c, unsigned status)
{
	if (c->route == NULL || c->route->fn != route_gossip_post)
		return;
	metrics_document_refused(
	    status == MHD_HTTP_UNAUTHORIZED		? "unauthenticated"
	    : status == MHD_HTTP_FORBIDDEN		? "not_node"
	    : status == MHD_HTTP_CONTENT_TOO_LARGE	? "too_large"
	    : status == MHD_HTTP_UNSUPPORTED_MEDIA_TYPE ? "content_type"
							: "other");
}

static enum MHD_Result
answer_refusal(struct req_ctx *c)
{
	c->answered = true;
	count_document_refusal(c, c->v_status);
	if (c->v_status == MHD_HTTP_METHOD_NOT_ALLOWED)
		return respond_405(&c->r, c->v_allow);
	return respond_error(&c->r, c->v_status, c->v_msg);
}

/*
 * Does the request announce a body? Then a refusal is answered at once,
 * without reading the body (MHD closes the connection after it);
 * otherwise at the final call, which keeps the connection alive.
 */
static bool
has_body(struct req_ctx *c)
{
	long long len;

	if (request_header(&c->r, MHD_HTTP_HEADER_TRANSFER_ENCODING) != NULL)
		return true;
	return content_length(c, &len) != NUM_OK || len > 0;
}

static struct req_ctx *
ctx_new(struct worker *w, struct MHD_Connection *conn, const char *url,
	const char *method)
{
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	struct req_ctx *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return NULL;
	c->r.d = w->l->d;
	c->r.w = w;
	c->r.cfg = options_ref(w->cfg); /* dropped in routes_completed */
	c->r.conn = conn;
	c->r.method = method;
	c->r.path = url;
	c->r.identity = ID_ANONYMOUS;
	c->r.peer_cn = "";
	c->r.peer_addr = "?";
	if (ci != NULL && ci->socket_context != NULL) {
		c->ci = ci->socket_context;
		c->ci->refs++;
		c->r.identity = conn_info_identity(c->ci, time(NULL));
		c->r.peer_cn = c->ci->peer_cn;
		c->r.peer_addr = c->ci->peer_addr;
	}
	return c;
}

/* Appends an upload chunk, or counts it as discarded beyond the limit.
 * Returns false when the connection should be closed. */
static bool
collect(struct req_ctx *c, const char *data, size_t len)
{
	size_t max = (size_t)c->r.cfg->max_body_bytes;

	if (c->too_big || c->answered || len > max - c->len) {
		c->too_big = true;
		c->discarded += len;
		return c->discarded <= DISCARD_FACTOR * max;
	}
	if (c->len + len + 1 > c->cap) {
		size_t cap = c->cap == 0 ? 4096 : c->cap;
		char *nb;

		while (cap < c->len + len + 1)
			cap *= 2;
		if (cap > max + 1)
			cap = max + 1;
		nb = realloc(c->body, cap);
		if (nb == NULL)
			return false;
		c->body = nb;
		c->cap = cap;
	}
	memcpy(c->body + c->len, data, len);
	c->len += len;
	c->body[c->len] = '\0';
	return true;
}

/* 413 for a body over MaxBodyBytes, with one line (rate-limited). */
static enum MHD_Result
answer_too_big(struct req_ctx *c)
{
	static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
	static struct ratelimit rl = {.window_ms = 1000,
				      .burst = DENIED_LOGS_PER_S};
	bool allow;

	c->answered = true;
	count_document_refusal(c, MHD_HTTP_CONTENT_TOO_LARGE);
	pthread_mutex_lock(&mu);
	allow = ratelimit_allow(&rl, clock_mono_ms(), NULL);
	pthread_mutex_unlock(&mu);
	if (allow)
		log_fmsg(LL_INFO,
			 &(struct log_fields){.peer = c->r.peer_addr,
					      .reason = "body too large"},
			 "%s %s from %s refused: the body is over "
			 "MaxBodyBytes (%d)",
			 c->r.method, c->r.path, c->r.peer_addr,
			 c->r.cfg->max_body_bytes);
	else
		log_suppressed_add(1);
	return respond_error(&c->r, MHD_HTTP_CONTENT_TOO_LARGE,
			     "request body too large");
}

enum MHD_Result
routes_handle(void *cls, struct MHD_Connection *conn, const char *url,
	      const char *method, const char *version, const char *upload_data,
	      size_t *upload_data_size, void **req_cls)
{
	struct req_ctx *c = *req_cls;

	if (c == NULL) {
		c = ctx_new(cls, conn, url, method);
		if (c == NULL)
			return MHD_NO;
		*req_cls = c;
		precheck(c, version);
		if (c->v_status != 0 && has_body(c))
			return answer_refusal(c);
		return MHD_YES;
	}
	if (*upload_data_size > 0) {
		size_t len = *upload_data_size;

		*upload_data_size = 0;
		if (collect(c, upload_data, len))
			return MHD_YES;
		if (c->too_big)
			log_fmsg(
			    LL_INFO,
			    &(struct log_fields){.peer = c->r.peer_addr,
						 .reason = "body too large"},
			    "%s %s from %s cut: a chunked body more than "
			    "%d times MaxBodyBytes (%d)",
			    c->r.method, c->r.path, c->r.peer_addr,
			    DISCARD_FACTOR, c->r.cfg->max_body_bytes);
		return MHD_NO;
	}
	if (c->r.pending != NULL)
		return c->route->fn(&c->r); /* resumed: it answers now */
	if (c->answered)
		return MHD_YES;
	if (c->v_status != 0)
		return answer_refusal(c);
	if (c->too_big)
		return answer_too_big(c);
	c->answered = true;
	c->r.body = c->body;
	c->r.body_len = c->len;
	return c->route->fn(&c->r);
}

void
routes_completed(void *cls, struct MHD_Connection *conn, void **req_cls,
		 enum MHD_RequestTerminationCode toe)
{
	struct req_ctx *c = *req_cls;

	(void)cls;
	(void)conn;
	(void)toe;
	if (c == NULL)
		return;
	if (c->ci != NULL) {
		c->ci->in_request = false;
		conn_info_unref(c->ci);
	}
	if (c->r.pending != NULL)
		c->r.pending_free(c->r.pending);
	gossipd_cfg_put(c->r.cfg);
	free(c->body);
	free(c);
	*req_cls = NULL;
}
