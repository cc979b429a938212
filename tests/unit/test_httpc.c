/*
 * httpc unit tests: the response parser (whole and fed byte by byte),
 * then the client against small scripted HTTP servers on loopback threads
 * (keep-alive reuse, retry on a closed kept-alive connection, deadlines,
 * refused connections, bounds, request format). TLS is covered by
 * tests/integration/httpc_*.sh against nginx and openssl s_server.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "fixtures.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/net_sockets.h>
#include <mbedtls/ssl.h>
#include <mbedtls/ssl_cache.h>

#include "httpc.h"
#include "httpc_parse.h"
#include "clock.h"

/* ---- the parser ----------------------------------------------------- */

struct parse_case {
	const char *name;
	const char *in;
	size_t max_body;
	int ok;
	int status;
	const char *body;     /* when ok */
	const char *ctype;    /* when ok, NULL: do not check */
	const char *err_part; /* when not ok */
};

static const struct parse_case parse_cases[] = {
    {"content-length",
     "HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=utf-8\r\n"
     "Content-Length: 13\r\n\r\n{\"members\":1}",
     0, 1, 200, "{\"members\":1}", "application/json; charset=utf-8", NULL},
    {"chunked",
     "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
     "3\r\nabc\r\n2;ext=1\r\nde\r\n0\r\nX-Trailer: t\r\n\r\n",
     0, 1, 200, "abcde", "", NULL},
    {"close-delimited",
     "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nhello", 0, 1, 200,
     "hello", "text/plain", NULL},
    {"http/1.0 close-delimited", "HTTP/1.0 200 OK\r\n\r\nold", 0, 1, 200, "old",
     NULL, NULL},
    {"204 has no body", "HTTP/1.1 204 No Content\r\nX-A: b\r\n\r\n", 0, 1, 204,
     "", "", NULL},
    {"304 has no body despite length",
     "HTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\n\r\n", 0, 1, 304, "",
     NULL, NULL},
    {"interim 100 skipped",
     "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\n"
     "Content-Length: 2\r\n\r\nok",
     0, 1, 201, "ok", NULL, NULL},
    {"last content-type wins, trailing blanks cut",
     "HTTP/1.1 200 OK\r\ncontent-TYPE: a/b\r\nContent-Type: c/d  \r\n"
     "Content-Length: 0\r\n\r\n",
     0, 1, 200, "", "c/d", NULL},
    {"bytes after the response ignored",
     "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nxGARBAGE", 0, 1, 200, "x",
     NULL, NULL},
    {"body at the limit", "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nabcd", 4,
     1, 200, "abcd", NULL, NULL},
    {"content-length over the limit",
     "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nabcde", 4, 0, 0, NULL, NULL,
     "response body over 4 bytes"},
    {"chunked over the limit",
     "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
     "3\r\nabc\r\n3\r\ndef\r\n0\r\n\r\n",
     4, 0, 0, NULL, NULL, "response body over 4 bytes"},
    {"close-delimited over the limit", "HTTP/1.1 200 OK\r\n\r\nabcdef", 4, 0, 0,
     NULL, NULL, "response body over 4 bytes"},
    {"huge content-length refused before the body",
     "HTTP/1.1 200 OK\r\nContent-Length: 99999999999\r\n\r\n", 0, 0, 0, NULL,
     NULL, "response body over 4194304 bytes"},
    {"malformed status line", "HTTP/1.1 abc OK\r\n\r\n", 0, 0, 0, NULL, NULL,
     "HTTP parse error: "},
    {"not HTTP at all", "SSH-2.0-OpenSSH_9.2\r\n", 0, 0, 0, NULL, NULL,
     "HTTP parse error: "},
    {"bad header name", "HTTP/1.1 200 OK\r\nX(y): z\r\n\r\n", 0, 0, 0, NULL,
     NULL, "HTTP parse error: Invalid header token"},
    {"control byte in a header value", "HTTP/1.1 200 OK\r\nX: a\001b\r\n\r\n",
     0, 0, 0, NULL, NULL, "HTTP parse error: "},
    {"header line without a colon", "HTTP/1.1 200 OK\r\nNoColon\r\n\r\n", 0, 0,
     0, NULL, NULL, "HTTP parse error: "},
    {"content-length and chunked together",
     "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n"
     "Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
     0, 0, 0, NULL, NULL, "HTTP parse error: "},
    {"bad chunk size",
     "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 0, 0, 0,
     NULL, NULL, "HTTP parse error: "},
    {"truncated body", "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", 0, 0,
     0, NULL, NULL, "connection closed in the middle of the response body"},
    {"truncated chunked body",
     "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab", 0, 0, 0,
     NULL, NULL, "connection closed in the middle of the response body"},
    {"truncated headers", "HTTP/1.1 200 OK\r\nContent-Le", 0, 0, 0, NULL, NULL,
     "connection closed in the middle of the response headers"},
    {"nothing at all", "", 0, 0, 0, NULL, NULL,
     "connection closed before any response"},
    {"101 refused", "HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\n\r\n", 0,
     0, 0, NULL, NULL, "unexpected 101"},
};

static void
check_case(const struct parse_case *pc, int rc, struct httpc_response *resp,
	   const char *err)
{
	if (pc->ok) {
		if (rc != 0)
			fail_msg("%s: unexpected error: %s", pc->name, err);
		assert_int_equal(resp->status, pc->status);
		assert_non_null(resp->body);
		assert_int_equal(resp->body_len, strlen(pc->body));
		assert_string_equal(resp->body, pc->body);
		if (pc->ctype != NULL)
			assert_string_equal(resp->content_type, pc->ctype);
	} else {
		if (rc == 0)
			fail_msg("%s: parsed, expected \"%s\"", pc->name,
				 pc->err_part);
		if (strstr(err, pc->err_part) == NULL)
			fail_msg("%s: error \"%s\" lacks \"%s\"", pc->name, err,
				 pc->err_part);
		assert_null(resp->body);
	}
}

static void
test_parse_whole(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof parse_cases / sizeof parse_cases[0];
	     i++) {
		const struct parse_case *pc = &parse_cases[i];
		struct httpc_response resp;
		char err[256] = "";
		int rc =
		    httpc_parse_response(pc->in, strlen(pc->in), pc->max_body,
					 &resp, err, sizeof err);

		check_case(pc, rc, &resp, err);
		httpc_response_free(&resp);
	}
}

