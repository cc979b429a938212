/*
 * pkcs: encrypted private keys (PKCS#8, PBES2 and the PKCS#12 PBE) and
 * PKCS#12 containers, parsed with bounds on mbedTLS 2.28 primitives.
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
#include <mbedtls/cipher.h>
#include <mbedtls/error.h>
#include <mbedtls/md.h>
#include <mbedtls/oid.h>
#include <mbedtls/pem.h>
#include <mbedtls/pkcs5.h>
#include <mbedtls/platform_util.h>

#define MAX_ITERATIONS 10000000
#define MAX_PASSWORD   256 /* bytes of UTF-8 */
#define MAX_SALT       256
#define MAX_CONTENTS   16 /* ContentInfos in an AuthenticatedSafe */
#define MAX_BAGS       64 /* SafeBags in all */
#define MAX_CERTS      16

#define OID_PKCS7_DATA	   MBEDTLS_OID_PKCS "\x07\x01"
#define OID_PKCS7_ENC_DATA MBEDTLS_OID_PKCS "\x07\x06"
#define OID_BAG		   MBEDTLS_OID_PKCS12 "\x0a\x01"
#define OID_KEY_BAG	   OID_BAG "\x01"
#define OID_SHROUDED_BAG   OID_BAG "\x02"
#define OID_CERT_BAG	   OID_BAG "\x03"
#define OID_X509_CERT	   MBEDTLS_OID_PKCS9 "\x16\x01"
#define OID_P12_3DES	   MBEDTLS_OID_PKCS12_PBE "\x03"
#define OID_P12_2DES	   MBEDTLS_OID_PKCS12_PBE "\x04"
#define OID_P12_RC2_128	   MBEDTLS_OID_PKCS12_PBE "\x05"
#define OID_P12_RC2_40	   MBEDTLS_OID_PKCS12_PBE "\x06"
#define OID_AES128_CBC	   MBEDTLS_OID_AES "\x02"
#define OID_AES192_CBC	   MBEDTLS_OID_AES "\x16"
#define OID_AES256_CBC	   MBEDTLS_OID_AES "\x2a"

#define P12_ID_KEY 1
#define P12_ID_IV  2
#define P12_ID_MAC 3

#define TAG_SEQ	 (MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE)
#define TAG_SET	 (MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SET)
#define TAG_EXP0 (MBEDTLS_ASN1_CONTEXT_SPECIFIC | MBEDTLS_ASN1_CONSTRUCTED)
#define TAG_IMP0 (MBEDTLS_ASN1_CONTEXT_SPECIFIC)

#define OID_IS(buf, oid)                                                       \
	((buf)->len == MBEDTLS_OID_SIZE(oid) &&                                \
	 memcmp((buf)->p, (oid), (buf)->len) == 0)

static int
fail(char *err, size_t errlen, const char *msg)
{
	if (err != NULL && errlen > 0)
		snprintf(err, errlen, "%s", msg);
	return -1;
}

static int
fail_mbed(char *err, size_t errlen, const char *what, int ret)
{
	char buf[128];

	mbedtls_strerror(ret, buf, sizeof(buf));
	if (err != NULL && errlen > 0)
		snprintf(err, errlen, "%s: %s (-0x%04X)", what, buf,
			 (unsigned int)-ret);
	return -1;
}

static void
wipe_free(unsigned char *p, size_t len)
{
	if (p != NULL) {
		mbedtls_platform_zeroize(p, len);
		free(p);
	}
}

/* Reads an INTEGER that must lie in [1, max]. */
static int
get_count(unsigned char **p, const unsigned char *end, int max, int *out)
{
	if (mbedtls_asn1_get_int(p, end, out) != 0 || *out < 1 || *out > max)
		return -1;
	return 0;
}

/* Is buf (len bytes) exactly one DER SEQUENCE? Decrypted plaintexts are,
 * so this catches a wrong password that happened to leave valid padding. */
static bool
is_one_sequence(const unsigned char *buf, size_t len)
{
	unsigned char *p = (unsigned char *)buf;
	size_t l;

	return mbedtls_asn1_get_tag(&p, buf + len, &l, TAG_SEQ) == 0 &&
	       p + l == buf + len;
}

/* The password as a PKCS#12 BMPString: UTF-16BE with a trailing 0x0000.
 * Returns its length, or 0 for a password outside the BMP or too long. */
