/* Unit tests for common/errbuf.c: a reason into a caller's buffer, cut to
 * it, harmless without one, and -1 to return. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "errbuf.h"

static void
reason_is_formatted_and_minus_one_returned(void **state)
{
	char err[64];

	(void)state;
	assert_int_equal(
	    errbuf_set(err, sizeof(err), "field \"%s\" is %d", "port", 7), -1);
	assert_string_equal(err, "field \"port\" is 7");
}

static void
reason_is_cut_to_the_buffer(void **state)
{
	char err[6];

	(void)state;
	memset(err, 'x', sizeof(err));
	errbuf_set(err, sizeof(err), "%s", "a long reason");
	assert_string_equal(err, "a lon");
}

static void
no_buffer_is_harmless(void **state)
{
	char err[4] = "abc";

	(void)state;
	assert_int_equal(errbuf_set(NULL, 10, "%s", "x"), -1);
	assert_int_equal(errbuf_set(err, 0, "%s", "x"), -1);
	assert_string_equal(err, "abc");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(reason_is_formatted_and_minus_one_returned),
	    cmocka_unit_test(reason_is_cut_to_the_buffer),
	    cmocka_unit_test(no_buffer_is_harmless),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