/* The same cases, fed one byte per read as a slow server would. */
static void
test_parse_split_across_reads(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof parse_cases / sizeof parse_cases[0];
	     i++) {
		const struct parse_case *pc = &parse_cases[i];
		struct httpc_parser p;
		struct httpc_response resp;
		char err[256] = "";
		size_t len = strlen(pc->in), extra = 0;
		int rc = 0;

		memset(&resp, 0, sizeof resp);
		httpc_parser_init(&p, pc->max_body, 0);
		for (size_t off = 0; off < len && rc == 0; off++)
			rc = httpc_parser_feed(&p, pc->in + off, 1, &extra, err,
					       sizeof err);
		if (rc == 0)
			rc = httpc_parser_eof(&p, err, sizeof err);
		if (rc == 1)
			rc = httpc_parser_take(&p, &resp, err, sizeof err);
		httpc_parser_free(&p);
		check_case(pc, rc == 0 ? 0 : -1, &resp, err);
		httpc_response_free(&resp);
	}
}

static void
test_parse_headers_over_64k(void **state)
{
	size_t cap = HTTPC_MAX_HEADER_BYTES + 4096, n;
	char *in = malloc(cap), err[256] = "";
	struct httpc_response resp;

	(void)state;
	assert_non_null(in);
	n = (size_t)snprintf(in, cap, "HTTP/1.1 200 OK\r\n");
	while (n + 64 < cap)
		n += (size_t)snprintf(in + n, cap - n,
				      "X-Filler-%zu: %040d\r\n", n, 0);
	n += (size_t)snprintf(in + n, cap - n, "\r\n");
	assert_int_equal(httpc_parse_response(in, n, 0, &resp, err, sizeof err),
			 -1);
	assert_string_equal(err, "response headers over 65536 bytes");
	free(in);
}

/* Just under the bound is fine: the limit is not off by a lot. */
static void
test_parse_headers_under_64k(void **state)
{
	size_t cap = HTTPC_MAX_HEADER_BYTES, n;
	char *in = malloc(cap + 64), err[256] = "";
	struct httpc_response resp;

	(void)state;
	assert_non_null(in);
	n = (size_t)snprintf(in, cap, "HTTP/1.1 200 OK\r\n");
	while (n + 200 < cap)
		n += (size_t)snprintf(in + n, cap - n,
				      "X-Filler-%zu: %040d\r\n", n, 0);
	n += (size_t)snprintf(in + n, cap + 64 - n,
			      "Content-Length: 2\r\n\r\nok");
	assert_int_equal(httpc_parse_response(in, n, 0, &resp, err, sizeof err),
			 0);
	assert_string_equal(resp.body, "ok");
	httpc_response_free(&resp);
	free(in);
}

static void
test_parse_keep_alive_and_extra(void **state)
{
	const char *ka = "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nxHTTP";
	const char *cl = "HTTP/1.1 200 OK\r\nConnection: close\r\n"
			 "Content-Length: 1\r\n\r\nx";
	struct httpc_parser p;
	char err[128];
	size_t extra;

	(void)state;
	httpc_parser_init(&p, 0, 0);
	assert_int_equal(
	    httpc_parser_feed(&p, ka, strlen(ka), &extra, err, sizeof err), 1);
	assert_int_equal(extra, 4);
	assert_true(httpc_parser_keep_alive(&p));
	httpc_parser_free(&p);

	httpc_parser_init(&p, 0, 0);
	assert_int_equal(
	    httpc_parser_feed(&p, cl, strlen(cl), &extra, err, sizeof err), 1);
	assert_int_equal(extra, 0);
	assert_false(httpc_parser_keep_alive(&p));
	httpc_parser_free(&p);
}

/* A HEAD response announces a length but carries no body. */
static void
test_parse_head_has_no_body(void **state)
{
	const char *in = "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n";
	struct httpc_parser p;
	struct httpc_response resp;
	char err[128];
	size_t extra;

	(void)state;
	httpc_parser_init(&p, 0, 1);
	assert_int_equal(
	    httpc_parser_feed(&p, in, strlen(in), &extra, err, sizeof err), 1);
	assert_int_equal(httpc_parser_take(&p, &resp, err, sizeof err), 0);
	assert_int_equal(resp.body_len, 0);
	assert_true(httpc_parser_keep_alive(&p));
	httpc_parser_free(&p);
	httpc_response_free(&resp);
}

/* ---- scripted servers on loopback ----------------------------------- */

enum step_action {
	S_REPLY,       /* send the reply, keep the connection */
	S_REPLY_CLOSE, /* send the reply, then close */
	S_DROP,	       /* read the request, close without a word */
	S_HANG,	       /* read the request, never answer */
	S_GREET,       /* send the reply at once, unasked, then close */
};

struct step {
	enum step_action action;
	const char *reply;
};

#define MAX_STEPS 8

/* Server-side TLS for the scripted servers (fixture certificates). */
struct tls_srv {
	mbedtls_ssl_config conf;
	mbedtls_x509_crt crt;
	mbedtls_pk_context key;
	mbedtls_entropy_context entropy;
	mbedtls_ctr_drbg_context drbg;
	mbedtls_ssl_cache_context cache;
};

struct srv {
	int lfd;
	int port;
	int stop[2];
	pthread_t th;
	const struct step *steps;
	int n_steps;
	size_t piece; /* send replies in pieces of this many bytes; 0: whole */
	struct tls_srv *tls; /* NULL: plain HTTP */
	mbedtls_ssl_context ssl;
	mbedtls_net_context net;
	int accepts;
	int n_req;
	char req[MAX_STEPS][2048];
};

static int
srv_wait(struct srv *s, int fd)
{
	struct pollfd pfd[2] = {{.fd = fd, .events = POLLIN},
				{.fd = s->stop[0], .events = POLLIN}};

	if (s->tls != NULL && fd != s->lfd && fd != s->stop[0] &&
	    mbedtls_ssl_check_pending(&s->ssl))
		return 0;
	/* Ten seconds: far beyond any test, short of the ctest timeout. */
	if (poll(pfd, 2, 10000) <= 0 || (pfd[1].revents & POLLIN))
		return -1;
	return 0;
}

static ssize_t
srv_recv(struct srv *s, int fd, char *buf, size_t len)
{
	int n;

	if (s->tls == NULL)
		return read(fd, buf, len);
	do
		n = mbedtls_ssl_read(&s->ssl, (unsigned char *)buf, len);
	while (n == MBEDTLS_ERR_SSL_WANT_READ);
	return n;
}