static size_t
bmp_password(const char *pw, unsigned char *out, size_t outlen)
{
	size_t n = 0;
	const unsigned char *s = (const unsigned char *)(pw ? pw : "");

	while (*s != '\0') {
		uint32_t c;
		if (s[0] < 0x80) {
			c = s[0];
			s += 1;
		} else if ((s[0] & 0xe0) == 0xc0 && (s[1] & 0xc0) == 0x80) {
			c = ((uint32_t)(s[0] & 0x1f) << 6) | (s[1] & 0x3f);
			s += 2;
		} else if ((s[0] & 0xf0) == 0xe0 && (s[1] & 0xc0) == 0x80 &&
			   (s[2] & 0xc0) == 0x80) {
			c = ((uint32_t)(s[0] & 0x0f) << 12) |
			    ((uint32_t)(s[1] & 0x3f) << 6) | (s[2] & 0x3f);
			s += 3;
		} else {
			return 0;
		}
		if (n + 4 > outlen)
			return 0;
		out[n++] = (unsigned char)(c >> 8);
		out[n++] = (unsigned char)c;
	}
	out[n++] = 0;
	out[n++] = 0;
	return n;
}

/*
 * The PKCS#12 key derivation (RFC 7292 appendix B). mbedTLS 2.28 has one,
 * but it refuses passwords over 31 characters.
 */
static int
p12_kdf(mbedtls_md_type_t md_type, const unsigned char *pw, size_t pwlen,
	const unsigned char *salt, size_t saltlen, int id, int iterations,
	unsigned char *out, size_t outlen)
{
	const mbedtls_md_info_t *info = mbedtls_md_info_from_type(md_type);
	unsigned char d[128], i_buf[1024], a[64], b[128];
	size_t v, u, slen, plen, ilen;
	mbedtls_md_context_t md;
	int ret = -1;

	if (info == NULL)
		return -1;
	u = mbedtls_md_get_size(info);
	v = (md_type == MBEDTLS_MD_SHA384 || md_type == MBEDTLS_MD_SHA512) ? 128
									   : 64;
	slen = v * ((saltlen + v - 1) / v);
	plen = v * ((pwlen + v - 1) / v);
	ilen = slen + plen;
	if (ilen > sizeof(i_buf) || u > sizeof(a) || iterations < 1)
		return -1;
	memset(d, id, v);
	for (size_t k = 0; k < slen; k++)
		i_buf[k] = salt[k % saltlen];
	for (size_t k = 0; k < plen; k++)
		i_buf[slen + k] = pw[k % pwlen];
	mbedtls_md_init(&md);
	if (mbedtls_md_setup(&md, info, 0) != 0)
		goto out;
	while (outlen > 0) {
		if (mbedtls_md_starts(&md) != 0 ||
		    mbedtls_md_update(&md, d, v) != 0 ||
		    mbedtls_md_update(&md, i_buf, ilen) != 0 ||
		    mbedtls_md_finish(&md, a) != 0)
			goto out;
		for (int it = 1; it < iterations; it++)
			if (mbedtls_md(info, a, u, a) != 0)
				goto out;
		size_t take = outlen < u ? outlen : u;
		memcpy(out, a, take);
		out += take;
		outlen -= take;
		if (outlen == 0)
			break;
		for (size_t k = 0; k < v; k++)
			b[k] = a[k % u];
		/* I_j = (I_j + B + 1) mod 2^(8v) for each v-byte block */
		for (size_t j = 0; j < ilen; j += v) {
			unsigned int carry = 1;
			for (size_t k = v; k-- > 0;) {
				carry += (unsigned int)i_buf[j + k] + b[k];
				i_buf[j + k] = (unsigned char)carry;
				carry >>= 8;
			}
		}
	}
	ret = 0;
out:
	mbedtls_md_free(&md);
	mbedtls_platform_zeroize(i_buf, sizeof(i_buf));
	mbedtls_platform_zeroize(a, sizeof(a));
	mbedtls_platform_zeroize(b, sizeof(b));
	return ret;
}

/*
 * RC2 (RFC 2268) in CBC mode, decryption only: OpenSSL's "-legacy"
 * PKCS#12 encrypts its certificates with 40-bit RC2, which mbedTLS lacks.
 */
