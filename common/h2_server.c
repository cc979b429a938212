/*
 * h2_server: one HTTP/2 server connection over nghttp2 (see h2_server.h).
 *
 * Streams are small structs hung on nghttp2's stream user data, created
 * at the first HEADERS and freed when nghttp2 closes the stream. A
 * request is answered when its END_STREAM arrives (or at once when it is
 * refused for its size), always with a complete answer: HEADERS, the
 * message in DATA, trailers; or trailers-only for a gRPC error.
 */
#include "h2_server.h"

#include <ctype.h>
#include <nghttp2/nghttp2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define CT_GRPC "application/grpc"
#define CT_JSON "application/json; charset=utf-8"
/* Stream resets a client may cause: a burst, then this many a second
 * (nghttp2 answers a faster client with GOAWAY ENHANCE_YOUR_CALM). */
#define RESET_BURST 100
#define RESET_RATE  10

struct h2_stream {
	struct h2_stream *prev, *next;
	int32_t id;
	bool answered;
	bool rst_after;	     /* reset (NO_ERROR) once the answer is sent */
	bool cancelled;	     /* reset by us: the answer was not taken */
	int64_t answered_ms; /* when the answer was queued */
	bool is_post;
	bool is_grpc;
	bool path_long;
	bool too_large;		  /* header list over the bound */
	bool bad_timeout;	  /* grpc-timeout malformed */
	size_t header_bytes;	  /* RFC 9113 accounting */
	int64_t deadline_ms;	  /* request timeout; 0: none */
	int64_t grpc_deadline_ms; /* grpc-timeout; 0: none */
	char path[H2_PATH_MAX];
	uint8_t body[H2_MAX_REQUEST_BODY];
	size_t body_len;
	/* the answer's body and trailers */
	struct shared_buf *out;
	size_t out_off;
	int grpc_status; /* -1: not a gRPC answer */
	char grpc_message[480];
};

struct h2_server {
	nghttp2_session *ng;
	struct h2_hooks hooks;
	int request_timeout_ms;
	struct h2_stream *streams;
	size_t n_streams;
	bool started;
	bool failed; /* a connection error was reported */
};

static int64_t
now(struct h2_server *s)
{
	return s->hooks.now_ms();
}

static void
event(struct h2_server *s, enum h2_event ev, int code, int grpc,
      const char *detail)
{
	if (s->hooks.event != NULL)
		s->hooks.event(s->hooks.ctx, ev, code, grpc, detail);
}

void
grpc_message_encode(const char *in, char *out, size_t outlen)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = 0;

	for (; *in != '\0' && o + 4 < outlen; in++) {
		unsigned char ch = (unsigned char)*in;

		if (ch >= 0x20 && ch < 0x7f && ch != '%') {
			out[o++] = (char)ch;
		} else {
			out[o++] = '%';
			out[o++] = hex[ch >> 4];
			out[o++] = hex[ch & 15];
		}
	}
	if (outlen > 0)
		out[o] = '\0';
}

int64_t
grpc_timeout_parse(const char *v)
{
	size_t n = strlen(v);
	int64_t x = 0, unit_ns;

	/* TimeoutValue: 1 to 8 ASCII digits; TimeoutUnit: H M S m u n */
	if (n < 2 || n > 9)
		return -1;
	for (size_t i = 0; i + 1 < n; i++) {
		if (!isdigit((unsigned char)v[i]))
			return -1;
		x = x * 10 + (v[i] - '0');
	}
	switch (v[n - 1]) {
	case 'H':
		return x * 3600 * 1000;
	case 'M':
		return x * 60 * 1000;
	case 'S':
		return x * 1000;
	case 'm':
		return x;
	case 'u':
		unit_ns = 1000;
		break;
	case 'n':
		unit_ns = 1;
		break;
	default:
		return -1;
	}
	x = x * unit_ns / 1000000;
	return x == 0 && v[0] != '0' ? 1 : x;
}

