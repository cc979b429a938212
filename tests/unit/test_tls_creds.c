/*
 * tls_creds: SPEC.md section 5, one test per rule, over a PKI made fresh
 * by tests/data/make-fixtures.sh (node1 by an intermediate, node2 RSA by
 * the root, expired/future/revoked leaves, a CRL, keys and PKCS#12 files
 * in every form, password "test-pass").
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "fixtures.h"
#include "httpc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "tls_creds.h"

#define DAY 86400

static char fx[256];

static int
group_setup(void **state)
{
	(void)state;
	return fixtures_make(fx, sizeof(fx), "tls-creds", false);
}

static int
group_teardown(void **state)
{
	(void)state;
	return fixtures_remove(fx);
}

/* The path of a fixture; one stable buffer per name, so that a path
 * stays valid for the whole run. */
static const char *
F(const char *name)
{
	static char names[64][64];
	static char paths[64][512];

	for (int i = 0; i < 64; i++) {
		if (names[i][0] == '\0') {
			snprintf(names[i], sizeof(names[i]), "%s", name);
			snprintf(paths[i], sizeof(paths[i]), "%s/%s", fx, name);
		}
		if (strcmp(names[i], name) == 0)
			return paths[i];
	}
	fail_msg("more than 64 fixture names");
	return NULL;
}

struct warnings {
	int n;
	char all[2048];
};

static void
collect_warning(void *ctx, const char *msg)
{
	struct warnings *w = ctx;
	size_t used = strlen(w->all);

	w->n++;
	snprintf(w->all + used, sizeof(w->all) - used, "%s\n", msg);
}

static struct tls_creds_config
base_cfg(void)
{
	struct tls_creds_config cfg;

	memset(&cfg, 0, sizeof(cfg));
	cfg.certificate_file = F("node1-bundle.pem");
	cfg.private_key_file = F("node1.key");
	cfg.trusted_roots_path = F("ca.crt");
	cfg.advertised_host = "127.0.0.1";
	return cfg;
}

static int
chain_len(const mbedtls_x509_crt *c)
{
	int n = 0;

	for (; c != NULL && c->raw.p != NULL; c = c->next)
		n++;
	return n;
}

/* Loads cfg and expects success; returns the set (caller unrefs). */
static struct tls_creds *
load_ok(const struct tls_creds_config *cfg, time_t now, struct warnings *w)
{
	struct tls_creds *c = NULL;
	char err[1024];

	if (w != NULL)
		memset(w, 0, sizeof(*w));
	if (tls_creds_load(cfg, now, w ? collect_warning : NULL, w, &c, err,
			   sizeof(err)) != 0)
		fail_msg("load %s failed: %s", cfg->certificate_file, err);
	assert_non_null(c);
	return c;
}

/* Loads cfg and expects an error containing expected. */
static void
load_fails(const struct tls_creds_config *cfg, time_t now, const char *expected)
{
	struct tls_creds *c = (struct tls_creds *)1;
	char err[1024];

	assert_int_equal(
	    tls_creds_load(cfg, now, NULL, NULL, &c, err, sizeof(err)), -1);
	assert_null(c);
	if (strstr(err, expected) == NULL)
		fail_msg("error \"%s\" lacks \"%s\"", err, expected);
}

static void
test_pem_bundle_with_intermediate(void **state)
{
	struct tls_creds_config cfg = base_cfg();
	struct warnings w;
	time_t now = time(NULL);

	(void)state;
	struct tls_creds *c = load_ok(&cfg, now, &w);
	assert_int_equal(chain_len(&c->chain), 2);
	assert_string_equal(c->own_cn, "node1.cluster.test");
	assert_int_equal(c->n_trusted, 1);
	assert_false(c->have_crl);
	/* node1: 825 days; intermediate 3000; root 3650 */
	assert_true(c->own_not_after > now + 824 * DAY &&
		    c->own_not_after <= now + 826 * DAY);
	assert_true(c->ca_not_after > now + 2999 * DAY &&
		    c->ca_not_after <= now + 3001 * DAY);
	assert_int_equal(c->refs, 1);
	tls_creds_unref(c);
}

static void
test_reserved_cn_auto_configured(void **state)
{
	struct tls_creds_config cfg = base_cfg();
	struct warnings w;

	(void)state;
	struct tls_creds *c = load_ok(&cfg, time(NULL), &w);
	assert_true(c->reserved_cn_is_auto);
	assert_string_equal(c->reserved_cn, "node1.cluster.test");
	assert_int_equal(w.n, 1);
	assert_non_null(strstr(w.all, "reserved node CN auto-configured from "
				      "own certificate: node1.cluster.test"));
	tls_creds_unref(c);

	cfg.reserved_node_cn = "*.cluster.test";
	c = load_ok(&cfg, time(NULL), &w);
	assert_false(c->reserved_cn_is_auto);
	assert_string_equal(c->reserved_cn, "*.cluster.test");
	assert_int_equal(w.n, 0);
	tls_creds_unref(c);
}

static void
test_reserved_cn_must_match_own(void **state)
{
	struct tls_creds_config cfg = base_cfg();
	char want[1024];

	(void)state;
	cfg.reserved_node_cn = "*.other.test";
	snprintf(want, sizeof(want),
		 "CertificateReservedNodeCommonName \"*.other.test\" does not "
		 "match the CN \"node1.cluster.test\" of the node certificate "
		 "in CertificateFile %s",
		 cfg.certificate_file);
	load_fails(&cfg, time(NULL), want);
}

