/* Unit tests for common/ratelimit.c: a burst per window, the rest
 * counted and reported when the next window opens; one limiter per key. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "ratelimit.h"

static void
burst_passes_then_events_are_held(void **state)
{
	struct ratelimit rl;
	struct ratelimit_held prev;

	(void)state;
	ratelimit_init(&rl, 1000, 3);
	for (int i = 0; i < 3; i++) {
		assert_true(ratelimit_allow(&rl, 5000 + i, &prev));
		assert_int_equal(prev.count, 0);
	}
	for (int i = 0; i < 5; i++)
		assert_false(ratelimit_allow(&rl, 5100 + i, &prev));
	assert_int_equal(prev.count, 0);
}

static void
next_window_reports_what_was_held(void **state)
{
	struct ratelimit rl;
	struct ratelimit_held prev;

	(void)state;
	ratelimit_init(&rl, 1000, 1);
	assert_true(ratelimit_allow(&rl, 0, &prev));
	assert_false(ratelimit_allow(&rl, 10, &prev));
	assert_false(ratelimit_allow(&rl, 999, &prev));
	/* the window ends at 1000: the next event opens a new one */
	assert_true(ratelimit_allow(&rl, 2500, &prev));
	assert_int_equal(prev.count, 2);
	assert_int_equal(prev.window_ms, 2500);
	/* nothing held in the second window: nothing to report */
	assert_true(ratelimit_allow(&rl, 3600, &prev));
	assert_int_equal(prev.count, 0);
	assert_true(ratelimit_allow(&rl, 4600, NULL));
}

static void
keys_have_their_own_limiters(void **state)
{
	struct ratelimit_set s = {.window_ms = 60000, .burst = 1};

	(void)state;
	assert_true(ratelimit_set_allow(&s, "10.0.0.1:2113", 0, NULL));
	assert_true(ratelimit_set_allow(&s, "10.0.0.2:2113", 1, NULL));
	assert_false(ratelimit_set_allow(&s, "10.0.0.1:2113", 2, NULL));
	assert_false(ratelimit_set_allow(&s, "10.0.0.2:2113", 59999, NULL));
	assert_true(ratelimit_set_allow(&s, "10.0.0.1:2113", 60000, NULL));
}

static void
least_recently_seen_key_gives_up_its_slot(void **state)
{
	struct ratelimit_set s = {.window_ms = 60000, .burst = 1};
	char key[32];

	(void)state;
	for (int i = 0; i < RATELIMIT_SET_SLOTS; i++) {
		snprintf(key, sizeof(key), "peer%d", i);
		assert_true(ratelimit_set_allow(&s, key, 100 + i, NULL));
	}
	/* peer0 is seen again: still limited, and now the most recent */
	assert_false(ratelimit_set_allow(&s, "peer0", 200, NULL));
	/* a new key takes peer1's slot (the least recently seen) */
	assert_true(ratelimit_set_allow(&s, "newcomer", 201, NULL));
	assert_false(ratelimit_set_allow(&s, "peer0", 202, NULL));
	/* peer1 was forgotten: it starts afresh */
	assert_true(ratelimit_set_allow(&s, "peer1", 203, NULL));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(burst_passes_then_events_are_held),
	    cmocka_unit_test(next_window_reports_what_was_held),
	    cmocka_unit_test(keys_have_their_own_limiters),
	    cmocka_unit_test(least_recently_seen_key_gives_up_its_slot),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
