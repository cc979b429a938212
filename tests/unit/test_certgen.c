/*
 * certgen: the DER we write ourselves against what OpenSSL writes for the
 * same names, certificates parsed back with mbedTLS, CA loading, and the
 * file rules (modes, no overwrite without force).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <mbedtls/oid.h>
#include <mbedtls/x509_crt.h>

#include "certgen.h"

/* ---- known-good encodings (openssl req -addext, OpenSSL 3.0) ---------- */

static int
unhex(const char *hex, unsigned char *out, size_t size)
{
	size_t n = strlen(hex) / 2, i;
	unsigned int b;

	assert_true(n <= size);
	for (i = 0; i < n; i++) {
		assert_int_equal(sscanf(hex + 2 * i, "%2x", &b), 1);
		out[i] = (unsigned char)b;
	}
	return (int)n;
}

/* subjectAltName=DNS:localhost,DNS:*.cluster.test,IP:127.0.0.1,IP:::1,
 * IP:fe80::1:2 */
static const char openssl_san_hex[] =
    "304582096c6f63616c686f7374820e2a2e636c75737465722e7465737487047f0000"
    "018710000000000000000000000000000000018710fe800000000000000000000000"
    "010002";

static void
test_san_der_equals_openssl_encoding(void **state)
{
	const char *dns[] = {"localhost", "*.cluster.test"};
	const char *ips[] = {"127.0.0.1", "::1", "fe80::1:2"};
	unsigned char want[128], got[CERTGEN_SAN_DER_MAX];
	size_t len = 0;
	char err[256] = "";
	int wlen;

	(void)state;
	wlen = unhex(openssl_san_hex, want, sizeof(want));
	assert_int_equal(certgen_san_der(ips, 3, dns, 2, got, sizeof(got), &len,
					 err, sizeof(err)),
			 0);
	assert_int_equal(len, (size_t)wlen);
	assert_memory_equal(got, want, len);
}

static void
test_san_der_single_ip_only(void **state)
{
	const char *ips[] = {"10.0.0.7"};
	const unsigned char want[] = {0x30, 0x06, 0x87, 0x04, 10, 0, 0, 7};
	unsigned char got[64];
	size_t len = 0;
	char err[256];

	(void)state;
	assert_int_equal(certgen_san_der(ips, 1, NULL, 0, got, sizeof(got),
					 &len, err, sizeof(err)),
			 0);
	assert_int_equal(len, sizeof(want));
	assert_memory_equal(got, want, len);
}

static void
test_eku_der_equals_openssl_encoding(void **state)
{
	static const struct {
		unsigned int eku;
		const char *hex;
	} cases[] = {
	    {CERTGEN_EKU_SERVER | CERTGEN_EKU_CLIENT,
	     "301406082b0601050507030106082b06010505070302"},
	    {CERTGEN_EKU_SERVER, "300a06082b06010505070301"},
	    {CERTGEN_EKU_CLIENT, "300a06082b06010505070302"},
	};
	unsigned char want[64], got[64];
	size_t i, len;
	char err[256];

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int wlen = unhex(cases[i].hex, want, sizeof(want));

		len = 0;
		assert_int_equal(certgen_eku_der(cases[i].eku, got, sizeof(got),
						 &len, err, sizeof(err)),
				 0);
		assert_int_equal(len, (size_t)wlen);
		assert_memory_equal(got, want, len);
	}
	assert_int_equal(
	    certgen_eku_der(0, got, sizeof(got), &len, err, sizeof(err)), -1);
	assert_int_equal(
	    certgen_eku_der(0x10, got, sizeof(got), &len, err, sizeof(err)),
	    -1);
}

static void
test_san_der_refuses_bad_input_with_reason(void **state)
{
	static const struct {
		const char *ip, *dns, *reason;
	} cases[] = {
	    {"1.2.3", NULL, "bad IP address \"1.2.3\""},
	    {"256.0.0.1", NULL, "bad IP address"},
	    {"::g", NULL, "bad IP address"},
	    {"", NULL, "bad IP address"},
	    {NULL, "bad_name", "bad DNS name \"bad_name\""},
	    {NULL, "a..b", "bad DNS name"},
	    {NULL, "a.*.b", "bad DNS name"},
	    {NULL, "*", "bad DNS name"},
	    {NULL, "host.", "bad DNS name"},
	    {NULL, "", "bad DNS name"},
	};
	unsigned char buf[256];
	size_t i, len;
	char err[256];

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *ip = cases[i].ip, *dns = cases[i].dns;

		err[0] = '\0';
		assert_int_equal(certgen_san_der(&ip, ip ? 1 : 0, &dns,
						 dns ? 1 : 0, buf, sizeof(buf),
						 &len, err, sizeof(err)),
				 -1);
		assert_non_null(strstr(err, cases[i].reason));
	}
	assert_int_equal(certgen_san_der(NULL, 0, NULL, 0, buf, sizeof(buf),
					 &len, err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "no subject alternative name"));
}

