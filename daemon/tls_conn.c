/*
 * tls_conn: the TLS side of one client connection, non-blocking on the
 * worker's epoll loop: handshake with a deadline (conn.c), client
 * certificate check, identity verdict, then record I/O for the pump.
 */
#include "tls_conn.h"

#include <errno.h>
#include <mbedtls/net_sockets.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "certflags.h"
#include "log.h"
#include "mbed_err.h"
#include "metrics.h"
#include "node_auth.h"
#include "tls_chain_cache.h"
#include "tls_creds.h"
#include "tls_server.h"

struct tls_session {
	mbedtls_ssl_context ssl;
	struct tls_server *srv; /* a reference */
	struct conn *c;
	uint32_t vflags;      /* verification flags of the whole chain */
	size_t pending_write; /* length of a write that wanted to block */
	/* read-ahead: bytes read from the socket and not yet taken by
	 * mbedTLS; its data is the worker's tls_ra during one call into
	 * mbedTLS, a buffer of our own across calls (only while bytes are
	 * left over), or NULL */
	struct iobuf ra;
	/* a read came back short since the last epoll event: the socket was
	 * empty then, and new bytes bring a new event (edge-triggered) */
	bool drained;
	bool resumed;
	/* the earliest notAfter of the verified path, the trusted root's
	 * included (0: not known) */
	time_t path_not_after;
};

static int
bio_send(void *ctx, const unsigned char *buf, size_t len)
{
	struct conn *c = ctx;
	ssize_t n = send(c->cfd, buf, len, MSG_NOSIGNAL);

	if (n >= 0)
		return (int)n;
	if (errno == EAGAIN || errno == EINTR)
		return MBEDTLS_ERR_SSL_WANT_WRITE;
	return MBEDTLS_ERR_NET_SEND_FAILED;
}

/*
 * mbedTLS asks for a record's 5-byte header, then for its body: two reads,
 * and a third that fails with EAGAIN before it gives up. Instead one read
 * takes what the socket holds into the worker's read-ahead buffer, and a
 * short read says the socket is empty (until its next epoll event), so
 * the call that would fail is not made.
 */
static int
bio_recv(void *ctx, unsigned char *buf, size_t len)
{
	struct conn *c = ctx;
	struct tls_session *t = c->tls;
	ssize_t n;

	if (t->ra.start == t->ra.end) {
		if (t->drained)
			return MBEDTLS_ERR_SSL_WANT_READ;
		if (t->ra.data != c->w->tls_ra)
			free(t->ra.data);
		t->ra.data = c->w->tls_ra;
		t->ra.start = t->ra.end = 0;
		n = read(c->cfd, t->ra.data, TLS_RA_BYTES);
		if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
			t->drained = errno == EAGAIN;
			return MBEDTLS_ERR_SSL_WANT_READ;
		}
		if (n < 0)
			return MBEDTLS_ERR_NET_RECV_FAILED;
		if (n == 0)
			return 0;
		t->drained = (size_t)n < TLS_RA_BYTES;
		t->ra.end = (size_t)n;
	}
	if (len > t->ra.end - t->ra.start)
		len = t->ra.end - t->ra.start;
	memcpy(buf, t->ra.data + t->ra.start, len);
	t->ra.start += len;
	return (int)len;
}

/* After a call into mbedTLS: the worker's read-ahead buffer is given back;
 * bytes left in it move to a buffer of the session's own. -1 when that
 * cannot be had. */
static int
ra_settle(struct conn *c)
{
	return iobuf_keep(&c->tls->ra, c->w->tls_ra, 0);
}

void
tls_conn_rearm(struct conn *c)
{
	if (c->tls != NULL)
		c->tls->drained = false;
}

/* Called for each certificate of the client's chain, the leaf last: a
 * presented certificate that does not verify ends the handshake (any
 * error from here is fatal even with VERIFY_OPTIONAL). */
uint32_t
tls_conn_refusing_flags(uint32_t flags)
{
	return flags;
}

