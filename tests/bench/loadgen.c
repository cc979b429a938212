/*
 * loadgen: an HTTP(S) load generator for gossipd and its peers.
 *
 * N connections per thread on one epoll loop each, mbedTLS client side
 * (client certificate optional), three modes:
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
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
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
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/error.h>
#include <mbedtls/net_sockets.h>
#include <mbedtls/ssl.h>
#include <mbedtls/x509_crt.h>

enum mode { M_KEEPALIVE, M_RESUME, M_FULL, M_HOLD };
enum cstate { C_CONNECTING, C_HANDSHAKE, C_WRITING, C_READING };
enum err_kind { E_CONNECT, E_TLS, E_IO, E_HTTP, E_STATUS, E_TIMEOUT, E__N };

static const char *const err_names[E__N] = {
    "connect", "tls", "io", "http-parse", "non-2xx-status", "timeout"};

struct opts {
	const char *host, *path, *cacert, *cert, *key;
	int port, conns, threads, seconds;
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
	enum cstate st;
	mbedtls_ssl_context ssl;
	bool ssl_ready;
	mbedtls_ssl_session saved;
	bool have_saved;
	llhttp_t parser;
	bool done;
	bool verified; /* a certificate was verified: a full handshake */
	size_t sent;
	uint64_t t0;
};

struct worker {
	const struct opts *o;
	int ep;
	struct sockaddr_storage addr;
	socklen_t addrlen;
	mbedtls_ssl_config conf;
	mbedtls_ctr_drbg_context drbg;
	mbedtls_entropy_context entropy;
	mbedtls_x509_crt ca, crt;
	mbedtls_pk_context pk;
	llhttp_settings_t settings;
	struct conn *c;
	struct lat lat;
	uint64_t ok, resumed, held, errors[E__N];
	uint64_t deadline;
	char req[512];
	size_t reqlen;
	pthread_t tid;
};

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

static int
bio_send(void *ctx, const unsigned char *buf, size_t len)
{
	struct conn *c = ctx;
	ssize_t n = send(c->fd, buf, len, MSG_NOSIGNAL);

	if (n < 0)
		return errno == EAGAIN ? MBEDTLS_ERR_SSL_WANT_WRITE
				       : MBEDTLS_ERR_NET_SEND_FAILED;
	return (int)n;
}

static int
bio_recv(void *ctx, unsigned char *buf, size_t len)
{
	struct conn *c = ctx;
	ssize_t n = recv(c->fd, buf, len, 0);

	if (n < 0)
		return errno == EAGAIN ? MBEDTLS_ERR_SSL_WANT_READ
				       : MBEDTLS_ERR_NET_RECV_FAILED;
	return (int)n;
}

static int
note_verify(void *ctx, mbedtls_x509_crt *crt, int depth, uint32_t *flags)
{
	struct conn *c = ctx;

	(void)crt;
	(void)depth;
	(void)flags;
	c->verified = true;
	return 0;
}

static void
conn_close(struct conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	if (c->ssl_ready)
		mbedtls_ssl_free(&c->ssl);
	c->ssl_ready = false;
}

static void conn_start(struct conn *c);

static void
conn_fail(struct conn *c, enum err_kind k)
{
	c->w->errors[k]++;
	if (c->w->o->mode == M_RESUME)
		c->have_saved = false; /* a failed one must not be resumed */
	conn_close(c);
	conn_start(c);
}

static void
conn_watch(struct conn *c, uint32_t events, int op)
{
	struct epoll_event ev = {.events = events, .data.ptr = c};

	epoll_ctl(c->w->ep, op, c->fd, &ev);
}

static void
conn_begin_request(struct conn *c)
{
	c->st = C_WRITING;
	c->sent = 0;
	c->done = false;
	llhttp_init(&c->parser, HTTP_RESPONSE, &c->w->settings);
	c->parser.data = c;
	if (c->w->o->mode == M_KEEPALIVE)
		c->t0 = now_us();
	conn_watch(c, EPOLLOUT, EPOLL_CTL_MOD);
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
	mbedtls_ssl_init(&c->ssl);
	c->ssl_ready = true;
	if (mbedtls_ssl_setup(&c->ssl, &w->conf) != 0) {
		conn_fail(c, E_TLS);
		return;
	}
	mbedtls_ssl_set_hostname(&c->ssl, NULL);
	if (w->o->mode == M_RESUME && c->have_saved)
		mbedtls_ssl_set_session(&c->ssl, &c->saved);
	mbedtls_ssl_set_bio(&c->ssl, c, bio_send, bio_recv, NULL);
	c->verified = false;
	mbedtls_ssl_set_verify(&c->ssl, note_verify, c);
	c->st = C_HANDSHAKE;
}

