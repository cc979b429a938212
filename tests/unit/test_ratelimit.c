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
	assert_true(ratelimit_set_allow(&s, "127.0.0.1:2113", 0, NULL));
	assert_true(ratelimit_set_allow(&s, "127.0.0.2:2113", 1, NULL));
	assert_false(ratelimit_set_allow(&s, "127.0.0.1:2113", 2, NULL));
	assert_false(ratelimit_set_allow(&s, "127.0.0.2:2113", 59999, NULL));
	assert_true(ratelimit_set_allow(&s, "127.0.0.1:2113", 60000, NULL));
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

struct reports {
	char keys[4][64];
	unsigned long counts[4];
	int64_t windows[4];
	int n;
};

static void
record(void *ctx, const char *key, const struct ratelimit_held *h)
{
	struct reports *r = ctx;

	assert_true(r->n < 4);
	snprintf(r->keys[r->n], sizeof(r->keys[r->n]), "%s",
		 key != NULL ? key : "(evicted)");
	r->counts[r->n] = h->count;
	r->windows[r->n] = h->window_ms;
	r->n++;
}

static void
timer_reports_ended_windows(void **state)
{
	struct ratelimit_set s = {.window_ms = 10000, .burst = 1};
	struct ratelimit rl;
	struct ratelimit_held h;
	struct reports r = {0};

	(void)state;
	assert_true(ratelimit_set_allow(&s, "a", 1000, NULL));
	for (int i = 0; i < 5; i++)
		assert_false(ratelimit_set_allow(&s, "a", 1100 + i, NULL));
	assert_true(ratelimit_set_allow(&s, "b", 2000, NULL));
	/* before the end: nothing */
	ratelimit_set_expire(&s, 10999, record, &r);
	assert_int_equal(r.n, 0);
	/* a's window ended (5 held, 10.5 s long); b's held nothing */
	ratelimit_set_expire(&s, 11500, record, &r);
	assert_int_equal(r.n, 1);
	assert_string_equal(r.keys[0], "a");
	assert_int_equal(r.counts[0], 5);
	assert_int_equal(r.windows[0], 10500);
	/* reported once: the window is closed, the next event opens one
	 * and passes */
	ratelimit_set_expire(&s, 30000, record, &r);
	assert_int_equal(r.n, 1);
	assert_true(ratelimit_set_allow(&s, "a", 30001, NULL));

	ratelimit_init(&rl, 1000, 1);
	assert_true(ratelimit_allow(&rl, 0, NULL));
	assert_false(ratelimit_allow(&rl, 10, NULL));
	h = ratelimit_expire(&rl, 500);
	assert_int_equal(h.count, 0);
	h = ratelimit_expire(&rl, 1200);
	assert_int_equal(h.count, 1);
	assert_int_equal(h.window_ms, 1200);
}

static void
evicted_slots_are_reported(void **state)
{
	struct ratelimit_set s = {.window_ms = 60000, .burst = 1};
	struct reports r = {0};
	char key[32];

	(void)state;
	for (int i = 0; i < RATELIMIT_SET_SLOTS; i++) {
		snprintf(key, sizeof(key), "peer%d", i);
		assert_true(ratelimit_set_allow(&s, key, 100 + i, NULL));
		assert_false(ratelimit_set_allow(&s, key, 100 + i, NULL));
	}
	/* two newcomers take peer0's and peer1's slots, each held 1 */
	assert_true(ratelimit_set_allow(&s, "new1", 500, NULL));
	assert_true(ratelimit_set_allow(&s, "new2", 501, NULL));
	ratelimit_set_expire(&s, 1000, record, &r);
	assert_int_equal(r.n, 1);
	assert_string_equal(r.keys[0], "(evicted)");
	assert_int_equal(r.counts[0], 2);
	assert_int_equal(r.windows[0], 900); /* since peer0's window start */
}

static void
windows_grow_while_a_key_keeps_coming(void **state)
{
	struct ratelimit_set s = {
	    .window_ms = 10000, .burst = 1, .max_window_ms = 40000};
	struct reports r = {0};
	int64_t t = 0;

	(void)state;
	/* each window: one event passes, one is held; the timer reports
	 * at the end of a window 10, 20, 40, 40 s long */
	for (int w = 0; w < 4; w++) {
		int64_t len = w == 0 ? 10000 : w == 1 ? 20000 : 40000;

		assert_true(ratelimit_set_allow(&s, "peer", t, NULL));
		assert_false(ratelimit_set_allow(&s, "peer", t + 1, NULL));
		r.n = 0;
		ratelimit_set_expire(&s, t + len - 1, record, &r);
		assert_int_equal(r.n, 0);
		ratelimit_set_expire(&s, t + len, record, &r);
		assert_int_equal(r.n, 1);
		assert_int_equal(r.windows[0], len);
		t += len;
	}
	/* a window that holds nothing: back to 10 s */
	assert_true(ratelimit_set_allow(&s, "peer", t, NULL));
	ratelimit_set_expire(&s, t + 40000, record, &r);
	assert_true(ratelimit_set_allow(&s, "peer", t + 50000, NULL));
	assert_false(ratelimit_set_allow(&s, "peer", t + 50001, NULL));
	r.n = 0;
	ratelimit_set_expire(&s, t + 60000, record, &r);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.windows[0], 10000);
	/* the same growth when the next event comes before the timer */
	assert_true(ratelimit_set_allow(&s, "x", 0, NULL));
	assert_false(ratelimit_set_allow(&s, "x", 1, NULL));
	struct ratelimit_held h;
	assert_true(ratelimit_set_allow(&s, "x", 10000, &h));
	assert_int_equal(h.count, 1);
	assert_false(ratelimit_set_allow(&s, "x", 29999, NULL));
	assert_true(ratelimit_set_allow(&s, "x", 30000, &h));
	assert_int_equal(h.window_ms, 20000);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(burst_passes_then_events_are_held),
	    cmocka_unit_test(next_window_reports_what_was_held),
	    cmocka_unit_test(keys_have_their_own_limiters),
	    cmocka_unit_test(least_recently_seen_key_gives_up_its_slot),
	    cmocka_unit_test(timer_reports_ended_windows),
	    cmocka_unit_test(evicted_slots_are_reported),
	    cmocka_unit_test(windows_grow_while_a_key_keeps_coming),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