static void
test_private_key_forms(void **state)
{
	static const char *const keys[] = {
	    "node1.key",	"node1-p8.key",	    "node1-aes.key",
	    "node1-aes128.key", "node1-des3v2.key", "node1-3des.key",
	    "node1-trad.key",	"node1-p8.der",	    "node1-sec1.der",
	};
	(void)state;
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		struct tls_creds_config cfg = base_cfg();
		cfg.private_key_file = F(keys[i]);
		cfg.private_key_password = "test-pass";
		struct tls_creds *c = load_ok(&cfg, time(NULL), NULL);
		assert_int_equal(mbedtls_pk_get_type(&c->key),
				 MBEDTLS_PK_ECKEY);
		tls_creds_unref(c);
	}
}

static void
test_rsa_keys(void **state)
{
	static const char *const keys[] = {"node2.key", "node2-aes.key"};

	(void)state;
	for (size_t i = 0; i < 2; i++) {
		struct tls_creds_config cfg = base_cfg();
		cfg.certificate_file = F("node2.crt");
		cfg.private_key_file = F(keys[i]);
		cfg.private_key_password = "test-pass";
		cfg.advertised_host = "node2.cluster.test";
		struct tls_creds *c = load_ok(&cfg, time(NULL), NULL);
		assert_int_equal(mbedtls_pk_get_type(&c->key), MBEDTLS_PK_RSA);
		assert_int_equal(chain_len(&c->chain), 1);
		tls_creds_unref(c);
	}
}

static void
test_key_password_errors(void **state)
{
	struct tls_creds_config cfg = base_cfg();
	char want[1024];

	(void)state;
	cfg.private_key_file = F("node1-aes.key");
	cfg.private_key_password = "wrong";
	snprintf(want, sizeof(want),
		 "CertificatePrivateKeyFile %s: wrong password "
		 "(CertificatePrivateKeyPassword)",
		 cfg.private_key_file);
	load_fails(&cfg, time(NULL), want);

	cfg.private_key_file = F("node1-3des.key");
	snprintf(want, sizeof(want),
		 "CertificatePrivateKeyFile %s: wrong "
		 "password",
		 cfg.private_key_file);
	load_fails(&cfg, time(NULL), want);

	cfg.private_key_file = F("node1-trad.key");
	cfg.private_key_password = NULL;
	snprintf(want, sizeof(want),
		 "CertificatePrivateKeyFile %s: the key is encrypted and no "
		 "password is set (CertificatePrivateKeyPassword)",
		 cfg.private_key_file);
	load_fails(&cfg, time(NULL), want);
}

static void
test_key_must_match_certificate(void **state)
{
	struct tls_creds_config cfg = base_cfg();
	char want[1024];

	(void)state;
	cfg.private_key_file = F("node2.key");
	snprintf(want, sizeof(want),
		 "CertificatePrivateKeyFile %s: the key does not belong to the "
		 "node certificate (the first one in CertificateFile %s)",
		 cfg.private_key_file, cfg.certificate_file);
	load_fails(&cfg, time(NULL), want);
}

static void
test_key_file_permissions(void **state)
{
	struct tls_creds_config cfg = base_cfg();
	char want[1024], cmd[1024];
	const char *loose = F("loose.key");
	const char *loose_p12 = F("loose.p12");

	(void)state;
	snprintf(cmd, sizeof(cmd),
		 "cp '%s' '%s' && chmod 644 '%s' && cp '%s' '%s' && "
		 "chmod 640 '%s'",
		 F("node1.key"), loose, loose, F("node1.p12"), loose_p12,
		 loose_p12);
	assert_int_equal(system(cmd), 0);
	cfg.private_key_file = loose;
	snprintf(want, sizeof(want),
		 "CertificatePrivateKeyFile %s: permissions 0644 are too open; "
		 "run chmod 600 %s",
		 loose, loose);
	load_fails(&cfg, time(NULL), want);

	/* the PKCS#12 file holds the key: the same rule */
	cfg.private_key_file = NULL;
	cfg.certificate_file = loose_p12;
	cfg.certificate_password = "test-pass";
	snprintf(want, sizeof(want),
		 "CertificateFile %s: permissions 0640 are too open; run "
		 "chmod 600 %s",
		 loose_p12, loose_p12);
	load_fails(&cfg, time(NULL), want);

	cfg.certificate_file = F("node1-bundle.pem");
	cfg.private_key_file = F("missing.key");
	snprintf(want, sizeof(want),
		 "CertificatePrivateKeyFile %s: cannot open: No such file",
		 cfg.private_key_file);
	load_fails(&cfg, time(NULL), want);
}

static void
test_pkcs12_forms(void **state)
{
	static const char *const files[] = {
	    "node1.p12",       "node1-legacy.p12",   "node1-3des.p12",
	    "node1-nomac.p12", "node1-intfirst.p12",
	};
	char cn[256];

	(void)state;
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		struct tls_creds_config cfg = base_cfg();
		cfg.certificate_file = F(files[i]);
		cfg.private_key_file = NULL;
		cfg.certificate_password = "test-pass";
		struct tls_creds *c = load_ok(&cfg, time(NULL), NULL);
		/* the key's certificate first, then the intermediate */
		assert_int_equal(chain_len(&c->chain), 2);
		assert_string_equal(c->own_cn, "node1.cluster.test");
		assert_true(mbedtls_x509_dn_gets(cn, sizeof(cn),
						 &c->chain.next->subject) > 0);
		assert_string_equal(cn, "CN=gossipd test intermediate");
		tls_creds_unref(c);
	}

	struct tls_creds_config cfg = base_cfg();
	cfg.certificate_file = F("node2.p12");
	cfg.private_key_file = NULL;
	cfg.certificate_password = "test-pass";
	cfg.advertised_host = "127.0.0.2";
	struct tls_creds *c = load_ok(&cfg, time(NULL), NULL);
	assert_int_equal(mbedtls_pk_get_type(&c->key), MBEDTLS_PK_RSA);
	tls_creds_unref(c);
}