static void
stream_free(struct h2_server *s, struct h2_stream *st)
{
	if (st->prev != NULL)
		st->prev->next = st->next;
	else
		s->streams = st->next;
	if (st->next != NULL)
		st->next->prev = st->prev;
	s->n_streams--;
	shared_buf_unref(st->out);
	free(st);
}

/* The answer's body, then (gRPC) the trailers. */
static ssize_t
read_body(nghttp2_session *ng, int32_t id, uint8_t *buf, size_t len,
	  uint32_t *flags, nghttp2_data_source *src, void *user)
{
	struct h2_stream *st = src->ptr;
	size_t left = st->out != NULL ? st->out->len - st->out_off : 0;
	size_t n = left < len ? left : len;

	(void)user;
	if (n > 0)
		memcpy(buf, st->out->data + st->out_off, n);
	st->out_off += n;
	if (st->out_off < (st->out != NULL ? st->out->len : 0))
		return (ssize_t)n;
	*flags |= NGHTTP2_DATA_FLAG_EOF;
	if (st->grpc_status >= 0) {
		char status[12];
		nghttp2_nv tr[2] = {
		    {(uint8_t *)"grpc-status", (uint8_t *)status, 11, 0,
		     NGHTTP2_NV_FLAG_NONE},
		    {(uint8_t *)"grpc-message", (uint8_t *)st->grpc_message, 12,
		     strlen(st->grpc_message), NGHTTP2_NV_FLAG_NONE},
		};

		tr[0].valuelen = (size_t)snprintf(status, sizeof(status), "%d",
						  st->grpc_status);
		*flags |= NGHTTP2_DATA_FLAG_NO_END_STREAM;
		if (nghttp2_submit_trailer(
			ng, id, tr, st->grpc_message[0] != '\0' ? 2 : 1) != 0)
			return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
	}
	return (ssize_t)n;
}

#define NV(n, v)                                                               \
	{                                                                      \
		(uint8_t *)(n), (uint8_t *)(v), strlen(n), strlen(v),          \
		    NGHTTP2_NV_FLAG_NONE                                       \
	}

/* Sends the answer of st; a stream whose request is not complete is
 * then reset with NO_ERROR (RFC 9113 section 8.1). */
static void
finish(struct h2_server *s, struct h2_stream *st, bool request_complete)
{
	nghttp2_data_provider dp = {.source.ptr = st,
				    .read_callback = read_body};
	char status[12];

	st->answered = true;
	st->answered_ms = now(s);
	if (st->grpc_status >= 0 && st->out == NULL) {
		/* trailers-only */
		nghttp2_nv nv[4] = {NV(":status", "200"),
				    NV("content-type", CT_GRPC),
				    NV("grpc-status", ""),
				    NV("grpc-message", st->grpc_message)};

		snprintf(status, sizeof(status), "%d", st->grpc_status);
		nv[2].value = (uint8_t *)status;
		nv[2].valuelen = strlen(status);
		nghttp2_submit_response(s->ng, st->id, nv,
					st->grpc_message[0] != '\0' ? 4 : 3,
					NULL);
	} else if (st->grpc_status >= 0) {
		nghttp2_nv nv[2] = {NV(":status", "200"),
				    NV("content-type", CT_GRPC)};

		nghttp2_submit_response(s->ng, st->id, nv, 2, &dp);
	}
	st->rst_after = !request_complete;
	event(s, H2E_ANSWERED, 200, st->grpc_status, st->path);
}

static void
grpc_error(struct h2_server *s, struct h2_stream *st, enum grpc_status code,
	   const char *msg, bool complete)
{
	st->grpc_status = (int)code;
	grpc_message_encode(msg, st->grpc_message, sizeof(st->grpc_message));
	finish(s, st, complete);
}

