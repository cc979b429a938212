/*
 * tls_server: an mbedTLS server configuration per credential set.
 *
 * Each set gets its own configuration, session cache and ticket key, so
 * that a reload (new roots, a new CRL) also ends resumption of sessions
 * that were verified under the old set. Only the random generator is
 * shared; it outlives every configuration. Connections keep a reference
 * to the configuration they started with, so a reload never drops them.
 */
#include "tls_server.h"

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/ssl.h>
#include <mbedtls/ssl_cache.h>
#include <mbedtls/ssl_ticket.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "certflags.h"
#include "log.h"
#include "mbed_err.h"
#include "tls_chain_cache.h"
#include "tls_conn.h"
#include "tls_creds.h"
#include "worker.h"

#define TICKET_LIFETIME_S 3600
#define CACHE_TIMEOUT_S	  3600

/* ECDHE key exchange and AEAD ciphers only (TLS 1.2; mbedTLS 2.28 has
 * no TLS 1.3 server). */
static const int suites[] = {
    MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
    MBEDTLS_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
    MBEDTLS_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
    MBEDTLS_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    MBEDTLS_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
    0,
};

/*
 * ALPN, in our order of preference (mbedTLS picks the first of ours the
 * client offers): a client offering both (curl, browsers) gets HTTP/1.1
 * and the JSON endpoints; a client offering only h2 (every gRPC client)
 * gets HTTP/2. A client offering neither is refused by the handshake;
 * a client sending no ALPN gets HTTP/1.1.
 */
static const char *alpn[] = {"http/1.1", "h2", NULL};

static const mbedtls_ecp_group_id curves[] = {
    MBEDTLS_ECP_DP_CURVE25519,
    MBEDTLS_ECP_DP_SECP256R1,
    MBEDTLS_ECP_DP_SECP384R1,
    MBEDTLS_ECP_DP_NONE,
};

struct tls_rng {
	mbedtls_entropy_context entropy;
	mbedtls_ctr_drbg_context drbg; /* locks itself (THREADING_C) */
};

/* Set while a handshake step runs on this thread, by the session
 * lookups below: that is how a resumed handshake is told apart. */
static __thread bool resumed_now;
/* and the earliest notAfter of the resumed peer's path, its root's
 * included (0: anonymous) */
static __thread time_t resumed_not_after;

/*
 * May a session restored from the cache or a ticket be resumed now? A
 * resumed handshake skips certificate verification, so its peer
 * certificate must pass again what a full handshake would check at this
 * moment: the validity of every certificate of its path, the root's
 * included, and the current CRLs (a CRL past its nextUpdate included). A
 * saved session keeps the leaf only: when it does not chain to a root
 * alone (an intermediate CA signed it), its path is followed through the
 * CAs of the set (tls_chain_cache_saved, tls_creds_leaf_alone_flags: each
 * one's dates and its issuer's CRL; remembered while it holds); an issuer
 * the set does not hold refuses the resumption (a full handshake
 * follows). Roots cannot have changed: every credential
 * set has its own cache and ticket key. *not_after: the path's earliest
 * notAfter, which the connection keeps (see set_identity).
 */
static bool
session_admissible(const struct tls_server *s, const mbedtls_ssl_session *sess,
		   time_t *not_after)
{
	mbedtls_x509_crt *leaf = sess->peer_cert;
	struct tls_creds *c = s->creds;
	uint32_t flags;
	bool hit;

	*not_after = 0;
	if (leaf == NULL || leaf->raw.p == NULL)
		return true; /* anonymous: nothing to restore */
	/* As in a full handshake (CRLs by tls_creds_crl_flags); a leaf that
	 * verified before under this set, alone, is found in the chain
	 * cache with its path's validity window checked: no signature
	 * again. */
	flags = tls_chain_cache_verify(s->chains, c, leaf, &hit, not_after);
	flags = tls_chain_cache_saved(s->chains, c, leaf, flags, not_after);
	flags = tls_conn_refusing_flags(flags);
	if (flags != 0)
		log_debug("a saved TLS session is not resumed: %s (a full "
			  "handshake follows)",
			  certflags_reason(flags));
	return flags == 0;
}

