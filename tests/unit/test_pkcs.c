/*
 * pkcs: private keys in every form OpenSSL 3 writes, PKCS#12 files by
 * OpenSSL 3 defaults (PBES2-AES, HMAC-SHA256) and -legacy (RC2-40, 3DES,
 * SHA-1 MAC), and the parser's bounds on truncated and damaged input.
 * Fixtures are made fresh by tests/data/make-fixtures.sh.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "fixtures.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pkcs.h"

#define PW "test-pass"

static char fx[256];

static int
group_setup(void **state)
{
	(void)state;
	return fixtures_make(fx, sizeof(fx), "pkcs", false);
}

static int
group_teardown(void **state)
{
	(void)state;
	return fixtures_remove(fx);
}

/* Reads a fixture; the caller frees it. */
static unsigned char *
slurp(const char *name, size_t *len)
{
	char path[512];
	unsigned char *buf;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", fx, name);
	f = fopen(path, "rb");
	assert_non_null(f);
	buf = malloc(PKCS_MAX_FILE);
	assert_non_null(buf);
	*len = fread(buf, 1, PKCS_MAX_FILE, f);
	fclose(f);
	return buf;
}

static int
parse_key_file(const char *name, const char *password, mbedtls_pk_type_t *t,
	       char *err, size_t errlen)
{
	mbedtls_pk_context pk;
	size_t len;
	unsigned char *buf = slurp(name, &len);
	int ret;

	mbedtls_pk_init(&pk);
	ret = pkcs_parse_key(&pk, buf, len, password, err, errlen);
	*t = mbedtls_pk_get_type(&pk);
	if (ret != 0)
		assert_int_equal(*t, MBEDTLS_PK_NONE);
	mbedtls_pk_free(&pk);
	free(buf);
	return ret;
}

struct key_case {
	const char *file;
	mbedtls_pk_type_t type;
};

static void
test_key_forms(void **state)
{
	static const struct key_case cases[] = {
	    {"node1.key", MBEDTLS_PK_ECKEY},	    /* SEC1 */
	    {"node1-sec1.der", MBEDTLS_PK_ECKEY},   /* SEC1 DER */
	    {"node1-p8.key", MBEDTLS_PK_ECKEY},	    /* PKCS#8 */
	    {"node1-p8.der", MBEDTLS_PK_ECKEY},	    /* PKCS#8 DER */
	    {"node1-aes.key", MBEDTLS_PK_ECKEY},    /* OpenSSL 3 default */
	    {"node1-aes128.key", MBEDTLS_PK_ECKEY}, /* PBES2 AES-128 */
	    {"node1-aes192-sha512.key", MBEDTLS_PK_ECKEY}, /* PRF SHA-512 */
	    {"node1-des3v2.key", MBEDTLS_PK_ECKEY},	   /* PBES2 3DES */
	    {"node1-3des.key", MBEDTLS_PK_ECKEY},	   /* PBE-SHA1-3DES */
	    {"node1-trad.key", MBEDTLS_PK_ECKEY},	   /* DEK-Info AES */
	    {"node2.key", MBEDTLS_PK_RSA},		   /* PKCS#1 */
	    {"node2-aes.key", MBEDTLS_PK_RSA},		   /* RSA PBES2 AES */
	};
	char err[256];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		mbedtls_pk_type_t t;
		if (parse_key_file(cases[i].file, PW, &t, err, sizeof(err)) !=
		    0)
			fail_msg("%s: %s", cases[i].file, err);
		assert_int_equal(t, cases[i].type);
	}
}

static void
test_key_password_errors(void **state)
{
	static const char *const encrypted[] = {
	    "node1-aes.key",  "node1-3des.key", "node1-des3v2.key",
	    "node1-trad.key", "node2-aes.key",
	};
	mbedtls_pk_type_t t;
	char err[256];

	(void)state;
	for (size_t i = 0; i < sizeof(encrypted) / sizeof(encrypted[0]); i++) {
		assert_int_equal(
		    parse_key_file(encrypted[i], "wrong", &t, err, sizeof(err)),
		    -1);
		assert_string_equal(err, "wrong password");
		assert_int_equal(
		    parse_key_file(encrypted[i], NULL, &t, err, sizeof(err)),
		    -1);
		assert_string_equal(err, "the key is encrypted and no password "
					 "is set");
	}
	/* encryption we do not do is named */
	assert_int_equal(
	    parse_key_file("node1-camellia.key", PW, &t, err, sizeof(err)), -1);
	assert_string_equal(err,
			    "unsupported PBES2 cipher (AES-CBC or 3DES only)");
	assert_int_equal(
	    parse_key_file("node1-scrypt.key", PW, &t, err, sizeof(err)), -1);
	assert_string_equal(err,
			    "unsupported PBES2 key derivation (only PBKDF2)");
	/* a password given for a plain key is harmless */
	assert_int_equal(parse_key_file("node1.key", "x", &t, err, sizeof(err)),
			 0);
	/* not a key */
	assert_int_equal(parse_key_file("ext.cnf", NULL, &t, err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "not a usable private key"));
}

