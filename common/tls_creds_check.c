/*
 * tls_creds_check: the checks of the own chain once everything is loaded:
 * it ends at a root, verifies to the trust store (and CRL), every
 * certificate on it is valid now, and its names suit the configuration.
 */
#include <arpa/inet.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "certflags.h"
#include "node_auth.h"
#include "tls_creds_int.h"

#define EXPIRY_WARN (30 * 24 * 3600)

/* A trusted certificate that the own chain ends at must be a root. */
int
tls_creds_check_anchor(struct tls_creds_loader *l)
{
	const mbedtls_x509_crt *top = &l->c->chain, *inter = NULL;
	char dn[256];

	while (top->next != NULL && top->next->raw.p != NULL)
		top = top->next;
	if (tls_creds_self_signed(top))
		return 0;
	for (const mbedtls_x509_crt *t = &l->c->trusted;
	     t != NULL && t->raw.p != NULL; t = t->next) {
		if (t->subject_raw.len != top->issuer_raw.len ||
		    memcmp(t->subject_raw.p, top->issuer_raw.p,
			   t->subject_raw.len) != 0)
			continue;
		if (tls_creds_self_signed(t))
			return 0;
		inter = t;
	}
	if (inter == NULL)
		return 0;
	tls_creds_subject_str(inter, dn, sizeof(dn));
	return tls_creds_errf(l,
			      OPT_TRUST
			      " %s: \"%s\" is not self-signed: it is an "
			      "intermediate, append it to " OPT_CERT
			      " %s after the node certificate",
			      l->trust_path, dn, l->cfg->certificate_file);
}

static int
collect_path(void *ctx, mbedtls_x509_crt *crt, int depth, uint32_t *flags)
{
	struct tls_creds_loader *l = ctx;

	tls_creds_vrfy_step(&l->vrfy, crt, depth, flags);
	if (depth >= 0 && depth < MAX_DEPTH) {
		l->path[depth] = crt;
		if (depth + 1 > l->path_len)
			l->path_len = depth + 1;
	}
	return 0;
}

int
tls_creds_check_chain(struct tls_creds_loader *l)
{
	const mbedtls_x509_crt *top = &l->c->chain;
	uint32_t flags = 0;
	char dn[256], why[256];
	int ret;

	l->path_len = 0;
	tls_creds_vrfy_init(&l->vrfy, l->c);
	ret = mbedtls_x509_crt_verify(&l->c->chain, &l->c->trusted, NULL, NULL,
				      &flags, collect_path, l);
	/* validity is judged below against the caller's clock; a stale CRL
	 * is the daemon's to report (it may refuse peers, not the own
	 * chain), a revocation stops the load */
	flags &= ~(uint32_t)(MBEDTLS_X509_BADCERT_EXPIRED |
			     MBEDTLS_X509_BADCERT_FUTURE |
			     MBEDTLS_X509_BADCRL_EXPIRED);
	if (ret == 0 ||
	    (ret == MBEDTLS_ERR_X509_CERT_VERIFY_FAILED && flags == 0))
		return 0;
	if (flags == 0) {
		mbed_err_text(ret, why, sizeof(why));
		return tls_creds_errf(
		    l, OPT_CERT " %s: chain verification failed: %s",
		    l->cfg->certificate_file, why);
	}
	while (top->next != NULL && top->next->raw.p != NULL)
		top = top->next;
	if (mbedtls_x509_dn_gets(dn, sizeof(dn), &top->issuer) < 0)
		snprintf(dn, sizeof(dn), "?");
	if (flags & MBEDTLS_X509_BADCERT_NOT_TRUSTED)
		return tls_creds_errf(
		    l,
		    OPT_CERT " %s: the node certificate chain does not "
			     "lead to a root in " OPT_TRUST
			     " %s: the issuer \"%s\" is in neither "
			     "(intermediates go into " OPT_CERT
			     " after the node certificate, roots "
			     "into " OPT_TRUST ")",
		    l->cfg->certificate_file, l->trust_path, dn);
	return tls_creds_errf(
	    l,
	    OPT_CERT " %s: the node certificate chain does not "
		     "verify: %s",
	    l->cfg->certificate_file, certflags_reason(flags));
}

/* Validity of every certificate on the verified path, against now. */
int
tls_creds_check_times(struct tls_creds_loader *l)
{
	char dn[256], what[300], date[64];

	l->c->own_not_after = tls_creds_x509_time(&l->c->chain.valid_to);
	l->c->ca_not_after = l->c->own_not_after;
	for (int i = 0; i < l->path_len; i++) {
		const mbedtls_x509_crt *c = l->path[i];
		if (c == NULL)
			continue;
		time_t from = tls_creds_x509_time(&c->valid_from);
		time_t to = tls_creds_x509_time(&c->valid_to);
		if (i == 0) {
			snprintf(what, sizeof(what), "the node certificate");
		} else {
			tls_creds_subject_str(c, dn, sizeof(dn));
			snprintf(what, sizeof(what), "CA certificate \"%s\"",
				 dn);
			if (i == 1 || to < l->c->ca_not_after)
				l->c->ca_not_after = to;
		}
		if (to <= l->now) {
			tls_creds_date_str(&c->valid_to, date, sizeof(date));
			return tls_creds_errf(
			    l, OPT_CERT " %s: %s expired on %s",
			    l->cfg->certificate_file, what, date);
		}
		if (from > l->now) {
			tls_creds_date_str(&c->valid_from, date, sizeof(date));
			return tls_creds_errf(
			    l, OPT_CERT " %s: %s is not valid before %s",
			    l->cfg->certificate_file, what, date);
		}
		if (to - l->now < EXPIRY_WARN) {
			tls_creds_date_str(&c->valid_to, date, sizeof(date));
			tls_creds_warnf(
			    l, OPT_CERT " %s: %s expires on %s (in %lld days)",
			    l->cfg->certificate_file, what, date,
			    (long long)((to - l->now) / 86400));
		}
	}
	return 0;
}

