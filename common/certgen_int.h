/*
 * certgen_int.h: what the certgen files share and nobody else uses.
 */
#ifndef GOSSIP_CERTGEN_INT_H
#define GOSSIP_CERTGEN_INT_H

#include <stddef.h>

#include "mbed_err.h"

/* snprintf into err, when err is not NULL. */
void certgen_seterr(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The value of n decimal digits (already checked to be digits). */
int certgen_digits(const char *s, size_t n);

#endif
