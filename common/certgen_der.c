/*
 * certgen_der: the DER that mbedTLS 2.28 cannot write for us (subject
 * alternative names, extended key usage), the checks on what goes into
 * it, and the one-line descriptions of certificates for "gossipd cert
 * inspect".
 */
#include "certgen.h"
#include "certgen_int.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include <mbedtls/asn1write.h>
#include <mbedtls/oid.h>

/* ---- small checks ---------------------------------------------------- */

int
certgen_parse_ip(const char *s, unsigned char out[16])
{
	if (s == NULL || strnlen(s, INET6_ADDRSTRLEN) >= INET6_ADDRSTRLEN)
		return -1;
	if (inet_pton(AF_INET, s, out) == 1)
		return 4;
	if (inet_pton(AF_INET6, s, out) == 1)
		return 16;
	return -1;
}

bool
certgen_dns_name_ok(const char *s)
{
	size_t len, label = 0, i;

	if (s == NULL)
		return false;
	len = strnlen(s, CERTGEN_MAX_DNS_LEN + 1);
	if (len == 0 || len > CERTGEN_MAX_DNS_LEN)
		return false;
	i = 0;
	if (s[0] == '*') { /* a whole first label, and more labels after it */
		if (s[1] != '.' || s[2] == '\0')
			return false;
		i = 2;
	}
	for (; i < len; i++) {
		char c = s[i];

		if (c == '.') {
			if (label == 0)
				return false;
			label = 0;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '-'))
			return false;
		if (++label > 63)
			return false;
	}
	return label > 0;
}