/* A request that is not gRPC: an HTTP error with a JSON body. */
static void
http_error(struct h2_server *s, struct h2_stream *st, int code, const char *msg,
	   bool complete)
{
	nghttp2_data_provider dp = {.source.ptr = st,
				    .read_callback = read_body};
	char status[8], body[256];
	int n = snprintf(body, sizeof(body), "{\"error\":\"%s\"}", msg);
	nghttp2_nv nv[3] = {NV(":status", ""), NV("content-type", CT_JSON),
			    NV("cache-control", "no-cache")};

	snprintf(status, sizeof(status), "%d", code);
	nv[0].value = (uint8_t *)status;
	nv[0].valuelen = strlen(status);
	st->grpc_status = -1;
	st->out = shared_buf_new(body, (size_t)n);
	st->answered = true;
	st->answered_ms = now(s);
	nghttp2_submit_response(s->ng, st->id, nv, 3,
				st->out != NULL ? &dp : NULL);
	st->rst_after = !complete;
	event(s, H2E_ANSWERED, code, -1, st->path);
}

/* The request is complete: answer it. */
static void
dispatch(struct h2_server *s, struct h2_stream *st)
{
	struct h2_request rq = {st->path, st->body, st->body_len};
	struct h2_answer a;

	if (!st->is_grpc) {
		if (st->too_large)
			http_error(s, st, 431, "request headers too large",
				   true);
		else if (st->is_post &&
			 strncmp(st->path, "/event_store.", 13) == 0)
			http_error(s, st, 415,
				   "content type must be application/grpc",
				   true);
		else
			http_error(s, st, 505,
				   "only gRPC is served over HTTP/2; the HTTP "
				   "endpoints are served over HTTP/1.1",
				   true);
		return;
	}
	if (st->too_large) {
		grpc_error(s, st, GRPC_RESOURCE_EXHAUSTED,
			   "request headers too large", true);
		return;
	}
	if (st->bad_timeout) {
		grpc_error(s, st, GRPC_INTERNAL, "malformed grpc-timeout",
			   true);
		return;
	}
	if (st->grpc_deadline_ms != 0 && now(s) >= st->grpc_deadline_ms) {
		grpc_error(s, st, GRPC_DEADLINE_EXCEEDED, "deadline exceeded",
			   true);
		return;
	}
	if (!st->is_post || st->path_long) {
		grpc_error(s, st, GRPC_UNIMPLEMENTED,
			   !st->is_post ? "gRPC calls are POST"
					: "unknown method",
			   true);
		return;
	}
	memset(&a, 0, sizeof(a));
	a.status = GRPC_UNIMPLEMENTED;
	s->hooks.request(s->hooks.ctx, &rq, &a);
	st->grpc_status = (int)a.status;
	grpc_message_encode(a.message, st->grpc_message,
			    sizeof(st->grpc_message));
	if (a.status == GRPC_OK && a.body != NULL)
		st->out = a.body;
	else
		shared_buf_unref(a.body);
	finish(s, st, true);
}

static int
on_begin_headers(nghttp2_session *ng, const nghttp2_frame *f, void *user)
{
	struct h2_server *s = user;
	struct h2_stream *st;

	if (f->hd.type != NGHTTP2_HEADERS ||
	    f->headers.cat != NGHTTP2_HCAT_REQUEST)
		return 0;
	st = calloc(1, sizeof(*st));
	if (st == NULL)
		return NGHTTP2_ERR_CALLBACK_FAILURE;
	st->id = f->hd.stream_id;
	st->grpc_status = -1;
	if (s->request_timeout_ms > 0)
		st->deadline_ms = now(s) + s->request_timeout_ms;
	st->next = s->streams;
	if (s->streams != NULL)
		s->streams->prev = st;
	s->streams = st;
	s->n_streams++;
	nghttp2_session_set_stream_user_data(ng, st->id, st);
	return 0;
}

static bool
is_grpc_type(const uint8_t *v, size_t n)
{
	size_t k = strlen(CT_GRPC);

	return n >= k && strncasecmp((const char *)v, CT_GRPC, k) == 0 &&
	       (n == k || v[k] == '+' || v[k] == ';');
}

