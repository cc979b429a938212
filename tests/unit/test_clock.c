/* Unit tests for common/clock.c: the clocks agree with the system's. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <cmocka.h>

#include "clock.h"

static void
monotonic_ms_follows_the_system_clock(void **state)
{
	struct timespec ts;
	int64_t a, b, sys;

	(void)state;
	a = clock_mono_ms();
	clock_gettime(CLOCK_MONOTONIC, &ts);
	sys = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
	b = clock_mono_ms();
	assert_true(a <= sys && sys <= b);
}

static void
monotonic_us_agrees_with_ms(void **state)
{
	int64_t ms = clock_mono_ms();
	int64_t us = clock_mono_us();
	int64_t ms2 = clock_mono_ms();

	(void)state;
	assert_true(ms <= us / 1000 && us / 1000 <= ms2);
}

static void
real_ns_is_the_unix_time(void **state)
{
	time_t before = time(NULL);
	int64_t ns = clock_real_ns();
	time_t after = time(NULL);

	(void)state;
	assert_true(ns / 1000000000 >= (int64_t)before);
	assert_true(ns / 1000000000 <= (int64_t)after);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(monotonic_ms_follows_the_system_clock),
	    cmocka_unit_test(monotonic_us_agrees_with_ms),
	    cmocka_unit_test(real_ns_is_the_unix_time),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