/* Reads one request (head and Content-Length body): 0, or -1 at EOF. */
static int
srv_read_request(struct srv *s, int fd, char *buf, size_t cap)
{
	size_t len = 0, want = 0;

	for (;;) {
		char *end = len ? strstr(buf, "\r\n\r\n") : NULL;
		ssize_t n;

		if (end != NULL && want == 0) {
			const char *cl = strcasestr(buf, "\r\ncontent-length:");

			want = (size_t)(end + 4 - buf) +
			       (cl ? strtoul(cl + 17, NULL, 10) : 0);
		}
		if (want != 0 && len >= want)
			return 0;
		if (len + 1 >= cap || srv_wait(s, fd) != 0)
			return -1;
		n = srv_recv(s, fd, buf + len, cap - 1 - len);
		if (n <= 0)
			return -1;
		len += (size_t)n;
		buf[len] = '\0';
	}
}

static void
srv_send(struct srv *s, int fd, const char *reply)
{
	size_t len = strlen(reply), off = 0;
	struct timespec pause = {0, 2 * 1000 * 1000};

	while (off < len) {
		size_t n = s->piece ? s->piece : len - off;
		ssize_t w;

		if (n > len - off)
			n = len - off;
		if (s->tls != NULL)
			w = mbedtls_ssl_write(
			    &s->ssl, (const unsigned char *)reply + off, n);
		else
			w = send(fd, reply + off, n, MSG_NOSIGNAL);
		if (w <= 0)
			return;
		off += (size_t)w;
		if (s->piece)
			nanosleep(&pause, NULL);
	}
}

/* Accepts a connection (and does the TLS handshake): the fd, or -1. */
static int
srv_accept(struct srv *s)
{
	struct timeval tv = {5, 0};
	int cfd, ret;

	if (srv_wait(s, s->lfd) != 0)
		return -1;
	cfd = accept(s->lfd, NULL, NULL);
	if (cfd < 0)
		return -1;
	s->accepts++;
	if (s->tls == NULL)
		return cfd;
	/* Blocking, but never for long: a test must not hang. */
	setsockopt(cfd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	s->net.fd = cfd;
	mbedtls_ssl_init(&s->ssl);
	if (mbedtls_ssl_setup(&s->ssl, &s->tls->conf) != 0)
		return -1;
	mbedtls_ssl_set_bio(&s->ssl, &s->net, mbedtls_net_send,
			    mbedtls_net_recv, NULL);
	ret = mbedtls_ssl_handshake(&s->ssl);
	if (ret != 0) {
		mbedtls_ssl_free(&s->ssl);
		close(cfd);
		return -2;
	}
	return cfd;
}

/* Closes a connection; with notify, TLS says so first (close_notify). */
static void
srv_close(struct srv *s, int cfd, int notify)
{
	if (s->tls != NULL) {
		if (notify)
			mbedtls_ssl_close_notify(&s->ssl);
		mbedtls_ssl_free(&s->ssl);
	}
	close(cfd);
}

static void *
srv_main(void *arg)
{
	struct srv *s = arg;
	char buf[4096];
	int cfd = -1, step = 0;

	while (step < s->n_steps) {
		const struct step *st = &s->steps[step];

		if (cfd < 0) {
			cfd = srv_accept(s);
			if (cfd == -2)
				continue; /* a refused handshake */
			if (cfd < 0)
				break;
		}
		if (st->action == S_GREET) {
			srv_send(s, cfd, st->reply);
			/* Take what the client sent, so that the close is a
			 * FIN, not a reset that could overtake the reply. */
			if (srv_wait(s, cfd) == 0)
				(void)srv_recv(s, cfd, buf, sizeof buf);
			srv_close(s, cfd, 1);
			cfd = -1;
			step++;
			continue;
		}
		if (srv_read_request(s, cfd, buf, sizeof buf) != 0) {
			srv_close(s, cfd, 0); /* the client closed it */
			cfd = -1;
			continue;
		}
		snprintf(s->req[s->n_req++], sizeof s->req[0], "%.2000s", buf);
		if (st->action == S_REPLY || st->action == S_REPLY_CLOSE)
			srv_send(s, cfd, st->reply);
		if (st->action == S_HANG)
			while (srv_wait(s, cfd) == 0 &&
			       srv_recv(s, cfd, buf, sizeof buf) > 0)
				;
		if (st->action != S_REPLY) {
			/* S_DROP: a bare TCP close, no close_notify. */
			srv_close(s, cfd, st->action == S_REPLY_CLOSE);
			cfd = -1;
		}
		step++;
	}
	if (cfd >= 0) {
		srv_wait(s, s->stop[0]);
		srv_close(s, cfd, 1);
	}
	return NULL;
}

static void
srv_start(struct srv *s, const struct step *steps, int n_steps, size_t piece)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	socklen_t sl = sizeof sa;
	int one = 1;

	memset(s, 0, sizeof *s);
	assert_true(n_steps <= MAX_STEPS);
	s->steps = steps;
	s->n_steps = n_steps;
	s->piece = piece;
	assert_int_equal(pipe(s->stop), 0);
	s->lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(s->lfd >= 0);
	setsockopt(s->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(s->lfd, (struct sockaddr *)&sa, sizeof sa), 0);
	assert_int_equal(listen(s->lfd, 16), 0);
	assert_int_equal(getsockname(s->lfd, (struct sockaddr *)&sa, &sl), 0);
	s->port = ntohs(sa.sin_port);
}

static void
srv_run(struct srv *s)
{
	assert_int_equal(pthread_create(&s->th, NULL, srv_main, s), 0);
}

static void
srv_stop(struct srv *s)
{
	assert_int_equal(write(s->stop[1], "x", 1), 1);
	pthread_join(s->th, NULL);
	close(s->lfd);
	close(s->stop[0]);
	close(s->stop[1]);
}

static struct httpc *
plain_client(size_t max_body)
{
	struct httpc_config cfg = {.plain_http = 1, .max_body = max_body};
	char err[256];
	struct httpc *c = httpc_new(&cfg, err, sizeof err);

	if (c == NULL)
		fail_msg("httpc_new: %s", err);
	return c;
}

#define OK_JSON                                                                \
	"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"                \
	"Content-Length: 2\r\n\r\n{}"

