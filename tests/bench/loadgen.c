/*
 * loadgen: an HTTP(S) load generator for gossipd and its peers.
 *
 * N connections per thread on one epoll loop each, OpenSSL client side
 * (client certificate optional), four modes:
 *   keepalive  requests back to back on kept-alive connections;
 *   resume     a new TCP+TLS connection per request, resuming the session;
 *   full       a new TCP+TLS connection per request, full handshake.
 *   hold       one request per connection, then every connection is held
 *              open and idle until the time is up ("held=N" is printed
 *              once all are established), for memory measurements.
 * Latency is measured from the moment a request (with its connection, in
 * the per-request modes) is started until its whole response is read.
 * Prints requests/s, p50/p99/p999 latency and every error, counted by kind;
 * a run with errors says so loudly and exits 1.
 *
 * The client side is OpenSSL, not mbedTLS: the load generator must cost far
 * less per handshake than the servers it measures, or the figures measure
 * the generator. (The mbedTLS rule is for gossipd itself; mbedTLS 2.28's
 * portable P-256 saturated the generator at about 60 full handshakes/s.)
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <llhttp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

enum mode { M_KEEPALIVE, M_RESUME, M_FULL, M_HOLD };
enum cstate { C_CONNECTING, C_HANDSHAKE, C_WRITING, C_READING };
enum err_kind { E_CONNECT, E_TLS, E_IO, E_HTTP, E_STATUS, E_TIMEOUT, E__N };

static const char *const err_names[E__N] = {
    "connect", "tls", "io", "http-parse", "non-2xx-status", "timeout"};

struct opts {
	const char *host, *path, *cacert, *cert, *key;
	int port, conns, threads, seconds;
	double rate; /* keepalive: requests/s over all threads, 0: no pacing */
	enum mode mode;
	bool plain;
};

struct lat {
	uint32_t *v; /* microseconds */
	size_t n, cap;
};

struct worker;

struct conn {
	struct worker *w;
	int fd;
	uint32_t events; /* what epoll watches fd for */
	enum cstate st;
	SSL *ssl;
	SSL_SESSION *saved; /* resume mode: the session to resume */
	llhttp_t parser;
	bool done;
	size_t sent;
	uint64_t t0;
};

struct worker {
	const struct opts *o;
	int ep;
	struct sockaddr_storage addr;
	socklen_t addrlen;
	SSL_CTX *ctx;
	llhttp_settings_t settings;
	struct conn *c;
	struct lat lat;
	uint64_t ok, resumed, held, errors[E__N];
	uint64_t deadline;
	int started; /* hold mode: connections started so far */
	char req[512];
	size_t reqlen;
	pthread_t tid;
	/* --rate: requests are due every `interval` from `due` on; a due
	 * request goes to an idle connection, and its latency counts from
	 * when it was due (so a late start is not hidden) */
	double interval_us, due;
	bool paced; /* the schedule has started (every connection ready) */
	int *idle, n_idle;
	uint64_t run_end; /* paced: the schedule's own end */
};

/* hold mode: at most this many connections of a thread are being made at
 * once, so that thousands of handshakes queued at once do not outlast the
 * server's handshake deadline. */
#define HOLD_RAMP 32

/* hold mode: connections held across all threads, and the target. */
static atomic_int total_held;
static int total_wanted;

static uint64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static int
on_complete(llhttp_t *p)
{
	struct conn *c = p->data;

	c->done = true;
	return HPE_PAUSED;
}

static void
lat_add(struct lat *l, uint64_t us)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 65536;
		uint32_t *v = realloc(l->v, cap * sizeof(*v));

		if (v == NULL)
			return;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = us > UINT32_MAX ? UINT32_MAX : (uint32_t)us;
}

static void conn_watch(struct conn *c, uint32_t events, int op);

/* Runs one OpenSSL call's result through SSL_get_error: 1 when it must be
 * retried once the socket is ready (and the socket is watched for that),
 * 0 on a clean end of stream, -1 on an error. */
