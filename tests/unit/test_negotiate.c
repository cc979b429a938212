/* Unit tests for common/negotiate.c: GET /gossip's ?format= and Accept. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "negotiate.h"

static void
no_accept_or_an_empty_one_admits_json(void **state)
{
	(void)state;
	assert_true((negotiate_gossip(NULL, NULL) == NEGOTIATE_JSON));
	assert_true((negotiate_gossip(NULL, "") == NEGOTIATE_JSON));
	assert_true((negotiate_gossip(NULL, " \t ") == NEGOTIATE_JSON));
}

static void
json_and_wildcards_admit_json(void **state)
{
	static const char *const yes[] = {
	    "application/json",
	    "APPLICATION/JSON",
	    "application/*",
	    "*/*",
	    "text/html, application/json;q=0.5",
	    "text/html,*/*;q=0.001",
	    "  application/json  ; charset=utf-8",
	    "application/json;q=1",
	    "application/json;q=1.000",
	    "application/json; Q=0.9",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		if (!(negotiate_gossip(NULL, yes[i]) == NEGOTIATE_JSON))
			fail_msg("\"%s\" should admit JSON", yes[i]);
}

static void
q_zero_and_other_types_admit_nothing(void **state)
{
	static const char *const no[] = {
	    "text/html",
	    "application/xml, text/*",
	    "application/json;q=0",
	    "application/json;q=0.000",
	    "*/*;q=0, text/html",
	    "application/json;q=2",	 /* not a qvalue */
	    "application/json;q=0.0001", /* more than 3 decimals */
	    "application/json;q=1.5",
	    "application/json;q=",
	    "application/jsonx",
	    "application",
	    ",,,",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		if ((negotiate_gossip(NULL, no[i]) == NEGOTIATE_JSON))
			fail_msg("\"%s\" should not admit JSON", no[i]);
}

static void
an_overlong_range_admits_nothing(void **state)
{
	char accept[NEGOTIATE_RANGE_MAX + 40];

	(void)state;
	memset(accept, ' ', sizeof(accept));
	memcpy(accept + sizeof(accept) - 1 - 16, "application/json", 16);
	accept[sizeof(accept) - 1] = '\0';
	assert_false((negotiate_gossip(NULL, accept) == NEGOTIATE_JSON));
	/* the same range after a comma stands on its own */
	accept[sizeof(accept) - 18] = ',';
	assert_true((negotiate_gossip(NULL, accept) == NEGOTIATE_JSON));
}

static void
format_names_json_or_is_refused(void **state)
{
	(void)state;
	assert_int_equal(negotiate_gossip(NULL, NULL), NEGOTIATE_JSON);
	assert_int_equal(negotiate_gossip("json", NULL), NEGOTIATE_JSON);
	assert_int_equal(negotiate_gossip("JSON", "application/json"),
			 NEGOTIATE_JSON);
	assert_int_equal(negotiate_gossip("xml", NULL), NEGOTIATE_BAD_FORMAT);
	assert_int_equal(negotiate_gossip("", NULL), NEGOTIATE_BAD_FORMAT);
	/* the format is checked first */
	assert_int_equal(negotiate_gossip("xml", "text/html"),
			 NEGOTIATE_BAD_FORMAT);
	assert_int_equal(negotiate_gossip("json", "text/html"),
			 NEGOTIATE_NOT_ACCEPTABLE);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(no_accept_or_an_empty_one_admits_json),
	    cmocka_unit_test(json_and_wildcards_admit_json),
	    cmocka_unit_test(q_zero_and_other_types_admit_nothing),
	    cmocka_unit_test(an_overlong_range_admits_nothing),
	    cmocka_unit_test(format_names_json_or_is_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
