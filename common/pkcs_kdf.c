/*
 * pkcs_kdf: the PKCS#12 password encoding (BMPString) and key derivation
 * (RFC 7292 appendix B), for the PKCS#12 PBE and the PKCS#12 MAC.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/md.h>
#include <mbedtls/platform_util.h>

#include "pkcs_int.h"

/* The password as a PKCS#12 BMPString: UTF-16BE with a trailing 0x0000.
 * Returns its length, or 0 for a password outside the BMP or too long. */
size_t
pkcs_kdf_bmp_password(const char *pw, unsigned char *out, size_t outlen)
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
 * The next I (step 6 of RFC 7292 B.2): B is the hash output a (u bytes)
 * repeated to v bytes, and I_j = (I_j + B + 1) mod 2^(8v) for each v-byte
 * block of i_buf.
 */
static void
p12_kdf_next_i(unsigned char *i_buf, size_t ilen, const unsigned char *a,
	       size_t u, size_t v)
{
	unsigned char b[128];

	for (size_t k = 0; k < v; k++)
		b[k] = a[k % u];
	for (size_t j = 0; j < ilen; j += v) {
		unsigned int carry = 1;
		for (size_t k = v; k-- > 0;) {
			carry += (unsigned int)i_buf[j + k] + b[k];
			i_buf[j + k] = (unsigned char)carry;
			carry >>= 8;
		}
	}
	mbedtls_platform_zeroize(b, sizeof(b));
}

/*
 * The PKCS#12 key derivation (RFC 7292 appendix B). mbedTLS 2.28 has one,
 * but it refuses passwords over 31 characters.
 */
int
pkcs_kdf_p12(mbedtls_md_type_t md_type, const unsigned char *pw, size_t pwlen,
	     const unsigned char *salt, size_t saltlen, int id, int iterations,
	     unsigned char *out, size_t outlen)
{
	const mbedtls_md_info_t *info = mbedtls_md_info_from_type(md_type);
	unsigned char d[128], i_buf[1024], a[64];
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
		p12_kdf_next_i(i_buf, ilen, a, u, v);
	}
	ret = 0;
out:
	mbedtls_md_free(&md);
	mbedtls_platform_zeroize(i_buf, sizeof(i_buf));
	mbedtls_platform_zeroize(a, sizeof(a));
	return ret;
}
