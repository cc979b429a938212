/*
 * conn: one client connection and its byte pump.
 *
 * An HTTP/1.1 connection starts in the fast lane (h1_fast.c), which
 * answers plain reads of the document itself; at its first other request
 * (at once for the admin socket) it gets a socketpair: the client socket
 * (TLS or plain) and our end of the pair are both registered
 * edge-triggered in the worker's epoll. On any event the pump tries every
 * direction until none makes progress: that way no edge is ever lost,
 * whichever side was blocked. libmicrohttpd owns the other end of the
 * pair and sees a plain HTTP stream.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "h1_fast.h"
#include "h2_conn.h"
#include "h2_server.h"
#include "log.h"
#include "metrics.h"
#include "mhd_glue.h"
#include "sockets.h"
#include "tls_conn.h"
#include "worker.h"
#include "clock.h"

/* Lingering close bounds: how long, and how many bytes, the rest of a
 * request (a body refused with 413, say) is read and dropped after the
 * answer so that the client gets to read the answer. */
#define LINGER_MS    2000
#define LINGER_BYTES (1024 * 1024)

static int
watch(struct worker *w, int fd, struct ev *ev)
{
	struct epoll_event e = {
	    .events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET,
	    .data.ptr = ev,
	};

	return epoll_ctl(w->epfd, EPOLL_CTL_ADD, fd, &e);
}

static void
conn_link(struct worker *w, struct conn *c)
{
	c->next = w->conns;
	if (w->conns != NULL)
		w->conns->prev = c;
	w->conns = c;
	w->n_conns++;
}

static void
conn_unlink(struct worker *w, struct conn *c)
{
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		w->conns = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	c->prev = c->next = NULL;
	w->n_conns--;
}

/* Makes the socketpair and gives MHD its end with our identity. */
static int
hand_off(struct conn *c)
{
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0,
		       sv) != 0) {
		metrics_refusal("conn_limit");
		worker_log_refusal(c->w, c->info->peer_addr,
				   "out of descriptors",
				   "connection from %s refused: socketpair: %s "
				   "(raise the descriptor limit, or lower "
				   "MaxConnections)",
				   c->info->peer_addr, strerror(errno));
		return -1;
	}
	c->pfd = sv[0];
	if (watch(c->w, c->pfd, &c->ev_pair) != 0) {
		close(sv[1]);
		return -1;
	}
	c->handed_off = true;
	c->w->mhd_due = true;
	if (!c->is_admin)
		c->await_since_ms = clock_mono_ms();
	c->info->refs++;
	return mhd_glue_hand_off(c->w, sv[1], c->info,
				 (const struct sockaddr *)&c->peer,
				 c->peer_len);
}

int
conn_accepted(struct worker *w, int cfd, const struct sockaddr *sa,
	      socklen_t len, bool is_admin, struct ip_slot *slot)
{
	struct conn *c = calloc(1, sizeof(*c));
	const struct gossipd_config *cfg = w->cfg;

	if (c == NULL || (c->info = calloc(1, sizeof(*c->info))) == NULL) {
		free(c);
		close(cfd);
		ip_limits_release(w->l->limits, slot);
		return -1;
	}
	c->ev_client.kind = EV_CLIENT;
	c->ev_pair.kind = EV_PAIR;
	c->w = w;
	c->cfd = cfd;
	c->pfd = -1;
	memcpy(&c->peer, sa, len);
	c->peer_len = len;
	c->is_admin = is_admin;
	c->slot = slot;
	c->info->refs = 1;
	sockets_format_peer(sa, c->info->peer_addr, sizeof(c->info->peer_addr));
	conn_link(w, c);
	metrics_conn_open(1);
	if (watch(w, cfd, &c->ev_client) != 0)
		goto fail;
	if (is_admin) {
		struct ucred cred;
		socklen_t cl = sizeof(cred);

		c->info->identity = ID_LOCAL_ADMIN;
		/* who is on the other end, for the audit lines */
		if (getsockopt(cfd, SOL_SOCKET, SO_PEERCRED, &cred, &cl) == 0)
			snprintf(c->info->peer_addr, sizeof(c->info->peer_addr),
				 "admin socket (uid %u, pid %d)",
				 (unsigned)cred.uid, (int)cred.pid);
	} else if (!cfg->insecure) {
		if (tls_conn_start(c) != 0)
			goto fail;
		c->deadline_ms = clock_mono_ms() + cfg->handshake_timeout_ms;
		conn_pump(c);
		return 0;
	} else {
		/* Insecure mode has no way to tell nodes apart: every peer
		 * is trusted, as in KurrentDB's insecure mode. The first
		 * bytes tell HTTP/2 with prior knowledge from HTTP/1.1. */
		c->info->identity = ID_NODE;
		c->sniffing = true;
		c->await_since_ms = clock_mono_ms(); /* RequestTimeoutMs */
		conn_pump(c);
		return 0;
	}
	if (hand_off(c) != 0)
		goto fail;
	return 0;
fail:
	conn_close(c);
	return -1;
}