static int
ssl_retry(struct conn *c, int r)
{
	switch (SSL_get_error(c->ssl, r)) {
	case SSL_ERROR_WANT_READ:
		conn_watch(c, EPOLLIN, EPOLL_CTL_MOD);
		return 1;
	case SSL_ERROR_WANT_WRITE:
		conn_watch(c, EPOLLOUT, EPOLL_CTL_MOD);
		return 1;
	case SSL_ERROR_ZERO_RETURN:
		return 0;
	default:
		return -1;
	}
}

static void
conn_close(struct conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	SSL_free(c->ssl);
	c->ssl = NULL;
}

static void conn_start(struct conn *c);

static void
conn_fail(struct conn *c, enum err_kind k)
{
	c->w->errors[k]++;
	if (c->w->o->mode == M_RESUME) {
		/* A failed one must not be resumed. */
		SSL_SESSION_free(c->saved);
		c->saved = NULL;
	}
	conn_close(c);
	conn_start(c);
}

static void
conn_watch(struct conn *c, uint32_t events, int op)
{
	struct epoll_event ev = {.events = events, .data.ptr = c};

	/* No syscall when nothing changes: the generator must stay cheap. */
	if (op == EPOLL_CTL_MOD && c->events == events)
		return;
	c->events = events;
	epoll_ctl(c->w->ep, op, c->fd, &ev);
}

static void
conn_send_request(struct conn *c)
{
	c->st = C_WRITING;
	c->sent = 0;
	c->done = false;
	llhttp_init(&c->parser, HTTP_RESPONSE, &c->w->settings);
	c->parser.data = c;
	conn_watch(c, EPOLLOUT, EPOLL_CTL_MOD);
}

/* A connection ready for its next request: at once, or (--rate) idle
 * until a request is due. */
static void
conn_begin_request(struct conn *c)
{
	struct worker *w = c->w;

	if (w->o->rate > 0 && w->o->mode == M_KEEPALIVE) {
		w->idle[w->n_idle++] = (int)(c - w->c);
		conn_watch(c, 0, EPOLL_CTL_MOD);
		return;
	}
	if (w->o->mode == M_KEEPALIVE)
		c->t0 = now_us();
	conn_send_request(c);
}

/* --rate: hands every request due by now to an idle connection; returns
 * microseconds until the next one is due (-1: none can be sent yet). */
static int64_t
pace(struct worker *w)
{
	uint64_t t = now_us();

	if (!w->paced) {
		if (w->n_idle < w->o->conns)
			return -1;
		w->paced = true; /* every connection is ready: start */
		w->due = (double)t;
		w->run_end = t + (uint64_t)w->o->seconds * 1000000u;
	}
	while (w->n_idle > 0 && w->due <= (double)t && t < w->run_end) {
		struct conn *c = &w->c[w->idle[--w->n_idle]];

		c->t0 = (uint64_t)w->due;
		w->due += w->interval_us;
		conn_send_request(c);
	}
	if (t >= w->run_end || w->n_idle == 0)
		return -1;
	return (int64_t)(w->due - (double)t);
}

static void
conn_start(struct conn *c)
{
	struct worker *w = c->w;
	int one = 1;

	/* In hold mode every connection is made, however long that takes. */
	if (w->o->mode != M_HOLD && now_us() >= w->deadline)
		return;
	c->t0 = now_us();
	c->fd = socket(w->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK, 0);
	if (c->fd < 0) {
		w->errors[E_CONNECT]++;
		return;
	}
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(c->fd, (struct sockaddr *)&w->addr, w->addrlen) < 0 &&
	    errno != EINPROGRESS) {
		w->errors[E_CONNECT]++;
		close(c->fd);
		c->fd = -1;
		return;
	}
	c->st = C_CONNECTING;
	conn_watch(c, EPOLLOUT, EPOLL_CTL_ADD);
}

static void
conn_connected(struct conn *c)
{
	struct worker *w = c->w;
	int soerr = 0;
	socklen_t sl = sizeof(soerr);

	getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &soerr, &sl);
	if (soerr != 0) {
		conn_fail(c, E_CONNECT);
		return;
	}
	if (w->o->plain) {
		conn_begin_request(c);
		return;
	}
	c->ssl = SSL_new(w->ctx);
	if (c->ssl == NULL || SSL_set_fd(c->ssl, c->fd) != 1 ||
	    (w->o->mode == M_RESUME && c->saved != NULL &&
	     SSL_set_session(c->ssl, c->saved) != 1)) {
		conn_fail(c, E_TLS);
		return;
	}
	SSL_set_connect_state(c->ssl);
	c->st = C_HANDSHAKE;
}