static int
cache_get(void *ctx, mbedtls_ssl_session *session)
{
	struct tls_server *s = ctx;
	int ret = mbedtls_ssl_cache_get(&s->cache, session);
	time_t na;

	if (ret != 0)
		return ret;
	if (!session_admissible(s, session, &na))
		return 1; /* not found, as mbedtls_ssl_cache_get says */
	resumed_now = true;
	resumed_not_after = na;
	return 0;
}

static int
cache_set(void *ctx, const mbedtls_ssl_session *session)
{
	struct tls_server *s = ctx;

	return mbedtls_ssl_cache_set(&s->cache, session);
}

static int
ticket_write(void *ctx, const mbedtls_ssl_session *session,
	     unsigned char *start, const unsigned char *end, size_t *tlen,
	     uint32_t *lifetime)
{
	struct tls_server *s = ctx;

	return mbedtls_ssl_ticket_write(&s->ticket, session, start, end, tlen,
					lifetime);
}

static int
ticket_parse(void *ctx, mbedtls_ssl_session *session, unsigned char *buf,
	     size_t len)
{
	struct tls_server *s = ctx;
	int ret = mbedtls_ssl_ticket_parse(&s->ticket, session, buf, len);
	time_t na;

	if (ret != 0)
		return ret;
	if (!session_admissible(s, session, &na))
		return MBEDTLS_ERR_SSL_SESSION_TICKET_EXPIRED;
	resumed_now = true;
	resumed_not_after = na;
	return 0;
}

void
tls_server_resumed_reset(void)
{
	resumed_now = false;
	resumed_not_after = 0;
}

bool
tls_server_resumed(void)
{
	return resumed_now;
}

time_t
tls_server_resumed_not_after(void)
{
	return resumed_not_after;
}

