/*
 * pkcs_rc2: RC2 (RFC 2268) in CBC mode, decryption only: OpenSSL's
 * "-legacy" PKCS#12 encrypts its certificates with 40-bit RC2, which
 * mbedTLS lacks.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/platform_util.h>

#include "pkcs_int.h"

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
int
pkcs_rc2_cbc_decrypt(const unsigned char *key, size_t keylen,
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
