/* Unit tests for common/resolver.c: names and literals to seeds within a
 * deadline, without duplicates; bad names refused with a reason. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "clock.h"
#include "resolver.h"

static void
seeds_are_every_address_once_with_the_port(void **state)
{
	struct gossip_seed seeds[8];
	char err[256];
	size_t n = 0, i;
	bool v4 = false;

	(void)state;
	assert_int_equal(resolver_seeds("localhost", 2200, 5000, seeds, 8, &n,
					err, sizeof(err)),
			 0);
	assert_true(n >= 1);
	for (i = 0; i < n; i++) {
		assert_int_equal(seeds[i].port, 2200);
		if (strcmp(seeds[i].host, "127.0.0.1") == 0)
			v4 = true;
	}
	assert_true(v4);
	assert_int_equal(resolver_seeds("127.0.0.9", 1, 5000, seeds, 8, &n, err,
					sizeof(err)),
			 0);
	assert_int_equal(n, 1);
	assert_string_equal(seeds[0].host, "127.0.0.9");
	assert_int_equal(
	    resolver_seeds("", 1, 5000, seeds, 8, &n, err, sizeof(err)), -1);
}

static void
name_too_long_is_refused_before_any_lookup(void **state)
{
	struct gossip_seed seeds[2];
	char name[300], err[256];
	size_t n = 7;

	(void)state;
	memset(name, 'a', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	assert_int_equal(
	    resolver_seeds(name, 1, 5000, seeds, 2, &n, err, sizeof(err)), -1);
	assert_int_equal(n, 0);
	assert_string_equal(err, "cluster DNS name is empty or too long");
}

static void
at_most_max_seeds_are_given(void **state)
{
	struct gossip_seed seeds[1];
	char err[256];
	size_t n = 0;

	(void)state;
	assert_int_equal(resolver_seeds("localhost", 7, 5000, seeds, 1, &n, err,
					sizeof(err)),
			 0);
	assert_int_equal(n, 1);
	assert_int_equal(seeds[0].port, 7);
}

static void
literal_addresses_resolve_at_once(void **state)
{
	struct addrinfo *res = NULL;
	char err[256];

	(void)state;
	/* a deadline already past: a literal needs no lookup */
	assert_int_equal(resolver_addrinfo("::1", 443, 1, clock_mono_ms() - 1,
					   0, &res, err, sizeof(err)),
			 0);
	assert_non_null(res);
	assert_int_equal(res->ai_family, AF_INET6);
	freeaddrinfo(res);
	assert_int_equal(resolver_addrinfo("not-an-ip", 443, 1,
					   clock_mono_ms() + 1000, 1000, &res,
					   err, sizeof(err)),
			 -1);
	assert_null(res);
	assert_memory_equal(err, "resolve not-an-ip: ", 19);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(seeds_are_every_address_once_with_the_port),
	    cmocka_unit_test(name_too_long_is_refused_before_any_lookup),
	    cmocka_unit_test(at_most_max_seeds_are_given),
	    cmocka_unit_test(literal_addresses_resolve_at_once),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
