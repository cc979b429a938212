/*
 * fakepeer: a misbehaving gossip peer for the fault tests.
 *
 *   fakepeer --port P [--host 127.0.0.1] --mode MODE
 *            [--cert F --key F]       (TLS with this certificate)
 *            [--huge-bytes N]         (size of the "huge" body)
 *
 * Modes, for every accepted connection:
 *   silent    accept (and finish the TLS handshake), then never answer
 *   close     accept and close at once
 *   garbage   read the request, answer with bytes that are not HTTP
 *   huge      read the request, answer 200 with a body of N bytes
 *             (default 64 MiB), sent as fast as the peer reads
 *   midclose  read the request, send half a response, then close
 *
 * Each connection gets its own thread; the process runs until killed.
 * "listening on HOST:PORT" is printed once the socket is bound. With
 * --port 0 the kernel chooses a free port (no race with other tests for
 * a port picked in advance); the line says which.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/error.h>
#include <mbedtls/net_sockets.h>
#include <mbedtls/ssl.h>
#include <mbedtls/x509_crt.h>

enum mode { F_SILENT, F_CLOSE, F_GARBAGE, F_HUGE, F_MIDCLOSE };

struct peer {
	enum mode mode;
	bool tls;
	size_t huge;
	mbedtls_ssl_config conf;
	mbedtls_x509_crt crt;
	mbedtls_pk_context pk;
	mbedtls_ctr_drbg_context drbg;
	mbedtls_entropy_context entropy;
	pthread_mutex_t rng_lock;
};

struct session {
	struct peer *p;
	int fd;
	mbedtls_ssl_context ssl;
};

static int
io_send(struct session *s, const void *buf, size_t len)
{
	const unsigned char *b = buf;

	while (len > 0) {
		int n;

		if (s->p->tls)
			n = mbedtls_ssl_write(&s->ssl, b, len);
		else
			n = (int)send(s->fd, b, len, MSG_NOSIGNAL);
		if (n == MBEDTLS_ERR_SSL_WANT_WRITE)
			continue;
		if (n <= 0)
			return -1;
		b += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Reads until the end of the request headers and any Content-Length body. */
static int
read_request(struct session *s)
{
	char buf[65536];
	size_t have = 0, need = 0;
	char *end = NULL;

	for (;;) {
		int n;

		if (have == sizeof(buf) - 1)
			return -1;
		if (s->p->tls)
			n = mbedtls_ssl_read(&s->ssl,
					     (unsigned char *)buf + have,
					     sizeof(buf) - 1 - have);
		else
			n = (int)recv(s->fd, buf + have, sizeof(buf) - 1 - have,
				      0);
		if (n == MBEDTLS_ERR_SSL_WANT_READ)
			continue;
		if (n <= 0)
			return -1;
		have += (size_t)n;
		buf[have] = '\0';
		if (end == NULL && (end = strstr(buf, "\r\n\r\n")) != NULL) {
			char *cl = strcasestr(buf, "\r\ncontent-length:");

			need = (size_t)(end + 4 - buf);
			if (cl != NULL && cl < end)
				need += strtoul(cl + 17, NULL, 10);
		}
		if (end != NULL && have >= need)
			return 0;
		if (end != NULL && need > sizeof(buf) - 1)
			return 0; /* a big body: answer without reading it all
				   */
	}
}

static void
behave(struct session *s)
{
	static const char garbage[] =
	    "\x01\x02 this is not HTTP at all \xff\xfe"
	    "\r\n\r\n{{{{";
	static const char half[] = "HTTP/1.1 200 OK\r\nContent-Type: "
				   "application/json\r\nContent-Length: 5000\r"
				   "\n\r\n{\"members\":[{\"instanceId\":";
	char head[256];

	if (s->p->mode == F_SILENT) {
		char c;

		/* Hold the connection until the peer gives up. */
		while (recv(s->fd, &c, 1, MSG_PEEK) > 0)
			sleep(1);
		return;
	}
	if (read_request(s) < 0)
		return;
	switch (s->p->mode) {
	case F_GARBAGE:
		io_send(s, garbage, sizeof(garbage) - 1);
		break;
	case F_MIDCLOSE:
		io_send(s, half, sizeof(half) - 1);
		break;
	case F_HUGE: {
		static char chunk[65536];
		size_t left = s->p->huge;

		memset(chunk, ' ', sizeof(chunk));
		snprintf(head, sizeof(head),
			 "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
			 "Content-Length: %zu\r\n\r\n",
			 s->p->huge);
		if (io_send(s, head, strlen(head)) < 0)
			return;
		while (left > 0) {
			size_t n = left < sizeof(chunk) ? left : sizeof(chunk);

			if (io_send(s, chunk, n) < 0)
				return;
			left -= n;
		}
		break;
	}
	default:
		break;
	}
}

static int
bio_send(void *ctx, const unsigned char *buf, size_t len)
{
	ssize_t n = send(*(int *)ctx, buf, len, MSG_NOSIGNAL);

	return n < 0 ? MBEDTLS_ERR_NET_SEND_FAILED : (int)n;
}

static int
bio_recv(void *ctx, unsigned char *buf, size_t len)
{
	ssize_t n = recv(*(int *)ctx, buf, len, 0);

	return n < 0 ? MBEDTLS_ERR_NET_RECV_FAILED : (int)n;
}

