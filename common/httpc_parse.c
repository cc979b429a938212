/*
 * httpc_parse: bounded HTTP/1.1 response reading on llhttp (see
 * httpc_parse.h). llhttp does the grammar (status line, header syntax,
 * Content-Length vs Transfer-Encoding, chunk framing); this file keeps
 * only what httpc returns and enforces the size limits.
 */
#include "httpc_parse.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define BODY_INITIAL_CAP 4096

static struct httpc_parser *
parser_of(llhttp_t *llh)
{
	return llh->data;
}

/* Counts status-line and header bytes; refuses more than the bound. */
static int
count_header_bytes(struct httpc_parser *p, size_t len)
{
	size_t *n = p->headers_done ? &p->trailer_bytes : &p->hdr_bytes;

	if (len > HTTPC_MAX_HEADER_BYTES - *n) {
		p->fail = HP_HDR_BIG;
		return -1;
	}
	*n += len;
	return 0;
}

static int
on_message_begin(llhttp_t *llh)
{
	struct httpc_parser *p = parser_of(llh);

	p->headers_done = 0;
	p->ct_len = 0;
	p->content_type[0] = '\0';
	p->field_len = 0;
	p->in_ct = 0;
	p->in_cid = 0;
	p->cid_len = 0;
	p->cid_long = 0;
	p->cluster_id[0] = '\0';
	return 0;
}

static int
on_status(llhttp_t *llh, const char *at, size_t len)
{
	(void)at;
	return count_header_bytes(parser_of(llh), len);
}

static int
on_header_field(llhttp_t *llh, const char *at, size_t len)
{
	struct httpc_parser *p = parser_of(llh);

	if (count_header_bytes(p, len) != 0)
		return -1;
	if (p->headers_done)
		return 0; /* a trailer: counted, not kept */
	for (size_t i = 0; i < len; i++) {
		if (p->field_len < sizeof p->field - 1)
			p->field[p->field_len] = at[i];
		p->field_len++;
	}
	return 0;
}

static int
on_header_field_complete(llhttp_t *llh)
{
	struct httpc_parser *p = parser_of(llh);

	/* A header line costs its bytes plus ": " and CRLF. */
	if (count_header_bytes(p, 4) != 0)
		return -1;
	if (p->headers_done)
		return 0;
	p->in_ct = 0;
	p->in_cid = 0;
	if (p->field_len == strlen(HTTPC_CLUSTER_ID_HEADER)) {
		p->field[p->field_len] = '\0';
		if (strcasecmp(p->field, HTTPC_CLUSTER_ID_HEADER) == 0) {
			p->in_cid = 1;
			p->cid_len = 0;
			p->cid_long = 0;
			p->cluster_id[0] = '\0';
		}
	}
	if (p->field_len == strlen("content-type")) {
		p->field[p->field_len] = '\0';
		if (strcasecmp(p->field, "content-type") == 0) {
			/* The last Content-Type wins. */
			p->in_ct = 1;
			p->ct_len = 0;
			p->content_type[0] = '\0';
		}
	}
	p->field_len = 0;
	return 0;
}

static int
on_header_value(llhttp_t *llh, const char *at, size_t len)
{
	struct httpc_parser *p = parser_of(llh);

	if (count_header_bytes(p, len) != 0)
		return -1;
	if (p->in_cid && !p->headers_done) {
		for (size_t i = 0; i < len; i++) {
			if (p->cid_len < HTTPC_CLUSTER_ID_MAX)
				p->cluster_id[p->cid_len++] = at[i];
			else
				p->cid_long = 1;
		}
		p->cluster_id[p->cid_len] = '\0';
		return 0;
	}
	if (!p->in_ct || p->headers_done)
		return 0;
	for (size_t i = 0; i < len; i++) {
		/* Longer values are cut: they are for display only. */
		if (p->ct_len < sizeof p->content_type - 1)
			p->content_type[p->ct_len++] = at[i];
	}
	p->content_type[p->ct_len] = '\0';
	return 0;
}

