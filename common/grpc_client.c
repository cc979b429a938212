/*
 * grpc_client: see grpc_client.h. One blocking call with one deadline:
 * every wait is a poll() bounded by what is left of it.
 */
#include "grpc_client.h"

#include <errno.h>
#include <limits.h>
#include <nghttp2/nghttp2.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "gossip_pb.h"
#include "h2_server.h"
#include "httpc_conn.h"
#include "num.h"
#include "resolver.h"

#define GOSSIP_READ "/event_store.client.gossip.Gossip/Read"

struct call {
	int32_t stream;
	bool done;
	uint32_t rst; /* the stream's close code */
	int http_status;
	bool grpc_type;
	int grpc_status; /* -1: none seen */
	char grpc_message[256];
	uint8_t *body;
	size_t body_len;
	bool too_big;
	const uint8_t *req;
	size_t req_len, req_off;
};

static int
on_header(nghttp2_session *s, const nghttp2_frame *f, const uint8_t *name,
	  size_t namelen, const uint8_t *value, size_t valuelen, uint8_t flags,
	  void *user)
{
	struct call *k = user;
	char v[256];

	(void)s;
	(void)flags;
	if (f->hd.stream_id != k->stream)
		return 0;
	if (valuelen >= sizeof(v))
		valuelen = sizeof(v) - 1;
	memcpy(v, value, valuelen);
	v[valuelen] = '\0';
	/* numbers from the server go through the bounded parser: one that
	 * is not a status counts as none (-1), never as 0 ("OK") */
	if (namelen == 7 && memcmp(name, ":status", 7) == 0) {
		if (num_parse_int(v, 100, 599, &k->http_status) != NUM_OK)
			k->http_status = -1;
	} else if (namelen == 12 && memcmp(name, "content-type", 12) == 0)
		k->grpc_type = strncasecmp(v, "application/grpc", 16) == 0;
	else if (namelen == 11 && memcmp(name, "grpc-status", 11) == 0) {
		if (num_parse_int(v, 0, INT_MAX, &k->grpc_status) != NUM_OK)
			k->grpc_status = -1;
	} else if (namelen == 12 && memcmp(name, "grpc-message", 12) == 0)
		snprintf(k->grpc_message, sizeof(k->grpc_message), "%s", v);
	return 0;
}

static int
on_data(nghttp2_session *s, uint8_t flags, int32_t id, const uint8_t *data,
	size_t len, void *user)
{
	struct call *k = user;
	uint8_t *b;

	(void)s;
	(void)flags;
	if (id != k->stream || k->too_big)
		return 0;
	if (k->body_len + len > GRPC_CLIENT_MAX_BYTES) {
		k->too_big = true;
		return 0;
	}
	b = realloc(k->body, k->body_len + len);
	if (b == NULL)
		return NGHTTP2_ERR_CALLBACK_FAILURE;
	memcpy(b + k->body_len, data, len);
	k->body = b;
	k->body_len += len;
	return 0;
}

static int
on_close(nghttp2_session *s, int32_t id, uint32_t code, void *user)
{
	struct call *k = user;

	(void)s;
	if (id == k->stream) {
		k->done = true;
		k->rst = code;
	}
	return 0;
}

static ssize_t
read_req(nghttp2_session *s, int32_t id, uint8_t *buf, size_t len,
	 uint32_t *flags, nghttp2_data_source *src, void *user)
{
	struct call *k = user;
	size_t n = k->req_len - k->req_off;

	(void)s;
	(void)id;
	(void)src;
	if (n > len)
		n = len;
	memcpy(buf, k->req + k->req_off, n);
	k->req_off += n;
	if (k->req_off == k->req_len)
		*flags |= NGHTTP2_DATA_FLAG_EOF;
	return (ssize_t)n;
}

static int
left_ms(int64_t deadline)
{
	int64_t l = deadline - clock_mono_ms();

	return l < 0 ? 0 : (int)(l > 60000 ? 60000 : l);
}

/* Waits for events on fd until the deadline: 0, or -1 at the deadline. */
static int
wait_fd(int fd, short events, int64_t deadline)
{
	struct pollfd pfd = {.fd = fd, .events = events};
	int r;

	do {
		if (left_ms(deadline) == 0)
			return -1;
		r = poll(&pfd, 1, left_ms(deadline));
	} while (r < 0 && errno == EINTR);
	return r > 0 ? 0 : -1;
}

