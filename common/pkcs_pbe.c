/*
 * pkcs_pbe: password-based decryption of encrypted PKCS#8 keys and PKCS#12
 * contents: PBES2 (PBKDF2 with an HMAC-SHA PRF; AES-CBC or 3DES) and the
 * PKCS#12 PBE (SHA-1 KDF; 3DES or RC2). Plaintexts that are not exactly
 * one DER SEQUENCE count as a wrong password.
 */
#include "pkcs.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/asn1.h>
#include <mbedtls/cipher.h>
#include <mbedtls/md.h>
#include <mbedtls/oid.h>
#include <mbedtls/pkcs5.h>
#include <mbedtls/platform_util.h>

#include "pkcs_int.h"

#define OID_AES128_CBC MBEDTLS_OID_AES "\x02"
#define OID_AES192_CBC MBEDTLS_OID_AES "\x16"
#define OID_AES256_CBC MBEDTLS_OID_AES "\x2a"

/* CBC decryption with PKCS#7 padding; out has room for inlen bytes. */
static int
cbc_decrypt(mbedtls_cipher_type_t type, const unsigned char *key,
	    const unsigned char *iv, size_t ivlen, const unsigned char *in,
	    size_t inlen, unsigned char *out, size_t *outlen, char *err,
	    size_t errlen)
{
	const mbedtls_cipher_info_t *info = mbedtls_cipher_info_from_type(type);
	mbedtls_cipher_context_t c;
	int ret;

	if (info == NULL)
		return pkcs_fail(err, errlen,
				 "cipher not available in mbedTLS");
	if (inlen == 0 || inlen % info->block_size != 0 ||
	    ivlen != info->iv_size)
		return pkcs_fail(err, errlen, "encrypted data is corrupt");
	mbedtls_cipher_init(&c);
	ret = mbedtls_cipher_setup(&c, info);
	if (ret == 0)
		ret = mbedtls_cipher_setkey(&c, key, (int)info->key_bitlen,
					    MBEDTLS_DECRYPT);
	if (ret == 0)
		ret =
		    mbedtls_cipher_set_padding_mode(&c, MBEDTLS_PADDING_PKCS7);
	if (ret == 0)
		ret =
		    mbedtls_cipher_crypt(&c, iv, ivlen, in, inlen, out, outlen);
	mbedtls_cipher_free(&c);
	if (ret == MBEDTLS_ERR_CIPHER_INVALID_PADDING ||
	    (ret == 0 && !pkcs_is_one_sequence(out, *outlen)))
		return pkcs_fail(err, errlen, "wrong password");
	if (ret != 0)
		return mbed_err(err, errlen, "decryption failed", ret);
	return 0;
}

/* The PBES2 encryption schemes we decrypt. */
static int
pbes2_cipher(const mbedtls_asn1_buf *oid, mbedtls_cipher_type_t *cipher,
	     size_t *keylen)
{
	static const struct {
		const char *oid;
		size_t oidlen;
		mbedtls_cipher_type_t cipher;
		size_t keylen;
	} schemes[] = {
	    {OID_AES128_CBC, MBEDTLS_OID_SIZE(OID_AES128_CBC),
	     MBEDTLS_CIPHER_AES_128_CBC, 16},
	    {OID_AES192_CBC, MBEDTLS_OID_SIZE(OID_AES192_CBC),
	     MBEDTLS_CIPHER_AES_192_CBC, 24},
	    {OID_AES256_CBC, MBEDTLS_OID_SIZE(OID_AES256_CBC),
	     MBEDTLS_CIPHER_AES_256_CBC, 32},
	    {MBEDTLS_OID_DES_EDE3_CBC,
	     MBEDTLS_OID_SIZE(MBEDTLS_OID_DES_EDE3_CBC),
	     MBEDTLS_CIPHER_DES_EDE3_CBC, 24},
	};

	for (size_t i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++) {
		if (oid->len == schemes[i].oidlen &&
		    memcmp(oid->p, schemes[i].oid, oid->len) == 0) {
			*cipher = schemes[i].cipher;
			*keylen = schemes[i].keylen;
			return 0;
		}
	}
	return -1;
}

/* PBKDF2-params ::= SEQUENCE { salt OCTET STRING, iterationCount, keyLength
 * OPTIONAL, prf DEFAULT hmacWithSHA1 }: derives keylen bytes into key. */
