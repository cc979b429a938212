/*
 * httpc: outbound HTTP(S) requests to peers, with mbedTLS on the client
 * side. A client keeps one connection per peer alive between requests and
 * resumes TLS sessions on reconnect. Responses are parsed by llhttp.
 * A client is used by one thread at a time.
 */
#ifndef GOSSIP_HTTPC_H
#define GOSSIP_HTTPC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tls_creds.h"

#define HTTPC_MAX_BODY_DEFAULT	  (4 * 1024 * 1024)
#define HTTPC_MAX_HEADER_BYTES	  (64 * 1024)
#define HTTPC_MAX_PEERS		  64 /* kept-alive connections and sessions */
#define HTTPC_MAX_IDLE_MS_DEFAULT 30000

struct httpc;

/*
 * What kind of failure ended a request, beside the sentence in err; a
 * caller that reacts to failures (metrics, back-off) switches on this,
 * never on the words.
 */
enum httpc_err {
	HTTPC_OK = 0,
	HTTPC_ERR_LOCAL,    /* invalid request (host, method, path, timeout)
			       or out of memory: nothing was sent */
	HTTPC_ERR_RESOLVE,  /* the name does not resolve */
	HTTPC_ERR_CONNECT,  /* no TCP connection (refused, unreachable) */
	HTTPC_ERR_TIMEOUT,  /* the deadline passed, at whatever step */
	HTTPC_ERR_TLS,	    /* TLS handshake failed or the server's
			       certificate was refused (chain, SAN) */
	HTTPC_ERR_NOT_NODE, /* node credentials: the server's certificate is
			       not a node's (NODE_AUTH_NOT_A_NODE) */
	HTTPC_ERR_IO,	    /* the connection broke or was closed during
			       the exchange */
	HTTPC_ERR_HTTP,	    /* the answer is not valid HTTP, or exceeds a
			       bound (headers, body) */
};

struct httpc_config {
	/*
	 * TLS: NULL means plain HTTP (insecure mode). With creds, the
	 * client presents creds->chain/key and verifies the server against
	 * creds->trusted (and creds->crl), and checks that the server
	 * certificate carries the dialled host as a DNS or IP SAN and
	 * passes the node verdict (node_auth_peer_verdict: the server is a
	 * node). A refusal's error holds NODE_AUTH_NOT_A_NODE.
	 * The client takes its own reference to creds.
	 */
	struct tls_creds *creds;
	/*
	 * For clients with no node certificate (discover, status): a CA
	 * file to verify servers with, and optional client cert/key files.
	 * Ignored when creds is set. verify_none skips verification.
	 */
	const char *ca_file;
	const char *cert_file;
	const char *key_file;
	int verify_none;
	size_t max_body; /* 0: HTTPC_MAX_BODY_DEFAULT */
	/*
	 * Plain HTTP, no TLS at all (Insecure mode): the TLS fields above are
	 * ignored. For compatibility, a config with creds, ca_file, cert_file
	 * and key_file all NULL and verify_none 0 is plain HTTP too.
	 */
	int plain_http;
	/*
	 * A kept-alive connection idle longer than this is not reused (a
	 * firewall may have dropped it without a word, and a request on it
	 * would only time out). 0: HTTPC_MAX_IDLE_MS_DEFAULT.
	 */
	int max_idle_ms;
	/*
	 * A local server (the daemon's admin socket): every request goes
	 * over this AF_UNIX stream socket, as plain HTTP (the TLS fields are
	 * ignored); the host and port of a request name only the Host header.
	 * At most HTTPC_UNIX_PATH_MAX bytes. NULL: TCP.
	 */
	const char *unix_socket;
	/*
	 * Told of each kept-alive connection closed because its server
	 * would no longer pass a new handshake (its certificate expired, a
	 * CRL turned stale with stale refuses all, a reload that revokes or
	 * no longer trusts it): peer "host:port", why in certflags words
	 * (" (reload)" after a reload's). NULL: nobody is told. Called from
	 * the thread of requests.
	 */
	void (*on_closed)(void *ctx, const char *peer, const char *why);
	void *on_closed_ctx;
};

#define HTTPC_UNIX_PATH_MAX 107

#define HTTPC_CLUSTER_ID_HEADER "Gossip-Cluster-Id"
#define HTTPC_CLUSTER_ID_MAX	64

struct httpc_response {
	int status;
	char content_type[128];
	char
	    *body; /* malloc'd, NUL-terminated; free with httpc_response_free */
	size_t body_len;
	int conn_reused; /* sent on a kept-alive connection */
	int tls_resumed; /* this connection resumed a saved TLS session */
	char cluster_id[HTTPC_CLUSTER_ID_MAX + 1]; /* the server's
						    Gossip-Cluster-Id header,
						    or "" */
	long long peer_not_after; /* TLS: the earliest notAfter of the
				     server's verified path, its certificate,
				     an intermediate or the root (Unix time);
				     0 over plain HTTP */
};

/* Returns a new client, or NULL with a reason in err. Free with httpc_free. */
struct httpc *httpc_new(const struct httpc_config *cfg, char *err,
			size_t errlen);
