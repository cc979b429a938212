/*
 * discovery_uri: a KurrentDB (EventStoreDB) client connection string,
 * read for what discovery needs, so that an operator can hand
 * gossipd discover the string their applications use.
 */
#include "discovery.h"
#include "num.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define URI_MAX 4096

static const char *const schemes[] = {"esdb", "kurrentdb", "kdb"};

/* Settings of the clients that mean nothing to discovery: accepted. */
static const char *const ignored_keys[] = {
    "connectionName",  "keepAliveInterval",    "keepAliveTimeout",
    "defaultDeadline", "throwOnAppendFailure", "operationTimeout",
    "userAgent",
};

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/*
 * Percent-decodes src[0..len) into dst (size dstlen). Returns 0, or -1
 * for a bad escape, an encoded NUL or no room.
 */
static int
decode(const char *src, size_t len, char *dst, size_t dstlen)
{
	size_t i, o = 0;
	int hi, lo;

	for (i = 0; i < len; i++) {
		if (o + 1 >= dstlen)
			return -1;
		if (src[i] != '%') {
			dst[o++] = src[i];
			continue;
		}
		if (i + 2 >= len)
			return -1;
		hi = hexval(src[i + 1]);
		lo = hexval(src[i + 2]);
		if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
			return -1;
		dst[o++] = (char)(hi * 16 + lo);
		i += 2;
	}
	if (dstlen == 0)
		return -1;
	dst[o] = '\0';
	return 0;
}

static int
parse_bool(const char *v, bool *out)
{
	if (strcasecmp(v, "true") == 0) {
		*out = true;
		return 0;
	}
	if (strcasecmp(v, "false") == 0) {
		*out = false;
		return 0;
	}
	return -1;
}

static bool
is_key(const char *key, const char *name)
{
	return strcasecmp(key, name) == 0;
}

/* One known setting; the value already decoded. Returns 0, or -1. */
static int
known_setting(struct discovery_uri *u, const char *key, const char *v)
{
	if (is_key(key, "tls"))
		return parse_bool(v, &u->tls);
	if (is_key(key, "tlsVerifyCert"))
		return parse_bool(v, &u->tls_verify);
	if (is_key(key, "nodePreference")) {
		u->have_pref = true;
		return discovery_pref_parse(v, &u->pref);
	}
	if (is_key(key, "maxDiscoverAttempts"))
		return num_parse_int(v, 1, 1000, &u->attempts) == NUM_OK ? 0
									 : -1;
	if (is_key(key, "discoveryInterval")) {
		u->have_delay = true;
		return num_parse_int(v, 0, 600000, &u->delay_ms) == NUM_OK ? 0
									   : -1;
	}
	if (is_key(key, "gossipTimeout"))
		return num_parse_int(v, 1, 600000, &u->timeout_ms) == NUM_OK
			   ? 0
			   : -1;
	if (v[0] == '\0')
		return -1;
	if (is_key(key, "tlsCAFile"))
		snprintf(u->ca_file, sizeof(u->ca_file), "%s", v);
	else if (is_key(key, "userCertFile"))
		snprintf(u->cert_file, sizeof(u->cert_file), "%s", v);
	else if (is_key(key, "userKeyFile"))
		snprintf(u->key_file, sizeof(u->key_file), "%s", v);
	return 0;
}

static int
setting(struct discovery_uri *u, const char *key, const char *v, char *err,
	size_t errlen)
{
	static const char *const known[] = {
	    "tls",
	    "tlsVerifyCert",
	    "nodePreference",
	    "maxDiscoverAttempts",
	    "discoveryInterval",
	    "gossipTimeout",
	    "tlsCAFile",
	    "userCertFile",
	    "userKeyFile",
	};
	size_t i;

	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		if (!is_key(key, known[i]))
			continue;
		if (known_setting(u, key, v) == 0)
			return 0;
		snprintf(err, errlen, "connection string: bad value for %s",
			 known[i]);
		return -1;
	}
	for (i = 0; i < sizeof(ignored_keys) / sizeof(ignored_keys[0]); i++)
		if (is_key(key, ignored_keys[i]))
			return 0;
	snprintf(err, errlen, "connection string: unknown setting \"%.40s\"",
		 key);
	return -1;
}

