/*
 * listener: the sockets the daemon serves on, the worker threads with
 * their event loops, and the hand-off of each accepted connection to
 * libmicrohttpd through a socketpair (docs/ARCHITECTURE.md).
 */
#ifndef GOSSIPD_LISTENER_H
#define GOSSIPD_LISTENER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "gossipd.h"
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

struct listener;

/*
 * Binds the TCP listening sockets (one per worker, SO_REUSEPORT) on
 * cfg->node_ip:node_port and the admin socket, and prepares the workers
 * and their libmicrohttpd daemons. Nothing is served until
 * listener_start. Returns 0 and the listener in *out (free with
 * listener_free), or -1 with a reason.
 */
int listener_create(struct gossipd *d, struct listener **out, char *err,
		    size_t errlen);

/* Starts the worker threads. Returns 0, or -1 with a reason. */
int listener_start(struct listener *l, char *err, size_t errlen);

/*
 * Stops accepting at once, lets requests in flight finish for up to
 * drain_ms, then closes every connection and joins the workers.
 */
void listener_stop(struct listener *l, int drain_ms);

/* Frees everything; stops first if needed. Accepts NULL. */
void listener_free(struct listener *l);

#endif
