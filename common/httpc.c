/*
 * httpc: outbound HTTP(S) to peers (see httpc.h and docs/modules/httpc.md).
 *
 * One client holds a small table of peers keyed by host:port, each with at
 * most one kept-alive connection and the last TLS session for resumption.
 * Every request runs on non-blocking sockets against one deadline, so a
 * peer that accepts and then says nothing costs at most timeout_ms.
 * TLS material (config, RNG) belongs to the client: no globals.
 */
#include "httpc.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/error.h>
#include <mbedtls/net_sockets.h>
#include <mbedtls/ssl.h>

#include "httpc_parse.h"
#include "node_auth.h"

#define HOST_MAX      253
#define PATH_MAX_LEN  2048
#define METHOD_MAX    16
#define READ_CHUNK    16384
#define REQ_HEAD_ROOM 512
#define CTYPE_MAX     127

struct peer {
	char host[HOST_MAX + 1]; /* without brackets */
	int port;
	char name[HOST_MAX + 16]; /* "host:port" or "[v6]:port" */
	int fd;			  /* -1: no live connection */
	int tls;		  /* ssl is set up on fd */
	int resumed;		  /* the live connection resumed a session */
	int io_errno;		  /* last socket error seen by the TLS bio */
	mbedtls_ssl_context ssl;
	mbedtls_ssl_session session;
	int have_session;
	unsigned long last_use;
};

struct httpc {
	int plain;
	int verify; /* check the chain, and the SAN against the host */
	size_t max_body;
	mbedtls_entropy_context entropy;
	mbedtls_ctr_drbg_context drbg;
	mbedtls_ssl_config *conf; /* NULL for plain HTTP */
	struct tls_creds *creds;  /* creds mode */
	mbedtls_x509_crt ca;	  /* file mode (discover, status) */
	mbedtls_x509_crt cert;
	mbedtls_pk_context key;
	struct peer *peers[HTTPC_MAX_PEERS];
	unsigned long clock;
};

/* ECDHE with AEAD only, as on the server side (SPEC.md section 5). */
static const int client_suites[] = {
    MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
    MBEDTLS_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
    MBEDTLS_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
    MBEDTLS_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
    MBEDTLS_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    0,
};

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
mbed_err(char *err, size_t errlen, const char *what, int ret)
{
	char buf[160];

	mbedtls_strerror(ret, buf, sizeof buf);
	snprintf(err, errlen, "%s: %s (-0x%04X)", what, buf, (unsigned)-ret);
}

static int
timed_out(char *err, size_t errlen, const char *what, int timeout_ms)
{
	snprintf(err, errlen, "%s: timed out after %d ms", what, timeout_ms);
	return -1;
}

/*
 * Waits until fd is ready for events or the deadline passes. Returns 1
 * when ready (or in error: the next I/O call says which), 0 at the
 * deadline, -1 when poll itself fails.
 */
static int
wait_fd(int fd, short events, int64_t deadline)
{
	for (;;) {
		int64_t left = deadline - now_ms();
		struct pollfd pfd = {.fd = fd, .events = events};
		int n;

		if (left <= 0)
			return 0;
		n = poll(&pfd, 1, left > INT32_MAX ? INT32_MAX : (int)left);
		if (n > 0)
			return 1;
		if (n < 0 && errno != EINTR)
			return -1;
	}
}

/* ---- TLS configuration ---------------------------------------------- */

static int
tls_verify_cb(void *ctx, mbedtls_x509_crt *crt, int depth, uint32_t *flags)
{
	(void)ctx;
	(void)crt;
	(void)depth;
	/* Names are checked by node_auth_san_match(), never by CN. */
	*flags &= ~(uint32_t)MBEDTLS_X509_BADCERT_CN_MISMATCH;
	return 0;
}

