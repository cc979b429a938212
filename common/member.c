/*
 * member: state names, GUIDs, timestamps and the endpoint of a member.
 * Everything here is pure except guid_random (getrandom) and ticks_now
 * (the real-time clock).
 */
#include "member.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>

#include "clock.h"

static const char *const state_names[MS__COUNT] = {
    "Initializing",
    "DiscoverLeader",
    "Unknown",
    "PreReplica",
    "CatchingUp",
    "Clone",
    "Follower",
    "PreLeader",
    "Leader",
    "Manager",
    "ShuttingDown",
    "Shutdown",
    "ReadOnlyLeaderless",
    "PreReadOnlyReplica",
    "ReadOnlyReplica",
    "ResigningLeader",
};

const char *
member_state_name(enum member_state s)
{
	if ((int)s < 0 || s >= MS__COUNT)
		return NULL;
	return state_names[s];
}

int
member_state_parse(const char *name, enum member_state *out)
{
	static const struct {
		const char *name;
		enum member_state state;
	} old_names[] = {
	    {"Master", MS_LEADER},
	    {"Slave", MS_FOLLOWER},
	    {"PreMaster", MS_PRE_LEADER},
	};
	size_t i;

	if (name == NULL)
		return -1;
	for (i = 0; i < MS__COUNT; i++) {
		if (strcasecmp(name, state_names[i]) == 0) {
			*out = (enum member_state)i;
			return 0;
		}
	}
	for (i = 0; i < sizeof(old_names) / sizeof(old_names[0]); i++) {
		if (strcasecmp(name, old_names[i].name) == 0) {
			*out = old_names[i].state;
			return 0;
		}
	}
	return -1;
}

void
guid_format(const struct guid *g, char buf[37])
{
	static const char hex[] = "0123456789abcdef";
	size_t i, o = 0;

	for (i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			buf[o++] = '-';
		buf[o++] = hex[g->b[i] >> 4];
		buf[o++] = hex[g->b[i] & 0xf];
	}
	buf[o] = '\0';
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
guid_parse(const char *s, struct guid *out)
{
	struct guid g;
	size_t i, o = 0;

	if (s == NULL)
		return -1;
	for (i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return -1;
			continue;
		}
		int hi = hexval(s[i]);
		int lo = hi < 0 ? -1 : hexval(s[i + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		g.b[o++] = (uint8_t)(hi << 4 | lo);
		i++;
	}
	if (s[36] != '\0')
		return -1;
	*out = g;
	return 0;
}

int
guid_random(struct guid *out)
{
	size_t got = 0;

	while (got < sizeof(out->b)) {
		ssize_t n = getrandom(out->b + got, sizeof(out->b) - got, 0);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		got += (size_t)n;
	}
	out->b[6] = (uint8_t)((out->b[6] & 0x0f) | 0x40); /* version 4 */
	out->b[8] = (uint8_t)((out->b[8] & 0x3f) | 0x80); /* RFC 4122 */
	return 0;
}

bool
guid_is_zero(const struct guid *g)
{
	size_t i;

	for (i = 0; i < sizeof(g->b); i++)
		if (g->b[i] != 0)
			return false;
	return true;
}

ticks_t
ticks_now(void)
{
	return (ticks_t)(clock_real_ns() / 100);
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant). */
static int64_t
days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + doe - 719468;
}

static void
civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;

	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

void
ticks_format(ticks_t t, char buf[40])
{
	int64_t secs = t / TICKS_PER_SEC, frac = t % TICKS_PER_SEC;
	int64_t days, rem, y;
	int m, d;

	if (frac < 0) {
		frac += TICKS_PER_SEC;
		secs--;
	}
	days = secs / 86400;
	rem = secs % 86400;
	if (rem < 0) {
		rem += 86400;
		days--;
	}
	civil_from_days(days, &y, &m, &d);
	/* The wire form has four year digits; times outside are clamped. */
	if (y < 0 || y > 9999) {
		y = y < 0 ? 0 : 9999;
		m = y == 0 ? 1 : 12;
		d = y == 0 ? 1 : 31;
		rem = y == 0 ? 0 : 86399;
		frac = y == 0 ? 0 : TICKS_PER_SEC - 1;
	}
	snprintf(buf, 40, "%04u-%02u-%02uT%02u:%02u:%02u.%07uZ",
		 (unsigned)y % 10000u, (unsigned)m % 100u, (unsigned)d % 100u,
		 (unsigned)(rem / 3600) % 100u,
		 (unsigned)(rem / 60 % 60) % 100u, (unsigned)(rem % 60) % 100u,
		 (unsigned)frac % 10000000u);
}

/* Reads exactly n decimal digits. */
static int
digits(const char *s, int n, int *out)
{
	int v = 0, i;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

int
ticks_parse(const char *s, ticks_t *out)
{
	static const int mdays[12] = {31, 29, 31, 30, 31, 30,
				      31, 31, 30, 31, 30, 31};
	int y, mo, d, h, mi, se, nfrac = 0;
	int64_t frac = 0;
	const char *p;

	if (s == NULL)
		return -1;
	if (digits(s, 4, &y) < 0 || s[4] != '-' || digits(s + 5, 2, &mo) < 0 ||
	    s[7] != '-' || digits(s + 8, 2, &d) < 0 || s[10] != 'T' ||
	    digits(s + 11, 2, &h) < 0 || s[13] != ':' ||
	    digits(s + 14, 2, &mi) < 0 || s[16] != ':' ||
	    digits(s + 17, 2, &se) < 0)
		return -1;
	if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || h > 23 ||
	    mi > 59 || se > 59)
		return -1;
	if (mo == 2 && d == 29 &&
	    !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)))
		return -1;
	p = s + 19;
	if (*p == '.') {
		p++;
		while (*p >= '0' && *p <= '9') {
			if (++nfrac > 7)
				return -1;
			frac = frac * 10 + (*p - '0');
			p++;
		}
		if (nfrac == 0)
			return -1;
		for (; nfrac < 7; nfrac++)
			frac *= 10;
	}
	if (strcmp(p, "Z") != 0 && strcmp(p, "+00:00") != 0)
		return -1;
	*out = ((days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se) *
		TICKS_PER_SEC) +
	       frac;
	return 0;
}

