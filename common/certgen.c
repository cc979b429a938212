/*
 * certgen: CA, node and client certificates on mbedTLS 2.28.
 *
 * mbedTLS writes the basic constraints, key usage and key identifier
 * extensions itself; the subject alternative names and the extended key
 * usage are built here as DER with asn1write and handed over with
 * mbedtls_x509write_crt_set_extension(). Names are built as lists of
 * mbedtls_asn1_named_data directly (not from "CN=..." strings), so that a
 * common name with a comma or an equals sign is written as it is, and an
 * issuer name is copied attribute by attribute from the CA certificate,
 * string types included, so that it matches the CA's subject byte for
 * byte.
 */
#include "certgen.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <mbedtls/asn1write.h>
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/ecp.h>
#include <mbedtls/entropy.h>
#include <mbedtls/error.h>
#include <mbedtls/oid.h>
#include <mbedtls/platform.h>
#include <mbedtls/platform_util.h>
#include <mbedtls/rsa.h>

#define CERT_PEM_MAX (64 * 1024)
#define KEY_PEM_MAX  (16 * 1024)
#define SERIAL_LEN   16

static void __attribute__((format(printf, 3, 4)))
seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* "what: mbedTLS's words (-0xNNNN)" */
static void
set_mberr(char *err, size_t errlen, const char *what, int ret)
{
	char buf[160];

	mbedtls_strerror(ret, buf, sizeof(buf));
	seterr(err, errlen, "%s: %s (-0x%04X)", what, buf, (unsigned int)-ret);
}

/* ---- small checks ---------------------------------------------------- */

int
certgen_parse_ip(const char *s, unsigned char out[16])
{
	if (s == NULL || strnlen(s, INET6_ADDRSTRLEN) >= INET6_ADDRSTRLEN)
		return -1;
	if (inet_pton(AF_INET, s, out) == 1)
		return 4;
	if (inet_pton(AF_INET6, s, out) == 1)
		return 16;
	return -1;
}

bool
certgen_dns_name_ok(const char *s)
{
	size_t len, label = 0, i;

	if (s == NULL)
		return false;
	len = strnlen(s, CERTGEN_MAX_DNS_LEN + 1);
	if (len == 0 || len > CERTGEN_MAX_DNS_LEN)
		return false;
	i = 0;
	if (s[0] == '*') { /* a whole first label, and more labels after it */
		if (s[1] != '.' || s[2] == '\0')
			return false;
		i = 2;
	}
	for (; i < len; i++) {
		char c = s[i];

		if (c == '.') {
			if (label == 0)
				return false;
			label = 0;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '-'))
			return false;
		if (++label > 63)
			return false;
	}
	return label > 0;
}

