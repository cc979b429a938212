/*
 * gossipd cert: the certificate generator's command line, with the flags
 * of es-gencert-cli (single-dash long names; "--name", "-name=value" and
 * "--name=value" work too). The work is in common/certgen*.c; this file
 * parses flags, checks their values, and prints.
 *
 * Exit codes: 0 done, 1 failure (files, CA), 2 usage (flags and their
 * values).
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "certgen.h"
#include "node_auth.h"
#include "commands.h"

enum flag_id {
	F_OUT = 0,
	F_DAYS,
	F_CN,
	F_KEY_TYPE,
	F_RSA_BITS,
	F_FORCE,
	F_NOT_BEFORE,
	F_NOT_AFTER,
	F_CA_CERT,
	F_CA_KEY,
	F_IPS,
	F_DNS,
	F_EKU,
	F_PATHLEN,
	F_RESERVED_CN,
	F_HELP,
	F_COUNT
};

/* Which subcommands take a flag. */
#define C_CA	 0x1u
#define C_NODE	 0x2u
#define C_CLIENT 0x4u
#define C_CREATE (C_CA | C_NODE | C_CLIENT)
#define C_INSP	 0x8u
#define C_ALL	 (C_CREATE | C_INSP)

struct flag {
	const char *name;
	enum flag_id id;
	bool value;
	unsigned int cmds;
};

static const struct flag flags[] = {
    {"out", F_OUT, true, C_CREATE},
    {"days", F_DAYS, true, C_CREATE},
    {"common-name", F_CN, true, C_CREATE},
    {"key-type", F_KEY_TYPE, true, C_CREATE},
    {"rsa-bits", F_RSA_BITS, true, C_CREATE},
    {"force", F_FORCE, false, C_CREATE},
    {"not-before", F_NOT_BEFORE, true, C_CREATE},
    {"not-after", F_NOT_AFTER, true, C_CREATE},
    {"ca-certificate", F_CA_CERT, true, C_CREATE | C_INSP},
    {"ca-key", F_CA_KEY, true, C_CREATE},
    {"ip-addresses", F_IPS, true, C_NODE | C_CLIENT},
    {"dns-names", F_DNS, true, C_NODE | C_CLIENT},
    {"eku", F_EKU, true, C_NODE},
    {"path-length", F_PATHLEN, true, C_CA},
    {"reserved-cn", F_RESERVED_CN, true, C_INSP},
    {"help", F_HELP, false, C_ALL},
    {"h", F_HELP, false, C_ALL},
};

struct args {
	const char *cmd; /* for messages: "create-node" */
	const char *val[F_COUNT];
	bool set[F_COUNT];
	const char *pos; /* the one positional argument (inspect) */
};

static const char help_text[] =
    "usage: gossipd cert create-ca [flags]\n"
    "       gossipd cert create-node [flags]\n"
    "       gossipd cert create-client -common-name CN [flags]\n"
    "       gossipd cert inspect [-reserved-cn PATTERN] "
    "[-ca-certificate F] FILE\n"
    "\n"
    "Flags take \"-name value\", \"-name=value\", \"--name value\" or\n"
    "\"--name=value\".\n"
    "\n"
    "create-ca: a CA, written to OUT/ca.crt and OUT/ca.key\n"
    "  -out DIR               output directory (default ./ca)\n"
    "  -days N                validity in days (default 1825)\n"
    "  -common-name CN        subject CN (default \"gossipd CA\")\n"
    "  -ca-certificate F      with -ca-key: make an intermediate CA\n"
    "  -ca-key F              signed by that CA instead of a root\n"
    "  -path-length N         CAs allowed below this one (default: no\n"
    "                         limit for a root, 0 for an intermediate)\n"
    "\n"
    "create-node: a node certificate, OUT/node.crt and OUT/node.key\n"
    "  -ca-certificate F      issuing CA (default ./ca/ca.crt)\n"
    "  -ca-key F              its key (default ./ca/ca.key)\n"
    "  -out DIR               output directory (default ./node)\n"
    "  -days N                validity in days (default 365)\n"
    "  -common-name CN        subject CN (default gossipd-node)\n"
    "  -ip-addresses A,B      IPv4/IPv6 subject alternative names\n"
    "  -dns-names X,Y         DNS subject alternative names\n"
    "                         (at least one IP address or DNS name)\n"
    "  -eku server|client|both  extended key usage (default both;\n"
    "                         a node needs both to be admitted)\n"
    "\n"
    "create-client: a client certificate (clientAuth), OUT/client.crt\n"
    "and OUT/client.key\n"
    "  -common-name CN        subject CN (required)\n"
    "  -ca-certificate F, -ca-key F, -days N (default 365),\n"
    "  -out DIR (default ./client), -ip-addresses, -dns-names (optional)\n"
    "\n"
    "every create command:\n"
    "  -key-type ec|rsa       EC P-256 (default) or RSA\n"
    "  -rsa-bits 2048|3072|4096  RSA key size (default 2048)\n"
    "  -not-before TIME       start of validity instead of now, and\n"
    "  -not-after TIME        end of validity instead of -days;\n"
    "                         TIME is YYYYMMDDHHMMSS in UTC\n"
    "  -force                 overwrite existing output files\n"
    "\n"
    "Keys are written with mode 0600, certificates with 0644; an\n"
    "existing file is kept unless -force is given.\n"
    "\n"
    "inspect: prints each certificate of FILE (subject, issuer, serial,\n"
    "validity, key, SANs, key usage, extended key usage), the first one's\n"
    "CN, and whether the first one would be admitted as a node by the CN,\n"
    "SAN and key usage rules of SPEC.md section 4\n"
    "  -reserved-cn PATTERN   the reserved node CN (default: its own CN)\n"
    "  -ca-certificate F      also check that it verifies to this CA\n";

