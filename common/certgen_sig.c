/*
 * certgen_sig: the ECDSA signature AlgorithmIdentifier without parameters.
 *
 * RFC 5758 section 3.2: for ecdsa-with-SHA256 (and the other
 * ecdsa-with-SHA2 OIDs) "the encoding MUST omit the parameters field". The
 * x509write of mbedTLS 2.28 always writes a NULL there, in the signature
 * field of tbsCertificate and in signatureAlgorithm, which strict
 * verifiers refuse and pyca/cryptography warns about. So a certificate
 * signed with an EC key is taken apart here: the TBS gets the identifier
 * without the NULL, is signed again with the issuer's key, and the
 * certificate is put together again. RSA identifiers keep their NULL (RFC
 * 4055 wants it there).
 */
#include <string.h>

#include <mbedtls/asn1.h>
#include <mbedtls/md.h>
#include <mbedtls/oid.h>
#include <mbedtls/pk.h>

#include "certgen.h"
#include "certgen_int.h"

/* The identifier of ecdsa-with-SHA256 (1.2.840.10045.4.3.2) without
 * parameters, as DER. */
static const unsigned char algid_der[] = {0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86,
					  0x48, 0xce, 0x3d, 0x04, 0x03, 0x02};

/* Writes a DER tag and length at out (room checked); returns bytes. */
static size_t
put_head(unsigned char *out, size_t cap, unsigned char tag, size_t len)
{
	unsigned char h[6];
	size_t n = 0;

	h[n++] = tag;
	if (len < 0x80) {
		h[n++] = (unsigned char)len;
	} else if (len < 0x100) {
		h[n++] = 0x81;
		h[n++] = (unsigned char)len;
	} else if (len < 0x10000) {
		h[n++] = 0x82;
		h[n++] = (unsigned char)(len >> 8);
		h[n++] = (unsigned char)len;
	} else {
		h[n++] = 0x83;
		h[n++] = (unsigned char)(len >> 16);
		h[n++] = (unsigned char)(len >> 8);
		h[n++] = (unsigned char)len;
	}
	if (n > cap)
		return 0;
	memcpy(out, h, n);
	return n;
}

/* Is [p, p + len) the ecdsa-with-SHA256 identifier with a NULL? */
static bool
is_ecdsa_with_null(const unsigned char *p, size_t len)
{
	static const unsigned char with_null[] = {0x30, 0x0c, 0x06, 0x08, 0x2a,
						  0x86, 0x48, 0xce, 0x3d, 0x04,
						  0x03, 0x02, 0x05, 0x00};

	return len == sizeof(with_null) &&
	       memcmp(p, with_null, sizeof(with_null)) == 0;
}

/* The offsets of the parts of a certificate, from mbedTLS's own output. */
struct cert_parts {
	const unsigned char *tbs_body; /* inside the TBS SEQUENCE */
	size_t tbs_body_len;
	size_t before_alg; /* bytes of version and serial */
	size_t alg_len;	   /* the signature AlgorithmIdentifier */
};

static int
split(const unsigned char *der, size_t len, struct cert_parts *cp)
{
	unsigned char *p = (unsigned char *)der, *end = p + len, *tbs_end;
	size_t l;

	if (mbedtls_asn1_get_tag(&p, end, &l, 0x30) != 0 || p + l != end)
		return -1;
	if (mbedtls_asn1_get_tag(&p, end, &l, 0x30) != 0)
		return -1;
	cp->tbs_body = p;
	cp->tbs_body_len = l;
	tbs_end = p + l;
	/* [0] version */
	if (p < tbs_end && *p == 0xa0) {
		p++;
		if (mbedtls_asn1_get_len(&p, tbs_end, &l) != 0)
			return -1;
		p += l;
	}
	/* serialNumber */
	if (mbedtls_asn1_get_tag(&p, tbs_end, &l, MBEDTLS_ASN1_INTEGER) != 0)
		return -1;
	p += l;
	cp->before_alg = (size_t)(p - cp->tbs_body);
	{
		unsigned char *a = p;

		if (mbedtls_asn1_get_tag(&p, tbs_end, &l, 0x30) != 0)
			return -1;
		p += l;
		cp->alg_len = (size_t)(p - a);
	}
	return 0;
}

int
certgen_ecdsa_rewrite(const unsigned char *der, size_t len,
		      mbedtls_pk_context *issuer_key,
		      int (*f_rng)(void *, unsigned char *, size_t),
		      void *p_rng, unsigned char *out, size_t cap,
		      size_t *out_len, char *err, size_t errlen)
{
	unsigned char hash[32], sig[MBEDTLS_PK_SIGNATURE_MAX_SIZE];
	const mbedtls_md_info_t *md =
	    mbedtls_md_info_from_type(MBEDTLS_MD_SHA256);
	struct cert_parts cp;
	size_t tbs_len, sig_len = 0, n = 0, h, body;
	unsigned char *tbs;
	int ret;

	if (split(der, len, &cp) != 0) {
		errbuf_set(err, errlen, "re-encoding the certificate: not DER");
		return -1;
	}
	if (!is_ecdsa_with_null(cp.tbs_body + cp.before_alg, cp.alg_len)) {
		/* not ours to change (RSA, or already without NULL) */
		if (len > cap) {
			errbuf_set(err, errlen, "certificate too large");
			return -1;
		}
		memcpy(out, der, len);
		*out_len = len;
		return 0;
	}
	/* The new TBS, after room for the outer SEQUENCE's head (at most 4
	 * bytes). */
	body = cp.tbs_body_len - 2;
	tbs = out + 4;
	h = put_head(tbs, cap - 4, 0x30, body);
	if (h == 0 || 4 + h + body > cap)
		goto too_large;
	memcpy(tbs + h, cp.tbs_body, cp.before_alg);
	memcpy(tbs + h + cp.before_alg, algid_der, sizeof(algid_der));
	memcpy(tbs + h + cp.before_alg + sizeof(algid_der),
	       cp.tbs_body + cp.before_alg + cp.alg_len,
	       cp.tbs_body_len - cp.before_alg - cp.alg_len);
	tbs_len = h + body;
	ret = mbedtls_md(md, tbs, tbs_len, hash);
	if (ret == 0)
		ret =
		    mbedtls_pk_sign(issuer_key, MBEDTLS_MD_SHA256, hash,
				    sizeof(hash), sig, &sig_len, f_rng, p_rng);
	if (ret != 0) {
		mbed_err(err, errlen, "signing the certificate", ret);
		return -1;
	}
	/* Certificate ::= SEQUENCE { tbs, algid, BIT STRING { 0, sig } } */
	{
		unsigned char bit_head[6];
		size_t bh =
		    put_head(bit_head, sizeof(bit_head), 0x03, sig_len + 1);
		size_t content = tbs_len + sizeof(algid_der) + bh + 1 + sig_len;
		unsigned char head[6];
		size_t oh = put_head(head, sizeof(head), 0x30, content);

		if (oh == 0 || oh > 4 || oh + content > cap)
			goto too_large;
		/* the TBS moves to right after the outer head */
		memmove(out + oh, tbs, tbs_len);
		memcpy(out, head, oh);
		n = oh + tbs_len;
		memcpy(out + n, algid_der, sizeof(algid_der));
		n += sizeof(algid_der);
		memcpy(out + n, bit_head, bh);
		n += bh;
		out[n++] = 0x00; /* no unused bits */
		memcpy(out + n, sig, sig_len);
		n += sig_len;
	}
	*out_len = n;
	return 0;
too_large:
	errbuf_set(err, errlen, "certificate too large");
	return -1;
}