static void
conn_handshake(struct conn *c)
{
	int r;

	ERR_clear_error();
	r = SSL_connect(c->ssl);
	if (r != 1) {
		if (ssl_retry(c, r) <= 0)
			conn_fail(c, E_TLS);
		return;
	}
	if (c->w->o->mode == M_RESUME) {
		if (c->saved != NULL && SSL_session_reused(c->ssl))
			c->w->resumed++;
		if (c->saved == NULL)
			c->saved = SSL_get1_session(c->ssl);
	}
	conn_begin_request(c);
}

static void
conn_write(struct conn *c)
{
	struct worker *w = c->w;

	while (c->sent < w->reqlen) {
		int n;

		if (w->o->plain) {
			ssize_t s = send(c->fd, w->req + c->sent,
					 w->reqlen - c->sent, MSG_NOSIGNAL);
			if (s < 0 && errno == EAGAIN)
				return;
			n = s < 0 ? -1 : (int)s;
		} else {
			ERR_clear_error();
			n = SSL_write(c->ssl, w->req + c->sent,
				      (int)(w->reqlen - c->sent));
			if (n <= 0 && ssl_retry(c, n) > 0)
				return;
		}
		if (n <= 0) {
			conn_fail(c, E_IO);
			return;
		}
		c->sent += (size_t)n;
	}
	c->st = C_READING;
	conn_watch(c, EPOLLIN, EPOLL_CTL_MOD);
}

static void
conn_finish(struct conn *c)
{
	struct worker *w = c->w;
	int status = c->parser.status_code;
	bool keep = llhttp_should_keep_alive(&c->parser);

	if (status < 200 || status > 299) {
		conn_fail(c, E_STATUS);
		return;
	}
	w->ok++;
	lat_add(&w->lat, now_us() - c->t0);
	if (w->paced && now_us() >= w->run_end) {
		conn_close(c);
		return;
	}
	if (w->o->mode != M_HOLD && w->o->rate <= 0 &&
	    now_us() >= w->deadline) {
		conn_close(c);
		return;
	}
	if (w->o->mode == M_HOLD) {
		/* Idle from now on: watched for nothing but a hang-up. */
		w->held++;
		conn_watch(c, 0, EPOLL_CTL_MOD);
		if (w->started < w->o->conns)
			conn_start(&w->c[w->started++]);
		if (atomic_fetch_add(&total_held, 1) + 1 == total_wanted) {
			printf("held=%d\n", total_wanted);
			fflush(stdout);
		}
		return;
	}
	if (w->o->mode == M_KEEPALIVE && keep) {
		conn_begin_request(c);
		return;
	}
	if (!w->o->plain)
		SSL_shutdown(c->ssl); /* close_notify; no wait for the peer's */
	conn_close(c);
	conn_start(c);
}

static void
conn_read(struct conn *c)
{
	unsigned char buf[16384];

	for (;;) {
		int n;

		if (c->w->o->plain) {
			ssize_t s = recv(c->fd, buf, sizeof(buf), 0);

			if (s < 0 && errno == EAGAIN)
				return;
			n = s < 0 ? -1 : (int)s;
		} else {
			ERR_clear_error();
			n = SSL_read(c->ssl, buf, (int)sizeof(buf));
			if (n <= 0 && ssl_retry(c, n) > 0)
				return;
		}
		if (n <= 0) {
			conn_fail(c, E_IO);
			return;
		}
		if (llhttp_execute(&c->parser, (const char *)buf, (size_t)n) !=
			HPE_OK &&
		    !c->done) {
			conn_fail(c, E_HTTP);
			return;
		}
		if (c->done) {
			conn_finish(c);
			return;
		}
	}
}

