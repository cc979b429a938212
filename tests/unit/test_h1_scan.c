/* Unit tests for common/h1_scan.c: which requests the HTTP/1.1 fast lane
 * answers itself, where each ends, and how soon the others are known. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "h1_scan.h"

#define PATH "/gossip"

static enum h1_scan_result
scan(const char *s, struct h1_request *rq)
{
	return h1_scan(s, strlen(s), PATH, rq);
}

static void
plain_reads_are_recognised_whole(void **state)
{
	static const char get[] = "GET /gossip HTTP/1.1\r\nHost: a\r\n\r\n";
	static const char head[] = "HEAD /gossip HTTP/1.1\r\nhost: a\r\n"
				   "User-Agent: x\r\nConnection: Keep-Alive\r\n"
				   "Accept: application/json\r\n\r\n";
	struct h1_request rq;

	(void)state;
	assert_int_equal(scan(get, &rq), H1_SCAN_REQUEST);
	assert_false(rq.head);
	assert_false(rq.accept);
	assert_int_equal(rq.len, strlen(get));

	assert_int_equal(scan(head, &rq), H1_SCAN_REQUEST);
	assert_true(rq.head);
	assert_true(rq.accept);
	assert_string_equal(rq.accept_value, "application/json");
	assert_int_equal(rq.len, strlen(head));
}

/* Pipelined requests: each scan ends exactly where its request ends. */
static void
a_scan_ends_at_its_request_end(void **state)
{
	static const char get[] = "GET /gossip HTTP/1.1\r\nHost: a\r\n\r\n";
	static const char head[] = "HEAD /gossip HTTP/1.1\r\nHost: a\r\n\r\n";
	char three[256];
	struct h1_request rq;

	(void)state;
	snprintf(three, sizeof(three), "%s%s%s", get, head, get);
	assert_int_equal(scan(three, &rq), H1_SCAN_REQUEST);
	assert_int_equal(rq.len, strlen(get));
	assert_int_equal(scan(three + strlen(get), &rq), H1_SCAN_REQUEST);
	assert_true(rq.head);
	assert_int_equal(rq.len, strlen(head));
	assert_int_equal(scan(three + strlen(get) + strlen(head), &rq),
			 H1_SCAN_REQUEST);
	assert_false(rq.head);
	assert_int_equal(rq.len, strlen(get));
}

/* Every prefix of a plain request is "more". */
static void
every_prefix_wants_more(void **state)
{
	static const char get[] = "GET /gossip HTTP/1.1\r\nHost: a\r\n"
				  "Accept: */*\r\n\r\n";
	struct h1_request rq;

	(void)state;
	for (size_t n = 0; n < strlen(get); n++)
		if (h1_scan(get, n, PATH, &rq) != H1_SCAN_MORE)
			fail_msg("a prefix of %zu bytes is not 'more'", n);
	assert_int_equal(h1_scan(get, strlen(get), PATH, &rq), H1_SCAN_REQUEST);
}

/* Whole requests that libmicrohttpd answers: anything but a plain read. */
static void
other_requests_are_other(void **state)
{
	static const char *const other[] = {
	    "GET /gossip?format=json HTTP/1.1\r\nHost: a\r\n\r\n",
	    "GET /gossipx HTTP/1.1\r\nHost: a\r\n\r\n",
	    "GET /gossi HTTP/1.1\r\nHost: a\r\n\r\n",
	    "GET /Gossip HTTP/1.1\r\nHost: a\r\n\r\n",
	    "GET /goss%69p HTTP/1.1\r\nHost: a\r\n\r\n",
	    "GET http://a/gossip HTTP/1.1\r\nHost: a\r\n\r\n",
	    "GET /info HTTP/1.1\r\nHost: a\r\n\r\n",
	    "POST /gossip HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n",
	    "DELETE /gossip HTTP/1.1\r\nHost: a\r\n\r\n",
	    "get /gossip HTTP/1.1\r\nHost: a\r\n\r\n",
	    "GET /gossip HTTP/1.0\r\nHost: a\r\n\r\n",
	    "GET /gossip\tHTTP/1.1\r\nHost: a\r\n\r\n",
	    "GET  /gossip HTTP/1.1\r\nHost: a\r\n\r\n",
	    "GET /gossip HTTP/1.1\nHost: a\r\n\r\n",
	    "GET /gossip HTTP/1.1\r\n\r\n",
	    "GET /gossip HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
	    "GET /gossip HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n",
	    "GET /gossip HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n"
	    "\r\n0\r\n\r\n",
	    "GET /gossip HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
	    "GET /gossip HTTP/1.1\r\nHost: a\r\nConnection: keep-alive, "
	    "Upgrade\r\nUpgrade: h2c\r\n\r\n",
	    "GET /gossip HTTP/1.1\r\nHost: a\r\nUpgrade: h2c\r\n\r\n",
	    "GET /gossip HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\n\r\n",
	    "GET /gossip HTTP/1.1\r\nHost: a\r\nAccept: */*\r\n"
	    "Accept: text/html\r\n\r\n",
	    "GET /gossip HTTP/1.1\r\nHost a\r\n\r\n",
	    "GET /gossip HTTP/1.1\r\nHo st: a\r\n\r\n",
	    "\x16\x03\x01\x02\x00",
	};
	struct h1_request rq;

	(void)state;
	for (size_t i = 0; i < sizeof(other) / sizeof(other[0]); i++)
		if (scan(other[i], &rq) != H1_SCAN_OTHER)
			fail_msg("not 'other': %s", other[i]);
}