/* A new TLS client config over c's RNG and the given material. */
static mbedtls_ssl_config *
conf_new(struct httpc *c, mbedtls_x509_crt *ca, mbedtls_x509_crl *crl,
	 mbedtls_x509_crt *own, mbedtls_pk_context *key, char *err,
	 size_t errlen)
{
	mbedtls_ssl_config *conf = malloc(sizeof *conf);
	int ret;

	if (conf == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	mbedtls_ssl_config_init(conf);
	ret = mbedtls_ssl_config_defaults(conf, MBEDTLS_SSL_IS_CLIENT,
					  MBEDTLS_SSL_TRANSPORT_STREAM,
					  MBEDTLS_SSL_PRESET_DEFAULT);
	if (ret != 0)
		goto fail;
	mbedtls_ssl_conf_min_version(conf, MBEDTLS_SSL_MAJOR_VERSION_3,
				     MBEDTLS_SSL_MINOR_VERSION_3);
	mbedtls_ssl_conf_ciphersuites(conf, client_suites);
	mbedtls_ssl_conf_rng(conf, mbedtls_ctr_drbg_random, &c->drbg);
	mbedtls_ssl_conf_session_tickets(conf,
					 MBEDTLS_SSL_SESSION_TICKETS_ENABLED);
	mbedtls_ssl_conf_renegotiation(conf,
				       MBEDTLS_SSL_RENEGOTIATION_DISABLED);
	if (c->verify) {
		mbedtls_ssl_conf_authmode(conf, MBEDTLS_SSL_VERIFY_REQUIRED);
		mbedtls_ssl_conf_ca_chain(conf, ca, crl);
		mbedtls_ssl_conf_verify(conf, tls_verify_cb, NULL);
	} else {
		mbedtls_ssl_conf_authmode(conf, MBEDTLS_SSL_VERIFY_NONE);
	}
	if (own != NULL) {
		ret = mbedtls_ssl_conf_own_cert(conf, own, key);
		if (ret != 0)
			goto fail;
	}
	return conf;
fail:
	mbed_err(err, errlen, "TLS client configuration", ret);
	mbedtls_ssl_config_free(conf);
	free(conf);
	return NULL;
}

static void
conf_free(mbedtls_ssl_config *conf)
{
	if (conf == NULL)
		return;
	mbedtls_ssl_config_free(conf);
	free(conf);
}

/* Loads the CA, certificate and key files of the client configuration. */
static int
load_files(struct httpc *c, const struct httpc_config *cfg, char *err,
	   size_t errlen)
{
	char what[300];
	struct stat st;
	int ret;

	if (cfg->ca_file != NULL) {
		snprintf(what, sizeof what, "ca_file %s", cfg->ca_file);
		if (stat(cfg->ca_file, &st) != 0) {
			snprintf(err, errlen, "%s: %s", what, strerror(errno));
			return -1;
		}
		if (S_ISDIR(st.st_mode))
			ret = mbedtls_x509_crt_parse_path(&c->ca, cfg->ca_file);
		else
			ret = mbedtls_x509_crt_parse_file(&c->ca, cfg->ca_file);
		if (ret < 0) {
			mbed_err(err, errlen, what, ret);
			return -1;
		}
		/* A directory may hold other files; a file must parse. */
		if (c->ca.version == 0 || (ret > 0 && !S_ISDIR(st.st_mode))) {
			snprintf(err, errlen, "%s: no valid certificate in it",
				 what);
			return -1;
		}
	} else if (c->verify) {
		snprintf(err, errlen,
			 "no CA to verify servers with: give a CA file, or "
			 "skip verification explicitly");
		return -1;
	}
	if (cfg->cert_file == NULL && cfg->key_file == NULL)
		return 0;
	if (cfg->cert_file == NULL) {
		snprintf(err, errlen, "key_file %s given without cert_file",
			 cfg->key_file);
		return -1;
	}
	snprintf(what, sizeof what, "cert_file %s", cfg->cert_file);
	ret = mbedtls_x509_crt_parse_file(&c->cert, cfg->cert_file);
	if (ret != 0) {
		if (ret > 0)
			snprintf(err, errlen, "%s: unparsable certificate",
				 what);
		else
			mbed_err(err, errlen, what, ret);
		return -1;
	}
	snprintf(what, sizeof what, "key_file %s",
		 cfg->key_file ? cfg->key_file : cfg->cert_file);
	ret = mbedtls_pk_parse_keyfile(
	    &c->key, cfg->key_file ? cfg->key_file : cfg->cert_file, NULL);
	if (ret != 0) {
		mbed_err(err, errlen, what, ret);
		return -1;
	}
	if (mbedtls_pk_check_pair(&c->cert.pk, &c->key) != 0) {
		snprintf(err, errlen, "%s does not match %s", what,
			 cfg->cert_file);
		return -1;
	}
	return 0;
}

/* ---- connections ---------------------------------------------------- */

static int
bio_send(void *ctx, const unsigned char *buf, size_t len)
{
	struct peer *p = ctx;
	ssize_t n = send(p->fd, buf, len, MSG_NOSIGNAL);

	if (n >= 0)
		return (int)n;
	p->io_errno = errno;
	if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
		return MBEDTLS_ERR_SSL_WANT_WRITE;
	if (errno == EPIPE || errno == ECONNRESET)
		return MBEDTLS_ERR_NET_CONN_RESET;
	return MBEDTLS_ERR_NET_SEND_FAILED;
}

static int
bio_recv(void *ctx, unsigned char *buf, size_t len)
{
	struct peer *p = ctx;
	ssize_t n = recv(p->fd, buf, len, 0);

	if (n >= 0)
		return (int)n;
	p->io_errno = errno;
	if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
		return MBEDTLS_ERR_SSL_WANT_READ;
	if (errno == ECONNRESET)
		return MBEDTLS_ERR_NET_CONN_RESET;
	return MBEDTLS_ERR_NET_RECV_FAILED;
}

static void
conn_close(struct peer *p)
{
	if (p->tls) {
		/* Best effort: the socket is non-blocking. */
		mbedtls_ssl_close_notify(&p->ssl);
		mbedtls_ssl_free(&p->ssl);
		p->tls = 0;
	}
	if (p->fd >= 0)
		close(p->fd);
	p->fd = -1;
	p->resumed = 0;
}

static void
session_drop(struct peer *p)
{
	if (p->have_session)
		mbedtls_ssl_session_free(&p->session);
	mbedtls_ssl_session_init(&p->session);
	p->have_session = 0;
}

/* Connects fd to one address within the deadline: 0, or -1 and errno. */
static int
connect_one(const struct addrinfo *ai, int64_t deadline, int *fdp)
{
	int fd = socket(ai->ai_family,
			SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int soerr = 0, one = 1, w;
	socklen_t sl = sizeof soerr;

	if (fd < 0)
		return -1;
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
		if (errno != EINPROGRESS)
			goto fail;
		w = wait_fd(fd, POLLOUT, deadline);
		if (w <= 0) {
			errno = w == 0 ? ETIMEDOUT : errno;
			goto fail;
		}
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) != 0)
			goto fail;
		if (soerr != 0) {
			errno = soerr;
			goto fail;
		}
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	*fdp = fd;
	return 0;
fail:
	soerr = errno;
	close(fd);
	errno = soerr;
	return -1;
}

