#include "log.h"

#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

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

void
log_vmsg(enum log_level level, const char *fmt, va_list ap)
{
	char msg[2048], line[4608], ts[40];
	struct timeval tv;
	struct tm tm;
	size_t len, i;
	int n;

	if ((int)level < atomic_load(&cur_level))
		return;
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
			     "{\"time\":\"%s\",\"level\":\"%s\",\"msg\":\"", ts,
			     log_level_name(level));
		len = json_escape(line, (size_t)n, sizeof(line) - 3, msg);
		line[len++] = '"';
		line[len++] = '}';
		line[len++] = '\n';
	} else {
		n = snprintf(line, sizeof(line), "%s %-5s %s\n", ts,
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
	log_vmsg(level, fmt, ap);
	va_end(ap);
}