static int
digits(const char *s, size_t n)
{
	int v = 0;
	size_t i;

	for (i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

bool
certgen_time_ok(const char *s)
{
	static const int mdays[] = {31, 29, 31, 30, 31, 30,
				    31, 31, 30, 31, 30, 31};
	int year, mon, day;
	size_t i;

	if (s == NULL || strnlen(s, CERTGEN_TIME_LEN + 1) != CERTGEN_TIME_LEN)
		return false;
	for (i = 0; i < CERTGEN_TIME_LEN; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	year = digits(s, 4);
	mon = digits(s + 4, 2);
	day = digits(s + 6, 2);
	if (year < 1950 || mon < 1 || mon > 12 || day < 1 ||
	    day > mdays[mon - 1])
		return false;
	if (mon == 2 && day == 29 &&
	    !((year % 4 == 0 && year % 100 != 0) || year % 400 == 0))
		return false;
	return digits(s + 8, 2) < 24 && digits(s + 10, 2) < 60 &&
	       digits(s + 12, 2) < 60;
}

int
certgen_format_time(time_t t, char out[CERTGEN_TIME_LEN + 1])
{
	char buf[64];
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL || tm.tm_year + 1900 < 1950 ||
	    tm.tm_year + 1900 > 9999)
		return -1;
	snprintf(buf, sizeof(buf), "%04d%02d%02d%02d%02d%02d",
		 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		 tm.tm_min, tm.tm_sec);
	memcpy(out, buf, CERTGEN_TIME_LEN);
	out[CERTGEN_TIME_LEN] = '\0';
	return 0;
}

/* ---- the DER we write ourselves -------------------------------------- */

/* Moves what asn1write wrote backwards at the end of buf to its start. */
static void
to_front(unsigned char *buf, size_t size, size_t len)
{
	memmove(buf, buf + size - len, len);
}

int
certgen_san_der(const char *const *ips, size_t n_ips, const char *const *dns,
		size_t n_dns, unsigned char *buf, size_t size, size_t *len,
		char *err, size_t errlen)
{
	unsigned char *p = buf + size;
	unsigned char addr[16];
	size_t i, total = 0;
	int ret, alen;

	if (n_ips + n_dns == 0) {
		seterr(err, errlen, "no subject alternative name given");
		return -1;
	}
	if (n_ips > CERTGEN_MAX_SANS || n_dns > CERTGEN_MAX_SANS) {
		seterr(err, errlen, "more than %d IP addresses or DNS names",
		       CERTGEN_MAX_SANS);
		return -1;
	}
	for (i = 0; i < n_dns; i++)
		if (!certgen_dns_name_ok(dns[i])) {
			seterr(err, errlen,
			       "bad DNS name \"%.*s\": letters, digits and "
			       "hyphens in dot-separated labels, optionally "
			       "\"*.\" first",
			       CERTGEN_MAX_DNS_LEN, dns[i] ? dns[i] : "");
			return -1;
		}
	for (i = n_ips; i-- > 0;) {
		alen = certgen_parse_ip(ips[i], addr);
		if (alen < 0) {
			seterr(err, errlen,
			       "bad IP address \"%.*s\": not an IPv4 or IPv6 "
			       "literal",
			       INET6_ADDRSTRLEN, ips[i] ? ips[i] : "");
			return -1;
		}
		ret = mbedtls_asn1_write_tagged_string(
		    &p, buf, MBEDTLS_ASN1_CONTEXT_SPECIFIC | 7,
		    (const char *)addr, (size_t)alen);
		if (ret < 0)
			goto too_big;
		total += (size_t)ret;
	}
	for (i = n_dns; i-- > 0;) {
		ret = mbedtls_asn1_write_tagged_string(
		    &p, buf, MBEDTLS_ASN1_CONTEXT_SPECIFIC | 2, dns[i],
		    strlen(dns[i]));
		if (ret < 0)
			goto too_big;
		total += (size_t)ret;
	}
	if ((ret = mbedtls_asn1_write_len(&p, buf, total)) < 0)
		goto too_big;
	total += (size_t)ret;
	ret = mbedtls_asn1_write_tag(
	    &p, buf, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE);
	if (ret < 0)
		goto too_big;
	total += (size_t)ret;
	*len = total;
	to_front(buf, size, total);
	return 0;
too_big:
	seterr(err, errlen, "subject alternative names exceed %zu bytes", size);
	return -1;
}

int
certgen_eku_der(unsigned int eku, unsigned char *buf, size_t size, size_t *len,
		char *err, size_t errlen)
{
	unsigned char *p = buf + size;
	size_t total = 0;
	int ret;

	if (eku == 0 || (eku & ~(CERTGEN_EKU_SERVER | CERTGEN_EKU_CLIENT))) {
		seterr(err, errlen, "no or unknown extended key usage");
		return -1;
	}
	/* Written backwards: clientAuth last in the sequence. */
	if (eku & CERTGEN_EKU_CLIENT) {
		ret = mbedtls_asn1_write_oid(
		    &p, buf, MBEDTLS_OID_CLIENT_AUTH,
		    MBEDTLS_OID_SIZE(MBEDTLS_OID_CLIENT_AUTH));
		if (ret < 0)
			goto too_big;
		total += (size_t)ret;
	}
	if (eku & CERTGEN_EKU_SERVER) {
		ret = mbedtls_asn1_write_oid(
		    &p, buf, MBEDTLS_OID_SERVER_AUTH,
		    MBEDTLS_OID_SIZE(MBEDTLS_OID_SERVER_AUTH));
		if (ret < 0)
			goto too_big;
		total += (size_t)ret;
	}
	if ((ret = mbedtls_asn1_write_len(&p, buf, total)) < 0)
		goto too_big;
	total += (size_t)ret;
	ret = mbedtls_asn1_write_tag(
	    &p, buf, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE);
	if (ret < 0)
		goto too_big;
	total += (size_t)ret;
	*len = total;
	to_front(buf, size, total);
	return 0;
too_big:
	seterr(err, errlen, "extended key usage exceeds %zu bytes", size);
	return -1;
}

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
			seterr(err, errlen,
			       "the CA subject has a multi-valued RDN, which "
			       "cannot be copied as the issuer name");
			return -1;
		}
		if (name_push(head, dn->oid.p, dn->oid.len, dn->val.tag,
			      dn->val.p, dn->val.len) != 0) {
			seterr(err, errlen, "out of memory");
			return -1;
		}
	}
	return 0;
}

