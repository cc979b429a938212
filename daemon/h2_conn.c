/*
 * h2_conn: one client connection over HTTP/2 (see h2_conn.h).
 *
 * The pump reads what the client sent (TLS records decrypted by
 * tls_conn.c, or plain bytes), feeds it to the session, and writes what
 * the session has to send. Bytes to send are taken from nghttp2 one
 * chunk at a time and written from its own buffer; while a chunk cannot
 * be written (the client does not read), nothing more is read either, so
 * a client that only sends cannot make the queue grow.
 */
#include "h2_conn.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <string.h>

#include "grpc_service.h"
#include "clock.h"
#include "h2_server.h"
#include "log.h"
#include "metrics.h"
#include "worker.h"

/* Output is gathered into one buffer per connection, so that an answer
 * (HEADERS, DATA, trailers: three chunks from nghttp2) goes out as one
 * TLS record and one send, not three small ones. */
#define H2_OUT_BUF 16384

struct h2_conn {
	struct h2_server *s;
	const uint8_t *pend; /* a chunk from nghttp2 not yet gathered */
	size_t pend_len;
	uint8_t *out; /* gathered bytes [out_off, out_len) */
	size_t out_off, out_len;
	int64_t since_ms;   /* start, or when the last stream closed */
	int64_t blocked_ms; /* since when the client takes nothing (0: it
			       does) */
	bool goaway;	    /* graceful GOAWAY sent (stopping, idle) */
	bool ending;	    /* close once everything is written */
};

static void
on_request(void *ctx, const struct h2_request *rq, struct h2_answer *a)
{
	struct conn *c = ctx;

	grpc_service_call(c->w->l->d, c->info, rq, a);
}

static void
on_event(void *ctx, enum h2_event ev, int code, int grpc, const char *detail)
{
	struct conn *c = ctx;

	switch (ev) {
	case H2E_CONN_ERROR:
		metrics_refusal("protocol");
		worker_log_refusal(c->w, c->info->peer_addr, detail,
				   "HTTP/2 connection from %s ended: %s "
				   "(error code %d)",
				   c->info->peer_addr, detail, code);
		break;
	case H2E_REQUEST_TIMEOUT:
		metrics_refusal("request_timeout");
		worker_log_refusal(c->w, c->info->peer_addr, detail,
				   "HTTP/2 stream from %s ended: %s",
				   c->info->peer_addr, detail);
		break;
	case H2E_ANSWERED:
		metrics_request_proto(METRICS_H2, (unsigned)code);
		if (grpc >= 0)
			metrics_grpc(grpc);
		break;
	}
}

int
h2_conn_start(struct conn *c)
{
	const struct gossipd_config *cfg = c->w->cfg;
	struct h2_hooks hooks = {.ctx = c,
				 .request = on_request,
				 .event = on_event,
				 .now_ms = clock_mono_ms};
	struct h2_conn *h = calloc(1, sizeof(*h));

	if (h == NULL)
		return -1;
	h->s = h2_server_new(&hooks, cfg->request_timeout_ms);
	h->out = malloc(H2_OUT_BUF);
	if (h->s == NULL || h->out == NULL) {
		h2_server_free(h->s);
		free(h->out);
		free(h);
		return -1;
	}
	/* small frames, answered at once: no Nagle delay behind an
	 * unacknowledged segment */
	setsockopt(c->cfd, IPPROTO_TCP, TCP_NODELAY, &(int){1}, sizeof(int));
	h->since_ms = clock_mono_ms();
	c->h2 = h;
	c->handed_off = true;
	/* until the preface and a first frame arrive, the handshake
	 * deadline applies */
	c->deadline_ms = clock_mono_ms() + cfg->handshake_timeout_ms;
	return 0;
}

void
h2_conn_free(struct conn *c)
{
	if (c->h2 == NULL)
		return;
	h2_server_free(c->h2->s);
	free(c->h2->out);
	free(c->h2);
	c->h2 = NULL;
}