static int
parse_query(struct discovery_uri *u, const char *q, char *err, size_t errlen)
{
	char key[64], val[DISCOVERY_URI_PATH_MAX];
	const char *amp, *eq;
	size_t len;

	while (*q != '\0') {
		amp = strchr(q, '&');
		len = amp != NULL ? (size_t)(amp - q) : strlen(q);
		eq = memchr(q, '=', len);
		if (len > 0) {
			if (eq == NULL || (size_t)(eq - q) >= sizeof(key) ||
			    decode(q, (size_t)(eq - q), key, sizeof(key)) !=
				0 ||
			    decode(eq + 1, len - (size_t)(eq - q) - 1, val,
				   sizeof(val)) != 0) {
				snprintf(err, errlen,
					 "connection string: a setting is not "
					 "key=value (or too long)");
				return -1;
			}
			if (setting(u, key, val, err, errlen) != 0)
				return -1;
		}
		if (amp == NULL)
			break;
		q = amp + 1;
	}
	return 0;
}

/* Appends one host entry to list, with the default port when none. */
static int
add_host(char *list, size_t cap, const char *h, size_t len)
{
	const char *rb = h[0] == '[' ? memchr(h, ']', len) : NULL;
	const char *sep = strlen(list) > 0 ? "," : "";
	size_t used = strlen(list), i;
	int colons = 0, n;
	bool has_port;

	for (i = 0; i < len; i++)
		colons += h[i] == ':';
	if (h[0] != '[' && colons > 1) { /* a bare IPv6 address */
		n = snprintf(list + used, cap - used, "%s[%.*s]:%d", sep,
			     (int)len, h, DISCOVERY_DEFAULT_PORT);
		return n < 0 || (size_t)n >= cap - used ? -1 : 0;
	}
	if (h[0] == '[')
		has_port = rb != NULL && rb + 1 < h + len && rb[1] == ':';
	else
		has_port = colons == 1;
	if (has_port)
		n = snprintf(list + used, cap - used, "%s%.*s", sep, (int)len,
			     h);
	else
		n = snprintf(list + used, cap - used, "%s%.*s:%d", sep,
			     (int)len, h, DISCOVERY_DEFAULT_PORT);
	return n < 0 || (size_t)n >= cap - used ? -1 : 0;
}

static int
parse_hosts(struct discovery_uri *u, const char *h, size_t len, char *err,
	    size_t errlen)
{
	char list[URI_MAX];
	const char *end = h + len, *comma;

	list[0] = '\0';
	while (h < end) {
		comma = memchr(h, ',', (size_t)(end - h));
		if (comma == NULL)
			comma = end;
		if (comma == h ||
		    add_host(list, sizeof(list), h, (size_t)(comma - h)) != 0) {
			snprintf(
			    err, errlen,
			    "connection string: an empty or too long host");
			return -1;
		}
		h = comma + 1;
	}
	if (options_parse_seeds(list, u->seeds, OPT_MAX_SEEDS, &u->n_seeds, err,
				errlen) != 0 ||
	    u->n_seeds == 0) {
		if (u->n_seeds == 0 && err[0] == '\0')
			snprintf(err, errlen, "connection string: no host");
		return -1;
	}
	return 0;
}

int
discovery_uri_parse(const char *s, struct discovery_uri *u, char *err,
		    size_t errlen)
{
	const char *p, *hosts, *hend, *at;
	size_t i, sl;

	memset(u, 0, sizeof(*u));
	u->tls = true;
	u->tls_verify = true;
	err[0] = '\0';
	if (s == NULL || strnlen(s, URI_MAX) >= URI_MAX) {
		snprintf(err, errlen, "connection string: longer than %d bytes",
			 URI_MAX - 1);
		return -1;
	}
	for (i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++) {
		sl = strlen(schemes[i]);
		if (strncasecmp(s, schemes[i], sl) != 0)
			continue;
		p = s + sl;
		if (strncasecmp(p, "+discover", 9) == 0) {
			u->dns_discover = true;
			p += 9;
		}
		if (strncmp(p, "://", 3) == 0)
			break;
	}
	if (i == sizeof(schemes) / sizeof(schemes[0])) {
		snprintf(err, errlen,
			 "connection string: expected esdb://, kurrentdb:// or "
			 "kdb:// (optionally +discover)");
		return -1;
	}
	hosts = p + 3;
	hend = hosts + strcspn(hosts, "/?");
	/* user:password@ is for the database, not for gossip: skipped */
	at = memchr(hosts, '@', (size_t)(hend - hosts));
	if (at != NULL)
		hosts = at + 1;
	if (parse_hosts(u, hosts, (size_t)(hend - hosts), err, errlen) != 0)
		return -1;
	p = strchr(hend, '?');
	if (p != NULL && parse_query(u, p + 1, err, errlen) != 0)
		return -1;
	return 0;
}