void
conn_close(struct conn *c)
{
	struct worker *w = c->w;

	if (c->closed)
		return;
	c->closed = true;
	if (c->doom_until_ms != 0)
		log_warn("connection from %s closed: %s", c->info->peer_addr,
			 c->doom_reason);
	if (c->tls != NULL && c->linger_until_ms == 0)
		tls_conn_close_notify(c);
	epoll_ctl(w->epfd, EPOLL_CTL_DEL, c->cfd, NULL);
	close(c->cfd);
	if (c->pfd >= 0) {
		epoll_ctl(w->epfd, EPOLL_CTL_DEL, c->pfd, NULL);
		close(c->pfd);
	}
	ip_limits_release(w->l->limits, c->slot);
	c->slot = NULL;
	metrics_conn_open(-1);
	conn_unlink(w, c);
	c->next = w->dead;
	w->dead = c;
}

void
conn_reap(struct worker *w)
{
	while (w->dead != NULL) {
		struct conn *c = w->dead;

		w->dead = c->next;
		h2_conn_free(c);
		tls_conn_free(c);
		conn_info_unref(c->info);
		if (c->in.data != w->scratch)
			free(c->in.data); /* bytes held at close */
		if (c->out.data != w->scratch && c->out.data != w->fast_out)
			free(c->out.data);
		free(c);
	}
}

ssize_t
conn_client_recv(struct conn *c, char *buf, size_t len)
{
	ssize_t n;

	if (c->tls != NULL)
		return tls_conn_recv(c, buf, len);
	n = read(c->cfd, buf, len);
	if (n >= 0)
		return n;
	return errno == EAGAIN || errno == EINTR ? IO_AGAIN : IO_ERR;
}

ssize_t
conn_client_send(struct conn *c, const char *buf, size_t len)
{
	ssize_t n;

	if (c->tls != NULL)
		return tls_conn_send(c, buf, len);
	n = send(c->cfd, buf, len, MSG_NOSIGNAL);
	if (n >= 0)
		return n;
	return errno == EAGAIN || errno == EINTR ? IO_AGAIN : IO_ERR;
}

ssize_t
conn_send_held(struct conn *c, struct iobuf *b)
{
	size_t was = b->start;
	ssize_t n;

	while (b->start < b->end) {
		n = conn_client_send(c, b->data + b->start, b->end - b->start);
		if (n == IO_AGAIN)
			break;
		if (n <= 0)
			return -1;
		b->start += (size_t)n;
	}
	return (ssize_t)(b->start - was);
}

/*
 * What a pump direction returns: PUMP_AGAIN when it must run once more
 * (it stopped reading because its buffer was full and has made room since:
 * no new edge would come for bytes already waiting), PUMP_DONE when every
 * source it stopped at is drained (EAGAIN or end: a new edge comes with new
 * bytes, or when a blocked destination can take more), -1 when fatal.
 * Another turn would only cost two reads that fail with EAGAIN.
 */
#define PUMP_DONE  0
#define PUMP_AGAIN 1

