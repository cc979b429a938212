/*
 * node_auth: who is a node (SPEC.md section 4). The CN matcher is table
 * driven from the spec's examples and their edge cases; the verdict and
 * SAN rules run over certificates made fresh by tests/data/make-fixtures.sh.
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

#include "node_auth.h"

static char fixtures[256];

static int
group_setup(void **state)
{
	(void)state;
	return fixtures_make(fixtures, sizeof(fixtures), "node-auth", false);
}

static int
group_teardown(void **state)
{
	(void)state;
	return fixtures_remove(fixtures);
}

static void
load_crt(mbedtls_x509_crt *crt, const char *name)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", fixtures, name);
	mbedtls_x509_crt_init(crt);
	assert_int_equal(mbedtls_x509_crt_parse_file(crt, path), 0);
}

struct cn_case {
	const char *pattern;
	const char *cn;
	bool match;
};

static void
test_cn_match_spec_examples(void **state)
{
	static const struct cn_case cases[] = {
	    {"*.cluster.example.org", "node1.cluster.example.org", true},
	    {"*.cluster.example.org", "*.cluster.example.org", true},
	    {"*.cluster.example.org", "a.b.cluster.example.org", false},
	    {"*.cluster.example.org", "cluster.example.org", false},
	    {"*.cluster.example.org", "*.example.org", false},
	    {"node1.cluster.example.org", "node1.cluster.example.org", true},
	    {"node1.cluster.example.org", "node2.cluster.example.org", false},
	    {"eventstoredb-node", "eventstoredb-node", true},
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		bool m = node_auth_cn_match(cases[i].pattern, cases[i].cn);
		if (m != cases[i].match)
			fail_msg("pattern %s cn %s: expected %d",
				 cases[i].pattern, cases[i].cn, cases[i].match);
	}
}

static void
test_cn_match_edge_cases(void **state)
{
	char longname[400];
	char longpat[400];
	static const struct cn_case cases[] = {
	    /* case-insensitive */
	    {"*.Cluster.Example.ORG", "NODE1.cluster.example.org", true},
	    {"Node1.Test", "node1.test", true},
	    /* empty labels and trailing dots */
	    {"*.cluster.example.org", "node1..example.org", false},
	    {"*.cluster.example.org", "node1.cluster.example.org.", false},
	    {"node1.cluster.example.org.", "node1.cluster.example.org.", false},
	    {"*.cluster.example.org", ".cluster.example.org", false},
	    {"", "", false},
	    {"a", "", false},
	    /* "*" only as a whole first label */
	    {"node1.*.example.org", "node1.cluster.example.org", false},
	    {"node1.*.example.org", "node1.*.example.org", false},
	    {"f*o.x.y", "foo.x.y", false},
	    {"f*o.x.y", "f*o.x.y", false},
	    {"*o.x.y", "foo.x.y", false},
	    {"**.x.y", "foo.x.y", false},
	    /* two-label wildcard pattern is refused */
	    {"*.example", "node.example", false},
	    {"*.example", "*.example", false},
	    {"*", "node", false},
	    /* a wildcard CN matches only the identical pattern */
	    {"node1.cluster.example.org", "*.cluster.example.org", false},
	    {"*.cluster.example.org", "*.CLUSTER.example.org", true},
	    /* characters outside [0-9A-Za-z-] */
	    {"*.cluster.example.org", "no_de.cluster.example.org", false},
	    {"*.cluster.example.org", "nöde.cluster.example.org", false},
	    {"node 1.test.x", "node 1.test.x", false},
	    {"*.cluster.example.org", "node1.cluster.example.org ", false},
	    /* IP literals match exactly */
	    {"10.0.0.1", "10.0.0.1", true},
	    {"10.0.0.1", "10.0.0.2", false},
	    {"10.0.0.1", "10.0.0.01", false},
	    {"*.0.0.1", "10.0.0.1", false},
	    {"::1", "::1", true},
	    {"::1", "0:0::1", true},
	    {"fe80::1", "FE80::1", true},
	    {"fe80::1", "fe80::2", false},
	    {"::1", "localhost", false},
	    {"10.0.0.1", "*.0.0.1", false},
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		bool m = node_auth_cn_match(cases[i].pattern, cases[i].cn);
		if (m != cases[i].match)
			fail_msg("pattern '%s' cn '%s': expected %d",
				 cases[i].pattern, cases[i].cn, cases[i].match);
	}
	assert_false(node_auth_cn_match(NULL, "a.b.c"));
	assert_false(node_auth_cn_match("a.b.c", NULL));

	/* 253 characters is the longest name; 254 is refused. */
	memset(longname, 'a', sizeof(longname));
	for (size_t i = 63; i < 253; i += 64)
		longname[i] = '.';
	longname[253] = '\0';
	memcpy(longpat, longname, sizeof(longpat));
	assert_true(node_auth_cn_match(longpat, longname));
	longname[253] = 'a';
	longname[254] = '\0';
	memcpy(longpat, longname, sizeof(longpat));
	assert_false(node_auth_cn_match(longpat, longname));
	/* a label of 64 is refused */
	memset(longname, 'b', 64);
	memcpy(longname + 64, ".x.y", 5);
	assert_false(node_auth_cn_match(longname, longname));
	memset(longname, 'b', 63);
	memcpy(longname + 63, ".x.y", 5);
	assert_true(node_auth_cn_match(longname, longname));
	/* a name far beyond any bound */
	memset(longname, 'c', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	assert_false(node_auth_cn_match(longname, longname));
}