static const unsigned char rc2_pitable[256] = {
    217, 120, 249, 196, 25,  221, 181, 237, 40,	 233, 253, 121, 74,  160, 216,
    157, 198, 126, 55,	131, 43,  118, 83,  142, 98,  76,  100, 136, 68,  139,
    251, 162, 23,  154, 89,  245, 135, 179, 79,	 19,  97,  69,	109, 141, 9,
    129, 125, 50,  189, 143, 64,  235, 134, 183, 123, 11,  240, 149, 33,  34,
    92,	 107, 78,  130, 84,  214, 101, 147, 206, 96,  178, 28,	115, 86,  192,
    20,	 167, 140, 241, 220, 18,  117, 202, 31,	 59,  190, 228, 209, 66,  61,
    212, 48,  163, 60,	182, 38,  111, 191, 14,	 218, 70,  105, 7,   87,  39,
    242, 29,  155, 188, 148, 67,  3,   248, 17,	 199, 246, 144, 239, 62,  231,
    6,	 195, 213, 47,	200, 102, 30,  215, 8,	 232, 234, 222, 128, 82,  238,
    247, 132, 170, 114, 172, 53,  77,  106, 42,	 150, 26,  210, 113, 90,  21,
    73,	 116, 75,  159, 208, 94,  4,   24,  164, 236, 194, 224, 65,  110, 15,
    81,	 203, 204, 36,	145, 175, 80,  161, 244, 112, 57,  153, 124, 58,  133,
    35,	 184, 180, 122, 252, 2,	  54,  91,  37,	 85,  151, 49,	45,  93,  250,
    152, 227, 138, 146, 174, 5,	  223, 41,  16,	 103, 108, 186, 201, 211, 0,
    230, 207, 225, 158, 168, 44,  99,  22,  1,	 63,  88,  226, 137, 169, 13,
    56,	 52,  27,  171, 51,  255, 176, 187, 72,	 12,  95,  185, 177, 205, 46,
    197, 243, 219, 71,	229, 165, 156, 119, 10,	 166, 32,  104, 254, 127, 193,
    173,
};

static void
rc2_expand(const unsigned char *key, size_t keylen, unsigned int bits,
	   uint16_t k[64])
{
	unsigned char l[128];
	size_t t8 = (bits + 7) / 8;
	unsigned int tm = 0xffu >> (8 * t8 - bits);

	memcpy(l, key, keylen);
	for (size_t i = keylen; i < 128; i++)
		l[i] = rc2_pitable[(l[i - 1] + l[i - keylen]) & 0xff];
	l[128 - t8] = rc2_pitable[l[128 - t8] & tm];
	for (size_t i = 128 - t8; i-- > 0;)
		l[i] = rc2_pitable[l[i + 1] ^ l[i + t8]];
	for (int i = 0; i < 64; i++)
		k[i] = (uint16_t)(l[2 * i] | (l[2 * i + 1] << 8));
	mbedtls_platform_zeroize(l, sizeof(l));
}

static uint16_t
ror16(uint16_t x, int n)
{
	return (uint16_t)((x >> n) | (x << (16 - n)));
}

static void
rc2_decrypt_block(const uint16_t k[64], unsigned char blk[8])
{
	static const int rot[4] = {1, 2, 3, 5};
	uint16_t r[4];
	int j = 63;

	for (int i = 0; i < 4; i++)
		r[i] = (uint16_t)(blk[2 * i] | (blk[2 * i + 1] << 8));
	for (int round = 16; round-- > 0;) {
		for (int i = 4; i-- > 0;) {
			r[i] = ror16(r[i], rot[i]);
			r[i] = (uint16_t)(r[i] - k[j] -
					  (r[(i + 3) & 3] & r[(i + 2) & 3]) -
					  ((uint16_t)~r[(i + 3) & 3] &
					   r[(i + 1) & 3]));
			j--;
		}
		if (round == 5 || round == 11)
			for (int i = 4; i-- > 0;)
				r[i] =
				    (uint16_t)(r[i] - k[r[(i + 3) & 3] & 63]);
	}
	for (int i = 0; i < 4; i++) {
		blk[2 * i] = (unsigned char)r[i];
		blk[2 * i + 1] = (unsigned char)(r[i] >> 8);
	}
}