static int
dial(struct peer *p, int is_ip, int64_t deadline, int timeout_ms, char *err,
     size_t errlen)
{
	struct addrinfo hints, *res = NULL, *ai;
	char what[sizeof p->name + 16], port[8];
	int rc, last = ECONNREFUSED;

	snprintf(what, sizeof what, "connect %s", p->name);
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV | (is_ip ? AI_NUMERICHOST : 0);
	snprintf(port, sizeof port, "%d", p->port);
	/* getaddrinfo() blocks; the deadline is checked after it. */
	rc = getaddrinfo(p->host, port, &hints, &res);
	if (rc != 0) {
		snprintf(err, errlen, "resolve %s: %s", p->host,
			 rc == EAI_SYSTEM ? strerror(errno) : gai_strerror(rc));
		return -1;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		if (now_ms() >= deadline) {
			last = ETIMEDOUT;
			break;
		}
		if (connect_one(ai, deadline, &p->fd) == 0)
			break;
		last = errno;
	}
	freeaddrinfo(res);
	if (p->fd >= 0)
		return 0;
	if (last == ETIMEDOUT)
		return timed_out(err, errlen, what, timeout_ms);
	snprintf(err, errlen, "%s: %s", what, strerror(last));
	return -1;
}

/* Words for the verification flags an operator is most likely to meet. */
static const char *
verify_reason(uint32_t flags)
{
	if (flags & MBEDTLS_X509_BADCERT_REVOKED)
		return "certificate revoked";
	if (flags & MBEDTLS_X509_BADCERT_EXPIRED)
		return "certificate expired";
	if (flags & MBEDTLS_X509_BADCERT_FUTURE)
		return "certificate not yet valid";
	if (flags & MBEDTLS_X509_BADCERT_NOT_TRUSTED)
		return "certificate not signed by a trusted CA";
	if (flags & MBEDTLS_X509_BADCERT_MISSING)
		return "server sent no certificate";
	if (flags & (MBEDTLS_X509_BADCERT_KEY_USAGE |
		     MBEDTLS_X509_BADCERT_EXT_KEY_USAGE |
		     MBEDTLS_X509_BADCERT_NS_CERT_TYPE))
		return "certificate not usable for a TLS server (key usage)";
	if (flags & (MBEDTLS_X509_BADCERT_BAD_MD | MBEDTLS_X509_BADCERT_BAD_PK |
		     MBEDTLS_X509_BADCERT_BAD_KEY))
		return "certificate uses a disallowed hash, algorithm or key "
		       "size";
	if (flags & (MBEDTLS_X509_BADCRL_EXPIRED | MBEDTLS_X509_BADCRL_FUTURE |
		     MBEDTLS_X509_BADCRL_NOT_TRUSTED))
		return "the CRL is expired, not yet valid or not trusted";
	return "certificate verification failed";
}