static void
test_epki_unsupported_algorithm(void **state)
{
	/* SEQUENCE { SEQUENCE { OID 1.2.3.4, NULL }, OCTET STRING[16] } */
	static const unsigned char der[] = {
	    0x30, 0x1b, 0x30, 0x07, 0x06, 0x03, 0x2a, 0x03, 0x04, 0x05,
	    0x00, 0x04, 0x10, 1,    2,	  3,	4,    5,    6,	  7,
	    8,	  9,	10,   11,   12,	  13,	14,   15,   16,
	};
	unsigned char *out = (unsigned char *)1;
	size_t outlen = 1;
	char err[256];

	(void)state;
	assert_int_equal(pkcs_decrypt_epki(der, sizeof(der), PW, &out, &outlen,
					   err, sizeof(err)),
			 -1);
	assert_null(out);
	assert_int_equal(outlen, 0);
	assert_string_equal(err, "unsupported encryption algorithm 1.2.3.4 "
				 "(use PBES2 with AES-CBC)");
	/* trailing garbage after the structure */
	assert_int_equal(pkcs_decrypt_epki(der, sizeof(der) - 1, PW, &out,
					   &outlen, err, sizeof(err)),
			 -1);
	assert_string_equal(err, "not a valid encrypted PKCS#8 private key");
}

static int
parse_p12(const char *name, const char *password, int *ncerts, char *cn0,
	  size_t cnlen, char *err, size_t errlen)
{
	mbedtls_x509_crt chain;
	mbedtls_pk_context pk;
	size_t len;
	unsigned char *buf = slurp(name, &len);
	int ret;

	mbedtls_x509_crt_init(&chain);
	mbedtls_pk_init(&pk);
	ret = pkcs12_parse(buf, len, password, &chain, &pk, err, errlen);
	*ncerts = 0;
	for (mbedtls_x509_crt *c = &chain; c != NULL && c->raw.p != NULL;
	     c = c->next)
		(*ncerts)++;
	if (ret == 0) {
		assert_int_equal(mbedtls_pk_check_pair(&chain.pk, &pk), 0);
		assert_true(mbedtls_x509_dn_gets(cn0, cnlen, &chain.subject) >
			    0);
	}
	mbedtls_x509_crt_free(&chain);
	mbedtls_pk_free(&pk);
	free(buf);
	return ret;
}

struct p12_case {
	const char *file;
	const char *password;
	int ncerts;
};

static void
test_pkcs12_forms(void **state)
{
	static const char long_pw[] =
	    "0123456789-0123456789-0123456789-0123456789";
	static const struct p12_case cases[] = {
	    {"node1.p12", PW, 2},	   /* OpenSSL 3 default */
	    {"node1-legacy.p12", PW, 2},   /* RC2-40 + 3DES + SHA-1 */
	    {"node1-3des.p12", PW, 2},	   /* 3DES both */
	    {"node1-nomac.p12", PW, 2},	   /* no MAC */
	    {"node1-intfirst.p12", PW, 2}, /* key's cert not first */
	    {"node1-withroot.p12", PW, 2}, /* root left out */
	    {"node1-sha512.p12", PW, 1},   /* 128-byte KDF blocks */
	    {"node1-longpw.p12", long_pw, 1},
	    {"node1-longpw-legacy.p12", long_pw, 1},
	    {"node1-utf8.p12", "p\xc3\xa4ssw\xc3\xb6rd", 1}, /* pässwörd */
	    {"node1-emptypw.p12", "", 1},
	    {"node1-emptypw.p12", NULL, 1},
	    {"node2.p12", PW, 1},
	};
	char cn[256], err[256];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int n;
		const char *pw = cases[i].password;
		if (parse_p12(cases[i].file, pw, &n, cn, sizeof(cn), err,
			      sizeof(err)) != 0)
			fail_msg("%s: %s", cases[i].file, err);
		assert_int_equal(n, cases[i].ncerts);
		if (strncmp(cases[i].file, "node2", 5) == 0)
			assert_string_equal(cn, "CN=node2.cluster.test");
		else
			assert_string_equal(cn, "CN=node1.cluster.test");
	}
}

