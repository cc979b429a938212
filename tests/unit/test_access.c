/* Unit tests for common/access.c: the identity rules of SPEC.md section
 * 4, every rule against every identity, and certificate expiry. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "access.h"

#define OK   ACCESS_OK
#define U401 ACCESS_UNAUTHENTICATED
#define F403 ACCESS_FORBIDDEN

/* Rows: rule; columns: anonymous, client, node, local admin. */
static void
rules_with_default_switches(void **state)
{
	static const struct {
		enum access_rule rule;
		enum access_verdict v[4];
	} cases[] = {
	    {ACCESS_ANY, {OK, OK, OK, OK}},
	    {ACCESS_NODE, {U401, F403, OK, F403}},
	    {ACCESS_NODE_OR_ADMIN, {U401, F403, OK, OK}},
	    {ACCESS_GOSSIP_READ, {OK, OK, OK, OK}},
	    {ACCESS_METRICS, {OK, OK, OK, OK}},
	    {ACCESS_ADMIN_CHANGE, {U401, F403, F403, OK}},
	};
	static const enum node_identity ids[4] = {ID_ANONYMOUS, ID_CLIENT,
						  ID_NODE, ID_LOCAL_ADMIN};
	const struct access_switches sw = {0};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		for (size_t j = 0; j < 4; j++)
			if (access_check(cases[i].rule, ids[j], &sw) !=
			    cases[i].v[j])
				fail_msg("rule %d, identity %s: %d, want %d",
					 (int)cases[i].rule,
					 node_identity_name(ids[j]),
					 (int)access_check(cases[i].rule,
							   ids[j], &sw),
					 (int)cases[i].v[j]);
}

static void
gossip_requires_client_cert_refuses_only_anonymous(void **state)
{
	const struct access_switches sw = {.gossip_requires_client_cert = true};

	(void)state;
	assert_int_equal(access_check(ACCESS_GOSSIP_READ, ID_ANONYMOUS, &sw),
			 U401);
	assert_int_equal(access_check(ACCESS_GOSSIP_READ, ID_CLIENT, &sw), OK);
	assert_int_equal(access_check(ACCESS_GOSSIP_READ, ID_NODE, &sw), OK);
	assert_int_equal(access_check(ACCESS_GOSSIP_READ, ID_LOCAL_ADMIN, &sw),
			 OK);
}

static void
metrics_requires_node_admits_nodes_and_admin(void **state)
{
	const struct access_switches sw = {.metrics_requires_node = true};

	(void)state;
	assert_int_equal(access_check(ACCESS_METRICS, ID_ANONYMOUS, &sw), U401);
	assert_int_equal(access_check(ACCESS_METRICS, ID_CLIENT, &sw), F403);
	assert_int_equal(access_check(ACCESS_METRICS, ID_NODE, &sw), OK);
	assert_int_equal(access_check(ACCESS_METRICS, ID_LOCAL_ADMIN, &sw), OK);
}

static void
admin_over_https_admits_nodes_only(void **state)
{
	const struct access_switches sw = {.admin_over_https = true};

	(void)state;
	assert_int_equal(access_check(ACCESS_ADMIN_CHANGE, ID_ANONYMOUS, &sw),
			 U401);
	assert_int_equal(access_check(ACCESS_ADMIN_CHANGE, ID_CLIENT, &sw),
			 F403);
	assert_int_equal(access_check(ACCESS_ADMIN_CHANGE, ID_NODE, &sw), OK);
	assert_int_equal(access_check(ACCESS_ADMIN_CHANGE, ID_LOCAL_ADMIN, &sw),
			 OK);
}

static void
metrics_requires_client_cert_admits_any_trusted_cert(void **state)
{
	const struct access_switches sw = {.metrics_requires_client_cert =
					       true};
	const struct access_switches both = {.metrics_requires_client_cert =
						 true,
					     .metrics_requires_node = true};

	(void)state;
	assert_int_equal(access_check(ACCESS_METRICS, ID_ANONYMOUS, &sw), U401);
	assert_int_equal(access_check(ACCESS_METRICS, ID_CLIENT, &sw), OK);
	assert_int_equal(access_check(ACCESS_METRICS, ID_NODE, &sw), OK);
	assert_int_equal(access_check(ACCESS_METRICS, ID_LOCAL_ADMIN, &sw), OK);
	/* with both, the stricter rule holds */
	assert_int_equal(access_check(ACCESS_METRICS, ID_CLIENT, &both), F403);
}

static void
an_expired_certificate_stops_counting(void **state)
{
	(void)state;
	/* until notAfter, inclusive */
	assert_int_equal(access_identity_at(ID_NODE, 1000, 1000), ID_NODE);
	assert_int_equal(access_identity_at(ID_NODE, 1000, 1001), ID_ANONYMOUS);
	assert_int_equal(access_identity_at(ID_CLIENT, 1000, 1001),
			 ID_ANONYMOUS);
	/* no certificate, or the admin socket: nothing expires */
	assert_int_equal(access_identity_at(ID_NODE, 0, 99999), ID_NODE);
	assert_int_equal(access_identity_at(ID_LOCAL_ADMIN, 1000, 1001),
			 ID_LOCAL_ADMIN);
	assert_int_equal(access_identity_at(ID_ANONYMOUS, 1000, 1001),
			 ID_ANONYMOUS);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(rules_with_default_switches),
	    cmocka_unit_test(
		gossip_requires_client_cert_refuses_only_anonymous),
	    cmocka_unit_test(metrics_requires_node_admits_nodes_and_admin),
	    cmocka_unit_test(admin_over_https_admits_nodes_only),
	    cmocka_unit_test(
		metrics_requires_client_cert_admits_any_trusted_cert),
	    cmocka_unit_test(an_expired_certificate_stops_counting),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