/* Saves the session of the live connection; tells whether it resumed. */
static void
session_keep(struct peer *p)
{
	mbedtls_ssl_session s;

	mbedtls_ssl_session_init(&s);
	if (mbedtls_ssl_get_session(&p->ssl, &s) != 0) {
		mbedtls_ssl_session_free(&s);
		return;
	}
	/* Only a resumed handshake keeps the old master secret. */
	p->resumed = p->have_session &&
		     memcmp(s.master, p->session.master, sizeof s.master) == 0;
	session_drop(p);
	p->session = s;
	p->have_session = 1;
}

static int
handshake(struct httpc *c, struct peer *p, int64_t deadline, int timeout_ms,
	  char *err, size_t errlen)
{
	char what[sizeof p->name + 32];
	const mbedtls_x509_crt *peer_cert;
	int ret, w;

	snprintf(what, sizeof what, "TLS handshake with %s", p->name);
	mbedtls_ssl_init(&p->ssl);
	p->tls = 1;
	ret = mbedtls_ssl_setup(&p->ssl, c->conf);
	if (ret == 0)
		ret = mbedtls_ssl_set_hostname(&p->ssl, NULL);
	if (ret != 0) {
		mbed_err(err, errlen, what, ret);
		return -1;
	}
	mbedtls_ssl_set_bio(&p->ssl, p, bio_send, bio_recv, NULL);
	if (p->have_session && mbedtls_ssl_set_session(&p->ssl, &p->session))
		session_drop(p);
	while ((ret = mbedtls_ssl_handshake(&p->ssl)) != 0) {
		if (ret != MBEDTLS_ERR_SSL_WANT_READ &&
		    ret != MBEDTLS_ERR_SSL_WANT_WRITE)
			break;
		w = wait_fd(p->fd,
			    ret == MBEDTLS_ERR_SSL_WANT_READ ? POLLIN : POLLOUT,
			    deadline);
		if (w == 0) {
			session_drop(p);
			return timed_out(err, errlen, what, timeout_ms);
		}
	}
	if (ret != 0) {
		session_drop(p);
		if (ret == MBEDTLS_ERR_X509_CERT_VERIFY_FAILED)
			snprintf(err, errlen, "%s: %s", what,
				 verify_reason(
				     mbedtls_ssl_get_verify_result(&p->ssl)));
		else if (ret == MBEDTLS_ERR_NET_CONN_RESET)
			snprintf(err, errlen, "%s: connection reset by peer",
				 what);
		else
			mbed_err(err, errlen, what, ret);
		return -1;
	}
	peer_cert = mbedtls_ssl_get_peer_cert(&p->ssl);
	if (c->verify &&
	    (peer_cert == NULL || !node_auth_san_match(peer_cert, p->host))) {
		session_drop(p);
		snprintf(err, errlen,
			 "%s: server certificate has no SAN matching %s", what,
			 p->host);
		return -1;
	}
	session_keep(p);
	return 0;
}

static int
conn_open(struct httpc *c, struct peer *p, int64_t deadline, int timeout_ms,
	  char *err, size_t errlen)
{
	unsigned char a[sizeof(struct in6_addr)];
	int is_ip = inet_pton(AF_INET, p->host, a) == 1 ||
		    inet_pton(AF_INET6, p->host, a) == 1;

	if (dial(p, is_ip, deadline, timeout_ms, err, errlen) != 0)
		return -1;
	if (c->conf != NULL &&
	    handshake(c, p, deadline, timeout_ms, err, errlen) != 0) {
		conn_close(p);
		return -1;
	}
	return 0;
}

/*
 * Is a kept-alive connection still fit for a request? A server that
 * closed it (or sent anything unasked, such as a TLS alert) makes the
 * socket readable.
 */