/*
 * The handshake verifies the client's chain against no roots at all (see
 * tls_conn_handshake): mbedTLS's own flags (not trusted) are dropped, and
 * at the leaf the chain is verified against the set's roots and CRLs, or
 * found among the chains verified before under this set
 * (tls_chain_cache). The client's CertificateVerify is mbedTLS's, on every
 * handshake.
 */
static int
verify_cb(void *ctx, mbedtls_x509_crt *crt, int depth, uint32_t *flags)
{
	struct tls_session *t = ctx;
	bool hit;

	*flags = 0;
	if (depth != 0)
		return 0;
	*flags = tls_chain_cache_verify(t->srv->chains, t->srv->creds, crt,
					&hit, &t->path_not_after);
	if (hit)
		log_debug("connection from %s: client certificate chain "
			  "verified before under these credentials (cache)",
			  t->c->info->peer_addr);
	t->vflags |= tls_conn_refusing_flags(*flags);
	if (t->vflags != 0)
		return MBEDTLS_ERR_X509_CERT_VERIFY_FAILED;
	return 0;
}

/* The roots the handshake itself verifies against once CertificateRequest
 * (which names the real ones) is written: none. */
static mbedtls_x509_crt no_roots;

int
tls_conn_start(struct conn *c)
{
	struct tls_session *t = calloc(1, sizeof(*t));

	if (t == NULL)
		return -1;
	mbedtls_ssl_init(&t->ssl);
	t->c = c;
	c->tls = t;
	/* read before the configuration: a reload in between is seen as a
	 * change and checked again */
	c->cred_gen = atomic_load(&c->w->l->tls_gen);
	t->srv = tls_server_get(c->w->l);
	if (t->srv == NULL || mbedtls_ssl_setup(&t->ssl, &t->srv->conf) != 0) {
		log_error("cannot set up a TLS session");
		return -1;
	}
	mbedtls_ssl_set_bio(&t->ssl, c, bio_send, bio_recv, NULL);
	mbedtls_ssl_set_verify(&t->ssl, verify_cb, t);
	return 0;
}

/* A failed handshake: one line with the peer and the reason. */
static void
handshake_failed(struct tls_session *t, int ret)
{
	struct conn *c = t->c;
	const char *peer = c->info->peer_addr;
	char why[160];

	if (t->vflags != 0) {
		metrics_refusal(certflags_label(t->vflags));
		worker_log_refusal(c->w, peer, certflags_reason(t->vflags),
				   "connection from %s denied: %s", peer,
				   certflags_reason(t->vflags));
		return;
	}
	if (ret == MBEDTLS_ERR_SSL_CONN_EOF ||
	    ret == MBEDTLS_ERR_NET_RECV_FAILED ||
	    ret == MBEDTLS_ERR_NET_SEND_FAILED) {
		metrics_refusal("tls_error");
		log_debug("connection from %s closed during the TLS handshake",
			  peer);
		return;
	}
	if (ret == MBEDTLS_ERR_SSL_BAD_HS_PROTOCOL_VERSION) {
		metrics_refusal("protocol");
		worker_log_refusal(c->w, peer, "TLS version below 1.2",
				   "connection from %s denied: TLS versions "
				   "below 1.2 are not accepted",
				   peer);
		return;
	}
	if (ret == MBEDTLS_ERR_SSL_FATAL_ALERT_MESSAGE) {
		metrics_refusal("tls_error");
		worker_log_refusal(c->w, peer, "fatal TLS alert from the peer",
				   "connection from %s closed: the peer ended "
				   "the TLS handshake with a fatal alert (does "
				   "it trust our certificate?)",
				   peer);
		return;
	}
	if (ret == MBEDTLS_ERR_SSL_BAD_HS_CLIENT_HELLO &&
	    t->ssl.in_hdr != NULL &&
	    t->ssl.in_hdr[0] == MBEDTLS_SSL_MSG_HANDSHAKE &&
	    mbedtls_ssl_get_alpn_protocol(&t->ssl) == NULL) {
		/* a TLS handshake record that mbedTLS refused: most often an
		 * ALPN list with neither of ours (the alert says
		 * no_application_protocol) */
		metrics_refusal("protocol");
		worker_log_refusal(c->w, peer, "ClientHello refused",
				   "connection from %s denied: ClientHello "
				   "refused (its ALPN offers neither h2 nor "
				   "http/1.1, or it is malformed)",
				   peer);
		return;
	}
	if (ret == MBEDTLS_ERR_SSL_BAD_HS_CLIENT_HELLO ||
	    ret == MBEDTLS_ERR_SSL_INVALID_RECORD) {
		metrics_refusal("protocol");
		worker_log_refusal(c->w, peer, "not a TLS ClientHello",
				   "connection from %s denied: not a TLS "
				   "ClientHello (plain HTTP on the TLS port?)",
				   peer);
		return;
	}
	metrics_refusal(ret == MBEDTLS_ERR_SSL_NO_USABLE_CIPHERSUITE
			    ? "protocol"
			    : "tls_error");
	mbed_err_text(ret, why, sizeof(why));
	worker_log_refusal(c->w, peer, why,
			   "connection from %s denied: TLS handshake failed: "
			   "%s",
			   peer, why);
}