/* Connects p to host:port (TCP, then TLS unless plain). */
static int
dial(struct httpc *c, struct httpc_peer *p, int offer_http1, int64_t deadline,
     int timeout_ms, char *err, size_t errlen)
{
	static const char *h2_only[] = {"h2", NULL};
	static const char *h2_http1[] = {"h2", "http/1.1", NULL};
	struct addrinfo *res = NULL, *ai;
	short ev;
	int r;

	if (resolver_addrinfo(p->host, p->port, 0, deadline, timeout_ms, &res,
			      err, errlen) != 0)
		return -1;
	for (ai = res; ai != NULL && p->fd < 0; ai = ai->ai_next) {
		r = httpc_conn_connect_start(ai, &p->fd);
		if (r == 1 && (wait_fd(p->fd, POLLOUT, deadline) != 0 ||
			       httpc_conn_connect_done(p->fd) != 0))
			r = -1;
		if (r < 0) {
			snprintf(err, errlen, "connect %s: %s", p->name,
				 left_ms(deadline) == 0 ? "timed out"
							: strerror(errno));
			if (p->fd >= 0)
				close(p->fd);
			p->fd = -1;
		}
	}
	freeaddrinfo(res);
	if (p->fd < 0)
		return -1;
	if (c->plain)
		return 0;
	/* The client's shared configuration offers h2 for this handshake
	 * only (one thread; restored below). */
	mbedtls_ssl_conf_alpn_protocols(c->conf,
					offer_http1 ? h2_http1 : h2_only);
	r = httpc_conn_tls_start(c, p, err, errlen);
	while (r == 0) {
		r = httpc_conn_tls_step(c, p, &ev, err, errlen);
		if (r == 1 && wait_fd(p->fd, ev, deadline) != 0) {
			httpc_conn_timed_out(err, errlen, "TLS handshake",
					     timeout_ms);
			r = -1;
		}
		if (r == 1)
			r = 0;
		else
			break;
	}
	c->conf->alpn_list = NULL;
	return r == 0 ? 0 : -1;
}

/* Runs the session until the call's stream closes. */
static int
exchange(struct httpc_peer *p, nghttp2_session *s, struct call *k,
	 int64_t deadline, char *err, size_t errlen)
{
	const uint8_t *out = NULL;
	size_t out_len = 0, off = 0;
	char buf[16384];

	while (!k->done) {
		short ev = 0, rev = 0;
		size_t n;
		int closed = 0, reset = 0;
		enum io_result io;

		/* write what the session has */
		for (;;) {
			if (out_len == off) {
				ssize_t m = nghttp2_session_mem_send(s, &out);

				if (m < 0)
					goto proto;
				out_len = (size_t)m;
				off = 0;
				if (m == 0)
					break;
			}
			io = httpc_conn_try_write(p, (const char *)out, out_len,
						  &off, &ev, &closed);
			if (io == IO_FAIL)
				goto broken;
			if (io == IO_WANT)
				break;
		}
		/* read what the peer sent, until it would block */
		for (;;) {
			io = httpc_conn_try_read(p, buf, sizeof(buf), &n, &rev,
						 &reset);
			if (io == IO_EOF)
				goto eof;
			if (io == IO_FAIL)
				goto broken;
			if (io == IO_WANT)
				break;
			if (nghttp2_session_mem_recv(s, (const uint8_t *)buf,
						     n) < 0)
				goto proto;
			if (k->done)
				return 0;
		}
		if (!nghttp2_session_want_read(s) &&
		    !nghttp2_session_want_write(s) && !k->done)
			goto eof;
		if (out_len == off && nghttp2_session_want_write(s))
			continue;
		if (wait_fd(p->fd, (short)(ev | rev), deadline) != 0) {
			snprintf(err, errlen, "timed out");
			return -1;
		}
	}
	return 0;
proto:
	snprintf(err, errlen, "HTTP/2 protocol error from the server");
	return -1;
eof:
	snprintf(err, errlen, "connection closed before the answer");
	return -1;
broken:
	snprintf(err, errlen, "connection broken%s",
		 p->io_errno != 0 ? ": " : "");
	if (p->io_errno != 0)
		snprintf(err + strlen(err), errlen - strlen(err), "%s",
			 strerror(p->io_errno));
	return -1;
}

/* What the answer says; fills doc on success. */
static int
interpret(const struct call *k, size_t max_members, struct cluster_doc *doc,
	  char *err, size_t errlen)
{
	size_t len;

	if (k->http_status != 200) {
		snprintf(err, errlen, "HTTP status %d (not a gRPC server?)",
			 k->http_status);
		return -1;
	}
	if (!k->grpc_type || k->grpc_status < 0) {
		snprintf(err, errlen, "not a gRPC answer%s",
			 k->rst != 0 ? " (stream reset)" : "");
		return -1;
	}
	if (k->grpc_status != 0) {
		const char *name = gossip_pb_grpc_status_name(k->grpc_status);

		snprintf(err, errlen, "status %d (%s)%s%s", k->grpc_status,
			 name != NULL ? name : "?",
			 k->grpc_message[0] != '\0' ? ": " : "",
			 k->grpc_message);
		return -1;
	}
	if (k->too_big) {
		snprintf(err, errlen, "answer over %d bytes",
			 GRPC_CLIENT_MAX_BYTES);
		return -1;
	}
	if (k->body_len < GRPC_PREFIX_LEN || k->body[0] != 0) {
		snprintf(err, errlen, "malformed gRPC message");
		return -1;
	}
	len = (size_t)k->body[1] << 24 | (size_t)k->body[2] << 16 |
	      (size_t)k->body[3] << 8 | k->body[4];
	if (len != k->body_len - GRPC_PREFIX_LEN) {
		snprintf(err, errlen, "malformed gRPC message framing");
		return -1;
	}
	return gossip_pb_decode(k->body + GRPC_PREFIX_LEN, len, max_members,
				doc, err, errlen);
}