static int
conn_idle_ok(struct peer *p)
{
	struct pollfd pfd = {.fd = p->fd, .events = POLLIN};

	if (p->tls && mbedtls_ssl_get_bytes_avail(&p->ssl) > 0)
		return 0;
	return poll(&pfd, 1, 0) == 0;
}

/* ---- one exchange --------------------------------------------------- */

enum io_result { IO_OK = 0, IO_EOF = 1, IO_FAIL = -1, IO_TIMEOUT = -2 };

static enum io_result
conn_write(struct peer *p, const char *buf, size_t len, int64_t deadline,
	   int *closed)
{
	size_t off = 0;

	while (off < len) {
		short ev = POLLOUT;
		int ret;

		if (p->tls) {
			ret = mbedtls_ssl_write(
			    &p->ssl, (const unsigned char *)buf + off,
			    len - off);
			if (ret == MBEDTLS_ERR_SSL_WANT_READ)
				ev = POLLIN;
			else if (ret != MBEDTLS_ERR_SSL_WANT_WRITE && ret < 0) {
				*closed = ret == MBEDTLS_ERR_NET_CONN_RESET;
				return IO_FAIL;
			}
		} else {
			ssize_t n =
			    send(p->fd, buf + off, len - off, MSG_NOSIGNAL);

			ret = n >= 0 ? (int)n : MBEDTLS_ERR_SSL_WANT_WRITE;
			if (n < 0 && errno != EAGAIN && errno != EINTR) {
				p->io_errno = errno;
				*closed = errno == EPIPE || errno == ECONNRESET;
				return IO_FAIL;
			}
		}
		if (ret >= 0) {
			off += (size_t)ret;
			continue;
		}
		if (wait_fd(p->fd, ev, deadline) == 0)
			return IO_TIMEOUT;
	}
	return IO_OK;
}

/* Reads some bytes: *n > 0, or IO_EOF, IO_FAIL (*reset), IO_TIMEOUT. */
static enum io_result
conn_read(struct peer *p, char *buf, size_t cap, int64_t deadline, size_t *n,
	  int *reset)
{
	for (;;) {
		short ev = POLLIN;
		int ret;

		if (p->tls) {
			ret = mbedtls_ssl_read(&p->ssl, (unsigned char *)buf,
					       cap);
			if (ret == 0 ||
			    ret == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY)
				return IO_EOF;
			if (ret == MBEDTLS_ERR_SSL_WANT_WRITE)
				ev = POLLOUT;
			else if (ret != MBEDTLS_ERR_SSL_WANT_READ && ret < 0) {
				*reset = ret == MBEDTLS_ERR_NET_CONN_RESET;
				p->io_errno = *reset ? ECONNRESET : EPROTO;
				return IO_FAIL;
			}
		} else {
			ssize_t r = recv(p->fd, buf, cap, 0);

			if (r == 0)
				return IO_EOF;
			ret = r > 0 ? (int)r : MBEDTLS_ERR_SSL_WANT_READ;
			if (r < 0 && errno != EAGAIN && errno != EINTR) {
				p->io_errno = errno;
				*reset = errno == ECONNRESET;
				return IO_FAIL;
			}
		}
		if (ret > 0) {
			*n = (size_t)ret;
			return IO_OK;
		}
		if (wait_fd(p->fd, ev, deadline) == 0)
			return IO_TIMEOUT;
	}
}

struct exchange {
	const char *req;
	size_t req_len;
	int head;
	const char *what; /* "POST /gossip to 10.0.0.1:2113" */
	int64_t deadline;
	int timeout_ms;
	int closed_early; /* out: the server closed before any response byte */
	int keep;	  /* out: the connection may carry another request */
};

static int
exchange_fail(struct exchange *x, struct peer *p, enum io_result r,
	      const char *doing, char *err, size_t errlen)
{
	if (r == IO_TIMEOUT)
		return timed_out(err, errlen, x->what, x->timeout_ms);
	snprintf(err, errlen, "%s: %s: %s", x->what, doing,
		 p->io_errno ? strerror(p->io_errno) : "TLS error");
	return -1;
}

static int
exchange(struct httpc *c, struct peer *p, struct exchange *x,
	 struct httpc_response *resp, char *err, size_t errlen)
{
	struct httpc_parser hp;
	char buf[READ_CHUNK];
	enum io_result r;
	size_t n = 0, extra = 0;
	int rc = 0, reset = 0;