static void
test_pkcs12_errors(void **state)
{
	struct tls_creds_config cfg = base_cfg();
	char want[1024];

	(void)state;
	cfg.private_key_file = NULL;
	cfg.certificate_file = F("node1.p12");
	cfg.certificate_password = "wrong";
	snprintf(want, sizeof(want),
		 "CertificateFile %s: PKCS#12: wrong password (the MAC does "
		 "not verify) (CertificatePassword)",
		 cfg.certificate_file);
	load_fails(&cfg, time(NULL), want);

	cfg.certificate_file = F("node1-nomac.p12");
	snprintf(want, sizeof(want),
		 "CertificateFile %s: PKCS#12: wrong password",
		 cfg.certificate_file);
	load_fails(&cfg, time(NULL), want);

	/* a PEM certificate without a key file */
	cfg.certificate_file = F("node1-bundle.pem");
	snprintf(want, sizeof(want),
		 "CertificateFile %s is a PEM certificate, and "
		 "CertificatePrivateKeyFile is not set: give the key file",
		 cfg.certificate_file);
	load_fails(&cfg, time(NULL), want);

	/* a PKCS#12 file without CertificatePassword */
	cfg.certificate_file = F("node1.p12");
	cfg.certificate_password = NULL;
	snprintf(want, sizeof(want),
		 "CertificateFile %s: the PKCS#12 file is protected by a "
		 "password and CertificatePassword is not set",
		 cfg.certificate_file);
	load_fails(&cfg, time(NULL), want);
}

static void
test_root_in_bundle_says_move_it(void **state)
{
	struct tls_creds_config cfg = base_cfg();
	char want[1024];

	(void)state;
	cfg.certificate_file = F("node1-rootinbundle.pem");
	snprintf(want, sizeof(want),
		 "CertificateFile %s: certificate 2 (\"CN=gossipd test "
		 "root\") is self-signed: it is a root, move it to "
		 "TrustedRootCertificatesPath",
		 cfg.certificate_file);
	load_fails(&cfg, time(NULL), want);
}

static void
test_intermediate_in_trust_says_append_it(void **state)
{
	struct tls_creds_config cfg = base_cfg();
	char want[1024];

	(void)state;
	cfg.certificate_file = F("node1.crt");
	cfg.trusted_roots_path = F("trust-int");
	snprintf(want, sizeof(want),
		 "TrustedRootCertificatesPath %s: \"CN=gossipd test "
		 "intermediate\" is not self-signed: it is an intermediate, "
		 "append it to CertificateFile %s after the node certificate",
		 cfg.trusted_roots_path, cfg.certificate_file);
	load_fails(&cfg, time(NULL), want);

	/* the same with the root beside it */
	cfg.trusted_roots_path = F("trust-both.pem");
	load_fails(&cfg, time(NULL),
		   "is not self-signed: it is an "
		   "intermediate");
}

static void
test_missing_intermediate(void **state)
{
	struct tls_creds_config cfg = base_cfg();
	char want[1024];

	(void)state;
	cfg.certificate_file = F("node1.crt");
	snprintf(want, sizeof(want),
		 "CertificateFile %s: the node certificate chain does not lead "
		 "to a root in TrustedRootCertificatesPath %s: the issuer "
		 "\"CN=gossipd test intermediate\" is in neither",
		 cfg.certificate_file, cfg.trusted_roots_path);
	load_fails(&cfg, time(NULL), want);
}

static void
test_trust_store(void **state)
{
	struct tls_creds_config cfg = base_cfg();
	char want[1024];

	(void)state;
	/* a directory: root.pem and the same root as DER count once;
	 * README is not looked at */
	cfg.trusted_roots_path = F("trust-dir");
	struct tls_creds *c = load_ok(&cfg, time(NULL), NULL);
	assert_int_equal(c->n_trusted, 1);
	tls_creds_unref(c);

	/* an unreadable file in a directory is skipped with a warning */
	struct warnings w;
	cfg.trusted_roots_path = F("trust-bad");
	c = load_ok(&cfg, time(NULL), &w);
	assert_int_equal(c->n_trusted, 1);
	snprintf(want, sizeof(want),
		 "TrustedRootCertificatesPath %s: skipped %s/junk.pem: ",
		 cfg.trusted_roots_path, cfg.trusted_roots_path);
	assert_non_null(strstr(w.all, want));
	tls_creds_unref(c);
	/* many: the first five, then one line for the rest */
	cfg.trusted_roots_path = F("trust-many-bad");
	c = load_ok(&cfg, time(NULL), &w);
	assert_int_equal(w.n, 1 + 5 + 1); /* with the auto CN warning */
	snprintf(want, sizeof(want),
		 "TrustedRootCertificatesPath %s: 3 more unreadable files "
		 "skipped",
		 cfg.trusted_roots_path);
	assert_non_null(strstr(w.all, want));
	tls_creds_unref(c);

	cfg.trusted_roots_path = F("trust-empty");
	snprintf(want, sizeof(want),
		 "TrustedRootCertificatesPath %s: no trusted certificate could "
		 "be loaded from it",
		 cfg.trusted_roots_path);
	load_fails(&cfg, time(NULL), want);

	cfg.trusted_roots_path = F("no-such-dir");
	snprintf(want, sizeof(want),
		 "TrustedRootCertificatesPath %s: No such file or directory",
		 cfg.trusted_roots_path);
	load_fails(&cfg, time(NULL), want);

	cfg.trusted_roots_path = F("ext.cnf");
	snprintf(want, sizeof(want),
		 "TrustedRootCertificatesPath %s: ", cfg.trusted_roots_path);
	load_fails(&cfg, time(NULL), want);

	/* unset: /etc/ssl/certs, which does not hold our test root */
	cfg.trusted_roots_path = NULL;
	load_fails(&cfg, time(NULL),
		   "TrustedRootCertificatesPath /etc/ssl/certs");
}