void httpc_free(struct httpc *c);

/*
 * Replaces the credentials (after a reload). Takes its own reference to
 * creds. Each kept-alive connection and saved TLS session is checked
 * again against the new set (httpc_peer_still_trusted): one that passes
 * is kept, one that fails is closed or forgotten at once (a resumed
 * session would skip the new trust store and CRL). Ignored by a
 * plain-HTTP client. Same thread as requests, none in flight.
 */
void httpc_set_creds(struct httpc *c, struct tls_creds *creds);

/* A new bound for response bodies (0: HTTPC_MAX_BODY_DEFAULT), from the
 * next request on. Same thread as requests. */
void httpc_set_max_body(struct httpc *c, size_t max_body);

/*
 * Would a new handshake accept crt, the server certificate of a pooled
 * connection or saved session to host, under creds: its chain and the CRL
 * (tls_creds_verify_resumed: a leaf kept alone, as by a resumed session,
 * with the issuer the set holds), the node verdict and the SAN of host
 * (node_auth_peer_verdict)? When not, the reason is in why. *not_after
 * (when not NULL, and the chain passes): the earliest notAfter of its
 * path under creds, the root's included.
 */
bool httpc_peer_still_trusted(const struct tls_creds *creds,
			      const mbedtls_x509_crt *crt, const char *host,
			      time_t *not_after, char *why, size_t whylen);

/*
 * Sends one request to host:port (host: a name, an IPv4 or an IPv6
 * literal) and reads the whole response, all within timeout_ms. Reuses a
 * kept-alive connection to the same host:port when there is one, and
 * retries once on a fresh connection if a reused one turned out closed.
 * body may be NULL. Returns HTTPC_OK (0) and fills *resp (the body is the
 * caller's: httpc_response_free), or the kind of failure with *resp
 * zeroed and a reason naming the peer in err ("connect 127.0.0.1:2113:
 * Connection refused", "POST /gossip to 127.0.0.1:2113: timed out after 2500
 * ms", "TLS handshake with 127.0.0.2:2113: server certificate has no SAN
 * matching 127.0.0.2", ...). Name resolution counts against timeout_ms too
 * (getaddrinfo_a).
 */
enum httpc_err httpc_request(struct httpc *c, const char *host, int port,
			     const char *method, const char *path,
			     const char *content_type, const void *body,
			     size_t body_len, int timeout_ms,
			     struct httpc_response *resp, char *err,
			     size_t errlen);

void httpc_response_free(struct httpc_response *resp);

/*
 * The errno of the last request's failed connect (ECONNREFUSED, ENOENT,
 * EACCES, ...), for advice the caller gives in its own words; 0 when the
 * last request did not fail to connect.
 */
int httpc_last_errno(const struct httpc *c);

/*
 * The same request without blocking, for an event loop (the gossiper):
 * httpc_op_start checks the request and starts it (headers, when not
 * NULL, are extra "Name: value\r\n" lines, checked: no header
 * injection; the body is copied; a kept-alive
 * connection is reused, a name is resolved on glibc's resolver thread);
 * httpc_op_step advances it as far as it can without waiting and
 * returns 1 when it is finished, or 0 with what it waits for: *fd and
 * *events (POLLIN or POLLOUT), or *fd -1 while a name is being resolved
 * (or a full local socket backlog waits for a retry)
 * (step again within HTTPC_OP_POLL_MS). At the deadline a step finishes
 * it with "timed out". httpc_op_finish frees it and gives the result as
 * httpc_request does, kind included (an unfinished request is abandoned:
 * its connection closed, HTTPC_ERR_LOCAL). httpc_op_start fails (NULL,
 * reason in err) as httpc_request does with HTTPC_ERR_LOCAL. At most one
 * request per host:port is in flight: a second httpc_op_start for it fails.
 * Same thread as the client.
 */
#define HTTPC_OP_POLL_MS 10
struct httpc_op;
struct httpc_op *httpc_op_start(struct httpc *c, const char *host, int port,
				const char *method, const char *path,
				const char *content_type, const char *headers,
				const void *body, size_t body_len,
				int timeout_ms, char *err, size_t errlen);
int httpc_op_step(struct httpc_op *op, int *fd, short *events);
/* When op times out, in clock_mono_ms() milliseconds (clock.h). */
int64_t httpc_op_deadline(const struct httpc_op *op);
enum httpc_err httpc_op_finish(struct httpc_op *op, struct httpc_response *resp,
			       char *err, size_t errlen);

/* TLS handshakes this client completed: full ones, and resumed ones. */
void httpc_handshake_counts(const struct httpc *c, unsigned long *full,
			    unsigned long *resumed);

/*
 * Would a request to host:port avoid a full TLS handshake (a saved
 * session to resume, or a live connection)? Always 0 over plain HTTP.
 */
int httpc_peer_warm(const struct httpc *c, const char *host, int port);

/* Closes every kept-alive connection (e.g. to a peer now dead). */
void httpc_close_idle(struct httpc *c);

#endif
