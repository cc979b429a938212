/*
 * node_auth: who is a node (SPEC.md section 4).
 *
 * Everything here is a pure function of its arguments: no allocation, no
 * state, no logging. Names are bounded at 253 characters (the DNS limit)
 * and 63 per label before any work is done.
 */
#include "node_auth.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <mbedtls/asn1.h>
#include <mbedtls/oid.h>

#define NAME_MAX_LEN  253
#define LABEL_MAX_LEN 63
#define LABELS_MAX    127 /* 253 characters hold at most 127 labels */

/* The raw GeneralName tags mbedTLS 2.28 keeps in subject_alt_names. */
#define SAN_TAG_DNS (MBEDTLS_ASN1_CONTEXT_SPECIFIC | 2)
#define SAN_TAG_IP  (MBEDTLS_ASN1_CONTEXT_SPECIFIC | 7)

struct label {
	size_t off;
	size_t len;
};

/* An IPv4 or IPv6 literal: the family and 4 or 16 bytes in addr. */
static int
ip_literal(const char *s, unsigned char addr[16], size_t *alen)
{
	if (inet_pton(AF_INET, s, addr) == 1) {
		*alen = 4;
		return 1;
	}
	if (inet_pton(AF_INET6, s, addr) == 1) {
		*alen = 16;
		return 1;
	}
	return 0;
}

static int
is_label_char(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z') || c == '-';
}

/*
 * Splits s (len bytes) into labels of [0-9A-Za-z-], each non-empty and at
 * most 63 long. With allow_star, the first label may be exactly "*".
 * Returns the number of labels, or -1 when s is not such a name.
 */
static int
split_labels(const char *s, size_t len, struct label *out, bool allow_star)
{
	int n = 0;
	size_t start = 0;

	if (len == 0 || len > NAME_MAX_LEN)
		return -1;
	for (size_t i = 0; i <= len; i++) {
		if (i < len && s[i] != '.')
			continue;
		size_t l = i - start;
		if (l == 0 || l > LABEL_MAX_LEN || n >= LABELS_MAX)
			return -1;
		bool star = (l == 1 && s[start] == '*');
		if (star && !(allow_star && n == 0))
			return -1;
		for (size_t k = 0; !star && k < l; k++)
			if (!is_label_char((unsigned char)s[start + k]))
				return -1;
		out[n].off = start;
		out[n].len = l;
		n++;
		start = i + 1;
	}
	return n;
}

static bool
label_eq(const char *a, const struct label *la, const char *b,
	 const struct label *lb)
{
	return la->len == lb->len &&
	       strncasecmp(a + la->off, b + lb->off, la->len) == 0;
}

bool
node_auth_cn_match(const char *pattern, const char *cn)
{
	struct label pl[LABELS_MAX], cl[LABELS_MAX];
	unsigned char pa[16], ca[16];
	size_t palen, calen;

	if (pattern == NULL || cn == NULL)
		return false;
	size_t plen = strnlen(pattern, NAME_MAX_LEN + 1);
	size_t clen = strnlen(cn, NAME_MAX_LEN + 1);
	if (plen == 0 || clen == 0 || plen > NAME_MAX_LEN ||
	    clen > NAME_MAX_LEN)
		return false;

	if (ip_literal(pattern, pa, &palen))
		return ip_literal(cn, ca, &calen) && palen == calen &&
		       memcmp(pa, ca, palen) == 0;
	/* An address is never matched by a name pattern. */
	if (ip_literal(cn, ca, &calen))
		return false;

	int np = split_labels(pattern, plen, pl, true);
	int nc = split_labels(cn, clen, cl, true);
	if (np < 0 || nc < 0 || np != nc)
		return false;
	bool pwild = pattern[pl[0].off] == '*' && pl[0].len == 1;
	bool cwild = cn[cl[0].off] == '*' && cl[0].len == 1;
	if (pwild && np < 3)
		return false;
	/* A wildcard certificate matches only the identical pattern. */
	if (cwild && !pwild)
		return false;
	for (int i = pwild ? 1 : 0; i < np; i++)
		if (!label_eq(pattern, &pl[i], cn, &cl[i]))
			return false;
	return true;
}

int
node_auth_subject_cn(const mbedtls_x509_crt *crt, char *buf, size_t len)
{
	const mbedtls_x509_buf *val = NULL;

	if (crt == NULL || buf == NULL || len == 0)
		return -1;
	buf[0] = '\0';
	/* Two CNs make an ambiguous identity: which one would be the
	 * node's? Neither is taken. */
	for (const mbedtls_x509_name *n = &crt->subject; n != NULL;
	     n = n->next) {
		if (n->oid.p == NULL ||
		    MBEDTLS_OID_CMP(MBEDTLS_OID_AT_CN, &n->oid) != 0)
			continue;
		if (val != NULL)
			return -2;
		val = &n->val;
	}
	if (val == NULL || val->p == NULL || val->len == 0 || val->len >= len)
		return -1;
	for (size_t i = 0; i < val->len; i++)
		if (val->p[i] < 0x20 || val->p[i] == 0x7f)
			return -1;
	memcpy(buf, val->p, val->len);
	buf[val->len] = '\0';
	return 0;
}