static void
test_subject_cn(void **state)
{
	mbedtls_x509_crt crt;
	char cn[256];
	char tiny[5];

	(void)state;
	load_crt(&crt, "node1.crt");
	assert_int_equal(node_auth_subject_cn(&crt, cn, sizeof(cn)), 0);
	assert_string_equal(cn, "node1.cluster.test");
	/* too small a buffer is an error, never a truncated CN */
	assert_int_equal(node_auth_subject_cn(&crt, tiny, sizeof(tiny)), -1);
	assert_int_equal(node_auth_subject_cn(NULL, cn, sizeof(cn)), -1);
	mbedtls_x509_crt_free(&crt);
	/* two CNs: ambiguous, neither is taken */
	load_crt(&crt, "twocn.crt");
	assert_int_equal(node_auth_subject_cn(&crt, cn, sizeof(cn)), -2);
	assert_string_equal(cn, "");
	mbedtls_x509_crt_free(&crt);
}

struct verdict_case {
	const char *file;
	const char *reserved;
	enum node_identity id;
	const char *reason;
};

static void
test_verdict_rules(void **state)
{
	static const struct verdict_case cases[] = {
	    {"node1.crt", "*.cluster.test", ID_NODE, ""},
	    {"node1.crt", "node1.cluster.test", ID_NODE, ""},
	    {"node2.crt", "*.cluster.test", ID_NODE, ""},
	    {"node2.crt", "node1.cluster.test", ID_CLIENT,
	     "CN \"node2.cluster.test\" does not match the reserved node "
	     "CN \"node1.cluster.test\""},
	    {"client.crt", "*.cluster.example.org", ID_CLIENT,
	     "CN \"web-client\" does not match the reserved node CN "
	     "\"*.cluster.example.org\""},
	    {"nosan.crt", "*.cluster.test", ID_CLIENT,
	     "certificate has no DNS or IP subject alternative name"},
	    {"serveronly.crt", "*.cluster.test", ID_CLIENT,
	     "extended key usage lacks clientAuth"},
	    {"kusign.crt", "*.cluster.test", ID_CLIENT,
	     "key usage lacks keyEncipherment and keyAgreement"},
	    /* no KU and no EKU at all: acceptable */
	    {"wildcn.crt", "*.cluster.test", ID_NODE, ""},
	    {"wildcn.crt", "node1.cluster.test", ID_CLIENT,
	     "CN \"*.cluster.test\" does not match the reserved node CN "
	     "\"node1.cluster.test\""},
	    {"node1.crt", NULL, ID_CLIENT, "no reserved node CN is configured"},
	    /* either CN would match: still not a node */
	    {"twocn.crt", "*.cluster.test", ID_CLIENT,
	     "certificate has more than one subject CN (ambiguous identity)"},
	    {"twocn.crt", "web-client", ID_CLIENT,
	     "certificate has more than one subject CN (ambiguous identity)"},
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		mbedtls_x509_crt crt;
		char reason[256];

		load_crt(&crt, cases[i].file);
		enum node_identity id = node_auth_verdict(
		    &crt, cases[i].reserved, reason, sizeof(reason));
		mbedtls_x509_crt_free(&crt);
		if (id != cases[i].id || strcmp(reason, cases[i].reason) != 0)
			fail_msg("%s vs %s: got %s \"%s\"", cases[i].file,
				 cases[i].reserved ? cases[i].reserved
						   : "(null)",
				 node_identity_name(id), reason);
	}
}

