/*
 * negotiate: ?format= and Accept for the gossip document (see
 * negotiate.h). Ranges are read in place, bounded, without copying;
 * q-values follow RFC 9110's grammar (qvalue = "0" [ "." 0*3DIGIT ] /
 * "1" [ "." 0*3("0") ]): one that does not parse admits nothing.
 */
#include "negotiate.h"

#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>

static bool
is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Is [s, s+n) a qvalue greater than zero? */
static bool
qvalue_positive(const char *s, size_t n)
{
	bool nonzero = false;
	size_t i;

	if (n == 0 || (s[0] != '0' && s[0] != '1'))
		return false;
	if (n > 1 && (s[1] != '.' || n > 5))
		return false;
	for (i = 2; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		if (s[0] == '1' && s[i] != '0')
			return false;
		nonzero |= s[i] != '0';
	}
	return s[0] == '1' || nonzero;
}

/* Trims blanks from both ends of [*s, *s+*n). */
static void
trim(const char **s, size_t *n)
{
	while (*n > 0 && is_blank(**s)) {
		(*s)++;
		(*n)--;
	}
	while (*n > 0 && is_blank((*s)[*n - 1]))
		(*n)--;
}

/* Does one media range (type, then ;-separated parameters) admit JSON? */
static bool
range_admits_json(const char *range, size_t len)
{
	static const char *const ok[] = {"application/json", "application/*",
					 "*/*"};
	const char *type = range, *p;
	size_t tlen, i;

	if (len > NEGOTIATE_RANGE_MAX)
		return false;
	p = memchr(range, ';', len);
	tlen = p != NULL ? (size_t)(p - range) : len;
	while (p != NULL) {
		const char *param = p + 1, *next;
		size_t plen;

		next = memchr(param, ';', len - (size_t)(param - range));
		plen = next != NULL ? (size_t)(next - param)
				    : len - (size_t)(param - range);
		trim(&param, &plen);
		if (plen >= 2 && (param[0] == 'q' || param[0] == 'Q') &&
		    param[1] == '=' && !qvalue_positive(param + 2, plen - 2))
			return false;
		p = next;
	}
	trim(&type, &tlen);
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (tlen == strlen(ok[i]) &&
		    strncasecmp(type, ok[i], tlen) == 0)
			return true;
	return false;
}

/* Does the Accept header (NULL: absent) admit application/json? */
static bool
accepts_json(const char *accept)
{
	const char *p = accept;

	if (accept == NULL || accept[strspn(accept, " \t")] == '\0')
		return true;
	while (*p != '\0') {
		size_t len = strcspn(p, ",");

		if (range_admits_json(p, len))
			return true;
		p += len;
		if (*p == ',')
			p++;
	}
	return false;
}

enum negotiate_result
negotiate_gossip(const char *format, const char *accept)
{
	if (format != NULL && strcasecmp(format, "json") != 0)
		return NEGOTIATE_BAD_FORMAT;
	if (!accepts_json(accept))
		return NEGOTIATE_NOT_ACCEPTABLE;
	return NEGOTIATE_JSON;
}