enum grpc_read_result
grpc_gossip_read(struct httpc *c, const char *host, int port, int timeout_ms,
		 int offer_http1, size_t max_members, struct cluster_doc *doc,
		 char *err, size_t errlen)
{
	static const uint8_t empty[GRPC_PREFIX_LEN] = {0};
	int64_t deadline = clock_mono_ms() + timeout_ms;
	struct httpc_peer *p = calloc(1, sizeof(*p));
	nghttp2_session_callbacks *cb = NULL;
	nghttp2_session *s = NULL;
	struct call k = {
	    .grpc_status = -1, .req = empty, .req_len = sizeof(empty)};
	nghttp2_data_provider dp = {.read_callback = read_req};
	nghttp2_settings_entry iv[] = {{NGHTTP2_SETTINGS_ENABLE_PUSH, 0}};
	char authority[HOST_MAX + 16], tmo[16], why[300];
	enum grpc_read_result rc = GRPC_READ_FAILED;
	const char *alpn;

	memset(doc, 0, sizeof(*doc));
	if (p == NULL) {
		snprintf(err, errlen, "out of memory");
		return GRPC_READ_FAILED;
	}
	p->fd = -1;
	snprintf(p->host, sizeof(p->host), "%s", host);
	p->port = port;
	snprintf(p->name, sizeof(p->name),
		 strchr(host, ':') != NULL ? "[%s]:%d" : "%s:%d", host, port);
	snprintf(authority, sizeof(authority), "%s", p->name);
	if (dial(c, p, offer_http1, deadline, timeout_ms, why, sizeof(why)) !=
	    0) {
		snprintf(err, errlen, "%s", why);
		goto out;
	}
	if (p->tls) {
		alpn = mbedtls_ssl_get_alpn_protocol(&p->ssl);
		if (alpn == NULL || strcmp(alpn, "h2") != 0) {
			snprintf(err, errlen,
				 "%s did not choose HTTP/2 (ALPN %s)", p->name,
				 alpn != NULL ? alpn : "none");
			rc = GRPC_READ_NOT_H2;
			goto out;
		}
	}
	snprintf(tmo, sizeof(tmo), "%dm", left_ms(deadline));
	{
		nghttp2_nv nv[] = {
		    {(uint8_t *)":method", (uint8_t *)"POST", 7, 4, 0},
		    {(uint8_t *)":scheme",
		     (uint8_t *)(p->tls ? "https" : "http"), 7, p->tls ? 5 : 4,
		     0},
		    {(uint8_t *)":path", (uint8_t *)GOSSIP_READ, 5,
		     strlen(GOSSIP_READ), 0},
		    {(uint8_t *)":authority", (uint8_t *)authority, 10,
		     strlen(authority), 0},
		    {(uint8_t *)"content-type", (uint8_t *)"application/grpc",
		     12, 16, 0},
		    {(uint8_t *)"te", (uint8_t *)"trailers", 2, 8, 0},
		    {(uint8_t *)"grpc-timeout", (uint8_t *)tmo, 12, strlen(tmo),
		     0},
		    {(uint8_t *)"user-agent", (uint8_t *)"gossipd-cli", 10, 11,
		     0},
		};

		if (nghttp2_session_callbacks_new(&cb) != 0)
			goto oom;
		nghttp2_session_callbacks_set_on_header_callback(cb, on_header);
		nghttp2_session_callbacks_set_on_data_chunk_recv_callback(
		    cb, on_data);
		nghttp2_session_callbacks_set_on_stream_close_callback(
		    cb, on_close);
		if (nghttp2_session_client_new(&s, cb, &k) != 0 ||
		    nghttp2_submit_settings(s, NGHTTP2_FLAG_NONE, iv, 1) != 0)
			goto oom;
		k.stream = nghttp2_submit_request(
		    s, NULL, nv, sizeof(nv) / sizeof(nv[0]), &dp, NULL);
		if (k.stream < 0)
			goto oom;
	}
	if (exchange(p, s, &k, deadline, why, sizeof(why)) != 0 ||
	    interpret(&k, max_members, doc, why, sizeof(why)) != 0) {
		snprintf(err, errlen, "gRPC Gossip/Read on %s: %s", p->name,
			 strcmp(why, "timed out") == 0 ? "timed out" : why);
		if (strcmp(why, "timed out") == 0)
			snprintf(err + strlen(err), errlen - strlen(err),
				 " after %d ms", timeout_ms);
		goto out;
	}
	rc = GRPC_READ_OK;
	goto out;
oom:
	snprintf(err, errlen, "out of memory");
out:
	nghttp2_session_del(s);
	nghttp2_session_callbacks_del(cb);
	free(k.body);
	httpc_conn_close(p);
	httpc_conn_session_drop(p);
	free(p);
	return rc;
}
