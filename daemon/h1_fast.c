/*
 * h1_fast: see h1_fast.h.
 *
 * What the lane answers is exactly what the route would: it decides
 * nothing the route decides differently. Identity, ClusterId, the Accept
 * negotiation and the document are the route's own functions; every
 * other case (a refusal, a 406, 503 while not serving, stopping, a
 * malformed request) is left to libmicrohttpd and the route, which answer
 * it and log it as they always did.
 */
#include "h1_fast.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "access.h"
#include "client_view.h"
#include "clock.h"
#include "h1_scan.h"
#include "httpc.h"
#include "log.h"
#include "metrics.h"
#include "negotiate.h"
#include "routes.h"
#include "worker.h"

#define GOSSIP_PATH "/gossip"

void
h1_fast_start(struct conn *c)
{
	c->handed_off = true; /* past the handshake */
	c->fast = true;
	c->await_since_ms = clock_mono_ms(); /* RequestTimeoutMs */
	c->active_ms = c->await_since_ms;
}

/* The Date header as libmicrohttpd writes it (RFC 9110 IMF-fixdate, in
 * English whatever the locale), made once a second. */
static const char *
http_date(struct worker *w)
{
	static const char days[7][4] = {"Sun", "Mon", "Tue", "Wed",
					"Thu", "Fri", "Sat"};
	static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr",
					   "May", "Jun", "Jul", "Aug",
					   "Sep", "Oct", "Nov", "Dec"};
	time_t now = time(NULL);
	struct tm tm;

	if (now == w->date_sec && w->date[0] != '\0')
		return w->date;
	if (gmtime_r(&now, &tm) == NULL)
		return NULL;
	snprintf(w->date, sizeof(w->date),
		 "%s, %02d %s %04d %02d:%02d:%02d GMT", days[tm.tm_wday % 7],
		 tm.tm_mday, months[tm.tm_mon % 12], tm.tm_year + 1900,
		 tm.tm_hour, tm.tm_min, tm.tm_sec);
	w->date_sec = now;
	return w->date;
}

/*
 * Puts the answer to rq in c->out (which is empty). Returns 0, 1 when the
 * route would answer anything but the document (libmicrohttpd takes the
 * request), -1 when out of memory.
 */
static int
answer(struct conn *c, const struct h1_request *rq)
{
	struct worker *w = c->w;
	struct gossipd *d = w->l->d;
	const struct gossipd_config *cfg = w->cfg;
	const struct access_switches sw = routes_access_switches(cfg);
	enum node_identity id = conn_info_identity(c->info, time(NULL));
	const char *date = http_date(w), *cid = cfg->cluster_id;
	struct shared_buf *doc;
	char head[512];
	size_t total;
	char *out;
	int n;

	if (atomic_load(&d->phase) == PHASE_STOPPING || d->cluster == NULL ||
	    date == NULL ||
	    access_check(ACCESS_GOSSIP_READ, id, &sw) != ACCESS_OK ||
	    negotiate_gossip(NULL, rq->accept ? rq->accept_value : NULL) !=
		NEGOTIATE_JSON)
		return 1;
	doc = client_view_json(d->cluster);
	if (doc == NULL)
		return 1;
	/* the headers in libmicrohttpd's order: Date, ours as the route
	 * adds them (routes.c, queue), Content-Length */
	n = snprintf(head, sizeof(head),
		     "HTTP/1.1 200 OK\r\nDate: %s\r\nContent-Type: " CT_JSON
		     "\r\nCache-Control: no-cache\r\n%s%s%s"
		     "Content-Length: %zu\r\n\r\n",
		     date, cid != NULL ? HTTPC_CLUSTER_ID_HEADER ": " : "",
		     cid != NULL ? cid : "", cid != NULL ? "\r\n" : "",
		     doc->len);
	if (n < 0 || (size_t)n >= sizeof(head)) {
		shared_buf_unref(doc);
		return 1;
	}
	total = (size_t)n + (rq->head ? 0 : doc->len);
	out = total <= CONN_BUF ? w->fast_out : malloc(total);
	if (out == NULL) {
		shared_buf_unref(doc);
		return -1;
	}
	memcpy(out, head, (size_t)n);
	if (!rq->head)
		memcpy(out + n, doc->data, doc->len);
	shared_buf_unref(doc);
	c->out.data = out;
	c->out.start = 0;
	c->out.end = total;
	log_debug("%s %s from %s (%s)", rq->head ? "HEAD" : "GET", GOSSIP_PATH,
		  c->info->peer_addr, node_identity_name(id));
	metrics_request(200);
	if (!c->answered) {
		/* answered once: no longer a candidate for eviction */
		c->answered = true;
		ip_limits_answered(w->l->limits, c->slot);
	}
	return 0;
}