/* Returns 0, or -1 for bad length or padding. */
static int
rc2_cbc_decrypt(const unsigned char *key, size_t keylen,
		const unsigned char iv[8], const unsigned char *in,
		size_t inlen, unsigned char *out, size_t *outlen)
{
	uint16_t k[64];
	unsigned char prev[8], blk[8];
	size_t pad;

	if (inlen == 0 || inlen % 8 != 0)
		return -1;
	rc2_expand(key, keylen, (unsigned int)keylen * 8, k);
	memcpy(prev, iv, 8);
	for (size_t off = 0; off < inlen; off += 8) {
		memcpy(blk, in + off, 8);
		rc2_decrypt_block(k, blk);
		for (int i = 0; i < 8; i++)
			out[off + i] = blk[i] ^ prev[i];
		memcpy(prev, in + off, 8);
	}
	mbedtls_platform_zeroize(k, sizeof(k));
	pad = out[inlen - 1];
	if (pad == 0 || pad > 8)
		return -1;
	for (size_t i = 0; i < pad; i++)
		if (out[inlen - 1 - i] != pad)
			return -1;
	*outlen = inlen - pad;
	return 0;
}

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
		return fail(err, errlen, "cipher not available in mbedTLS");
	if (inlen == 0 || inlen % info->block_size != 0 ||
	    ivlen != info->iv_size)
		return fail(err, errlen, "encrypted data is corrupt");
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
	    (ret == 0 && !is_one_sequence(out, *outlen)))
		return fail(err, errlen, "wrong password");
	if (ret != 0)
		return fail_mbed(err, errlen, "decryption failed", ret);
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
		return fail(err, errlen, "malformed PBKDF2 salt");
	salt = p;
	p += saltlen;
	if (get_count(&p, end, MAX_ITERATIONS, &iterations) != 0)
		return fail(err, errlen, "PBKDF2 iteration count out of range");
	if (p < end && *p == MBEDTLS_ASN1_INTEGER) {
		int kl;
		if (mbedtls_asn1_get_int(&p, end, &kl) != 0 ||
		    (size_t)kl != keylen)
			return fail(err, errlen, "PBKDF2 key length mismatch");
	}
	if (p < end &&
	    (mbedtls_asn1_get_alg(&p, end, &prf_oid, &prf_params) != 0 ||
	     mbedtls_oid_get_md_hmac(&prf_oid, &prf) != 0))
		return fail(err, errlen, "unsupported PBKDF2 PRF");
	if (p != end)
		return fail(err, errlen, "malformed PBKDF2 parameters");
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
		return fail_mbed(err, errlen, "PBKDF2 failed", ret);
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
		return fail(err, errlen, "malformed PBES2 parameters");
	if (!OID_IS(&kdf_oid, MBEDTLS_OID_PKCS5_PBKDF2) ||
	    kdf_params.tag != TAG_SEQ)
		return fail(err, errlen,
			    "unsupported PBES2 key derivation (only PBKDF2)");
	if (pbes2_cipher(&enc_oid, &cipher, &keylen) != 0)
		return fail(err, errlen,
			    "unsupported PBES2 cipher (AES-CBC or 3DES only)");
	if (enc_params.tag != MBEDTLS_ASN1_OCTET_STRING)
		return fail(err, errlen, "malformed PBES2 cipher parameters");
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
		return fail(err, errlen, "malformed PKCS#12 PBE parameters");
	salt = p;
	p += saltlen;
	if (get_count(&p, end, MAX_ITERATIONS, &iterations) != 0)
		return fail(err, errlen, "PBE iteration count out of range");
	bmplen = bmp_password(password, bmp, sizeof(bmp));
	if (bmplen == 0)
		return fail(err, errlen, "password too long or not UTF-8");
	if (p12_kdf(MBEDTLS_MD_SHA1, bmp, bmplen, salt, saltlen, P12_ID_KEY,
		    iterations, key, keylen) != 0 ||
	    p12_kdf(MBEDTLS_MD_SHA1, bmp, bmplen, salt, saltlen, P12_ID_IV,
		    iterations, iv, sizeof(iv)) != 0) {
		fail(err, errlen, "PKCS#12 key derivation failed");
	} else if (rc2) {
		ret = rc2_cbc_decrypt(key, keylen, iv, in, inlen, out, outlen);
		if (ret != 0 || !is_one_sequence(out, *outlen))
			ret = fail(err, errlen, "wrong password");
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
static int
pbe_decrypt(const mbedtls_asn1_buf *oid, const mbedtls_asn1_buf *params,
	    const char *password, const unsigned char *in, size_t inlen,
	    unsigned char **out, size_t *outlen, char *err, size_t errlen)
{
	char name[64];
	int ret;

	*out = NULL;
	*outlen = 0;
	if (inlen == 0 || inlen > PKCS_MAX_FILE)
		return fail(err, errlen, "encrypted data is empty or too big");
	if (OID_IS(oid, MBEDTLS_OID_PKCS5_PBES2)) {
		if (params->tag != TAG_SEQ)
			return fail(err, errlen, "malformed PBES2 parameters");
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
		return fail(err, errlen, "out of memory");
	if (OID_IS(oid, MBEDTLS_OID_PKCS5_PBES2))
		ret = pbes2_decrypt(params, password, in, inlen, *out, outlen,
				    err, errlen);
	else
		ret = p12_pbe_decrypt(oid, params, password, in, inlen, *out,
				      outlen, err, errlen);
	if (ret != 0) {
		wipe_free(*out, inlen + 16);
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
		return fail(err, errlen,
			    "not a valid encrypted PKCS#8 private key");
	return pbe_decrypt(&oid, &params, password, p, l, out, outlen, err,
			   errlen);
}

/* Parses a plain DER key (PKCS#8, PKCS#1 or SEC1) into pk. */
static int
parse_plain_der(mbedtls_pk_context *pk, const unsigned char *der, size_t len,
		char *err, size_t errlen)
{
	int ret = mbedtls_pk_parse_key(pk, der, len, NULL, 0);

	if (ret != 0) {
		mbedtls_pk_free(pk);
		mbedtls_pk_init(pk);
		return fail_mbed(err, errlen, "not a usable private key", ret);
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
		return fail(err, errlen,
			    "the key is encrypted and no password is set");
	ret = pkcs_decrypt_epki(der, len, password, &plain, &plen, err, errlen);
	if (ret == 0)
		ret = parse_plain_der(pk, plain, plen, err, errlen);
	wipe_free(plain, plen);
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
		return fail(err, errlen, "empty or larger than 1 MiB");
	if (memmem(buf, len, "-----BEGIN", 10) == NULL) {
		if (looks_like_epki(buf, len))
			return parse_epki(pk, buf, len, password, err, errlen);
		return parse_plain_der(pk, buf, len, err, errlen);
	}
	/* PEM: mbedTLS wants a NUL-terminated copy. */
	z = malloc(len + 1);
	if (z == NULL)
		return fail(err, errlen, "out of memory");
	memcpy(z, buf, len);
	z[len] = '\0';
	if (strstr((char *)z, PEM_EPKI_BEGIN) != NULL) {
		ret = mbedtls_pem_read_buffer(&pem, PEM_EPKI_BEGIN,
					      PEM_EPKI_END, z, NULL, 0, &used);
		if (ret != 0)
			ret = fail_mbed(err, errlen, "malformed PEM", ret);
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
		ret = fail(err, errlen,
			   "the key is encrypted and no password is set");
	else if (ret == MBEDTLS_ERR_PK_PASSWORD_MISMATCH)
		ret = fail(err, errlen, "wrong password");
	else if (ret != 0)
		ret = fail_mbed(err, errlen, "not a usable private key", ret);
out:
	mbedtls_pem_free(&pem);
	wipe_free(z, len + 1);
	return ret;
}

/* PKCS#12 (RFC 7292): PFX -> AuthenticatedSafe -> SafeContents -> bags. */
struct p12 {
	const char *password;
	mbedtls_x509_crt certs; /* every certificate, in file order */
	int ncerts;
	mbedtls_pk_context *pk;
	int nkeys;
	int nbags;
	char *err;
	size_t errlen;
};

static int
p12_malformed(struct p12 *st, const char *what)
{
	if (st->err != NULL && st->errlen > 0)
		snprintf(st->err, st->errlen, "malformed PKCS#12 %s", what);
	return -1;
}

static int
p12_key(struct p12 *st, const unsigned char *der, size_t len, bool shrouded)
{
	unsigned char *plain = NULL;
	size_t plen = 0;
	int ret;

	if (st->nkeys++ > 0)
		return fail(st->err, st->errlen,
			    "holds more than one private key");
	if (!shrouded)
		return parse_plain_der(st->pk, der, len, st->err, st->errlen);
	ret = pkcs_decrypt_epki(der, len, st->password, &plain, &plen, st->err,
				st->errlen);
	if (ret == 0)
		ret = parse_plain_der(st->pk, plain, plen, st->err, st->errlen);
	wipe_free(plain, plen);
	return ret;
}

/* CertBag ::= SEQUENCE { certId OID, certValue [0] EXPLICIT OCTET STRING } */
static int
p12_cert(struct p12 *st, unsigned char *p, const unsigned char *end)
{
	mbedtls_asn1_buf oid;
	size_t l;
	int ret;

	if (mbedtls_asn1_get_tag(&p, end, &l, TAG_SEQ) != 0 ||
	    mbedtls_asn1_get_tag(&p, end, &oid.len, MBEDTLS_ASN1_OID) != 0)
		return p12_malformed(st, "certificate bag");
	oid.p = p;
	p += oid.len;
	if (!OID_IS(&oid, OID_X509_CERT))
		return 0; /* SDSI certificates: not ours */
	if (mbedtls_asn1_get_tag(&p, end, &l, TAG_EXP0) != 0 ||
	    mbedtls_asn1_get_tag(&p, end, &l, MBEDTLS_ASN1_OCTET_STRING) != 0)
		return p12_malformed(st, "certificate bag");
	if (st->ncerts >= MAX_CERTS)
		return fail(st->err, st->errlen,
			    "holds more than 16 certificates");
	ret = mbedtls_x509_crt_parse_der(&st->certs, p, l);
	if (ret != 0)
		return fail_mbed(st->err, st->errlen,
				 "holds an unreadable certificate", ret);
	st->ncerts++;
	return 0;
}

/* SafeContents ::= SEQUENCE OF SafeBag { bagId, [0] bagValue, attrs } */
static int
p12_safe_contents(struct p12 *st, unsigned char *p, size_t len)
{
	const unsigned char *end = p + len;
	mbedtls_asn1_buf oid;
	size_t l;
	int ret = 0;

	if (mbedtls_asn1_get_tag(&p, end, &l, TAG_SEQ) != 0 || p + l != end)
		return p12_malformed(st, "safe contents");
	while (p < end && ret == 0) {
		unsigned char *bag_end;
		if (++st->nbags > MAX_BAGS)
			return fail(st->err, st->errlen,
				    "holds more than 64 bags");
		if (mbedtls_asn1_get_tag(&p, end, &l, TAG_SEQ) != 0)
			return p12_malformed(st, "safe bag");
		bag_end = p + l;
		if (mbedtls_asn1_get_tag(&p, bag_end, &oid.len,
					 MBEDTLS_ASN1_OID) != 0)
			return p12_malformed(st, "safe bag");
		oid.p = p;
		p += oid.len;
		if (mbedtls_asn1_get_tag(&p, bag_end, &l, TAG_EXP0) != 0)
			return p12_malformed(st, "safe bag");
		if (OID_IS(&oid, OID_KEY_BAG))
			ret = p12_key(st, p, l, false);
		else if (OID_IS(&oid, OID_SHROUDED_BAG))
			ret = p12_key(st, p, l, true);
		else if (OID_IS(&oid, OID_CERT_BAG))
			ret = p12_cert(st, p, p + l);
		p = bag_end; /* attributes and other bag types: skipped */
	}
	return ret;
}

/* EncryptedData ::= SEQUENCE { version, EncryptedContentInfo SEQUENCE {
 * contentType, contentEncryptionAlgorithm, [0] IMPLICIT OCTET STRING } } */
static int
p12_encrypted(struct p12 *st, unsigned char *p, const unsigned char *end)
{
	mbedtls_asn1_buf oid, params;
	unsigned char *plain = NULL;
	size_t l, plen = 0;
	int version, ret;

	if (mbedtls_asn1_get_tag(&p, end, &l, TAG_SEQ) != 0 ||
	    mbedtls_asn1_get_int(&p, end, &version) != 0 ||
	    mbedtls_asn1_get_tag(&p, end, &l, TAG_SEQ) != 0 ||
	    mbedtls_asn1_get_tag(&p, end, &l, MBEDTLS_ASN1_OID) != 0)
		return p12_malformed(st, "encrypted data");
	p += l;
	if (mbedtls_asn1_get_alg(&p, end, &oid, &params) != 0 ||
	    mbedtls_asn1_get_tag(&p, end, &l, TAG_IMP0) != 0)
		return p12_malformed(st, "encrypted data");
	ret = pbe_decrypt(&oid, &params, st->password, p, l, &plain, &plen,
			  st->err, st->errlen);
	if (ret == 0)
		ret = p12_safe_contents(st, plain, plen);
	wipe_free(plain, plen);
	return ret;
}

/* AuthenticatedSafe ::= SEQUENCE OF ContentInfo */
static int
p12_auth_safe(struct p12 *st, unsigned char *p, size_t len)
{
	const unsigned char *end = p + len;
	mbedtls_asn1_buf oid;
	size_t l;
	int n = 0, ret = 0;

	if (mbedtls_asn1_get_tag(&p, end, &l, TAG_SEQ) != 0 || p + l != end)
		return p12_malformed(st, "authenticated safe");
	while (p < end && ret == 0) {
		unsigned char *ci_end;
		if (++n > MAX_CONTENTS)
			return fail(st->err, st->errlen,
				    "holds more than 16 content infos");
		if (mbedtls_asn1_get_tag(&p, end, &l, TAG_SEQ) != 0)
			return p12_malformed(st, "content info");
		ci_end = p + l;
		if (mbedtls_asn1_get_tag(&p, ci_end, &oid.len,
					 MBEDTLS_ASN1_OID) != 0)
			return p12_malformed(st, "content info");
		oid.p = p;
		p += oid.len;
		if (mbedtls_asn1_get_tag(&p, ci_end, &l, TAG_EXP0) != 0)
			return p12_malformed(st, "content info");
		if (OID_IS(&oid, OID_PKCS7_DATA)) {
			if (mbedtls_asn1_get_tag(
				&p, ci_end, &l, MBEDTLS_ASN1_OCTET_STRING) != 0)
				return p12_malformed(st, "content info");
			ret = p12_safe_contents(st, p, l);
		} else if (OID_IS(&oid, OID_PKCS7_ENC_DATA)) {
			ret = p12_encrypted(st, p, ci_end);
		} else {
			return fail(st->err, st->errlen,
				    "uses public-key privacy mode (enveloped "
				    "data), which is not supported");
		}
		p = ci_end;
	}
	return ret;
}

/* MacData ::= SEQUENCE { DigestInfo, macSalt, iterations DEFAULT 1 } */
static int
p12_verify_mac(struct p12 *st, const unsigned char *data, size_t dlen,
	       unsigned char *p, const unsigned char *end)
{
	unsigned char bmp[2 * MAX_PASSWORD + 2], key[64], mac[64], *digest;
	unsigned char *salt, diff = 0;
	mbedtls_asn1_buf oid, params;
	const mbedtls_md_info_t *info;
	mbedtls_md_type_t md;
	size_t l, dl, sl, bmplen, mdlen;
	int iterations = 1, ret = -1;

	if (mbedtls_asn1_get_tag(&p, end, &l, TAG_SEQ) != 0 ||
	    mbedtls_asn1_get_tag(&p, end, &l, TAG_SEQ) != 0 ||
	    mbedtls_asn1_get_alg(&p, end, &oid, &params) != 0 ||
	    mbedtls_asn1_get_tag(&p, end, &dl, MBEDTLS_ASN1_OCTET_STRING) != 0)
		return p12_malformed(st, "MAC");
	digest = p;
	p += dl;
	if (mbedtls_asn1_get_tag(&p, end, &sl, MBEDTLS_ASN1_OCTET_STRING) !=
		0 ||
	    sl == 0 || sl > MAX_SALT)
		return p12_malformed(st, "MAC salt");
	salt = p;
	p += sl;
	if (p < end && get_count(&p, end, MAX_ITERATIONS, &iterations) != 0)
		return p12_malformed(st, "MAC iteration count");
	if (mbedtls_oid_get_md_alg(&oid, &md) != 0 ||
	    (info = mbedtls_md_info_from_type(md)) == NULL ||
	    md == MBEDTLS_MD_MD5 || md == MBEDTLS_MD_MD2 ||
	    md == MBEDTLS_MD_MD4)
		return fail(st->err, st->errlen, "unsupported MAC algorithm");
	mdlen = mbedtls_md_get_size(info);
	bmplen = bmp_password(st->password, bmp, sizeof(bmp));
	if (bmplen == 0)
		return fail(st->err, st->errlen,
			    "password too long or not UTF-8");
	if (p12_kdf(md, bmp, bmplen, salt, sl, P12_ID_MAC, iterations, key,
		    mdlen) != 0 ||
	    mbedtls_md_hmac(info, key, mdlen, data, dlen, mac) != 0) {
		fail(st->err, st->errlen, "MAC computation failed");
		goto out;
	}
	for (size_t i = 0; i < mdlen && dl == mdlen; i++)
		diff |= mac[i] ^ digest[i];
	if (dl != mdlen || diff != 0)
		fail(st->err, st->errlen,
		     "wrong password (the MAC does not verify)");
	else
		ret = 0;
out:
	mbedtls_platform_zeroize(bmp, sizeof(bmp));
	mbedtls_platform_zeroize(key, sizeof(key));
	return ret;
}

static bool
is_self_signed(const mbedtls_x509_crt *c)
{
	return c->subject_raw.len == c->issuer_raw.len &&
	       memcmp(c->subject_raw.p, c->issuer_raw.p, c->issuer_raw.len) ==
		   0;
}

/* The certificate in certs, other than c itself, that issued c. */
static const mbedtls_x509_crt *
p12_issuer(const mbedtls_x509_crt *certs, const mbedtls_x509_crt *c)
{
	for (const mbedtls_x509_crt *i = certs; i != NULL; i = i->next)
		if (i != c && i->raw.p != NULL &&
		    i->subject_raw.len == c->issuer_raw.len &&
		    memcmp(i->subject_raw.p, c->issuer_raw.p,
			   c->issuer_raw.len) == 0)
			return i;
	return NULL;
}

/*
 * Copies into chain the key's certificate, then its issuers in order up
 * to (not including) a self-signed root; other certificates in the file
 * are not part of the node's chain and are left out.
 */
static int
p12_order_chain(struct p12 *st, mbedtls_x509_crt *chain)
{
	const mbedtls_x509_crt *own = NULL, *cur;
	int ret, n = 0;

	for (const mbedtls_x509_crt *c = &st->certs; c != NULL && own == NULL;
	     c = c->next)
		if (c->raw.p != NULL &&
		    mbedtls_pk_check_pair(&c->pk, st->pk) == 0)
			own = c;
	if (own == NULL)
		return fail(st->err, st->errlen,
			    "holds no certificate for its private key");
	ret = mbedtls_x509_crt_parse_der(chain, own->raw.p, own->raw.len);
	cur = own;
	/* n bounds a loop of certificates that issued each other */
	while (ret == 0 && !is_self_signed(cur) && ++n < MAX_CERTS &&
	       (cur = p12_issuer(&st->certs, cur)) != NULL &&
	       !is_self_signed(cur))
		ret =
		    mbedtls_x509_crt_parse_der(chain, cur->raw.p, cur->raw.len);
	if (ret != 0)
		return fail_mbed(st->err, st->errlen, "certificate copy failed",
				 ret);
	return 0;
}

int
pkcs12_parse(const unsigned char *der, size_t len, const char *password,
	     mbedtls_x509_crt *chain, mbedtls_pk_context *pk, char *err,
	     size_t errlen)
{
	unsigned char *p = (unsigned char *)der, *end = p + len, *as;
	struct p12 st;
	mbedtls_asn1_buf oid;
	size_t l, aslen;
	int version, ret = -1;

	memset(&st, 0, sizeof(st));
	st.password = password != NULL ? password : "";
	st.pk = pk;
	st.err = err;
	st.errlen = errlen;
	mbedtls_x509_crt_init(&st.certs);
	if (len == 0 || len > PKCS_MAX_FILE) {
		fail(err, errlen, "empty or larger than 1 MiB");
		goto out;
	}
	if (mbedtls_asn1_get_tag(&p, end, &l, TAG_SEQ) != 0 || p + l != end ||
	    mbedtls_asn1_get_int(&p, end, &version) != 0 || version != 3 ||
	    mbedtls_asn1_get_tag(&p, end, &l, TAG_SEQ) != 0 ||
	    mbedtls_asn1_get_tag(&p, end, &oid.len, MBEDTLS_ASN1_OID) != 0) {
		fail(err, errlen, "not a PKCS#12 file (no PFX structure)");
		goto out;
	}
	oid.p = p;
	p += oid.len;
	if (!OID_IS(&oid, OID_PKCS7_DATA)) {
		fail(err, errlen,
		     "uses public-key integrity mode, which is "
		     "not supported");
		goto out;
	}
	if (mbedtls_asn1_get_tag(&p, end, &l, TAG_EXP0) != 0 ||
	    mbedtls_asn1_get_tag(&p, end, &aslen, MBEDTLS_ASN1_OCTET_STRING) !=
		0) {
		p12_malformed(&st, "authenticated safe");
		goto out;
	}
	as = p;
	p += aslen;
	if (p < end && p12_verify_mac(&st, as, aslen, p, end) != 0)
		goto out;
	if (p12_auth_safe(&st, as, aslen) != 0)
		goto out;
	if (st.nkeys == 0)
		fail(err, errlen, "holds no private key");
	else if (st.ncerts == 0)
		fail(err, errlen, "holds no certificate");
	else
		ret = p12_order_chain(&st, chain);
out:
	mbedtls_x509_crt_free(&st.certs);
	return ret;
}