int
certgen_digits(const char *s, size_t n)
{
	int v = 0;
	size_t i;

	for (i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

bool
certgen_time_ok(const char *s)
{
	static const int mdays[] = {31, 29, 31, 30, 31, 30,
				    31, 31, 30, 31, 30, 31};
	int year, mon, day;
	size_t i;

	if (s == NULL || strnlen(s, CERTGEN_TIME_LEN + 1) != CERTGEN_TIME_LEN)
		return false;
	for (i = 0; i < CERTGEN_TIME_LEN; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	year = certgen_digits(s, 4);
	mon = certgen_digits(s + 4, 2);
	day = certgen_digits(s + 6, 2);
	if (year < 2000 || mon < 1 || mon > 12 || day < 1 ||
	    day > mdays[mon - 1])
		return false;
	if (mon == 2 && day == 29 &&
	    !((year % 4 == 0 && year % 100 != 0) || year % 400 == 0))
		return false;
	return certgen_digits(s + 8, 2) < 24 &&
	       certgen_digits(s + 10, 2) < 60 && certgen_digits(s + 12, 2) < 60;
}

int
certgen_format_time(time_t t, char out[CERTGEN_TIME_LEN + 1])
{
	char buf[64];
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL || tm.tm_year + 1900 < 2000 ||
	    tm.tm_year + 1900 > 9999)
		return -1;
	snprintf(buf, sizeof(buf), "%04d%02d%02d%02d%02d%02d",
		 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		 tm.tm_min, tm.tm_sec);
	memcpy(out, buf, CERTGEN_TIME_LEN);
	out[CERTGEN_TIME_LEN] = '\0';
	return 0;
}

/* ---- the DER we write ourselves -------------------------------------- */

/* Moves what asn1write wrote backwards at the end of buf to its start. */
static void
to_front(unsigned char *buf, size_t size, size_t len)
{
	memmove(buf, buf + size - len, len);
}

/*
 * Closes a SEQUENCE written backwards into buf (its content, total bytes,
 * starts at p): writes its length and tag, moves it to the front of buf
 * and sets *len. Returns 0, or -1 when it does not fit.
 */
static int
seq_close(unsigned char *p, unsigned char *buf, size_t size, size_t total,
	  size_t *len)
{
	int ret;

	if ((ret = mbedtls_asn1_write_len(&p, buf, total)) < 0)
		return -1;
	total += (size_t)ret;
	ret = mbedtls_asn1_write_tag(
	    &p, buf, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE);
	if (ret < 0)
		return -1;
	total += (size_t)ret;
	*len = total;
	to_front(buf, size, total);
	return 0;
}

int
certgen_san_der(const char *const *ips, size_t n_ips, const char *const *dns,
		size_t n_dns, unsigned char *buf, size_t size, size_t *len,
		char *err, size_t errlen)
{
	unsigned char *p = buf + size;
	unsigned char addr[16];
	size_t i, total = 0;
	int ret, alen;

	if (n_ips + n_dns == 0) {
		errbuf_set(err, errlen, "no subject alternative name given");
		return -1;
	}
	if (n_ips > CERTGEN_MAX_SANS || n_dns > CERTGEN_MAX_SANS) {
		errbuf_set(err, errlen,
			   "more than %d IP addresses or DNS names",
			   CERTGEN_MAX_SANS);
		return -1;
	}
	for (i = 0; i < n_dns; i++)
		if (!certgen_dns_name_ok(dns[i])) {
			errbuf_set(
			    err, errlen,
			    "bad DNS name \"%.*s\": letters, digits and "
			    "hyphens in dot-separated labels, optionally "
			    "\"*.\" first",
			    CERTGEN_MAX_DNS_LEN, dns[i] ? dns[i] : "");
			return -1;
		}
	for (i = n_ips; i-- > 0;) {
		alen = certgen_parse_ip(ips[i], addr);
		if (alen < 0) {
			errbuf_set(
			    err, errlen,
			    "bad IP address \"%.*s\": not an IPv4 or IPv6 "
			    "literal",
			    INET6_ADDRSTRLEN, ips[i] ? ips[i] : "");
			return -1;
		}
		ret = mbedtls_asn1_write_tagged_string(
		    &p, buf, MBEDTLS_ASN1_CONTEXT_SPECIFIC | 7,
		    (const char *)addr, (size_t)alen);
		if (ret < 0)
			goto too_big;
		total += (size_t)ret;
	}
	for (i = n_dns; i-- > 0;) {
		ret = mbedtls_asn1_write_tagged_string(
		    &p, buf, MBEDTLS_ASN1_CONTEXT_SPECIFIC | 2, dns[i],
		    strlen(dns[i]));
		if (ret < 0)
			goto too_big;
		total += (size_t)ret;
	}
	if (seq_close(p, buf, size, total, len) != 0)
		goto too_big;
	return 0;
too_big:
	errbuf_set(err, errlen, "subject alternative names exceed %zu bytes",
		   size);
	return -1;
}

int
certgen_eku_der(unsigned int eku, unsigned char *buf, size_t size, size_t *len,
		char *err, size_t errlen)
{
	unsigned char *p = buf + size;
	size_t total = 0;
	int ret;

	if (eku == 0 || (eku & ~(CERTGEN_EKU_SERVER | CERTGEN_EKU_CLIENT))) {
		errbuf_set(err, errlen, "no or unknown extended key usage");
		return -1;
	}
	/* Written backwards: clientAuth last in the sequence. */
	if (eku & CERTGEN_EKU_CLIENT) {
		ret = mbedtls_asn1_write_oid(
		    &p, buf, MBEDTLS_OID_CLIENT_AUTH,
		    MBEDTLS_OID_SIZE(MBEDTLS_OID_CLIENT_AUTH));
		if (ret < 0)
			goto too_big;
		total += (size_t)ret;
	}
	if (eku & CERTGEN_EKU_SERVER) {
		ret = mbedtls_asn1_write_oid(
		    &p, buf, MBEDTLS_OID_SERVER_AUTH,
		    MBEDTLS_OID_SIZE(MBEDTLS_OID_SERVER_AUTH));
		if (ret < 0)
			goto too_big;
		total += (size_t)ret;
	}
	if (seq_close(p, buf, size, total, len) != 0)
		goto too_big;
	return 0;
too_big:
	errbuf_set(err, errlen, "extended key usage exceeds %zu bytes", size);
	return -1;
}

/* ---- describing a certificate ---------------------------------------- */

/* A bounded string builder: appends, and ends in "..." once full. */
struct sb {
	char *out;
	size_t size, used;
	bool full;
};

static void
sb_init(struct sb *b, char *out, size_t size)
{
	b->out = out;
	b->size = size;
	b->used = 0;
	b->full = size == 0;
	if (size > 0)
		out[0] = '\0';
}

/* Appends len bytes of s, printable ASCII only. */
static void
sb_put(struct sb *b, const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len && !b->full; i++) {
		unsigned char c = (unsigned char)s[i];

		if (b->used + 1 >= b->size) {
			b->full = true;
			if (b->size >= 4)
				memcpy(b->out + b->size - 4, "...", 4);
			return;
		}
		b->out[b->used++] = (c < 0x20 || c >= 0x7f) ? '?' : (char)c;
		b->out[b->used] = '\0';
	}
}

static void
sb_str(struct sb *b, const char *s)
{
	sb_put(b, s, strlen(s));
}

static void
sb_sep(struct sb *b)
{
	if (b->used > 0)
		sb_str(b, ", ");
}

void
certgen_describe_sans(const mbedtls_x509_crt *crt, char *out, size_t outlen)
{
	const mbedtls_x509_sequence *s;
	char addr[INET6_ADDRSTRLEN];
	struct sb b;

	sb_init(&b, out, outlen);
	if (!(crt->ext_types & MBEDTLS_X509_EXT_SUBJECT_ALT_NAME)) {
		sb_str(&b, "none");
		return;
	}
	for (s = &crt->subject_alt_names; s != NULL; s = s->next) {
		const mbedtls_x509_buf *v = &s->buf;

		if (v->p == NULL)
			continue;
		sb_sep(&b);
		switch (v->tag) {
		case MBEDTLS_ASN1_CONTEXT_SPECIFIC | 2:
			sb_str(&b, "DNS:");
			sb_put(&b, (const char *)v->p, v->len);
			break;
		case MBEDTLS_ASN1_CONTEXT_SPECIFIC | 7:
			sb_str(&b, "IP:");
			if ((v->len == 4 &&
			     inet_ntop(AF_INET, v->p, addr, sizeof(addr))) ||
			    (v->len == 16 &&
			     inet_ntop(AF_INET6, v->p, addr, sizeof(addr))))
				sb_str(&b, addr);
			else
				sb_str(&b, "(malformed)");
			break;
		case MBEDTLS_ASN1_CONTEXT_SPECIFIC | 1:
			sb_str(&b, "email:");
			sb_put(&b, (const char *)v->p, v->len);
			break;
		case MBEDTLS_ASN1_CONTEXT_SPECIFIC | 6:
			sb_str(&b, "URI:");
			sb_put(&b, (const char *)v->p, v->len);
			break;
		default:
			sb_str(&b, "(other name)");
		}
	}
	if (b.used == 0)
		sb_str(&b, "none");
}

void
certgen_describe_ku(const mbedtls_x509_crt *crt, char *out, size_t outlen)
{
	static const struct {
		unsigned int bit;
		const char *name;
	} names[] = {
	    {MBEDTLS_X509_KU_DIGITAL_SIGNATURE, "digitalSignature"},
	    {MBEDTLS_X509_KU_NON_REPUDIATION, "nonRepudiation"},
	    {MBEDTLS_X509_KU_KEY_ENCIPHERMENT, "keyEncipherment"},
	    {MBEDTLS_X509_KU_DATA_ENCIPHERMENT, "dataEncipherment"},
	    {MBEDTLS_X509_KU_KEY_AGREEMENT, "keyAgreement"},
	    {MBEDTLS_X509_KU_KEY_CERT_SIGN, "keyCertSign"},
	    {MBEDTLS_X509_KU_CRL_SIGN, "cRLSign"},
	    {MBEDTLS_X509_KU_ENCIPHER_ONLY, "encipherOnly"},
	    {MBEDTLS_X509_KU_DECIPHER_ONLY, "decipherOnly"},
	};
	struct sb b;
	size_t i;

	sb_init(&b, out, outlen);
	if (!(crt->ext_types & MBEDTLS_X509_EXT_KEY_USAGE)) {
		sb_str(&b, "absent");
		return;
	}
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (crt->key_usage & names[i].bit) {
			sb_sep(&b);
			sb_str(&b, names[i].name);
		}
	if (b.used == 0)
		sb_str(&b, "(empty)");
}

void
certgen_describe_eku(const mbedtls_x509_crt *crt, char *out, size_t outlen)
{
	const mbedtls_x509_sequence *s;
	char oid[64];
	struct sb b;

	sb_init(&b, out, outlen);
	if (!(crt->ext_types & MBEDTLS_X509_EXT_EXTENDED_KEY_USAGE)) {
		sb_str(&b, "absent");
		return;
	}
	for (s = &crt->ext_key_usage; s != NULL; s = s->next) {
		if (s->buf.p == NULL)
			continue;
		sb_sep(&b);
		if (MBEDTLS_OID_CMP(MBEDTLS_OID_SERVER_AUTH, &s->buf) == 0)
			sb_str(&b, "serverAuth");
		else if (MBEDTLS_OID_CMP(MBEDTLS_OID_CLIENT_AUTH, &s->buf) == 0)
			sb_str(&b, "clientAuth");
		else if (mbedtls_oid_get_numeric_string(oid, sizeof(oid),
							&s->buf) > 0)
			sb_str(&b, oid);
		else
			sb_str(&b, "(unknown)");
	}
	if (b.used == 0)
		sb_str(&b, "(empty)");
}
