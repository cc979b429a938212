/*
 * pkcs: private key files (PEM or DER; PKCS#1, SEC1, PKCS#8, plain or
 * encrypted) and the helpers the pkcs files share (errors, wiping, bounded
 * counts). Decryption is in pkcs_pbe.c, PKCS#12 containers in pkcs12.c.
 *
 * Every length comes from mbedtls_asn1_get_tag(), which checks it against
 * the end of the enclosing element; counts (bags, certificates, contents)
 * and work factors (iterations) are capped before any work. Decrypted
 * secrets are wiped before they are freed.
 */
#include "pkcs.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/asn1.h>
#include <mbedtls/pem.h>
#include <mbedtls/platform_util.h>

#include "errbuf.h"
#include "pkcs_int.h"

int
pkcs_fail(char *err, size_t errlen, const char *msg)
{
	return errbuf_set(err, errlen, "%s", msg);
}

void
pkcs_wipe_free(unsigned char *p, size_t len)
{
	if (p != NULL) {
		mbedtls_platform_zeroize(p, len);
		free(p);
	}
}

/* Reads an INTEGER that must lie in [1, max]. */
int
pkcs_get_count(unsigned char **p, const unsigned char *end, int max, int *out)
{
	if (mbedtls_asn1_get_int(p, end, out) != 0 || *out < 1 || *out > max)
		return -1;
	return 0;
}

/* Is buf (len bytes) exactly one DER SEQUENCE? Decrypted plaintexts are,
 * so this catches a wrong password that happened to leave valid padding. */
bool
pkcs_is_one_sequence(const unsigned char *buf, size_t len)
{
	unsigned char *p = (unsigned char *)buf;
	size_t l;

	return mbedtls_asn1_get_tag(&p, buf + len, &l, TAG_SEQ) == 0 &&
	       p + l == buf + len;
}

/* Parses a plain DER key (PKCS#8, PKCS#1 or SEC1) into pk. */
int
pkcs_parse_plain_der(mbedtls_pk_context *pk, const unsigned char *der,
		     size_t len, char *err, size_t errlen)
{
	int ret = mbedtls_pk_parse_key(pk, der, len, NULL, 0);

	if (ret != 0) {
		mbedtls_pk_free(pk);
		mbedtls_pk_init(pk);
		return mbed_err(err, errlen, "not a usable private key", ret);
	}
	return 0;
}

static int
parse_epki(mbedtls_pk_context *pk, const unsigned char *der, size_t len,
	   const char *password, char *err, size_t errlen)
{
	unsigned char *plain = NULL;
	size_t plen = 0;
	int ret;

	if (password == NULL || password[0] == '\0')
		return pkcs_fail(err, errlen,
				 "the key is encrypted and no password is set");
	ret = pkcs_decrypt_epki(der, len, password, &plain, &plen, err, errlen);
	if (ret == 0)
		ret = pkcs_parse_plain_der(pk, plain, plen, err, errlen);
	pkcs_wipe_free(plain, plen);
	return ret;
}

/* Does der look like an EncryptedPrivateKeyInfo: SEQUENCE { SEQUENCE ...
 * } rather than a key (SEQUENCE { INTEGER ... })? */
static bool
looks_like_epki(const unsigned char *der, size_t len)
{
	unsigned char *p = (unsigned char *)der;
	size_t l;

	return mbedtls_asn1_get_tag(&p, der + len, &l, TAG_SEQ) == 0 &&
	       p < der + len && *p == TAG_SEQ;
}

#define PEM_EPKI_BEGIN "-----BEGIN ENCRYPTED PRIVATE KEY-----"
#define PEM_EPKI_END   "-----END ENCRYPTED PRIVATE KEY-----"

int
pkcs_parse_key(mbedtls_pk_context *pk, const unsigned char *buf, size_t len,
	       const char *password, char *err, size_t errlen)
{
	unsigned char *z = NULL;
	mbedtls_pem_context pem;
	size_t used;
	int ret = -1;

	mbedtls_pem_init(&pem);
	if (len == 0 || len > PKCS_MAX_FILE)
		return pkcs_fail(err, errlen, "empty or larger than 1 MiB");
	if (memmem(buf, len, "-----BEGIN", 10) == NULL) {
		if (looks_like_epki(buf, len))
			return parse_epki(pk, buf, len, password, err, errlen);
		return pkcs_parse_plain_der(pk, buf, len, err, errlen);
	}
	/* PEM: mbedTLS wants a NUL-terminated copy. */
	z = malloc(len + 1);
	if (z == NULL)
		return pkcs_fail(err, errlen, "out of memory");
	memcpy(z, buf, len);
	z[len] = '\0';
	if (strstr((char *)z, PEM_EPKI_BEGIN) != NULL) {
		ret = mbedtls_pem_read_buffer(&pem, PEM_EPKI_BEGIN,
					      PEM_EPKI_END, z, NULL, 0, &used);
		if (ret != 0)
			ret = mbed_err(err, errlen, "malformed PEM", ret);
		else
			ret = parse_epki(pk, pem.buf, pem.buflen, password, err,
					 errlen);
		goto out;
	}
	ret = mbedtls_pk_parse_key(pk, z, len + 1,
				   (const unsigned char *)password,
				   password != NULL ? strlen(password) : 0);
	if (ret != 0) {
		mbedtls_pk_free(pk);
		mbedtls_pk_init(pk);
	}
	if (ret == MBEDTLS_ERR_PK_PASSWORD_REQUIRED)
		ret = pkcs_fail(err, errlen,
				"the key is encrypted and no password is set");
	else if (ret == MBEDTLS_ERR_PK_PASSWORD_MISMATCH)
		ret = pkcs_fail(err, errlen, "wrong password");
	else if (ret != 0)
		ret = mbed_err(err, errlen, "not a usable private key", ret);
out:
	mbedtls_pem_free(&pem);
	pkcs_wipe_free(z, len + 1);
	return ret;
}