/* ---- loading a CA ---------------------------------------------------- */

/* Reads a whole file of at most CERTGEN_MAX_FILE bytes, NUL-terminated. */
static int
read_small_file(const char *path, const char *what, unsigned char **out,
		size_t *outlen, char *err, size_t errlen)
{
	unsigned char *buf = NULL;
	size_t len = 0;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		seterr(err, errlen, "cannot read %s %s: %s", what, path,
		       strerror(errno));
		return -1;
	}
	buf = malloc(CERTGEN_MAX_FILE + 1);
	if (buf == NULL) {
		close(fd);
		seterr(err, errlen, "out of memory");
		return -1;
	}
	for (;;) {
		n = read(fd, buf + len, CERTGEN_MAX_FILE + 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			seterr(err, errlen, "cannot read %s %s: %s", what, path,
			       strerror(errno));
			goto fail;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > CERTGEN_MAX_FILE) {
			seterr(err, errlen, "%s %s is larger than %d bytes",
			       what, path, CERTGEN_MAX_FILE);
			goto fail;
		}
	}
	close(fd);
	buf[len] = '\0';
	*out = buf;
	*outlen = len;
	return 0;
fail:
	close(fd);
	mbedtls_platform_zeroize(buf, CERTGEN_MAX_FILE + 1);
	free(buf);
	return -1;
}

/* The length to hand to mbedTLS's parsers: PEM counts its NUL. */
static size_t
parse_len(const unsigned char *buf, size_t len)
{
	return strstr((const char *)buf, "-----BEGIN ") != NULL ? len + 1 : len;
}

void
certgen_ca_init(struct certgen_ca *ca)
{
	mbedtls_x509_crt_init(&ca->crt);
	mbedtls_pk_init(&ca->key);
}

void
certgen_ca_free(struct certgen_ca *ca)
{
	if (ca == NULL)
		return;
	mbedtls_x509_crt_free(&ca->crt);
	mbedtls_pk_free(&ca->key);
}

static int
ca_check(const struct certgen_ca *ca, const char *crt_path,
	 const char *key_path, char *err, size_t errlen)
{
	int ret;

	if (!ca->crt.ca_istrue) {
		seterr(err, errlen,
		       "%s is not a CA certificate (no basicConstraints "
		       "CA:TRUE)",
		       crt_path);
		return -1;
	}
	if (mbedtls_x509_crt_check_key_usage(&ca->crt,
					     MBEDTLS_X509_KU_KEY_CERT_SIGN)) {
		seterr(err, errlen,
		       "%s may not sign certificates (its key usage lacks "
		       "keyCertSign)",
		       crt_path);
		return -1;
	}
	ret = mbedtls_pk_check_pair(&ca->crt.pk, &ca->key);
	if (ret != 0) {
		seterr(err, errlen,
		       "CA key %s does not match the CA certificate %s",
		       key_path, crt_path);
		return -1;
	}
	return 0;
}