static void
get_ok(struct httpc *c, int port, int expect_reused)
{
	struct httpc_response resp;
	char err[256] = "";

	if (httpc_request(c, "127.0.0.1", port, "GET", "/gossip", NULL, NULL, 0,
			  2000, &resp, err, sizeof err) != 0)
		fail_msg("request failed: %s", err);
	assert_int_equal(resp.status, 200);
	assert_string_equal(resp.body, "{}");
	assert_string_equal(resp.content_type, "application/json");
	assert_int_equal(resp.conn_reused, expect_reused);
	assert_int_equal(resp.tls_resumed, 0);
	httpc_response_free(&resp);
}

static void
test_keep_alive_reuses_one_connection(void **state)
{
	static const struct step steps[] = {
	    {S_REPLY, OK_JSON}, {S_REPLY, OK_JSON}, {S_REPLY, OK_JSON}};
	struct srv s;
	struct httpc *c = plain_client(0);

	(void)state;
	srv_start(&s, steps, 3, 0);
	srv_run(&s);
	get_ok(c, s.port, 0);
	get_ok(c, s.port, 1);
	get_ok(c, s.port, 1);
	httpc_free(c);
	srv_stop(&s);
	assert_int_equal(s.accepts, 1);
	assert_int_equal(s.n_req, 3);
}

static void
test_request_format(void **state)
{
	static const struct step steps[] = {{S_REPLY, OK_JSON}};
	struct srv s;
	struct httpc *c = plain_client(0);
	struct httpc_response resp;
	char err[256] = "", host[64];

	(void)state;
	srv_start(&s, steps, 1, 0);
	srv_run(&s);
	assert_int_equal(httpc_request(c, "127.0.0.1", s.port, "POST",
				       "/gossip?x=1", "application/json",
				       "{\"a\":1}", 7, 2000, &resp, err,
				       sizeof err),
			 0);
	httpc_response_free(&resp);
	httpc_free(c);
	srv_stop(&s);
	snprintf(host, sizeof host, "\r\nHost: 127.0.0.1:%d\r\n", s.port);
	assert_int_equal(s.n_req, 1);
	assert_true(strncmp(s.req[0], "POST /gossip?x=1 HTTP/1.1\r\n", 27) ==
		    0);
	assert_non_null(strstr(s.req[0], host));
	assert_non_null(strstr(s.req[0], "\r\nContent-Length: 7\r\n"));
	assert_non_null(
	    strstr(s.req[0], "\r\nContent-Type: application/json\r\n"));
	assert_non_null(strstr(s.req[0], "\r\nAccept: application/json\r\n"));
	assert_non_null(strstr(s.req[0], "\r\nConnection: keep-alive\r\n"));
	assert_non_null(strstr(s.req[0], "\r\n\r\n{\"a\":1}"));
}

/* A GET without a body sends no Content-Length (RFC 9110 8.6). */
static void
test_get_has_no_content_length(void **state)
{
	static const struct step steps[] = {{S_REPLY, OK_JSON}};
	struct srv s;
	struct httpc *c = plain_client(0);

	(void)state;
	srv_start(&s, steps, 1, 0);
	srv_run(&s);
	get_ok(c, s.port, 0);
	httpc_free(c);
	srv_stop(&s);
	assert_null(strcasestr(s.req[0], "content-length"));
	assert_true(strncmp(s.req[0], "GET /gossip HTTP/1.1\r\n", 22) == 0);
}

static void
test_response_split_across_reads(void **state)
{
	static const struct step steps[] = {
	    {S_REPLY, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
		      "Transfer-Encoding: chunked\r\n\r\n1\r\n{\r\n1\r\n}\r\n"
		      "0\r\n\r\n"},
	    {S_REPLY, OK_JSON}};
	struct srv s;
	struct httpc *c = plain_client(0);

	(void)state;
	srv_start(&s, steps, 2, 3);
	srv_run(&s);
	get_ok(c, s.port, 0);
	get_ok(c, s.port, 1);
	httpc_free(c);
	srv_stop(&s);
	assert_int_equal(s.accepts, 1);
}

/* The server closes a kept-alive connection just as the next request
 * goes out: the request is sent again once, on a new connection. */
static void
test_retry_once_when_reused_connection_closed(void **state)
{
	static const struct step steps[] = {
	    {S_REPLY, OK_JSON}, {S_DROP, NULL}, {S_REPLY, OK_JSON}};
	struct srv s;
	struct httpc *c = plain_client(0);

	(void)state;
	srv_start(&s, steps, 3, 0);
	srv_run(&s);
	get_ok(c, s.port, 0);
	get_ok(c, s.port, 0); /* answered on the second connection */
	httpc_free(c);
	srv_stop(&s);
	assert_int_equal(s.accepts, 2);
	assert_int_equal(s.n_req, 3);
}

/* A fresh connection closed without an answer is not retried. */
static void
test_no_retry_on_fresh_connection(void **state)
{
	static const struct step steps[] = {{S_DROP, NULL}, {S_REPLY, OK_JSON}};
	struct srv s;
	struct httpc *c = plain_client(0);
	struct httpc_response resp;
	char err[256] = "", want[128];

	(void)state;
	srv_start(&s, steps, 2, 0);
	srv_run(&s);
	assert_int_equal(httpc_request(c, "127.0.0.1", s.port, "GET", "/ping",
				       NULL, NULL, 0, 2000, &resp, err,
				       sizeof err),
			 HTTPC_ERR_IO);
	snprintf(want, sizeof want,
		 "GET /ping to 127.0.0.1:%d: connection closed by the server "
		 "before any response",
		 s.port);
	assert_string_equal(err, want);
	assert_null(resp.body);
	get_ok(c, s.port, 0);
	httpc_free(c);
	srv_stop(&s);
	assert_int_equal(s.accepts, 2);
}

static void
test_connection_close_is_honoured(void **state)
{
	static const struct step steps[] = {
	    {S_REPLY_CLOSE, "HTTP/1.1 200 OK\r\nConnection: close\r\n"
			    "Content-Type: application/json\r\n"
			    "Content-Length: 2\r\n\r\n{}"},
	    {S_REPLY_CLOSE, "HTTP/1.1 200 OK\r\nConnection: close\r\n"
			    "Content-Type: application/json\r\n\r\n{}"},
	    {S_REPLY, OK_JSON}};
	struct srv s;
	struct httpc *c = plain_client(0);

	(void)state;
	srv_start(&s, steps, 3, 0);
	srv_run(&s);
	get_ok(c, s.port, 0);
	get_ok(c, s.port, 0); /* close-delimited body */
	get_ok(c, s.port, 0);
	httpc_free(c);
	srv_stop(&s);
	assert_int_equal(s.accepts, 3);
}