static void
test_advertised_host_is_a_san(void **state)
{
	struct tls_creds_config cfg = base_cfg();
	struct warnings w;
	char want[1024];

	(void)state;
	static const char *const good[] = {
	    "127.0.0.1", "::1", "node1.cluster.test", "x.wild.cluster.test"};
	for (size_t i = 0; i < 4; i++) {
		cfg.advertised_host = good[i];
		tls_creds_unref(load_ok(&cfg, time(NULL), NULL));
	}
	cfg.advertised_host = "10.9.9.9";
	snprintf(want, sizeof(want),
		 "CertificateFile %s: the node certificate has no subject "
		 "alternative name for the advertised host \"10.9.9.9\" (it "
		 "has DNS:node1.cluster.test, DNS:*.wild.cluster.test, "
		 "IP:127.0.0.1, IP:::1)",
		 cfg.certificate_file);
	load_fails(&cfg, time(NULL), want);

	/* only a warning on a wildcard listener */
	cfg.listens_on_wildcard = true;
	struct tls_creds *c = load_ok(&cfg, time(NULL), &w);
	assert_int_equal(w.n, 2);
	assert_non_null(strstr(w.all, "no subject alternative name for the "
				      "advertised host \"10.9.9.9\""));
	tls_creds_unref(c);
}

static void
test_own_certificate_must_be_a_node(void **state)
{
	struct tls_creds_config cfg = base_cfg();
	char want[1024];

	(void)state;
	cfg.certificate_file = F("serveronly.crt");
	cfg.private_key_file = F("serveronly.key");
	cfg.advertised_host = "node4.cluster.test";
	snprintf(want, sizeof(want),
		 "CertificateFile %s: other nodes would not accept this node "
		 "certificate: extended key usage lacks clientAuth",
		 cfg.certificate_file);
	load_fails(&cfg, time(NULL), want);
}

static void
test_expiry(void **state)
{
	struct tls_creds_config cfg = base_cfg();
	struct warnings w;
	char want[1024];
	time_t now = time(NULL);

	(void)state;
	/* a node certificate that is already expired */
	cfg.certificate_file = F("expired.crt");
	cfg.private_key_file = F("expired.key");
	snprintf(want, sizeof(want),
		 "CertificateFile %s: the node certificate expired on "
		 "2021-01-01 00:00:00 UTC",
		 cfg.certificate_file);
	load_fails(&cfg, now, want);

	cfg.certificate_file = F("future.crt");
	cfg.private_key_file = F("future.key");
	snprintf(want, sizeof(want),
		 "CertificateFile %s: the node certificate is not valid before "
		 "2099-01-01 00:00:00 UTC",
		 cfg.certificate_file);
	load_fails(&cfg, now, want);

	/* 10 days left: a warning. Seen an hour after it was made, so that
	 * the whole days left are 9 whatever second the fixtures were
	 * signed in (exactly 10 days when test and signing share a second). */
	cfg.certificate_file = F("soon.crt");
	cfg.private_key_file = F("soon.key");
	struct tls_creds *c = load_ok(&cfg, now + 3600, &w);
	assert_non_null(strstr(w.all, "the node certificate expires on "));
	assert_non_null(strstr(w.all, "(in 9 days)"));
	tls_creds_unref(c);

	/* the caller's clock decides: node1 (825 days) seen 810 days on
	 * warns, 830 days on is expired */
	cfg = base_cfg();
	c = load_ok(&cfg, now + 810 * (time_t)DAY, &w);
	assert_non_null(strstr(w.all, "the node certificate expires on"));
	assert_null(strstr(w.all, "CA certificate"));
	tls_creds_unref(c);
	load_fails(&cfg, now + 830 * (time_t)DAY,
		   "the node certificate "
		   "expired on");
}

static void
test_crl(void **state)
{
	struct tls_creds_config cfg = base_cfg();
	char want[1024];

	(void)state;
	static const char *const crls[] = {"crl.pem", "crl.der"};
	for (size_t i = 0; i < 2; i++) {
		cfg.crl_file = F(crls[i]);
		struct tls_creds *c = load_ok(&cfg, time(NULL), NULL);
		assert_true(c->have_crl);
		tls_creds_unref(c);
	}

	/* the own certificate revoked */
	cfg.certificate_file = F("revoked.crt");
	cfg.private_key_file = F("revoked.key");
	cfg.crl_file = F("crl.pem");
	snprintf(want, sizeof(want),
		 "CertificateFile %s: the node certificate chain does not "
		 "verify: certificate has been revoked",
		 cfg.certificate_file);
	load_fails(&cfg, time(NULL), want);

	cfg = base_cfg();
	cfg.crl_file = F("ext.cnf");
	snprintf(want, sizeof(want),
		 "CertificateRevocationListFile %s: ", cfg.crl_file);
	load_fails(&cfg, time(NULL), want);
	cfg.crl_file = F("none.crl");
	snprintf(want, sizeof(want),
		 "CertificateRevocationListFile %s: cannot open", cfg.crl_file);
	load_fails(&cfg, time(NULL), want);
}