static void
conn_event(struct conn *c)
{
	switch (c->st) {
	case C_CONNECTING:
		conn_connected(c);
		if (c->fd >= 0 && c->st == C_HANDSHAKE)
			conn_handshake(c);
		else if (c->fd >= 0 && c->st == C_WRITING)
			conn_write(c);
		break;
	case C_HANDSHAKE:
		conn_handshake(c);
		if (c->fd >= 0 && c->st == C_WRITING)
			conn_write(c);
		break;
	case C_WRITING:
		conn_write(c);
		break;
	case C_READING:
		conn_read(c);
		break;
	}
}

static void *
worker_run(void *arg)
{
	struct worker *w = arg;
	struct epoll_event evs[256];
	int i;

	for (i = 0; i < w->o->conns; i++) {
		w->c[i].w = w;
		w->c[i].fd = -1;
	}
	w->started = w->o->mode == M_HOLD && w->o->conns > HOLD_RAMP
			 ? HOLD_RAMP
			 : w->o->conns;
	for (i = 0; i < w->started; i++)
		conn_start(&w->c[i]);
	for (;;) {
		uint64_t t = now_us();
		int n, open = 0;

		for (i = 0; i < w->o->conns; i++)
			open += w->c[i].fd >= 0;
		if (open == 0)
			break;
		if (w->o->mode == M_HOLD && t >= w->deadline &&
		    w->held == (uint64_t)open) {
			for (i = 0; i < w->o->conns; i++)
				conn_close(&w->c[i]);
			break;
		}
		if (w->paced && t >= w->run_end && w->n_idle == open) {
			for (i = 0; i < w->o->conns; i++)
				conn_close(&w->c[i]);
			break;
		}
		if (t >= (w->paced ? w->run_end : w->deadline) +
			     (w->o->mode == M_HOLD ? 120000000u : 2000000u)) {
			/* Whatever is still open 2 s after the end timed out.
			 */
			for (i = 0; i < w->o->conns; i++)
				if (w->c[i].fd >= 0) {
					w->errors[E_TIMEOUT]++;
					conn_close(&w->c[i]);
				}
			break;
		}
		if (w->o->rate > 0) {
			int64_t us = pace(w);
			struct timespec ts = {0, 100000000};

			if (us >= 0 && us < 100000)
				ts.tv_nsec = (long)us * 1000;
			n = epoll_pwait2(w->ep, evs, 256, &ts, NULL);
		} else {
			n = epoll_wait(w->ep, evs, 256, 100);
		}
		for (i = 0; i < n; i++)
			conn_event(evs[i].data.ptr);
	}
	for (i = 0; i < w->o->conns; i++)
		SSL_SESSION_free(w->c[i].saved);
	return NULL;
}

static int
worker_tls_setup(struct worker *w, char *err, size_t errlen)
{
	const struct opts *o = w->o;
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());

	w->ctx = ctx;
	/* gossipd speaks TLS 1.2 only (mbedTLS 2.28); ECDHE with AEAD. */
	if (ctx == NULL ||
	    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1 ||
	    SSL_CTX_set_max_proto_version(ctx, TLS1_2_VERSION) != 1 ||
	    SSL_CTX_set_cipher_list(ctx, "ECDHE+AESGCM:ECDHE+CHACHA20") != 1)
		goto fail;
	/* Resumption by session ticket in resume mode only; the client keeps
	 * its sessions itself (SSL_get1_session), not in a cache. */
	if (o->mode == M_RESUME)
		SSL_CTX_clear_options(ctx, SSL_OP_NO_TICKET);
	else
		SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	/* The client certificate file is sent as it is, as a gossipd node
	 * sends its own: OpenSSL would otherwise add the CA from the trust
	 * file to the chain (a root the server has and never needs). */
	SSL_CTX_set_mode(ctx, SSL_MODE_NO_AUTO_CHAIN);
	if (o->cacert != NULL) {
		if (SSL_CTX_load_verify_locations(ctx, o->cacert, NULL) != 1)
			goto fail;
		SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	} else {
		SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	}
	if (o->cert != NULL && o->key != NULL &&
	    (SSL_CTX_use_certificate_chain_file(ctx, o->cert) != 1 ||
	     SSL_CTX_use_PrivateKey_file(ctx, o->key, SSL_FILETYPE_PEM) != 1 ||
	     SSL_CTX_check_private_key(ctx) != 1))
		goto fail;
	return 0;