int
certgen_crt_load(mbedtls_x509_crt *chain, const char *path, const char *what,
		 char *err, size_t errlen)
{
	unsigned char *buf = NULL;
	size_t len = 0;
	char label[200];
	int ret;

	if (read_small_file(path, what, &buf, &len, err, errlen) != 0)
		return -1;
	ret = mbedtls_x509_crt_parse(chain, buf, parse_len(buf, len));
	free(buf);
	if (ret == 0)
		return 0;
	snprintf(label, sizeof(label), "%s %s", what, path);
	if (ret > 0)
		seterr(err, errlen, "%s: %d certificate(s) could not be parsed",
		       label, ret);
	else
		set_mberr(err, errlen, label, ret);
	return -1;
}

int
certgen_ca_load(struct certgen_ca *ca, const char *crt_path,
		const char *key_path, char *err, size_t errlen)
{
	unsigned char *buf = NULL;
	size_t len = 0;
	char what[200];
	int ret, rc = -1;

	if (certgen_crt_load(&ca->crt, crt_path, "CA certificate", err,
			     errlen) != 0)
		goto out;
	if (read_small_file(key_path, "CA key", &buf, &len, err, errlen) != 0)
		goto out;
	ret = mbedtls_pk_parse_key(&ca->key, buf, parse_len(buf, len), NULL, 0);
	if (ret == MBEDTLS_ERR_PK_PASSWORD_REQUIRED) {
		seterr(err, errlen,
		       "CA key %s is encrypted; certgen needs it unencrypted",
		       key_path);
		goto out;
	}
	if (ret != 0) {
		snprintf(what, sizeof(what), "CA key %s", key_path);
		set_mberr(err, errlen, what, ret);
		goto out;
	}
	rc = ca_check(ca, crt_path, key_path, err, errlen);
out:
	if (buf != NULL) {
		mbedtls_platform_zeroize(buf, len);
		free(buf);
	}
	return rc;
}

/* ---- issuing --------------------------------------------------------- */

