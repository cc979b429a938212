#include "log.h"

#include <limits.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "num.h"

static _Atomic int cur_level = LL_INFO;
static _Atomic int cur_format = LF_TEXT;

static atomic_ulong suppressed;

void
log_suppressed_add(unsigned long n)
{
	atomic_fetch_add_explicit(&suppressed, n, memory_order_relaxed);
}

unsigned long
log_suppressed_total(void)
{
	return atomic_load_explicit(&suppressed, memory_order_relaxed);
}

static const char *const level_names[] = {"debug", "info", "warn", "error"};

void
log_configure(enum log_level level, enum log_format format)
{
	atomic_store(&cur_level, (int)level);
	atomic_store(&cur_format, (int)format);
}

enum log_level
log_get_level(void)
{
	return (enum log_level)atomic_load(&cur_level);
}

int
log_level_parse(const char *name, enum log_level *out)
{
	if (name == NULL)
		return -1;
	if (strcasecmp(name, "debug") == 0 || strcasecmp(name, "verbose") == 0)
		*out = LL_DEBUG;
	else if (strcasecmp(name, "info") == 0 ||
		 strcasecmp(name, "information") == 0)
		*out = LL_INFO;
	else if (strcasecmp(name, "warn") == 0 ||
		 strcasecmp(name, "warning") == 0)
		*out = LL_WARN;
	else if (strcasecmp(name, "error") == 0)
		*out = LL_ERROR;
	else
		return -1;
	return 0;
}

int
log_format_parse(const char *name, enum log_format *out)
{
	if (name == NULL)
		return -1;
	if (strcasecmp(name, "text") == 0)
		*out = LF_TEXT;
	else if (strcasecmp(name, "json") == 0)
		*out = LF_JSON;
	else
		return -1;
	return 0;
}

const char *
log_level_name(enum log_level level)
{
	if ((int)level < 0 || level > LL_ERROR)
		return "?";
	return level_names[level];
}

/* Appends s to buf as the inside of a JSON string; returns the new length. */
static size_t
json_escape(char *buf, size_t len, size_t cap, const char *s)
{
	static const char hex[] = "0123456789abcdef";

	for (; *s != '\0' && len + 7 < cap; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\') {
			buf[len++] = '\\';
			buf[len++] = (char)c;
		} else if (c < 0x20 || c == 0x7f) {
			buf[len++] = '\\';
			buf[len++] = 'u';
			buf[len++] = '0';
			buf[len++] = '0';
			buf[len++] = hex[c >> 4];
			buf[len++] = hex[c & 15];
		} else {
			buf[len++] = (char)c;
		}
	}
	return len;
}

/*
 * Is standard error the journal's stream? systemd sets JOURNAL_STREAM to
 * "DEVICE:INODE" of the stream it connected; a child that inherited the
 * variable but writes elsewhere must not prefix (sd_journal_stream_fd(3),
 * systemd.exec(5)). Decided once.
 */
/* JOURNAL_STREAM is "DEVICE:INODE", both decimal (systemd.exec(5)). */
static bool
journal_stream(const char *js, long long *dev, long long *ino)
{
	char buf[64];
	char *colon;

	if (js == NULL || strlen(js) >= sizeof(buf))
		return false;
	memcpy(buf, js, strlen(js) + 1);
	colon = strchr(buf, ':');
	if (colon == NULL)
		return false;
	*colon = '\0';
	return num_parse(buf, 0, LLONG_MAX, dev) == NUM_OK &&
	       num_parse(colon + 1, 0, LLONG_MAX, ino) == NUM_OK;
}

static bool
to_journal(void)
{
	static _Atomic int cached = -1;
	int v = atomic_load(&cached);

	if (v < 0) {
		const char *js = getenv("JOURNAL_STREAM");
		long long dev, ino;
		struct stat st;

		v = journal_stream(js, &dev, &ino) &&
		    fstat(STDERR_FILENO, &st) == 0 &&
		    (unsigned long long)st.st_dev == (unsigned long long)dev &&
		    (unsigned long long)st.st_ino == (unsigned long long)ino;
		atomic_store(&cached, v);
	}
	return v == 1;
}

/* The syslog priority of a level: debug 7, info 6, warning 4, err 3. */
static int
syslog_priority(enum log_level level)
{
	static const int prio[] = {7, 6, 4, 3};

	return (int)level >= 0 && level <= LL_ERROR ? prio[level] : 6;
}

const char *
log_priority_prefix(enum log_level level)
{
	static const char *const p[] = {"<7>", "<6>", "<4>", "<3>"};

	if (!to_journal() || (int)level < 0 || level > LL_ERROR)
		return "";
	return p[level];
}

/* Appends ,"name":"value" for each field set. */
static size_t
json_fields(char *line, size_t len, size_t cap, const struct log_fields *f)
{
	const char *names[] = {"peer", "reason", "member", "cn"};
	const char *vals[4];
	size_t i;

	if (f == NULL)
		return len;
	vals[0] = f->peer;
	vals[1] = f->reason;
	vals[2] = f->member;
	vals[3] = f->cn;
	for (i = 0; i < 4; i++) {
		int n;

		if (vals[i] == NULL || len + 16 + strlen(names[i]) >= cap)
			continue;
		n = snprintf(line + len, cap - len, ",\"%s\":\"", names[i]);
		len = json_escape(line, len + (size_t)n, cap - 4, vals[i]);
		line[len++] = '"';
	}
	return len;
}

static void log_vfmsg(enum log_level level, const struct log_fields *f,
		      const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

void
log_fmsg(enum log_level level, const struct log_fields *f, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vfmsg(level, f, fmt, ap);
	va_end(ap);
}

static void
log_vfmsg(enum log_level level, const struct log_fields *f, const char *fmt,
	  va_list ap)
{
	char msg[2048], line[4608], ts[40], prefix[8] = "";
	struct timeval tv;
	struct tm tm;
	size_t len, i;
	int n;

	if ((int)level < atomic_load(&cur_level))
		return;
	if (to_journal())
		snprintf(prefix, sizeof(prefix), "<%d>",
			 syslog_priority(level));
	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	if (n < 0)
		return;
	for (i = 0; msg[i] != '\0'; i++)
		if (msg[i] == '\n' || msg[i] == '\r')
			msg[i] = ' ';

	gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);
	n = (int)strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(ts + n, sizeof(ts) - (size_t)n, ".%06ldZ", (long)tv.tv_usec);

	if (atomic_load(&cur_format) == LF_JSON) {
		n = snprintf(line, sizeof(line),
			     "%s{\"time\":\"%s\",\"level\":\"%s\",\"msg\":\"",
			     prefix, ts, log_level_name(level));
		len = json_escape(line, (size_t)n, sizeof(line) - 600, msg);
		line[len++] = '"';
		len = json_fields(line, len, sizeof(line) - 3, f);
		line[len++] = '}';
		line[len++] = '\n';
	} else {
		n = snprintf(line, sizeof(line), "%s%s %-5s %s\n", prefix, ts,
			     log_level_name(level), msg);
		len = n < 0 ? 0 : (size_t)n;
		if (len >= sizeof(line)) {
			len = sizeof(line) - 1;
			line[len - 1] = '\n';
		}
	}
	/* One write(2): lines from several threads never interleave. */
	if (write(STDERR_FILENO, line, len) < 0)
		return;
}

void
log_msg(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vfmsg(level, NULL, fmt, ap);
	va_end(ap);
}
