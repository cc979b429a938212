/*
 * tls_creds_crl: CRLs bound to the trusted CA whose key signed them, and
 * the one revocation verdict every verification uses (see tls_creds.h:
 * why mbedTLS is never handed the CRLs).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <mbedtls/md.h>
#include <mbedtls/oid.h>
#include <mbedtls/pk.h>
#include <mbedtls/x509_crl.h>

#include "certflags.h"
#include "tls_creds_int.h"

static bool
same_buf(const mbedtls_x509_buf *a, const mbedtls_x509_buf *b)
{
	return a->p != NULL && b->p != NULL && a->len == b->len &&
	       memcmp(a->p, b->p, a->len) == 0;
}

/* Did ca's key make sig over tbs? */
static bool
signed_by(const mbedtls_x509_buf *tbs, const mbedtls_x509_buf *sig,
	  mbedtls_md_type_t md, mbedtls_pk_type_t pkt, const void *opts,
	  const mbedtls_x509_crt *ca)
{
	unsigned char hash[MBEDTLS_MD_MAX_SIZE];
	const mbedtls_md_info_t *mi = mbedtls_md_info_from_type(md);

	if (mi == NULL || tbs->p == NULL || sig->p == NULL ||
	    !mbedtls_pk_can_do(&ca->pk, pkt) ||
	    mbedtls_md(mi, tbs->p, tbs->len, hash) != 0)
		return false;
	/* mbedTLS takes the key as non-const; it only reads it */
	return mbedtls_pk_verify_ext(pkt, opts, (mbedtls_pk_context *)&ca->pk,
				     md, hash, mbedtls_md_get_size(mi), sig->p,
				     sig->len) == 0;
}

static bool
crl_signed_by(const mbedtls_x509_crl *crl, const mbedtls_x509_crt *ca)
{
	return signed_by(&crl->tbs, &crl->sig, crl->sig_md, crl->sig_pk,
			 crl->sig_opts, ca);
}

static bool
crt_signed_by(const mbedtls_x509_crt *crt, const mbedtls_x509_crt *ca)
{
	return signed_by(&crt->tbs, &crt->sig, crt->sig_md, crt->sig_pk,
			 crt->sig_opts, ca);
}

/* The lists a CA is looked for in: the trusted roots, and the CAs of the
 * own chain (an intermediate's CRL). */
#define N_CA_LISTS 2
static const mbedtls_x509_crt *
ca_list(const struct tls_creds *c, int k)
{
	return k == 0 ? &c->trusted : c->chain.next;
}

#define FOR_EACH_CA(c, ca)                                                     \
	for (int k_ = 0; k_ < N_CA_LISTS; k_++)                                \
		for (const mbedtls_x509_crt *ca = ca_list(c, k_);              \
		     ca != NULL && ca->raw.p != NULL; ca = ca->next)

time_t
tls_creds_x509_time_or_zero(const mbedtls_x509_time *t)
{
	return t->year == 0 ? 0 : tls_creds_x509_time(t);
}

/* Binds one CRL; -1 with the error naming the file. */
static int
bind_one(struct tls_creds_loader *l, const mbedtls_x509_crl *crl,
	 struct tls_creds_crl *out)
{
	const char *path = l->cfg->crl_file;
	bool named = false, no_crlsign = false;
	char dn[256];