/* Gathers what the session has to send into h->out (at most its size). */
static int
gather(struct h2_conn *h)
{
	h->out_off = h->out_len = 0;
	while (h->out_len < H2_OUT_BUF) {
		size_t k;

		if (h->pend_len == 0) {
			ssize_t n = h2_server_send(h->s, &h->pend);

			if (n < 0)
				return -1;
			if (n == 0)
				break;
			h->pend_len = (size_t)n;
		}
		k = H2_OUT_BUF - h->out_len;
		if (k > h->pend_len)
			k = h->pend_len;
		memcpy(h->out + h->out_len, h->pend, k);
		h->out_len += k;
		h->pend += k;
		h->pend_len -= k;
	}
	return 0;
}

/* Writes what the session has to send. Returns 1 when all is written,
 * 0 when the client is not reading, -1 on error. */
static int
flush(struct conn *c)
{
	struct h2_conn *h = c->h2;

	for (;;) {
		ssize_t n;

		if (h->out_off == h->out_len) {
			if (gather(h) != 0)
				return -1;
			if (h->out_len == 0)
				return 1;
		}
		n = conn_client_send(c, (const char *)h->out + h->out_off,
				     h->out_len - h->out_off);
		if (n == IO_AGAIN)
			return 0;
		if (n <= 0)
			return -1;
		h->out_off += (size_t)n;
	}
}

void
h2_conn_pump(struct conn *c)
{
	struct h2_conn *h = c->h2;
	char *buf = c->w->scratch; /* read and fed at once */

	for (;;) {
		int w = flush(c);
		ssize_t n;

		if (w < 0)
			goto close;
		if (w == 0) {
			if (h->blocked_ms == 0)
				h->blocked_ms = clock_mono_ms();
			return; /* the next EPOLLOUT edge brings us back */
		}
		h->blocked_ms = 0;
		if (h->ending || !h2_server_alive(h->s))
			goto close;
		n = conn_client_recv(c, buf, CONN_BUF);
		if (n == IO_AGAIN)
			break;
		if (n <= 0)
			goto close; /* end or error: no answer can be sent */
		if (h2_server_recv(h->s, (const uint8_t *)buf, (size_t)n) != 0)
			h->ending = true;
	}
	if (h2_server_started(h->s))
		c->deadline_ms = 0;
	c->info->in_request = h2_server_streams(h->s) > 0;
	if (c->info->in_request)
		h->since_ms = clock_mono_ms();
	return;
close:
	conn_close(c);
}

bool
h2_conn_idle(const struct conn *c)
{
	const struct h2_conn *h = c->h2;

	return h2_server_streams(h->s) == 0 && h->pend_len == 0 &&
	       h->out_off == h->out_len;
}

void
h2_conn_sweep(struct conn *c, int64_t now)
{
	struct h2_conn *h = c->h2;
	const struct gossipd_config *cfg = c->w->cfg;

	if (c->deadline_ms != 0 && now > c->deadline_ms) {
		metrics_refusal("handshake_timeout");
		worker_log_refusal(c->w, c->info->peer_addr,
				   "no HTTP/2 connection preface in time",
				   "HTTP/2 connection from %s closed: no "
				   "connection preface within %d ms",
				   c->info->peer_addr,
				   cfg->handshake_timeout_ms);
		conn_close(c);
		return;
	}
	if (h->blocked_ms != 0 &&
	    now - h->blocked_ms > (cfg->request_timeout_ms > 0
				       ? cfg->request_timeout_ms
				       : H2_ANSWER_TIMEOUT_MS)) {
		/* a client that sends and never reads */
		metrics_refusal("request_timeout");
		worker_log_refusal(
		    c->w, c->info->peer_addr, "HTTP/2 answers not read",
		    "HTTP/2 connection from %s closed: it read "
		    "nothing of its answers for %lld ms",
		    c->info->peer_addr, (long long)(now - h->blocked_ms));
		conn_close(c);
		return;
	}
	h2_server_expire(h->s, now);
	if (!h->goaway && h2_server_streams(h->s) == 0 &&
	    (c->w->stopping || c->doom_until_ms != 0 ||
	     now - h->since_ms > (int64_t)cfg->idle_timeout_sec * 1000)) {
		h2_server_goaway(h->s);
		h->goaway = h->ending = true;
	} else if (!h->goaway && (c->w->stopping || c->doom_until_ms != 0)) {
		h2_server_goaway(h->s); /* streams in flight finish */
		h->goaway = true;
	}
	h2_conn_pump(c);
}
