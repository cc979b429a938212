/*
 * certgen: CA, node and client certificates on mbedTLS 2.28 (see
 * docs/modules/certgen.md). This file issues certificates; the DER we
 * write and read is in certgen_der.c, files and CA loading in
 * certgen_files.c.
 *
 * mbedTLS writes the basic constraints, key usage and key identifier
 * extensions itself; the subject alternative names and the extended key
 * usage come from certgen_der.c and are handed over with
 * mbedtls_x509write_crt_set_extension(). Names are built as lists of
 * mbedtls_asn1_named_data directly (not from "CN=..." strings), so that a
 * common name with a comma or an equals sign is written as it is, and an
 * issuer name is copied attribute by attribute from the CA certificate,
 * string types included, so that it matches the CA's subject byte for
 * byte.
 */
#include "certgen.h"
#include "certgen_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/ecp.h>
#include <mbedtls/entropy.h>
#include <mbedtls/oid.h>
#include <mbedtls/pem.h>
#include <mbedtls/platform.h>
#include <mbedtls/platform_util.h>
#include <mbedtls/rsa.h>

#define CERT_PEM_MAX (64 * 1024)
#define CERT_DER_MAX (32 * 1024) /* its base64 fits CERT_PEM_MAX */
#define KEY_PEM_MAX  (16 * 1024)
#define SERIAL_LEN   16

/* ---- names ----------------------------------------------------------- */

/*
 * Prepends one attribute to a name list. mbedtls_x509write writes the
 * list backwards, so the head of the list is the last attribute of the
 * DER name.
 */
static int
name_push(mbedtls_asn1_named_data **head, const unsigned char *oid,
	  size_t oid_len, int tag, const unsigned char *val, size_t val_len)
{
	mbedtls_asn1_named_data *n = mbedtls_calloc(1, sizeof(*n));

	if (n == NULL)
		return -1;
	n->oid.p = mbedtls_calloc(1, oid_len ? oid_len : 1);
	n->val.p = mbedtls_calloc(1, val_len ? val_len : 1);
	if (n->oid.p == NULL || n->val.p == NULL) {
		mbedtls_free(n->oid.p);
		mbedtls_free(n->val.p);
		mbedtls_free(n);
		return -1;
	}
	memcpy(n->oid.p, oid, oid_len);
	n->oid.len = oid_len;
	n->oid.tag = MBEDTLS_ASN1_OID;
	memcpy(n->val.p, val, val_len);
	n->val.len = val_len;
	n->val.tag = tag;
	n->next = *head;
	*head = n;
	return 0;
}

static int
name_cn(mbedtls_asn1_named_data **head, const char *cn)
{
	return name_push(head, (const unsigned char *)MBEDTLS_OID_AT_CN,
			 MBEDTLS_OID_SIZE(MBEDTLS_OID_AT_CN),
			 MBEDTLS_ASN1_UTF8_STRING, (const unsigned char *)cn,
			 strlen(cn));
}

/* Copies a parsed DN (in DER order) into a writer's list. */
static int
name_copy(mbedtls_asn1_named_data **head, const mbedtls_x509_name *dn,
	  char *err, size_t errlen)
{
	for (; dn != NULL; dn = dn->next) {
		if (dn->oid.p == NULL)
			continue;
		if (dn->next_merged) {
			errbuf_set(
			    err, errlen,
			    "the CA subject has a multi-valued RDN, which "
			    "cannot be copied as the issuer name");
			return -1;
		}
		if (name_push(head, dn->oid.p, dn->oid.len, dn->val.tag,
			      dn->val.p, dn->val.len) != 0) {
			errbuf_set(err, errlen, "out of memory");
			return -1;
		}
	}
	return 0;
}

/* ---- issuing --------------------------------------------------------- */

/*
 * A CA signed by a CA with a path length N (mbedTLS keeps N + 1, and 0 for
 * none) must itself have a path length below N, or chains through it fail.
 */