	if (mbedtls_x509_dn_gets(dn, sizeof(dn), &crl->issuer) < 0)
		snprintf(dn, sizeof(dn), "?");
	FOR_EACH_CA(l->c, ca)
	{
		if (!same_buf(&ca->subject_raw, &crl->issuer_raw))
			continue;
		named = true;
		if (!crl_signed_by(crl, ca))
			continue;
		if ((ca->ext_types & MBEDTLS_X509_EXT_KEY_USAGE) &&
		    mbedtls_x509_crt_check_key_usage(
			ca, MBEDTLS_X509_KU_CRL_SIGN) != 0) {
			no_crlsign = true;
			continue;
		}
		out->crl = crl;
		out->signer = ca;
		snprintf(out->issuer, sizeof(out->issuer), "%s", dn);
		out->revoked = 0;
		for (const mbedtls_x509_crl_entry *e = &crl->entry;
		     e != NULL && e->raw.p != NULL; e = e->next)
			out->revoked++;
		out->next_update =
		    tls_creds_x509_time_or_zero(&crl->next_update);
		return 0;
	}
	if (no_crlsign)
		return tls_creds_errf(
		    l,
		    OPT_CRL " %s: the CRL of \"%s\" is signed by a CA whose "
			    "key usage does not allow signing CRLs (cRLSign)",
		    path, dn);
	if (named)
		return tls_creds_errf(
		    l,
		    OPT_CRL " %s: the CRL of \"%s\" is not signed by the key "
			    "of any trusted CA of that name (another CA with "
			    "the same name? " OPT_TRUST " %s)",
		    path, dn, l->trust_path);
	return tls_creds_errf(l,
			      OPT_CRL " %s: the CRL of \"%s\" matches no "
				      "trusted CA (neither " OPT_TRUST
				      " %s nor the node's chain holds it)",
			      path, dn, l->trust_path);
}

int
tls_creds_crl_bind(struct tls_creds_loader *l)
{
	struct tls_creds *c = l->c;

	c->n_crls = 0;
	c->crl_stale_refuses_all = l->cfg->crl_stale_refuses_all;
	if (!c->have_crl)
		return 0;
	for (const mbedtls_x509_crl *crl = &c->crl;
	     crl != NULL && crl->raw.p != NULL; crl = crl->next) {
		if (c->n_crls >= TLS_CREDS_MAX_CRLS)
			return tls_creds_errf(
			    l, OPT_CRL " %s: more than %d CRLs",
			    l->cfg->crl_file, TLS_CREDS_MAX_CRLS);
		if (bind_one(l, crl, &c->crls[c->n_crls]) != 0)
			return -1;
		c->n_crls++;
	}
	return 0;
}

bool
tls_creds_crl_stale(const struct tls_creds_crl *crl, time_t now)
{
	return crl->next_update != 0 && crl->next_update <= now;
}

const mbedtls_x509_crt *
tls_creds_find_issuer(const struct tls_creds *c, const mbedtls_x509_crt *crt)
{
	FOR_EACH_CA(c, ca)
	{
		if (same_buf(&ca->subject_raw, &crt->issuer_raw) &&
		    crt_signed_by(crt, ca))
			return ca;
	}
	return NULL;
}

uint32_t
tls_creds_crl_flags(const struct tls_creds *c, const mbedtls_x509_crt *crt,
		    const mbedtls_x509_crt *issuer, time_t now)
{
	uint32_t flags = 0;
	bool looked = false;

	if (c == NULL || crt == NULL || crt->raw.p == NULL)
		return 0;
	for (int i = 0; i < c->n_crls; i++) {
		const struct tls_creds_crl *b = &c->crls[i];

		/* cheap first: only a CRL of a CA of that name can apply */
		if (!same_buf(&b->signer->subject_raw, &crt->issuer_raw))
			continue;
		if (issuer == NULL && !looked) {
			issuer = tls_creds_find_issuer(c, crt);
			looked = true;
		}
		/* the issuer's key is the CRL signer's key */
		if (issuer == NULL ||
		    !same_buf(&issuer->pk_raw, &b->signer->pk_raw))
			continue;
		if (mbedtls_x509_crt_is_revoked(crt, b->crl))
			flags |= MBEDTLS_X509_BADCERT_REVOKED;
		if (c->crl_stale_refuses_all && tls_creds_crl_stale(b, now))
			flags |= MBEDTLS_X509_BADCRL_EXPIRED;
	}
	return flags;
}

void
tls_creds_vrfy_init(struct tls_creds_vrfy *v, const struct tls_creds *c)
{
	v->creds = c;
	v->parent = NULL;
	v->depth = -1;
	v->not_after = 0;
}

