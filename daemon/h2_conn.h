/*
 * h2_conn: a client connection served over HTTP/2 (ALPN h2, or the
 * prior-knowledge preface in insecure mode): the decrypted bytes go to
 * an h2_server (common/h2_server.c) directly in the worker's loop, with
 * no socketpair and no libmicrohttpd; its requests go to grpc_service.c.
 */
#ifndef GOSSIPD_H2_CONN_H
#define GOSSIPD_H2_CONN_H

#include <stdbool.h>
#include <stdint.h>

struct conn;

/* Starts HTTP/2 on c. Returns 0, or -1 (the caller closes). */
int h2_conn_start(struct conn *c);
/* Moves bytes client -> session -> client; may close the connection. */
void h2_conn_pump(struct conn *c);
/* Timers: the preface, stream deadlines, idle timeout, GOAWAY when the
 * worker stops; may close the connection. */
void h2_conn_sweep(struct conn *c, int64_t now);
/* No stream open and nothing left to send. */
bool h2_conn_idle(const struct conn *c);
/* Frees the session (at reap). Accepts a connection without one. */
void h2_conn_free(struct conn *c);

#endif