static int
pathlen_check(const struct certgen_req *req, char *err, size_t errlen)
{
	int room;

	if (req->issuer == NULL || req->kind != CERTGEN_CA ||
	    req->issuer->crt.max_pathlen <= 0)
		return 0;
	room = req->issuer->crt.max_pathlen - 1;
	if (room == 0) {
		errbuf_set(err, errlen,
			   "the issuing CA has path length 0: it may not "
			   "sign another CA");
		return -1;
	}
	if (req->pathlen < 0 || req->pathlen >= room) {
		errbuf_set(err, errlen,
			   "the issuing CA has path length %d: the new CA "
			   "needs a path length of at most %d",
			   room, room - 1);
		return -1;
	}
	return 0;
}

static int
req_check(const struct certgen_req *req, char *err, size_t errlen)
{
	size_t cnlen;

	if (req->kind != CERTGEN_CA && req->kind != CERTGEN_NODE &&
	    req->kind != CERTGEN_CLIENT) {
		errbuf_set(err, errlen, "unknown certificate kind");
		return -1;
	}
	cnlen = req->common_name
		    ? strnlen(req->common_name, CERTGEN_MAX_CN_LEN + 1)
		    : 0;
	if (cnlen == 0 || cnlen > CERTGEN_MAX_CN_LEN) {
		errbuf_set(err, errlen, "the common name must be 1 to %d bytes",
			   CERTGEN_MAX_CN_LEN);
		return -1;
	}
	if (req->key_type == CERTGEN_KEY_RSA && req->rsa_bits != 2048 &&
	    req->rsa_bits != 3072 && req->rsa_bits != 4096) {
		errbuf_set(err, errlen, "RSA keys are 2048, 3072 or 4096 bits");
		return -1;
	}
	if (req->key_type != CERTGEN_KEY_RSA &&
	    req->key_type != CERTGEN_KEY_EC) {
		errbuf_set(err, errlen, "unknown key type");
		return -1;
	}
	if (req->days < 1 || req->days > CERTGEN_MAX_DAYS) {
		errbuf_set(err, errlen, "days must be between 1 and %d",
			   CERTGEN_MAX_DAYS);
		return -1;
	}
	if (req->kind != CERTGEN_CA && req->issuer == NULL) {
		errbuf_set(err, errlen,
			   "a node or client certificate needs a CA");
		return -1;
	}
	if (req->kind == CERTGEN_NODE && req->n_ips + req->n_dns == 0) {
		errbuf_set(
		    err, errlen,
		    "a node certificate needs at least one IP address or "
		    "DNS name: peers check the address they dial against "
		    "them, and nodes without one are not admitted as "
		    "nodes");
		return -1;
	}
	return pathlen_check(req, err, errlen);
}

/* Fills nb/na (YYYYMMDDHHMMSS) from the request. */
static int
validity(const struct certgen_req *req, char nb[CERTGEN_TIME_LEN + 1],
	 char na[CERTGEN_TIME_LEN + 1], char *err, size_t errlen)
{
	time_t base = req->now;
	struct tm tm;

	if (req->not_before != NULL) {
		if (!certgen_time_ok(req->not_before)) {
			errbuf_set(err, errlen,
				   "bad not-before time \"%.20s\": expected "
				   "YYYYMMDDHHMMSS (UTC)",
				   req->not_before);
			return -1;
		}
		memcpy(nb, req->not_before, CERTGEN_TIME_LEN + 1);
		memset(&tm, 0, sizeof(tm));
		tm.tm_year = certgen_digits(nb, 4) - 1900;
		tm.tm_mon = certgen_digits(nb + 4, 2) - 1;
		tm.tm_mday = certgen_digits(nb + 6, 2);
		tm.tm_hour = certgen_digits(nb + 8, 2);
		tm.tm_min = certgen_digits(nb + 10, 2);
		tm.tm_sec = certgen_digits(nb + 12, 2);
		base = timegm(&tm);
	} else if (certgen_format_time(base, nb) != 0) {
		errbuf_set(err, errlen, "the current time is out of range");
		return -1;
	}
	if (req->not_after != NULL) {
		if (!certgen_time_ok(req->not_after)) {
			errbuf_set(err, errlen,
				   "bad not-after time \"%.20s\": expected "
				   "YYYYMMDDHHMMSS (UTC)",
				   req->not_after);
			return -1;
		}
		memcpy(na, req->not_after, CERTGEN_TIME_LEN + 1);
	} else if (certgen_format_time(base + (time_t)req->days * 86400, na) !=
		   0) {
		errbuf_set(err, errlen, "the end of validity is after 9999");
		return -1;
	}
	if (strcmp(na, nb) <= 0) {
		errbuf_set(err, errlen,
			   "not-after (%s) is not after not-before (%s)", na,
			   nb);
		return -1;
	}
	return 0;
}