static void
load_crt(mbedtls_x509_crt *crt, const char *name)
{
	mbedtls_x509_crt_init(crt);
	assert_int_equal(mbedtls_x509_crt_parse_file(crt, F(name)), 0);
}

/* A CRL is bound to the trusted CA whose key signed it, or the load
 * fails naming the file. */
static void
test_crl_binding(void **state)
{
	struct tls_creds_config cfg = base_cfg();
	char want[1024];

	(void)state;
	cfg.crl_file = F("crl.pem");
	struct tls_creds *c = load_ok(&cfg, time(NULL), NULL);
	assert_int_equal(c->n_crls, 1);
	assert_string_equal(c->crls[0].issuer, "CN=gossipd test root");
	assert_int_equal(c->crls[0].revoked, 1);
	assert_true(c->crls[0].next_update > time(NULL));
	assert_true(c->crls[0].signer->raw.len == c->trusted.raw.len &&
		    memcmp(c->crls[0].signer->raw.p, c->trusted.raw.p,
			   c->trusted.raw.len) == 0);
	tls_creds_unref(c);

	/* a CRL of a CA trusted nowhere */
	cfg.crl_file = F("othercrl.pem");
	snprintf(want, sizeof(want),
		 "CertificateRevocationListFile %s: the CRL of \"CN=gossipd "
		 "other root\" matches no trusted CA",
		 cfg.crl_file);
	load_fails(&cfg, time(NULL), want);

	/* the name of a trusted CA, the key of another */
	cfg.crl_file = F("samecrl.pem");
	snprintf(want, sizeof(want),
		 "CertificateRevocationListFile %s: the CRL of \"CN=gossipd "
		 "test root\" is not signed by the key of any trusted CA of "
		 "that name",
		 cfg.crl_file);
	load_fails(&cfg, time(NULL), want);

	/* both roots trusted: each CRL finds its own signer */
	cfg.trusted_roots_path = F("trust-same.pem");
	c = load_ok(&cfg, time(NULL), NULL);
	assert_int_equal(c->n_crls, 1);
	assert_true(c->crls[0].signer->raw.len != c->trusted.raw.len ||
		    memcmp(c->crls[0].signer->raw.p, c->trusted.raw.p,
			   c->trusted.raw.len) != 0);
	tls_creds_unref(c);
}

/* CA rotation without a new name: with both roots trusted and the old
 * root's CRL, a node of the new root is accepted (mbedTLS alone would
 * match the CRL by name and call it "not valid"), and the revoked
 * certificate of the old root stays revoked. */
static void
test_crl_same_name_rotation(void **state)
{
	struct tls_creds_config cfg = base_cfg();
	mbedtls_x509_crt crt;
	char err[256];

	(void)state;
	cfg.trusted_roots_path = F("trust-same.pem");
	cfg.crl_file = F("crl.pem");
	struct tls_creds *c = load_ok(&cfg, time(NULL), NULL);
	load_crt(&crt, "samenode.crt");
	if (tls_creds_verify_peer(c, &crt, err, sizeof(err)) != 0)
		fail_msg("node of the new root refused: %s", err);
	mbedtls_x509_crt_free(&crt);
	load_crt(&crt, "node2.crt");
	assert_int_equal(tls_creds_verify_peer(c, &crt, err, sizeof(err)), 0);
	mbedtls_x509_crt_free(&crt);
	load_crt(&crt, "revoked.crt");
	assert_int_equal(tls_creds_verify_peer(c, &crt, err, sizeof(err)), -1);
	assert_string_equal(err, "certificate has been revoked");
	mbedtls_x509_crt_free(&crt);
	tls_creds_unref(c);
}

/* A stale CRL keeps what it lists revoked; it refuses every other
 * certificate of its CA only with crl_stale_refuses_all. */
