/*
 * pkcs12: the PKCS#12 (PFX) container (RFC 7292): the MAC, the
 * AuthenticatedSafe, SafeContents and their key and certificate bags, and
 * the own chain picked out of the certificates found. Decryption is in
 * pkcs_pbe.c, the PKCS#12 KDF in pkcs_kdf.c.
 */
#include "pkcs.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/asn1.h>
#include <mbedtls/md.h>
#include <mbedtls/oid.h>
#include <mbedtls/platform_util.h>

#include "pkcs_int.h"

#define MAX_CONTENTS 16 /* ContentInfos in an AuthenticatedSafe */
#define MAX_BAGS     64 /* SafeBags in all */
#define MAX_CERTS    16

#define OID_PKCS7_DATA	   MBEDTLS_OID_PKCS "\x07\x01"
#define OID_PKCS7_ENC_DATA MBEDTLS_OID_PKCS "\x07\x06"
#define OID_BAG		   MBEDTLS_OID_PKCS12 "\x0a\x01"
#define OID_KEY_BAG	   OID_BAG "\x01"
#define OID_SHROUDED_BAG   OID_BAG "\x02"
#define OID_CERT_BAG	   OID_BAG "\x03"
#define OID_X509_CERT	   MBEDTLS_OID_PKCS9 "\x16\x01"

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
		return pkcs_fail(st->err, st->errlen,
				 "holds more than one private key");
	if (!shrouded)
		return pkcs_parse_plain_der(st->pk, der, len, st->err,
					    st->errlen);
	ret = pkcs_decrypt_epki(der, len, st->password, &plain, &plen, st->err,
				st->errlen);
	if (ret == 0)
		ret = pkcs_parse_plain_der(st->pk, plain, plen, st->err,
					   st->errlen);
	pkcs_wipe_free(plain, plen);
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
		return pkcs_fail(st->err, st->errlen,
				 "holds more than 16 certificates");
	ret = mbedtls_x509_crt_parse_der(&st->certs, p, l);
	if (ret != 0)
		return mbed_err(st->err, st->errlen,
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
			return pkcs_fail(st->err, st->errlen,
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
	ret = pkcs_pbe_decrypt(&oid, &params, st->password, p, l, &plain, &plen,
			       st->err, st->errlen);
	if (ret == 0)
		ret = p12_safe_contents(st, plain, plen);
	pkcs_wipe_free(plain, plen);
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
			return pkcs_fail(st->err, st->errlen,
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
			return pkcs_fail(
			    st->err, st->errlen,
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
	if (p < end &&
	    pkcs_get_count(&p, end, MAX_ITERATIONS, &iterations) != 0)
		return p12_malformed(st, "MAC iteration count");
	if (mbedtls_oid_get_md_alg(&oid, &md) != 0 ||
	    (info = mbedtls_md_info_from_type(md)) == NULL ||
	    md == MBEDTLS_MD_MD5 || md == MBEDTLS_MD_MD2 ||
	    md == MBEDTLS_MD_MD4)
		return pkcs_fail(st->err, st->errlen,
				 "unsupported MAC algorithm");
	mdlen = mbedtls_md_get_size(info);
	bmplen = pkcs_kdf_bmp_password(st->password, bmp, sizeof(bmp));
	if (bmplen == 0)
		return pkcs_fail(st->err, st->errlen,
				 "password too long or not UTF-8");
	if (pkcs_kdf_p12(md, bmp, bmplen, salt, sl, P12_ID_MAC, iterations, key,
			 mdlen) != 0 ||
	    mbedtls_md_hmac(info, key, mdlen, data, dlen, mac) != 0) {
		pkcs_fail(st->err, st->errlen, "MAC computation failed");
		goto out;
	}
	for (size_t i = 0; i < mdlen && dl == mdlen; i++)
		diff |= mac[i] ^ digest[i];
	if (dl != mdlen || diff != 0)
		pkcs_fail(st->err, st->errlen,
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
		return pkcs_fail(st->err, st->errlen,
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
		return mbed_err(st->err, st->errlen, "certificate copy failed",
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
		pkcs_fail(err, errlen, "empty or larger than 1 MiB");
		goto out;
	}
	if (mbedtls_asn1_get_tag(&p, end, &l, TAG_SEQ) != 0 || p + l != end ||
	    mbedtls_asn1_get_int(&p, end, &version) != 0 || version != 3 ||
	    mbedtls_asn1_get_tag(&p, end, &l, TAG_SEQ) != 0 ||
	    mbedtls_asn1_get_tag(&p, end, &oid.len, MBEDTLS_ASN1_OID) != 0) {
		pkcs_fail(err, errlen, "not a PKCS#12 file (no PFX structure)");
		goto out;
	}
	oid.p = p;
	p += oid.len;
	if (!OID_IS(&oid, OID_PKCS7_DATA)) {
		pkcs_fail(err, errlen,
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
		pkcs_fail(err, errlen, "holds no private key");
	else if (st.ncerts == 0)
		pkcs_fail(err, errlen, "holds no certificate");
	else
		ret = p12_order_chain(&st, chain);
out:
	mbedtls_x509_crt_free(&st.certs);
	return ret;
}
