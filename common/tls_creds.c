/*
 * tls_creds: load and check the node's credentials as one immutable set
 * (SPEC.md section 5), and the helpers the tls_creds files share. Every
 * error names the option and the file; nothing here logs or exits:
 * warnings go to the caller's callback. The own chain and key are read in
 * tls_creds_own.c, the trust store and CRL in tls_creds_trust.c, and the
 * own chain is checked in tls_creds_check.c.
 */
#include "tls_creds.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "certflags.h"
#include "tls_creds_int.h"

#define DEFAULT_TRUST "/etc/ssl/certs"

int
tls_creds_errf(struct tls_creds_loader *l, const char *fmt, ...)
{
	va_list ap;

	if (l->err != NULL && l->errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(l->err, l->errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

void
tls_creds_warnf(struct tls_creds_loader *l, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (l->warn == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	l->warn(l->warn_ctx, msg);
}

bool
tls_creds_self_signed(const mbedtls_x509_crt *c)
{
	return c->subject_raw.len == c->issuer_raw.len &&
	       memcmp(c->subject_raw.p, c->issuer_raw.p, c->issuer_raw.len) ==
		   0;
}

void
tls_creds_subject_str(const mbedtls_x509_crt *c, char *buf, size_t len)
{
	if (mbedtls_x509_dn_gets(buf, len, &c->subject) < 0)
		snprintf(buf, len, "?");
}

time_t
tls_creds_x509_time(const mbedtls_x509_time *t)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = t->year - 1900;
	tm.tm_mon = t->mon - 1;
	tm.tm_mday = t->day;
	tm.tm_hour = t->hour;
	tm.tm_min = t->min;
	tm.tm_sec = t->sec;
	return timegm(&tm);
}

void
tls_creds_date_str(const mbedtls_x509_time *t, char *buf, size_t len)
{
	snprintf(buf, len, "%04d-%02d-%02d %02d:%02d:%02d UTC", t->year, t->mon,
		 t->day, t->hour, t->min, t->sec);
}

static void
creds_free(struct tls_creds *c)
{
	if (c == NULL)
		return;
	mbedtls_x509_crt_free(&c->chain);
	mbedtls_pk_free(&c->key);
	mbedtls_x509_crt_free(&c->trusted);
	mbedtls_x509_crl_free(&c->crl);
	free(c);
}

int
tls_creds_load(const struct tls_creds_config *cfg, time_t now,
	       tls_creds_warn_fn warn, void *warn_ctx, struct tls_creds **out,
	       char *err, size_t errlen)
{
	struct tls_creds_loader l;
	struct tls_creds *c;
	int ret;

	memset(&l, 0, sizeof(l));
	l.cfg = cfg;
	l.now = now;
	l.warn = warn;
	l.warn_ctx = warn_ctx;
	l.err = err;
	l.errlen = errlen;
	*out = NULL;
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (cfg == NULL || cfg->certificate_file == NULL ||
	    cfg->certificate_file[0] == '\0')
		return tls_creds_errf(&l, OPT_CERT " is not set");
	l.trust_path = cfg->trusted_roots_path != NULL &&
			       cfg->trusted_roots_path[0] != '\0'
			   ? cfg->trusted_roots_path
			   : DEFAULT_TRUST;
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return tls_creds_errf(&l, "out of memory");
	mbedtls_x509_crt_init(&c->chain);
	mbedtls_pk_init(&c->key);
	mbedtls_x509_crt_init(&c->trusted);
	mbedtls_x509_crl_init(&c->crl);
	c->refs = 1;
	l.c = c;

	ret = tls_creds_own_load(&l);
	if (ret == 0)
		ret = tls_creds_trust_load(&l);
	if (ret == 0)
		ret = tls_creds_trust_load_crl(&l);
	if (ret == 0)
		ret = tls_creds_check_anchor(&l);
	if (ret == 0)
		ret = tls_creds_check_chain(&l);
	if (ret == 0)
		ret = tls_creds_check_times(&l);
	if (ret == 0)
		ret = tls_creds_check_names(&l);
	if (ret != 0) {
		creds_free(c);
		return -1;
	}
	*out = c;
	return 0;
}

struct tls_creds *
tls_creds_ref(struct tls_creds *c)
{
	if (c != NULL)
		__atomic_add_fetch(&c->refs, 1, __ATOMIC_RELAXED);
	return c;
}

void
tls_creds_unref(struct tls_creds *c)
{
	if (c != NULL && __atomic_sub_fetch(&c->refs, 1, __ATOMIC_ACQ_REL) == 0)
		creds_free(c);
}

/* A path longer than this (leaf, CAs of the set) is not built. */
#define RESUMED_MAX_CAS 8

/* A leaf alone that no root signed: verified again together with the CAs
 * of the set above it (the intermediates of the own chain, each found by
 * name and signature, up to one a root signed), in full against the
 * roots. Returns the new result, or ret when the set holds no CA that
 * issued the leaf (*none set then). */
static int
verify_with_issuer(const struct tls_creds *c, const mbedtls_x509_crt *leaf,
		   uint32_t *flags, struct tls_creds_vrfy *v, int ret,
		   bool *none)
{
	const mbedtls_x509_crt *cur = leaf, *ca;
	mbedtls_x509_crt path;
	int n = 0, err;

	mbedtls_x509_crt_init(&path);
	err = mbedtls_x509_crt_parse_der(&path, leaf->raw.p, leaf->raw.len);
	/* up to a CA that signed itself (a root: the verification finds it
	 * among the trusted ones) */
	while (err == 0 && n < RESUMED_MAX_CAS &&
	       (ca = tls_creds_find_issuer(c, cur)) != NULL && ca != cur) {
		err = mbedtls_x509_crt_parse_der(&path, ca->raw.p, ca->raw.len);
		cur = ca;
		n++;
	}
	*none = err == 0 && n == 0;
	if (err == 0 && n > 0) {
		*flags = 0;
		tls_creds_vrfy_init(v, c);
		ret = mbedtls_x509_crt_verify(
		    &path, (mbedtls_x509_crt *)&c->trusted, NULL, NULL, flags,
		    tls_creds_vrfy_cb, v);
	}
	mbedtls_x509_crt_free(&path);
	return ret;
}

static int
verify_peer(const struct tls_creds *c, mbedtls_x509_crt *peer, bool resumed,
	    time_t *not_after, char *err, size_t errlen)
{
	uint32_t flags = 0;
	struct tls_creds_vrfy v;
	char why[160];
	bool no_issuer = false;
	int ret;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (c == NULL || peer == NULL || peer->raw.p == NULL) {
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "no certificate");
		return -1;
	}
	/* mbedTLS takes the trust list as non-const but only reads it, so
	 * a shared set may be used from many threads; the CRLs are ours
	 * (tls_creds_crl_flags). */
	tls_creds_vrfy_init(&v, c);
	ret =
	    mbedtls_x509_crt_verify(peer, (mbedtls_x509_crt *)&c->trusted, NULL,
				    NULL, &flags, tls_creds_vrfy_cb, &v);
	if (resumed && ret != 0 && peer->next == NULL &&
	    (flags & MBEDTLS_X509_BADCERT_NOT_TRUSTED) != 0)
		ret = verify_with_issuer(c, peer, &flags, &v, ret, &no_issuer);
	if (ret == 0) {
		/* the verified path's, the root's included */
		if (not_after != NULL)
			*not_after = v.not_after;
		return 0;
	}
	if (no_issuer)
		/* it was verified when the session began, with the chain the
		 * peer sent then; only the leaf was kept, and these
		 * credentials hold no CA that issued it */
		snprintf(why, sizeof(why),
			 "resumed session: these credentials hold no CA that "
			 "issued its certificate (a full handshake decides)");
	else if (flags != 0)
		snprintf(why, sizeof(why), "%s", certflags_reason(flags));
	else
		mbed_err_text(ret, why, sizeof(why));
	if (err != NULL && errlen > 0)
		snprintf(err, errlen, "%s", why);
	return -1;
}

int
tls_creds_verify_peer(const struct tls_creds *c, mbedtls_x509_crt *peer,
		      char *err, size_t errlen)
{
	return verify_peer(c, peer, false, NULL, err, errlen);
}

int
tls_creds_verify_resumed(const struct tls_creds *c, mbedtls_x509_crt *peer,
			 time_t *not_after, char *err, size_t errlen)
{
	return verify_peer(c, peer, true, not_after, err, errlen);
}
