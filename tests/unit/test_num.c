/* Unit tests for common/num.c: integers from outside, read whole and
 * within bounds, in the manner of strtonum. */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "num.h"

static void
whole_numbers_within_bounds_are_read(void **state)
{
	long long v = 0;

	(void)state;
	assert_int_equal(num_parse("0", 0, 10, &v), NUM_OK);
	assert_int_equal(v, 0);
	assert_int_equal(num_parse("10", 0, 10, &v), NUM_OK);
	assert_int_equal(v, 10);
	assert_int_equal(num_parse("-5", -5, 5, &v), NUM_OK);
	assert_int_equal(v, -5);
	assert_int_equal(num_parse("007", 0, 10, &v), NUM_OK);
	assert_int_equal(v, 7);
	assert_int_equal(num_parse("9223372036854775807", 0, LLONG_MAX, &v),
			 NUM_OK);
	assert_true(v == LLONG_MAX);
}

static void
anything_but_sign_and_digits_is_invalid(void **state)
{
	static const char *const bad[] = {
	    "",	   " 1", "1 ",	"+1",  "1x",   "0x10", "1.0",
	    "1e3", "-",	 "--1", "\t2", "12\n", "- 1",
	};
	long long v = 42;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(num_parse(bad[i], -100, 100, &v), NUM_INVALID);
		assert_int_equal(v, 42); /* untouched */
	}
	assert_int_equal(num_parse(NULL, 0, 1, &v), NUM_INVALID);
}

static void
out_of_bounds_says_which_side(void **state)
{
	long long v = 42;

	(void)state;
	assert_int_equal(num_parse("11", 0, 10, &v), NUM_TOO_LARGE);
	assert_int_equal(num_parse("-1", 0, 10, &v), NUM_TOO_SMALL);
	assert_int_equal(num_parse("99999999999999999999", 0, LLONG_MAX, &v),
			 NUM_TOO_LARGE);
	assert_int_equal(num_parse("-99999999999999999999", LLONG_MIN, 0, &v),
			 NUM_TOO_SMALL);
	assert_int_equal(v, 42);
}

static void
int_variant_keeps_int_bounds(void **state)
{
	int v = 0;

	(void)state;
	assert_int_equal(num_parse_int("2147483647", INT_MIN, INT_MAX, &v),
			 NUM_OK);
	assert_int_equal(v, INT_MAX);
	assert_int_equal(num_parse_int("2147483648", INT_MIN, INT_MAX, &v),
			 NUM_TOO_LARGE);
	assert_int_equal(num_parse_int("299", 200, 299, &v), NUM_OK);
	assert_int_equal(v, 299);
	assert_int_equal(num_parse_int("300", 200, 299, &v), NUM_TOO_LARGE);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(whole_numbers_within_bounds_are_read),
	    cmocka_unit_test(anything_but_sign_and_digits_is_invalid),
	    cmocka_unit_test(out_of_bounds_says_which_side),
	    cmocka_unit_test(int_variant_keeps_int_bounds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