/* Sends what c->out holds. 0 when all of it went, 1 when the client takes
 * no more now (the rest is kept; its EPOLLOUT brings us back), -1. */
static int
flush(struct conn *c)
{
	struct iobuf *b = &c->out;
	ssize_t n = conn_send_held(c, b);

	if (n < 0)
		return -1;
	if (n > 0)
		c->active_ms = clock_mono_ms(); /* a slow reader moves too */
	if (iobuf_keep(b, c->w->fast_out, CONN_BUF) != 0)
		return -1;
	return b->data != NULL ? 1 : 0;
}

/* Reads what the client sent into c->in (the worker's scratch, or the
 * connection's own buffer holding the start of a request). 1 when the
 * client is drained (EAGAIN, or its end), 0 when c->in is full, -1. */
static int
fill(struct conn *c)
{
	struct iobuf *b = &c->in;
	ssize_t n;

	if (b->data == NULL) {
		b->data = c->w->scratch;
		b->start = b->end = 0;
	} else if (b->start > 0) {
		memmove(b->data, b->data + b->start, b->end - b->start);
		b->end -= b->start;
		b->start = 0;
	}
	while (b->end < CONN_BUF) {
		if (c->client_eof)
			return 1;
		n = conn_client_recv(c, b->data + b->end, CONN_BUF - b->end);
		if (n == IO_AGAIN)
			return 1;
		if (n == IO_ERR)
			return -1;
		if (n == 0) {
			c->client_eof = true;
			return 1;
		}
		c->active_ms = clock_mono_ms();
		if (!c->info->in_request) {
			c->info->in_request = true;
			c->info->request_started_ms = c->active_ms;
		}
		c->await_since_ms = 0;
		b->end += (size_t)n;
	}
	return 0;
}

/* Answers the whole plain requests c->in holds, in order. 0 when it
 * needs more bytes (or the client to read), 1 at the first request that
 * is not the lane's, -1. */
static int
serve(struct conn *c)
{
	struct h1_request rq;
	int r;

	while (c->in.start < c->in.end && c->out.data == NULL) {
		switch (h1_scan(c->in.data + c->in.start,
				c->in.end - c->in.start, GOSSIP_PATH, &rq)) {
		case H1_SCAN_MORE:
			return 0;
		case H1_SCAN_OTHER:
			return 1;
		case H1_SCAN_REQUEST:
			break;
		}
		r = answer(c, &rq);
		if (r != 0)
			return r;
		c->in.start += rq.len;
		/* what follows is the start of the next request */
		c->info->in_request = c->in.start < c->in.end;
		if (c->info->in_request)
			c->info->request_started_ms = clock_mono_ms();
		if (flush(c) < 0)
			return -1;
	}
	return 0;
}

void
h1_fast_pump(struct conn *c)
{
	int drained, r;

	for (;;) {
		r = flush(c);
		if (r < 0)
			goto fail;
		if (r > 0)
			return; /* the client reads first */
		drained = fill(c);
		if (drained < 0)
			goto fail;
		r = serve(c);
		if (iobuf_keep(&c->in, c->w->scratch, CONN_BUF) != 0 || r < 0)
			goto fail;
		if (r > 0) {
			/* c->out is empty: serve stops at unsent bytes */
			c->fast = false;
			if (conn_to_mhd(c) != 0)
				goto fail;
			return;
		}
		if (c->out.data != NULL)
			return;
		if (c->client_eof) {
			/* all answered and sent; a request cut short by
			 * the end gets no answer (as from libmicrohttpd) */
			conn_close(c);
			return;
		}
		if (drained)
			return;
	}
fail:
	conn_close(c);
}