static int
pbkdf2_derive(const mbedtls_asn1_buf *params, const char *password,
	      size_t keylen, unsigned char *key, char *err, size_t errlen)
{
	unsigned char *p = params->p, *end = params->p + params->len, *salt;
	mbedtls_asn1_buf prf_oid, prf_params;
	mbedtls_md_type_t prf = MBEDTLS_MD_SHA1;
	mbedtls_md_context_t md;
	size_t saltlen;
	int iterations, ret;

	if (mbedtls_asn1_get_tag(&p, end, &saltlen,
				 MBEDTLS_ASN1_OCTET_STRING) != 0 ||
	    saltlen == 0 || saltlen > MAX_SALT)
		return pkcs_fail(err, errlen, "malformed PBKDF2 salt");
	salt = p;
	p += saltlen;
	if (pkcs_get_count(&p, end, MAX_ITERATIONS, &iterations) != 0)
		return pkcs_fail(err, errlen,
				 "PBKDF2 iteration count out of range");
	if (p < end && *p == MBEDTLS_ASN1_INTEGER) {
		int kl;
		if (mbedtls_asn1_get_int(&p, end, &kl) != 0 ||
		    (size_t)kl != keylen)
			return pkcs_fail(err, errlen,
					 "PBKDF2 key length mismatch");
	}
	if (p < end &&
	    (mbedtls_asn1_get_alg(&p, end, &prf_oid, &prf_params) != 0 ||
	     mbedtls_oid_get_md_hmac(&prf_oid, &prf) != 0))
		return pkcs_fail(err, errlen, "unsupported PBKDF2 PRF");
	if (p != end)
		return pkcs_fail(err, errlen, "malformed PBKDF2 parameters");
	if (password == NULL)
		password = "";
	mbedtls_md_init(&md);
	ret = mbedtls_md_setup(&md, mbedtls_md_info_from_type(prf), 1);
	if (ret == 0)
		ret = mbedtls_pkcs5_pbkdf2_hmac(
		    &md, (const unsigned char *)password, strlen(password),
		    salt, saltlen, (unsigned int)iterations, (uint32_t)keylen,
		    key);
	mbedtls_md_free(&md);
	if (ret != 0)
		return mbed_err(err, errlen, "PBKDF2 failed", ret);
	return 0;
}

/* PBES2 (RFC 8018): params is the content of the PBES2-params SEQUENCE. */
static int
pbes2_decrypt(const mbedtls_asn1_buf *params, const char *password,
	      const unsigned char *in, size_t inlen, unsigned char *out,
	      size_t *outlen, char *err, size_t errlen)
{
	unsigned char *p = params->p, *end = params->p + params->len;
	mbedtls_asn1_buf kdf_oid, kdf_params, enc_oid, enc_params;
	mbedtls_cipher_type_t cipher;
	unsigned char key[32];
	size_t keylen;
	int ret;

	if (mbedtls_asn1_get_alg(&p, end, &kdf_oid, &kdf_params) != 0 ||
	    mbedtls_asn1_get_alg(&p, end, &enc_oid, &enc_params) != 0)
		return pkcs_fail(err, errlen, "malformed PBES2 parameters");
	if (!OID_IS(&kdf_oid, MBEDTLS_OID_PKCS5_PBKDF2) ||
	    kdf_params.tag != TAG_SEQ)
		return pkcs_fail(
		    err, errlen,
		    "unsupported PBES2 key derivation (only PBKDF2)");
	if (pbes2_cipher(&enc_oid, &cipher, &keylen) != 0)
		return pkcs_fail(
		    err, errlen,
		    "unsupported PBES2 cipher (AES-CBC or 3DES only)");
	if (enc_params.tag != MBEDTLS_ASN1_OCTET_STRING)
		return pkcs_fail(err, errlen,
				 "malformed PBES2 cipher parameters");
	ret = pbkdf2_derive(&kdf_params, password, keylen, key, err, errlen);
	if (ret == 0)
		ret = cbc_decrypt(cipher, key, enc_params.p, enc_params.len, in,
				  inlen, out, outlen, err, errlen);
	mbedtls_platform_zeroize(key, sizeof(key));
	return ret;
}