static void
test_verdict_reason_is_bounded(void **state)
{
	mbedtls_x509_crt crt;
	char reason[16];

	(void)state;
	load_crt(&crt, "client.crt");
	assert_int_equal(
	    node_auth_verdict(&crt, "*.cluster.test", reason, sizeof(reason)),
	    ID_CLIENT);
	assert_int_equal(strlen(reason), sizeof(reason) - 1);
	assert_int_equal(node_auth_verdict(&crt, "*.cluster.test", NULL, 0),
			 ID_CLIENT);
	mbedtls_x509_crt_free(&crt);
}

struct san_case {
	const char *host;
	bool match;
};

static void
test_san_match(void **state)
{
	static const struct san_case cases[] = {
	    {"node1.cluster.test", true},
	    {"NODE1.Cluster.Test", true},
	    {"node1.cluster.test.", true},
	    {"node2.cluster.test", false},
	    {"cluster.test", false},
	    {"x.wild.cluster.test", true},
	    {"y.x.wild.cluster.test", false},
	    {"wild.cluster.test", false},
	    {"127.0.0.1", true},
	    {"127.0.0.2", false},
	    {"::1", true},
	    {"[::1]", true},
	    {"0:0:0:0:0:0:0:1", true},
	    {"::2", false},
	    {"::ffff:127.0.0.1", false},
	    {"", false},
	    {"node1.cluster.test..", false},
	};
	mbedtls_x509_crt crt;

	(void)state;
	load_crt(&crt, "node1.crt");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (node_auth_san_match(&crt, cases[i].host) != cases[i].match)
			fail_msg("host '%s': expected %d", cases[i].host,
				 cases[i].match);
	assert_false(node_auth_san_match(&crt, NULL));
	mbedtls_x509_crt_free(&crt);

	load_crt(&crt, "iponly.crt");
	assert_true(node_auth_san_match(&crt, "127.0.0.3"));
	assert_false(node_auth_san_match(&crt, "node10.cluster.test"));
	mbedtls_x509_crt_free(&crt);
	load_crt(&crt, "emailsan.crt");
	assert_false(node_auth_san_match(&crt, "node11.cluster.test"));
	assert_false(node_auth_san_match(&crt, "cluster.test"));
	mbedtls_x509_crt_free(&crt);

	/* no SAN extension at all: nothing matches, not even the CN */
	load_crt(&crt, "nosan.crt");
	assert_false(node_auth_san_match(&crt, "node3.cluster.test"));
	mbedtls_x509_crt_free(&crt);
}

struct peer_case {
	const char *file;
	const char *host;
	enum node_identity id;
	const char *reason;
};

/* The outbound verdict: rules 2-4 in the inbound words, then the SAN of
 * the address dialled. */
