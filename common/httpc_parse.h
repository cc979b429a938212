/*
 * httpc_parse: the incremental HTTP/1.1 response reader behind httpc, on
 * llhttp. Internal to the httpc module (httpc.c and tests); the public
 * one-shot entry point is httpc_parse_response() in httpc.h.
 *
 * It bounds what a server can make it hold: status line and headers (and
 * chunked trailers) to HTTPC_MAX_HEADER_BYTES, the body to max_body. It
 * stops at the end of the first final response (1xx interim responses are
 * skipped) and reports how many bytes followed it.
 */
#ifndef GOSSIP_HTTPC_PARSE_H
#define GOSSIP_HTTPC_PARSE_H

#include <stddef.h>

#include <llhttp.h>

#include "httpc.h"

struct httpc_parser {
	llhttp_t llh;
	llhttp_settings_t settings;
	size_t max_body;
	int head;	  /* the request was HEAD: no body follows */
	int seen_bytes;	  /* any byte fed yet */
	int headers_done; /* of the current (maybe interim) response */
	int complete;
	int status;
	size_t hdr_bytes;     /* status line and headers so far */
	size_t trailer_bytes; /* chunked trailers so far */
	char field[32];	      /* current header name, if short */
	size_t field_len;     /* may exceed sizeof field: then not ours */
	int in_ct;	      /* the current header is Content-Type */
	int in_cid;	      /* the current header is Gossip-Cluster-Id */
	char cluster_id[HTTPC_CLUSTER_ID_MAX + 1];
	size_t cid_len;
	int cid_long; /* longer than HTTPC_CLUSTER_ID_MAX: kept as "?" */
	char content_type[128];
	size_t ct_len;
	char *body;
	size_t body_len;
	size_t body_cap;
	enum { HP_OK = 0, HP_BODY_BIG, HP_HDR_BIG, HP_UPGRADE, HP_NOMEM } fail;
};

/*
 * Prepares p to read one response. max_body 0 means
 * HTTPC_MAX_BODY_DEFAULT; head says the request was HEAD. Free with
 * httpc_parser_free().
 */
void httpc_parser_init(struct httpc_parser *p, size_t max_body, int head);

/*
 * Feeds len received bytes. Returns 1 when the response is complete (then
 * *extra says how many of these bytes followed it), 0 when more is
 * needed, or -1 with a reason in err.
 */
int httpc_parser_feed(struct httpc_parser *p, const char *buf, size_t len,
		      size_t *extra, char *err, size_t errlen);

/*
 * The connection ended (EOF). Returns 1 when that completed the response
 * (a close-delimited body), or -1 with a reason in err.
 */
int httpc_parser_eof(struct httpc_parser *p, char *err, size_t errlen);

/* After a complete response: may the connection carry another request? */
int httpc_parser_keep_alive(const struct httpc_parser *p);

/*
 * Moves the complete response into *resp (body ownership passes to resp;
 * always NUL-terminated, even when empty).
 */
int httpc_parser_take(struct httpc_parser *p, struct httpc_response *resp,
		      char *err, size_t errlen);

/* Frees what p holds; p may be freed or re-initialised after. */
void httpc_parser_free(struct httpc_parser *p);

/*
 * Parses buf[0..len) as everything a server sent on a connection up to
 * its end (so a response without Content-Length or chunking ends at len),
 * with the same parser and bounds as httpc_request: headers up to
 * HTTPC_MAX_HEADER_BYTES, body up to max_body (0: HTTPC_MAX_BODY_DEFAULT).
 * Returns 0 and fills *resp (free with httpc_response_free), or -1 with a
 * reason in err ("HTTP parse error: ...", "response body over N bytes").
 * Bytes after a complete response are ignored. For the unit tests and the
 * fuzzer, which include this module-internal header.
 */
int httpc_parse_response(const char *buf, size_t len, size_t max_body,
			 struct httpc_response *resp, char *err, size_t errlen);

#endif