/* The PKCS#12 PBE (RFC 7292 appendix C): SHA-1 KDF, 3DES or RC2. */
static int
p12_pbe_decrypt(const mbedtls_asn1_buf *oid, const mbedtls_asn1_buf *params,
		const char *password, const unsigned char *in, size_t inlen,
		unsigned char *out, size_t *outlen, char *err, size_t errlen)
{
	unsigned char *p = params->p, *end = params->p + params->len;
	unsigned char bmp[2 * MAX_PASSWORD + 2], key[24], iv[8], *salt;
	size_t saltlen, bmplen, keylen = 24;
	bool rc2 = false;
	mbedtls_cipher_type_t cipher = MBEDTLS_CIPHER_DES_EDE3_CBC;
	int iterations, ret = -1;

	if (OID_IS(oid, OID_P12_2DES)) {
		keylen = 16;
		cipher = MBEDTLS_CIPHER_DES_EDE_CBC;
	} else if (OID_IS(oid, OID_P12_RC2_128)) {
		keylen = 16;
		rc2 = true;
	} else if (OID_IS(oid, OID_P12_RC2_40)) {
		keylen = 5;
		rc2 = true;
	}
	if (params->tag != TAG_SEQ ||
	    mbedtls_asn1_get_tag(&p, end, &saltlen,
				 MBEDTLS_ASN1_OCTET_STRING) != 0 ||
	    saltlen == 0 || saltlen > MAX_SALT)
		return pkcs_fail(err, errlen,
				 "malformed PKCS#12 PBE parameters");
	salt = p;
	p += saltlen;
	if (pkcs_get_count(&p, end, MAX_ITERATIONS, &iterations) != 0)
		return pkcs_fail(err, errlen,
				 "PBE iteration count out of range");
	bmplen = pkcs_kdf_bmp_password(password, bmp, sizeof(bmp));
	if (bmplen == 0)
		return pkcs_fail(err, errlen, "password too long or not UTF-8");
	if (pkcs_kdf_p12(MBEDTLS_MD_SHA1, bmp, bmplen, salt, saltlen,
			 P12_ID_KEY, iterations, key, keylen) != 0 ||
	    pkcs_kdf_p12(MBEDTLS_MD_SHA1, bmp, bmplen, salt, saltlen, P12_ID_IV,
			 iterations, iv, sizeof(iv)) != 0) {
		pkcs_fail(err, errlen, "PKCS#12 key derivation failed");
	} else if (rc2) {
		ret = pkcs_rc2_cbc_decrypt(key, keylen, iv, in, inlen, out,
					   outlen);
		if (ret != 0 || !pkcs_is_one_sequence(out, *outlen))
			ret = pkcs_fail(err, errlen, "wrong password");
	} else {
		ret = cbc_decrypt(cipher, key, iv, sizeof(iv), in, inlen, out,
				  outlen, err, errlen);
	}
	mbedtls_platform_zeroize(bmp, sizeof(bmp));
	mbedtls_platform_zeroize(key, sizeof(key));
	return ret;
}

/*
 * Decrypts in (inlen bytes) by the algorithm oid/params into a new buffer
 * *out (the caller wipes and frees it).
 */
int
pkcs_pbe_decrypt(const mbedtls_asn1_buf *oid, const mbedtls_asn1_buf *params,
		 const char *password, const unsigned char *in, size_t inlen,
		 unsigned char **out, size_t *outlen, char *err, size_t errlen)
{
	char name[64];
	int ret;

	*out = NULL;
	*outlen = 0;
	if (inlen == 0 || inlen > PKCS_MAX_FILE)
		return pkcs_fail(err, errlen,
				 "encrypted data is empty or too big");
	if (OID_IS(oid, MBEDTLS_OID_PKCS5_PBES2)) {
		if (params->tag != TAG_SEQ)
			return pkcs_fail(err, errlen,
					 "malformed PBES2 parameters");
	} else if (!OID_IS(oid, OID_P12_3DES) && !OID_IS(oid, OID_P12_2DES) &&
		   !OID_IS(oid, OID_P12_RC2_40) &&
		   !OID_IS(oid, OID_P12_RC2_128)) {
		if (mbedtls_oid_get_numeric_string(name, sizeof(name), oid) < 0)
			snprintf(name, sizeof(name), "?");
		if (err != NULL && errlen > 0)
			snprintf(err, errlen,
				 "unsupported encryption algorithm %s (use "
				 "PBES2 with AES-CBC)",
				 name);
		return -1;
	}
	*out = malloc(inlen + 16);
	if (*out == NULL)
		return pkcs_fail(err, errlen, "out of memory");
	if (OID_IS(oid, MBEDTLS_OID_PKCS5_PBES2))
		ret = pbes2_decrypt(params, password, in, inlen, *out, outlen,
				    err, errlen);
	else
		ret = p12_pbe_decrypt(oid, params, password, in, inlen, *out,
				      outlen, err, errlen);
	if (ret != 0) {
		pkcs_wipe_free(*out, inlen + 16);
		*out = NULL;
		*outlen = 0;
	}
	return ret;
}

int
pkcs_decrypt_epki(const unsigned char *der, size_t len, const char *password,
		  unsigned char **out, size_t *outlen, char *err, size_t errlen)
{
	unsigned char *p = (unsigned char *)der,
		      *end = (unsigned char *)der + len;
	mbedtls_asn1_buf oid, params;
	size_t l;

	*out = NULL;
	*outlen = 0;
	if (len > PKCS_MAX_FILE ||
	    mbedtls_asn1_get_tag(&p, end, &l, TAG_SEQ) != 0 || p + l != end ||
	    mbedtls_asn1_get_alg(&p, end, &oid, &params) != 0 ||
	    mbedtls_asn1_get_tag(&p, end, &l, MBEDTLS_ASN1_OCTET_STRING) != 0 ||
	    p + l != end)
		return pkcs_fail(err, errlen,
				 "not a valid encrypted PKCS#8 private key");
	return pkcs_pbe_decrypt(&oid, &params, password, p, l, out, outlen, err,
				errlen);
}
