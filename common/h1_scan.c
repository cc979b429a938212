/*
 * h1_scan: see h1_scan.h. The request line is compared byte for byte;
 * llhttp parses the rest, and the callbacks only look at the few headers
 * that change the answer to a plain read.
 * A scan starts from the request's first byte every time (a request
 * split across reads is scanned again whole when the rest arrives), so
 * nothing is kept between calls.
 */
#include "h1_scan.h"

#include <llhttp.h>
#include <string.h>
#include <strings.h>

#define NAME_MAX_BYTES 32

struct scan {
	char name[NAME_MAX_BYTES];
	size_t name_len; /* may pass the buffer: then no header of ours */
	char value[H1_SCAN_ACCEPT_MAX + 1];
	size_t value_len; /* may pass the buffer: then too long */
	unsigned hosts, accepts;
	bool not_plain;
	bool decided_other; /* not plain, known at the end of the headers */
	struct h1_request *rq;
};

static struct scan *
scan_of(llhttp_t *p)
{
	return p->data;
}

static int
on_header_field(llhttp_t *p, const char *at, size_t len)
{
	struct scan *s = scan_of(p);

	if (s->name_len < NAME_MAX_BYTES && len <= NAME_MAX_BYTES - s->name_len)
		memcpy(s->name + s->name_len, at, len);
	s->name_len += len;
	return 0;
}

static int
on_header_value(llhttp_t *p, const char *at, size_t len)
{
	struct scan *s = scan_of(p);

	if (s->value_len <= H1_SCAN_ACCEPT_MAX &&
	    len <= H1_SCAN_ACCEPT_MAX - s->value_len)
		memcpy(s->value + s->value_len, at, len);
	s->value_len += len;
	return 0;
}

static bool
name_is(const struct scan *s, const char *name)
{
	return s->name_len == strlen(name) &&
	       strncasecmp(s->name, name, s->name_len) == 0;
}

/* The headers that change the answer to a plain read, or make it not
 * one. Every other header is ignored, as the route ignores it. */
static int
on_header_value_complete(llhttp_t *p)
{
	struct scan *s = scan_of(p);
	bool fits = s->value_len <= H1_SCAN_ACCEPT_MAX;

	if (fits)
		s->value[s->value_len] = '\0';
	if (name_is(s, "host")) {
		s->hosts++;
	} else if (name_is(s, "accept")) {
		s->accepts++;
		if (!fits)
			s->not_plain = true;
		else
			memcpy(s->rq->accept_value, s->value, s->value_len + 1);
	} else if (name_is(s, "connection")) {
		if (!fits || strcasecmp(s->value, "keep-alive") != 0)
			s->not_plain = true;
	} else if (name_is(s, "content-length") ||
		   name_is(s, "transfer-encoding") || name_is(s, "expect") ||
		   name_is(s, "upgrade")) {
		s->not_plain = true;
	}
	s->name_len = 0;
	s->value_len = 0;
	return 0;
}

/* Headers that make the request not plain are known at their end: the
 * request is libmicrohttpd's then, body or not, without waiting for the
 * body (which it may refuse at once: 413). */
static int
on_headers_complete(llhttp_t *p)
{
	struct scan *s = scan_of(p);

	if (s->not_plain || s->hosts != 1 || s->accepts > 1) {
		s->decided_other = true;
		return HPE_PAUSED;
	}
	return 0;
}

/* Can buf (len bytes) start with the n bytes of part, found at *off?
 * Moves *off past part. */
static bool
may_continue(const char *buf, size_t len, size_t *off, const char *part,
	     size_t n)
{
	size_t at = *off;

	*off += n;
	if (at >= len)
		return true;
	return memcmp(buf + at, part, len - at < n ? len - at : n) == 0;
}

/* Can buf start with "METHOD PATH HTTP/1.1" and CRLF? */
static bool
may_start(const char *buf, size_t len, const char *method, const char *path)
{
	static const char version[] = " HTTP/1.1\r\n";
	size_t off = 0;

	return may_continue(buf, len, &off, method, strlen(method)) &&
	       may_continue(buf, len, &off, " ", 1) &&
	       may_continue(buf, len, &off, path, strlen(path)) &&
	       may_continue(buf, len, &off, version, sizeof(version) - 1);
}

static int
on_message_complete(llhttp_t *p)
{
	(void)p;
	return HPE_PAUSED; /* one request a scan: its end is the error pos */
}

enum h1_scan_result
h1_scan(const char *buf, size_t len, const char *path, struct h1_request *rq)
{
	llhttp_settings_t settings;
	llhttp_t p;
	struct scan s;
	size_t n = len < H1_SCAN_MAX ? len : H1_SCAN_MAX;
	llhttp_errno_t e;

	memset(rq, 0, sizeof(*rq));
	/* The request line, byte for byte: what either parser would let
	 * pass (a tab for a space, a bare LF) does not decide what the lane
	 * answers; and a request line that is not a plain read's is known
	 * at once. */
	rq->head = len > 0 && may_start(buf, len, "HEAD", path);
	if (!rq->head && !may_start(buf, len, "GET", path))
		return H1_SCAN_OTHER;
	memset(&s, 0, sizeof(s));
	s.rq = rq;
	llhttp_settings_init(&settings);
	settings.on_header_field = on_header_field;
	settings.on_header_value = on_header_value;
	settings.on_header_value_complete = on_header_value_complete;
	settings.on_headers_complete = on_headers_complete;
	settings.on_message_complete = on_message_complete;
	llhttp_init(&p, HTTP_REQUEST, &settings);
	p.data = &s;
	e = llhttp_execute(&p, buf, n);
	if (e == HPE_OK)
		return len < H1_SCAN_MAX ? H1_SCAN_MORE : H1_SCAN_OTHER;
	if (e != HPE_PAUSED || s.decided_other)
		return H1_SCAN_OTHER;
	/* no body: the message ended with its headers */
	rq->len = (size_t)(llhttp_get_error_pos(&p) - buf);
	rq->accept = s.accepts == 1;
	return H1_SCAN_REQUEST;
}
