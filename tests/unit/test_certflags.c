/* Unit tests for common/certflags.c: one wording for X.509 verification
 * flags, the most important reason first, and its metric label. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <mbedtls/x509.h>

#include "certflags.h"

static void
revocation_wins_over_everything_else(void **state)
{
	uint32_t f = MBEDTLS_X509_BADCERT_REVOKED |
		     MBEDTLS_X509_BADCERT_EXPIRED |
		     MBEDTLS_X509_BADCERT_NOT_TRUSTED;

	(void)state;
	assert_string_equal(certflags_reason(f),
			    "certificate has been revoked");
	assert_string_equal(certflags_label(f), "revoked");
}

static void
each_reason_has_its_words(void **state)
{
	static const struct {
		uint32_t flags;
		const char *words, *label;
	} cases[] = {
	    {MBEDTLS_X509_BADCERT_EXPIRED | MBEDTLS_X509_BADCERT_NOT_TRUSTED,
	     "certificate has expired", "expired"},
	    {MBEDTLS_X509_BADCERT_FUTURE, "certificate is not yet valid",
	     "not_yet_valid"},
	    {MBEDTLS_X509_BADCERT_NOT_TRUSTED,
	     "certificate is not signed by a trusted CA", "untrusted"},
	    {MBEDTLS_X509_BADCERT_MISSING, "no certificate was presented",
	     "untrusted"},
	    {MBEDTLS_X509_BADCERT_BAD_MD,
	     "certificate uses a weak or unsupported algorithm or key",
	     "untrusted"},
	    {MBEDTLS_X509_BADCERT_BAD_KEY,
	     "certificate uses a weak or unsupported algorithm or key",
	     "untrusted"},
	    {MBEDTLS_X509_BADCRL_EXPIRED,
	     "the CRL of its issuer is past its next update", "untrusted"},
	    {MBEDTLS_X509_BADCRL_NOT_TRUSTED,
	     "the CRL of its issuer is not valid", "untrusted"},
	    {MBEDTLS_X509_BADCERT_EXT_KEY_USAGE,
	     "certificate's key usage does not allow it for this TLS role",
	     "untrusted"},
	    {MBEDTLS_X509_BADCERT_OTHER, "certificate verification failed",
	     "untrusted"},
	    {0, "certificate verification failed", "untrusted"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_string_equal(certflags_reason(cases[i].flags),
				    cases[i].words);
		assert_string_equal(certflags_label(cases[i].flags),
				    cases[i].label);
	}
}

static void
describe_lists_every_reason_in_order(void **state)
{
	char buf[256];

	(void)state;
	certflags_describe(MBEDTLS_X509_BADCERT_NOT_TRUSTED |
			       MBEDTLS_X509_BADCERT_EXPIRED,
			   buf, sizeof(buf));
	assert_string_equal(buf, "certificate has expired; certificate is not "
				 "signed by a trusted CA");
	certflags_describe(MBEDTLS_X509_BADCERT_OTHER, buf, sizeof(buf));
	assert_string_equal(buf, "certificate verification failed");
}

static void
describe_cuts_at_the_buffer(void **state)
{
	char buf[12];

	(void)state;
	memset(buf, 'x', sizeof(buf));
	certflags_describe(MBEDTLS_X509_BADCERT_REVOKED |
			       MBEDTLS_X509_BADCERT_EXPIRED,
			   buf, sizeof(buf));
	assert_int_equal(strlen(buf), sizeof(buf) - 1);
	assert_memory_equal(buf, "certificate", 11);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(revocation_wins_over_everything_else),
	    cmocka_unit_test(each_reason_has_its_words),
	    cmocka_unit_test(describe_lists_every_reason_in_order),
	    cmocka_unit_test(describe_cuts_at_the_buffer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
