/*
 * httpc_conn: the connection layer of the httpc module (internal to
 * httpc.c and httpc_conn.c): the client and peer records, the TLS client
 * configuration, and non-blocking connect, handshake, read and write
 * against a deadline. See httpc.h for the promises made to callers.
 */
#ifndef GOSSIP_HTTPC_CONN_H
#define GOSSIP_HTTPC_CONN_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <netdb.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/ssl.h>

#include "httpc.h"

#include "clock.h"
#include "mbed_err.h"

#define HOST_MAX 253
/* replaced configurations kept for live connections, at most */
#define HTTPC_MAX_RETIRED 4

/* One peer (host:port): its kept-alive connection and its last session. */
struct httpc_peer {
	char host[HOST_MAX + 1]; /* without brackets */
	int port;
	char name[HOST_MAX + 16]; /* "host:port" or "[v6]:port" */
	int fd;			  /* -1: no live connection */
	int tls;		  /* ssl is set up on fd */
	int resumed;		  /* the live connection resumed a session */
	int io_errno;		  /* last socket error of this exchange */
	int tls_err;		  /* last mbedTLS error of this exchange */
	enum httpc_err fail;	  /* the kind of the last failure */
	mbedtls_ssl_context ssl;
	mbedtls_ssl_session session;
	int have_session;
	struct tls_creds_vrfy vrfy; /* revocation state of a handshake */
	unsigned long last_use;	    /* client clock, for eviction */
	int64_t idle_since;	    /* ms: end of the last exchange */
	int busy;		    /* a request is in flight on it */
	/* stale CRLs of the client's set (stale refuses all) the live
	 * connection's server was last judged under */
	int crl_stale_seen;
	/* the earliest notAfter of the live connection's verified path (the
	 * server's certificate up to the trusted root), 0: not known */
	time_t path_not_after;
};

struct httpc {
	int plain;
	int verify; /* check the chain, and the SAN against the host */
	size_t max_body;
	int max_idle_ms;
	char unix_path[HTTPC_UNIX_PATH_MAX + 1]; /* "": TCP */
	int last_errno;				 /* of a failed connect */
	mbedtls_entropy_context entropy;
	mbedtls_ctr_drbg_context drbg;
	mbedtls_ssl_config *conf; /* NULL for plain HTTP */
	struct tls_creds *creds;  /* creds mode */
	/* configurations replaced by httpc_set_creds that kept-alive
	 * connections still use (their certificate passed the re-check),
	 * with the credentials they point into; freed once unused */
	struct {
		mbedtls_ssl_config *conf;
		struct tls_creds *creds;
	} retired[HTTPC_MAX_RETIRED];
	mbedtls_x509_crt ca; /* file mode (discover, status) */
	mbedtls_x509_crt cert;
	mbedtls_pk_context key;
	struct httpc_peer *peers[HTTPC_MAX_PEERS];
	unsigned long clock;
	unsigned long handshakes_full;	  /* completed, since httpc_new */
	unsigned long handshakes_resumed; /* of which resumed a session */
	void (*on_closed)(void *ctx, const char *peer, const char *why);
	void *on_closed_ctx;
};

enum io_result { IO_OK = 0, IO_EOF = 1, IO_FAIL = -1, IO_WANT = 2 };

/* When the live TLS connection's rights end (Unix time), or 0: the
 * earliest notAfter of the path the peer was judged on (its certificate,
 * an intermediate, the root). */
long long httpc_conn_peer_not_after(struct httpc_peer *p);

/* "what: timed out after N ms" into err; returns -1. */
int httpc_conn_timed_out(char *err, size_t errlen, const char *what,
			 int timeout_ms);

/*
 * A new TLS client config over c's RNG and c->verify, trusting ca (and
 * crl: NULL with node credentials, whose CRLs are checked per handshake
 * by tls_creds_crl_flags), presenting own/key when own is not NULL. The
 * material must outlive the config. Returns it (free with
 * httpc_conn_conf_free), or NULL with a reason in err.
 */
mbedtls_ssl_config *httpc_conn_conf_new(struct httpc *c, mbedtls_x509_crt *ca,
					mbedtls_x509_crl *crl,
					mbedtls_x509_crt *own,
					mbedtls_pk_context *key, char *err,
					size_t errlen);
void httpc_conn_conf_free(mbedtls_ssl_config *conf);

/* Loads cfg's ca_file, cert_file and key_file into c->ca, c->cert, c->key. */
int httpc_conn_load_files(struct httpc *c, const struct httpc_config *cfg,
			  char *err, size_t errlen);

/*
 * Starts connecting a non-blocking socket to ai: 0 connected, 1 under way
 * (wait for POLLOUT, then httpc_conn_connect_done), -1 with errno. *fd is
 * the socket (or -1 on failure).
 */
int httpc_conn_connect_start(const struct addrinfo *ai, int *fd);
/* After POLLOUT: 0 connected, or -1 with errno. */
int httpc_conn_connect_done(int fd);

/* Sets up TLS on p's connected fd (resuming p's session if any). */
int httpc_conn_tls_start(struct httpc *c, struct httpc_peer *p, char *err,
			 size_t errlen);
/*
 * Advances the handshake: 0 done (chain verified, SAN matched, session
 * saved, counted in c->handshakes_full/resumed), 1 waiting for *events on
 * p->fd, -1 failed with a reason in err.
 */
int httpc_conn_tls_step(struct httpc *c, struct httpc_peer *p, short *events,
			char *err, size_t errlen);

/* Closes p's connection (close_notify on a best-effort basis); keeps its
 * session. Accepts a peer without a connection. */
void httpc_conn_close(struct httpc_peer *p);

/* Forgets p's saved TLS session. */
void httpc_conn_session_drop(struct httpc_peer *p);

/*
 * May p's kept-alive connection carry a request? Not when the server
 * closed it or sent anything unasked, nor when its server would not pass
 * a new handshake now: its certificate expired, or (stale refuses all) a
 * CRL of the set turned stale since it was last judged and its chain no
 * longer verifies; then why holds the reason (certflags words) and the
 * saved session is forgotten. Returns 1 fit, 0 not (why "" when the
 * reason is no news).
 */
int httpc_conn_idle_ok(const struct httpc *c, struct httpc_peer *p, char *why,
		       size_t whylen);

/* How many CRLs of creds are past their nextUpdate at now, when a stale
 * CRL refuses all (0 otherwise, or without creds). */
int httpc_conn_crl_stale_count(const struct tls_creds *creds, time_t now);

/*
 * Writes buf from *off on as far as the socket takes it: IO_OK when all
 * is written, IO_WANT (wait for *events), IO_FAIL (*closed: the peer had
 * closed or reset the connection).
 */
enum io_result httpc_conn_try_write(struct httpc_peer *p, const char *buf,
				    size_t len, size_t *off, short *events,
				    int *closed);

/*
 * Reads some bytes: IO_OK with *n > 0, IO_EOF, IO_WANT (wait for
 * *events), or IO_FAIL with *reset saying the peer reset the connection.
 */
enum io_result httpc_conn_try_read(struct httpc_peer *p, char *buf, size_t cap,
				   size_t *n, short *events, int *reset);

#endif
