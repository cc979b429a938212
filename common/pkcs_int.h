/*
 * pkcs_int.h: what the pkcs files (pkcs.c, pkcs_pbe.c, pkcs_kdf.c,
 * pkcs_rc2.c, pkcs12.c) share and nobody else uses.
 */
#ifndef GOSSIP_PKCS_INT_H
#define GOSSIP_PKCS_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include <mbedtls/asn1.h>
#include <mbedtls/md.h>
#include <mbedtls/oid.h>
#include <mbedtls/pk.h>

#include "mbed_err.h"

#define MAX_ITERATIONS 10000000
#define MAX_PASSWORD   256 /* bytes of UTF-8 */
#define MAX_SALT       256

#define OID_P12_3DES	MBEDTLS_OID_PKCS12_PBE "\x03"
#define OID_P12_2DES	MBEDTLS_OID_PKCS12_PBE "\x04"
#define OID_P12_RC2_128 MBEDTLS_OID_PKCS12_PBE "\x05"
#define OID_P12_RC2_40	MBEDTLS_OID_PKCS12_PBE "\x06"

/* The "ID" byte of the PKCS#12 KDF: what the derived bytes are for. */
#define P12_ID_KEY 1
#define P12_ID_IV  2
#define P12_ID_MAC 3

#define TAG_SEQ	 (MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE)
#define TAG_EXP0 (MBEDTLS_ASN1_CONTEXT_SPECIFIC | MBEDTLS_ASN1_CONSTRUCTED)
#define TAG_IMP0 (MBEDTLS_ASN1_CONTEXT_SPECIFIC)

#define OID_IS(buf, oid)                                                       \
	((buf)->len == MBEDTLS_OID_SIZE(oid) &&                                \
	 memcmp((buf)->p, (oid), (buf)->len) == 0)

/* Copies msg into err (when err is not NULL); returns -1. */
int pkcs_fail(char *err, size_t errlen, const char *msg);

/* Zeroes len bytes of p, then frees it. Accepts NULL. */
void pkcs_wipe_free(unsigned char *p, size_t len);

/* Reads an INTEGER that must lie in [1, max] into *out; 0 or -1. */
int pkcs_get_count(unsigned char **p, const unsigned char *end, int max,
		   int *out);

/* Is buf (len bytes) exactly one DER SEQUENCE? */
bool pkcs_is_one_sequence(const unsigned char *buf, size_t len);

/*
 * Parses a plain DER key (PKCS#8, PKCS#1 or SEC1) into the empty pk.
 * Returns 0, or -1 with a reason in err and pk emptied again.
 */
int pkcs_parse_plain_der(mbedtls_pk_context *pk, const unsigned char *der,
			 size_t len, char *err, size_t errlen);

/*
 * The UTF-8 password pw (NULL: empty) as a PKCS#12 BMPString (UTF-16BE
 * with a trailing 0x0000) in out. Returns its length, or 0 for a password
 * outside the BMP or longer than outlen allows.
 */
size_t pkcs_kdf_bmp_password(const char *pw, unsigned char *out, size_t outlen);

/*
 * The PKCS#12 key derivation (RFC 7292 appendix B) with md_type over the
 * BMPString pw: outlen bytes for purpose id (P12_ID_*) into out. Returns 0
 * or -1 (unknown digest, salt or password too long, iterations < 1).
 */
int pkcs_kdf_p12(mbedtls_md_type_t md_type, const unsigned char *pw,
		 size_t pwlen, const unsigned char *salt, size_t saltlen,
		 int id, int iterations, unsigned char *out, size_t outlen);

/*
 * RC2-CBC decryption of in (inlen bytes, a multiple of 8) with a key of
 * keylen bytes (at most 128) into out (room for inlen bytes), PKCS#7
 * padding removed. Returns 0, or -1 for bad length or padding.
 */
int pkcs_rc2_cbc_decrypt(const unsigned char *key, size_t keylen,
			 const unsigned char iv[8], const unsigned char *in,
			 size_t inlen, unsigned char *out, size_t *outlen);

/*
 * Decrypts in (inlen bytes) by the algorithm oid/params (PBES2 or the
 * PKCS#12 PBE) into a new buffer *out of *outlen bytes, which the caller
 * wipes and frees (pkcs_wipe_free). Returns 0, or -1 with a reason in err
 * and *out NULL.
 */
int pkcs_pbe_decrypt(const mbedtls_asn1_buf *oid,
		     const mbedtls_asn1_buf *params, const char *password,
		     const unsigned char *in, size_t inlen, unsigned char **out,
		     size_t *outlen, char *err, size_t errlen);

#endif