fail:
	ERR_error_string_n(ERR_get_error(), err, errlen);
	return -1;
}

static int
resolve(const struct opts *o, struct sockaddr_storage *ss, socklen_t *len)
{
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res = NULL;
	char port[16];

	snprintf(port, sizeof(port), "%d", o->port);
	if (getaddrinfo(o->host, port, &hints, &res) != 0 || res == NULL)
		return -1;
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	*len = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static void
report(const struct opts *o, struct worker *ws, double secs)
{
	static const char *const modes[] = {"keepalive", "resume", "full",
					    "hold"};
	struct lat all = {0};
	uint64_t ok = 0, resumed = 0, errs[E__N] = {0}, nerr = 0;
	int t, k;
	size_t i;

	for (t = 0; t < o->threads; t++) {
		ok += ws[t].ok;
		resumed += ws[t].resumed;
		for (k = 0; k < E__N; k++)
			errs[k] += ws[t].errors[k];
		for (i = 0; i < ws[t].lat.n; i++)
			lat_add(&all, ws[t].lat.v[i]);
	}
	qsort(all.v, all.n, sizeof(*all.v), cmp_u32);
#define PCT(p) (all.n ? all.v[(size_t)((double)(all.n - 1) * (p))] : 0)
	printf("mode=%s connections=%d threads=%d seconds=%.2f requests=%llu "
	       "rps=%.1f p50_us=%u p99_us=%u p999_us=%u",
	       modes[o->mode], o->conns * o->threads, o->threads, secs,
	       (unsigned long long)ok, secs > 0 ? (double)ok / secs : 0.0,
	       PCT(0.50), PCT(0.99), PCT(0.999));
#undef PCT
	if (o->mode == M_RESUME)
		printf(" resumed=%llu", (unsigned long long)resumed);
	for (k = 0; k < E__N; k++)
		nerr += errs[k];
	printf(" errors=%llu\n", (unsigned long long)nerr);
	if (nerr > 0) {
		fprintf(stderr, "!!! THIS RUN HAD %llu ERRORS:",
			(unsigned long long)nerr);
		for (k = 0; k < E__N; k++)
			if (errs[k] > 0)
				fprintf(stderr, " %s=%llu", err_names[k],
					(unsigned long long)errs[k]);
		fprintf(stderr, " !!!\n");
	}
	free(all.v);
}

static void
usage(void)
{
	fprintf(stderr,
		"usage: loadgen --host H --port P [--path /gossip] "
		"[--mode keepalive|resume|full|hold]\n"
		"               [--connections N] [--threads T] [--seconds S]\n"
		"               [--cacert F] [--cert F --key F] [--plain]\n"
		"               [--rate R]  (keepalive: R requests/s in all, "
		"latency from when each was due)\n");
}

static int
parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {{"host", 1, 0, 'h'},
					   {"port", 1, 0, 'p'},
					   {"path", 1, 0, 'u'},
					   {"mode", 1, 0, 'm'},
					   {"connections", 1, 0, 'c'},
					   {"threads", 1, 0, 't'},
					   {"seconds", 1, 0, 's'},
					   {"cacert", 1, 0, 'A'},
					   {"cert", 1, 0, 'C'},
					   {"key", 1, 0, 'K'},
					   {"plain", 0, 0, 'P'},
					   {"rate", 1, 0, 'R'},
					   {0, 0, 0, 0}};
	int ch;

	*o = (struct opts){.host = "127.0.0.1",
			   .port = 2113,
			   .path = "/gossip",
			   .conns = 16,
			   .threads = 1,
			   .seconds = 5,
			   .mode = M_KEEPALIVE};
	while ((ch = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (ch) {
		case 'h':
			o->host = optarg;
			break;
		case 'p':
			o->port = (int)strtol(optarg, NULL, 10);
			break;
		case 'u':
			o->path = optarg;
			break;
		case 'c':
			o->conns = (int)strtol(optarg, NULL, 10);
			break;
		case 't':
			o->threads = (int)strtol(optarg, NULL, 10);
			break;
		case 's':
			o->seconds = (int)strtol(optarg, NULL, 10);
			break;
		case 'A':
			o->cacert = optarg;
			break;
		case 'C':
			o->cert = optarg;
			break;
		case 'K':
			o->key = optarg;
			break;
		case 'P':
			o->plain = true;
			break;
		case 'R':
			o->rate = strtod(optarg, NULL);
			break;
		case 'm':
			if (strcmp(optarg, "keepalive") == 0)
				o->mode = M_KEEPALIVE;
			else if (strcmp(optarg, "resume") == 0)
				o->mode = M_RESUME;
			else if (strcmp(optarg, "full") == 0)
				o->mode = M_FULL;
			else if (strcmp(optarg, "hold") == 0)
				o->mode = M_HOLD;
			else
				return -1;
			break;
		default:
			return -1;
		}
	}
	if (o->port < 1 || o->port > 65535 || o->conns < 1 ||
	    o->conns > 100000 || o->threads < 1 || o->threads > 64 ||
	    o->seconds < 1 || o->seconds > 3600 || strlen(o->path) > 256 ||
	    o->rate < 0 || o->rate > 10000000 ||
	    (o->rate > 0 && o->mode != M_KEEPALIVE) || strlen(o->host) > 253)
		return -1;
	return 0;
}

int
main(int argc, char **argv)
{
	struct opts o;
	struct worker *ws;
	char err[256];
	uint64_t t0, deadline;
	int t, rc = 0;

	/* A server closing a refused connection under our write must be an
	 * error counted for that connection, not the end of the run. */
	signal(SIGPIPE, SIG_IGN);
	if (parse_opts(argc, argv, &o) < 0) {
		usage();
		return 2;
	}
	ws = calloc((size_t)o.threads, sizeof(*ws));
	if (ws == NULL)
		return 1;
	total_wanted = o.conns * o.threads;
	t0 = now_us();
	deadline = t0 + (uint64_t)o.seconds * 1000000u;
	for (t = 0; t < o.threads && rc == 0; t++) {
		struct worker *w = &ws[t];

		w->o = &o;
		w->deadline = deadline;
		llhttp_settings_init(&w->settings);
		w->settings.on_message_complete = on_complete;
		w->reqlen = (size_t)snprintf(
		    w->req, sizeof(w->req),
		    "GET %s HTTP/1.1\r\nHost: %s:%d\r\nAccept: "
		    "application/json\r\n%s\r\n",
		    o.path, o.host, o.port,
		    o.mode == M_KEEPALIVE || o.mode == M_HOLD
			? ""
			: "Connection: close\r\n");
		w->c = calloc((size_t)o.conns, sizeof(*w->c));
		w->idle = calloc((size_t)o.conns, sizeof(*w->idle));
		w->interval_us = o.rate > 0 ? 1e6 * o.threads / o.rate : 0;
		w->ep = epoll_create1(EPOLL_CLOEXEC);
		if (w->c == NULL || w->ep < 0 ||
		    resolve(&o, &w->addr, &w->addrlen) < 0) {
			fprintf(stderr, "loadgen: cannot set up %s:%d\n",
				o.host, o.port);
			rc = 1;
		} else if (!o.plain &&
			   worker_tls_setup(w, err, sizeof(err)) < 0) {
			fprintf(stderr, "loadgen: TLS setup: %s\n", err);
			rc = 1;
		}
	}
	for (t = 0; t < o.threads && rc == 0; t++)
		pthread_create(&ws[t].tid, NULL, worker_run, &ws[t]);
	for (t = 0; t < o.threads && rc == 0; t++)
		pthread_join(ws[t].tid, NULL);
	if (rc == 0)
		report(&o, ws, (double)(now_us() - t0) / 1e6);
	for (t = 0; t < o.threads; t++) {
		struct worker *w = &ws[t];
		int e;

		for (e = 0; e < E__N; e++)
			if (w->errors[e] > 0)
				rc = 1;
		if (w->ep > 0)
			close(w->ep);
		free(w->c);
		free(w->idle);
		free(w->lat.v);
		SSL_CTX_free(w->ctx);
	}
	free(ws);
	return rc;
}