static int
on_header(nghttp2_session *ng, const nghttp2_frame *f, const uint8_t *name,
	  size_t namelen, const uint8_t *value, size_t valuelen, uint8_t flags,
	  void *user)
{
	struct h2_stream *st =
	    nghttp2_session_get_stream_user_data(ng, f->hd.stream_id);

	(void)flags;
	(void)user;
	if (st == NULL || f->hd.type != NGHTTP2_HEADERS)
		return 0; /* trailers of a request are ignored */
	st->header_bytes += namelen + valuelen + 32;
	if (st->header_bytes > H2_MAX_HEADER_LIST)
		st->too_large = true;
	if (st->too_large)
		return 0;
	if (namelen == 7 && memcmp(name, ":method", 7) == 0) {
		st->is_post = valuelen == 4 && memcmp(value, "POST", 4) == 0;
	} else if (namelen == 5 && memcmp(name, ":path", 5) == 0) {
		if (valuelen >= sizeof(st->path)) {
			st->path_long = true;
			valuelen = sizeof(st->path) - 1;
		}
		memcpy(st->path, value, valuelen);
		st->path[valuelen] = '\0';
	} else if (namelen == 12 && memcmp(name, "content-type", 12) == 0) {
		st->is_grpc = is_grpc_type(value, valuelen);
	} else if (namelen == 12 && memcmp(name, "grpc-timeout", 12) == 0) {
		char v[16];
		int64_t ms;

		if (valuelen >= sizeof(v)) {
			st->bad_timeout = true;
			return 0;
		}
		memcpy(v, value, valuelen);
		v[valuelen] = '\0';
		ms = grpc_timeout_parse(v);
		if (ms < 0)
			st->bad_timeout = true;
		else
			st->grpc_deadline_ms = now(user) + ms;
	}
	return 0;
}

static int
on_data_chunk(nghttp2_session *ng, uint8_t flags, int32_t id,
	      const uint8_t *data, size_t len, void *user)
{
	struct h2_server *s = user;
	struct h2_stream *st = nghttp2_session_get_stream_user_data(ng, id);

	(void)flags;
	if (st == NULL || st->answered)
		return 0;
	if (len > sizeof(st->body) - st->body_len) {
		if (st->is_grpc)
			grpc_error(s, st, GRPC_RESOURCE_EXHAUSTED,
				   "request message too large", false);
		else
			http_error(s, st, 413, "request body too large", false);
		return 0;
	}
	memcpy(st->body + st->body_len, data, len);
	st->body_len += len;
	return 0;
}

static int
on_frame_recv(nghttp2_session *ng, const nghttp2_frame *f, void *user)
{
	struct h2_server *s = user;
	struct h2_stream *st;

	s->started = true;
	if ((f->hd.type != NGHTTP2_HEADERS && f->hd.type != NGHTTP2_DATA) ||
	    !(f->hd.flags & NGHTTP2_FLAG_END_STREAM))
		return 0;
	st = nghttp2_session_get_stream_user_data(ng, f->hd.stream_id);
	if (st != NULL && !st->answered)
		dispatch(s, st);
	return 0;
}

static int
on_stream_close(nghttp2_session *ng, int32_t id, uint32_t code, void *user)
{
	struct h2_stream *st = nghttp2_session_get_stream_user_data(ng, id);

	(void)code;
	if (st != NULL) {
		nghttp2_session_set_stream_user_data(ng, id, NULL);
		stream_free(user, st);
	}
	return 0;
}

