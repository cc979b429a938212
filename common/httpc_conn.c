/*
 * httpc_conn: sockets and TLS for httpc (see httpc_conn.h). Everything
 * here is non-blocking and bounded by the caller's deadline; the TLS
 * material and RNG belong to the client.
 */
#include "httpc_conn.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <mbedtls/net_sockets.h>

#include "certflags.h"
#include "node_auth.h"
#include "tls_creds_int.h"

int
httpc_conn_timed_out(char *err, size_t errlen, const char *what, int timeout_ms)
{
	snprintf(err, errlen, "%s: timed out after %d ms", what, timeout_ms);
	return -1;
}

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

/* ---- TLS configuration ---------------------------------------------- */

/* ctx: NULL, or (node credentials) the handshake's revocation state. */
static int
tls_verify_cb(void *ctx, mbedtls_x509_crt *crt, int depth, uint32_t *flags)
{
	/* Names are checked by node_auth_san_match(), never by CN. */
	*flags &= ~(uint32_t)MBEDTLS_X509_BADCERT_CN_MISMATCH;
	if (ctx != NULL)
		tls_creds_vrfy_step(ctx, crt, depth, flags);
	return 0;
}

/* A new TLS client config over c's RNG and the given material. */
mbedtls_ssl_config *
httpc_conn_conf_new(struct httpc *c, mbedtls_x509_crt *ca,
		    mbedtls_x509_crl *crl, mbedtls_x509_crt *own,
		    mbedtls_pk_context *key, char *err, size_t errlen)
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

void
httpc_conn_conf_free(mbedtls_ssl_config *conf)
{
	if (conf == NULL)
		return;
	mbedtls_ssl_config_free(conf);
	free(conf);
}

/* Loads the CA, certificate and key files of the client configuration. */
int
httpc_conn_load_files(struct httpc *c, const struct httpc_config *cfg,
		      char *err, size_t errlen)
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
	struct httpc_peer *p = ctx;
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
	struct httpc_peer *p = ctx;
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

void
httpc_conn_close(struct httpc_peer *p)
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

void
httpc_conn_session_drop(struct httpc_peer *p)
{
	if (p->have_session)
		mbedtls_ssl_session_free(&p->session);
	mbedtls_ssl_session_init(&p->session);
	p->have_session = 0;
}

/*
 * Starts connecting to one address: 0 connected, 1 under way (wait for
 * POLLOUT, then httpc_conn_connect_done), -1 with errno.
 */
int
httpc_conn_connect_start(const struct addrinfo *ai, int *fdp)
{
	int fd = socket(ai->ai_family,
			SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int one = 1, e;

	*fdp = -1;
	if (fd < 0)
		return -1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	*fdp = fd;
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
		return 0;
	if (errno == EINPROGRESS)
		return 1;
	e = errno;
	close(fd);
	*fdp = -1;
	errno = e;
	return -1;
}

int
httpc_conn_connect_done(int fd)
{
	int soerr = 0;
	socklen_t sl = sizeof soerr;

	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) != 0)
		return -1;
	if (soerr != 0) {
		errno = soerr;
		return -1;
	}
	return 0;
}

/* Did the handshake just completed on p resume its saved session? Only a
 * resumed handshake keeps the old master secret. */
static bool
resumed_now(const struct httpc_peer *p)
{
	return p->have_session && p->ssl.session != NULL &&
	       memcmp(p->ssl.session->master, p->session.master,
		      sizeof p->session.master) == 0;
}

/* Saves the session of the live connection; tells whether it resumed. */
static void
session_keep(struct httpc_peer *p)
{
	mbedtls_ssl_session s;

	mbedtls_ssl_session_init(&s);
	if (mbedtls_ssl_get_session(&p->ssl, &s) != 0) {
		mbedtls_ssl_session_free(&s);
		return;
	}
	p->resumed = resumed_now(p);
	httpc_conn_session_drop(p);
	p->session = s;
	p->have_session = 1;
}

int
httpc_conn_tls_start(struct httpc *c, struct httpc_peer *p, char *err,
		     size_t errlen)
{
	char what[sizeof p->name + 32];
	int ret;

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
	if (c->verify && c->creds != NULL) {
		/* the CRLs of the node credentials: tls_creds_crl_flags */
		tls_creds_vrfy_init(&p->vrfy, c->creds);
		mbedtls_ssl_set_verify(&p->ssl, tls_verify_cb, &p->vrfy);
	}
	/* counted before the server is judged: a CRL that turns stale
	 * during the handshake is judged again at the first reuse (counted
	 * after, it would never be) */
	p->crl_stale_seen = httpc_conn_crl_stale_count(c->creds, time(NULL));
	if (p->have_session && mbedtls_ssl_set_session(&p->ssl, &p->session))
		httpc_conn_session_drop(p);
	return 0;
}