static struct tls_rng *
rng_get(struct listener *l, char *err, size_t errlen)
{
	static const char pers[] = "gossipd server";
	struct tls_rng *r = l->tls_rng;
	int ret;

	if (r != NULL)
		return r;
	r = calloc(1, sizeof(*r));
	if (r == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	mbedtls_entropy_init(&r->entropy);
	mbedtls_ctr_drbg_init(&r->drbg);
	ret = mbedtls_ctr_drbg_seed(&r->drbg, mbedtls_entropy_func, &r->entropy,
				    (const unsigned char *)pers,
				    sizeof(pers) - 1);
	if (ret != 0) {
		snprintf(err, errlen,
			 "cannot seed the random generator: -0x%04X",
			 (unsigned)-ret);
		mbedtls_ctr_drbg_free(&r->drbg);
		mbedtls_entropy_free(&r->entropy);
		free(r);
		return NULL;
	}
	l->tls_rng = r;
	return r;
}

static void
server_free(struct tls_server *s)
{
	if (s == NULL)
		return;
	mbedtls_ssl_config_free(&s->conf);
	mbedtls_ssl_cache_free(&s->cache);
	mbedtls_ssl_ticket_free(&s->ticket);
	tls_chain_cache_free(s->chains);
	tls_creds_unref(s->creds);
	free(s);
}

static int
configure(struct tls_server *s, struct tls_rng *r, int cache_size)
{
	mbedtls_ssl_config *conf = &s->conf;
	int ret;

	ret = mbedtls_ssl_config_defaults(conf, MBEDTLS_SSL_IS_SERVER,
					  MBEDTLS_SSL_TRANSPORT_STREAM,
					  MBEDTLS_SSL_PRESET_DEFAULT);
	if (ret != 0)
		return ret;
	mbedtls_ssl_conf_rng(conf, mbedtls_ctr_drbg_random, &r->drbg);
	mbedtls_ssl_conf_min_version(conf, MBEDTLS_SSL_MAJOR_VERSION_3,
				     MBEDTLS_SSL_MINOR_VERSION_3);
	mbedtls_ssl_conf_ciphersuites(conf, suites);
	mbedtls_ssl_conf_curves(conf, curves);
	mbedtls_ssl_conf_alpn_protocols(conf, alpn);
	mbedtls_ssl_conf_renegotiation(conf,
				       MBEDTLS_SSL_RENEGOTIATION_DISABLED);
	mbedtls_ssl_conf_legacy_renegotiation(
	    conf, MBEDTLS_SSL_LEGACY_NO_RENEGOTIATION);
	/* A client certificate is asked for; the verify callback set per
	 * connection ends the handshake when a presented one fails. */
	mbedtls_ssl_conf_authmode(conf, MBEDTLS_SSL_VERIFY_OPTIONAL);
	/* no CRL for mbedTLS: the verify callback applies them
	 * (tls_creds_crl_flags) */
	mbedtls_ssl_conf_ca_chain(conf, &s->creds->trusted, NULL);
	ret = mbedtls_ssl_conf_own_cert(conf, &s->creds->chain, &s->creds->key);
	if (ret != 0)
		return ret;
	if (cache_size > 0) {
		mbedtls_ssl_cache_set_max_entries(&s->cache, cache_size);
		mbedtls_ssl_cache_set_timeout(&s->cache, CACHE_TIMEOUT_S);
		mbedtls_ssl_conf_session_cache(conf, s, cache_get, cache_set);
	}
	ret = mbedtls_ssl_ticket_setup(&s->ticket, mbedtls_ctr_drbg_random,
				       &r->drbg, MBEDTLS_CIPHER_AES_256_GCM,
				       TICKET_LIFETIME_S);
	if (ret != 0)
		return ret;
	mbedtls_ssl_conf_session_tickets_cb(conf, ticket_write, ticket_parse,
					    s);
	return 0;
}

/* With CertificateRevocationListStaleRefusesAll, the next moment a CRL
 * of creds turns stale (0: none to come). */
static time_t
crl_stale_at(const struct tls_creds *creds)
{
	time_t now = time(NULL), at = 0;

	for (int i = 0; creds->crl_stale_refuses_all && i < creds->n_crls;
	     i++) {
		time_t t = creds->crls[i].next_update;

		if (t > now && (at == 0 || t < at))
			at = t;
	}
	return at;
}

int
tls_server_update(struct listener *l, struct tls_creds *creds, char *err,
		  size_t errlen)
{
	struct tls_rng *r = rng_get(l, err, errlen);
	const struct gossipd_config *cfg;
	struct tls_server *s, *old;
	int ret;

	if (r == NULL)
		return -1;
	s = calloc(1, sizeof(*s));
	if (s == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	atomic_init(&s->refs, 1);
	mbedtls_ssl_config_init(&s->conf);
	mbedtls_ssl_cache_init(&s->cache);
	mbedtls_ssl_ticket_init(&s->ticket);
	s->creds = tls_creds_ref(creds);
	s->chains = tls_chain_cache_new(); /* NULL: every chain verified */
	cfg = gossipd_cfg_get(l->d);
	ret = configure(s, r, cfg->tls_session_cache_size);
	gossipd_cfg_put(cfg);
	if (ret != 0) {
		mbed_err(err, errlen, "TLS server setup", ret);
		server_free(s);
		return -1;
	}
	pthread_mutex_lock(&l->tls_lock);
	old = l->tls;
	l->tls = s;
	atomic_fetch_add(&l->tls_gen, 1); /* workers re-check open peers */
	atomic_store(&l->crl_stale_at, (long long)crl_stale_at(creds));
	pthread_mutex_unlock(&l->tls_lock);
	tls_server_unref(old);
	return 0;
}

time_t
tls_server_crl_stale_next(struct listener *l)
{
	struct tls_server *s = tls_server_get(l);
	time_t at = s != NULL ? crl_stale_at(s->creds) : 0;

	tls_server_unref(s);
	return at;
}

struct tls_server *
tls_server_get(struct listener *l)
{
	struct tls_server *s;

	pthread_mutex_lock(&l->tls_lock);
	s = l->tls;
	if (s != NULL)
		atomic_fetch_add(&s->refs, 1);
	pthread_mutex_unlock(&l->tls_lock);
	return s;
}

void
tls_server_unref(struct tls_server *s)
{
	if (s != NULL && atomic_fetch_sub(&s->refs, 1) == 1)
		server_free(s);
}

void
tls_server_release(struct listener *l)
{
	struct tls_rng *r = l->tls_rng;

	tls_server_unref(l->tls);
	l->tls = NULL;
	if (r != NULL) {
		mbedtls_ctr_drbg_free(&r->drbg);
		mbedtls_entropy_free(&r->entropy);
		free(r);
		l->tls_rng = NULL;
	}
}