static void
test_peer_verdict(void **state)
{
	static const struct peer_case cases[] = {
	    {"node1.crt", "127.0.0.1", ID_NODE, ""},
	    {"node1.crt", "node1.cluster.test", ID_NODE, ""},
	    {"node1.crt", "[::1]", ID_NODE, ""},
	    {"node1.crt", "127.0.0.2", ID_CLIENT,
	     "server certificate has no SAN matching 127.0.0.2"},
	    {"node2.crt", "127.0.0.2", ID_NODE, ""},
	    /* trusted, right SAN, serverAuth: but not a node */
	    {"client.crt", "web-client", ID_CLIENT,
	     "CN \"web-client\" does not match the reserved node CN "
	     "\"*.cluster.test\""},
	    {"serveronly.crt", "node4.cluster.test", ID_CLIENT,
	     "extended key usage lacks clientAuth"},
	    {"nosan.crt", "node3.cluster.test", ID_CLIENT,
	     "certificate has no DNS or IP subject alternative name"},
	    {"twocn.crt", "node12.cluster.test", ID_CLIENT,
	     "certificate has more than one subject CN (ambiguous identity)"},
	    {"iponly.crt", "127.0.0.3", ID_NODE, ""},
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		mbedtls_x509_crt crt;
		char reason[256];

		load_crt(&crt, cases[i].file);
		enum node_identity id = node_auth_peer_verdict(
		    &crt, "*.cluster.test", cases[i].host, reason,
		    sizeof(reason));
		mbedtls_x509_crt_free(&crt);
		if (id != cases[i].id || strcmp(reason, cases[i].reason) != 0)
			fail_msg("%s at %s: got %s \"%s\"", cases[i].file,
				 cases[i].host, node_identity_name(id), reason);
	}
	assert_int_equal(node_auth_peer_verdict(NULL, "*.cluster.test",
						"127.0.0.1", NULL, 0),
			 ID_CLIENT);
}

/* Who a client certificate makes the connection: a certificate not usable
 * for client authentication counts as none. */
static void
test_client_verdict(void **state)
{
	static const struct verdict_case cases[] = {
	    {"node1.crt", "*.cluster.test", ID_NODE, ""},
	    {"client.crt", "*.cluster.test", ID_CLIENT,
	     "CN \"web-client\" does not match the reserved node CN "
	     "\"*.cluster.test\""},
	    /* EKU serverAuth only */
	    {"serveronly.crt", "*.cluster.test", ID_ANONYMOUS,
	     "certificate is not usable for client authentication (extended "
	     "key usage lacks clientAuth)"},
	    /* no EKU: usable for anything */
	    {"kusign.crt", "*.cluster.test", ID_CLIENT,
	     "key usage lacks keyEncipherment and keyAgreement"},
	    {"wildcn.crt", "*.cluster.test", ID_NODE, ""},
	};
	char reason[256];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		mbedtls_x509_crt crt;

		load_crt(&crt, cases[i].file);
		enum node_identity id = node_auth_client_verdict(
		    &crt, cases[i].reserved, reason, sizeof(reason));
		mbedtls_x509_crt_free(&crt);
		if (id != cases[i].id || strcmp(reason, cases[i].reason) != 0)
			fail_msg("%s: got %s \"%s\"", cases[i].file,
				 node_identity_name(id), reason);
	}
	assert_int_equal(node_auth_client_verdict(NULL, "*.cluster.test",
						  reason, sizeof(reason)),
			 ID_ANONYMOUS);
	assert_string_equal(reason, "");
}

static void
test_identity_names(void **state)
{
	(void)state;
	assert_string_equal(node_identity_name(ID_ANONYMOUS), "anonymous");
	assert_string_equal(node_identity_name(ID_CLIENT), "client");
	assert_string_equal(node_identity_name(ID_NODE), "node");
	assert_string_equal(node_identity_name(ID_LOCAL_ADMIN), "local-admin");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_cn_match_spec_examples),
	    cmocka_unit_test(test_cn_match_edge_cases),
	    cmocka_unit_test(test_subject_cn),
	    cmocka_unit_test(test_verdict_rules),
	    cmocka_unit_test(test_verdict_reason_is_bounded),
	    cmocka_unit_test(test_san_match),
	    cmocka_unit_test(test_peer_verdict),
	    cmocka_unit_test(test_client_verdict),
	    cmocka_unit_test(test_identity_names),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
