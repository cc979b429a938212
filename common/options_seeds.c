/*
 * options_seeds: the GossipSeed list, "host:port,host:port" with
 * "[v6]:port" for IPv6. Bounded: OPT_VALUE_MAX bytes in all, 253-octet
 * hosts, at most the caller's maximum of entries.
 */
#include "options_impl.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static int
parse_port(const char *p, int *port)
{
	long v = 0;

	if (*p == '\0' || strlen(p) > 5)
		return -1;
	for (; *p != '\0'; p++) {
		if (!isdigit((unsigned char)*p))
			return -1;
		v = v * 10 + (*p - '0');
	}
	if (v < 1 || v > 65535)
		return -1;
	*port = (int)v;
	return 0;
}

/* Finds the host [*hs, *he) and the ':' before the port of one entry. */
static int
split_seed(const char *s, const char *echo, const char **hs, const char **he,
	   const char **colon, char *err, size_t errlen)
{
	*hs = s[0] == '[' ? s + 1 : s;
	*he = s[0] == '[' ? strchr(s, ']') : strrchr(s, ':');
	if (s[0] == '[' && *he == NULL) {
		snprintf(err, errlen, "seed \"%s\" has no ']'", echo);
		return -1;
	}
	*colon = s[0] == '[' ? *he + 1 : *he;
	if (*colon == NULL || **colon == '\0') {
		snprintf(err, errlen, "seed \"%s\" has no port", echo);
		return -1;
	}
	if (**colon != ':') {
		snprintf(err, errlen, "seed \"%s\": expected ':' after ']'",
			 echo);
		return -1;
	}
	if (s[0] != '[' && memchr(s, ':', (size_t)(*colon - s)) != NULL) {
		snprintf(err, errlen,
			 "seed \"%s\": write an IPv6 address in brackets, as "
			 "[::1]:2113",
			 echo);
		return -1;
	}
	if (*he == *hs) {
		snprintf(err, errlen, "seed \"%s\" has no host", echo);
		return -1;
	}
	if ((size_t)(*he - *hs) > 253) {
		snprintf(err, errlen,
			 "seed \"%s\": host is longer than 253 characters",
			 echo);
		return -1;
	}
	return 0;
}

/* One "host:port" or "[v6]:port" entry (already trimmed, nonempty). */
static int
parse_seed(const char *s, struct gossip_seed *out, char *err, size_t errlen)
{
	char echo[OPT_ECHO_MAX + 8], hecho[OPT_ECHO_MAX + 8];
	char host[OPT_HOST_MAX];
	const char *colon, *hs, *he;
	unsigned char a[16];
	bool v6 = s[0] == '[';

	opt_echo(s, echo, sizeof(echo));
	if (split_seed(s, echo, &hs, &he, &colon, err, errlen) != 0)
		return -1;
	memcpy(host, hs, (size_t)(he - hs));
	host[he - hs] = '\0';
	if (v6 ? inet_pton(AF_INET6, host, a) != 1
	       : opt_check_host(host, err, errlen) != 0 ||
		     strchr(host, '*') != NULL) {
		opt_echo(host, hecho, sizeof(hecho));
		snprintf(err, errlen,
			 "seed \"%s\": \"%s\" is not a host name or %s", echo,
			 hecho, v6 ? "an IPv6 address" : "address");
		return -1;
	}
	if (parse_port(colon + 1, &out->port) != 0) {
		snprintf(err, errlen,
			 "seed \"%s\": the port must be a number from 1 to "
			 "65535",
			 echo);
		return -1;
	}
	memcpy(out->host, host, strlen(host) + 1);
	return 0;
}

int
opt_seeds_append(const char *s, struct gossip_seed *seeds, size_t max,
		 size_t *n, char *err, size_t errlen)
{
	char entry[OPT_HOST_MAX + 16];
	const char *p = s;

	if (strnlen(s, OPT_VALUE_MAX + 1) > OPT_VALUE_MAX) {
		snprintf(err, errlen, "seed list is longer than %d bytes",
			 OPT_VALUE_MAX);
		return -1;
	}
	if (strchr(s, ';') != NULL) {
		snprintf(err, errlen, "';' is not a separator, use ','");
		return -1;
	}
	while (isspace((unsigned char)*p))
		p++;
	if (*p == '\0')
		return 0;
	for (;;) {
		const char *end = strchr(p, ',');
		size_t len = end != NULL ? (size_t)(end - p) : strlen(p);

		while (len > 0 && isspace((unsigned char)*p)) {
			p++;
			len--;
		}
		while (len > 0 && isspace((unsigned char)p[len - 1]))
			len--;
		if (len == 0) {
			snprintf(err, errlen, "empty seed in the list");
			return -1;
		}
		if (len >= sizeof(entry)) {
			snprintf(err, errlen, "seed is longer than %zu bytes",
				 sizeof(entry) - 1);
			return -1;
		}
		if (*n >= max) {
			snprintf(err, errlen, "more than %zu seeds", max);
			return -1;
		}
		memcpy(entry, p, len);
		entry[len] = '\0';
		if (memchr(entry, ' ', len) != NULL ||
		    memchr(entry, '\t', len) != NULL) {
			char echo[OPT_ECHO_MAX + 8];

			opt_echo(entry, echo, sizeof(echo));
			snprintf(err, errlen,
				 "seed \"%s\" contains a blank; separate "
				 "seeds with ','",
				 echo);
			return -1;
		}
		if (parse_seed(entry, &seeds[*n], err, errlen) != 0)
			return -1;
		(*n)++;
		if (end == NULL)
			return 0;
		p = end + 1;
	}
}

int
options_parse_seeds(const char *s, struct gossip_seed *seeds, size_t max,
		    size_t *n, char *err, size_t errlen)
{
	size_t k = 0;
	int rc;

	if (s == NULL) {
		snprintf(err, errlen, "no seed list");
		return -1;
	}
	rc = opt_seeds_append(s, seeds, max, &k, err, errlen);
	*n = rc == 0 ? k : 0;
	return rc;
}
