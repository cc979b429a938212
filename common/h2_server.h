/*
 * h2_server: the HTTP/2 server side of one connection, as a byte-driven
 * state machine over nghttp2 with no I/O of its own: the caller feeds the
 * (decrypted) bytes it read and sends the bytes it is given, in its own
 * event loop. Every request is answered synchronously by a handler once
 * it is complete; only gRPC requests reach the handler (anything else is
 * answered here with an HTTP error and a short JSON body).
 *
 * Bounds: SETTINGS_MAX_CONCURRENT_STREAMS, SETTINGS_MAX_HEADER_LIST_SIZE
 * (and the list is counted here whatever the client does), frame and
 * window sizes, the request body per stream, a deadline per stream (the
 * request timeout, and grpc-timeout when it is earlier), the rate of
 * stream resets, CONTINUATION frames, SETTINGS entries and queued
 * acknowledgements (nghttp2's flood limits). A connection error is
 * answered with GOAWAY and its code, and reported once to the caller.
 */
#ifndef GOSSIP_H2_SERVER_H
#define GOSSIP_H2_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "shared_buf.h"

#define H2_MAX_CONCURRENT_STREAMS 32
#define H2_MAX_HEADER_LIST	  8192 /* bytes, as RFC 9113 counts them */
#define H2_MAX_REQUEST_BODY	  4096 /* bytes of request body per stream */
#define H2_WINDOW		  65535
#define H2_MAX_FRAME		  16384
#define H2_PATH_MAX		  256
/* An answer not taken by the client within the request timeout (or this
 * when there is none) is reset. */
#define H2_ANSWER_TIMEOUT_MS 10000

/* The connection preface an HTTP/2 client sends first. */
#define H2_PREFACE     "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
#define H2_PREFACE_LEN 24

/* gRPC status codes used here. */
enum grpc_status {
	GRPC_OK = 0,
	GRPC_CANCELLED = 1,
	GRPC_INVALID_ARGUMENT = 3,
	GRPC_DEADLINE_EXCEEDED = 4,
	GRPC_PERMISSION_DENIED = 7,
	GRPC_RESOURCE_EXHAUSTED = 8,
	GRPC_UNIMPLEMENTED = 12,
	GRPC_INTERNAL = 13,
	GRPC_UNAVAILABLE = 14,
	GRPC_UNAUTHENTICATED = 16,
};

/* A complete gRPC request. */
struct h2_request {
	const char *path;
	const uint8_t *body; /* the whole request body (gRPC framed) */
	size_t body_len;
};

/* The handler's answer: status, an optional message for grpc-message,
 * and for GRPC_OK the framed response message (a reference the server
 * takes over). */
struct h2_answer {
	enum grpc_status status;
	char message[160];
	struct shared_buf *body;
};

enum h2_event {
	H2E_CONN_ERROR,	     /* GOAWAY with an error code, or bytes that are
				not HTTP/2: detail says which */
	H2E_REQUEST_TIMEOUT, /* a stream was not complete in time */
	H2E_ANSWERED,	     /* one request answered: http status in code,
				the gRPC status in grpc (-1 if not gRPC) */
};

struct h2_hooks {
	void *ctx;
	void (*request)(void *ctx, const struct h2_request *rq,
			struct h2_answer *a);
	void (*event)(void *ctx, enum h2_event ev, int code, int grpc,
		      const char *detail);
	int64_t (*now_ms)(void);
};

struct h2_server;

/* A server session; request_timeout_ms bounds each stream (0: none).
 * NULL on ENOMEM. */
struct h2_server *h2_server_new(const struct h2_hooks *hooks,
				int request_timeout_ms);
void h2_server_free(struct h2_server *s);

/* Feeds bytes read from the client. Returns 0, or -1 when the connection
 * must end (GOAWAY queued when possible: send what h2_server_send still
 * gives, then close). */
int h2_server_recv(struct h2_server *s, const uint8_t *data, size_t len);
/* The next bytes to send: their length (0 when nothing), valid until the
 * next call; -1 on a fatal error. */
ssize_t h2_server_send(struct h2_server *s, const uint8_t **data);
/* False once the session has ended (GOAWAY exchanged or fatal). */
bool h2_server_alive(struct h2_server *s);
/* Open streams. */
size_t h2_server_streams(struct h2_server *s);
/* Answers streams past their deadline (DEADLINE_EXCEEDED), and resets
 * those whose answer the client has not taken in time. */
void h2_server_expire(struct h2_server *s, int64_t now_ms);
/* Graceful end: GOAWAY NO_ERROR; streams in progress are finished. */
void h2_server_goaway(struct h2_server *s);
/* Whether any frame (the preface included) has been received. */
bool h2_server_started(struct h2_server *s);

/* Percent-encodes a grpc-message value (RFC-3986 unreserved and space
 * kept, as the gRPC protocol asks). */
void grpc_message_encode(const char *in, char *out, size_t outlen);
/* Parses a grpc-timeout value ("100m", "5S"): milliseconds (at least 1
 * for any positive value), or -1 when malformed. */
int64_t grpc_timeout_parse(const char *v);

#endif
