/*
 * listener: the sockets the daemon serves on, the worker threads with
 * their event loops, and the hand-off of each accepted connection to
 * libmicrohttpd through a socketpair (docs/ARCHITECTURE.md).
 */
#ifndef GOSSIPD_LISTENER_H
#define GOSSIPD_LISTENER_H

#include <stdbool.h>
#include <stddef.h>

#include "gossipd.h"

struct listener;

/*
 * Binds the TCP listening socket on cfg->node_ip:node_port (one socket,
 * shared by every worker through EPOLLEXCLUSIVE) and the admin socket,
 * and prepares the workers and their libmicrohttpd daemons. Nothing is
 * served until listener_start. Returns 0 and the listener in *out (free with
 * listener_free), or -1 with a reason.
 */
int listener_create(struct gossipd *d, struct listener **out, char *err,
		    size_t errlen);

/*
 * After a reload (main thread): the connection caps of cfg apply to new
 * connections from now on; open ones are kept, also beyond a lowered cap.
 * The other reloadable settings the workers read from their configuration
 * at each loop turn, or at each connection's start.
 */
void listener_reload(struct listener *l, const struct gossipd_config *cfg);

/* Starts the worker threads. Returns 0, or -1 with a reason. */
int listener_start(struct listener *l, char *err, size_t errlen);

/*
 * Stops accepting at once, lets requests in flight finish for up to
 * drain_ms, then closes every connection and joins the workers.
 */
void listener_stop(struct listener *l, int drain_ms);

/* The first half of listener_stop, returning at once, for a caller that
 * has work of its own during the drain (the main thread answers reloads
 * asked for by requests in flight); listener_drained tells when every
 * worker is done. listener_stop then only joins. */
void listener_stop_begin(struct listener *l, int drain_ms);
bool listener_drained(struct listener *l);

/* Frees everything; stops first if needed. Accepts NULL. */
void listener_free(struct listener *l);

#endif