/* Lends the worker's scratch buffer to b when b holds nothing. */
static void
iobuf_lend(struct conn *c, struct iobuf *b)
{
	if (b->data == NULL) {
		b->data = c->w->scratch;
		b->start = b->end = 0;
	}
}

/* After a pump turn: an empty buffer is given back (or freed); bytes
 * still held in the scratch move to a buffer of the connection's own.
 * -1 when that cannot be had. */
static int
iobuf_settle(struct conn *c, struct iobuf *b)
{
	if (iobuf_keep(b, c->w->scratch, CONN_BUF) == 0)
		return 0;
	log_error("connection from %s closed: out of memory",
		  c->info->peer_addr);
	return -1;
}

int
iobuf_keep(struct iobuf *b, char *scratch, size_t own_size)
{
	size_t held = b->end - b->start;
	char *own;

	if (held == 0) {
		if (b->data != scratch)
			free(b->data);
		b->data = NULL;
		b->start = b->end = 0;
		return 0;
	}
	if (b->data != scratch)
		return 0;
	own = malloc(own_size > held ? own_size : held);
	if (own == NULL)
		return -1;
	memcpy(own, b->data + b->start, held);
	b->start = 0;
	b->end = held;
	b->data = own;
	return 0;
}

/* Client -> in buffer -> pair. */
static int
pump_in_turn(struct conn *c)
{
	struct iobuf *b = &c->in;
	bool full = false, sent = false;
	ssize_t n;

	if (c->pair_gone)
		return PUMP_DONE; /* left unread for the lingering close */
	if (b->start == b->end)
		b->start = b->end = 0;
	for (;;) {
		if (c->client_eof)
			break;
		if (b->end == CONN_BUF) {
			full = true;
			break;
		}
		n = conn_client_recv(c, b->data + b->end, CONN_BUF - b->end);
		if (n == IO_AGAIN)
			break;
		if (n == IO_ERR)
			return -1;
		if (n == 0) {
			c->client_eof = true;
			break;
		}
		if (!c->info->in_request) {
			c->info->in_request = true;
			c->info->request_started_ms = clock_mono_ms();
		}
		c->await_since_ms = 0;
		b->end += (size_t)n;
	}
	while (b->start < b->end) {
		n = send(c->pfd, b->data + b->start, b->end - b->start,
			 MSG_NOSIGNAL);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			break;
		if (n < 0 && (errno == EPIPE || errno == ECONNRESET)) {
			/* MHD closed its end: it refused the request (a
			 * body over the limit, say) and its answer is still
			 * to be read by pump_out; the rest is not wanted. */
			c->pair_gone = true;
			b->start = b->end = 0;
			return PUMP_DONE;
		}
		if (n <= 0)
			return -1;
		b->start += (size_t)n;
		sent = true;
	}
	if (c->client_eof && b->start == b->end && !c->pair_shut) {
		shutdown(c->pfd, SHUT_WR); /* pass the half-close on */
		c->pair_shut = true;
		c->w->mhd_due = true;
	}
	if (sent)
		c->w->mhd_due = true; /* MHD_run this turn, not the next */
	return full && sent ? PUMP_AGAIN : PUMP_DONE;
}

/* Pair -> out buffer -> client. Same return values as pump_in. */
static int
pump_out_turn(struct conn *c)
{
	struct iobuf *b = &c->out;
	bool full = false, sent = false;
	size_t want;
	ssize_t n;

	if (b->start == b->end)
		b->start = b->end = 0;
	for (;;) {
		if (c->pair_eof)
			break;
		if (b->end == CONN_BUF) {
			full = true;
			break;
		}
		want = CONN_BUF - b->end;
		n = read(c->pfd, b->data + b->end, want);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			break;
		if (n < 0 && errno == ECONNRESET)
			n = 0; /* MHD closed with bytes of ours unread: its
				* answer was read before; an end all the same */
		if (n < 0)
			return -1;
		if (n == 0) {
			c->pair_eof = true;
			break;
		}
		if (!c->answered) {
			/* answered once: no longer a candidate for eviction */
			c->answered = true;
			ip_limits_answered(c->w->l->limits, c->slot);
		}
		b->end += (size_t)n;
		/* A short read emptied the pair. No new bytes or end can come
		 * before MHD_run, in this thread, and those bring a new edge:
		 * another read would only fail with EAGAIN. Unless the end
		 * is already signalled: then read on to see it. */
		if ((size_t)n < want && c->pair_quiet)
			break;
	}
	n = conn_send_held(c, b);
	if (n < 0)
		return -1;
	sent = n > 0;
	return full && sent ? PUMP_AGAIN : PUMP_DONE;
}