static void
test_san_der_bounds_count_and_buffer(void **state)
{
	const char *many[CERTGEN_MAX_SANS + 1];
	unsigned char small[8], *big = malloc(CERTGEN_SAN_DER_MAX);
	size_t i, len;
	char err[256];

	(void)state;
	assert_non_null(big);
	for (i = 0; i <= CERTGEN_MAX_SANS; i++)
		many[i] = "node.example.org";
	assert_int_equal(certgen_san_der(NULL, 0, many, CERTGEN_MAX_SANS, big,
					 CERTGEN_SAN_DER_MAX, &len, err,
					 sizeof(err)),
			 0);
	assert_int_equal(certgen_san_der(NULL, 0, many, CERTGEN_MAX_SANS + 1,
					 big, CERTGEN_SAN_DER_MAX, &len, err,
					 sizeof(err)),
			 -1);
	assert_int_equal(certgen_san_der(NULL, 0, many, 1, small, sizeof(small),
					 &len, err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "exceed"));
	free(big);
}

static void
test_dns_name_rules(void **state)
{
	static const struct {
		const char *name;
		bool ok;
	} cases[] = {
	    {"localhost", true},
	    {"node-1.cluster.example.org", true},
	    {"*.cluster.test", true},
	    {"*.test", true},
	    {"*", false},
	    {"*.", false},
	    {"a*.test", false},
	    {"a.*.test", false},
	    {".test", false},
	    {"test.", false},
	    {"a..b", false},
	    {"under_score", false},
	    {"sp ace", false},
	    {"", false},
	};
	char longlabel[80], longname[300];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(certgen_dns_name_ok(cases[i].name),
				 cases[i].ok);
	memset(longlabel, 'a', 63);
	longlabel[63] = '\0';
	assert_true(certgen_dns_name_ok(longlabel));
	longlabel[63] = 'a';
	longlabel[64] = '\0';
	assert_false(certgen_dns_name_ok(longlabel));
	for (i = 0; i < 254; i++)
		longname[i] = i % 2 ? '.' : 'a';
	longname[253] = '\0'; /* 253 bytes, ends with "a" */
	assert_true(certgen_dns_name_ok(longname));
	longname[253] = '.';
	longname[254] = 'a';
	longname[255] = '\0';
	assert_false(certgen_dns_name_ok(longname));
}

static void
test_time_rules(void **state)
{
	static const struct {
		const char *t;
		bool ok;
	} cases[] = {
	    {"20260101000000", true},
	    {"20240229235959", true},
	    {"20230229000000", false},
	    {"20261301000000", false},
	    {"20260100000000", false},
	    {"20260431000000", false},
	    {"20260101240000", false},
	    {"20260101006000", false},
	    {"2026010100000", false},
	    {"202601010000000", false},
	    {"2026-1-1000000", false},
	    {"19991231235959", false},
	    {"20000101000000", true},
	    {"99991231235959", true},
	    {"", false},
	};
	char out[CERTGEN_TIME_LEN + 1];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(certgen_time_ok(cases[i].t), cases[i].ok);
	assert_int_equal(certgen_format_time(-(time_t)700000000, out), -1);
	assert_int_equal(certgen_format_time(86400 * 365, out), -1); /* 1971 */
	assert_int_equal(certgen_format_time(978307200 + 86399, out), 0);
	assert_string_equal(out, "20010101235959");
}

static void
test_parse_ip_lengths(void **state)
{
	unsigned char a[16];

	(void)state;
	assert_int_equal(certgen_parse_ip("127.0.0.1", a), 4);
	assert_int_equal(certgen_parse_ip("::ffff:10.0.0.1", a), 16);
	assert_int_equal(certgen_parse_ip("2001:db8::1", a), 16);
	assert_int_equal(certgen_parse_ip("localhost", a), -1);
	assert_int_equal(certgen_parse_ip("1.2.3.4 ", a), -1);
}

/* ---- issuing and parsing back ------------------------------------------ */

/* An OpenSSL-made CA whose subject has a PrintableString (C=US) and
 * several attributes; no key usage extension. Valid until 2126. */
static const char openssl_ca_crt[] =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIB7jCCAZOgAwIBAgIUQOpLb5la0qaMbgxMZ7M83H7FvhgwCgYIKoZIzj0EAwIw\n"
    "SzELMAkGA1UEBhMCVVMxFDASBgNVBAoMC0V4YW1wbGUgT3JnMQwwCgYDVQQLDANP\n"
    "cHMxGDAWBgNVBAMMD0V4YW1wbGUgUm9vdCBDQTAgFw0yNjExMjIxMDM5NDhaGA8y\n"
    "MTI2MTAyOTEwMzk0OFowSzELMAkGA1UEBhMCVVMxFDASBgNVBAoMC0V4YW1wbGUg\n"
    "T3JnMQwwCgYDVQQLDANPcHMxGDAWBgNVBAMMD0V4YW1wbGUgUm9vdCBDQTBZMBMG\n"
    "ByqGSM49AgEGCCqGSM49AwEHA0IABA4ojsCOnkn3IJw0LsZxjT9tsbo+9yCBrNQN\n"
    "8nxWO5zVPq8ALxfSnyZDh6Eme7RT/J3LEJ0PTpA0nA3BJCukVBejUzBRMB0GA1Ud\n"
    "DgQWBBQldYfUr8pC/CxqgQGGCc8nj48KCDAfBgNVHSMEGDAWgBQldYfUr8pC/Cxq\n"
    "gQGGCc8nj48KCDAPBgNVHRMBAf8EBTADAQH/MAoGCCqGSM49BAMCA0kAMEYCIQC3\n"
    "qADQ2opSkjq2qdKCvuCVyNrBOgR051Ykkhdt8ewOEwIhAO/4CQ4Ou15FiOFWmf5z\n"
    "7eERjvGYFpKTqzCwOi0hGPYz\n"
    "-----END CERTIFICATE-----\n";
