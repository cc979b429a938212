/*
 * gossipd cert create-ca, create-node, create-client: flag values checked
 * and turned into a certgen request, then the certificate and key issued
 * and written (an existing file is kept unless -force is given).
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cmd_cert_int.h"
#include "num.h"

/* A whole number in [min, max]. */
/* Comma-separated, blanks around entries trimmed; empty entries refused. */
struct list {
	char *buf;
	const char *items[CERTGEN_MAX_SANS];
	size_t n;
};

static int
split_list(const char *s, struct list *l)
{
	char *p, *next, *end;

	l->buf = strdup(s);
	if (l->buf == NULL)
		return -1;
	for (p = l->buf; p != NULL; p = next) {
		next = strchr(p, ',');
		if (next != NULL)
			*next++ = '\0';
		while (*p == ' ' || *p == '\t')
			p++;
		end = p + strlen(p);
		while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
			*--end = '\0';
		if (*p == '\0' || l->n == CERTGEN_MAX_SANS)
			return -1;
		l->items[l->n++] = p;
	}
	return 0;
}

struct create_ctx {
	struct cert_args *a;
	enum certgen_kind kind;
	struct certgen_req req;
	struct list ips, dns;
	const char *out;
	const char *base;		      /* "ca", "node", "client" */
	char ca_name[CERTGEN_MAX_CN_LEN + 1]; /* the default CA CN */
};

/* -common-name, -days, -not-before, -not-after, -out. */
static int
parse_identity(struct create_ctx *c)
{
	struct cert_args *a = c->a;
	struct certgen_req *r = &c->req;
	size_t cnlen;

	/* every CA its own subject, so that the certificates and CRLs of
	 * two CAs never get mixed up */
	if (c->kind == CERTGEN_CA && !a->set[F_CN] &&
	    certgen_default_ca_name(time(NULL), c->ca_name,
				    sizeof(c->ca_name)) != 0)
		return cmd_cert_usage_error(
		    a, "cannot make a CA name: no randomness; give "
		       "-common-name");
	r->common_name = a->set[F_CN]		   ? a->val[F_CN]
			 : c->kind == CERTGEN_CA   ? c->ca_name
			 : c->kind == CERTGEN_NODE ? "gossipd-node"
						   : NULL;
	if (r->common_name == NULL)
		return cmd_cert_usage_error(
		    a, "-common-name is required: it is the "
		       "name the cluster sees for this client");
	cnlen = strlen(r->common_name);
	if (cnlen == 0 || cnlen > CERTGEN_MAX_CN_LEN)
		return cmd_cert_usage_error(
		    a, "-common-name must be 1 to %d bytes",
		    CERTGEN_MAX_CN_LEN);
	r->days = c->kind == CERTGEN_CA ? 1825 : 365;
	if (a->set[F_DAYS] && num_parse_int(a->val[F_DAYS], 1, CERTGEN_MAX_DAYS,
					    &r->days) != NUM_OK)
		return cmd_cert_usage_error(
		    a,
		    "bad -days \"%s\": a whole number of days "
		    "from 1 to %d",
		    a->val[F_DAYS], CERTGEN_MAX_DAYS);
	if (a->set[F_NOT_BEFORE] && !certgen_time_ok(a->val[F_NOT_BEFORE]))
		return cmd_cert_usage_error(
		    a,
		    "bad -not-before \"%s\": YYYYMMDDHHMMSS in "
		    "UTC",
		    a->val[F_NOT_BEFORE]);
	if (a->set[F_NOT_AFTER] && !certgen_time_ok(a->val[F_NOT_AFTER]))
		return cmd_cert_usage_error(
		    a,
		    "bad -not-after \"%s\": YYYYMMDDHHMMSS in "
		    "UTC",
		    a->val[F_NOT_AFTER]);
	r->not_before = a->val[F_NOT_BEFORE];
	r->not_after = a->val[F_NOT_AFTER];
	c->out = a->set[F_OUT]		   ? a->val[F_OUT]
		 : c->kind == CERTGEN_CA   ? "./ca"
		 : c->kind == CERTGEN_NODE ? "./node"
					   : "./client";
	if (c->out[0] == '\0')
		return cmd_cert_usage_error(a, "-out needs a directory");
	return 0;
}

/* -key-type, -rsa-bits. */
static int
parse_key(struct create_ctx *c)
{
	struct cert_args *a = c->a;
	struct certgen_req *r = &c->req;
	int bits = 2048;

	r->key_type = CERTGEN_KEY_EC;
	if (a->set[F_KEY_TYPE] && strcmp(a->val[F_KEY_TYPE], "rsa") == 0)
		r->key_type = CERTGEN_KEY_RSA;
	else if (a->set[F_KEY_TYPE] && strcmp(a->val[F_KEY_TYPE], "ec") != 0)
		return cmd_cert_usage_error(
		    a, "bad -key-type \"%s\": ec or rsa", a->val[F_KEY_TYPE]);
	if (a->set[F_RSA_BITS]) {
		if (num_parse_int(a->val[F_RSA_BITS], 2048, 4096, &bits) !=
			NUM_OK ||
		    (bits != 2048 && bits != 3072 && bits != 4096))
			return cmd_cert_usage_error(
			    a,
			    "bad -rsa-bits \"%s\": 2048, 3072 "
			    "or 4096",
			    a->val[F_RSA_BITS]);
		if (r->key_type != CERTGEN_KEY_RSA)
			return cmd_cert_usage_error(
			    a, "-rsa-bits needs -key-type rsa");
	}
	r->rsa_bits = (unsigned int)bits;
	return 0;
}