static int
req_check(const struct certgen_req *req, char *err, size_t errlen)
{
	size_t cnlen;

	if (req->kind != CERTGEN_CA && req->kind != CERTGEN_NODE &&
	    req->kind != CERTGEN_CLIENT) {
		seterr(err, errlen, "unknown certificate kind");
		return -1;
	}
	cnlen = req->common_name
		    ? strnlen(req->common_name, CERTGEN_MAX_CN_LEN + 1)
		    : 0;
	if (cnlen == 0 || cnlen > CERTGEN_MAX_CN_LEN) {
		seterr(err, errlen, "the common name must be 1 to %d bytes",
		       CERTGEN_MAX_CN_LEN);
		return -1;
	}
	if (req->key_type == CERTGEN_KEY_RSA && req->rsa_bits != 2048 &&
	    req->rsa_bits != 3072 && req->rsa_bits != 4096) {
		seterr(err, errlen, "RSA keys are 2048, 3072 or 4096 bits");
		return -1;
	}
	if (req->key_type != CERTGEN_KEY_RSA &&
	    req->key_type != CERTGEN_KEY_EC) {
		seterr(err, errlen, "unknown key type");
		return -1;
	}
	if (req->days < 1 || req->days > CERTGEN_MAX_DAYS) {
		seterr(err, errlen, "days must be between 1 and %d",
		       CERTGEN_MAX_DAYS);
		return -1;
	}
	if (req->kind != CERTGEN_CA && req->issuer == NULL) {
		seterr(err, errlen, "a node or client certificate needs a CA");
		return -1;
	}
	if (req->kind == CERTGEN_NODE && req->n_ips + req->n_dns == 0) {
		seterr(err, errlen,
		       "a node certificate needs at least one IP address or "
		       "DNS name: peers check the address they dial against "
		       "them, and nodes without one are not admitted as "
		       "nodes");
		return -1;
	}
	if (req->issuer != NULL && req->kind == CERTGEN_CA &&
	    req->issuer->crt.max_pathlen == 1) {
		seterr(err, errlen,
		       "the issuing CA has path length 0: it may not sign "
		       "another CA");
		return -1;
	}
	return 0;
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
			seterr(err, errlen,
			       "bad not-before time \"%.20s\": expected "
			       "YYYYMMDDHHMMSS (UTC)",
			       req->not_before);
			return -1;
		}
		memcpy(nb, req->not_before, CERTGEN_TIME_LEN + 1);
		memset(&tm, 0, sizeof(tm));
		tm.tm_year = digits(nb, 4) - 1900;
		tm.tm_mon = digits(nb + 4, 2) - 1;
		tm.tm_mday = digits(nb + 6, 2);
		tm.tm_hour = digits(nb + 8, 2);
		tm.tm_min = digits(nb + 10, 2);
		tm.tm_sec = digits(nb + 12, 2);
		base = timegm(&tm);
	} else if (certgen_format_time(base, nb) != 0) {
		seterr(err, errlen, "the current time is out of range");
		return -1;
	}
	if (req->not_after != NULL) {
		if (!certgen_time_ok(req->not_after)) {
			seterr(err, errlen,
			       "bad not-after time \"%.20s\": expected "
			       "YYYYMMDDHHMMSS (UTC)",
			       req->not_after);
			return -1;
		}
		memcpy(na, req->not_after, CERTGEN_TIME_LEN + 1);
	} else if (certgen_format_time(base + (time_t)req->days * 86400, na) !=
		   0) {
		seterr(err, errlen, "the end of validity is after 9999");
		return -1;
	}
	if (strcmp(na, nb) <= 0) {
		seterr(err, errlen,
		       "not-after (%s) is not after not-before (%s)", na, nb);
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
		set_mberr(err, errlen, "generating the key", ret);
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
		set_mberr(err, errlen, "setting the serial number", ret);
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
		set_mberr(err, errlen, "writing the extensions", ret);
		goto out;
	}
	der = malloc(CERTGEN_SAN_DER_MAX);
	if (der == NULL) {
		seterr(err, errlen, "out of memory");
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
			set_mberr(err, errlen, "writing the EKU", ret);
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
			set_mberr(err, errlen, "writing the SAN", ret);
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
		seterr(err, errlen, "out of memory");
		return -1;
	}
	if (ca != NULL) {
		if (name_copy(&crt->issuer, &ca->crt.subject, err, errlen) != 0)
			return -1;
	} else if (name_cn(&crt->issuer, req->common_name) != 0) {
		seterr(err, errlen, "out of memory");
		return -1;
	}
	if (set_serial(crt, drbg, err, errlen) != 0)
		return -1;
	ret = mbedtls_x509write_crt_set_validity(crt, nb, na);
	if (ret != 0) {
		set_mberr(err, errlen, "setting the validity", ret);
		return -1;
	}
	return set_extensions(req, crt, err, errlen);
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
		seterr(err, errlen, "out of memory");
		goto out;
	}
	ret = mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &entropy,
				    (const unsigned char *)pers,
				    sizeof(pers) - 1);
	if (ret != 0) {
		set_mberr(err, errlen, "seeding the random generator", ret);
		goto out;
	}
	if (gen_key(req, &key, &drbg, err, errlen) != 0 ||
	    build(req, &crt, &key, &drbg, err, errlen) != 0)
		goto out;
	ret = mbedtls_x509write_crt_pem(&crt, buf, CERT_PEM_MAX,
					mbedtls_ctr_drbg_random, &drbg);
	if (ret != 0) {
		set_mberr(err, errlen, "signing the certificate", ret);
		goto out;
	}
	res->cert_pem = dup_text(buf, &res->cert_len);
	ret = mbedtls_pk_write_key_pem(&key, buf, KEY_PEM_MAX);
	if (ret != 0) {
		set_mberr(err, errlen, "writing the key", ret);
		goto out;
	}
	res->key_pem = dup_text(buf, &res->key_len);
	if (res->cert_pem == NULL || res->key_pem == NULL) {
		seterr(err, errlen, "out of memory");
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

/* ---- describing a certificate ---------------------------------------- */

/* A bounded string builder: appends, and ends in "..." once full. */
struct sb {
	char *out;
	size_t size, used;
	bool full;
};

static void
sb_init(struct sb *b, char *out, size_t size)
{
	b->out = out;
	b->size = size;
	b->used = 0;
	b->full = size == 0;
	if (size > 0)
		out[0] = '\0';
}

/* Appends len bytes of s, printable ASCII only. */
static void
sb_put(struct sb *b, const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len && !b->full; i++) {
		unsigned char c = (unsigned char)s[i];

		if (b->used + 1 >= b->size) {
			b->full = true;
			if (b->size >= 4)
				memcpy(b->out + b->size - 4, "...", 4);
			return;
		}
		b->out[b->used++] = (c < 0x20 || c >= 0x7f) ? '?' : (char)c;
		b->out[b->used] = '\0';
	}
}