static int
pump_in(struct conn *c)
{
	int r;

	iobuf_lend(c, &c->in);
	r = pump_in_turn(c);
	return iobuf_settle(c, &c->in) != 0 ? -1 : r;
}

static int
pump_out(struct conn *c)
{
	int r;

	iobuf_lend(c, &c->out);
	r = pump_out_turn(c);
	return iobuf_settle(c, &c->out) != 0 ? -1 : r;
}

/* Lingering: drops what the client sends until it closes, errs, or the
 * byte bound is passed (the deadline is conn_sweep's). Reads until
 * EAGAIN: the socket is edge-triggered. */
static void
linger_drain(struct conn *c)
{
	char buf[4096];
	ssize_t n;

	for (;;) {
		n = read(c->cfd, buf, sizeof(buf));
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (n <= 0 || (c->lingered += (size_t)n) > LINGER_BYTES) {
			conn_close(c);
			return;
		}
	}
}

/*
 * MHD is done and everything is sent. When the client may still be
 * sending (a request body the answer refused), closing now would reset
 * the connection and the client could lose the answer: shut our side
 * instead and linger. Otherwise close.
 */
static void
conn_finish(struct conn *c)
{
	struct worker *w = c->w;

	if (c->client_eof) {
		conn_close(c);
		return;
	}
	if (c->tls != NULL)
		tls_conn_close_notify(c);
	shutdown(c->cfd, SHUT_WR);
	epoll_ctl(w->epfd, EPOLL_CTL_DEL, c->pfd, NULL);
	close(c->pfd);
	c->pfd = -1;
	c->linger_until_ms = clock_mono_ms() + LINGER_MS;
	linger_drain(c);
}

/* HTTP/2 serves the connection: its preface (or ALPN) counts as the
 * first request (h2 has its own timers), so it can no longer be evicted
 * as a connection that never said anything. */
static int
h2_start(struct conn *c)
{
	c->await_since_ms = 0;
	if (!c->answered) {
		c->answered = true;
		ip_limits_answered(c->w->l->limits, c->slot);
	}
	return h2_conn_start(c);
}

/*
 * Insecure mode: peeks at the first bytes. The HTTP/2 preface goes to
 * HTTP/2, anything else to libmicrohttpd as soon as a byte differs.
 * Returns 1 when decided, 0 to wait for more, -1 on error or end.
 */
static int
sniff(struct conn *c)
{
	char buf[H2_PREFACE_LEN];
	ssize_t n = recv(c->cfd, buf, sizeof(buf), MSG_PEEK);

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (n <= 0)
		return -1;
	c->sniffing = false;
	if (memcmp(buf, H2_PREFACE, (size_t)n) != 0) {
		h1_fast_start(c);
		return 1;
	}
	if (n < H2_PREFACE_LEN) {
		/* so far, the preface: RequestTimeoutMs still runs */
		c->sniffing = true;
		return 0;
	}
	return h2_start(c) == 0 ? 1 : -1;
}

static void pump_both(struct conn *c, bool want_in, bool want_out);

/* The TLS handshake is done: h2 when ALPN chose it, else HTTP/1.1. */
static int
after_handshake(struct conn *c)
{
	c->deadline_ms = 0;
	if (tls_conn_alpn_h2(c))
		return h2_start(c);
	h1_fast_start(c);
	return 0;
}

int
conn_to_mhd(struct conn *c)
{
	if (hand_off(c) != 0)
		return -1;
	c->await_since_ms = 0; /* a request is in c->in */
	pump_both(c, true, true);
	return 0;
}