/* Why the handshake failed, in an operator's words. */
static void
handshake_error(struct httpc_peer *p, const char *what, int ret, char *err,
		size_t errlen)
{
	uint32_t flags = mbedtls_ssl_get_verify_result(&p->ssl);

	/* A certificate that verifies but is not for a server (extended key
	 * usage) comes back as BAD_HS_CERTIFICATE. */
	if (ret == MBEDTLS_ERR_X509_CERT_VERIFY_FAILED ||
	    (ret == MBEDTLS_ERR_SSL_BAD_HS_CERTIFICATE && flags != 0 &&
	     flags != (uint32_t)-1))
		snprintf(err, errlen, "%s: %s", what, certflags_reason(flags));
	else if (ret == MBEDTLS_ERR_NET_CONN_RESET)
		snprintf(err, errlen, "%s: connection reset by peer", what);
	else if (ret == MBEDTLS_ERR_SSL_CONN_EOF)
		snprintf(err, errlen, "%s: connection closed by the server",
			 what);
	else if (ret == MBEDTLS_ERR_SSL_FATAL_ALERT_MESSAGE &&
		 p->ssl.in_msg != NULL)
		/* E.g. 42 bad_certificate, 48 unknown_ca: our certificate
		 * was refused. */
		snprintf(err, errlen,
			 "%s: the server refused the handshake (TLS alert %u)",
			 what, (unsigned)p->ssl.in_msg[1]);
	else if (ret == MBEDTLS_ERR_SSL_INVALID_RECORD)
		snprintf(err, errlen,
			 "%s: not a TLS answer (is the server speaking plain "
			 "HTTP?)",
			 what);
	else
		mbed_err(err, errlen, what, ret);
}

int
httpc_conn_tls_step(struct httpc *c, struct httpc_peer *p, short *events,
		    char *err, size_t errlen)
{
	char what[sizeof p->name + 32], why[320];
	const mbedtls_x509_crt *peer_cert;
	int ret = mbedtls_ssl_handshake(&p->ssl);

	if (ret == MBEDTLS_ERR_SSL_WANT_READ ||
	    ret == MBEDTLS_ERR_SSL_WANT_WRITE) {
		*events = ret == MBEDTLS_ERR_SSL_WANT_READ ? POLLIN : POLLOUT;
		return 1;
	}
	snprintf(what, sizeof what, "TLS handshake with %s", p->name);
	p->fail = HTTPC_ERR_TLS; /* unless it is not a node */
	if (ret != 0) {
		httpc_conn_session_drop(p);
		handshake_error(p, what, ret, err, errlen);
		return -1;
	}
	peer_cert = mbedtls_ssl_get_peer_cert(&p->ssl);
	if (c->verify &&
	    (peer_cert == NULL || !node_auth_san_match(peer_cert, p->host))) {
		httpc_conn_session_drop(p);
		snprintf(err, errlen,
			 "%s: server certificate has no SAN matching %s", what,
			 p->host);
		return -1;
	}
	/* A resumed session skipped the verification: its certificate must
	 * pass rule 1 (validity now, the current CRL, trust) as a full
	 * handshake would; if not, the session is forgotten and the next
	 * connection makes a full handshake, which refuses it. */
	/* the verified path's earliest notAfter, the root's included: the
	 * connection is not reused past it (httpc_conn_idle_ok) */
	p->path_not_after =
	    c->verify && c->creds != NULL ? p->vrfy.not_after : 0;
	if (c->verify && c->creds != NULL && resumed_now(p) &&
	    tls_creds_verify_saved(c->creds, (mbedtls_x509_crt *)peer_cert,
				   &p->path_not_after, why, sizeof why) != 0) {
		httpc_conn_session_drop(p);
		snprintf(err, errlen, "%s: saved session not resumed: %s", what,
			 why);
		return -1;
	}
	/* A node dials nodes: the server passes the node verdict an
	 * incoming node gets (a resumed session too: its certificate is
	 * the one kept in the session). */
	if (c->verify && c->creds != NULL &&
	    node_auth_peer_verdict(peer_cert, c->creds->reserved_cn, p->host,
				   why, sizeof why) != ID_NODE) {
		httpc_conn_session_drop(p);
		p->fail = HTTPC_ERR_NOT_NODE;
		snprintf(err, errlen, "%s: " NODE_AUTH_NOT_A_NODE ": %s", what,
			 why);
		return -1;
	}
	session_keep(p);
	if (p->resumed)
		c->handshakes_resumed++;
	else
		c->handshakes_full++;
	return 0;
}

long long
httpc_conn_peer_not_after(struct httpc_peer *p)
{
	const mbedtls_x509_crt *crt;

	if (!p->tls || p->fd < 0)
		return 0;
	crt = mbedtls_ssl_get_peer_cert(&p->ssl);
	if (crt == NULL)
		return 0;
	/* when the connection's rights end: the earliest notAfter of the
	 * path it was judged on (an intermediate, the root), else the
	 * leaf's */
	if (p->path_not_after > 0 &&
	    p->path_not_after < (long long)tls_creds_x509_time(&crt->valid_to))
		return (long long)p->path_not_after;
	return (long long)tls_creds_x509_time(&crt->valid_to);
}