/* Copies s into out for a message: at most 64 characters, anything that
 * is not printable ASCII or is a quote or backslash becomes '?'. */
static void
sanitize(const char *s, char *out, size_t outlen)
{
	size_t i = 0;

	for (; s != NULL && s[i] != '\0' && i < 64 && i + 1 < outlen; i++) {
		unsigned char c = (unsigned char)s[i];
		out[i] = (c < 0x20 || c >= 0x7f || c == '"' || c == '\\')
			     ? '?'
			     : (char)c;
	}
	if (outlen > 0)
		out[i < outlen ? i : outlen - 1] = '\0';
}

static bool
has_dns_or_ip_san(const mbedtls_x509_crt *crt)
{
	if (!(crt->ext_types & MBEDTLS_X509_EXT_SUBJECT_ALT_NAME))
		return false;
	for (const mbedtls_x509_sequence *s = &crt->subject_alt_names;
	     s != NULL; s = s->next) {
		if (s->buf.p == NULL)
			continue;
		if (s->buf.tag == SAN_TAG_DNS && s->buf.len > 0)
			return true;
		if (s->buf.tag == SAN_TAG_IP &&
		    (s->buf.len == 4 || s->buf.len == 16))
			return true;
	}
	return false;
}

static void
set_reason(char *reason, size_t reasonlen, const char *msg)
{
	if (reason != NULL && reasonlen > 0)
		snprintf(reason, reasonlen, "%s", msg);
}

/* Rule 4: usable as a server and as a client certificate. */
static const char *
usage_problem(const mbedtls_x509_crt *crt)
{
	if (crt->ext_types & MBEDTLS_X509_EXT_KEY_USAGE) {
		unsigned int ku = crt->key_usage;
		if (!(ku & MBEDTLS_X509_KU_DIGITAL_SIGNATURE))
			return "key usage lacks digitalSignature";
		if (!(ku & (MBEDTLS_X509_KU_KEY_ENCIPHERMENT |
			    MBEDTLS_X509_KU_KEY_AGREEMENT)))
			return "key usage lacks keyEncipherment and "
			       "keyAgreement";
	}
	if (crt->ext_types & MBEDTLS_X509_EXT_EXTENDED_KEY_USAGE) {
		if (mbedtls_x509_crt_check_extended_key_usage(
			crt, MBEDTLS_OID_SERVER_AUTH,
			MBEDTLS_OID_SIZE(MBEDTLS_OID_SERVER_AUTH)) != 0)
			return "extended key usage lacks serverAuth";
		if (mbedtls_x509_crt_check_extended_key_usage(
			crt, MBEDTLS_OID_CLIENT_AUTH,
			MBEDTLS_OID_SIZE(MBEDTLS_OID_CLIENT_AUTH)) != 0)
			return "extended key usage lacks clientAuth";
	}
	return NULL;
}

enum node_identity
node_auth_verdict(const mbedtls_x509_crt *crt, const char *reserved_cn,
		  char *reason, size_t reasonlen)
{
	char cn[256], scn[72], sres[72];
	const char *problem;

	set_reason(reason, reasonlen, "");
	if (crt == NULL || crt->raw.p == NULL) {
		set_reason(reason, reasonlen, "no client certificate");
		return ID_CLIENT;
	}
	if (reserved_cn == NULL || reserved_cn[0] == '\0') {
		set_reason(reason, reasonlen,
			   "no reserved node CN is configured");
		return ID_CLIENT;
	}
	sanitize(reserved_cn, sres, sizeof(sres));
	int got = node_auth_subject_cn(crt, cn, sizeof(cn));
	if (got == -2) {
		set_reason(reason, reasonlen,
			   "certificate has more than one subject CN "
			   "(ambiguous identity)");
		return ID_CLIENT;
	}
	if (got != 0) {
		if (reason != NULL && reasonlen > 0)
			snprintf(reason, reasonlen,
				 "certificate has no usable subject CN to "
				 "match the reserved node CN \"%s\"",
				 sres);
		return ID_CLIENT;
	}
	if (!node_auth_cn_match(reserved_cn, cn)) {
		sanitize(cn, scn, sizeof(scn));
		if (reason != NULL && reasonlen > 0)
			snprintf(reason, reasonlen,
				 "CN \"%s\" does not match the reserved node "
				 "CN \"%s\"",
				 scn, sres);
		return ID_CLIENT;
	}
	if (!has_dns_or_ip_san(crt)) {
		set_reason(reason, reasonlen,
			   "certificate has no DNS or IP subject alternative "
			   "name");
		return ID_CLIENT;
	}
	problem = usage_problem(crt);
	if (problem != NULL) {
		set_reason(reason, reasonlen, problem);
		return ID_CLIENT;
	}
	return ID_NODE;
}