/* A peer that accepts and never answers costs the deadline, no more. */
static void
test_timeout_on_silent_peer(void **state)
{
	static const struct step steps[] = {{S_HANG, NULL}};
	struct srv s;
	struct httpc *c = plain_client(0);
	struct httpc_response resp;
	char err[256] = "", want[128];
	int64_t t0, took;

	(void)state;
	srv_start(&s, steps, 1, 0);
	srv_run(&s);
	t0 = clock_mono_ms();
	assert_int_equal(httpc_request(c, "127.0.0.1", s.port, "POST",
				       "/gossip", "application/json", "{}", 2,
				       300, &resp, err, sizeof err),
			 HTTPC_ERR_TIMEOUT);
	took = clock_mono_ms() - t0;
	snprintf(want, sizeof want,
		 "POST /gossip to 127.0.0.1:%d: timed out after 300 ms",
		 s.port);
	assert_string_equal(err, want);
	assert_true(took >= 290);
	assert_true(took < 5000); /* a loaded machine; the peer holds 10 s */
	httpc_free(c); /* closes the connection: the server thread ends */
	srv_stop(&s);
}

/*
 * Two requests in flight on one client, stepped by the caller's poll:
 * the one to an answering peer finishes while the one to a silent peer
 * still waits (no request holds up another); one request per peer at a
 * time; extra header lines are checked.
 */
static void
test_ops_run_side_by_side(void **state)
{
	static const struct step hang[] = {{S_HANG, NULL}};
	static const struct step ok[] = {{S_REPLY, OK_JSON}};
	struct srv s1, s2;
	struct httpc *c = plain_client(0);
	struct httpc_op *silent, *fast, *again;
	struct httpc_response resp;
	char err[256] = "";
	int done_fast = 0, done_silent = 0, silent_open_when_fast_done = 0;

	(void)state;
	srv_start(&s1, hang, 1, 0);
	srv_run(&s1);
	srv_start(&s2, ok, 1, 0);
	srv_run(&s2);
	assert_null(httpc_op_start(c, "127.0.0.1", s2.port, "GET", "/", NULL,
				   "X-A: 1\r\nX-B: 2", NULL, 0, 1000, err,
				   sizeof err));
	assert_string_equal(err, "invalid extra header lines");
	silent = httpc_op_start(c, "127.0.0.1", s1.port, "POST", "/gossip",
				"application/json", "X-A: 1\r\n", "{}", 2, 1500,
				err, sizeof err);
	assert_non_null(silent);
	again = httpc_op_start(c, "127.0.0.1", s1.port, "GET", "/", NULL, NULL,
			       NULL, 0, 1000, err, sizeof err);
	assert_null(again);
	assert_non_null(strstr(err, "already in flight"));
	fast = httpc_op_start(c, "127.0.0.1", s2.port, "GET", "/gossip", NULL,
			      NULL, NULL, 0, 1500, err, sizeof err);
	assert_non_null(fast);
	for (int turn = 0; turn < 10000 && !(done_fast && done_silent);
	     turn++) {
		struct pollfd pfd[2];
		short ev;
		int fd, n = 0;

		if (!done_silent) {
			if (httpc_op_step(silent, &fd, &ev) == 1)
				done_silent = 1;
			else if (fd >= 0)
				pfd[n++] = (struct pollfd){fd, ev, 0};
		}
		if (!done_fast) {
			if (httpc_op_step(fast, &fd, &ev) == 1) {
				done_fast = 1;
				silent_open_when_fast_done = !done_silent;
			} else if (fd >= 0) {
				pfd[n++] = (struct pollfd){fd, ev, 0};
			}
		}
		(void)poll(pfd, (nfds_t)n, 10);
	}
	assert_true(done_fast && done_silent);
	assert_true(silent_open_when_fast_done);
	assert_int_equal(httpc_op_finish(fast, &resp, err, sizeof err),
			 HTTPC_OK);
	assert_int_equal(resp.status, 200);
	httpc_response_free(&resp);
	assert_int_equal(httpc_op_finish(silent, &resp, err, sizeof err),
			 HTTPC_ERR_TIMEOUT);
	assert_non_null(strstr(err, "timed out after 1500 ms"));
	httpc_free(c);
	srv_stop(&s1);
	srv_stop(&s2);
}

static void
test_slow_response_hits_deadline(void **state)
{
	static const struct step steps[] = {
	    {S_REPLY, "HTTP/1.1 200 OK\r\nContent-Length: 2000\r\n\r\n"
		      "0123456789012345678901234567890123456789"
		      "0123456789012345678901234567890123456789"
		      "0123456789012345678901234567890123456789"}};
	struct srv s;
	struct httpc *c = plain_client(0);
	struct httpc_response resp;
	char err[256] = "";
	int64_t t0;

	(void)state;
	/* 2 ms per 3 bytes: the 150 ms deadline ends it mid-body. */
	srv_start(&s, steps, 1, 3);
	srv_run(&s);
	t0 = clock_mono_ms();
	assert_int_equal(httpc_request(c, "127.0.0.1", s.port, "GET", "/gossip",
				       NULL, NULL, 0, 150, &resp, err,
				       sizeof err),
			 HTTPC_ERR_TIMEOUT);
	assert_true(clock_mono_ms() - t0 < 5000);
	assert_non_null(strstr(err, "timed out after 150 ms"));
	httpc_free(c);
	srv_stop(&s);
}

static void
test_connection_refused(void **state)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	socklen_t sl = sizeof sa;
	int fd = socket(AF_INET, SOCK_STREAM, 0), port;
	struct httpc *c = plain_client(0);
	struct httpc_response resp;
	char err[256] = "", want[128];

	(void)state;
	/* A port that was just bound, never listened on, and released. */
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &sl), 0);
	port = ntohs(sa.sin_port);
	close(fd);
	assert_int_equal(httpc_request(c, "127.0.0.1", port, "GET", "/gossip",
				       NULL, NULL, 0, 2000, &resp, err,
				       sizeof err),
			 HTTPC_ERR_CONNECT);
	snprintf(want, sizeof want, "connect 127.0.0.1:%d: Connection refused",
		 port);
	assert_string_equal(err, want);
	httpc_free(c);
}