int
httpc_conn_crl_stale_count(const struct tls_creds *creds, time_t now)
{
	int n = 0;

	for (int i = 0;
	     creds != NULL && creds->crl_stale_refuses_all && i < creds->n_crls;
	     i++)
		n += tls_creds_crl_stale(&creds->crls[i], now);
	return n;
}

/*
 * Is a kept-alive connection still fit for a request? A server that
 * closed it (or sent anything unasked, such as a TLS alert) makes the
 * socket readable. Its server is judged again as a new handshake would
 * judge it when its certificate has expired meanwhile, or when a CRL
 * turned stale (stale refuses all: as the inbound side re-checks its
 * open connections then, tls_creds_verify_resumed on the chain the
 * server presented, whose issuers' CRLs are the ones that matter).
 */
int
httpc_conn_idle_ok(const struct httpc *c, struct httpc_peer *p, char *why,
		   size_t whylen)
{
	struct pollfd pfd = {.fd = p->fd, .events = POLLIN};
	const mbedtls_x509_crt *crt;
	int stale;

	why[0] = '\0';
	if (p->tls && mbedtls_ssl_get_bytes_avail(&p->ssl) > 0)
		return 0;
	crt = p->tls ? mbedtls_ssl_get_peer_cert(&p->ssl) : NULL;
	/* the server's certificate, or a CA of its path up to the root,
	 * expired while the connection was kept: not reused, a new
	 * handshake judges the server again */
	if (crt != NULL &&
	    (mbedtls_x509_time_is_past(&crt->valid_to) ||
	     (p->path_not_after != 0 && p->path_not_after < time(NULL)))) {
		snprintf(why, whylen, "%s",
			 certflags_reason(MBEDTLS_X509_BADCERT_EXPIRED));
		return 0;
	}
	stale = httpc_conn_crl_stale_count(c->creds, time(NULL));
	if (crt != NULL && c->verify && stale > p->crl_stale_seen) {
		p->crl_stale_seen = stale;
		/* mbedTLS takes the chain as non-const; it only reads it */
		if (tls_creds_verify_resumed(c->creds, (mbedtls_x509_crt *)crt,
					     NULL, why, whylen) != 0) {
			httpc_conn_session_drop(p);
			return 0;
		}
	}
	return poll(&pfd, 1, 0) == 0;
}

enum io_result
httpc_conn_try_write(struct httpc_peer *p, const char *buf, size_t len,
		     size_t *off, short *events, int *closed)
{
	while (*off < len) {
		int ret;

		if (p->tls) {
			ret = mbedtls_ssl_write(
			    &p->ssl, (const unsigned char *)buf + *off,
			    len - *off);
			if (ret == MBEDTLS_ERR_SSL_WANT_READ ||
			    ret == MBEDTLS_ERR_SSL_WANT_WRITE) {
				*events = ret == MBEDTLS_ERR_SSL_WANT_READ
					      ? POLLIN
					      : POLLOUT;
				return IO_WANT;
			}
			if (ret < 0) {
				p->tls_err = ret;
				*closed = ret == MBEDTLS_ERR_NET_CONN_RESET;
				return IO_FAIL;
			}
		} else {
			ssize_t n =
			    send(p->fd, buf + *off, len - *off, MSG_NOSIGNAL);

			if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
				*events = POLLOUT;
				return IO_WANT;
			}
			if (n < 0) {
				p->io_errno = errno;
				*closed = errno == EPIPE || errno == ECONNRESET;
				return IO_FAIL;
			}
			ret = (int)n;
		}
		*off += (size_t)ret;
	}
	return IO_OK;
}

enum io_result
httpc_conn_try_read(struct httpc_peer *p, char *buf, size_t cap, size_t *n,
		    short *events, int *reset)
{
	int ret;

	if (p->tls) {
		ret = mbedtls_ssl_read(&p->ssl, (unsigned char *)buf, cap);
		/* A TCP close without close_notify is an EOF too (the
		 * framing of the body says if it was cut). */
		if (ret == 0 || ret == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY ||
		    ret == MBEDTLS_ERR_SSL_CONN_EOF)
			return IO_EOF;
		if (ret == MBEDTLS_ERR_SSL_WANT_READ ||
		    ret == MBEDTLS_ERR_SSL_WANT_WRITE) {
			*events =
			    ret == MBEDTLS_ERR_SSL_WANT_READ ? POLLIN : POLLOUT;
			return IO_WANT;
		}
		if (ret < 0) {
			p->tls_err = ret;
			*reset = ret == MBEDTLS_ERR_NET_CONN_RESET;
			return IO_FAIL;
		}
	} else {
		ssize_t r = recv(p->fd, buf, cap, 0);

		if (r == 0)
			return IO_EOF;
		if (r < 0 && (errno == EAGAIN || errno == EINTR)) {
			*events = POLLIN;
			return IO_WANT;
		}
		if (r < 0) {
			p->io_errno = errno;
			*reset = errno == ECONNRESET;
			return IO_FAIL;
		}
		ret = (int)r;
	}
	*n = (size_t)ret;
	return IO_OK;
}