	x->closed_early = 0;
	x->keep = 0;
	p->io_errno = 0;
	r = conn_write(p, x->req, x->req_len, x->deadline, &reset);
	if (r != IO_OK) {
		x->closed_early = reset;
		return exchange_fail(x, p, r, "sending the request", err,
				     errlen);
	}
	httpc_parser_init(&hp, c->max_body, x->head);
	while (rc == 0) {
		r = conn_read(p, buf, sizeof buf, x->deadline, &n, &reset);
		if (r == IO_OK) {
			rc =
			    httpc_parser_feed(&hp, buf, n, &extra, err, errlen);
		} else if (r == IO_EOF || (r == IO_FAIL && reset)) {
			if (!hp.seen_bytes) {
				x->closed_early = 1;
				snprintf(err, errlen,
					 "%s: connection closed by the server "
					 "before any response",
					 x->what);
				rc = -1;
				break;
			}
			rc = r == IO_EOF ? httpc_parser_eof(&hp, err, errlen)
					 : -1;
			if (r != IO_EOF)
				exchange_fail(x, p, r, "reading the response",
					      err, errlen);
			extra = 1; /* the connection is gone */
		} else {
			exchange_fail(x, p, r, "reading the response", err,
				      errlen);
			rc = -1;
		}
	}
	if (rc == 1) {
		x->keep = extra == 0 && httpc_parser_keep_alive(&hp);
		rc = httpc_parser_take(&hp, resp, err, errlen) == 0 ? 0 : -1;
	} else if (rc < 0 && !x->closed_early &&
		   strncmp(err, x->what, strlen(x->what))) {
		/* Parser reasons get the request as context. */
		char reason[256];

		snprintf(reason, sizeof reason, "%s", err);
		snprintf(err, errlen, "%s: %s", x->what, reason);
	}
	httpc_parser_free(&hp);
	return rc == 0 ? 0 : -1;
}

/* ---- requests ------------------------------------------------------- */

static int
token_ok(const char *s, size_t max, int (*ok)(int))
{
	size_t n = 0;

	for (; s[n] != '\0'; n++) {
		if (n >= max || !ok((unsigned char)s[n]))
			return 0;
	}
	return n > 0;
}

static int
method_char(int ch)
{
	return ch >= 'A' && ch <= 'Z';
}

/* Visible ASCII: no space, CR, LF or other control (no header injection). */
static int
path_char(int ch)
{
	return ch > 0x20 && ch < 0x7f;
}

static int
ctype_char(int ch)
{
	return ch >= 0x20 && ch < 0x7f;
}

static int
host_char(int ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	       (ch >= '0' && ch <= '9') || ch == '.' || ch == '-' ||
	       ch == '_' || ch == ':';
}

/* Splits "[v6]" brackets off and checks the name; fills p's names. */
static int
peer_names(struct peer *p, const char *host, int port, char *err, size_t errlen)
{
	size_t len = strlen(host);

	if (len >= 2 && host[0] == '[' && host[len - 1] == ']') {
		host++;
		len -= 2;
	}
	if (len == 0 || len > HOST_MAX) {
		snprintf(err, errlen, "invalid host name (length %zu)", len);
		return -1;
	}
	memcpy(p->host, host, len);
	p->host[len] = '\0';
	if (!token_ok(p->host, HOST_MAX, host_char)) {
		snprintf(err, errlen, "invalid host name \"%.64s\"", p->host);
		return -1;
	}
	if (port < 1 || port > 65535) {
		snprintf(err, errlen, "invalid port %d", port);
		return -1;
	}
	p->port = port;
	snprintf(p->name, sizeof p->name,
		 strchr(p->host, ':') ? "[%s]:%d" : "%s:%d", p->host, port);
	return 0;
}

static void
peer_free(struct peer *p)
{
	if (p == NULL)
		return;
	conn_close(p);
	session_drop(p);
	free(p);
}

/* The peer entry for host:port, made (evicting the least recent) if new. */
static struct peer *
peer_get(struct httpc *c, const struct peer *want)
{
	struct peer *p;
	int i, free_slot = -1, oldest = -1;

	for (i = 0; i < HTTPC_MAX_PEERS; i++) {
		p = c->peers[i];
		if (p == NULL) {
			if (free_slot < 0)
				free_slot = i;
			continue;
		}
		if (p->port == want->port &&
		    strcasecmp(p->host, want->host) == 0)
			return p;
		if (oldest < 0 || p->last_use < c->peers[oldest]->last_use)
			oldest = i;
	}
	if (free_slot < 0) {
		peer_free(c->peers[oldest]);
		c->peers[oldest] = NULL;
		free_slot = oldest;
	}
	p = malloc(sizeof *p);
	if (p == NULL)
		return NULL;
	*p = *want;
	p->fd = -1;
	p->tls = 0;
	p->resumed = 0;
	p->have_session = 0;
	mbedtls_ssl_session_init(&p->session);
	c->peers[free_slot] = p;
	return p;
}