static void *
session_run(void *arg)
{
	struct session *s = arg;

	if (s->p->mode != F_CLOSE) {
		if (s->p->tls) {
			mbedtls_ssl_init(&s->ssl);
			if (mbedtls_ssl_setup(&s->ssl, &s->p->conf) == 0) {
				mbedtls_ssl_set_bio(&s->ssl, &s->fd, bio_send,
						    bio_recv, NULL);
				if (mbedtls_ssl_handshake(&s->ssl) == 0)
					behave(s);
			}
			mbedtls_ssl_free(&s->ssl);
		} else {
			behave(s);
		}
	}
	close(s->fd);
	free(s);
	return NULL;
}

static int
locked_random(void *ctx, unsigned char *out, size_t len)
{
	struct peer *p = ctx;
	int r;

	pthread_mutex_lock(&p->rng_lock);
	r = mbedtls_ctr_drbg_random(&p->drbg, out, len);
	pthread_mutex_unlock(&p->rng_lock);
	return r;
}

static int
tls_setup(struct peer *p, const char *cert, const char *key)
{
	char err[200];
	int r;

	mbedtls_ssl_config_init(&p->conf);
	mbedtls_x509_crt_init(&p->crt);
	mbedtls_pk_init(&p->pk);
	mbedtls_ctr_drbg_init(&p->drbg);
	mbedtls_entropy_init(&p->entropy);
	pthread_mutex_init(&p->rng_lock, NULL);
	if ((r = mbedtls_ctr_drbg_seed(&p->drbg, mbedtls_entropy_func,
				       &p->entropy, NULL, 0)) != 0 ||
	    (r = mbedtls_x509_crt_parse_file(&p->crt, cert)) != 0 ||
	    (r = mbedtls_pk_parse_keyfile(&p->pk, key, NULL)) != 0 ||
	    (r = mbedtls_ssl_config_defaults(
		 &p->conf, MBEDTLS_SSL_IS_SERVER, MBEDTLS_SSL_TRANSPORT_STREAM,
		 MBEDTLS_SSL_PRESET_DEFAULT)) != 0 ||
	    (r = mbedtls_ssl_conf_own_cert(&p->conf, &p->crt, &p->pk)) != 0) {
		mbedtls_strerror(r, err, sizeof(err));
		fprintf(stderr, "fakepeer: TLS setup: %s\n", err);
		return -1;
	}
	mbedtls_ssl_conf_rng(&p->conf, locked_random, p);
	mbedtls_ssl_conf_authmode(&p->conf, MBEDTLS_SSL_VERIFY_NONE);
	p->tls = true;
	return 0;
}

/* A whole decimal number within [0, max], or -1. */
static int
parse_num(const char *s, unsigned long long max, unsigned long long *out)
{
	char *end;

	errno = 0;
	if (*s < '0' || *s > '9')
		return -1;
	*out = strtoull(s, &end, 10);
	return errno != 0 || *end != '\0' || *out > max ? -1 : 0;
}

static int
parse_mode(const char *s, enum mode *m)
{
	static const char *const names[] = {"silent", "close", "garbage",
					    "huge", "midclose"};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(s, names[i]) == 0) {
			*m = (enum mode)i;
			return 0;
		}
	return -1;
}

int
main(int argc, char **argv)
{
	static const struct option lo[] = {
	    {"port", 1, 0, 'p'}, {"host", 1, 0, 'h'}, {"mode", 1, 0, 'm'},
	    {"cert", 1, 0, 'c'}, {"key", 1, 0, 'k'},  {"huge-bytes", 1, 0, 'b'},
	    {0, 0, 0, 0}};
	static struct peer p = {.huge = 64u << 20};
	const char *host = "127.0.0.1", *cert = NULL, *key = NULL;
	struct sockaddr_in sa = {.sin_family = AF_INET};
	unsigned long long num;
	socklen_t salen;
	int port = -1, ch, lfd, one = 1;

	signal(SIGPIPE, SIG_IGN);
	while ((ch = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (ch) {
		case 'p':
			if (parse_num(optarg, 65535, &num) < 0)
				goto usage;
			port = (int)num;
			break;
		case 'h':
			host = optarg;
			break;
		case 'm':
			if (parse_mode(optarg, &p.mode) < 0)
				goto usage;
			break;
		case 'c':
			cert = optarg;
			break;
		case 'k':
			key = optarg;
			break;
		case 'b':
			if (parse_num(optarg, SIZE_MAX, &num) < 0)
				goto usage;
			p.huge = (size_t)num;
			break;
		default:
			goto usage;
		}
	}
	if (port < 0 || port > 65535 ||
	    inet_pton(AF_INET, host, &sa.sin_addr) != 1)
		goto usage;
	if (cert != NULL && tls_setup(&p, cert, key != NULL ? key : cert) < 0)
		return 1;
	sa.sin_port = htons((uint16_t)port);
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(lfd, 128) < 0) {
		perror("fakepeer: listen");
		return 1;
	}
	salen = sizeof(sa);
	if (getsockname(lfd, (struct sockaddr *)&sa, &salen) < 0) {
		perror("fakepeer: getsockname");
		return 1;
	}
	printf("listening on %s:%u\n", host, (unsigned)ntohs(sa.sin_port));
	fflush(stdout);
	for (;;) {
		struct session *s;
		pthread_t t;
		int fd = accept(lfd, NULL, NULL);

		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			perror("fakepeer: accept");
			return 1;
		}
		s = calloc(1, sizeof(*s));
		if (s == NULL) {
			close(fd);
			continue;
		}
		s->p = &p;
		s->fd = fd;
		if (pthread_create(&t, NULL, session_run, s) != 0) {
			close(fd);
			free(s);
			continue;
		}
		pthread_detach(t);
	}
usage:
	fprintf(stderr, "usage: fakepeer --port P|0 [--host IPv4] --mode "
			"silent|close|garbage|huge|midclose [--cert F --key "
			"F] [--huge-bytes N]\n");
	return 2;
}
