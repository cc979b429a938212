/*
 * tls_server: the listener's mbedTLS server configuration, built from a
 * credential set and swapped whole on reload. Connections hold a
 * reference to the configuration they started with.
 */
#ifndef GOSSIPD_TLS_SERVER_H
#define GOSSIPD_TLS_SERVER_H

#include <mbedtls/ssl.h>
#include <mbedtls/ssl_cache.h>
#include <mbedtls/ssl_ticket.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

struct listener;
struct tls_creds;
struct tls_chain_cache;

struct tls_server {
	atomic_int refs;
	mbedtls_ssl_config conf;
	mbedtls_ssl_cache_context cache;
	mbedtls_ssl_ticket_context ticket;
	struct tls_creds *creds; /* a reference */
	/* client chains verified under creds (tls_chain_cache.h) */
	struct tls_chain_cache *chains;
};

/*
 * Builds a server configuration from creds (it takes its own reference)
 * and makes it the one new connections use. Returns 0, or -1 with a
 * reason (the old configuration stays).
 */
int tls_server_update(struct listener *l, struct tls_creds *creds, char *err,
		      size_t errlen);
/* The current configuration with a reference (NULL when insecure). */
struct tls_server *tls_server_get(struct listener *l);
/* With CertificateRevocationListStaleRefusesAll, the next moment after
 * now a CRL of the current set turns stale (0: none to come, or
 * insecure). */
time_t tls_server_crl_stale_next(struct listener *l);
/* Drops a reference; frees with the last. Accepts NULL. */
void tls_server_unref(struct tls_server *s);
/* Drops the listener's reference and the random generator at exit. */
void tls_server_release(struct listener *l);

/* Whether a session was resumed from the cache or a ticket during the
 * handshake steps run on this thread since the last reset. */
void tls_server_resumed_reset(void);
bool tls_server_resumed(void);
/* The resumed session's peer path's earliest notAfter, its root's
 * included, as judged at resumption (0: none resumed, or anonymous). */
time_t tls_server_resumed_not_after(void);

#endif
