/*
 * tls_creds: the node's certificate chain and key, the trusted roots and
 * the CRL, loaded and checked as one immutable, reference-counted set.
 * A reload builds a new set aside and swaps it in whole; connections keep
 * a reference to the set they started with.
 */
#ifndef GOSSIP_TLS_CREDS_H
#define GOSSIP_TLS_CREDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <mbedtls/pk.h>
#include <mbedtls/x509_crl.h>
#include <mbedtls/x509_crt.h>

struct tls_creds_config {
	const char *certificate_file;	  /* PEM bundle, or PKCS#12 */
	const char *certificate_password; /* for PKCS#12 */
	const char *private_key_file;	  /* NULL: certificate_file is P12 */
	const char *private_key_password;
	const char *trusted_roots_path; /* directory or file */
	const char *crl_file;		/* may be NULL */
	/* a CRL past its nextUpdate refuses every certificate its issuer
	 * signed (CertificateRevocationListStaleRefusesAll); otherwise it
	 * keeps refusing what it lists, and nothing more */
	bool crl_stale_refuses_all;
	const char *reserved_node_cn; /* NULL: own CN */
	const char *advertised_host;  /* must be a SAN of the own cert */
	bool listens_on_wildcard;     /* SAN mismatch is only a warning */
};

#define TLS_CREDS_MAX_CRLS 64

/* One CRL of the set, bound at load to the trusted CA whose key signed it. */
struct tls_creds_crl {
	const mbedtls_x509_crl *crl;	/* in the set's crl list */
	const mbedtls_x509_crt *signer; /* a trusted root, or a CA of the
					   own chain */
	char issuer[256];   /* its issuer DN, for logs and metrics */
	int revoked;	    /* serial numbers it lists */
	time_t next_update; /* 0: it gives none */
};

struct tls_creds {
	mbedtls_x509_crt chain;	  /* own certificate first, intermediates */
	mbedtls_pk_context key;	  /* matches chain's first certificate */
	mbedtls_x509_crt trusted; /* trusted roots */
	mbedtls_x509_crl crl; /* never handed to mbedTLS: see tls_creds_vrfy */
	bool have_crl;
	struct tls_creds_crl crls[TLS_CREDS_MAX_CRLS];
	int n_crls;
	bool crl_stale_refuses_all;
	char own_cn[256];
	char reserved_cn[256];	  /* configured, or own_cn */
	bool reserved_cn_is_auto; /* true when taken from own_cn */
	time_t own_not_after;	  /* the node certificate's expiry */
	time_t ca_not_after;	  /* earliest expiry among chain CAs/roots
				     actually used by the own chain */
	int n_trusted;		  /* how many roots were loaded */
	int refs;		  /* atomic; use tls_creds_ref/unref */
};

/*
 * Warnings (expiry within 30 days, SAN mismatch on a wildcard listener,
 * auto-configured reserved CN) are passed to warn(ctx, message) if
 * warn is not NULL; load never logs by itself.
 */
typedef void (*tls_creds_warn_fn)(void *ctx, const char *message);

/*
 * Loads and checks everything in cfg (SPEC.md section 5): key file
 * permissions, PKCS#12 (PBES2-AES and legacy), encrypted keys, own chain
 * verified to a trusted root, SAN of the advertised host, reserved CN
 * matches the own certificate. now is the time used for validity checks.
 * Returns 0 and a set with one reference in *out, or -1 with a message
 * naming the option and the file in err.
 */
int tls_creds_load(const struct tls_creds_config *cfg, time_t now,
		   tls_creds_warn_fn warn, void *warn_ctx,
		   struct tls_creds **out, char *err, size_t errlen);

/* Takes another reference; returns c. */
struct tls_creds *tls_creds_ref(struct tls_creds *c);
/* Drops a reference; frees the set with the last one. Accepts NULL. */
void tls_creds_unref(struct tls_creds *c);

/*
 * Verifies a peer certificate chain (as received in a handshake: the leaf
 * first, then any intermediates) against the set's trusted roots and CRL
 * at the system time. Returns 0, or -1 with a reason in err: "certificate
 * has been revoked", "certificate has expired", "certificate is not yet
 * valid", "certificate is not signed by a trusted CA", ... (see
 * certflags_reason). Reads the set only: safe from many threads.
 */
int tls_creds_verify_peer(const struct tls_creds *c, mbedtls_x509_crt *peer,
			  char *err, size_t errlen);
/*
 * The same for the peer of a connection already open, at a re-check: a
 * leaf alone (what a resumed session keeps) that no root signed is
 * verified again together with the CAs of the set above it (the
 * intermediates of the own chain, up to one a root signed), in full
 * against the roots. When it
 * passes, *not_after (when not NULL) is the verified path's earliest
 * notAfter, the root's included.
 */
int tls_creds_verify_resumed(const struct tls_creds *c, mbedtls_x509_crt *peer,
			     time_t *not_after, char *err, size_t errlen);
