/*
 * mbed_err: the words for an mbedTLS error code, in one form everywhere:
 * mbedTLS's own message followed by the code, "... (-0x2700)", so that an
 * operator can both read it and look it up.
 */
#ifndef GOSSIP_MBED_ERR_H
#define GOSSIP_MBED_ERR_H

#include <stddef.h>

/* "mbedTLS message (-0xNNNN)" for ret (a negative mbedTLS code) into buf. */
void mbed_err_text(int ret, char *buf, size_t len);

/*
 * "what: mbedTLS message (-0xNNNN)" into err (nothing when err is NULL or
 * errlen 0). Returns -1, so that a failure path can end with
 * `return mbed_err(err, errlen, "what", ret);`.
 */
int mbed_err(char *err, size_t errlen, const char *what, int ret);

#endif