static void
test_body_over_limit_on_the_wire(void **state)
{
	static const struct step steps[] = {
	    {S_REPLY, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
		      "8\r\n01234567\r\n8\r\n01234567\r\n0\r\n\r\n"},
	    {S_REPLY, OK_JSON}};
	struct srv s;
	struct httpc *c = plain_client(10);
	struct httpc_response resp;
	char err[256] = "", want[128];

	(void)state;
	srv_start(&s, steps, 2, 0);
	srv_run(&s);
	assert_int_equal(httpc_request(c, "127.0.0.1", s.port, "GET", "/gossip",
				       NULL, NULL, 0, 2000, &resp, err,
				       sizeof err),
			 HTTPC_ERR_HTTP);
	snprintf(want, sizeof want,
		 "GET /gossip to 127.0.0.1:%d: response body over 10 bytes",
		 s.port);
	assert_string_equal(err, want);
	get_ok(c, s.port, 0); /* the half-read connection was not kept */
	httpc_free(c);
	srv_stop(&s);
	assert_int_equal(s.accepts, 2);
}

static void
test_head_then_reuse(void **state)
{
	static const struct step steps[] = {
	    {S_REPLY, "HTTP/1.1 200 OK\r\nContent-Length: 500\r\n\r\n"},
	    {S_REPLY, OK_JSON}};
	struct srv s;
	struct httpc *c = plain_client(0);
	struct httpc_response resp;
	char err[256] = "";

	(void)state;
	srv_start(&s, steps, 2, 0);
	srv_run(&s);
	assert_int_equal(httpc_request(c, "127.0.0.1", s.port, "HEAD",
				       "/gossip", NULL, NULL, 0, 2000, &resp,
				       err, sizeof err),
			 0);
	assert_int_equal(resp.status, 200);
	assert_int_equal(resp.body_len, 0);
	httpc_response_free(&resp);
	get_ok(c, s.port, 1);
	httpc_free(c);
	srv_stop(&s);
	assert_int_equal(s.accepts, 1);
}

/* A connection idle past max_idle_ms is replaced, not reused. */
static void
test_long_idle_connection_not_reused(void **state)
{
	static const struct step steps[] = {
	    {S_REPLY, OK_JSON}, {S_REPLY, OK_JSON}, {S_REPLY, OK_JSON}};
	struct httpc_config cfg = {.plain_http = 1, .max_idle_ms = 1000};
	struct timespec idle = {1, 300 * 1000 * 1000};
	char err[256];
	struct httpc *c = httpc_new(&cfg, err, sizeof err);
	struct srv s;

	(void)state;
	assert_non_null(c);
	srv_start(&s, steps, 3, 0);
	srv_run(&s);
	get_ok(c, s.port, 0);
	get_ok(c, s.port, 1);	/* at once: reused */
	nanosleep(&idle, NULL); /* time itself is what is tested */
	get_ok(c, s.port, 0);
	httpc_free(c);
	srv_stop(&s);
	assert_int_equal(s.accepts, 2);
}

/* A name goes through the resolver (here /etc/hosts); if it gives ::1
 * first, that address is refused and the next one is tried. */
static void
test_host_name_resolved(void **state)
{
	static const struct step steps[] = {{S_REPLY, OK_JSON}};
	struct httpc *c = plain_client(0);
	struct httpc_response resp;
	char err[256] = "", host[64];
	struct srv s;

	(void)state;
	srv_start(&s, steps, 1, 0);
	srv_run(&s);
	if (httpc_request(c, "localhost", s.port, "GET", "/gossip", NULL, NULL,
			  0, 2000, &resp, err, sizeof err) != 0)
		fail_msg("localhost: %s", err);
	assert_int_equal(resp.status, 200);
	httpc_response_free(&resp);
	httpc_free(c);
	srv_stop(&s);
	snprintf(host, sizeof host, "\r\nHost: localhost:%d\r\n", s.port);
	assert_non_null(strstr(s.req[0], host));
}

static void
test_close_idle_forces_new_connection(void **state)
{
	static const struct step steps[] = {{S_REPLY, OK_JSON},
					    {S_REPLY, OK_JSON}};
	struct srv s;
	struct httpc *c = plain_client(0);

	(void)state;
	srv_start(&s, steps, 2, 0);
	srv_run(&s);
	get_ok(c, s.port, 0);
	httpc_close_idle(c);
	get_ok(c, s.port, 0);
	httpc_free(c);
	srv_stop(&s);
	assert_int_equal(s.accepts, 2);
}

static void
refused_request(struct httpc *c, int port)
{
	struct httpc_response resp;
	char err[256] = "";

	assert_int_equal(httpc_request(c, "127.0.0.1", port, "GET", "/", NULL,
				       NULL, 0, 2000, &resp, err, sizeof err),
			 HTTPC_ERR_CONNECT);
	assert_non_null(strstr(err, "Connection refused"));
}

/* The peer table is bounded: a new peer evicts the least recently used
 * one, with its kept-alive connection. */
static void
test_peer_table_evicts_least_recent(void **state)
{
	static const struct step steps[] = {
	    {S_REPLY, OK_JSON}, {S_REPLY, OK_JSON}, {S_REPLY, OK_JSON}};
	struct sockaddr_in sa = {.sin_family = AF_INET};
	int fds[HTTPC_MAX_PEERS], ports[HTTPC_MAX_PEERS], i;
	struct httpc *c = plain_client(0);
	struct srv s;

	(void)state;
	/* Bound but not listening: connecting is refused at once. */
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	for (i = 0; i < HTTPC_MAX_PEERS; i++) {
		socklen_t sl = sizeof sa;

		sa.sin_port = 0;
		fds[i] = socket(AF_INET, SOCK_STREAM, 0);
		assert_int_equal(bind(fds[i], (struct sockaddr *)&sa, sl), 0);
		assert_int_equal(
		    getsockname(fds[i], (struct sockaddr *)&sa, &sl), 0);
		ports[i] = ntohs(sa.sin_port);
	}
	srv_start(&s, steps, 3, 0);
	srv_run(&s);
	get_ok(c, s.port, 0);
	for (i = 0; i < HTTPC_MAX_PEERS - 1; i++)
		refused_request(c, ports[i]);
	get_ok(c, s.port, 1); /* 64 peers: ours is still there */
	for (i = 0; i < HTTPC_MAX_PEERS; i++)
		refused_request(c, ports[i]); /* the last one evicts ours */
	get_ok(c, s.port, 0);
	httpc_free(c);
	srv_stop(&s);
	for (i = 0; i < HTTPC_MAX_PEERS; i++)
		close(fds[i]);
	assert_int_equal(s.accepts, 2);
}

