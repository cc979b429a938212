/* Unit tests for common/mbed_err.c: mbedTLS codes read the same
 * everywhere, words and code. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <mbedtls/ssl.h>

#include "mbed_err.h"

static void
mbed_err_gives_words_and_code(void **state)
{
	char buf[256], err[256];

	(void)state;
	mbed_err_text(MBEDTLS_ERR_SSL_CONN_EOF, buf, sizeof(buf));
	assert_non_null(strstr(buf, "(-0x7280)"));
	assert_true(strlen(buf) > strlen("(-0x7280)") + 1);
	assert_int_equal(
	    mbed_err(err, sizeof(err), "handshake", MBEDTLS_ERR_SSL_CONN_EOF),
	    -1);
	assert_memory_equal(err, "handshake: ", 11);
	assert_string_equal(err + 11, buf);
	/* no buffer: still -1, nothing written */
	assert_int_equal(mbed_err(NULL, 0, "x", MBEDTLS_ERR_SSL_CONN_EOF), -1);
}

static void
mbed_err_is_cut_not_overrun(void **state)
{
	char err[8];

	(void)state;
	memset(err, 'x', sizeof(err));
	mbed_err(err, sizeof(err), "handshake", MBEDTLS_ERR_SSL_CONN_EOF);
	assert_int_equal(strlen(err), sizeof(err) - 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(mbed_err_gives_words_and_code),
	    cmocka_unit_test(mbed_err_is_cut_not_overrun),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
