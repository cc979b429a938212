/*
 * num: bounded decimal integers (see num.h).
 */
#include "num.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>

enum num_err
num_parse(const char *s, long long min, long long max, long long *out)
{
	const char *p;
	char *end = NULL;
	long long v;

	if (s == NULL)
		return NUM_INVALID;
	p = s[0] == '-' ? s + 1 : s;
	if (*p < '0' || *p > '9')
		return NUM_INVALID; /* empty, blank, '+', a lone '-' */
	for (const char *q = p; *q != '\0'; q++)
		if (*q < '0' || *q > '9')
			return NUM_INVALID;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno == ERANGE)
		return v == LLONG_MIN ? NUM_TOO_SMALL : NUM_TOO_LARGE;
	if (v < min)
		return NUM_TOO_SMALL;
	if (v > max)
		return NUM_TOO_LARGE;
	*out = v;
	return NUM_OK;
}

enum num_err
num_parse_int(const char *s, int min, int max, int *out)
{
	long long v;
	enum num_err e = num_parse(s, min, max, &v);

	if (e == NUM_OK)
		*out = (int)v;
	return e;
}
