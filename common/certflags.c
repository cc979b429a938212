/*
 * certflags: X.509 verification flags in words (see certflags.h).
 */
#include "certflags.h"

#include <stdio.h>
#include <string.h>

#include <mbedtls/x509.h>

/* Most important first: the first match is the reason given. */
static const struct {
	uint32_t bits;
	const char *label;
	const char *words;
} reasons[] = {
    {MBEDTLS_X509_BADCERT_REVOKED, "revoked", "certificate has been revoked"},
    {MBEDTLS_X509_BADCERT_EXPIRED, "expired", "certificate has expired"},
    {MBEDTLS_X509_BADCERT_FUTURE, "not_yet_valid",
     "certificate is not yet valid"},
    {MBEDTLS_X509_BADCERT_MISSING, "untrusted", "no certificate was presented"},
    {MBEDTLS_X509_BADCERT_NOT_TRUSTED, "untrusted",
     "certificate is not signed by a trusted CA"},
    {MBEDTLS_X509_BADCERT_BAD_MD | MBEDTLS_X509_BADCERT_BAD_PK |
	 MBEDTLS_X509_BADCERT_BAD_KEY,
     "untrusted", "certificate uses a weak or unsupported algorithm or key"},
    {MBEDTLS_X509_BADCRL_EXPIRED, "untrusted",
     "the CRL of its issuer is past its next update"},
    {MBEDTLS_X509_BADCRL_FUTURE | MBEDTLS_X509_BADCRL_NOT_TRUSTED |
	 MBEDTLS_X509_BADCRL_BAD_MD | MBEDTLS_X509_BADCRL_BAD_PK |
	 MBEDTLS_X509_BADCRL_BAD_KEY,
     "untrusted", "the CRL of its issuer is not valid"},
    {MBEDTLS_X509_BADCERT_KEY_USAGE | MBEDTLS_X509_BADCERT_EXT_KEY_USAGE |
	 MBEDTLS_X509_BADCERT_NS_CERT_TYPE,
     "untrusted",
     "certificate's key usage does not allow it for this TLS role"},
};

#define N_REASONS (sizeof(reasons) / sizeof(reasons[0]))
#define FALLBACK  "certificate verification failed"

const char *
certflags_reason(uint32_t flags)
{
	for (size_t i = 0; i < N_REASONS; i++)
		if (flags & reasons[i].bits)
			return reasons[i].words;
	return FALLBACK;
}

const char *
certflags_label(uint32_t flags)
{
	for (size_t i = 0; i < N_REASONS; i++)
		if (flags & reasons[i].bits)
			return reasons[i].label;
	return "untrusted";
}

void
certflags_describe(uint32_t flags, char *buf, size_t len)
{
	size_t used = 0;

	if (buf == NULL || len == 0)
		return;
	buf[0] = '\0';
	for (size_t i = 0; i < N_REASONS; i++) {
		if (!(flags & reasons[i].bits))
			continue;
		int n = snprintf(buf + used, len - used, "%s%s",
				 used > 0 ? "; " : "", reasons[i].words);
		if (n < 0 || (size_t)n >= len - used)
			return; /* cut */
		used += (size_t)n;
	}
	if (used == 0)
		snprintf(buf, len, "%s", FALLBACK);
}