static int
gen_key(const struct certgen_req *req, mbedtls_pk_context *key,
	mbedtls_ctr_drbg_context *drbg, char *err, size_t errlen)
{
	int ret;

	if (req->key_type == CERTGEN_KEY_RSA) {
		ret = mbedtls_pk_setup(
		    key, mbedtls_pk_info_from_type(MBEDTLS_PK_RSA));
		if (ret == 0)
			ret = mbedtls_rsa_gen_key(mbedtls_pk_rsa(*key),
						  mbedtls_ctr_drbg_random, drbg,
						  req->rsa_bits, 65537);
	} else {
		ret = mbedtls_pk_setup(
		    key, mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY));
		if (ret == 0)
			ret = mbedtls_ecp_gen_key(
			    MBEDTLS_ECP_DP_SECP256R1, mbedtls_pk_ec(*key),
			    mbedtls_ctr_drbg_random, drbg);
	}
	if (ret != 0) {
		mbed_err(err, errlen, "generating the key", ret);
		return -1;
	}
	return 0;
}

/* A random positive serial of SERIAL_LEN bytes. */
static int
set_serial(mbedtls_x509write_cert *crt, mbedtls_ctr_drbg_context *drbg,
	   char *err, size_t errlen)
{
	unsigned char raw[SERIAL_LEN];
	mbedtls_mpi serial;
	int ret;

	mbedtls_mpi_init(&serial);
	ret = mbedtls_ctr_drbg_random(drbg, raw, sizeof(raw));
	if (ret == 0) {
		raw[0] = (unsigned char)((raw[0] & 0x7f) | 0x40);
		ret = mbedtls_mpi_read_binary(&serial, raw, sizeof(raw));
	}
	if (ret == 0)
		ret = mbedtls_x509write_crt_set_serial(crt, &serial);
	mbedtls_mpi_free(&serial);
	if (ret != 0) {
		mbed_err(err, errlen, "setting the serial number", ret);
		return -1;
	}
	return 0;
}

/* Basic constraints, key identifiers, key usage, EKU and SAN. */
static int
set_extensions(const struct certgen_req *req, mbedtls_x509write_cert *crt,
	       char *err, size_t errlen)
{
	unsigned char *der = NULL;
	size_t len = 0;
	unsigned int ku, eku = req->eku;
	int ret, rc = -1;

	if (req->kind == CERTGEN_CA) {
		ret = mbedtls_x509write_crt_set_basic_constraints(
		    crt, 1, req->pathlen < 0 ? -1 : req->pathlen);
		ku = MBEDTLS_X509_KU_KEY_CERT_SIGN | MBEDTLS_X509_KU_CRL_SIGN;
	} else {
		ret = mbedtls_x509write_crt_set_basic_constraints(crt, 0, -1);
		ku = MBEDTLS_X509_KU_DIGITAL_SIGNATURE;
		if (req->kind == CERTGEN_NODE)
			ku |= MBEDTLS_X509_KU_KEY_ENCIPHERMENT;
		if (eku == 0)
			eku = req->kind == CERTGEN_NODE
				  ? CERTGEN_EKU_SERVER | CERTGEN_EKU_CLIENT
				  : CERTGEN_EKU_CLIENT;
	}
	if (ret == 0)
		ret = mbedtls_x509write_crt_set_subject_key_identifier(crt);
	if (ret == 0)
		ret = mbedtls_x509write_crt_set_authority_key_identifier(crt);
	if (ret == 0)
		ret = mbedtls_x509write_crt_set_key_usage(crt, ku);
	if (ret != 0) {
		mbed_err(err, errlen, "writing the extensions", ret);
		goto out;
	}
	der = malloc(CERTGEN_SAN_DER_MAX);
	if (der == NULL) {
		errbuf_set(err, errlen, "out of memory");
		goto out;
	}
	if (req->kind != CERTGEN_CA) {
		if (certgen_eku_der(eku, der, CERTGEN_SAN_DER_MAX, &len, err,
				    errlen) != 0)
			goto out;
		ret = mbedtls_x509write_crt_set_extension(
		    crt, MBEDTLS_OID_EXTENDED_KEY_USAGE,
		    MBEDTLS_OID_SIZE(MBEDTLS_OID_EXTENDED_KEY_USAGE), 0, der,
		    len);
		if (ret != 0) {
			mbed_err(err, errlen, "writing the EKU", ret);
			goto out;
		}
	}
	if (req->n_ips + req->n_dns > 0) {
		if (certgen_san_der(req->ips, req->n_ips, req->dns, req->n_dns,
				    der, CERTGEN_SAN_DER_MAX, &len, err,
				    errlen) != 0)
			goto out;
		ret = mbedtls_x509write_crt_set_extension(
		    crt, MBEDTLS_OID_SUBJECT_ALT_NAME,
		    MBEDTLS_OID_SIZE(MBEDTLS_OID_SUBJECT_ALT_NAME), 0, der,
		    len);
		if (ret != 0) {
			mbed_err(err, errlen, "writing the SAN", ret);
			goto out;
		}
	}
	rc = 0;
out:
	free(der);
	return rc;
}