void
conn_pump(struct conn *c)
{
	char why[160];

	if (c->closed)
		return;
	if (c->linger_until_ms != 0) {
		linger_drain(c);
		return;
	}
	if (c->sniffing) {
		int r = sniff(c);

		if (r < 0)
			conn_close(c);
		if (r <= 0)
			return;
	}
	if (c->tls != NULL && !c->handed_off) {
		int r = tls_conn_handshake(c);

		if (r < 0) {
			conn_close(c);
			return;
		}
		if (r == 0)
			return; /* wants more bytes */
		c->deadline_ms = 0;
		if (tls_conn_recheck(c, why, sizeof(why)) != 0) {
			/* verified under credentials a reload replaced */
			log_warn("connection from %s denied: %s (reload)",
				 c->info->peer_addr, why);
			conn_close(c);
			return;
		}
		if (after_handshake(c) != 0) {
			conn_close(c);
			return;
		}
	}
	if (c->h2 != NULL) {
		h2_conn_pump(c);
		return;
	}
	if (c->fast) {
		h1_fast_pump(c);
		return;
	}
	pump_both(c, true, true);
}

/*
 * Runs the directions asked for until neither has to run again: a
 * direction is asked for when its source has news or its destination has
 * room for bytes it holds.
 */
static void
pump_both(struct conn *c, bool want_in, bool want_out)
{
	int in, out;

	do {
		in = want_in ? pump_in(c) : PUMP_DONE;
		out = want_out ? pump_out(c) : PUMP_DONE;
		if (in < 0 || out < 0) {
			conn_close(c);
			return;
		}
		if (c->pair_eof && c->out.start == c->out.end) {
			conn_finish(c); /* MHD is done and all is sent */
			return;
		}
		want_in = in == PUMP_AGAIN;
		want_out = out == PUMP_AGAIN;
	} while (want_in || want_out);
}

/*
 * An epoll event on one socket of an established HTTP/1.1 connection runs
 * only the directions it concerns: readable client -> in; readable pair
 * -> out; writable client or pair -> the direction holding bytes for it.
 * The other direction's source is drained to EAGAIN already (edge
 * triggered), so running it would cost a read that can only fail.
 */
void
conn_event(struct conn *c, bool from_pair, uint32_t events)
{
	bool readable =
	    (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) != 0;
	bool in_held = c->in.start != c->in.end;
	bool out_held = c->out.start != c->out.end;

	if (!from_pair)
		tls_conn_rearm(c); /* before anything reads the client */
	if (c->closed || !c->handed_off || c->h2 != NULL || c->sniffing ||
	    c->linger_until_ms != 0 || c->pfd < 0) {
		conn_pump(c);
		return;
	}
	if (from_pair && (events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)) == 0)
		c->pair_quiet = true;
	if (from_pair)
		pump_both(c, in_held, readable || out_held);
	else
		pump_both(c, readable || in_held, out_held);
	c->pair_quiet = false;
}

void
conn_doom(struct conn *c, const char *reason)
{
	const struct gossipd_config *cfg = c->w->cfg;

	if (c->doom_until_ms != 0)
		return;
	snprintf(c->doom_reason, sizeof(c->doom_reason), "%s", reason);
	/* an answer in flight gets as long as a request may take */
	c->doom_until_ms =
	    clock_mono_ms() +
	    (cfg->request_timeout_ms > 0 ? cfg->request_timeout_ms : LINGER_MS);
}

/* Rights lost since the last sweep: a reload that revokes or no longer
 * trusts the peer certificate, or its notAfter passed. */
static void
check_rights(struct conn *c)
{
	struct conn_info *ci = c->info;
	char why[160];

	if (c->doom_until_ms != 0 || !c->handed_off)
		return;
	if (tls_conn_recheck(c, why, sizeof(why)) != 0) {
		metrics_refusal(strstr(why, "revoked") != NULL ? "revoked"
							       : "untrusted");
		/* a reload, or the CRL turned stale (its reason says so) */
		if (c->cred_gen != atomic_load(&c->w->l->stale_gen))
			strncat(why, " (reload)",
				sizeof(why) - strlen(why) - 1);
		conn_doom(c, why);
	} else if (ci->not_after != 0 && ci->identity != ID_ANONYMOUS &&
		   conn_info_identity(ci, time(NULL)) == ID_ANONYMOUS) {
		ci->identity = ID_ANONYMOUS;
		metrics_refusal("expired");
		conn_doom(c, "certificate has expired");
	}
}

