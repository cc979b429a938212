/*
 * tls_chain_cache: client certificate chains that verified before under
 * one credential set, so that a returning peer's chain signatures are not
 * verified again on its next full handshake.
 *
 * One cache per server configuration (tls_server): a reload or a new CRL
 * builds a new configuration and so starts with an empty cache. An entry
 * is the SHA-256 of the chain exactly as presented (every certificate's
 * DER) and the validity window of the verified path (the latest notBefore
 * and the earliest notAfter, the trusted root included): a hit outside
 * that window, or while a CRL is past its nextUpdate under
 * CertificateRevocationListStaleRefusesAll, is verified afresh. Only the
 * chain is cached: the handshake's CertificateVerify (the client's
 * signature with its key) is checked by mbedTLS on every handshake.
 * Bounded: a fixed table, a new chain takes its slot from an older one.
 */
#ifndef GOSSIPD_TLS_CHAIN_CACHE_H
#define GOSSIPD_TLS_CHAIN_CACHE_H

#include <mbedtls/x509_crt.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

struct tls_creds;
struct tls_chain_cache;

struct tls_chain_cache *tls_chain_cache_new(void);
void tls_chain_cache_free(struct tls_chain_cache *cc);

/*
 * The verification flags of chain (the leaf first, as received) against
 * c's trusted roots and CRLs now: 0 when it verifies, and then *not_after
 * is the verified path's earliest notAfter, the trusted root's included
 * (0 when it does not verify). From the cache when this chain verified
 * before (*hit then true); otherwise verified, and remembered when it
 * passes. Safe from many threads.
 */
uint32_t tls_chain_cache_verify(struct tls_chain_cache *cc,
				const struct tls_creds *c,
				mbedtls_x509_crt *chain, bool *hit,
				time_t *not_after);

/*
 * For a saved session's leaf kept alone: flags are those of verifying it
 * alone (tls_chain_cache_verify); when they say only that it does not
 * chain to a root by itself (an intermediate signed it), its path up to a
 * root through the CAs of the set is judged (tls_creds_leaf_alone_flags:
 * every certificate's dates, each issuer's CRL), and *not_after is the
 * path's earliest notAfter. A path that passed is remembered, apart from
 * every presented chain, with its window from that moment to that
 * notAfter, so that the signatures along it are not verified again at
 * each resumption (not while a CRL is stale under
 * CertificateRevocationListStaleRefusesAll). Returns the flags.
 */
uint32_t tls_chain_cache_saved(struct tls_chain_cache *cc,
			       const struct tls_creds *c,
			       const mbedtls_x509_crt *leaf, uint32_t flags,
			       time_t *not_after);

#endif
