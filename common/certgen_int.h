/*
 * certgen_int.h: what the certgen files share and nobody else uses.
 */
#ifndef GOSSIP_CERTGEN_INT_H
#define GOSSIP_CERTGEN_INT_H

#include <stddef.h>

#include <mbedtls/pk.h>

#include "errbuf.h"
#include "mbed_err.h"

/* The value of n decimal digits (already checked to be digits). */
int certgen_digits(const char *s, size_t n);

/*
 * Copies the DER certificate der to out, with its ECDSA signature
 * AlgorithmIdentifier (both of them) written without parameters and the
 * TBS signed again with issuer_key (certgen_sig.c); a certificate with
 * another algorithm is copied as it is. Returns 0 and the length in
 * *out_len, or -1 with a reason in err.
 */
int certgen_ecdsa_rewrite(const unsigned char *der, size_t len,
			  mbedtls_pk_context *issuer_key,
			  int (*f_rng)(void *, unsigned char *, size_t),
			  void *p_rng, unsigned char *out, size_t cap,
			  size_t *out_len, char *err, size_t errlen);

#endif
