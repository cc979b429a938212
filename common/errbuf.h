/*
 * errbuf: the one way a reason goes into a caller's error buffer (STYLE.md
 * 4: errors carry words), printf-style, cut to the buffer, and harmless
 * with a NULL buffer.
 */
#ifndef GOSSIP_ERRBUF_H
#define GOSSIP_ERRBUF_H

#include <stddef.h>

/* Formats the reason into err (nothing when err is NULL or errlen 0).
 * Returns -1, so that a failure path can end with
 * `return errbuf_set(err, errlen, "...", ...);`. */
int errbuf_set(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