bool
conn_idle(const struct conn *c)
{
	if (c->h2 != NULL)
		return h2_conn_idle(c);
	return c->handed_off && !c->info->in_request &&
	       c->in.start == c->in.end && c->out.start == c->out.end;
}

void
conn_sweep(struct conn *c, int64_t now)
{
	const struct gossipd_config *cfg = c->w->cfg;

	if (c->linger_until_ms != 0) {
		if (now >= c->linger_until_ms || c->w->stopping)
			conn_close(c);
		return;
	}
	if (c->slot != NULL && atomic_load(&c->slot->evicted)) {
		metrics_refusal("evicted");
		worker_log_refusal(c->w, c->info->peer_addr,
				   "evicted from a full connection table",
				   "connection from %s closed: connection "
				   "limit reached (MaxConnections %d), and it "
				   "had waited longest without a request",
				   c->info->peer_addr, cfg->max_connections);
		conn_close(c);
		return;
	}
	if (c->h2 != NULL) {
		/* HTTP/2: rights are re-checked as for HTTP/1.1; a doomed or
		 * stopping connection gets GOAWAY and ends when idle */
		check_rights(c);
		h2_conn_sweep(c, now);
		if (!c->closed && (c->w->stopping || c->doom_until_ms != 0) &&
		    (conn_idle(c) ||
		     (c->doom_until_ms != 0 && now >= c->doom_until_ms)))
			conn_close(c);
		return;
	}
	if (c->await_since_ms != 0 && cfg->request_timeout_ms > 0 &&
	    now - c->await_since_ms > cfg->request_timeout_ms) {
		metrics_refusal("request_timeout");
		worker_log_refusal(c->w, c->info->peer_addr,
				   "no request in time",
				   "connection from %s closed: no request "
				   "within %d ms",
				   c->info->peer_addr, cfg->request_timeout_ms);
		conn_close(c);
		return;
	}
	if (c->deadline_ms != 0 && now > c->deadline_ms) {
		metrics_refusal("handshake_timeout");
		worker_log_refusal(
		    c->w, c->info->peer_addr, "no TLS handshake in time",
		    "connection from %s closed: no TLS "
		    "handshake within %d ms",
		    c->info->peer_addr, cfg->handshake_timeout_ms);
		conn_close(c);
		return;
	}
	if (c->info->in_request && cfg->request_timeout_ms > 0 &&
	    now - c->info->request_started_ms > cfg->request_timeout_ms) {
		metrics_refusal("request_timeout");
		worker_log_refusal(c->w, c->info->peer_addr,
				   "request not complete in time",
				   "connection from %s closed: request not "
				   "complete within %d ms",
				   c->info->peer_addr, cfg->request_timeout_ms);
		conn_close(c);
		return;
	}
	if (c->w->stopping && !c->handed_off) {
		conn_close(c); /* a handshake has nothing in flight */
		return;
	}
	if (c->fast && cfg->idle_timeout_sec > 0 &&
	    now - c->active_ms > (int64_t)cfg->idle_timeout_sec * 1000) {
		/* IdleTimeoutSec, as libmicrohttpd applies it once it has
		 * the connection: no byte moved either way for that long,
		 * idle, or with answers the client does not read */
		log_debug("connection from %s closed: nothing moved for %d s",
			  c->info->peer_addr, cfg->idle_timeout_sec);
		conn_close(c);
		return;
	}
	check_rights(c);
	if (c->doom_until_ms != 0) {
		conn_pump(c); /* what MHD has answered goes out first */
		if (c->closed)
			return;
		if (conn_idle(c) || now >= c->doom_until_ms)
			conn_close(c);
		return;
	}
	if (c->w->stopping) {
		conn_pump(c);
		if (!c->closed && conn_idle(c))
			conn_close(c);
	}
}