/* The CA among the trusted roots and the own chain's CAs that signed
 * crt (name and signature), or NULL. */
const mbedtls_x509_crt *tls_creds_find_issuer(const struct tls_creds *c,
					      const mbedtls_x509_crt *crt);

/*
 * Revocation, in one place for every verification (inbound and outbound
 * handshakes, resumed sessions, re-checks after a reload, the own chain).
 * mbedTLS is never given the CRLs: it matches a CRL to a CA by issuer
 * name alone (two CAs of one name make every certificate of the other
 * "the CRL of its issuer is not valid"), and it flags a CRL past its
 * nextUpdate (MBEDTLS_X509_BADCRL_EXPIRED) for every certificate of that
 * issuer, which would refuse the whole cluster at the same instant.
 * Instead, each CRL is bound at load to the trusted CA whose key signed it
 * (signature checked), and these functions add the flags:
 *
 * - MBEDTLS_X509_BADCERT_REVOKED when the CRL of crt's issuer lists it,
 *   stale or not;
 * - MBEDTLS_X509_BADCRL_EXPIRED when that CRL is past its nextUpdate at
 *   now, only with crl_stale_refuses_all.
 *
 * issuer: the certificate that signed crt, when known (the next one up
 * a verified chain); NULL: found among the trusted roots and the own
 * chain by name and signature.
 */
uint32_t tls_creds_crl_flags(const struct tls_creds *c,
			     const mbedtls_x509_crt *crt,
			     const mbedtls_x509_crt *issuer, time_t now);

/*
 * The state of one TLS verify callback over a chain: every verify
 * callback of a verification against c->trusted calls
 * tls_creds_vrfy_step for each certificate (mbedTLS calls it top
 * first), which remembers each certificate as the issuer of the next and
 * adds tls_creds_crl_flags to *flags. The state resets itself when a new
 * chain starts, so one may serve many handshakes one after another.
 */
struct tls_creds_vrfy {
	const struct tls_creds *creds;
	const mbedtls_x509_crt *parent;
	int depth;
	/* the earliest notAfter of the chain stepped through: after a
	 * verification, of its path, the trusted root's included */
	time_t not_after;
};

void tls_creds_vrfy_init(struct tls_creds_vrfy *v, const struct tls_creds *c);
void tls_creds_vrfy_step(struct tls_creds_vrfy *v, const mbedtls_x509_crt *crt,
			 int depth, uint32_t *flags);
/* A verify callback (f_vrfy) that only does the step; ctx: the state. */
int tls_creds_vrfy_cb(void *ctx, mbedtls_x509_crt *crt, int depth,
		      uint32_t *flags);

/*
 * The rule-1 flags of a certificate kept alone, as a saved TLS session
 * keeps the peer's leaf only: flags are those of verifying it against the
 * roots (with the CRLs); when it does not chain alone
 * (MBEDTLS_X509_BADCERT_NOT_TRUSTED: an intermediate signed it), that flag
 * gives way to tls_creds_path_flags: the path up to a root through the CAs
 * of the set, each with its dates and its CRL, as a full handshake would
 * check them; then *not_after (when not NULL) is the path's earliest
 * notAfter, the root's included (otherwise it is left alone: the
 * verification that gave flags went leaf -> root, and knows it). Returns
 * the flags.
 */
uint32_t tls_creds_leaf_alone_flags(const struct tls_creds *c,
				    const mbedtls_x509_crt *leaf,
				    uint32_t flags, time_t *not_after);

/*
 * The path from leaf up to a trusted root through the CAs of the set (the
 * roots and the own chain's CAs, each found by name and signature): the
 * validity of every certificate on it (the root's included) and the CRL
 * of each one's issuer at now (tls_creds_crl_flags).
 * MBEDTLS_X509_BADCERT_NOT_TRUSTED when no root is reached (an issuer the
 * set does not hold). *not_after (when not NULL): the earliest notAfter
 * on the path. Returns the flags.
 */
uint32_t tls_creds_path_flags(const struct tls_creds *c,
			      const mbedtls_x509_crt *leaf, time_t now,
			      time_t *not_after);

/*
 * May a saved session with this peer certificate be resumed now? Verifies
 * it (tls_creds_leaf_alone_flags). Returns 0, or -1 with the reason in
 * err (certflags words). *not_after (when not NULL): the earliest
 * notAfter of its path, the root's included.
 */
int tls_creds_verify_saved(const struct tls_creds *c, mbedtls_x509_crt *leaf,
			   time_t *not_after, char *err, size_t errlen);

/* An X.509 time (UTC) as time_t. */
time_t tls_creds_x509_time(const mbedtls_x509_time *t);

/* Is that CRL past its nextUpdate at now? */
bool tls_creds_crl_stale(const struct tls_creds_crl *crl, time_t now);

#endif