static void
test_crl_stale_policy(void **state)
{
	struct tls_creds_config cfg = base_cfg();
	mbedtls_x509_crt revoked, node2, other;
	char err[256];

	(void)state;
	load_crt(&revoked, "revoked.crt");
	load_crt(&node2, "node2.crt");
	load_crt(&other, "samenode.crt");

	cfg.crl_file = F("crl.pem");
	struct tls_creds *c = load_ok(&cfg, time(NULL), NULL);
	time_t fresh = time(NULL), late = c->crls[0].next_update + 1;
	assert_false(tls_creds_crl_stale(&c->crls[0], fresh));
	assert_true(tls_creds_crl_stale(&c->crls[0], late));
	assert_int_equal(tls_creds_crl_flags(c, &revoked, NULL, fresh),
			 MBEDTLS_X509_BADCERT_REVOKED);
	assert_int_equal(tls_creds_crl_flags(c, &node2, NULL, fresh), 0);
	assert_int_equal(tls_creds_crl_flags(c, &revoked, NULL, late),
			 MBEDTLS_X509_BADCERT_REVOKED);
	assert_int_equal(tls_creds_crl_flags(c, &node2, NULL, late), 0);
	/* a CRL applies to its own CA only, whatever the names */
	assert_int_equal(tls_creds_crl_flags(c, &other, NULL, late), 0);
	tls_creds_unref(c);

	cfg.crl_stale_refuses_all = true;
	c = load_ok(&cfg, time(NULL), NULL);
	assert_int_equal(tls_creds_crl_flags(c, &node2, NULL, fresh), 0);
	assert_int_equal(tls_creds_crl_flags(c, &node2, NULL, late),
			 MBEDTLS_X509_BADCRL_EXPIRED);
	assert_int_equal(tls_creds_crl_flags(c, &revoked, NULL, late),
			 MBEDTLS_X509_BADCERT_REVOKED |
			     MBEDTLS_X509_BADCRL_EXPIRED);
	tls_creds_unref(c);

	/* a CRL already stale at load: the load succeeds either way (the
	 * node's own chain is not refused by it); the verdict follows the
	 * switch */
	cfg.crl_file = F("stalecrl.pem");
	cfg.crl_stale_refuses_all = false;
	c = load_ok(&cfg, time(NULL), NULL);
	assert_true(tls_creds_crl_stale(&c->crls[0], time(NULL)));
	assert_int_equal(tls_creds_verify_peer(c, &node2, err, sizeof(err)), 0);
	assert_int_equal(tls_creds_verify_peer(c, &revoked, err, sizeof(err)),
			 -1);
	assert_string_equal(err, "certificate has been revoked");
	tls_creds_unref(c);
	cfg.crl_stale_refuses_all = true;
	c = load_ok(&cfg, time(NULL), NULL);
	assert_int_equal(tls_creds_verify_peer(c, &node2, err, sizeof(err)),
			 -1);
	assert_string_equal(err,
			    "the CRL of its issuer is past its next update");
	tls_creds_unref(c);

	mbedtls_x509_crt_free(&revoked);
	mbedtls_x509_crt_free(&node2);
	mbedtls_x509_crt_free(&other);
}

static void
test_certificate_file_errors(void **state)
{
	struct tls_creds_config cfg = base_cfg();
	char want[1024];

	(void)state;
	cfg.certificate_file = NULL;
	load_fails(&cfg, time(NULL), "CertificateFile is not set");
	cfg.certificate_file = F("ext.cnf");
	snprintf(want, sizeof(want),
		 "CertificateFile %s: ", cfg.certificate_file);
	load_fails(&cfg, time(NULL), want);
	cfg.certificate_file = F("trust-dir");
	snprintf(want, sizeof(want), "CertificateFile %s: not a regular file",
		 cfg.certificate_file);
	load_fails(&cfg, time(NULL), want);

	/* a FIFO is refused at once, never waited on */
	const char *fifo = F("fifo.key");
	assert_int_equal(mkfifo(fifo, 0600), 0);
	cfg.certificate_file = F("node1-bundle.pem");
	cfg.private_key_file = fifo;
	snprintf(want, sizeof(want),
		 "CertificatePrivateKeyFile %s: not a regular file", fifo);
	load_fails(&cfg, time(NULL), want);
	cfg.private_key_file = F("node1.key");
	cfg.crl_file = fifo;
	snprintf(want, sizeof(want),
		 "CertificateRevocationListFile %s: not a regular file", fifo);
	load_fails(&cfg, time(NULL), want);
	assert_int_equal(unlink(fifo), 0);
}

struct peer_case {
	const char *files[2];
	const char *reason; /* NULL: accepted */
};

static void
test_verify_peer(void **state)
{
	static const struct peer_case cases[] = {
	    {{"node2.crt", NULL}, NULL},
	    {{"node1.crt", "int.crt"}, NULL},
	    {{"node1.crt", NULL}, "certificate is not signed by a trusted CA"},
	    {{"expired.crt", NULL}, "certificate has expired"},
	    {{"future.crt", NULL}, "certificate is not yet valid"},
	    {{"revoked.crt", NULL}, "certificate has been revoked"},
	    {{"int.crt", NULL}, NULL},
	};
	struct tls_creds_config cfg = base_cfg();
	char err[256];

	(void)state;
	cfg.crl_file = F("crl.pem");
	struct tls_creds *c = load_ok(&cfg, time(NULL), NULL);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		mbedtls_x509_crt peer;
		mbedtls_x509_crt_init(&peer);
		for (int k = 0; k < 2 && cases[i].files[k] != NULL; k++)
			assert_int_equal(mbedtls_x509_crt_parse_file(
					     &peer, F(cases[i].files[k])),
					 0);
		int ret = tls_creds_verify_peer(c, &peer, err, sizeof(err));
		mbedtls_x509_crt_free(&peer);
		if (cases[i].reason == NULL && ret != 0)
			fail_msg("%s refused: %s", cases[i].files[0], err);
		if (cases[i].reason != NULL &&
		    (ret != -1 || strcmp(err, cases[i].reason) != 0))
			fail_msg("%s: got %d \"%s\"", cases[i].files[0], ret,
				 err);
	}
	assert_int_equal(tls_creds_verify_peer(c, NULL, err, sizeof(err)), -1);
	assert_string_equal(err, "no certificate");
	/* at a re-check, a leaf alone (a resumed session) is verified with
	 * the intermediate of the own chain that issued it; a revoked or
	 * expired leaf stays refused */
	static const struct peer_case resumed[] = {
	    {{"node1.crt", NULL}, NULL},
	    {{"node2.crt", NULL}, NULL},
	    {{"expired.crt", NULL}, "certificate has expired"},
	    {{"revoked.crt", NULL}, "certificate has been revoked"},
	    /* its intermediate is not in this set: not "untrusted" */
	    {{"shortleaf.crt", NULL},
	     "resumed session: these credentials hold no CA that issued its "
	     "certificate (a full handshake decides)"},
	};
	for (size_t i = 0; i < sizeof(resumed) / sizeof(resumed[0]); i++) {
		mbedtls_x509_crt peer;
		mbedtls_x509_crt_init(&peer);
		assert_int_equal(
		    mbedtls_x509_crt_parse_file(&peer, F(resumed[i].files[0])),
		    0);
		int ret =
		    tls_creds_verify_resumed(c, &peer, NULL, err, sizeof(err));
		mbedtls_x509_crt_free(&peer);
		if (resumed[i].reason == NULL && ret != 0)
			fail_msg("resumed %s refused: %s", resumed[i].files[0],
				 err);
		if (resumed[i].reason != NULL &&
		    (ret != -1 || strcmp(err, resumed[i].reason) != 0))
			fail_msg("resumed %s: got %d \"%s\"",
				 resumed[i].files[0], ret, err);
	}
	tls_creds_unref(c);
}