/* -eku, -path-length, and -ca-certificate/-ca-key for a CA. */
static int
parse_usage(struct create_ctx *c)
{
	struct cert_args *a = c->a;
	struct certgen_req *r = &c->req;
	const char *e = a->val[F_EKU];

	if (e != NULL && strcmp(e, "server") == 0)
		r->eku = CERTGEN_EKU_SERVER;
	else if (e != NULL && strcmp(e, "client") == 0)
		r->eku = CERTGEN_EKU_CLIENT;
	else if (e != NULL && strcmp(e, "both") == 0)
		r->eku = CERTGEN_EKU_SERVER | CERTGEN_EKU_CLIENT;
	else if (e != NULL)
		return cmd_cert_usage_error(
		    a, "bad -eku \"%s\": server, client or both", e);
	r->pathlen = -1;
	if (a->set[F_PATHLEN] &&
	    num_parse_int(a->val[F_PATHLEN], 0, 16, &r->pathlen) != NUM_OK)
		return cmd_cert_usage_error(
		    a, "bad -path-length \"%s\": 0 to 16", a->val[F_PATHLEN]);
	if (c->kind == CERTGEN_CA && a->set[F_CA_CERT] != a->set[F_CA_KEY])
		return cmd_cert_usage_error(a, "an intermediate CA needs both "
					       "-ca-certificate and -ca-key");
	/* An intermediate signs no further CA unless told. */
	if (c->kind == CERTGEN_CA && a->set[F_CA_CERT] && !a->set[F_PATHLEN])
		r->pathlen = 0;
	return 0;
}

/* -ip-addresses, -dns-names; a node needs one at least. */
static int
parse_sans(struct create_ctx *c)
{
	struct cert_args *a = c->a;
	struct certgen_req *r = &c->req;
	unsigned char addr[16];
	size_t i;

	if (a->set[F_IPS] && split_list(a->val[F_IPS], &c->ips) != 0)
		return cmd_cert_usage_error(
		    a,
		    "bad -ip-addresses \"%s\": a comma-separated "
		    "list of at most %d addresses",
		    a->val[F_IPS], CERTGEN_MAX_SANS);
	if (a->set[F_DNS] && split_list(a->val[F_DNS], &c->dns) != 0)
		return cmd_cert_usage_error(
		    a,
		    "bad -dns-names \"%s\": a comma-separated "
		    "list of at most %d names",
		    a->val[F_DNS], CERTGEN_MAX_SANS);
	for (i = 0; i < c->ips.n; i++)
		if (certgen_parse_ip(c->ips.items[i], addr) < 0)
			return cmd_cert_usage_error(
			    a,
			    "bad IP address \"%s\" in "
			    "-ip-addresses: not an IPv4 or IPv6 "
			    "literal",
			    c->ips.items[i]);
	for (i = 0; i < c->dns.n; i++)
		if (!certgen_dns_name_ok(c->dns.items[i]))
			return cmd_cert_usage_error(
			    a,
			    "bad DNS name \"%s\" in -dns-names: "
			    "letters, digits and hyphens in "
			    "dot-separated labels, \"*.\" "
			    "allowed first",
			    c->dns.items[i]);
	r->ips = c->ips.items;
	r->n_ips = c->ips.n;
	r->dns = c->dns.items;
	r->n_dns = c->dns.n;
	if (c->kind == CERTGEN_NODE && r->n_ips + r->n_dns == 0)
		return cmd_cert_usage_error(
		    a, "a node certificate needs -ip-addresses "
		       "and/or -dns-names: peers check the "
		       "address they dial against them, and a "
		       "certificate without any is not "
		       "admitted as a node");
	return 0;
}

/* Flag values to a request. Returns 0 or 2 (printed). */
static int
create_parse(struct create_ctx *c)
{
	int rc;

	c->req.kind = c->kind;
	c->req.now = time(NULL);
	if ((rc = parse_identity(c)) != 0 || (rc = parse_key(c)) != 0 ||
	    (rc = parse_usage(c)) != 0 || (rc = parse_sans(c)) != 0)
		return rc;
	return 0;
}

static bool
file_exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