static void
test_bad_arguments_refused(void **state)
{
	struct {
		const char *host, *method, *path, *ctype;
		int port, timeout;
		const char *err;
	} cases[] = {
	    {"127.0.0.1\r\nX: y", "GET", "/", NULL, 80, 100,
	     "invalid host name"},
	    {"", "GET", "/", NULL, 80, 100, "invalid host name"},
	    {"127.0.0.1", "GET", "/", NULL, 0, 100, "invalid port 0"},
	    {"127.0.0.1", "GET", "/", NULL, 65536, 100, "invalid port"},
	    {"127.0.0.1", "get", "/", NULL, 80, 100, "invalid HTTP method"},
	    {"127.0.0.1", "GET", "gossip", NULL, 80, 100,
	     "invalid request path"},
	    {"127.0.0.1", "GET", "/a b", NULL, 80, 100, "invalid request path"},
	    {"127.0.0.1", "POST", "/", "a/b\r\nX: y", 80, 100,
	     "invalid content type"},
	    {"127.0.0.1", "GET", "/", NULL, 80, 0, "invalid timeout"},
	};
	struct httpc *c = plain_client(0);

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct httpc_response resp;
		char err[256] = "";

		assert_int_equal(httpc_request(c, cases[i].host, cases[i].port,
					       cases[i].method, cases[i].path,
					       cases[i].ctype, NULL, 0,
					       cases[i].timeout, &resp, err,
					       sizeof err),
				 HTTPC_ERR_LOCAL);
		if (strstr(err, cases[i].err) == NULL)
			fail_msg("case %zu: \"%s\" lacks \"%s\"", i, err,
				 cases[i].err);
	}
	httpc_free(c);
}

static void
test_new_reports_bad_files(void **state)
{
	struct httpc_config cfg = {.ca_file = "/nonexistent/ca.crt"};
	struct httpc_config nokey = {.verify_none = 1,
				     .key_file = "/nonexistent/k"};
	struct httpc_config noca = {.cert_file = "/nonexistent/c"};
	char err[256] = "";

	(void)state;
	assert_null(httpc_new(&cfg, err, sizeof err));
	assert_string_equal(err, "ca_file /nonexistent/ca.crt: No such file or "
				 "directory");
	assert_null(httpc_new(&nokey, err, sizeof err));
	assert_non_null(strstr(err, "given without cert_file"));
	assert_null(httpc_new(&noca, err, sizeof err));
	assert_non_null(strstr(err, "no CA to verify servers with"));
	httpc_free(NULL);
}

/* ---- TLS against a scripted mbedTLS server -------------------------- */

static char fixtures[256];

static int
tls_group_setup(void **state)
{
	(void)state;
	return fixtures_make(fixtures, sizeof(fixtures), "test-httpc", true);
}

static int
tls_group_teardown(void **state)
{
	(void)state;
	return fixtures_remove(fixtures);
}

static void
tls_srv_init(struct tls_srv *t, const char *crt, const char *key)
{
	char path[512];

	mbedtls_ssl_config_init(&t->conf);
	mbedtls_x509_crt_init(&t->crt);
	mbedtls_pk_init(&t->key);
	mbedtls_entropy_init(&t->entropy);
	mbedtls_ctr_drbg_init(&t->drbg);
	mbedtls_ssl_cache_init(&t->cache);
	assert_int_equal(mbedtls_ctr_drbg_seed(&t->drbg, mbedtls_entropy_func,
					       &t->entropy, NULL, 0),
			 0);
	snprintf(path, sizeof path, "%s/%s", fixtures, crt);
	assert_int_equal(mbedtls_x509_crt_parse_file(&t->crt, path), 0);
	snprintf(path, sizeof path, "%s/%s", fixtures, key);
	assert_int_equal(mbedtls_pk_parse_keyfile(&t->key, path, NULL), 0);
	assert_int_equal(
	    mbedtls_ssl_config_defaults(&t->conf, MBEDTLS_SSL_IS_SERVER,
					MBEDTLS_SSL_TRANSPORT_STREAM,
					MBEDTLS_SSL_PRESET_DEFAULT),
	    0);
	mbedtls_ssl_conf_rng(&t->conf, mbedtls_ctr_drbg_random, &t->drbg);
	assert_int_equal(mbedtls_ssl_conf_own_cert(&t->conf, &t->crt, &t->key),
			 0);
	mbedtls_ssl_conf_session_cache(
	    &t->conf, &t->cache, mbedtls_ssl_cache_get, mbedtls_ssl_cache_set);
}

static void
tls_srv_free(struct tls_srv *t)
{
	mbedtls_ssl_config_free(&t->conf);
	mbedtls_x509_crt_free(&t->crt);
	mbedtls_pk_free(&t->key);
	mbedtls_ssl_cache_free(&t->cache);
	mbedtls_ctr_drbg_free(&t->drbg);
	mbedtls_entropy_free(&t->entropy);
}

static struct httpc *
tls_client(void)
{
	char ca[512], err[256];
	struct httpc_config cfg = {.ca_file = ca};
	struct httpc *c;

	snprintf(ca, sizeof ca, "%s/ca.crt", fixtures);
	c = httpc_new(&cfg, err, sizeof err);
	if (c == NULL)
		fail_msg("httpc_new: %s", err);
	return c;
}

static void
tls_get(struct httpc *c, int port, int reused, int resumed)
{
	struct httpc_response resp;
	char err[256] = "";

	if (httpc_request(c, "127.0.0.1", port, "GET", "/gossip", NULL, NULL, 0,
			  5000, &resp, err, sizeof err) != 0)
		fail_msg("request failed: %s", err);
	assert_int_equal(resp.status, 200);
	assert_string_equal(resp.body, "{}");
	assert_int_equal(resp.conn_reused, reused);
	assert_int_equal(resp.tls_resumed, resumed);
	httpc_response_free(&resp);
}

static void
test_tls_keep_alive_then_resumption(void **state)
{
	static const struct step steps[] = {
	    {S_REPLY, OK_JSON}, {S_REPLY_CLOSE, OK_JSON}, {S_REPLY, OK_JSON}};
	struct tls_srv t;
	struct srv s;
	struct httpc *c = tls_client();

	(void)state;
	tls_srv_init(&t, "node1-bundle.pem", "node1.key");
	srv_start(&s, steps, 3, 0);
	s.tls = &t;
	srv_run(&s);
	tls_get(c, s.port, 0, 0);
	tls_get(c, s.port, 1, 0);
	tls_get(c, s.port, 0, 1); /* closed by the server: resumed */
	httpc_free(c);
	srv_stop(&s);
	tls_srv_free(&t);
	assert_int_equal(s.accepts, 2);
}