static void
test_pkcs12_errors(void **state)
{
	char cn[256], err[256];
	int n;

	(void)state;
	assert_int_equal(parse_p12("node1.p12", "wrong", &n, cn, sizeof(cn),
				   err, sizeof(err)),
			 -1);
	assert_string_equal(err, "wrong password (the MAC does not verify)");
	assert_int_equal(n, 0);
	assert_int_equal(parse_p12("node1-legacy.p12", "wrong", &n, cn,
				   sizeof(cn), err, sizeof(err)),
			 -1);
	assert_string_equal(err, "wrong password (the MAC does not verify)");
	/* without a MAC the decryption itself notices */
	assert_int_equal(parse_p12("node1-nomac.p12", "wrong", &n, cn,
				   sizeof(cn), err, sizeof(err)),
			 -1);
	assert_string_equal(err, "wrong password");
	assert_int_equal(
	    parse_p12("nokey.p12", PW, &n, cn, sizeof(cn), err, sizeof(err)),
	    -1);
	assert_string_equal(err, "holds no private key");
	/* a PEM file is not a PFX */
	assert_int_equal(
	    parse_p12("node1.crt", PW, &n, cn, sizeof(cn), err, sizeof(err)),
	    -1);
	assert_string_equal(err, "not a PKCS#12 file (no PFX structure)");
}

/* Every truncation and many single-byte changes of a PKCS#12 file fail
 * cleanly (ASan watches the bounds); none may yield a key. */
static void
test_pkcs12_damaged_input(void **state)
{
	size_t len;
	unsigned char *buf = slurp("node1-nomac.p12", &len);
	unsigned char *copy = malloc(len);
	char err[256];

	(void)state;
	assert_non_null(copy);
	for (size_t cut = 0; cut < len; cut += 5) {
		mbedtls_x509_crt chain;
		mbedtls_pk_context pk;
		mbedtls_x509_crt_init(&chain);
		mbedtls_pk_init(&pk);
		memcpy(copy, buf, cut);
		assert_int_equal(
		    pkcs12_parse(copy, cut, PW, &chain, &pk, err, sizeof(err)),
		    -1);
		assert_true(err[0] != '\0');
		mbedtls_x509_crt_free(&chain);
		mbedtls_pk_free(&pk);
	}
	for (size_t pos = 0; pos < len; pos += 3) {
		mbedtls_x509_crt chain;
		mbedtls_pk_context pk;
		mbedtls_x509_crt_init(&chain);
		mbedtls_pk_init(&pk);
		memcpy(copy, buf, len);
		copy[pos] ^= 0x5a;
		/* a flip inside a signature or a salt may still parse;
		 * what matters is that nothing reads out of bounds and that
		 * an error always says why */
		if (pkcs12_parse(copy, len, PW, &chain, &pk, err,
				 sizeof(err)) != 0)
			assert_true(err[0] != '\0');
		mbedtls_x509_crt_free(&chain);
		mbedtls_pk_free(&pk);
	}
	free(copy);
	free(buf);
}

static void
test_pkcs12_size_bound(void **state)
{
	mbedtls_x509_crt chain;
	mbedtls_pk_context pk;
	char err[256];
	static const unsigned char one = 0x30;

	(void)state;
	mbedtls_x509_crt_init(&chain);
	mbedtls_pk_init(&pk);
	assert_int_equal(pkcs12_parse(&one, PKCS_MAX_FILE + 1, PW, &chain, &pk,
				      err, sizeof(err)),
			 -1);
	assert_string_equal(err, "empty or larger than 1 MiB");
	assert_int_equal(pkcs_parse_key(&pk, &one, 0, PW, err, sizeof(err)),
			 -1);
	assert_string_equal(err, "empty or larger than 1 MiB");
	mbedtls_x509_crt_free(&chain);
	mbedtls_pk_free(&pk);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_key_forms),
	    cmocka_unit_test(test_key_password_errors),
	    cmocka_unit_test(test_epki_unsupported_algorithm),
	    cmocka_unit_test(test_pkcs12_forms),
	    cmocka_unit_test(test_pkcs12_errors),
	    cmocka_unit_test(test_pkcs12_damaged_input),
	    cmocka_unit_test(test_pkcs12_size_bound),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
