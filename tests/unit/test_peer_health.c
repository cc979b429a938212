/* Unit tests for common/peer_health.c: the per-peer exchange record and
 * the cluster verdict. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "discovery.h"
#include "peer_health.h"

static void
records_success_and_failure(void **state)
{
	struct peer_health *ph = peer_health_new();
	struct peer_health_entry e;

	(void)state;
	assert_non_null(ph);
	assert_int_equal(peer_health_successes(ph), 0);
	assert_false(peer_health_get(ph, "127.0.0.1:2113", &e));
	peer_health_fail(ph, "127.0.0.1", 2113, "connect", "refused", 100);
	peer_health_fail(ph, "127.0.0.1", 2113, "timeout", "timed out", 101);
	assert_true(peer_health_get(ph, "127.0.0.1:2113", &e));
	assert_int_equal(e.last_ok, 0);
	assert_int_equal(e.last_error_at, 101);
	assert_string_equal(e.reason, "timeout");
	assert_string_equal(e.error, "timed out");
	assert_int_equal(e.consecutive_failures, 2);
	peer_health_ok(ph, "127.0.0.1", 2113, 0.004, 5000, 102);
	assert_true(peer_health_get(ph, "127.0.0.1:2113", &e));
	assert_int_equal(e.last_ok, 102);
	assert_int_equal(e.consecutive_failures, 0);
	assert_int_equal(e.failures_total, 2);
	assert_int_equal(e.ok_total, 1);
	assert_int_equal(e.cert_not_after, 5000);
	assert_true(e.rtt_seconds > 0.0039 && e.rtt_seconds < 0.0041);
	/* the last error is kept after a success */
	assert_string_equal(e.reason, "timeout");
	assert_int_equal(peer_health_successes(ph), 1);
	peer_health_forget(ph, "127.0.0.1:2113");
	assert_false(peer_health_get(ph, "127.0.0.1:2113", &e));
	peer_health_free(ph);
}

static void
ipv6_in_brackets(void **state)
{
	struct peer_health *ph = peer_health_new();
	struct peer_health_entry e;
	char ep[64];

	(void)state;
	discovery_format_endpoint("::1", 2113, ep, sizeof(ep));
	assert_string_equal(ep, "[::1]:2113");
	peer_health_ok(ph, "::1", 2113, 0.001, 0, 1);
	assert_true(peer_health_get(ph, "[::1]:2113", &e));
	peer_health_free(ph);
}

static void
bounded_replaces_oldest(void **state)
{
	struct peer_health *ph = peer_health_new();
	struct peer_health_entry e;
	char host[32];
	size_t i;

	(void)state;
	for (i = 0; i < PEER_HEALTH_MAX + 5; i++) {
		snprintf(host, sizeof(host), "127.0.%zu.%zu", i / 250, i % 250);
		peer_health_ok(ph, host, 2113, 0.001, 0, (time_t)(1000 + i));
	}
	struct peer_health_entry *all =
	    test_malloc(PEER_HEALTH_MAX * 2 * sizeof(*all));
	assert_int_equal(peer_health_snapshot(ph, all, PEER_HEALTH_MAX * 2),
			 PEER_HEALTH_MAX);
	test_free(all);
	/* the five heard of first were replaced, the latest kept */
	assert_false(peer_health_get(ph, "127.0.0.0:2113", &e));
	assert_false(peer_health_get(ph, "127.0.0.4:2113", &e));
	assert_true(peer_health_get(ph, "127.0.0.5:2113", &e));
	snprintf(host, sizeof(host), "127.0.%d.%d:2113",
		 (PEER_HEALTH_MAX + 4) / 250, (PEER_HEALTH_MAX + 4) % 250);
	assert_true(peer_health_get(ph, host, &e));
	peer_health_free(ph);
}

static void
add(struct cluster_doc *doc, const char *ip, int port, enum member_state s,
    bool alive, bool placeholder)
{
	struct member *m = &doc->members[doc->n++];

	memset(m, 0, sizeof(*m));
	snprintf(m->http_ip, sizeof(m->http_ip), "%s", ip);
	m->http_port = port;
	m->state = s;
	m->is_alive = alive;
	if (!placeholder)
		m->instance_id.b[0] = (uint8_t)doc->n;
}

static void
verdict(void **state)
{
	struct member ms[6];
	struct cluster_doc doc = {ms, 0, "", 0};
	struct cluster_verdict v;

	(void)state;
	add(&doc, "127.0.0.1", 1, MS_LEADER, true, false);
	add(&doc, "127.0.0.2", 2, MS_FOLLOWER, true, false);
	add(&doc, "127.0.0.3", 3, MS_FOLLOWER, true, false);
	cluster_verdict_of(&doc, 3, &v);
	assert_true(v.healthy);
	assert_string_equal(v.problems, "");
	assert_int_equal(v.leaders, 1);
	assert_int_equal(v.alive, 3);

	ms[1].state = MS_LEADER;
	cluster_verdict_of(&doc, 3, &v);
	assert_false(v.healthy);
	assert_string_equal(v.problems, "2 leaders");

	ms[0].state = MS_FOLLOWER;
	ms[1].state = MS_FOLLOWER;
	cluster_verdict_of(&doc, 0, &v);
	assert_false(v.healthy);
	assert_string_equal(v.problems, "no leader");

	ms[0].state = MS_LEADER;
	ms[2].is_alive = false;
	cluster_verdict_of(&doc, 3, &v);
	assert_false(v.healthy);
	assert_string_equal(v.problems, "member 127.0.0.3:3 is dead; 2 live "
					"members, fewer than ClusterSize 3");
	assert_int_equal(v.dead, 1);

	/* a seed placeholder is no live member */
	ms[2].is_alive = true;
	add(&doc, "::1", 4, MS_MANAGER, true, true);
	cluster_verdict_of(&doc, 4, &v);
	assert_int_equal(v.placeholders, 1);
	assert_string_equal(v.problems,
			    "3 live members, fewer than ClusterSize 4");
	cluster_verdict_of(&doc, 3, &v);
	assert_true(v.healthy);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(records_success_and_failure),
	    cmocka_unit_test(ipv6_in_brackets),
	    cmocka_unit_test(bounded_replaces_oldest),
	    cmocka_unit_test(verdict),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
