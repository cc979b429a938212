/*
 * h1_fast: the HTTP/1.1 fast lane. A new HTTP/1.1 connection (after the
 * TLS handshake, or the first bytes in insecure mode) is served in the
 * worker's loop, without a socketpair or libmicrohttpd, for as long as its
 * requests are plain reads of the gossip document (GET or HEAD /gossip,
 * common/h1_scan.h) that the route would answer 200: the answer is the
 * same bytes libmicrohttpd would send (headers in its order, its Date
 * format). The first request that is anything else, and every byte after
 * it, goes to libmicrohttpd as before (conn.c hands the connection off
 * with the request's bytes), which answers it and owns the connection
 * from then on.
 */
#ifndef GOSSIPD_H1_FAST_H
#define GOSSIPD_H1_FAST_H

struct conn;

/* Starts the fast lane on an HTTP/1.1 connection. */
void h1_fast_start(struct conn *c);
/* Moves bytes: reads requests, answers the plain ones, hands the
 * connection to libmicrohttpd at the first other one; may close it. */
void h1_fast_pump(struct conn *c);

#endif
