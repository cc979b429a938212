/*
 * num: every integer that comes from outside (options, command-line
 * flags, environment, URI parameters, HTTP headers and query strings) is
 * read here, in the manner of OpenBSD's strtonum(3): the whole string must
 * be the number, and it must lie within the caller's bounds.
 *
 * Stricter than strtonum: no leading blanks and no '+'; an optional '-'
 * then decimal digits only, nothing after them. A number too long for
 * long long is "too large" (or "too small"), never wrapped.
 */
#ifndef GOSSIP_NUM_H
#define GOSSIP_NUM_H

enum num_err {
	NUM_OK = 0,
	NUM_INVALID,   /* empty, NULL, or not only [-]digits */
	NUM_TOO_SMALL, /* below min */
	NUM_TOO_LARGE, /* above max */
};

/*
 * Reads s as a decimal integer within [min, max]. Returns NUM_OK and the
 * value in *out, or the reason (and *out untouched).
 */
enum num_err num_parse(const char *s, long long min, long long max,
		       long long *out);

/* The same, into an int; min and max must lie within int's range. */
enum num_err num_parse_int(const char *s, int min, int max, int *out);

#endif