static int
on_header_value_complete(llhttp_t *llh)
{
	struct httpc_parser *p = parser_of(llh);

	if (p->in_ct) {
		while (p->ct_len > 0 &&
		       (p->content_type[p->ct_len - 1] == ' ' ||
			p->content_type[p->ct_len - 1] == '\t'))
			p->content_type[--p->ct_len] = '\0';
	}
	while (p->in_cid && p->cid_len > 0 &&
	       (p->cluster_id[p->cid_len - 1] == ' ' ||
		p->cluster_id[p->cid_len - 1] == '\t'))
		p->cluster_id[--p->cid_len] = '\0';
	if (p->in_cid && p->cid_long)
		snprintf(p->cluster_id, sizeof p->cluster_id, "?");
	p->in_ct = 0;
	p->in_cid = 0;
	return 0;
}

static int
body_reserve(struct httpc_parser *p, size_t need)
{
	size_t cap = p->body_cap ? p->body_cap : BODY_INITIAL_CAP;
	char *nb;

	if (need + 1 <= p->body_cap)
		return 0;
	while (cap < need + 1)
		cap = cap > SIZE_MAX / 2 ? SIZE_MAX : cap * 2;
	if (cap > p->max_body + 1)
		cap = p->max_body + 1;
	nb = realloc(p->body, cap);
	if (nb == NULL) {
		p->fail = HP_NOMEM;
		return -1;
	}
	p->body = nb;
	p->body_cap = cap;
	return 0;
}

static int
on_headers_complete(llhttp_t *llh)
{
	struct httpc_parser *p = parser_of(llh);

	p->headers_done = 1;
	p->status = llhttp_get_status_code(llh);
	if (p->status == 101) {
		p->fail = HP_UPGRADE;
		return -1;
	}
	/* RFC 9112 6.3: these never have a body, whatever the headers say. */
	if ((p->status >= 100 && p->status < 200) || p->status == 204 ||
	    p->status == 304)
		return 1;
	if ((llh->flags & F_CONTENT_LENGTH) &&
	    llh->content_length > p->max_body) {
		p->fail = HP_BODY_BIG;
		return -1;
	}
	if (p->head)
		return 1; /* no body, whatever the headers announce */
	if ((llh->flags & F_CONTENT_LENGTH) && llh->content_length > 0)
		return body_reserve(p, (size_t)llh->content_length);
	return 0;
}

static int
on_body(llhttp_t *llh, const char *at, size_t len)
{
	struct httpc_parser *p = parser_of(llh);

	if (len > p->max_body - p->body_len) {
		p->fail = HP_BODY_BIG;
		return -1;
	}
	if (body_reserve(p, p->body_len + len) != 0)
		return -1;
	memcpy(p->body + p->body_len, at, len);
	p->body_len += len;
	return 0;
}

static int
on_message_complete(llhttp_t *llh)
{
	struct httpc_parser *p = parser_of(llh);

	if (p->status >= 100 && p->status < 200)
		return 0; /* go on to the final response */
	p->complete = 1;
	return HPE_PAUSED; /* whatever follows is not ours */
}

void
httpc_parser_init(struct httpc_parser *p, size_t max_body, int head)
{
	memset(p, 0, sizeof *p);
	llhttp_settings_init(&p->settings);
	p->settings.on_message_begin = on_message_begin;
	p->settings.on_status = on_status;
	p->settings.on_header_field = on_header_field;
	p->settings.on_header_field_complete = on_header_field_complete;
	p->settings.on_header_value = on_header_value;
	p->settings.on_header_value_complete = on_header_value_complete;
	p->settings.on_headers_complete = on_headers_complete;
	p->settings.on_body = on_body;
	p->settings.on_message_complete = on_message_complete;
	llhttp_init(&p->llh, HTTP_RESPONSE, &p->settings);
	p->llh.data = p;
	p->max_body = max_body ? max_body : HTTPC_MAX_BODY_DEFAULT;
	if (p->max_body > SIZE_MAX / 4)
		p->max_body =
		    SIZE_MAX / 4; /* keeps the size arithmetic exact */
	p->head = head;
}

