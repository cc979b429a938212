/*
 * tls_conn: the TLS side of a client connection (mbedTLS, non-blocking,
 * on the worker's epoll loop), and the server configuration built from a
 * credential set.
 */
#ifndef GOSSIPD_TLS_CONN_H
#define GOSSIPD_TLS_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "worker.h"

/* Sets up c->tls with a reference to the listener's current server
 * config. Returns 0, or -1 (logged). */
int tls_conn_start(struct conn *c);
/*
 * Advances the handshake. Returns 1 when it is complete and the peer's
 * identity is in c->info, 0 when it waits for the peer, -1 when the
 * connection must be closed (the refusal is counted and logged).
 */
int tls_conn_handshake(struct conn *c);
/*
 * When the credential set changed since the peer certificate of c was
 * last checked (a reload: new roots, a new CRL, another reserved CN),
 * verifies it again against the current set and re-decides the identity.
 * Returns 0 when the peer keeps its rights, -1 when it lost them (its
 * identity is lowered at once; the reason is in why).
 */
int tls_conn_recheck(struct conn *c, char *why, size_t len);
/*
 * Of a certificate's verification flags, those that refuse it: the rule
 * the handshake's verify callback and the resumption check share (any
 * flag, today: a CRL past its nextUpdate refuses too).
 */
uint32_t tls_conn_refusing_flags(uint32_t flags);
/* Like read(2)/send(2): bytes, 0 at close_notify or EOF, -1 would block,
 * -2 fatal. */
ssize_t tls_conn_recv(struct conn *c, char *buf, size_t len);
ssize_t tls_conn_send(struct conn *c, const char *buf, size_t len);
/* An epoll event on the client socket: the read-ahead reads again. */
void tls_conn_rearm(struct conn *c);
/* Sends close_notify, best effort, without blocking. */
void tls_conn_close_notify(struct conn *c);
/* After the handshake: true when ALPN chose HTTP/2 ("h2"). */
bool tls_conn_alpn_h2(struct conn *c);
/* Frees c->tls and drops its config reference. Accepts c->tls == NULL. */
void tls_conn_free(struct conn *c);

#endif