/* The request bytes, head and body in one buffer (one write, no Nagle). */
static char *
build_request(const struct peer *p, const char *method, const char *path,
	      const char *content_type, const void *body, size_t body_len,
	      size_t *out_len)
{
	int with_body =
	    body != NULL || body_len > 0 || strcmp(method, "POST") == 0 ||
	    strcmp(method, "PUT") == 0 || strcmp(method, "PATCH") == 0;
	size_t cap = REQ_HEAD_ROOM + strlen(path) + sizeof p->name +
		     (content_type ? strlen(content_type) : 0);
	char *req;
	int n;

	if (body_len > SIZE_MAX - cap)
		return NULL;
	req = malloc(cap + body_len);
	if (req == NULL)
		return NULL;
	n = snprintf(req, cap,
		     "%s %s HTTP/1.1\r\nHost: %s\r\n"
		     "Accept: application/json\r\nConnection: keep-alive\r\n",
		     method, path, p->name);
	if (with_body && content_type != NULL)
		n += snprintf(req + n, cap - (size_t)n, "Content-Type: %s\r\n",
			      content_type);
	if (with_body)
		n += snprintf(req + n, cap - (size_t)n,
			      "Content-Length: %zu\r\n", body_len);
	n += snprintf(req + n, cap - (size_t)n, "\r\n");
	if (body_len > 0)
		memcpy(req + n, body, body_len);
	*out_len = (size_t)n + body_len;
	return req;
}

static int
check_request(const char *method, const char *path, const char *content_type,
	      const void *body, size_t body_len, int timeout_ms, char *err,
	      size_t errlen)
{
	if (method == NULL || !token_ok(method, METHOD_MAX, method_char)) {
		snprintf(err, errlen, "invalid HTTP method");
		return -1;
	}
	if (path == NULL || path[0] != '/' ||
	    !token_ok(path, PATH_MAX_LEN, path_char)) {
		snprintf(err, errlen, "invalid request path");
		return -1;
	}
	if (content_type != NULL &&
	    !token_ok(content_type, CTYPE_MAX, ctype_char)) {
		snprintf(err, errlen, "invalid content type");
		return -1;
	}
	if (body == NULL && body_len > 0) {
		snprintf(err, errlen, "body_len without a body");
		return -1;
	}
	if (timeout_ms <= 0) {
		snprintf(err, errlen, "invalid timeout %d ms", timeout_ms);
		return -1;
	}
	return 0;
}

int
httpc_request(struct httpc *c, const char *host, int port, const char *method,
	      const char *path, const char *content_type, const void *body,
	      size_t body_len, int timeout_ms, struct httpc_response *resp,
	      char *err, size_t errlen)
{
	int64_t deadline = now_ms() + (timeout_ms > 0 ? timeout_ms : 0);
	struct peer want, *p;
	struct exchange x;
	char what[sizeof want.name + PATH_MAX_LEN + METHOD_MAX + 8];
	char *req = NULL;
	int reused = 0, rc = -1;

	memset(resp, 0, sizeof *resp);
	memset(&want, 0, sizeof want);
	if (host == NULL || peer_names(&want, host, port, err, errlen) != 0 ||
	    check_request(method, path, content_type, body, body_len,
			  timeout_ms, err, errlen) != 0)
		return -1;
	p = peer_get(c, &want);
	req = build_request(&want, method, path, content_type, body, body_len,
			    &x.req_len);
	if (p == NULL || req == NULL) {
		snprintf(err, errlen, "out of memory for a request");
		goto out;
	}
	p->last_use = ++c->clock;
	snprintf(what, sizeof what, "%s %s to %s", method, path, p->name);
	x.req = req;
	x.head = strcmp(method, "HEAD") == 0;
	x.what = what;
	x.deadline = deadline;
	x.timeout_ms = timeout_ms;
	if (p->fd >= 0 && conn_idle_ok(p))
		reused = 1;
	else
		conn_close(p);
	for (;;) {
		if (p->fd < 0 &&
		    conn_open(c, p, deadline, timeout_ms, err, errlen) != 0)
			goto out;
		if (exchange(c, p, &x, resp, err, errlen) == 0)
			break;
		conn_close(p);
		/* A kept-alive connection the server had just closed. */
		if (!(reused && x.closed_early))
			goto out;
		reused = 0;
	}
	resp->conn_reused = reused;
	resp->tls_resumed = p->resumed;
	if (!x.keep)
		conn_close(p);
	rc = 0;
out:
	free(req);
	return rc;
}