static int
parse_error(struct httpc_parser *p, llhttp_errno_t e, char *err, size_t errlen)
{
	const char *reason = llhttp_get_error_reason(&p->llh);

	switch (p->fail) {
	case HP_BODY_BIG:
		snprintf(err, errlen, "response body over %zu bytes",
			 p->max_body);
		break;
	case HP_HDR_BIG:
		snprintf(err, errlen, "response headers over %d bytes",
			 HTTPC_MAX_HEADER_BYTES);
		break;
	case HP_UPGRADE:
		snprintf(err, errlen,
			 "unexpected 101 Switching Protocols response");
		break;
	case HP_NOMEM:
		snprintf(err, errlen, "out of memory for the response body");
		break;
	case HP_OK:
		snprintf(err, errlen, "HTTP parse error: %s (%s)",
			 reason && *reason ? reason : "invalid response",
			 llhttp_errno_name(e));
		break;
	}
	return -1;
}

int
httpc_parser_feed(struct httpc_parser *p, const char *buf, size_t len,
		  size_t *extra, char *err, size_t errlen)
{
	llhttp_errno_t e;

	*extra = 0;
	if (p->complete) {
		*extra = len;
		return 1;
	}
	if (len > 0)
		p->seen_bytes = 1;
	e = llhttp_execute(&p->llh, buf, len);
	if (e == HPE_PAUSED && p->complete) {
		const char *pos = llhttp_get_error_pos(&p->llh);

		if (pos != NULL && pos >= buf && pos <= buf + len)
			*extra = (size_t)(buf + len - pos);
		return 1;
	}
	if (e != HPE_OK)
		return parse_error(p, e, err, errlen);
	return 0;
}

int
httpc_parser_eof(struct httpc_parser *p, char *err, size_t errlen)
{
	llhttp_errno_t e;

	if (p->complete)
		return 1;
	if (!p->seen_bytes) {
		snprintf(err, errlen, "connection closed before any response");
		return -1;
	}
	e = llhttp_finish(&p->llh);
	if (p->complete)
		return 1;
	if (e != HPE_OK && e != HPE_PAUSED && e != HPE_INVALID_EOF_STATE)
		return parse_error(p, e, err, errlen);
	snprintf(err, errlen, "connection closed in the middle of %s",
		 p->headers_done ? "the response body"
				 : "the response headers");
	return -1;
}

int
httpc_parser_keep_alive(const struct httpc_parser *p)
{
	return p->complete && llhttp_should_keep_alive(&p->llh);
}

int
httpc_parser_take(struct httpc_parser *p, struct httpc_response *resp,
		  char *err, size_t errlen)
{
	memset(resp, 0, sizeof *resp);
	if (p->body == NULL && (p->body = malloc(1)) != NULL)
		p->body_cap = 1;
	if (p->body == NULL || body_reserve(p, p->body_len) != 0) {
		snprintf(err, errlen, "out of memory for the response body");
		return -1;
	}
	p->body[p->body_len] = '\0';
	resp->status = p->status;
	memcpy(resp->content_type, p->content_type, sizeof resp->content_type);
	memcpy(resp->cluster_id, p->cluster_id, sizeof resp->cluster_id);
	resp->body = p->body;
	resp->body_len = p->body_len;
	p->body = NULL;
	p->body_len = 0;
	p->body_cap = 0;
	return 0;
}

void
httpc_parser_free(struct httpc_parser *p)
{
	free(p->body);
	p->body = NULL;
	p->body_len = 0;
	p->body_cap = 0;
}

int
httpc_parse_response(const char *buf, size_t len, size_t max_body,
		     struct httpc_response *resp, char *err, size_t errlen)
{
	struct httpc_parser p;
	size_t extra;
	int rc;

	memset(resp, 0, sizeof *resp);
	httpc_parser_init(&p, max_body, 0);
	rc = httpc_parser_feed(&p, buf, len, &extra, err, errlen);
	if (rc == 0)
		rc = httpc_parser_eof(&p, err, errlen);
	if (rc == 1)
		rc = httpc_parser_take(&p, resp, err, errlen) == 0 ? 1 : -1;
	httpc_parser_free(&p);
	return rc == 1 ? 0 : -1;
}