static void
conn_handshake(struct conn *c)
{
	int r = mbedtls_ssl_handshake(&c->ssl);

	if (r == MBEDTLS_ERR_SSL_WANT_READ) {
		conn_watch(c, EPOLLIN, EPOLL_CTL_MOD);
		return;
	}
	if (r == MBEDTLS_ERR_SSL_WANT_WRITE) {
		conn_watch(c, EPOLLOUT, EPOLL_CTL_MOD);
		return;
	}
	if (r != 0) {
		conn_fail(c, E_TLS);
		return;
	}
	if (c->w->o->mode == M_RESUME) {
		/* Only a full handshake verifies the server certificate. */
		if (c->have_saved && !c->verified)
			c->w->resumed++;
		if (!c->have_saved) {
			mbedtls_ssl_session_free(&c->saved);
			mbedtls_ssl_session_init(&c->saved);
			c->have_saved =
			    mbedtls_ssl_get_session(&c->ssl, &c->saved) == 0;
		}
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
			n = mbedtls_ssl_write(
			    &c->ssl, (const unsigned char *)w->req + c->sent,
			    w->reqlen - c->sent);
			if (n == MBEDTLS_ERR_SSL_WANT_WRITE ||
			    n == MBEDTLS_ERR_SSL_WANT_READ)
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
	if (w->o->mode != M_HOLD && now_us() >= w->deadline) {
		conn_close(c);
		return;
	}
	if (w->o->mode == M_HOLD) {
		/* Idle from now on: watched for nothing but a hang-up. */
		w->held++;
		conn_watch(c, 0, EPOLL_CTL_MOD);
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
		mbedtls_ssl_close_notify(&c->ssl);
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
			n = mbedtls_ssl_read(&c->ssl, buf, sizeof(buf));
			if (n == MBEDTLS_ERR_SSL_WANT_READ ||
			    n == MBEDTLS_ERR_SSL_WANT_WRITE)
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
		mbedtls_ssl_session_init(&w->c[i].saved);
		conn_start(&w->c[i]);
	}
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
		if (t >= w->deadline +
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
		n = epoll_wait(w->ep, evs, 256, 100);
		for (i = 0; i < n; i++)
			conn_event(evs[i].data.ptr);
	}
	for (i = 0; i < w->o->conns; i++)
		mbedtls_ssl_session_free(&w->c[i].saved);
	return NULL;
}

static int
worker_tls_setup(struct worker *w, char *err, size_t errlen)
{
	static const int suites[] = {
	    MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
	    MBEDTLS_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
	    MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
	    MBEDTLS_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
	    MBEDTLS_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
	    MBEDTLS_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
	    0};
	const struct opts *o = w->o;
	int r;

	if ((r = mbedtls_ctr_drbg_seed(&w->drbg, mbedtls_entropy_func,
				       &w->entropy, NULL, 0)) != 0 ||
	    (r = mbedtls_ssl_config_defaults(&w->conf, MBEDTLS_SSL_IS_CLIENT,
					     MBEDTLS_SSL_TRANSPORT_STREAM,
					     MBEDTLS_SSL_PRESET_DEFAULT)) != 0)
		goto fail;
	mbedtls_ssl_conf_rng(&w->conf, mbedtls_ctr_drbg_random, &w->drbg);
	mbedtls_ssl_conf_ciphersuites(&w->conf, suites);
	mbedtls_ssl_conf_min_version(&w->conf, MBEDTLS_SSL_MAJOR_VERSION_3,
				     MBEDTLS_SSL_MINOR_VERSION_3);
	mbedtls_ssl_conf_session_tickets(&w->conf, o->mode == M_RESUME);
	if (o->cacert != NULL) {
		if ((r = mbedtls_x509_crt_parse_file(&w->ca, o->cacert)) != 0)
			goto fail;
		mbedtls_ssl_conf_ca_chain(&w->conf, &w->ca, NULL);
		mbedtls_ssl_conf_authmode(&w->conf,
					  MBEDTLS_SSL_VERIFY_REQUIRED);
	} else {
		mbedtls_ssl_conf_authmode(&w->conf, MBEDTLS_SSL_VERIFY_NONE);
	}
	if (o->cert != NULL && o->key != NULL) {
		if ((r = mbedtls_x509_crt_parse_file(&w->crt, o->cert)) != 0 ||
		    (r = mbedtls_pk_parse_keyfile(&w->pk, o->key, NULL)) != 0 ||
		    (r = mbedtls_ssl_conf_own_cert(&w->conf, &w->crt,
						   &w->pk)) != 0)
			goto fail;
	}
	return 0;
fail:
	mbedtls_strerror(r, err, errlen);
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
		"               [--cacert F] [--cert F --key F] [--plain]\n");
}

static int
parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
	    {"host", 1, 0, 'h'},	{"port", 1, 0, 'p'},
	    {"path", 1, 0, 'u'},	{"mode", 1, 0, 'm'},
	    {"connections", 1, 0, 'c'}, {"threads", 1, 0, 't'},
	    {"seconds", 1, 0, 's'},	{"cacert", 1, 0, 'A'},
	    {"cert", 1, 0, 'C'},	{"key", 1, 0, 'K'},
	    {"plain", 0, 0, 'P'},	{0, 0, 0, 0}};
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
	    strlen(o->host) > 253)
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
		mbedtls_ssl_config_init(&w->conf);
		mbedtls_ctr_drbg_init(&w->drbg);
		mbedtls_entropy_init(&w->entropy);
		mbedtls_x509_crt_init(&w->ca);
		mbedtls_x509_crt_init(&w->crt);
		mbedtls_pk_init(&w->pk);
		llhttp_settings_init(&w->settings);
		w->settings.on_message_complete = on_complete;
		w->reqlen = (size_t)snprintf(
		    w->req, sizeof(w->req),
		    "GET %s HTTP/1.1\r\nHost: %s:%d\r\nAccept: "
		    "application/json\r\n%s\r\n",
		    o.path, o.host, o.port,
		    o.mode == M_KEEPALIVE ? "" : "Connection: close\r\n");
		w->c = calloc((size_t)o.conns, sizeof(*w->c));
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
		free(w->lat.v);
		mbedtls_ssl_config_free(&w->conf);
		mbedtls_ctr_drbg_free(&w->drbg);
		mbedtls_entropy_free(&w->entropy);
		mbedtls_x509_crt_free(&w->ca);
		mbedtls_x509_crt_free(&w->crt);
		mbedtls_pk_free(&w->pk);
	}
	free(ws);
	return rc;
}