void
member_endpoint(const struct member *m, char *buf, size_t len)
{
	if (strchr(m->http_ip, ':') != NULL)
		snprintf(buf, len, "[%s]:%d", m->http_ip, m->http_port);
	else
		snprintf(buf, len, "%s:%d", m->http_ip, m->http_port);
}

void
member_client_endpoint(const struct member *m, const char **host, int *port)
{
	*host = m->advertise_host_to_client_as[0] != '\0'
		    ? m->advertise_host_to_client_as
		    : m->http_ip;
	*port = m->advertise_http_port_to_client_as != 0
		    ? m->advertise_http_port_to_client_as
		    : m->http_port;
}

bool
member_advertises(const struct member *m)
{
	return m->advertise_host_to_client_as[0] != '\0' ||
	       m->advertise_http_port_to_client_as != 0 ||
	       m->advertise_tcp_port_to_client_as != 0;
}

void
member_client_view(const struct member *m, struct member *out)
{
	const char *host;
	int port;

	*out = *m;
	if (!member_advertises(m))
		return;
	member_client_endpoint(m, &host, &port);
	memmove(out->http_ip, host, strlen(host) + 1);
	out->http_port = port;
	if (m->advertise_host_to_client_as[0] != '\0')
		snprintf(out->external_tcp_ip, sizeof(out->external_tcp_ip),
			 "%s", m->advertise_host_to_client_as);
	if (m->advertise_tcp_port_to_client_as != 0) {
		out->external_tcp_port = m->advertise_tcp_port_to_client_as;
		out->external_secure_tcp_port =
		    m->advertise_tcp_port_to_client_as;
	}
	out->advertise_host_to_client_as[0] = '\0';
	out->advertise_http_port_to_client_as = 0;
	out->advertise_tcp_port_to_client_as = 0;
}

void
member_update_apply(const struct member_update *u, struct member *m)
{
	if (u->fields & MU_STATE)
		m->state = u->state;
	if (u->fields & MU_WRITER_CHECKPOINT)
		m->writer_checkpoint = u->writer_checkpoint;
	if (u->fields & MU_CHASER_CHECKPOINT)
		m->chaser_checkpoint = u->chaser_checkpoint;
	if (u->fields & MU_LAST_COMMIT_POSITION)
		m->last_commit_position = u->last_commit_position;
	if (u->fields & MU_EPOCH_POSITION)
		m->epoch_position = u->epoch_position;
	if (u->fields & MU_EPOCH_NUMBER)
		m->epoch_number = u->epoch_number;
	if (u->fields & MU_EPOCH_ID)
		m->epoch_id = u->epoch_id;
	if (u->fields & MU_NODE_PRIORITY)
		m->node_priority = u->node_priority;
	if (u->fields & MU_IS_READ_ONLY_REPLICA)
		m->is_read_only_replica = u->is_read_only_replica;
	if (u->fields & MU_ADVERTISE_HOST)
		snprintf(m->advertise_host_to_client_as,
			 sizeof(m->advertise_host_to_client_as), "%s",
			 u->advertise_host_to_client_as);
	if (u->fields & MU_ADVERTISE_HTTP_PORT)
		m->advertise_http_port_to_client_as =
		    u->advertise_http_port_to_client_as;
	if (u->fields & MU_ADVERTISE_TCP_PORT)
		m->advertise_tcp_port_to_client_as =
		    u->advertise_tcp_port_to_client_as;
}
