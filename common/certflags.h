/*
 * certflags: the words for mbedTLS's X.509 verification flags, one table
 * and one wording for every place that reports them: the server refusing
 * a client certificate, httpc refusing a server certificate, the
 * credential checks at start and reload, `gossipd cert inspect`, and the
 * reason label of gossipd_connection_refusals_total.
 */
#ifndef GOSSIP_CERTFLAGS_H
#define GOSSIP_CERTFLAGS_H

#include <stddef.h>
#include <stdint.h>

/*
 * The one reason an operator should act on first, for flags (a set of
 * MBEDTLS_X509_BADCERT_* / BADCRL_* bits): "certificate has expired",
 * "certificate is not signed by a trusted CA", ... A static string;
 * "certificate verification failed" when no known bit is set.
 */
const char *certflags_reason(uint32_t flags);

/* The metric label of that reason: "revoked", "expired", "not_yet_valid",
 * or "untrusted" for every other failure. */
const char *certflags_label(uint32_t flags);

/* Every reason in flags, most important first, joined by "; ", into buf
 * (cut to len). */
void certflags_describe(uint32_t flags, char *buf, size_t len);

#endif
