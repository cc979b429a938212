/*
 * tls_server: the listener's mbedTLS server configuration, built from a
 * credential set and swapped whole on reload. Connections hold a
 * reference to the configuration they started with.
 */
#ifndef GOSSIPD_TLS_SERVER_H
#define GOSSIPD_TLS_SERVER_H

#include <stddef.h>

struct listener;
struct tls_creds;
struct tls_server;

/*
 * Builds a server configuration from creds (it takes its own reference)
 * and makes it the one new connections use. Returns 0, or -1 with a
 * reason (the old configuration stays).
 */
int tls_server_update(struct listener *l, struct tls_creds *creds, char *err,
		      size_t errlen);
/* The current configuration with a reference (NULL when insecure). */
struct tls_server *tls_server_get(struct listener *l);
void tls_server_unref(struct tls_server *s);
/* Drops the listener's reference at exit. */
void tls_server_release(struct listener *l);

#endif