/* The earliest notAfter of a chain as presented, as a time_t (UTC). */
static time_t
chain_not_after(const mbedtls_x509_crt *crt)
{
	time_t min = 0;

	for (; crt != NULL && crt->raw.p != NULL; crt = crt->next) {
		time_t t = tls_creds_x509_time(&crt->valid_to);

		if (min == 0 || t < min)
			min = t;
	}
	return min;
}

/* The identity of a verified (or absent) client certificate. */
static void
set_identity(struct tls_session *t)
{
	const mbedtls_x509_crt *peer = mbedtls_ssl_get_peer_cert(&t->ssl);
	struct conn_info *ci = t->c->info;

	if (peer == NULL || peer->raw.p == NULL) {
		ci->identity = ID_ANONYMOUS;
		return;
	}
	if (node_auth_subject_cn(peer, ci->peer_cn, sizeof(ci->peer_cn)) != 0)
		ci->peer_cn[0] = '\0';
	/* the verified path's, the root's included (a resumed session's as
	 * judged at resumption: its leaf and the CAs of the set above it);
	 * the presented chain's when not known */
	ci->not_after =
	    t->path_not_after != 0 ? t->path_not_after : chain_not_after(peer);
	ci->identity = node_auth_client_verdict(
	    peer, t->srv->creds->reserved_cn, ci->why_not_node,
	    sizeof(ci->why_not_node));
	if (ci->identity == ID_NODE)
		ci->why_not_node[0] = '\0';
	log_debug("connection from %s: client certificate CN \"%s\": %s%s%s",
		  ci->peer_addr, ci->peer_cn, node_identity_name(ci->identity),
		  ci->identity == ID_NODE ? "" : ", ", ci->why_not_node);
}

int
tls_conn_handshake(struct conn *c)
{
	struct tls_session *t = c->tls;
	int ret;

	tls_server_resumed_reset();
	/* mbedtls_ssl_handshake's loop, with one step of ours: before the
	 * client's Certificate is read, its chain is left to verify_cb */
	ret = 0;
	while (ret == 0 && t->ssl.state != MBEDTLS_SSL_HANDSHAKE_OVER) {
		if (t->ssl.state == MBEDTLS_SSL_CLIENT_CERTIFICATE)
			mbedtls_ssl_set_hs_ca_chain(&t->ssl, &no_roots, NULL);
		ret = mbedtls_ssl_handshake_step(&t->ssl);
	}
	if (ra_settle(c) != 0) {
		log_error("connection from %s closed: out of memory",
			  c->info->peer_addr);
		return -1;
	}
	if (tls_server_resumed()) {
		t->resumed = true;
		t->path_not_after = tls_server_resumed_not_after();
	}
	if (ret == MBEDTLS_ERR_SSL_WANT_READ ||
	    ret == MBEDTLS_ERR_SSL_WANT_WRITE)
		return 0;
	if (ret != 0) {
		handshake_failed(t, ret);
		return -1;
	}
	metrics_handshake_ok(t->resumed);
	set_identity(t);
	return 1;
}

