/*
 * tls_creds_int.h: what the tls_creds files (tls_creds.c, tls_creds_file.c,
 * tls_creds_own.c, tls_creds_trust.c, tls_creds_check.c) share and nobody
 * else uses.
 */
#ifndef GOSSIP_TLS_CREDS_INT_H
#define GOSSIP_TLS_CREDS_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include <mbedtls/x509_crt.h>

#include "tls_creds.h"

#include "mbed_err.h"

#define MAX_DEPTH 10 /* certificates on the own chain's verified path */

#define OPT_CERT  "CertificateFile"
#define OPT_KEY	  "CertificatePrivateKeyFile"
#define OPT_TRUST "TrustedRootCertificatesPath"
#define OPT_CRL	  "CertificateRevocationListFile"
#define OPT_CN	  "CertificateReservedNodeCommonName"

/* One tls_creds_load() call: its inputs and the set being built. */
struct tls_creds_loader {
	const struct tls_creds_config *cfg;
	const char *trust_path;
	time_t now;
	tls_creds_warn_fn warn;
	void *warn_ctx;
	char *err;
	size_t errlen;
	struct tls_creds *c;
	/* the verified path of the own chain, node first, root last */
	const mbedtls_x509_crt *path[MAX_DEPTH];
	int path_len;
	int skipped; /* trust files skipped; only the first few are told */
	struct tls_creds_vrfy vrfy; /* the own chain's revocation check */
};

/* Formats the load's error into l->err; returns -1. */
int tls_creds_errf(struct tls_creds_loader *l, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Formats a warning and passes it to the load's callback, if any. */
void tls_creds_warnf(struct tls_creds_loader *l, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Is c's subject its issuer? */
bool tls_creds_self_signed(const mbedtls_x509_crt *c);

/* c's subject DN into buf ("?" when it does not fit). */
void tls_creds_subject_str(const mbedtls_x509_crt *c, char *buf, size_t len);

/* "YYYY-MM-DD hh:mm:ss UTC" into buf. */
void tls_creds_date_str(const mbedtls_x509_time *t, char *buf, size_t len);

/*
 * Reads the regular file path, at most max bytes, into a new
 * NUL-terminated *buf (*len excludes the NUL; the caller frees it, with
 * tls_creds_file_free_secret when it holds a secret). With private set,
 * refuses a file that group or others may access. Returns 0, or -1 with
 * the reason in why and *buf NULL.
 */
int tls_creds_file_read(const char *path, size_t max, bool private,
			unsigned char **buf, size_t *len, char *why,
			size_t whylen);

/* Wipes and frees a buffer from tls_creds_file_read. Accepts NULL. */
void tls_creds_file_free_secret(unsigned char *buf, size_t len);

/* Does buf hold PEM ("-----BEGIN")? */
bool tls_creds_file_is_pem(const unsigned char *buf, size_t len);

/* The length mbedTLS wants for buf: with the NUL for PEM, without for DER. */
size_t tls_creds_file_pem_len(const unsigned char *buf, size_t len);

/*
 * Loads the own chain and key into l->c (a PEM bundle and key file, or a
 * PKCS#12 file when no key file is set) and checks the bundle holds no
 * root and the key is RSA or EC. Returns 0, or -1 with l->err set.
 */
int tls_creds_own_load(struct tls_creds_loader *l);

/*
 * Loads the trusted roots from l->trust_path (a file, or the certificate
 * files of a directory in name order; unreadable ones there are warnings)
 * into l->c->trusted. Returns 0, or -1 with l->err set.
 */
int tls_creds_trust_load(struct tls_creds_loader *l);

/* Loads the configured CRL, if any, into l->c->crl and binds it
 * (tls_creds_crl_bind). Returns 0, or -1 with l->err set. */
int tls_creds_trust_load_crl(struct tls_creds_loader *l);

/*
 * Binds every loaded CRL to the trusted root or own-chain CA whose key
 * signed it (tls_creds_crl.c); a CRL that matches none is an error naming
 * the file. Needs the own chain and the trusted roots loaded.
 */
int tls_creds_crl_bind(struct tls_creds_loader *l);

/* tls_creds_x509_time, or 0 for an absent time (year 0). */
time_t tls_creds_x509_time_or_zero(const mbedtls_x509_time *t);

/* The own chain's top must not be issued by a trusted intermediate. */
int tls_creds_check_anchor(struct tls_creds_loader *l);

/* Verifies the own chain to the trusted roots and CRL, keeping the
 * verified path in l->path (validity is left to check_times). */
int tls_creds_check_chain(struct tls_creds_loader *l);

/* Validity of every certificate on l->path against l->now; sets the
 * set's expiry times and warns of those close to it. */
int tls_creds_check_times(struct tls_creds_loader *l);

/* Own CN, reserved node CN, node admission rules and the advertised
 * host's SAN. */
int tls_creds_check_names(struct tls_creds_loader *l);

#endif