/* Subject, issuer, keys, serial, validity and extensions. */
static int
build(const struct certgen_req *req, mbedtls_x509write_cert *crt,
      mbedtls_pk_context *key, mbedtls_ctr_drbg_context *drbg, char *err,
      size_t errlen)
{
	char nb[CERTGEN_TIME_LEN + 1], na[CERTGEN_TIME_LEN + 1];
	const struct certgen_ca *ca = req->issuer;
	int ret;

	if (validity(req, nb, na, err, errlen) != 0)
		return -1;
	mbedtls_x509write_crt_set_version(crt, MBEDTLS_X509_CRT_VERSION_3);
	mbedtls_x509write_crt_set_md_alg(crt, MBEDTLS_MD_SHA256);
	mbedtls_x509write_crt_set_subject_key(crt, key);
	mbedtls_x509write_crt_set_issuer_key(
	    crt, ca ? (mbedtls_pk_context *)&ca->key : key);
	if (name_cn(&crt->subject, req->common_name) != 0) {
		errbuf_set(err, errlen, "out of memory");
		return -1;
	}
	if (ca != NULL) {
		if (name_copy(&crt->issuer, &ca->crt.subject, err, errlen) != 0)
			return -1;
	} else if (name_cn(&crt->issuer, req->common_name) != 0) {
		errbuf_set(err, errlen, "out of memory");
		return -1;
	}
	if (set_serial(crt, drbg, err, errlen) != 0)
		return -1;
	ret = mbedtls_x509write_crt_set_validity(crt, nb, na);
	if (ret != 0) {
		mbed_err(err, errlen, "setting the validity", ret);
		return -1;
	}
	return set_extensions(req, crt, err, errlen);
}

/*
 * Signs crt and writes it as PEM into buf (CERT_PEM_MAX bytes), its ECDSA
 * AlgorithmIdentifiers without the NULL parameters mbedTLS writes
 * (certgen_ecdsa_rewrite).
 */