/* The debug data of a GOAWAY we send, printable and bounded. */
static void
goaway_detail(const nghttp2_goaway *g, char *out, size_t outlen)
{
	const char *name = nghttp2_http2_strerror(g->error_code);
	size_t o;

	o = (size_t)snprintf(out, outlen, "GOAWAY %s", name);
	if (g->opaque_data_len > 0 && o + 4 < outlen) {
		out[o++] = ':';
		out[o++] = ' ';
		for (size_t i = 0; i < g->opaque_data_len && o + 1 < outlen;
		     i++) {
			unsigned char ch = g->opaque_data[i];

			out[o++] = ch >= 0x20 && ch < 0x7f ? (char)ch : '?';
		}
		out[o] = '\0';
	}
}

static int
on_frame_send(nghttp2_session *ng, const nghttp2_frame *f, void *user)
{
	struct h2_server *s = user;
	struct h2_stream *st;
	char detail[200];

	if ((f->hd.type == NGHTTP2_HEADERS || f->hd.type == NGHTTP2_DATA) &&
	    (f->hd.flags & NGHTTP2_FLAG_END_STREAM)) {
		/* the answer is out while the request is not complete: the
		 * rest of it is not wanted (RFC 9113 section 8.1); sent after
		 * the answer, which nghttp2 would otherwise queue behind */
		st = nghttp2_session_get_stream_user_data(ng, f->hd.stream_id);
		if (st != NULL && st->rst_after)
			nghttp2_submit_rst_stream(ng, NGHTTP2_FLAG_NONE, st->id,
						  NGHTTP2_NO_ERROR);
		return 0;
	}
	if (f->hd.type != NGHTTP2_GOAWAY ||
	    f->goaway.error_code == NGHTTP2_NO_ERROR || s->failed)
		return 0;
	s->failed = true;
	goaway_detail(&f->goaway, detail, sizeof(detail));
	event(s, H2E_CONN_ERROR, (int)f->goaway.error_code, -1, detail);
	return 0;
}

struct h2_server *
h2_server_new(const struct h2_hooks *hooks, int request_timeout_ms)
{
	struct h2_server *s = calloc(1, sizeof(*s));
	nghttp2_session_callbacks *cb = NULL;
	nghttp2_option *opt = NULL;
	nghttp2_settings_entry iv[] = {
	    {NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS,
	     H2_MAX_CONCURRENT_STREAMS},
	    {NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE, H2_MAX_HEADER_LIST},
	    {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, H2_WINDOW},
	    {NGHTTP2_SETTINGS_MAX_FRAME_SIZE, H2_MAX_FRAME},
	    {NGHTTP2_SETTINGS_ENABLE_PUSH, 0},
	};

	if (s == NULL || nghttp2_session_callbacks_new(&cb) != 0 ||
	    nghttp2_option_new(&opt) != 0)
		goto fail;
	s->hooks = *hooks;
	s->request_timeout_ms = request_timeout_ms;
	nghttp2_session_callbacks_set_on_begin_headers_callback(
	    cb, on_begin_headers);
	nghttp2_session_callbacks_set_on_header_callback(cb, on_header);
	nghttp2_session_callbacks_set_on_data_chunk_recv_callback(
	    cb, on_data_chunk);
	nghttp2_session_callbacks_set_on_frame_recv_callback(cb, on_frame_recv);
	nghttp2_session_callbacks_set_on_stream_close_callback(cb,
							       on_stream_close);
	nghttp2_session_callbacks_set_on_frame_send_callback(cb, on_frame_send);
	nghttp2_option_set_max_deflate_dynamic_table_size(opt, 4096);
	nghttp2_option_set_stream_reset_rate_limit(opt, RESET_BURST,
						   RESET_RATE);
	nghttp2_option_set_max_settings(opt, 16);
	nghttp2_option_set_max_outbound_ack(opt, 256);
	nghttp2_option_set_max_continuations(opt, 8);
	if (nghttp2_session_server_new2(&s->ng, cb, s, opt) != 0)
		goto fail;
	if (nghttp2_submit_settings(s->ng, NGHTTP2_FLAG_NONE, iv,
				    sizeof(iv) / sizeof(iv[0])) != 0)
		goto fail;
	nghttp2_session_callbacks_del(cb);
	nghttp2_option_del(opt);
	return s;
fail:
	nghttp2_session_callbacks_del(cb);
	nghttp2_option_del(opt);
	h2_server_free(s);
	return NULL;
}

