/*
 * ip_limits (daemon/): the caps before any handshake. IPv6 peers are
 * counted per prefix (/64 by default, configurable), IPv4-mapped peers as
 * IPv4; a full table evicts the connection that has waited longest
 * without an answer, never one already answered, and refuses only when
 * none waits. The daemon's file is compiled in: it is not part of the
 * common library.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "../../daemon/ip_limits.c"

static struct sockaddr_storage
addr(const char *text)
{
	struct sockaddr_storage ss;

	memset(&ss, 0, sizeof(ss));
	if (strchr(text, ':') != NULL) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;

		a->sin6_family = AF_INET6;
		assert_int_equal(inet_pton(AF_INET6, text, &a->sin6_addr), 1);
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;

		a->sin_family = AF_INET;
		assert_int_equal(inet_pton(AF_INET, text, &a->sin_addr), 1);
	}
	return ss;
}

static enum ip_limit_verdict
take(struct ip_limits *t, const char *text, struct ip_slot **slot,
     bool *evicted)
{
	struct sockaddr_storage ss = addr(text);
	bool ev;

	return ip_limits_acquire(t, (struct sockaddr *)&ss, slot,
				 evicted != NULL ? evicted : &ev);
}

static void
v6_hosts_of_one_64_share_the_cap(void **state)
{
	struct ip_limits *t = ip_limits_new(100, 2, 64);
	struct ip_slot *s[4];

	(void)state;
	assert_int_equal(take(t, "2001:db8:1:2::1", &s[0], NULL), IPL_OK);
	assert_int_equal(take(t, "2001:db8:1:2:ffff::9", &s[1], NULL), IPL_OK);
	assert_int_equal(take(t, "2001:db8:1:2:abcd::7", &s[2], NULL),
			 IPL_PER_IP);
	assert_null(s[2]);
	/* the next /64 is another address */
	assert_int_equal(take(t, "2001:db8:1:3::1", &s[2], NULL), IPL_OK);
	ip_limits_release(t, s[0]);
	assert_int_equal(take(t, "2001:db8:1:2::42", &s[3], NULL), IPL_OK);
	ip_limits_release(t, s[1]);
	ip_limits_release(t, s[2]);
	ip_limits_release(t, s[3]);
	ip_limits_free(t);
}

static void
v6_prefix_is_configurable(void **state)
{
	struct ip_limits *t = ip_limits_new(100, 1, 128);
	struct ip_slot *a, *b, *c;

	(void)state;
	assert_int_equal(take(t, "2001:db8::1", &a, NULL), IPL_OK);
	assert_int_equal(take(t, "2001:db8::2", &b, NULL), IPL_OK);
	assert_int_equal(take(t, "2001:db8::1", &c, NULL), IPL_PER_IP);
	ip_limits_release(t, a);
	ip_limits_release(t, b);
	ip_limits_free(t);
	/* /56: two /64s of one site share */
	t = ip_limits_new(100, 1, 56);
	assert_int_equal(take(t, "2001:db8:0:1::1", &a, NULL), IPL_OK);
	assert_int_equal(take(t, "2001:db8:0:2::1", &b, NULL), IPL_PER_IP);
	assert_int_equal(take(t, "2001:db8:0:100::1", &b, NULL), IPL_OK);
	ip_limits_release(t, a);
	ip_limits_release(t, b);
	ip_limits_free(t);
}

static void
v4_mapped_counts_as_v4(void **state)
{
	struct ip_limits *t = ip_limits_new(100, 1, 64);
	struct ip_slot *a, *b, *c;

	(void)state;
	/* two IPv4 clients on a "::" listener are not one /64 */
	assert_int_equal(take(t, "::ffff:127.0.0.1", &a, NULL), IPL_OK);
	assert_int_equal(take(t, "::ffff:127.0.0.2", &b, NULL), IPL_OK);
	/* and the mapped form is the same address as the plain one */
	assert_int_equal(take(t, "127.0.0.1", &c, NULL), IPL_PER_IP);
	ip_limits_release(t, a);
	ip_limits_release(t, b);
	ip_limits_free(t);
}

static void
full_table_evicts_the_oldest_waiting(void **state)
{
	struct ip_limits *t = ip_limits_new(3, 10, 64);
	struct ip_slot *s[6];
	bool ev;

	(void)state;
	assert_int_equal(take(t, "127.0.0.10", &s[0], &ev), IPL_OK);
	assert_false(ev);
	assert_int_equal(take(t, "127.0.0.11", &s[1], &ev), IPL_OK);
	assert_int_equal(take(t, "127.0.0.12", &s[2], &ev), IPL_OK);
	/* s[0] was answered: s[1] is the oldest still waiting */
	ip_limits_answered(t, s[0]);
	assert_int_equal(take(t, "127.0.0.99", &s[3], &ev), IPL_OK);
	assert_true(ev);
	assert_false(atomic_load(&s[0]->evicted));
	assert_true(atomic_load(&s[1]->evicted));
	assert_false(atomic_load(&s[2]->evicted));
	/* the evicted one's release gives back nothing more */
	ip_limits_release(t, s[1]);
	assert_int_equal(t->total, 3);
	/* s[1]'s address is counted no more */
	{
		uint8_t key[17];
		struct sockaddr_storage ss = addr("127.0.0.11");

		make_key(t, (struct sockaddr *)&ss, key);
		assert_null(*find(t, key));
	}
	ip_limits_answered(t, s[2]);
	ip_limits_answered(t, s[3]);
	/* everyone answered: a new one is refused */
	assert_int_equal(take(t, "127.0.0.50", &s[4], &ev), IPL_TOTAL);
	assert_null(s[4]);
	assert_false(ev);
	ip_limits_release(t, s[0]);
	assert_int_equal(take(t, "127.0.0.50", &s[4], &ev), IPL_OK);
	assert_false(ev);
	ip_limits_release(t, s[2]);
	ip_limits_release(t, s[3]);
	ip_limits_release(t, s[4]);
	assert_int_equal(t->total, 0);
	ip_limits_free(t);
}

static void
per_ip_cap_is_not_bypassed_by_eviction(void **state)
{
	struct ip_limits *t = ip_limits_new(2, 1, 64);
	struct ip_slot *a, *b, *c;
	bool ev;

	(void)state;
	assert_int_equal(take(t, "127.0.0.10", &a, &ev), IPL_OK);
	assert_int_equal(take(t, "127.0.0.11", &b, &ev), IPL_OK);
	/* same address as a, table full: the per-address cap refuses; no
	 * one is evicted for it */
	assert_int_equal(take(t, "127.0.0.10", &c, &ev), IPL_PER_IP);
	assert_false(ev);
	assert_false(atomic_load(&a->evicted));
	ip_limits_release(t, a);
	ip_limits_release(t, b);
	ip_limits_free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(v6_hosts_of_one_64_share_the_cap),
	    cmocka_unit_test(v6_prefix_is_configurable),
	    cmocka_unit_test(v4_mapped_counts_as_v4),
	    cmocka_unit_test(full_table_evicts_the_oldest_waiting),
	    cmocka_unit_test(per_ip_cap_is_not_bypassed_by_eviction),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