/* A saved session's lone leaf: verified like a full handshake would, and
 * when an intermediate signed it (not kept), judged by its own dates. */
static void
test_verify_saved(void **state)
{
	static const struct peer_case cases[] = {
	    {{"node2.crt", NULL}, NULL},
	    {{"node1.crt", NULL}, NULL}, /* by the intermediate */
	    {{"expired.crt", NULL}, "certificate has expired"},
	    {{"future.crt", NULL}, "certificate is not yet valid"},
	    {{"revoked.crt", NULL}, "certificate has been revoked"},
	};
	struct tls_creds_config cfg = base_cfg();
	char err[256];

	(void)state;
	cfg.crl_file = F("crl.pem");
	struct tls_creds *c = load_ok(&cfg, time(NULL), NULL);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		mbedtls_x509_crt leaf;

		load_crt(&leaf, cases[i].files[0]);
		int ret =
		    tls_creds_verify_saved(c, &leaf, NULL, err, sizeof(err));
		mbedtls_x509_crt_free(&leaf);
		if (cases[i].reason == NULL && ret != 0)
			fail_msg("%s refused: %s", cases[i].files[0], err);
		if (cases[i].reason != NULL &&
		    (ret != -1 || strcmp(err, cases[i].reason) != 0))
			fail_msg("%s: got %d \"%s\"", cases[i].files[0], ret,
				 err);
	}
	tls_creds_unref(c);
}

static time_t
not_after_of(const char *name)
{
	mbedtls_x509_crt crt;
	time_t t;

	load_crt(&crt, name);
	t = tls_creds_x509_time(&crt.valid_to);
	mbedtls_x509_crt_free(&crt);
	return t;
}

/* A lone leaf's path up to the root through the CAs of the set: every
 * certificate's dates count (an intermediate that expires before the
 * leaf refuses it then), and the path's earliest notAfter, the root's
 * included, is what a resumed connection keeps. */
static void
test_saved_path(void **state)
{
	struct tls_creds_config cfg = base_cfg();
	time_t now = time(NULL), na = 0;
	time_t leaf_end = not_after_of("shortleaf.crt");
	time_t int_end = not_after_of("shortint.crt");
	mbedtls_x509_crt leaf;
	char err[256];

	(void)state;
	assert_true(int_end < leaf_end);
	cfg.certificate_file = F("shortleaf-bundle.pem");
	cfg.private_key_file = F("shortleaf.key");
	struct tls_creds *c = load_ok(&cfg, now, NULL);
	load_crt(&leaf, "shortleaf.crt");
	/* resumable now; the path ends with the intermediate */
	assert_int_equal(
	    tls_creds_verify_saved(c, &leaf, &na, err, sizeof(err)), 0);
	assert_int_equal(na, int_end);
	assert_int_equal(tls_creds_path_flags(c, &leaf, now, &na), 0);
	assert_int_equal(na, int_end);
	/* the intermediate's last second, and the one after: the leaf is
	 * still valid then, its path is not */
	assert_int_equal(tls_creds_path_flags(c, &leaf, int_end, NULL), 0);
	assert_int_equal(tls_creds_path_flags(c, &leaf, int_end + 1, NULL),
			 MBEDTLS_X509_BADCERT_EXPIRED);
	assert_true(int_end + 1 <= leaf_end);
	/* not yet valid: before the path's latest notBefore */
	assert_int_equal(tls_creds_path_flags(c, &leaf, 0, NULL) &
			     MBEDTLS_X509_BADCERT_FUTURE,
			 MBEDTLS_X509_BADCERT_FUTURE);
	mbedtls_x509_crt_free(&leaf);
	/* a leaf the set holds no issuer of: no path, not resumed */
	load_crt(&leaf, "node1.crt");
	assert_int_equal(tls_creds_path_flags(c, &leaf, now, NULL),
			 MBEDTLS_X509_BADCERT_NOT_TRUSTED);
	assert_int_equal(
	    tls_creds_verify_saved(c, &leaf, NULL, err, sizeof(err)), -1);
	assert_string_equal(err, "certificate is not signed by a trusted CA");
	mbedtls_x509_crt_free(&leaf);
	/* a leaf the root signed: the root's notAfter is on its path */
	load_crt(&leaf, "node2.crt");
	assert_int_equal(
	    tls_creds_verify_saved(c, &leaf, &na, err, sizeof(err)), 0);
	assert_int_equal(na, not_after_of("node2.crt") < not_after_of("ca.crt")
				 ? not_after_of("node2.crt")
				 : not_after_of("ca.crt"));
	mbedtls_x509_crt_free(&leaf);
	tls_creds_unref(c);
}

