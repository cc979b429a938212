/*
 * cert_file: what a file holds, for gossipd cert inspect and cert list:
 * certificates (PEM or DER), a CRL, a PKCS#12 file, or a private key.
 */
#ifndef GOSSIPD_CERT_FILE_H
#define GOSSIPD_CERT_FILE_H

#include <stdbool.h>
#include <stddef.h>

#include <mbedtls/pk.h>
#include <mbedtls/x509_crl.h>
#include <mbedtls/x509_crt.h>

enum cert_file_kind {
	CF_NONE = 0,   /* not a certificate, CRL, PKCS#12 or key */
	CF_CERT,       /* chain: the certificates in file order */
	CF_CRL,	       /* crl */
	CF_PKCS12,     /* chain (leaf first) and pk */
	CF_KEY,	       /* pk */
	CF_LOCKED_P12, /* a PKCS#12 file the password does not open */
	CF_LOCKED_KEY, /* an encrypted key and no (right) password */
};

struct cert_file {
	enum cert_file_kind kind;
	mbedtls_x509_crt chain;
	mbedtls_x509_crl crl;
	mbedtls_pk_context pk;
	char why[256]; /* CF_LOCKED_*: why it did not open */
};

/*
 * Reads path (at most PKCS_MAX_FILE bytes) and finds what it holds;
 * password opens a PKCS#12 file or an encrypted key (NULL: none). Returns
 * 0 (free with cert_file_free, also for CF_NONE), or -1 with a reason in
 * err when the file cannot be read.
 */
int cert_file_load(struct cert_file *f, const char *path, const char *password,
		   char *err, size_t errlen);
void cert_file_free(struct cert_file *f);

/*
 * Would crt be refused? Checks the validity period (now), the chain
 * against trust (when not NULL) and the node rules of SPEC.md section 4
 * with the reserved CN pattern (NULL: the certificate's own CN). Returns
 * true when admitted as a node; else false with the first reason in why.
 */
bool cert_file_node_verdict(const mbedtls_x509_crt *crt,
			    mbedtls_x509_crt *trust, const char *pattern,
			    char *why, size_t len);

#endif