static int __attribute__((format(printf, 2, 3)))
usage_error(const struct args *a, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "gossipd cert %s: ", a->cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see gossipd cert --help)\n");
	return 2;
}

static const struct flag *
flag_find(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
		if (strlen(flags[i].name) == len &&
		    strncmp(flags[i].name, name, len) == 0)
			return &flags[i];
	return NULL;
}

/* Returns 0, or the exit code for a usage error (printed). */
static int
parse_args(struct args *a, unsigned int cmd, int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		const char *arg = argv[i], *name, *eq;
		const struct flag *f;
		size_t len;

		if (arg[0] != '-' || arg[1] == '\0') {
			if (cmd != C_INSP || a->pos != NULL)
				return usage_error(
				    a, "unexpected argument \"%s\"", arg);
			a->pos = arg;
			continue;
		}
		name = arg + (arg[1] == '-' ? 2 : 1);
		eq = strchr(name, '=');
		len = eq ? (size_t)(eq - name) : strlen(name);
		f = flag_find(name, len);
		if (f == NULL)
			return usage_error(a, "unknown flag \"%s\"", arg);
		if (!(f->cmds & cmd))
			return usage_error(a, "flag -%s does not apply to %s",
					   f->name, a->cmd);
		if (!f->value && eq != NULL)
			return usage_error(a, "flag -%s takes no value",
					   f->name);
		if (f->value && eq == NULL) {
			if (i + 1 >= argc)
				return usage_error(a, "flag -%s needs a value",
						   f->name);
			a->val[f->id] = argv[++i];
		} else if (f->value) {
			a->val[f->id] = eq + 1;
		}
		a->set[f->id] = true;
	}
	return 0;
}

/* A whole number in [min, max]. */
static int
parse_int(const char *s, long min, long max, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < min || v > max)
		return -1;
	*out = (int)v;
	return 0;
}

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
	struct args *a;
	enum certgen_kind kind;
	struct certgen_req req;
	struct list ips, dns;
	const char *out;
	const char *base; /* "ca", "node", "client" */
};