void
httpc_response_free(struct httpc_response *resp)
{
	if (resp == NULL)
		return;
	free(resp->body);
	resp->body = NULL;
	resp->body_len = 0;
}

/* ---- the client ----------------------------------------------------- */

struct httpc *
httpc_new(const struct httpc_config *cfg, char *err, size_t errlen)
{
	static const char pers[] = "gossipd httpc";
	struct httpc *c = calloc(1, sizeof *c);
	int ret;

	if (c == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	mbedtls_entropy_init(&c->entropy);
	mbedtls_ctr_drbg_init(&c->drbg);
	mbedtls_x509_crt_init(&c->ca);
	mbedtls_x509_crt_init(&c->cert);
	mbedtls_pk_init(&c->key);
	c->max_body = cfg->max_body ? cfg->max_body : HTTPC_MAX_BODY_DEFAULT;
	c->plain =
	    cfg->plain_http || (cfg->creds == NULL && cfg->ca_file == NULL &&
				cfg->cert_file == NULL &&
				cfg->key_file == NULL && !cfg->verify_none);
	if (c->plain)
		return c;
	c->verify = !cfg->verify_none;
	ret =
	    mbedtls_ctr_drbg_seed(&c->drbg, mbedtls_entropy_func, &c->entropy,
				  (const unsigned char *)pers, sizeof pers - 1);
	if (ret != 0) {
		mbed_err(err, errlen, "seeding the random generator", ret);
		goto fail;
	}
	if (cfg->creds != NULL) {
		c->creds = tls_creds_ref(cfg->creds);
		c->conf =
		    conf_new(c, &c->creds->trusted,
			     c->creds->have_crl ? &c->creds->crl : NULL,
			     &c->creds->chain, &c->creds->key, err, errlen);
	} else {
		if (load_files(c, cfg, err, errlen) != 0)
			goto fail;
		c->conf =
		    conf_new(c, &c->ca, NULL, c->cert.version ? &c->cert : NULL,
			     &c->key, err, errlen);
	}
	if (c->conf == NULL)
		goto fail;
	return c;
fail:
	httpc_free(c);
	return NULL;
}

void
httpc_close_idle(struct httpc *c)
{
	for (int i = 0; c != NULL && i < HTTPC_MAX_PEERS; i++) {
		if (c->peers[i] != NULL)
			conn_close(c->peers[i]);
	}
}

/*
 * Every connection and saved session was made with the old credentials;
 * a session resumed after a reload would skip the new trust store and
 * CRL, so both go now (the client is thread-confined: none is in use).
 */
void
httpc_set_creds(struct httpc *c, struct tls_creds *creds)
{
	mbedtls_ssl_config *conf;
	char err[256];

	if (c == NULL || c->plain || creds == NULL || creds == c->creds)
		return;
	tls_creds_ref(creds);
	conf =
	    conf_new(c, &creds->trusted, creds->have_crl ? &creds->crl : NULL,
		     &creds->chain, &creds->key, err, sizeof err);
	if (conf == NULL) {
		/* Out of memory: the old credentials stay. */
		tls_creds_unref(creds);
		return;
	}
	for (int i = 0; i < HTTPC_MAX_PEERS; i++) {
		if (c->peers[i] != NULL) {
			conn_close(c->peers[i]);
			session_drop(c->peers[i]);
		}
	}
	conf_free(c->conf);
	c->conf = conf;
	tls_creds_unref(c->creds);
	c->creds = creds;
}

void
httpc_free(struct httpc *c)
{
	if (c == NULL)
		return;
	for (int i = 0; i < HTTPC_MAX_PEERS; i++)
		peer_free(c->peers[i]);
	conf_free(c->conf);
	tls_creds_unref(c->creds);
	mbedtls_x509_crt_free(&c->ca);
	mbedtls_x509_crt_free(&c->cert);
	mbedtls_pk_free(&c->key);
	mbedtls_ctr_drbg_free(&c->drbg);
	mbedtls_entropy_free(&c->entropy);
	free(c);
}