/* A request that is not plain goes to libmicrohttpd as soon as that is
 * known: at a request line that differs, or at the end of headers that
 * announce a body, before the body is in (libmicrohttpd may refuse it at
 * once: 413). */
static void
others_are_known_early(void **state)
{
	struct h1_request rq;

	(void)state;
	assert_int_equal(scan("POST /g", &rq), H1_SCAN_OTHER);
	assert_int_equal(scan("GET /info", &rq), H1_SCAN_OTHER);
	assert_int_equal(scan("GET /gossip?", &rq), H1_SCAN_OTHER);
	assert_int_equal(scan("GET /gossip HTTP/1.1\r\nHost: a\r\n"
			      "Content-Length: 4\r\n\r\nab",
			      &rq),
			 H1_SCAN_OTHER);
	/* ...but not before the headers end */
	assert_int_equal(
	    scan("GET /gossip HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n",
		 &rq),
	    H1_SCAN_MORE);
}

static void
accept_longer_than_kept_is_other(void **state)
{
	char accept[2 * H1_SCAN_ACCEPT_MAX], req[4 * H1_SCAN_ACCEPT_MAX];
	struct h1_request rq;

	(void)state;
	memset(accept, 'a', H1_SCAN_ACCEPT_MAX + 1);
	accept[H1_SCAN_ACCEPT_MAX + 1] = '\0';
	snprintf(req, sizeof(req),
		 "GET /gossip HTTP/1.1\r\nHost: a\r\nAccept: %s\r\n\r\n",
		 accept);
	assert_int_equal(scan(req, &rq), H1_SCAN_OTHER);
	/* the longest Accept kept is plain */
	accept[H1_SCAN_ACCEPT_MAX] = '\0';
	snprintf(req, sizeof(req),
		 "GET /gossip HTTP/1.1\r\nHost: a\r\nAccept: %s\r\n\r\n",
		 accept);
	assert_int_equal(scan(req, &rq), H1_SCAN_REQUEST);
	assert_true(rq.accept);
	assert_int_equal(strlen(rq.accept_value), H1_SCAN_ACCEPT_MAX);
}

/* A request not ended within H1_SCAN_MAX bytes is libmicrohttpd's. */
static void
oversized_is_other(void **state)
{
	static char big[H1_SCAN_MAX + 64];
	struct h1_request rq;
	int n;

	(void)state;
	n = snprintf(big, sizeof(big),
		     "GET /gossip HTTP/1.1\r\nHost: a\r\nX: ");
	memset(big + n, 'x', sizeof(big) - (size_t)n - 1);
	assert_int_equal(h1_scan(big, H1_SCAN_MAX, PATH, &rq), H1_SCAN_OTHER);
	assert_int_equal(h1_scan(big, H1_SCAN_MAX - 1, PATH, &rq),
			 H1_SCAN_MORE);
	assert_int_equal(h1_scan(big, sizeof(big) - 1, PATH, &rq),
			 H1_SCAN_OTHER);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(plain_reads_are_recognised_whole),
	    cmocka_unit_test(a_scan_ends_at_its_request_end),
	    cmocka_unit_test(every_prefix_wants_more),
	    cmocka_unit_test(other_requests_are_other),
	    cmocka_unit_test(others_are_known_early),
	    cmocka_unit_test(accept_longer_than_kept_is_other),
	    cmocka_unit_test(oversized_is_other),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
