/*
 * conn_info: the identity of one connection, below both the transport
 * (conn.c, tls_conn.c fill it) and the HTTP layer (mhd_glue.c carries it
 * into libmicrohttpd's socket context; the routes read it).
 */
#ifndef GOSSIPD_CONN_INFO_H
#define GOSSIPD_CONN_INFO_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "node_auth.h"

/*
 * What the routes learn about the connection a request came on. Shared
 * by the pump (which fills it) and libmicrohttpd's socket context (which
 * the routes read); both live on the same worker thread, so refs and the
 * request fields need no atomics. Freed when both have let go.
 */
struct conn_info {
	int refs;
	enum node_identity identity;
	char peer_cn[256];	/* CN of the client certificate, or "" */
	char why_not_node[256]; /* for ID_CLIENT: the node_auth reason */
	char peer_addr[64];	/* "ip:port", "[v6]:port" or "admin-socket" */
	/* the earliest notAfter of the peer's certificate chain (0: no
	 * certificate): past it the peer is no longer authenticated */
	time_t not_after;
	bool in_request; /* bytes of a request arrived, not yet answered */
	int64_t request_started_ms;
};

/* Drops a reference; frees with the last. Accepts NULL. */
void conn_info_unref(struct conn_info *ci);
/* The identity a request on the connection has now: ID_ANONYMOUS once
 * the peer certificate has expired (checked against the clock). */
enum node_identity conn_info_identity(const struct conn_info *ci, time_t now);

#endif