/* Strict mode: a stale CRL of the root refuses a saved session whose lone
 * leaf an intermediate signed (the CRL covers the intermediate, above the
 * leaf); by default it does not. */
static void
test_saved_root_crl_stale(void **state)
{
	struct tls_creds_config cfg = base_cfg();
	mbedtls_x509_crt leaf;
	char err[256];

	(void)state;
	cfg.crl_file = F("stalecrl.pem");
	load_crt(&leaf, "node1.crt");
	for (int strict = 0; strict < 2; strict++) {
		cfg.crl_stale_refuses_all = strict;
		struct tls_creds *c = load_ok(&cfg, time(NULL), NULL);
		int ret =
		    tls_creds_verify_saved(c, &leaf, NULL, err, sizeof(err));

		if (strict) {
			assert_int_equal(ret, -1);
			assert_string_equal(
			    err,
			    "the CRL of its issuer is past its next update");
		} else {
			assert_int_equal(ret, 0);
		}
		tls_creds_unref(c);
	}
	mbedtls_x509_crt_free(&leaf);
}

/* The client's re-check of a pooled connection or saved session at a
 * reload: a leaf kept alone (a resumed session) that an intermediate of
 * the set signed passes like its whole chain; expiry, a SAN not of the
 * host dialled still refuse. */
static void
test_outbound_still_trusted(void **state)
{
	struct tls_creds_config cfg = base_cfg();
	mbedtls_x509_crt crt;
	char why[256];

	(void)state;
	struct tls_creds *c = load_ok(&cfg, time(NULL), NULL);
	time_t na = 0, want = not_after_of("node1.crt");

	if (not_after_of("int.crt") < want)
		want = not_after_of("int.crt");
	if (not_after_of("ca.crt") < want)
		want = not_after_of("ca.crt");
	load_crt(&crt, "node1.crt");
	/* its path's end, the intermediate's and the root's included */
	assert_true(httpc_peer_still_trusted(c, &crt, "127.0.0.1", &na, why,
					     sizeof(why)));
	assert_int_equal(na, want);
	assert_false(httpc_peer_still_trusted(c, &crt, "127.0.0.9", NULL, why,
					      sizeof(why)));
	mbedtls_x509_crt_free(&crt);
	load_crt(&crt, "node1-bundle.pem");
	assert_true(httpc_peer_still_trusted(c, &crt, "127.0.0.1", NULL, why,
					     sizeof(why)));
	mbedtls_x509_crt_free(&crt);
	load_crt(&crt, "expired.crt");
	assert_false(httpc_peer_still_trusted(c, &crt, "127.0.0.1", NULL, why,
					      sizeof(why)));
	assert_string_equal(why, "certificate has expired");
	mbedtls_x509_crt_free(&crt);
	tls_creds_unref(c);
}

static void
test_refcount(void **state)
{
	struct tls_creds_config cfg = base_cfg();

	(void)state;
	struct tls_creds *c = load_ok(&cfg, time(NULL), NULL);
	assert_ptr_equal(tls_creds_ref(c), c);
	assert_int_equal(c->refs, 2);
	tls_creds_unref(c);
	assert_int_equal(c->refs, 1);
	tls_creds_unref(c); /* freed: ASan reports a leak otherwise */
	tls_creds_unref(NULL);
	assert_null(tls_creds_ref(NULL));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_pem_bundle_with_intermediate),
	    cmocka_unit_test(test_reserved_cn_auto_configured),
	    cmocka_unit_test(test_reserved_cn_must_match_own),
	    cmocka_unit_test(test_private_key_forms),
	    cmocka_unit_test(test_rsa_keys),
	    cmocka_unit_test(test_key_password_errors),
	    cmocka_unit_test(test_key_must_match_certificate),
	    cmocka_unit_test(test_key_file_permissions),
	    cmocka_unit_test(test_pkcs12_forms),
	    cmocka_unit_test(test_pkcs12_errors),
	    cmocka_unit_test(test_root_in_bundle_says_move_it),
	    cmocka_unit_test(test_intermediate_in_trust_says_append_it),
	    cmocka_unit_test(test_missing_intermediate),
	    cmocka_unit_test(test_trust_store),
	    cmocka_unit_test(test_advertised_host_is_a_san),
	    cmocka_unit_test(test_own_certificate_must_be_a_node),
	    cmocka_unit_test(test_expiry),
	    cmocka_unit_test(test_crl),
	    cmocka_unit_test(test_crl_binding),
	    cmocka_unit_test(test_crl_same_name_rotation),
	    cmocka_unit_test(test_crl_stale_policy),
	    cmocka_unit_test(test_verify_saved),
	    cmocka_unit_test(test_saved_path),
	    cmocka_unit_test(test_outbound_still_trusted),
	    cmocka_unit_test(test_saved_root_crl_stale),
	    cmocka_unit_test(test_certificate_file_errors),
	    cmocka_unit_test(test_verify_peer),
	    cmocka_unit_test(test_refcount),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