enum node_identity
node_auth_client_verdict(const mbedtls_x509_crt *crt, const char *reserved_cn,
			 char *reason, size_t reasonlen)
{
	set_reason(reason, reasonlen, "");
	if (crt == NULL || crt->raw.p == NULL)
		return ID_ANONYMOUS;
	if ((crt->ext_types & MBEDTLS_X509_EXT_EXTENDED_KEY_USAGE) &&
	    mbedtls_x509_crt_check_extended_key_usage(
		crt, MBEDTLS_OID_CLIENT_AUTH,
		MBEDTLS_OID_SIZE(MBEDTLS_OID_CLIENT_AUTH)) != 0) {
		set_reason(reason, reasonlen,
			   "certificate is not usable for client "
			   "authentication (extended key usage lacks "
			   "clientAuth)");
		return ID_ANONYMOUS;
	}
	return node_auth_verdict(crt, reserved_cn, reason, reasonlen);
}

enum node_identity
node_auth_peer_verdict(const mbedtls_x509_crt *crt, const char *reserved_cn,
		       const char *host, char *reason, size_t reasonlen)
{
	char shost[72];

	if (node_auth_verdict(crt, reserved_cn, reason, reasonlen) != ID_NODE)
		return ID_CLIENT;
	if (!node_auth_san_match(crt, host)) {
		sanitize(host, shost, sizeof(shost));
		if (reason != NULL && reasonlen > 0)
			snprintf(reason, reasonlen,
				 "server certificate has no SAN matching %s",
				 shost);
		return ID_CLIENT;
	}
	return ID_NODE;
}

/* Does the DNS SAN san (len bytes, IA5String) cover host (hlen bytes,
 * already validated as a name)? A left-most "*." matches one label. */
static bool
dns_san_covers(const unsigned char *san, size_t len, const char *host,
	       size_t hlen)
{
	if (len == 0 || len > NAME_MAX_LEN)
		return false;
	if (len >= 2 && san[0] == '*' && san[1] == '.') {
		const char *dot = memchr(host, '.', hlen);
		if (dot == NULL || dot == host)
			return false;
		/* "*.com" is too wide: the rest needs two labels. */
		if (memchr(san + 2, '.', len - 2) == NULL)
			return false;
		size_t rest = hlen - (size_t)(dot + 1 - host);
		return rest == len - 2 &&
		       strncasecmp((const char *)san + 2, dot + 1, rest) == 0;
	}
	return len == hlen && strncasecmp((const char *)san, host, hlen) == 0;
}

bool
node_auth_san_match(const mbedtls_x509_crt *crt, const char *host)
{
	char name[NAME_MAX_LEN + 2];
	struct label labels[LABELS_MAX];
	unsigned char addr[16];
	size_t alen, hlen;

	if (crt == NULL || host == NULL ||
	    !(crt->ext_types & MBEDTLS_X509_EXT_SUBJECT_ALT_NAME))
		return false;
	hlen = strnlen(host, NAME_MAX_LEN + 2);
	if (hlen == 0 || hlen > NAME_MAX_LEN + 1)
		return false;
	memcpy(name, host, hlen);
	name[hlen] = '\0';
	/* "[::1]" as written in a URL or host:port. */
	if (hlen >= 2 && name[0] == '[' && name[hlen - 1] == ']') {
		memmove(name, name + 1, hlen - 2);
		hlen -= 2;
		name[hlen] = '\0';
	}
	if (ip_literal(name, addr, &alen)) {
		for (const mbedtls_x509_sequence *s = &crt->subject_alt_names;
		     s != NULL; s = s->next)
			if (s->buf.p != NULL && s->buf.tag == SAN_TAG_IP &&
			    s->buf.len == alen &&
			    memcmp(s->buf.p, addr, alen) == 0)
				return true;
		return false;
	}
	/* A fully qualified "name." is the same name. */
	if (hlen > 1 && name[hlen - 1] == '.')
		name[--hlen] = '\0';
	if (split_labels(name, hlen, labels, false) < 0)
		return false;
	for (const mbedtls_x509_sequence *s = &crt->subject_alt_names;
	     s != NULL; s = s->next)
		if (s->buf.p != NULL && s->buf.tag == SAN_TAG_DNS &&
		    dns_san_covers(s->buf.p, s->buf.len, name, hlen))
			return true;
	return false;
}

const char *
node_identity_name(enum node_identity id)
{
	switch (id) {
	case ID_ANONYMOUS:
		return "anonymous";
	case ID_CLIENT:
		return "client";
	case ID_NODE:
		return "node";
	case ID_LOCAL_ADMIN:
		return "local-admin";
	}
	return "unknown";
}