/* The server drops a kept-alive TLS connection with a bare TCP close (no
 * close_notify) after reading the request: sent again, once. */
static void
test_tls_retry_when_reused_connection_dropped(void **state)
{
	static const struct step steps[] = {
	    {S_REPLY, OK_JSON}, {S_DROP, NULL}, {S_REPLY, OK_JSON}};
	struct tls_srv t;
	struct srv s;
	struct httpc *c = tls_client();

	(void)state;
	tls_srv_init(&t, "node1-bundle.pem", "node1.key");
	srv_start(&s, steps, 3, 0);
	s.tls = &t;
	srv_run(&s);
	tls_get(c, s.port, 0, 0);
	tls_get(c, s.port, 0, 1);
	httpc_free(c);
	srv_stop(&s);
	tls_srv_free(&t);
	assert_int_equal(s.accepts, 2);
	assert_int_equal(s.n_req, 3);
}

static void
test_tls_ip_san_mismatch(void **state)
{
	static const struct step steps[] = {{S_REPLY, OK_JSON}};
	struct tls_srv t;
	struct srv s;
	struct httpc *c = tls_client();
	struct httpc_response resp;
	char err[256] = "", want[160];

	(void)state;
	tls_srv_init(&t, "node2.crt", "node2.key"); /* IP SAN 127.0.0.2 */
	srv_start(&s, steps, 1, 0);
	s.tls = &t;
	srv_run(&s);
	assert_int_equal(httpc_request(c, "127.0.0.1", s.port, "GET", "/gossip",
				       NULL, NULL, 0, 5000, &resp, err,
				       sizeof err),
			 HTTPC_ERR_TLS);
	snprintf(want, sizeof want,
		 "TLS handshake with 127.0.0.1:%d: server certificate has no "
		 "SAN matching 127.0.0.1",
		 s.port);
	assert_string_equal(err, want);
	httpc_free(c);
	srv_stop(&s);
	tls_srv_free(&t);
	assert_int_equal(s.n_req, 0);
}

/* A plain HTTP server on the port we speak TLS to. */
static void
test_tls_to_a_plain_server(void **state)
{
	static const struct step steps[] = {
	    {S_GREET, "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"}};
	struct srv s;
	struct httpc *c = tls_client();
	struct httpc_response resp;
	char err[256] = "", want[160];

	(void)state;
	srv_start(&s, steps, 1, 0);
	srv_run(&s);
	assert_int_equal(httpc_request(c, "127.0.0.1", s.port, "GET", "/gossip",
				       NULL, NULL, 0, 5000, &resp, err,
				       sizeof err),
			 HTTPC_ERR_TLS);
	snprintf(want, sizeof want,
		 "TLS handshake with 127.0.0.1:%d: not a TLS answer (is the "
		 "server speaking plain HTTP?)",
		 s.port);
	assert_string_equal(err, want);
	httpc_free(c);
	srv_stop(&s);
}

/* A local server over AF_UNIX: the path is bounded, and a socket nobody
 * listens on is a connect failure with its errno for the caller's advice. */
static void
test_unix_socket_bounded_and_connect_errno(void **state)
{
	struct httpc_config cfg;
	struct httpc_response resp;
	struct httpc *c;
	char path[HTTPC_UNIX_PATH_MAX + 8], err[256] = "", want[256];

	(void)state;
	memset(&cfg, 0, sizeof cfg);
	memset(path, 'a', sizeof path - 1);
	path[0] = '/';
	path[sizeof path - 1] = '\0';
	cfg.unix_socket = path;
	assert_null(httpc_new(&cfg, err, sizeof err));
	assert_non_null(strstr(err, "longer than 107 bytes"));
	cfg.unix_socket = "/nonexistent-dir/gossipd.sock";
	c = httpc_new(&cfg, err, sizeof err);
	assert_non_null(c);
	assert_int_equal(httpc_request(c, "localhost", 80, "GET", "/ping", NULL,
				       NULL, 0, 1000, &resp, err, sizeof err),
			 HTTPC_ERR_CONNECT);
	assert_int_equal(httpc_last_errno(c), ENOENT);
	snprintf(want, sizeof want, "connect /nonexistent-dir/gossipd.sock: %s",
		 strerror(ENOENT));
	assert_string_equal(err, want);
	httpc_free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_unix_socket_bounded_and_connect_errno),
	    cmocka_unit_test(test_parse_whole),
	    cmocka_unit_test(test_parse_split_across_reads),
	    cmocka_unit_test(test_parse_headers_over_64k),
	    cmocka_unit_test(test_parse_headers_under_64k),
	    cmocka_unit_test(test_parse_keep_alive_and_extra),
	    cmocka_unit_test(test_parse_head_has_no_body),
	    cmocka_unit_test(test_keep_alive_reuses_one_connection),
	    cmocka_unit_test(test_request_format),
	    cmocka_unit_test(test_get_has_no_content_length),
	    cmocka_unit_test(test_response_split_across_reads),
	    cmocka_unit_test(test_retry_once_when_reused_connection_closed),
	    cmocka_unit_test(test_no_retry_on_fresh_connection),
	    cmocka_unit_test(test_connection_close_is_honoured),
	    cmocka_unit_test(test_timeout_on_silent_peer),
	    cmocka_unit_test(test_ops_run_side_by_side),
	    cmocka_unit_test(test_slow_response_hits_deadline),
	    cmocka_unit_test(test_connection_refused),
	    cmocka_unit_test(test_body_over_limit_on_the_wire),
	    cmocka_unit_test(test_head_then_reuse),
	    cmocka_unit_test(test_long_idle_connection_not_reused),
	    cmocka_unit_test(test_host_name_resolved),
	    cmocka_unit_test(test_close_idle_forces_new_connection),
	    cmocka_unit_test(test_peer_table_evicts_least_recent),
	    cmocka_unit_test(test_bad_arguments_refused),
	    cmocka_unit_test(test_new_reports_bad_files),
	};

	const struct CMUnitTest tls_tests[] = {
	    cmocka_unit_test(test_tls_keep_alive_then_resumption),
	    cmocka_unit_test(test_tls_retry_when_reused_connection_dropped),
	    cmocka_unit_test(test_tls_ip_san_mismatch),
	    cmocka_unit_test(test_tls_to_a_plain_server),
	};
	int failed = cmocka_run_group_tests(tests, NULL, NULL);

	return failed + cmocka_run_group_tests(tls_tests, tls_group_setup,
					       tls_group_teardown);
}
