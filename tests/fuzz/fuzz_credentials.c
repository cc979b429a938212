/*
 * Fuzz target: credential loading from bytes an operator (or an attacker
 * who can plant a file) controls: PEM/DER private keys, plain and
 * encrypted PKCS#8 (PBES2-AES, PBES1-3DES), and PKCS#12 containers.
 * The first byte picks the password, the rest is the file.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/pk.h>
#include <mbedtls/x509_crt.h>

#include "pkcs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const passwords[] = {NULL, "", "secret", "changeit"};
	const char *pw;
	unsigned char *plain = NULL;
	unsigned char *buf;
	size_t plainlen = 0;
	char err[256];
	mbedtls_pk_context pk;
	mbedtls_x509_crt chain;

	if (size < 1 || size > PKCS_MAX_FILE)
		return 0;
	pw = passwords[data[0] % 4];
	data++;
	size--;

	/* PEM parsers want a NUL-terminated buffer; DER ones do not. */
	buf = malloc(size + 1);
	if (buf == NULL)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';

	mbedtls_pk_init(&pk);
	(void)pkcs_parse_key(&pk, buf, size + 1, pw, err, sizeof(err));
	mbedtls_pk_free(&pk);

	mbedtls_pk_init(&pk);
	(void)pkcs_parse_key(&pk, buf, size, pw, err, sizeof(err));
	mbedtls_pk_free(&pk);

	if (pkcs_decrypt_epki(buf, size, pw != NULL ? pw : "", &plain,
			      &plainlen, err, sizeof(err)) == 0)
		free(plain);

	mbedtls_pk_init(&pk);
	mbedtls_x509_crt_init(&chain);
	(void)pkcs12_parse(buf, size, pw != NULL ? pw : "", &chain, &pk, err,
			   sizeof(err));
	mbedtls_x509_crt_free(&chain);
	mbedtls_pk_free(&pk);

	free(buf);
	return 0;
}