void
tls_creds_vrfy_step(struct tls_creds_vrfy *v, const mbedtls_x509_crt *crt,
		    int depth, uint32_t *flags)
{
	/* mbedTLS goes from the top of the chain down to depth 0: a depth
	 * not below the last one starts another chain */
	time_t to = tls_creds_x509_time(&crt->valid_to);

	if (v->depth < 0 || depth >= v->depth) {
		v->parent = NULL;
		v->not_after = 0;
	}
	if (v->parent != NULL)
		*flags |=
		    tls_creds_crl_flags(v->creds, crt, v->parent, time(NULL));
	if (v->not_after == 0 || to < v->not_after)
		v->not_after = to;
	v->parent = crt;
	v->depth = depth;
}

int
tls_creds_vrfy_cb(void *ctx, mbedtls_x509_crt *crt, int depth, uint32_t *flags)
{
	tls_creds_vrfy_step(ctx, crt, depth, flags);
	return 0;
}

/* Is ca one of the set's trusted roots (the list itself, not a copy)? */
static bool
is_root(const struct tls_creds *c, const mbedtls_x509_crt *ca)
{
	for (const mbedtls_x509_crt *r = &c->trusted; r != NULL && r->raw.p;
	     r = r->next)
		if (r == ca)
			return true;
	return false;
}

/* A path longer than this (leaf, CAs, root) is not followed. */
#define PATH_MAX_CAS 8

uint32_t
tls_creds_path_flags(const struct tls_creds *c, const mbedtls_x509_crt *leaf,
		     time_t now, time_t *not_after)
{
	const mbedtls_x509_crt *crt = leaf, *issuer;
	uint32_t flags = MBEDTLS_X509_BADCERT_NOT_TRUSTED;
	time_t min = 0;

	for (int i = 0; i <= PATH_MAX_CAS && crt != NULL; i++) {
		time_t to = tls_creds_x509_time(&crt->valid_to);

		/* notAfter is the last second it is valid */
		if (to < now)
			flags |= MBEDTLS_X509_BADCERT_EXPIRED;
		if (tls_creds_x509_time(&crt->valid_from) > now)
			flags |= MBEDTLS_X509_BADCERT_FUTURE;
		if (min == 0 || to < min)
			min = to;
		if (crt != leaf && is_root(c, crt)) {
			/* a trust anchor: its own dates count, nothing above */
			flags &= ~(uint32_t)MBEDTLS_X509_BADCERT_NOT_TRUSTED;
			break;
		}
		issuer = tls_creds_find_issuer(c, crt);
		if (issuer != NULL)
			flags |= tls_creds_crl_flags(c, crt, issuer, now);
		crt = issuer;
	}
	if (not_after != NULL)
		*not_after = min;
	return flags;
}

uint32_t
tls_creds_leaf_alone_flags(const struct tls_creds *c,
			   const mbedtls_x509_crt *leaf, uint32_t flags,
			   time_t *not_after)
{
	if (!(flags & MBEDTLS_X509_BADCERT_NOT_TRUSTED))
		return flags;
	flags &= ~(uint32_t)MBEDTLS_X509_BADCERT_NOT_TRUSTED;
	/* its issuers found by name and signature, up to a root */
	return flags | tls_creds_path_flags(c, leaf, time(NULL), not_after);
}

int
tls_creds_verify_saved(const struct tls_creds *c, mbedtls_x509_crt *leaf,
		       time_t *not_after, char *err, size_t errlen)
{
	struct tls_creds_vrfy v;
	uint32_t flags = 0;

	tls_creds_vrfy_init(&v, c);
	/* mbedTLS takes the roots as non-const; it only reads them */
	mbedtls_x509_crt_verify(leaf, (mbedtls_x509_crt *)&c->trusted, NULL,
				NULL, &flags, tls_creds_vrfy_cb, &v);
	flags = tls_creds_leaf_alone_flags(c, leaf, flags, &v.not_after);
	if (not_after != NULL)
		*not_after = v.not_after;
	if (flags != 0 && err != NULL && errlen > 0)
		snprintf(err, errlen, "%s", certflags_reason(flags));
	return flags == 0 ? 0 : -1;
}