int
tls_conn_recheck(struct conn *c, char *why, size_t len)
{
	struct tls_session *t = c->tls;
	unsigned gen = atomic_load(&c->w->l->tls_gen);
	const mbedtls_x509_crt *peer;
	struct conn_info *ci = c->info;
	struct tls_server *cur;
	enum node_identity was = ci->identity, id;
	time_t na = 0;
	int rc = 0;

	if (t == NULL || c->cred_gen == gen)
		return 0;
	c->cred_gen = gen;
	peer = mbedtls_ssl_get_peer_cert(&t->ssl);
	if (peer == NULL || peer->raw.p == NULL ||
	    (cur = tls_server_get(c->w->l)) == NULL)
		return 0; /* anonymous stays anonymous */
	/* mbedTLS takes the chain as non-const; it only reads it */
	if (tls_creds_verify_resumed(cur->creds, (mbedtls_x509_crt *)peer, &na,
				     why, len) != 0) {
		ci->identity = ID_ANONYMOUS;
		rc = -1;
	} else {
		/* the path under the new set (its roots' dates) */
		ci->not_after = na;
		id = node_auth_client_verdict(peer, cur->creds->reserved_cn,
					      ci->why_not_node,
					      sizeof(ci->why_not_node));
		if (id == ID_NODE)
			ci->why_not_node[0] = '\0';
		else if (was == ID_NODE) {
			snprintf(why, len, "%s", ci->why_not_node);
			rc = -1;
		}
		ci->identity = id;
	}
	tls_server_unref(cur);
	return rc;
}

ssize_t
tls_conn_recv(struct conn *c, char *buf, size_t len)
{
	struct tls_session *t = c->tls;
	int ret = mbedtls_ssl_read(&t->ssl, (unsigned char *)buf, len);

	if (ra_settle(c) != 0)
		return -2;
	if (ret > 0)
		return ret;
	if (ret == MBEDTLS_ERR_SSL_WANT_READ ||
	    ret == MBEDTLS_ERR_SSL_WANT_WRITE)
		return -1;
	if (ret == 0 || ret == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY ||
	    ret == MBEDTLS_ERR_SSL_CONN_EOF)
		return 0;
	return -2;
}

ssize_t
tls_conn_send(struct conn *c, const char *buf, size_t len)
{
	struct tls_session *t = c->tls;
	int ret;

	/* After WANT_WRITE mbedTLS must be called again with the same
	 * length, even when more bytes have been queued since. */
	if (t->pending_write != 0 && t->pending_write < len)
		len = t->pending_write;
	ret = mbedtls_ssl_write(&t->ssl, (const unsigned char *)buf, len);
	if (ret >= 0) {
		t->pending_write = 0;
		return ret;
	}
	if (ret == MBEDTLS_ERR_SSL_WANT_READ ||
	    ret == MBEDTLS_ERR_SSL_WANT_WRITE) {
		t->pending_write = len;
		return -1;
	}
	return -2;
}

bool
tls_conn_alpn_h2(struct conn *c)
{
	const char *p = mbedtls_ssl_get_alpn_protocol(&c->tls->ssl);

	return p != NULL && strcmp(p, "h2") == 0;
}

void
tls_conn_close_notify(struct conn *c)
{
	struct tls_session *t = c->tls;

	if (t != NULL && c->handed_off)
		mbedtls_ssl_close_notify(&t->ssl); /* best effort */
}

void
tls_conn_free(struct conn *c)
{
	struct tls_session *t = c->tls;

	if (t == NULL)
		return;
	mbedtls_ssl_free(&t->ssl);
	tls_server_unref(t->srv);
	if (t->ra.data != c->w->tls_ra)
		free(t->ra.data);
	free(t);
	c->tls = NULL;
}