static void
sb_str(struct sb *b, const char *s)
{
	sb_put(b, s, strlen(s));
}

static void
sb_sep(struct sb *b)
{
	if (b->used > 0)
		sb_str(b, ", ");
}

void
certgen_describe_sans(const mbedtls_x509_crt *crt, char *out, size_t outlen)
{
	const mbedtls_x509_sequence *s;
	char addr[INET6_ADDRSTRLEN];
	struct sb b;

	sb_init(&b, out, outlen);
	if (!(crt->ext_types & MBEDTLS_X509_EXT_SUBJECT_ALT_NAME)) {
		sb_str(&b, "none");
		return;
	}
	for (s = &crt->subject_alt_names; s != NULL; s = s->next) {
		const mbedtls_x509_buf *v = &s->buf;

		if (v->p == NULL)
			continue;
		sb_sep(&b);
		switch (v->tag) {
		case MBEDTLS_ASN1_CONTEXT_SPECIFIC | 2:
			sb_str(&b, "DNS:");
			sb_put(&b, (const char *)v->p, v->len);
			break;
		case MBEDTLS_ASN1_CONTEXT_SPECIFIC | 7:
			sb_str(&b, "IP:");
			if ((v->len == 4 &&
			     inet_ntop(AF_INET, v->p, addr, sizeof(addr))) ||
			    (v->len == 16 &&
			     inet_ntop(AF_INET6, v->p, addr, sizeof(addr))))
				sb_str(&b, addr);
			else
				sb_str(&b, "(malformed)");
			break;
		case MBEDTLS_ASN1_CONTEXT_SPECIFIC | 1:
			sb_str(&b, "email:");
			sb_put(&b, (const char *)v->p, v->len);
			break;
		case MBEDTLS_ASN1_CONTEXT_SPECIFIC | 6:
			sb_str(&b, "URI:");
			sb_put(&b, (const char *)v->p, v->len);
			break;
		default:
			sb_str(&b, "(other name)");
		}
	}
	if (b.used == 0)
		sb_str(&b, "none");
}

void
certgen_describe_ku(const mbedtls_x509_crt *crt, char *out, size_t outlen)
{
	static const struct {
		unsigned int bit;
		const char *name;
	} names[] = {
	    {MBEDTLS_X509_KU_DIGITAL_SIGNATURE, "digitalSignature"},
	    {MBEDTLS_X509_KU_NON_REPUDIATION, "nonRepudiation"},
	    {MBEDTLS_X509_KU_KEY_ENCIPHERMENT, "keyEncipherment"},
	    {MBEDTLS_X509_KU_DATA_ENCIPHERMENT, "dataEncipherment"},
	    {MBEDTLS_X509_KU_KEY_AGREEMENT, "keyAgreement"},
	    {MBEDTLS_X509_KU_KEY_CERT_SIGN, "keyCertSign"},
	    {MBEDTLS_X509_KU_CRL_SIGN, "cRLSign"},
	    {MBEDTLS_X509_KU_ENCIPHER_ONLY, "encipherOnly"},
	    {MBEDTLS_X509_KU_DECIPHER_ONLY, "decipherOnly"},
	};
	struct sb b;
	size_t i;

	sb_init(&b, out, outlen);
	if (!(crt->ext_types & MBEDTLS_X509_EXT_KEY_USAGE)) {
		sb_str(&b, "absent");
		return;
	}
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (crt->key_usage & names[i].bit) {
			sb_sep(&b);
			sb_str(&b, names[i].name);
		}
	if (b.used == 0)
		sb_str(&b, "(empty)");
}