/* "DNS:a, IP:127.0.0.1" for messages. */
static void
san_list(const mbedtls_x509_crt *c, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (const mbedtls_x509_sequence *s = &c->subject_alt_names;
	     s != NULL && used + 1 < len; s = s->next) {
		char item[300];
		unsigned char tag = (unsigned char)s->buf.tag;
		if (s->buf.p == NULL)
			continue;
		if (tag == (MBEDTLS_ASN1_CONTEXT_SPECIFIC | 2))
			snprintf(item, sizeof(item), "DNS:%.*s",
				 (int)(s->buf.len < 253 ? s->buf.len : 253),
				 (const char *)s->buf.p);
		else if (tag == (MBEDTLS_ASN1_CONTEXT_SPECIFIC | 7) &&
			 (s->buf.len == 4 || s->buf.len == 16)) {
			char ip[64];
			inet_ntop(s->buf.len == 4 ? AF_INET : AF_INET6,
				  s->buf.p, ip, sizeof(ip));
			snprintf(item, sizeof(item), "IP:%s", ip);
		} else
			continue;
		int n = snprintf(buf + used, len - used, "%s%s",
				 used ? ", " : "", item);
		if (n < 0 || (size_t)n >= len - used)
			break;
		used += (size_t)n;
	}
	if (buf[0] == '\0')
		snprintf(buf, len, "none");
}

/* The own CN, and the reserved node CN: configured (and matching the own
 * CN) or taken from the own CN. */
static int
own_and_reserved_cn(struct tls_creds_loader *l)
{
	const struct tls_creds_config *cfg = l->cfg;
	struct tls_creds *c = l->c;

	int got = node_auth_subject_cn(&c->chain, c->own_cn, sizeof(c->own_cn));
	if (got != 0)
		return tls_creds_errf(
		    l, OPT_CERT " %s: the node certificate %s",
		    cfg->certificate_file,
		    got == -2 ? "has more than one subject CN "
				"(ambiguous identity)"
			      : "has no usable subject CN");
	if (cfg->reserved_node_cn == NULL || cfg->reserved_node_cn[0] == '\0') {
		snprintf(c->reserved_cn, sizeof(c->reserved_cn), "%s",
			 c->own_cn);
		c->reserved_cn_is_auto = true;
		tls_creds_warnf(
		    l,
		    "reserved node CN auto-configured from own certificate: "
		    "%s",
		    c->own_cn);
	} else {
		if (strlen(cfg->reserved_node_cn) >= sizeof(c->reserved_cn))
			return tls_creds_errf(
			    l, OPT_CN " is longer than %zu characters",
			    sizeof(c->reserved_cn) - 1);
		snprintf(c->reserved_cn, sizeof(c->reserved_cn), "%s",
			 cfg->reserved_node_cn);
		if (!node_auth_cn_match(c->reserved_cn, c->own_cn))
			return tls_creds_errf(
			    l,
			    OPT_CN " \"%s\" does not match the CN "
				   "\"%s\" of the node certificate in "
				   "" OPT_CERT " %s",
			    c->reserved_cn, c->own_cn, cfg->certificate_file);
	}
	return 0;
}

int
tls_creds_check_names(struct tls_creds_loader *l)
{
	const struct tls_creds_config *cfg = l->cfg;
	struct tls_creds *c = l->c;
	char reason[512], sans[512];

	if (own_and_reserved_cn(l) != 0)
		return -1;
	if (node_auth_verdict(&c->chain, c->reserved_cn, reason,
			      sizeof(reason)) != ID_NODE)
		return tls_creds_errf(l,
				      OPT_CERT
				      " %s: other nodes would not accept this "
				      "node certificate: %s",
				      cfg->certificate_file, reason);
	if (cfg->advertised_host == NULL || cfg->advertised_host[0] == '\0' ||
	    node_auth_san_match(&c->chain, cfg->advertised_host))
		return 0;
	san_list(&c->chain, sans, sizeof(sans));
	if (cfg->listens_on_wildcard) {
		tls_creds_warnf(
		    l,
		    OPT_CERT " %s: the node certificate has no subject "
			     "alternative name for the advertised host "
			     "\"%s\" (it has %s)",
		    cfg->certificate_file, cfg->advertised_host, sans);
		return 0;
	}
	return tls_creds_errf(
	    l,
	    OPT_CERT " %s: the node certificate has no subject "
		     "alternative name for the advertised host \"%s\" "
		     "(it has %s)",
	    cfg->certificate_file, cfg->advertised_host, sans);
}