static const char openssl_ca_key[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgcKyMQh7uWBAT7GQT\n"
    "FWNxxerG3+TZgvDnHK7qgT4U3BihRANCAAQOKI7Ajp5J9yCcNC7GcY0/bbG6Pvcg\n"
    "gazUDfJ8Vjuc1T6vAC8X0p8mQ4ehJnu0U/ydyxCdD06QNJwNwSQrpFQX\n"
    "-----END PRIVATE KEY-----\n";

static void
ca_from_pem(struct certgen_ca *ca, const char *crt, const char *key)
{
	certgen_ca_init(ca);
	assert_int_equal(mbedtls_x509_crt_parse(&ca->crt,
						(const unsigned char *)crt,
						strlen(crt) + 1),
			 0);
	assert_int_equal(mbedtls_pk_parse_key(&ca->key,
					      (const unsigned char *)key,
					      strlen(key) + 1, NULL, 0),
			 0);
}

static void
req_defaults(struct certgen_req *r, enum certgen_kind kind, const char *cn)
{
	memset(r, 0, sizeof(*r));
	r->kind = kind;
	r->key_type = CERTGEN_KEY_EC;
	r->rsa_bits = 2048;
	r->common_name = cn;
	r->now = time(NULL);
	r->days = 30;
	r->pathlen = -1;
}

/* Issues req and parses the result into crt (initialised here). */
static void
issue_parse(const struct certgen_req *r, mbedtls_x509_crt *crt,
	    struct certgen_result *res)
{
	char err[512] = "";
	int rc = certgen_issue(r, res, err, sizeof(err));

	if (rc != 0)
		fail_msg("certgen_issue: %s", err);
	mbedtls_x509_crt_init(crt);
	assert_int_equal(
	    mbedtls_x509_crt_parse(crt, (const unsigned char *)res->cert_pem,
				   res->cert_len + 1),
	    0);
}

/* A fresh self-signed EC CA as an issuer. */
static void
make_root(struct certgen_ca *ca, int pathlen)
{
	struct certgen_req r;
	struct certgen_result res;
	char err[512];

	req_defaults(&r, CERTGEN_CA, "test CA");
	r.pathlen = pathlen;
	assert_int_equal(certgen_issue(&r, &res, err, sizeof(err)), 0);
	ca_from_pem(ca, res.cert_pem, res.key_pem);
	certgen_result_free(&res);
}

static void
test_ca_is_a_proper_ca(void **state)
{
	struct certgen_req r;
	struct certgen_result res;
	mbedtls_x509_crt crt;

	(void)state;
	req_defaults(&r, CERTGEN_CA, "gossipd CA");
	issue_parse(&r, &crt, &res);
	assert_true(crt.ca_istrue);
	assert_int_equal(crt.max_pathlen, 0); /* no limit */
	assert_int_equal(crt.key_usage, MBEDTLS_X509_KU_KEY_CERT_SIGN |
					    MBEDTLS_X509_KU_CRL_SIGN);
	assert_true(crt.ext_types & MBEDTLS_X509_EXT_BASIC_CONSTRAINTS);
	assert_false(crt.ext_types & MBEDTLS_X509_EXT_EXTENDED_KEY_USAGE);
	assert_int_equal(crt.subject_raw.len, crt.issuer_raw.len);
	assert_memory_equal(crt.subject_raw.p, crt.issuer_raw.p,
			    crt.subject_raw.len);
	assert_int_equal(crt.sig_md, MBEDTLS_MD_SHA256);
	assert_non_null(strstr(res.key_pem, "BEGIN EC PRIVATE KEY"));
	mbedtls_x509_crt_free(&crt);
	certgen_result_free(&res);
}

static const unsigned char ip4_loop[] = {127, 0, 0, 1};
static const unsigned char ip6_loop[] = {0, 0, 0, 0, 0, 0, 0, 0,
					 0, 0, 0, 0, 0, 0, 0, 1};

static void
test_node_certificate_parses_back_with_sans_and_eku(void **state)
{
	const char *ips[] = {"127.0.0.1", "::1"};
	const char *dns[] = {"localhost"};
	struct certgen_ca ca;
	struct certgen_req r;
	struct certgen_result res;
	mbedtls_x509_crt crt;
	const mbedtls_x509_sequence *s;
	uint32_t flags = 0;

	(void)state;
	make_root(&ca, -1);
	req_defaults(&r, CERTGEN_NODE, "node1.cluster.test");
	r.ips = ips;
	r.n_ips = 2;
	r.dns = dns;
	r.n_dns = 1;
	r.issuer = &ca;
	issue_parse(&r, &crt, &res);

	s = &crt.subject_alt_names;
	assert_int_equal(s->buf.tag, MBEDTLS_ASN1_CONTEXT_SPECIFIC | 2);
	assert_int_equal(s->buf.len, 9);
	assert_memory_equal(s->buf.p, "localhost", 9);
	s = s->next;
	assert_non_null(s);
	assert_int_equal(s->buf.tag, MBEDTLS_ASN1_CONTEXT_SPECIFIC | 7);
	assert_int_equal(s->buf.len, 4);
	assert_memory_equal(s->buf.p, ip4_loop, 4);
	s = s->next;
	assert_non_null(s);
	assert_int_equal(s->buf.len, 16);
	assert_memory_equal(s->buf.p, ip6_loop, 16);
	assert_null(s->next);

	assert_int_equal(mbedtls_x509_crt_check_extended_key_usage(
			     &crt, MBEDTLS_OID_SERVER_AUTH,
			     MBEDTLS_OID_SIZE(MBEDTLS_OID_SERVER_AUTH)),
			 0);
	assert_int_equal(mbedtls_x509_crt_check_extended_key_usage(
			     &crt, MBEDTLS_OID_CLIENT_AUTH,
			     MBEDTLS_OID_SIZE(MBEDTLS_OID_CLIENT_AUTH)),
			 0);
	assert_int_equal(crt.key_usage, MBEDTLS_X509_KU_DIGITAL_SIGNATURE |
					    MBEDTLS_X509_KU_KEY_ENCIPHERMENT);
	assert_false(crt.ca_istrue);
	assert_int_equal(crt.serial.len, 16);
	assert_int_equal(crt.serial.p[0] & 0x80, 0);
	assert_int_equal(crt.issuer_raw.len, ca.crt.subject_raw.len);
	assert_memory_equal(crt.issuer_raw.p, ca.crt.subject_raw.p,
			    crt.issuer_raw.len);
	assert_int_equal(mbedtls_x509_crt_verify(&crt, &ca.crt, NULL, NULL,
						 &flags, NULL, NULL),
			 0);
	mbedtls_x509_crt_free(&crt);
	certgen_result_free(&res);
	certgen_ca_free(&ca);
}

static void
test_issuer_name_copies_openssl_ca_subject_byte_for_byte(void **state)
{
	const char *ips[] = {"10.1.2.3"};
	struct certgen_ca ca;
	struct certgen_req r;
	struct certgen_result res;
	mbedtls_x509_crt crt;
	uint32_t flags = 0;

	(void)state;
	ca_from_pem(&ca, openssl_ca_crt, openssl_ca_key);
	req_defaults(&r, CERTGEN_NODE, "n1");
	r.ips = ips;
	r.n_ips = 1;
	r.issuer = &ca;
	issue_parse(&r, &crt, &res);
	assert_int_equal(crt.issuer_raw.len, ca.crt.subject_raw.len);
	assert_memory_equal(crt.issuer_raw.p, ca.crt.subject_raw.p,
			    crt.issuer_raw.len);
	assert_int_equal(mbedtls_x509_crt_verify(&crt, &ca.crt, NULL, NULL,
						 &flags, NULL, NULL),
			 0);
	mbedtls_x509_crt_free(&crt);
	certgen_result_free(&res);
	certgen_ca_free(&ca);
}

static void
test_eku_override_and_client_defaults(void **state)
{
	const char *dns[] = {"n.test"};
	struct certgen_ca ca;
	struct certgen_req r;
	struct certgen_result res;
	mbedtls_x509_crt crt;

	(void)state;
	make_root(&ca, -1);
	req_defaults(&r, CERTGEN_NODE, "n");
	r.dns = dns;
	r.n_dns = 1;
	r.eku = CERTGEN_EKU_SERVER;
	r.issuer = &ca;
	issue_parse(&r, &crt, &res);
	assert_int_equal(mbedtls_x509_crt_check_extended_key_usage(
			     &crt, MBEDTLS_OID_SERVER_AUTH,
			     MBEDTLS_OID_SIZE(MBEDTLS_OID_SERVER_AUTH)),
			 0);
	assert_int_not_equal(mbedtls_x509_crt_check_extended_key_usage(
				 &crt, MBEDTLS_OID_CLIENT_AUTH,
				 MBEDTLS_OID_SIZE(MBEDTLS_OID_CLIENT_AUTH)),
			     0);
	mbedtls_x509_crt_free(&crt);
	certgen_result_free(&res);

	req_defaults(&r, CERTGEN_CLIENT, "web-client, with comma=1");
	r.issuer = &ca;
	issue_parse(&r, &crt, &res);
	assert_int_not_equal(mbedtls_x509_crt_check_extended_key_usage(
				 &crt, MBEDTLS_OID_SERVER_AUTH,
				 MBEDTLS_OID_SIZE(MBEDTLS_OID_SERVER_AUTH)),
			     0);
	assert_int_equal(mbedtls_x509_crt_check_extended_key_usage(
			     &crt, MBEDTLS_OID_CLIENT_AUTH,
			     MBEDTLS_OID_SIZE(MBEDTLS_OID_CLIENT_AUTH)),
			 0);
	assert_false(crt.ext_types & MBEDTLS_X509_EXT_SUBJECT_ALT_NAME);
	/* the CN is one attribute, comma and all */
	assert_null(crt.subject.next);
	assert_int_equal(crt.subject.val.len, strlen(r.common_name));
	assert_memory_equal(crt.subject.val.p, r.common_name,
			    crt.subject.val.len);
	mbedtls_x509_crt_free(&crt);
	certgen_result_free(&res);
	certgen_ca_free(&ca);
}

/* How often does der hold needle? */
static int
count_bytes(const unsigned char *der, size_t len, const unsigned char *needle,
	    size_t nlen)
{
	int n = 0;

	for (size_t i = 0; i + nlen <= len; i++)
		n += memcmp(der + i, needle, nlen) == 0;
	return n;
}

/* ecdsa-with-SHA256 with and without the NULL parameters (RFC 5758 3.2). */
static const unsigned char ecdsa_null[] = {0x06, 0x08, 0x2a, 0x86, 0x48, 0xce,
					   0x3d, 0x04, 0x03, 0x02, 0x05, 0x00};
static const unsigned char ecdsa_bare[] = {0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86,
					   0x48, 0xce, 0x3d, 0x04, 0x03, 0x02};

/* Both ECDSA identifiers without parameters; the signatures verify; the
 * AKI is the issuer's SKI. */
static void
test_ecdsa_identifiers_have_no_parameters(void **state)
{
	const char *ips[] = {"127.0.0.1"};
	struct certgen_ca ca;
	struct certgen_req r;
	struct certgen_result res;
	mbedtls_x509_crt crt;
	uint32_t flags = 0;

	(void)state;
	make_root(&ca, -1);
	assert_int_equal(
	    count_bytes(ca.crt.raw.p, ca.crt.raw.len, ecdsa_null, 12), 0);
	/* self-signed: its own signature verifies */
	assert_int_equal(mbedtls_x509_crt_verify(&ca.crt, &ca.crt, NULL, NULL,
						 &flags, NULL, NULL),
			 0);
	req_defaults(&r, CERTGEN_NODE, "n1");
	r.ips = ips;
	r.n_ips = 1;
	r.issuer = &ca;
	issue_parse(&r, &crt, &res);
	assert_int_equal(count_bytes(crt.raw.p, crt.raw.len, ecdsa_null, 12),
			 0);
	/* in the TBS and in signatureAlgorithm */
	assert_int_equal(
	    count_bytes(crt.raw.p, crt.raw.len, ecdsa_bare, sizeof(ecdsa_bare)),
	    2);
	assert_int_equal(crt.sig_md, MBEDTLS_MD_SHA256);
	assert_int_equal(crt.sig_pk, MBEDTLS_PK_ECDSA);
	assert_int_equal(mbedtls_x509_crt_verify(&crt, &ca.crt, NULL, NULL,
						 &flags, NULL, NULL),
			 0);
	mbedtls_x509_crt_free(&crt);
	certgen_result_free(&res);
	certgen_ca_free(&ca);
}

/* RSA keeps its NULL (RFC 4055); a CA name is unique by default. */
static void
test_rsa_null_and_default_ca_name(void **state)
{
	static const unsigned char rsa_null[] = {0x06, 0x09, 0x2a, 0x86, 0x48,
						 0x86, 0xf7, 0x0d, 0x01, 0x01,
						 0x0b, 0x05, 0x00};
	struct certgen_req r;
	struct certgen_result res;
	mbedtls_x509_crt crt;
	char a[CERTGEN_MAX_CN_LEN + 1], b[CERTGEN_MAX_CN_LEN + 1];

	(void)state;
	req_defaults(&r, CERTGEN_CA, "rsa CA");
	r.key_type = CERTGEN_KEY_RSA;
	issue_parse(&r, &crt, &res);
	/* in the TBS and in signatureAlgorithm */
	assert_int_equal(
	    count_bytes(crt.raw.p, crt.raw.len, rsa_null, sizeof(rsa_null)), 2);
	mbedtls_x509_crt_free(&crt);
	certgen_result_free(&res);

	/* 2026-12-04 00:00:00 UTC */
	assert_int_equal(certgen_default_ca_name(1796342400, a, sizeof(a)), 0);
	assert_int_equal(certgen_default_ca_name(1796342400, b, sizeof(b)), 0);
	assert_int_equal(strncmp(a, "gossipd CA 2026-12-04 ", 22), 0);
	assert_int_equal(strlen(a), 28);
	/* 24 random bits: equal names would mean no randomness */
	assert_string_not_equal(a, b);
}

static void
test_rsa_key_and_explicit_validity(void **state)
{
	struct certgen_req r;
	struct certgen_result res;
	mbedtls_x509_crt crt;

	(void)state;
	req_defaults(&r, CERTGEN_CA, "rsa CA");
	r.key_type = CERTGEN_KEY_RSA;
	r.not_before = "20200101000000";
	r.not_after = "20210102030405";
	issue_parse(&r, &crt, &res);
	assert_int_equal(mbedtls_pk_get_type(&crt.pk), MBEDTLS_PK_RSA);
	assert_int_equal(mbedtls_pk_get_bitlen(&crt.pk), 2048);
	assert_non_null(strstr(res.key_pem, "BEGIN RSA PRIVATE KEY"));
	assert_int_equal(crt.valid_from.year, 2020);
	assert_int_equal(crt.valid_to.year, 2021);
	assert_int_equal(crt.valid_to.mon, 1);
	assert_int_equal(crt.valid_to.day, 2);
	assert_int_equal(crt.valid_to.sec, 5);
	assert_true(mbedtls_x509_time_is_past(&crt.valid_to));
	mbedtls_x509_crt_free(&crt);
	certgen_result_free(&res);
}

static void
test_days_set_not_after(void **state)
{
	struct certgen_req r;
	struct certgen_result res;
	mbedtls_x509_crt crt;

	(void)state;
	req_defaults(&r, CERTGEN_CA, "c");
	r.now = 1767225600; /* 2026-01-01T00:00:00Z */
	r.days = 365;
	issue_parse(&r, &crt, &res);
	assert_int_equal(crt.valid_from.year, 2026);
	assert_int_equal(crt.valid_to.year, 2027);
	assert_int_equal(crt.valid_to.mon, 1);
	assert_int_equal(crt.valid_to.day, 1);
	mbedtls_x509_crt_free(&crt);
	certgen_result_free(&res);
}

static void
test_intermediate_pathlen_is_enforced(void **state)
{
	struct certgen_ca root, inter;
	struct certgen_req r;
	struct certgen_result res;
	mbedtls_x509_crt crt;
	char err[512] = "";

	(void)state;
	make_root(&root, -1);
	req_defaults(&r, CERTGEN_CA, "intermediate");
	r.pathlen = 0;
	r.issuer = &root;
	issue_parse(&r, &crt, &res);
	assert_true(crt.ca_istrue);
	assert_int_equal(crt.max_pathlen, 1); /* mbedTLS stores pathlen+1 */
	ca_from_pem(&inter, res.cert_pem, res.key_pem);
	mbedtls_x509_crt_free(&crt);
	certgen_result_free(&res);

	req_defaults(&r, CERTGEN_CA, "below");
	r.issuer = &inter;
	assert_int_equal(certgen_issue(&r, &res, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "path length 0"));
	certgen_ca_free(&inter);
	certgen_ca_free(&root);

	/* under a root with path length 1: at most 0 below */
	make_root(&root, 1);
	req_defaults(&r, CERTGEN_CA, "too deep");
	r.issuer = &root;
	r.pathlen = 1;
	assert_int_equal(certgen_issue(&r, &res, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "at most 0"));
	r.pathlen = -1;
	assert_int_equal(certgen_issue(&r, &res, err, sizeof(err)), -1);
	r.pathlen = 0;
	assert_int_equal(certgen_issue(&r, &res, err, sizeof(err)), 0);
	certgen_result_free(&res);
	certgen_ca_free(&root);
}

static void
test_issue_refuses_bad_requests(void **state)
{
	static const char *ips[] = {"1.1.1.1"};
	struct certgen_ca ca;
	struct certgen_req r;
	struct certgen_result res;
	char err[512];
	static const char long_cn[] = "0123456789012345678901234567890123456789"
				      "01234567890123456789012345";

	(void)state;
	make_root(&ca, -1);

	req_defaults(&r, CERTGEN_NODE, "n");
	r.issuer = &ca;
	assert_int_equal(certgen_issue(&r, &res, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "at least one IP address or DNS name"));

	r.ips = ips;
	r.n_ips = 1;
	r.days = 0;
	assert_int_equal(certgen_issue(&r, &res, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "days"));

	r.days = 1;
	r.common_name = long_cn;
	assert_int_equal(certgen_issue(&r, &res, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "common name"));

	r.common_name = "n";
	r.key_type = CERTGEN_KEY_RSA;
	r.rsa_bits = 1024;
	assert_int_equal(certgen_issue(&r, &res, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "RSA"));

	r.key_type = CERTGEN_KEY_EC;
	r.not_before = "20270101000000";
	r.not_after = "20260101000000";
	assert_int_equal(certgen_issue(&r, &res, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not after"));

	r.not_before = NULL;
	r.not_after = NULL;
	r.issuer = NULL;
	assert_int_equal(certgen_issue(&r, &res, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "needs a CA"));
	assert_null(res.cert_pem);
	assert_null(res.key_pem);
	certgen_ca_free(&ca);
}

static void
test_describe_node_and_ca(void **state)
{
	const char *ips[] = {"127.0.0.1", "2001:db8::7"};
	const char *dns[] = {"localhost"};
	struct certgen_ca ca;
	struct certgen_req r;
	struct certgen_result res;
	mbedtls_x509_crt crt;
	char buf[256], small[12];

	(void)state;
	make_root(&ca, -1);
	certgen_describe_sans(&ca.crt, buf, sizeof(buf));
	assert_string_equal(buf, "none");
	certgen_describe_ku(&ca.crt, buf, sizeof(buf));
	assert_string_equal(buf, "keyCertSign, cRLSign");
	certgen_describe_eku(&ca.crt, buf, sizeof(buf));
	assert_string_equal(buf, "absent");

	req_defaults(&r, CERTGEN_NODE, "n");
	r.ips = ips;
	r.n_ips = 2;
	r.dns = dns;
	r.n_dns = 1;
	r.issuer = &ca;
	issue_parse(&r, &crt, &res);
	certgen_describe_sans(&crt, buf, sizeof(buf));
	assert_string_equal(buf, "DNS:localhost, IP:127.0.0.1, IP:2001:db8::7");
	certgen_describe_ku(&crt, buf, sizeof(buf));
	assert_string_equal(buf, "digitalSignature, keyEncipherment");
	certgen_describe_eku(&crt, buf, sizeof(buf));
	assert_string_equal(buf, "serverAuth, clientAuth");
	/* bounded: truncated with "..." */
	certgen_describe_sans(&crt, small, sizeof(small));
	assert_int_equal(strlen(small), sizeof(small) - 1);
	assert_string_equal(small + sizeof(small) - 4, "...");
	mbedtls_x509_crt_free(&crt);
	certgen_result_free(&res);
	certgen_ca_free(&ca);
}

/* ---- files and CA loading ---------------------------------------------- */

static char tmpdir[64];

static int
setup_dir(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_certgen.XXXXXX");
	return mkdtemp(tmpdir) == NULL ? -1 : 0;
}

static int
teardown_dir(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static void
path_in(char *buf, size_t size, const char *name)
{
	snprintf(buf, size, "%s/%s", tmpdir, name);
}

static void
put(const char *name, const char *text)
{
	char p[256], err[256];

	path_in(p, sizeof(p), name);
	assert_int_equal(certgen_write_file(p, text, strlen(text), 0644, true,
					    err, sizeof(err)),
			 0);
}

static unsigned int
mode_of(const char *path)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	return st.st_mode & 07777;
}

static size_t
entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

static void
test_write_file_modes_and_force(void **state)
{
	char key[256], crt[256], err[256], buf[16] = "";
	FILE *f;
	mode_t old = umask(0);

	(void)state;
	path_in(key, sizeof(key), "k.key");
	path_in(crt, sizeof(crt), "c.crt");
	assert_int_equal(
	    certgen_write_file(key, "one", 3, 0600, false, err, sizeof(err)),
	    0);
	assert_int_equal(
	    certgen_write_file(crt, "crt", 3, 0644, false, err, sizeof(err)),
	    0);
	umask(old);
	assert_int_equal(mode_of(key), 0600);
	assert_int_equal(mode_of(crt), 0644);

	assert_int_equal(
	    certgen_write_file(key, "two", 3, 0600, false, err, sizeof(err)),
	    -1);
	assert_non_null(strstr(err, "exists; use -force"));
	f = fopen(key, "r");
	assert_non_null(f);
	assert_non_null(fgets(buf, sizeof(buf), f));
	fclose(f);
	assert_string_equal(buf, "one");

	/* force replaces, and a key that was world-readable becomes 0600 */
	assert_int_equal(chmod(key, 0644), 0);
	assert_int_equal(
	    certgen_write_file(key, "two", 3, 0600, true, err, sizeof(err)), 0);
	assert_int_equal(mode_of(key), 0600);
	f = fopen(key, "r");
	assert_non_null(f);
	assert_non_null(fgets(buf, sizeof(buf), f));
	fclose(f);
	assert_string_equal(buf, "two");
	assert_int_equal(entries(tmpdir), 2); /* no temporary files left */
}

static void
test_mkdirs_nested(void **state)
{
	char p[256], err[256];
	mode_t old = umask(022);

	(void)state;
	path_in(p, sizeof(p), "a/b/c");
	assert_int_equal(certgen_mkdirs(p, err, sizeof(err)), 0);
	umask(old);
	assert_int_equal(mode_of(p), 0755);
	assert_int_equal(certgen_mkdirs(p, err, sizeof(err)), 0);
	put("file", "x");
	path_in(p, sizeof(p), "file");
	assert_int_equal(certgen_mkdirs(p, err, sizeof(err)), -1);
}

static void
test_ca_load_checks(void **state)
{
	const char *ips[] = {"1.1.1.1"};
	struct certgen_ca ca, other;
	struct certgen_req r;
	struct certgen_result node;
	char crt[256], key[256], nodecrt[256], nodekey[256], bad[256];
	char err[512];

	(void)state;
	put("ca.crt", openssl_ca_crt);
	put("ca.key", openssl_ca_key);
	path_in(crt, sizeof(crt), "ca.crt");
	path_in(key, sizeof(key), "ca.key");
	certgen_ca_init(&ca);
	assert_int_equal(certgen_ca_load(&ca, crt, key, err, sizeof(err)), 0);

	/* a leaf as a CA */
	req_defaults(&r, CERTGEN_NODE, "n");
	r.ips = ips;
	r.n_ips = 1;
	r.issuer = &ca;
	assert_int_equal(certgen_issue(&r, &node, err, sizeof(err)), 0);
	put("node.crt", node.cert_pem);
	put("node.key", node.key_pem);
	path_in(nodecrt, sizeof(nodecrt), "node.crt");
	path_in(nodekey, sizeof(nodekey), "node.key");
	certgen_ca_init(&other);
	assert_int_equal(
	    certgen_ca_load(&other, nodecrt, nodekey, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "is not a CA certificate"));
	certgen_ca_free(&other);

	/* the wrong key */
	certgen_ca_init(&other);
	assert_int_equal(
	    certgen_ca_load(&other, crt, nodekey, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "does not match"));
	certgen_ca_free(&other);

	/* missing and garbage files */
	path_in(bad, sizeof(bad), "missing.crt");
	certgen_ca_init(&other);
	assert_int_equal(certgen_ca_load(&other, bad, key, err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "cannot read CA certificate"));
	certgen_ca_free(&other);
	put("garbage.crt", "-----BEGIN CERTIFICATE-----\nAAAA\n"
			   "-----END CERTIFICATE-----\n");
	path_in(bad, sizeof(bad), "garbage.crt");
	certgen_ca_init(&other);
	assert_int_equal(certgen_ca_load(&other, bad, key, err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "garbage.crt"));
	certgen_ca_free(&other);

	certgen_result_free(&node);
	certgen_ca_free(&ca);
}

static void
test_crt_load_bundle_and_bounds(void **state)
{
	mbedtls_x509_crt chain;
	char p[256], err[512];
	char *big;
	size_t n = CERTGEN_MAX_FILE + 1;
	FILE *f;

	(void)state;
	/* two certificates in one PEM file */
	path_in(p, sizeof(p), "bundle.pem");
	f = fopen(p, "w");
	assert_non_null(f);
	fputs(openssl_ca_crt, f);
	fputs(openssl_ca_crt, f);
	fclose(f);
	mbedtls_x509_crt_init(&chain);
	assert_int_equal(
	    certgen_crt_load(&chain, p, "certificate", err, sizeof(err)), 0);
	assert_non_null(chain.next);
	mbedtls_x509_crt_free(&chain);

	/* over the bound: refused before parsing */
	big = malloc(n);
	assert_non_null(big);
	memset(big, 'A', n);
	path_in(p, sizeof(p), "big.pem");
	f = fopen(p, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(big, 1, n, f), n);
	fclose(f);
	free(big);
	mbedtls_x509_crt_init(&chain);
	assert_int_equal(
	    certgen_crt_load(&chain, p, "certificate", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "larger than"));
	mbedtls_x509_crt_free(&chain);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_san_der_equals_openssl_encoding),
	    cmocka_unit_test(test_san_der_single_ip_only),
	    cmocka_unit_test(test_eku_der_equals_openssl_encoding),
	    cmocka_unit_test(test_san_der_refuses_bad_input_with_reason),
	    cmocka_unit_test(test_san_der_bounds_count_and_buffer),
	    cmocka_unit_test(test_dns_name_rules),
	    cmocka_unit_test(test_time_rules),
	    cmocka_unit_test(test_parse_ip_lengths),
	    cmocka_unit_test(test_ca_is_a_proper_ca),
	    cmocka_unit_test(
		test_node_certificate_parses_back_with_sans_and_eku),
	    cmocka_unit_test(
		test_issuer_name_copies_openssl_ca_subject_byte_for_byte),
	    cmocka_unit_test(test_eku_override_and_client_defaults),
	    cmocka_unit_test(test_rsa_key_and_explicit_validity),
	    cmocka_unit_test(test_ecdsa_identifiers_have_no_parameters),
	    cmocka_unit_test(test_rsa_null_and_default_ca_name),
	    cmocka_unit_test(test_days_set_not_after),
	    cmocka_unit_test(test_intermediate_pathlen_is_enforced),
	    cmocka_unit_test(test_issue_refuses_bad_requests),
	    cmocka_unit_test(test_describe_node_and_ca),
	    cmocka_unit_test_setup_teardown(test_write_file_modes_and_force,
					    setup_dir, teardown_dir),
	    cmocka_unit_test_setup_teardown(test_mkdirs_nested, setup_dir,
					    teardown_dir),
	    cmocka_unit_test_setup_teardown(test_ca_load_checks, setup_dir,
					    teardown_dir),
	    cmocka_unit_test_setup_teardown(test_crt_load_bundle_and_bounds,
					    setup_dir, teardown_dir),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
