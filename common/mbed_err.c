/*
 * mbed_err: mbedTLS error codes in words (see mbed_err.h).
 */
#include "mbed_err.h"

#include <stdio.h>

#include <mbedtls/error.h>

#include "errbuf.h"

void
mbed_err_text(int ret, char *buf, size_t len)
{
	char tmp[160];

	if (buf == NULL || len == 0)
		return;
	mbedtls_strerror(ret, tmp, sizeof(tmp));
	snprintf(buf, len, "%s (-0x%04X)", tmp, (unsigned int)-ret);
}

int
mbed_err(char *err, size_t errlen, const char *what, int ret)
{
	char tmp[200];

	mbed_err_text(ret, tmp, sizeof(tmp));
	return errbuf_set(err, errlen, "%s: %s", what, tmp);
}