void
certgen_describe_eku(const mbedtls_x509_crt *crt, char *out, size_t outlen)
{
	const mbedtls_x509_sequence *s;
	char oid[64];
	struct sb b;

	sb_init(&b, out, outlen);
	if (!(crt->ext_types & MBEDTLS_X509_EXT_EXTENDED_KEY_USAGE)) {
		sb_str(&b, "absent");
		return;
	}
	for (s = &crt->ext_key_usage; s != NULL; s = s->next) {
		if (s->buf.p == NULL)
			continue;
		sb_sep(&b);
		if (MBEDTLS_OID_CMP(MBEDTLS_OID_SERVER_AUTH, &s->buf) == 0)
			sb_str(&b, "serverAuth");
		else if (MBEDTLS_OID_CMP(MBEDTLS_OID_CLIENT_AUTH, &s->buf) == 0)
			sb_str(&b, "clientAuth");
		else if (mbedtls_oid_get_numeric_string(oid, sizeof(oid),
							&s->buf) > 0)
			sb_str(&b, oid);
		else
			sb_str(&b, "(unknown)");
	}
	if (b.used == 0)
		sb_str(&b, "(empty)");
}

/* ---- files ----------------------------------------------------------- */

int
certgen_mkdirs(const char *dir, char *err, size_t errlen)
{
	char path[PATH_MAX];
	struct stat st;
	size_t len, i;

	len = strnlen(dir, sizeof(path));
	if (len == 0 || len >= sizeof(path)) {
		seterr(err, errlen, "bad directory name");
		return -1;
	}
	memcpy(path, dir, len + 1);
	for (i = 1; i <= len; i++) {
		if (path[i] != '/' && path[i] != '\0')
			continue;
		path[i] = '\0';
		if (mkdir(path, 0755) != 0 && errno != EEXIST) {
			seterr(err, errlen, "cannot create directory %s: %s",
			       path, strerror(errno));
			return -1;
		}
		if (i < len)
			path[i] = '/';
	}
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		seterr(err, errlen, "%s is not a directory", dir);
		return -1;
	}
	return 0;
}

static int
write_all(int fd, const void *data, size_t len)
{
	const unsigned char *p = data;
	ssize_t n;

	while (len > 0) {
		n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int
certgen_write_file(const char *path, const void *data, size_t len,
		   unsigned int mode, bool force, char *err, size_t errlen)
{
	char tmp[PATH_MAX];
	const char *slash = strrchr(path, '/');
	int fd, n;

	if (slash != NULL)
		n = snprintf(tmp, sizeof(tmp), "%.*s/.%s.XXXXXX",
			     (int)(slash - path), path, slash + 1);
	else
		n = snprintf(tmp, sizeof(tmp), ".%s.XXXXXX", path);
	if (n < 0 || (size_t)n >= sizeof(tmp)) {
		seterr(err, errlen, "path too long: %s", path);
		return -1;
	}
	fd = mkostemp(tmp, O_CLOEXEC); /* O_CREAT|O_EXCL, mode 0600 */
	if (fd < 0) {
		seterr(err, errlen, "cannot create a file next to %s: %s", path,
		       strerror(errno));
		return -1;
	}
	if (write_all(fd, data, len) != 0 ||
	    (mode != 0600 && fchmod(fd, mode) != 0) || fsync(fd) != 0) {
		seterr(err, errlen, "cannot write %s: %s", path,
		       strerror(errno));
		close(fd);
		unlink(tmp);
		return -1;
	}
	if (close(fd) != 0) {
		seterr(err, errlen, "cannot write %s: %s", path,
		       strerror(errno));
		unlink(tmp);
		return -1;
	}
	if (force ? rename(tmp, path) != 0 : link(tmp, path) != 0) {
		if (errno == EEXIST)
			seterr(err, errlen,
			       "%s exists; use -force to overwrite it", path);
		else
			seterr(err, errlen, "cannot write %s: %s", path,
			       strerror(errno));
		unlink(tmp);
		return -1;
	}
	if (!force)
		unlink(tmp);
	return 0;
}