void
h2_server_free(struct h2_server *s)
{
	if (s == NULL)
		return;
	nghttp2_session_del(s->ng); /* closes (and frees) every stream */
	while (s->streams != NULL)
		stream_free(s, s->streams);
	free(s);
}

int
h2_server_recv(struct h2_server *s, const uint8_t *data, size_t len)
{
	ssize_t n = nghttp2_session_mem_recv(s->ng, data, len);
	char detail[160];

	if (n >= 0)
		return 0;
	if (!s->failed) {
		s->failed = true;
		if (n == NGHTTP2_ERR_BAD_CLIENT_MAGIC)
			snprintf(detail, sizeof(detail),
				 "not an HTTP/2 connection preface");
		else
			snprintf(detail, sizeof(detail), "%s",
				 nghttp2_strerror((int)n));
		event(s, H2E_CONN_ERROR,
		      n == NGHTTP2_ERR_FLOODED ? NGHTTP2_ENHANCE_YOUR_CALM
					       : NGHTTP2_PROTOCOL_ERROR,
		      -1, detail);
	}
	nghttp2_session_terminate_session(s->ng, n == NGHTTP2_ERR_FLOODED
						     ? NGHTTP2_ENHANCE_YOUR_CALM
						     : NGHTTP2_PROTOCOL_ERROR);
	return -1;
}

ssize_t
h2_server_send(struct h2_server *s, const uint8_t **data)
{
	ssize_t n = nghttp2_session_mem_send(s->ng, data);

	return n < 0 ? -1 : n;
}

bool
h2_server_alive(struct h2_server *s)
{
	return nghttp2_session_want_read(s->ng) ||
	       nghttp2_session_want_write(s->ng);
}

size_t
h2_server_streams(struct h2_server *s)
{
	return s->n_streams;
}

bool
h2_server_started(struct h2_server *s)
{
	return s->started;
}

void
h2_server_expire(struct h2_server *s, int64_t t)
{
	struct h2_stream *st, *next;

	for (st = s->streams; st != NULL; st = next) {
		next = st->next;
		if (st->answered && !st->cancelled &&
		    t - st->answered_ms > (s->request_timeout_ms > 0
					       ? s->request_timeout_ms
					       : H2_ANSWER_TIMEOUT_MS)) {
			/* an answer the client does not take (a window it
			 * never opens): the stream is reset */
			st->cancelled = true;
			event(s, H2E_REQUEST_TIMEOUT, 0, -1,
			      "answer not taken in time (flow-control window "
			      "kept closed?)");
			nghttp2_submit_rst_stream(s->ng, NGHTTP2_FLAG_NONE,
						  st->id, NGHTTP2_CANCEL);
			continue;
		}
		if (st->answered)
			continue;
		if (st->grpc_deadline_ms != 0 && t >= st->grpc_deadline_ms) {
			grpc_error(s, st, GRPC_DEADLINE_EXCEEDED,
				   "deadline exceeded", false);
		} else if (st->deadline_ms != 0 && t >= st->deadline_ms) {
			char msg[80];

			snprintf(msg, sizeof(msg),
				 "request not complete within %d ms",
				 s->request_timeout_ms);
			event(s, H2E_REQUEST_TIMEOUT, 0, -1, msg);
			if (st->is_grpc)
				grpc_error(s, st, GRPC_DEADLINE_EXCEEDED, msg,
					   false);
			else
				http_error(s, st, 408, msg, false);
		}
	}
}

void
h2_server_goaway(struct h2_server *s)
{
	nghttp2_submit_goaway(s->ng, NGHTTP2_FLAG_NONE,
			      nghttp2_session_get_last_proc_stream_id(s->ng),
			      NGHTTP2_NO_ERROR, NULL, 0);
}
