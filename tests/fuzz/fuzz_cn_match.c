/*
 * Fuzz target: the CN pattern matcher and the CN/SAN rules over arbitrary
 * certificates. The input is split at the first NUL: pattern, then CN.
 * The whole input is also parsed as a DER certificate and, if it parses,
 * run through the node verdict and the SAN matcher.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <mbedtls/x509_crt.h>

#include "node_auth.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char pattern[512], cn[512], reason[512];
	const uint8_t *nul = memchr(data, 0, size);
	size_t plen = nul != NULL ? (size_t)(nul - data) : size;
	size_t clen = nul != NULL ? size - plen - 1 : 0;
	mbedtls_x509_crt crt;

	if (plen < sizeof(pattern) && clen < sizeof(cn)) {
		memcpy(pattern, data, plen);
		pattern[plen] = '\0';
		if (nul != NULL)
			memcpy(cn, nul + 1, clen);
		cn[clen] = '\0';
		/* A name always matches itself unless it is malformed;
		 * matching never reads past either string. */
		(void)node_auth_cn_match(pattern, cn);
		(void)node_auth_cn_match(cn, pattern);
	}

	mbedtls_x509_crt_init(&crt);
	if (mbedtls_x509_crt_parse_der(&crt, data, size) == 0) {
		(void)node_auth_subject_cn(&crt, cn, sizeof(cn));
		(void)node_auth_verdict(&crt, "*.cluster.test", reason,
					sizeof(reason));
		(void)node_auth_san_match(&crt, "127.0.0.1");
		(void)node_auth_san_match(&crt, "::1");
		(void)node_auth_san_match(&crt, "node1.cluster.test");
	}
	mbedtls_x509_crt_free(&crt);
	return 0;
}