static int
write_pem(const struct certgen_req *req, mbedtls_x509write_cert *crt,
	  mbedtls_pk_context *key, mbedtls_ctr_drbg_context *drbg,
	  unsigned char *buf, char *err, size_t errlen)
{
	mbedtls_pk_context *issuer_key =
	    req->issuer ? (mbedtls_pk_context *)&req->issuer->key : key;
	unsigned char *der = malloc(CERT_DER_MAX),
		      *fixed = malloc(CERT_DER_MAX);
	size_t fixed_len = 0, pem_len = 0;
	int ret, rc = -1;

	if (der == NULL || fixed == NULL) {
		errbuf_set(err, errlen, "out of memory");
		goto out;
	}
	/* mbedTLS writes at the end of the buffer */
	ret = mbedtls_x509write_crt_der(crt, der, CERT_DER_MAX,
					mbedtls_ctr_drbg_random, drbg);
	if (ret < 0) {
		mbed_err(err, errlen, "signing the certificate", ret);
		goto out;
	}
	if (certgen_ecdsa_rewrite(der + CERT_DER_MAX - ret, (size_t)ret,
				  issuer_key, mbedtls_ctr_drbg_random, drbg,
				  fixed, CERT_DER_MAX, &fixed_len, err,
				  errlen) != 0)
		goto out;
	ret = mbedtls_pem_write_buffer("-----BEGIN CERTIFICATE-----\n",
				       "-----END CERTIFICATE-----\n", fixed,
				       fixed_len, buf, CERT_PEM_MAX, &pem_len);
	if (ret != 0) {
		mbed_err(err, errlen, "writing the certificate", ret);
		goto out;
	}
	rc = 0;
out:
	free(der);
	free(fixed);
	return rc;
}

int
certgen_default_ca_name(time_t now, char *buf, size_t len)
{
	unsigned char r[3];
	struct tm tm;

	if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r) ||
	    gmtime_r(&now, &tm) == NULL)
		return -1;
	snprintf(buf, len, "gossipd CA %04d-%02d-%02d %02x%02x%02x",
		 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, r[0], r[1],
		 r[2]);
	return 0;
}

static char *
dup_text(const unsigned char *buf, size_t *len)
{
	char *s;

	*len = strlen((const char *)buf);
	s = malloc(*len + 1);
	if (s != NULL)
		memcpy(s, buf, *len + 1);
	return s;
}

int
certgen_issue(const struct certgen_req *req, struct certgen_result *res,
	      char *err, size_t errlen)
{
	static const char pers[] = "gossipd certgen";
	mbedtls_entropy_context entropy;
	mbedtls_ctr_drbg_context drbg;
	mbedtls_pk_context key;
	mbedtls_x509write_cert crt;
	unsigned char *buf = NULL;
	int ret, rc = -1;

	memset(res, 0, sizeof(*res));
	mbedtls_entropy_init(&entropy);
	mbedtls_ctr_drbg_init(&drbg);
	mbedtls_pk_init(&key);
	mbedtls_x509write_crt_init(&crt);

	if (req_check(req, err, errlen) != 0)
		goto out;
	buf = malloc(CERT_PEM_MAX);
	if (buf == NULL) {
		errbuf_set(err, errlen, "out of memory");
		goto out;
	}
	ret = mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &entropy,
				    (const unsigned char *)pers,
				    sizeof(pers) - 1);
	if (ret != 0) {
		mbed_err(err, errlen, "seeding the random generator", ret);
		goto out;
	}
	if (gen_key(req, &key, &drbg, err, errlen) != 0 ||
	    build(req, &crt, &key, &drbg, err, errlen) != 0)
		goto out;
	if (write_pem(req, &crt, &key, &drbg, buf, err, errlen) != 0)
		goto out;
	res->cert_pem = dup_text(buf, &res->cert_len);
	ret = mbedtls_pk_write_key_pem(&key, buf, KEY_PEM_MAX);
	if (ret != 0) {
		mbed_err(err, errlen, "writing the key", ret);
		goto out;
	}
	res->key_pem = dup_text(buf, &res->key_len);
	if (res->cert_pem == NULL || res->key_pem == NULL) {
		errbuf_set(err, errlen, "out of memory");
		goto out;
	}
	rc = 0;
out:
	if (rc != 0)
		certgen_result_free(res);
	if (buf != NULL) {
		mbedtls_platform_zeroize(buf, CERT_PEM_MAX);
		free(buf);
	}
	mbedtls_x509write_crt_free(&crt);
	mbedtls_pk_free(&key);
	mbedtls_ctr_drbg_free(&drbg);
	mbedtls_entropy_free(&entropy);
	return rc;
}

void
certgen_result_free(struct certgen_result *res)
{
	if (res == NULL)
		return;
	if (res->key_pem != NULL)
		mbedtls_platform_zeroize(res->key_pem, res->key_len);
	free(res->key_pem);
	free(res->cert_pem);
	memset(res, 0, sizeof(*res));
}
