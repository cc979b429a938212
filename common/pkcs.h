/*
 * pkcs: private keys and PKCS#12 files in the forms OpenSSL 3 writes, on
 * mbedTLS 2.28 primitives. mbedTLS 2.28 decrypts PBES2 only with DES
 * ciphers and has no PKCS#12 container parser; this module adds PBES2 with
 * AES-CBC, the PKCS#12 PBE with 3DES, and a bounded PFX parser.
 */
#ifndef GOSSIP_PKCS_H
#define GOSSIP_PKCS_H

#include <stddef.h>

#include <mbedtls/pk.h>
#include <mbedtls/x509_crt.h>

/* The largest key or PKCS#12 file accepted, in bytes. */
#define PKCS_MAX_FILE (1024 * 1024)

/*
 * Decrypts a DER EncryptedPrivateKeyInfo (PKCS#8) encrypted with PBES2
 * (PBKDF2 with HMAC-SHA1/224/256/384/512; AES-128/192/256-CBC or
 * DES-EDE3-CBC) or with the PKCS#12 PBE (SHA-1 and 2- or 3-key 3DES).
 * password is UTF-8 (NULL is the empty password). Returns 0 and the
 * PrivateKeyInfo DER in *out (malloc'd, *outlen bytes; the caller wipes
 * and frees it), or -1 with a reason in err ("wrong password", "unsupported
 * encryption ...").
 */
int pkcs_decrypt_epki(const unsigned char *der, size_t len,
		      const char *password, unsigned char **out, size_t *outlen,
		      char *err, size_t errlen);

/*
 * Parses a private key file's bytes (buf, len; PEM or DER): RSA PKCS#1, EC
 * SEC1, PKCS#8, plain or encrypted (PEM DEK-Info, or encrypted PKCS#8 as
 * above). pk must be initialised and empty. Returns 0, or -1 with a reason
 * in err; on error pk holds nothing (the caller still frees it).
 */
int pkcs_parse_key(mbedtls_pk_context *pk, const unsigned char *buf, size_t len,
		   const char *password, char *err, size_t errlen);

/*
 * Parses a PKCS#12 (PFX) file (DER, len bytes): verifies its MAC when it
 * has one (HMAC over the PKCS#12 KDF, any SHA), decrypts encrypted
 * contents and shrouded keys, and returns the one private key in pk and
 * in chain the key's own certificate followed by its issuers in order;
 * the self-signed root and certificates outside that chain are left out,
 * whatever their order in the file. pk and
 * chain must be initialised and empty. Returns 0, or -1 with a reason in
 * err; the caller frees pk and chain either way.
 */
int pkcs12_parse(const unsigned char *der, size_t len, const char *password,
		 mbedtls_x509_crt *chain, mbedtls_pk_context *pk, char *err,
		 size_t errlen);

#endif
