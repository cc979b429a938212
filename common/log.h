/*
 * log: one line per event on stderr, as text or as JSON lines.
 *
 * The level and format are the one piece of process-wide state in
 * libgossip: a log sink is by nature shared. Both are atomics, so that a
 * SIGHUP reload may change the level while other threads log.
 */
#ifndef GOSSIP_LOG_H
#define GOSSIP_LOG_H

#include <stdarg.h>

enum log_level { LL_DEBUG = 0, LL_INFO, LL_WARN, LL_ERROR };
enum log_format { LF_TEXT = 0, LF_JSON };

/* Sets the minimum level written and the line format. */
void log_configure(enum log_level level, enum log_format format);
enum log_level log_get_level(void);

/*
 * Parses "debug", "info", "warn"/"warning", "error" (any case) into *out.
 * Returns 0, or -1 for an unknown name.
 */
int log_level_parse(const char *name, enum log_level *out);
int log_format_parse(const char *name, enum log_format *out);
const char *log_level_name(enum log_level level);

/* Writes one line atomically (a single write(2)); newlines in the message
 * are replaced so that one event is always one line. When standard error
 * is the systemd journal's stream (JOURNAL_STREAM names its device and
 * inode), each line starts with its syslog priority: <7> debug, <6> info,
 * <4> warn, <3> error, so that journalctl -p works. */
void log_msg(enum log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Rate limiters count here what they did not write (for
 * gossipd_log_lines_suppressed_total). */
void log_suppressed_add(unsigned long n);
unsigned long log_suppressed_total(void);

/* "<3>" etc. when standard error is the journal's stream, else "": for a
 * line written to stderr without the logger (an option error). */
const char *log_priority_prefix(enum log_level level);

/*
 * Structured fields of a line. In LogFormat json each one set is written
 * beside "msg" ({"time":..,"level":..,"msg":..,"peer":..,"reason":..});
 * text lines carry them in the message itself and ignore these.
 * peer: the remote address; reason: why (a refusal, a failure);
 * member: a member's endpoint; cn: a certificate's subject CN.
 */
struct log_fields {
	const char *peer;
	const char *reason;
	const char *member;
	const char *cn;
};

void log_fmsg(enum log_level level, const struct log_fields *f, const char *fmt,
	      ...) __attribute__((format(printf, 3, 4)));

#define log_debug(...) log_msg(LL_DEBUG, __VA_ARGS__)
#define log_info(...)  log_msg(LL_INFO, __VA_ARGS__)
#define log_warn(...)  log_msg(LL_WARN, __VA_ARGS__)
#define log_error(...) log_msg(LL_ERROR, __VA_ARGS__)

#endif
