/*
 * tls_creds: the node's certificate chain and key, the trusted roots and
 * the CRL, loaded and checked as one immutable, reference-counted set.
 * A reload builds a new set aside and swaps it in whole; connections keep
 * a reference to the set they started with.
 */
#ifndef GOSSIP_TLS_CREDS_H
#define GOSSIP_TLS_CREDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <mbedtls/pk.h>
#include <mbedtls/x509_crl.h>
#include <mbedtls/x509_crt.h>

struct tls_creds_config {
	const char *certificate_file;	  /* PEM bundle, or PKCS#12 */
	const char *certificate_password; /* for PKCS#12 */
	const char *private_key_file;	  /* NULL: certificate_file is P12 */
	const char *private_key_password;
	const char *trusted_roots_path; /* directory or file */
	const char *crl_file;		/* may be NULL */
	const char *reserved_node_cn;	/* NULL: own CN */
	const char *advertised_host;	/* must be a SAN of the own cert */
	bool listens_on_wildcard;	/* SAN mismatch is only a warning */
};

struct tls_creds {
	mbedtls_x509_crt chain;	  /* own certificate first, intermediates */
	mbedtls_pk_context key;	  /* matches chain's first certificate */
	mbedtls_x509_crt trusted; /* trusted roots */
	mbedtls_x509_crl crl;
	bool have_crl;
	char own_cn[256];
	char reserved_cn[256];	  /* configured, or own_cn */
	bool reserved_cn_is_auto; /* true when taken from own_cn */
	time_t own_not_after;	  /* the node certificate's expiry */
	time_t ca_not_after;	  /* earliest expiry among chain CAs/roots
				     actually used by the own chain */
	int n_trusted;		  /* how many roots were loaded */
	int refs;		  /* atomic; use tls_creds_ref/unref */
};

/*
 * Warnings (expiry within 30 days, SAN mismatch on a wildcard listener,
 * auto-configured reserved CN) are passed to warn(ctx, message) if
 * warn is not NULL; load never logs by itself.
 */
typedef void (*tls_creds_warn_fn)(void *ctx, const char *message);

/*
 * Loads and checks everything in cfg (SPEC.md section 5): key file
 * permissions, PKCS#12 (PBES2-AES and legacy), encrypted keys, own chain
 * verified to a trusted root, SAN of the advertised host, reserved CN
 * matches the own certificate. now is the time used for validity checks.
 * Returns 0 and a set with one reference in *out, or -1 with a message
 * naming the option and the file in err.
 */
int tls_creds_load(const struct tls_creds_config *cfg, time_t now,
		   tls_creds_warn_fn warn, void *warn_ctx,
		   struct tls_creds **out, char *err, size_t errlen);

/* Takes another reference; returns c. */
struct tls_creds *tls_creds_ref(struct tls_creds *c);
/* Drops a reference; frees the set with the last one. Accepts NULL. */
void tls_creds_unref(struct tls_creds *c);

/*
 * Verifies a peer certificate chain (as received in a handshake: the leaf
 * first, then any intermediates) against the set's trusted roots and CRL
 * at the system time. Returns 0, or -1 with a reason in err: "certificate
 * has been revoked", "certificate has expired", "certificate is not yet
 * valid", "certificate is not signed by a trusted CA", ... (see
 * certflags_reason). Reads the set only: safe from many threads.
 */
int tls_creds_verify_peer(const struct tls_creds *c, mbedtls_x509_crt *peer,
			  char *err, size_t errlen);

#endif