/* The CA's notAfter as time_t (UTC). */
static time_t
crt_not_after(const mbedtls_x509_crt *crt)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = crt->valid_to.year - 1900;
	tm.tm_mon = crt->valid_to.mon - 1;
	tm.tm_mday = crt->valid_to.day;
	tm.tm_hour = crt->valid_to.hour;
	tm.tm_min = crt->valid_to.min;
	tm.tm_sec = crt->valid_to.sec;
	return timegm(&tm);
}

static void
warn_outlives(const struct create_ctx *c, const struct certgen_ca *ca)
{
	time_t end = c->req.now + (time_t)c->req.days * 86400;

	/* Explicit times are for tests that want odd certificates. */
	if (c->req.not_before != NULL || c->req.not_after != NULL)
		return;
	if (end > crt_not_after(&ca->crt))
		fprintf(stderr,
			"gossipd cert %s: warning: the certificate is valid "
			"after its CA expires (%04d-%02d-%02d); it will fail "
			"verification from then on\n",
			c->a->cmd, ca->crt.valid_to.year, ca->crt.valid_to.mon,
			ca->crt.valid_to.day);
}

/* The issuing CA from -ca-certificate and -ca-key (or their defaults)
 * into ca, and the request's issuer set to it. 0, or -1 (printed). */
static int
load_issuer(struct create_ctx *c, struct certgen_ca *ca)
{
	const char *ca_crt, *ca_key;
	char err[512];

	ca_crt = c->a->set[F_CA_CERT] ? c->a->val[F_CA_CERT] : "./ca/ca.crt";
	ca_key = c->a->set[F_CA_KEY] ? c->a->val[F_CA_KEY] : "./ca/ca.key";
	if (certgen_ca_load(ca, ca_crt, ca_key, err, sizeof(err)) != 0) {
		fprintf(stderr, "gossipd cert %s: %s\n", c->a->cmd, err);
		return -1;
	}
	c->req.issuer = ca;
	return 0;
}

/* Without -force, an existing output file stops the command: 0, or -1
 * (printed). */
static int
refuse_existing(const struct create_ctx *c, const char *crt_path,
		const char *key_path)
{
	const char *p;

	if (c->a->set[F_FORCE])
		return 0;
	p = file_exists(crt_path)   ? crt_path
	    : file_exists(key_path) ? key_path
				    : NULL;
	if (p == NULL)
		return 0;
	fprintf(stderr,
		"gossipd cert %s: %s exists; use -force to overwrite it\n",
		c->a->cmd, p);
	return -1;
}

static int
create_run(struct create_ctx *c)
{
	char crt_path[PATH_MAX], key_path[PATH_MAX], err[512];
	struct certgen_result res = {0};
	struct certgen_ca ca;
	bool use_ca = c->kind != CERTGEN_CA || c->a->set[F_CA_CERT];
	int rc = 1;

	certgen_ca_init(&ca);
	if (snprintf(crt_path, sizeof(crt_path), "%s/%s.crt", c->out,
		     c->base) >= (int)sizeof(crt_path) ||
	    snprintf(key_path, sizeof(key_path), "%s/%s.key", c->out,
		     c->base) >= (int)sizeof(key_path)) {
		fprintf(stderr, "gossipd cert %s: -out path too long\n",
			c->a->cmd);
		goto out;
	}
	if ((use_ca && load_issuer(c, &ca) != 0) ||
	    refuse_existing(c, crt_path, key_path) != 0)
		goto out;
	if (certgen_issue(&c->req, &res, err, sizeof(err)) != 0 ||
	    certgen_mkdirs(c->out, err, sizeof(err)) != 0 ||
	    certgen_write_file(key_path, res.key_pem, res.key_len, 0600,
			       c->a->set[F_FORCE], err, sizeof(err)) != 0) {
		fprintf(stderr, "gossipd cert %s: %s\n", c->a->cmd, err);
		goto out;
	}
	if (certgen_write_file(crt_path, res.cert_pem, res.cert_len, 0644,
			       c->a->set[F_FORCE], err, sizeof(err)) != 0) {
		fprintf(stderr, "gossipd cert %s: %s\n", c->a->cmd, err);
		/* The key we just made has no certificate: take it back. */
		if (!c->a->set[F_FORCE])
			unlink(key_path);
		goto out;
	}
	printf("wrote %s and %s\n", crt_path, key_path);
	if (use_ca)
		warn_outlives(c, &ca);
	rc = 0;
out:
	certgen_result_free(&res);
	certgen_ca_free(&ca);
	return rc;
}

int
cmd_cert_create(struct cert_args *a, enum certgen_kind kind)
{
	struct create_ctx c;
	int rc;

	memset(&c, 0, sizeof(c));
	c.a = a;
	c.kind = kind;
	c.base = kind == CERTGEN_CA	? "ca"
		 : kind == CERTGEN_NODE ? "node"
					: "client";
	rc = create_parse(&c);
	if (rc == 0)
		rc = create_run(&c);
	free(c.ips.buf);
	free(c.dns.buf);
	return rc;
}