/* -common-name, -days, -not-before, -not-after, -out. */
static int
parse_identity(struct create_ctx *c)
{
	struct args *a = c->a;
	struct certgen_req *r = &c->req;
	size_t cnlen;

	r->common_name = a->set[F_CN]		   ? a->val[F_CN]
			 : c->kind == CERTGEN_CA   ? "gossipd CA"
			 : c->kind == CERTGEN_NODE ? "gossipd-node"
						   : NULL;
	if (r->common_name == NULL)
		return usage_error(a, "-common-name is required: it is the "
				      "name the cluster sees for this client");
	cnlen = strlen(r->common_name);
	if (cnlen == 0 || cnlen > CERTGEN_MAX_CN_LEN)
		return usage_error(a, "-common-name must be 1 to %d bytes",
				   CERTGEN_MAX_CN_LEN);
	r->days = c->kind == CERTGEN_CA ? 1825 : 365;
	if (a->set[F_DAYS] &&
	    parse_int(a->val[F_DAYS], 1, CERTGEN_MAX_DAYS, &r->days) != 0)
		return usage_error(a,
				   "bad -days \"%s\": a whole number of days "
				   "from 1 to %d",
				   a->val[F_DAYS], CERTGEN_MAX_DAYS);
	if (a->set[F_NOT_BEFORE] && !certgen_time_ok(a->val[F_NOT_BEFORE]))
		return usage_error(a,
				   "bad -not-before \"%s\": YYYYMMDDHHMMSS in "
				   "UTC",
				   a->val[F_NOT_BEFORE]);
	if (a->set[F_NOT_AFTER] && !certgen_time_ok(a->val[F_NOT_AFTER]))
		return usage_error(a,
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
		return usage_error(a, "-out needs a directory");
	return 0;
}

/* -key-type, -rsa-bits. */
static int
parse_key(struct create_ctx *c)
{
	struct args *a = c->a;
	struct certgen_req *r = &c->req;
	int bits = 2048;

	r->key_type = CERTGEN_KEY_EC;
	if (a->set[F_KEY_TYPE] && strcmp(a->val[F_KEY_TYPE], "rsa") == 0)
		r->key_type = CERTGEN_KEY_RSA;
	else if (a->set[F_KEY_TYPE] && strcmp(a->val[F_KEY_TYPE], "ec") != 0)
		return usage_error(a, "bad -key-type \"%s\": ec or rsa",
				   a->val[F_KEY_TYPE]);
	if (a->set[F_RSA_BITS]) {
		if (parse_int(a->val[F_RSA_BITS], 2048, 4096, &bits) != 0 ||
		    (bits != 2048 && bits != 3072 && bits != 4096))
			return usage_error(a,
					   "bad -rsa-bits \"%s\": 2048, 3072 "
					   "or 4096",
					   a->val[F_RSA_BITS]);
		if (r->key_type != CERTGEN_KEY_RSA)
			return usage_error(a, "-rsa-bits needs -key-type rsa");
	}
	r->rsa_bits = (unsigned int)bits;
	return 0;
}

/* -eku, -path-length, and -ca-certificate/-ca-key for a CA. */
static int
parse_usage(struct create_ctx *c)
{
	struct args *a = c->a;
	struct certgen_req *r = &c->req;
	const char *e = a->val[F_EKU];

	if (e != NULL && strcmp(e, "server") == 0)
		r->eku = CERTGEN_EKU_SERVER;
	else if (e != NULL && strcmp(e, "client") == 0)
		r->eku = CERTGEN_EKU_CLIENT;
	else if (e != NULL && strcmp(e, "both") == 0)
		r->eku = CERTGEN_EKU_SERVER | CERTGEN_EKU_CLIENT;
	else if (e != NULL)
		return usage_error(a, "bad -eku \"%s\": server, client or both",
				   e);
	r->pathlen = -1;
	if (a->set[F_PATHLEN] &&
	    parse_int(a->val[F_PATHLEN], 0, 16, &r->pathlen) != 0)
		return usage_error(a, "bad -path-length \"%s\": 0 to 16",
				   a->val[F_PATHLEN]);
	if (c->kind == CERTGEN_CA && a->set[F_CA_CERT] != a->set[F_CA_KEY])
		return usage_error(a, "an intermediate CA needs both "
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
	struct args *a = c->a;
	struct certgen_req *r = &c->req;
	unsigned char addr[16];
	size_t i;

	if (a->set[F_IPS] && split_list(a->val[F_IPS], &c->ips) != 0)
		return usage_error(
		    a,
		    "bad -ip-addresses \"%s\": a comma-separated "
		    "list of at most %d addresses",
		    a->val[F_IPS], CERTGEN_MAX_SANS);
	if (a->set[F_DNS] && split_list(a->val[F_DNS], &c->dns) != 0)
		return usage_error(a,
				   "bad -dns-names \"%s\": a comma-separated "
				   "list of at most %d names",
				   a->val[F_DNS], CERTGEN_MAX_SANS);
	for (i = 0; i < c->ips.n; i++)
		if (certgen_parse_ip(c->ips.items[i], addr) < 0)
			return usage_error(a,
					   "bad IP address \"%s\" in "
					   "-ip-addresses: not an IPv4 or IPv6 "
					   "literal",
					   c->ips.items[i]);
	for (i = 0; i < c->dns.n; i++)
		if (!certgen_dns_name_ok(c->dns.items[i]))
			return usage_error(a,
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
		return usage_error(a, "a node certificate needs -ip-addresses "
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

static int
create_run(struct create_ctx *c)
{
	char crt_path[PATH_MAX], key_path[PATH_MAX], err[512];
	struct certgen_result res = {0};
	struct certgen_ca ca;
	bool use_ca = c->kind != CERTGEN_CA || c->a->set[F_CA_CERT];
	const char *ca_crt, *ca_key;
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
	if (use_ca) {
		ca_crt =
		    c->a->set[F_CA_CERT] ? c->a->val[F_CA_CERT] : "./ca/ca.crt";
		ca_key =
		    c->a->set[F_CA_KEY] ? c->a->val[F_CA_KEY] : "./ca/ca.key";
		if (certgen_ca_load(&ca, ca_crt, ca_key, err, sizeof(err)) !=
		    0) {
			fprintf(stderr, "gossipd cert %s: %s\n", c->a->cmd,
				err);
			goto out;
		}
		c->req.issuer = &ca;
	}
	if (!c->a->set[F_FORCE]) {
		const char *p = file_exists(crt_path)	? crt_path
				: file_exists(key_path) ? key_path
							: NULL;

		if (p != NULL) {
			fprintf(stderr,
				"gossipd cert %s: %s exists; use -force to "
				"overwrite it\n",
				c->a->cmd, p);
			goto out;
		}
	}
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

static const char *
validity_state(const mbedtls_x509_crt *crt)
{
	if (mbedtls_x509_time_is_future(&crt->valid_from))
		return "not yet valid";
	if (mbedtls_x509_time_is_past(&crt->valid_to))
		return "expired";
	return "valid now";
}

/* Prints one certificate's fields, indented under its number. */
static void
print_crt(const mbedtls_x509_crt *crt)
{
	char buf[2048];

	if (mbedtls_x509_dn_gets(buf, sizeof(buf), &crt->subject) < 0)
		snprintf(buf, sizeof(buf), "(unprintable)");
	printf("  subject:       %s\n", buf);
	if (mbedtls_x509_dn_gets(buf, sizeof(buf), &crt->issuer) < 0)
		snprintf(buf, sizeof(buf), "(unprintable)");
	printf("  issuer:        %s\n", buf);
	if (mbedtls_x509_serial_gets(buf, sizeof(buf), &crt->serial) < 0)
		snprintf(buf, sizeof(buf), "(unprintable)");
	printf("  serial:        %s\n", buf);
	printf("  validity:      %04d-%02d-%02d %02d:%02d:%02d UTC to "
	       "%04d-%02d-%02d %02d:%02d:%02d UTC (%s)\n",
	       crt->valid_from.year, crt->valid_from.mon, crt->valid_from.day,
	       crt->valid_from.hour, crt->valid_from.min, crt->valid_from.sec,
	       crt->valid_to.year, crt->valid_to.mon, crt->valid_to.day,
	       crt->valid_to.hour, crt->valid_to.min, crt->valid_to.sec,
	       validity_state(crt));
	printf("  key:           %s, %zu bits\n", mbedtls_pk_get_name(&crt->pk),
	       mbedtls_pk_get_bitlen(&crt->pk));
	if (!crt->ca_istrue)
		printf("  CA:            no\n");
	else if (crt->max_pathlen > 0)
		printf("  CA:            yes, path length %d\n",
		       crt->max_pathlen - 1);
	else
		printf("  CA:            yes, no path length limit\n");
	certgen_describe_sans(crt, buf, sizeof(buf));
	printf("  SANs:          %s\n", buf);
	certgen_describe_ku(crt, buf, sizeof(buf));
	printf("  key usage:     %s\n", buf);
	certgen_describe_eku(crt, buf, sizeof(buf));
	printf("  ext key usage: %s\n", buf);
}

/* Rules 2-4 of SPEC.md section 4 for the first certificate, and rule 1's
 * chain when a CA is given. */
static void
print_verdict(const mbedtls_x509_crt *crt, struct args *a,
	      mbedtls_x509_crt *trust)
{
	char cn[256], reason[512];
	const char *pattern;
	uint32_t vflags = 0;
	int ret;

	if (node_auth_subject_cn(crt, cn, sizeof(cn)) == 0) {
		printf("CN:              %s\n", cn);
	} else {
		cn[0] = '\0';
		printf("CN:              (none)\n");
	}
	pattern = a->set[F_RESERVED_CN] ? a->val[F_RESERVED_CN] : cn;
	if (trust != NULL) {
		ret = mbedtls_x509_crt_verify((mbedtls_x509_crt *)crt, trust,
					      NULL, NULL, &vflags, NULL, NULL);
		if (ret == 0) {
			printf("chain:           verifies to %s\n",
			       a->val[F_CA_CERT]);
		} else {
			mbedtls_x509_crt_verify_info(reason, sizeof(reason), "",
						     vflags);
			/* one line: the flags come one per line */
			for (char *p = reason; *p != '\0'; p++)
				if (*p == '\n')
					*p = p[1] != '\0' ? ';' : '\0';
			printf("chain:           does not verify to %s: %s\n",
			       a->val[F_CA_CERT], reason);
		}
	} else
		printf("chain:           not checked (give -ca-certificate)\n");
	if (cn[0] == '\0')
		printf("node:            no, the certificate has no subject "
		       "CN\n");
	else if (!a->set[F_RESERVED_CN] && !node_auth_cn_match(cn, cn))
		printf("node:            no, the CN \"%s\" is not a host name "
		       "or IP address, so no reserved node CN matches it\n",
		       cn);
	else if (node_auth_verdict(crt, pattern, reason, sizeof(reason)) ==
		 ID_NODE)
		printf(
		    "node:            yes, admitted as a node by the CN, SAN "
		    "and key usage rules (reserved node CN \"%s\")\n",
		    pattern);
	else
		printf("node:            no, %s\n", reason);
}

static int
cmd_inspect(struct args *a)
{
	mbedtls_x509_crt chain, trust;
	const mbedtls_x509_crt *c;
	char err[512];
	int n = 0, rc = 1;

	mbedtls_x509_crt_init(&chain);
	mbedtls_x509_crt_init(&trust);
	if (certgen_crt_load(&chain, a->pos, "certificate", err, sizeof(err)) !=
		0 ||
	    (a->set[F_CA_CERT] &&
	     certgen_crt_load(&trust, a->val[F_CA_CERT], "CA certificate", err,
			      sizeof(err)) != 0)) {
		fprintf(stderr, "gossipd cert inspect: %s\n", err);
		goto out;
	}
	printf("file:            %s\n", a->pos);
	for (c = &chain; c != NULL && c->raw.p != NULL; c = c->next) {
		printf("certificate %d:\n", ++n);
		print_crt(c);
	}
	print_verdict(&chain, a, a->set[F_CA_CERT] ? &trust : NULL);
	rc = 0;
out:
	mbedtls_x509_crt_free(&chain);
	mbedtls_x509_crt_free(&trust);
	return rc;
}

static int
cmd_create(struct args *a, enum certgen_kind kind)
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

int
cmd_cert(int argc, char **argv)
{
	static const struct {
		const char *name;
		unsigned int mask;
	} subs[] = {{"create-ca", C_CA},
		    {"create-node", C_NODE},
		    {"create-client", C_CLIENT},
		    {"inspect", C_INSP}};
	struct args a;
	unsigned int mask = 0;
	size_t i;
	int rc;

	memset(&a, 0, sizeof(a));
	if (argc < 2) {
		fprintf(stderr, "gossipd cert: which command? create-ca, "
				"create-node, create-client or inspect (see "
				"gossipd cert --help)\n");
		return 2;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "-help") == 0 ||
	    strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0) {
		fputs(help_text, stdout);
		return 0;
	}
	for (i = 0; i < sizeof(subs) / sizeof(subs[0]); i++)
		if (strcmp(argv[1], subs[i].name) == 0)
			mask = subs[i].mask;
	if (mask == 0) {
		fprintf(stderr,
			"gossipd cert: unknown command \"%s\": create-ca, "
			"create-node, create-client or inspect\n",
			argv[1]);
		return 2;
	}
	a.cmd = argv[1];
	rc = parse_args(&a, mask, argc - 1, argv + 1);
	if (rc != 0)
		return rc;
	if (a.set[F_HELP]) {
		fputs(help_text, stdout);
		return 0;
	}
	switch (mask) {
	case C_CA:
		return cmd_create(&a, CERTGEN_CA);
	case C_NODE:
		return cmd_create(&a, CERTGEN_NODE);
	case C_CLIENT:
		return cmd_create(&a, CERTGEN_CLIENT);
	default:
		if (a.pos == NULL)
			return usage_error(&a, "which file? gossipd cert "
					       "inspect FILE");
		return cmd_inspect(&a);
	}
}
