/*
 * h1_scan: finds where the next request of an HTTP/1.1 stream ends, and
 * whether it is a plain read of one path: the request a worker answers
 * itself, without libmicrohttpd (daemon/h1_fast.c). The grammar is
 * llhttp's (strict mode); this module only decides "plain or not".
 *
 * A plain request is GET or HEAD of exactly the path (no query), HTTP/1.1,
 * its request line exactly "GET /path HTTP/1.1" (or HEAD) and CRLF,
 * exactly one Host header, no body (no Content-Length or
 * Transfer-Encoding), no Expect or Upgrade, Connection absent or
 * "keep-alive", at most one Accept header (its value returned), and all
 * of it within H1_SCAN_MAX bytes. Anything else is not plain: it goes to
 * libmicrohttpd, which answers it as it always did.
 */
#ifndef GOSSIPD_H1_SCAN_H
#define GOSSIPD_H1_SCAN_H

#include <stdbool.h>
#include <stddef.h>

/* Bytes of a request (request line and headers) the scan looks at: real
 * GET /gossip requests are a few hundred bytes. A request that does not
 * end within them is left to libmicrohttpd (which answers 431 past its
 * own header bound). */
#define H1_SCAN_MAX 4096
/* An Accept value longer than this is not plain. */
#define H1_SCAN_ACCEPT_MAX 256

enum h1_scan_result {
	H1_SCAN_MORE,	 /* the request does not end within buf yet */
	H1_SCAN_REQUEST, /* a whole plain request: see struct h1_request */
	H1_SCAN_OTHER,	 /* not plain (known from its request line, else at
			  * the end of its headers), or not HTTP:
			  * libmicrohttpd's */
};

struct h1_request {
	size_t len;  /* its bytes, from buf's start */
	bool head;   /* HEAD rather than GET */
	bool accept; /* an Accept header was given ... */
	char accept_value[H1_SCAN_ACCEPT_MAX + 1]; /* ... with this value */
};

/*
 * Scans the request at the start of buf (len bytes). H1_SCAN_REQUEST: a
 * whole plain request, rq filled; H1_SCAN_MORE when what len holds may
 * still become one (and is within H1_SCAN_MAX); H1_SCAN_OTHER otherwise.
 */
enum h1_scan_result h1_scan(const char *buf, size_t len, const char *path,
			    struct h1_request *rq);

#endif
