/*
 * tls_creds: load and check the node's credentials as one immutable set
 * (SPEC.md section 5). Every error names the option and the file; nothing
 * here logs or exits: warnings go to the caller's callback.
 */
#include "tls_creds.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <mbedtls/error.h>
#include <mbedtls/platform_util.h>

#include "node_auth.h"
#include "pkcs.h"

#define MAX_CERT_FILE  (1024 * 1024)
#define MAX_CRL_FILE   (16 * 1024 * 1024)
#define MAX_TRUST_FILE (1024 * 1024)
#define MAX_TRUST_DIR  4096 /* files looked at in a trust directory */
#define MAX_TRUSTED    10000
#define MAX_CHAIN      16
#define MAX_DEPTH      10
#define MAX_SKIP_WARN  5
#define EXPIRY_WARN    (30 * 24 * 3600)
#define DEFAULT_TRUST  "/etc/ssl/certs"

#define OPT_CERT  "CertificateFile"
#define OPT_KEY	  "CertificatePrivateKeyFile"
#define OPT_TRUST "TrustedRootCertificatesPath"
#define OPT_CRL	  "CertificateRevocationListFile"
#define OPT_CN	  "CertificateReservedNodeCommonName"

struct load {
	const struct tls_creds_config *cfg;
	const char *trust_path;
	time_t now;
	tls_creds_warn_fn warn;
	void *warn_ctx;
	char *err;
	size_t errlen;
	struct tls_creds *c;
	/* the verified path of the own chain, node first, root last */
	const mbedtls_x509_crt *path[MAX_DEPTH];
	int path_len;
	int skipped; /* trust files skipped; only the first few are told */
};

static int errf(struct load *l, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static int
errf(struct load *l, const char *fmt, ...)
{
	va_list ap;

	if (l->err != NULL && l->errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(l->err, l->errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static void warnf(struct load *l, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void
warnf(struct load *l, const char *fmt, ...)
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

static void
mbed_reason(int ret, char *buf, size_t len)
{
	char tmp[128];

	mbedtls_strerror(ret, tmp, sizeof(tmp));
	snprintf(buf, len, "%s (-0x%04X)", tmp, (unsigned int)-ret);
}

/*
 * Reads a regular file of at most max bytes into a NUL-terminated buffer
 * (*len excludes the NUL). With private set, refuses a file that group or
 * others may access. Returns 0, or -1 with the reason in why.
 */
static int
read_file(const char *path, size_t max, bool private, unsigned char **buf,
	  size_t *len, char *why, size_t whylen)
{
	struct stat st;
	size_t got = 0;
	int fd;

	*buf = NULL;
	*len = 0;
	/* O_NONBLOCK: a FIFO must be refused, not waited on; for a regular
	 * file it changes nothing */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0 || fstat(fd, &st) != 0) {
		snprintf(why, whylen, "cannot open: %s", strerror(errno));
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(why, whylen, "not a regular file");
		goto fail;
	}
	if (private && (st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
		snprintf(why, whylen,
			 "permissions %04o are too open; run chmod 600 %s",
			 (unsigned int)(st.st_mode & 07777), path);
		goto fail;
	}
	if ((size_t)st.st_size > max) {
		snprintf(why, whylen, "larger than %zu bytes", max);
		goto fail;
	}
	*buf = malloc((size_t)st.st_size + 1);
	if (*buf == NULL) {
		snprintf(why, whylen, "out of memory");
		goto fail;
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, *buf + got, (size_t)st.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			snprintf(why, whylen, "read failed: %s",
				 n < 0 ? strerror(errno) : "file shrank");
			goto fail;
		}
		got += (size_t)n;
	}
	(*buf)[got] = '\0';
	*len = got;
	close(fd);
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	if (*buf != NULL) {
		mbedtls_platform_zeroize(*buf, (size_t)st.st_size + 1);
		free(*buf);
	}
	*buf = NULL;
	return -1;
}

static void
free_secret(unsigned char *buf, size_t len)
{
	if (buf != NULL) {
		mbedtls_platform_zeroize(buf, len + 1);
		free(buf);
	}
}

static bool
is_pem(const unsigned char *buf, size_t len)
{
	return memmem(buf, len, "-----BEGIN", 10) != NULL;
}

/* mbedTLS takes PEM with its terminating NUL and DER without. */
static size_t
pem_len(const unsigned char *buf, size_t len)
{
	return is_pem(buf, len) ? len + 1 : len;
}

static bool
self_signed(const mbedtls_x509_crt *c)
{
	return c->subject_raw.len == c->issuer_raw.len &&
	       memcmp(c->subject_raw.p, c->issuer_raw.p, c->issuer_raw.len) ==
		   0;
}

static void
subject_str(const mbedtls_x509_crt *c, char *buf, size_t len)
{
	if (mbedtls_x509_dn_gets(buf, len, &c->subject) < 0)
		snprintf(buf, len, "?");
}

static time_t
x509_time(const mbedtls_x509_time *t)
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

static void
date_str(const mbedtls_x509_time *t, char *buf, size_t len)
{
	snprintf(buf, len, "%04d-%02d-%02d %02d:%02d:%02d UTC", t->year, t->mon,
		 t->day, t->hour, t->min, t->sec);
}

/* Appends a password hint to a reason that is about a password. */
static const char *
password_hint(const char *reason, const char *option)
{
	return strstr(reason, "password") != NULL ? option : NULL;
}

static int
load_pem_pair(struct load *l)
{
	const struct tls_creds_config *cfg = l->cfg;
	unsigned char *buf = NULL;
	size_t len = 0;
	char why[256];
	int ret, n = 0;

	if (read_file(cfg->certificate_file, MAX_CERT_FILE, false, &buf, &len,
		      why, sizeof(why)) != 0)
		return errf(l, OPT_CERT " %s: %s", cfg->certificate_file, why);
	ret = mbedtls_x509_crt_parse(&l->c->chain, buf, pem_len(buf, len));
	free(buf);
	if (ret != 0) {
		if (ret > 0)
			snprintf(why, sizeof(why),
				 "%d certificate(s) in it "
				 "cannot be parsed",
				 ret);
		else
			mbed_reason(ret, why, sizeof(why));
		return errf(l, OPT_CERT " %s: %s", cfg->certificate_file, why);
	}
	for (const mbedtls_x509_crt *c = &l->c->chain; c != NULL; c = c->next)
		n++;
	if (n > MAX_CHAIN)
		return errf(l, OPT_CERT " %s: more than %d certificates",
			    cfg->certificate_file, MAX_CHAIN);

	if (read_file(cfg->private_key_file, PKCS_MAX_FILE, true, &buf, &len,
		      why, sizeof(why)) != 0)
		return errf(l, OPT_KEY " %s: %s", cfg->private_key_file, why);
	ret = pkcs_parse_key(&l->c->key, buf, len, cfg->private_key_password,
			     why, sizeof(why));
	free_secret(buf, len);
	if (ret != 0) {
		const char *hint =
		    password_hint(why, "CertificatePrivateKeyPassword");
		return errf(l, OPT_KEY " %s: %s%s%s%s", cfg->private_key_file,
			    why, hint ? " (" : "", hint ? hint : "",
			    hint ? ")" : "");
	}
	if (mbedtls_pk_check_pair(&l->c->chain.pk, &l->c->key) != 0)
		return errf(l,
			    OPT_KEY " %s: the key does not belong to the node "
				    "certificate (the first one in " OPT_CERT
				    " %s)",
			    cfg->private_key_file, cfg->certificate_file);
	return 0;
}

static int
load_pkcs12(struct load *l)
{
	const struct tls_creds_config *cfg = l->cfg;
	unsigned char *buf = NULL;
	size_t len = 0;
	char why[256];
	int ret;

	if (read_file(cfg->certificate_file, PKCS_MAX_FILE, true, &buf, &len,
		      why, sizeof(why)) != 0)
		return errf(l, OPT_CERT " %s: %s", cfg->certificate_file, why);
	if (is_pem(buf, len)) {
		free_secret(buf, len);
		return errf(l,
			    OPT_CERT " %s: a PEM file needs " OPT_KEY
				     " (without it, " OPT_CERT
				     " must be a PKCS#12 file)",
			    cfg->certificate_file);
	}
	ret = pkcs12_parse(buf, len, cfg->certificate_password, &l->c->chain,
			   &l->c->key, why, sizeof(why));
	free_secret(buf, len);
	if (ret != 0) {
		const char *hint = password_hint(why, "CertificatePassword");
		return errf(l, OPT_CERT " %s: PKCS#12: %s%s%s%s",
			    cfg->certificate_file, why, hint ? " (" : "",
			    hint ? hint : "", hint ? ")" : "");
	}
	return 0;
}

/* Certificates after the first in the bundle are intermediates: a root
 * among them belongs in the trust store. */
static int
check_bundle(struct load *l)
{
	mbedtls_pk_type_t t = mbedtls_pk_get_type(&l->c->key);
	char dn[256];
	int i = 1;

	if (t != MBEDTLS_PK_RSA && t != MBEDTLS_PK_ECKEY)
		return errf(
		    l, OPT_KEY " %s: only RSA and EC keys are supported",
		    l->cfg->private_key_file ? l->cfg->private_key_file
					     : l->cfg->certificate_file);
	for (const mbedtls_x509_crt *c = l->c->chain.next; c != NULL;
	     c = c->next) {
		i++;
		if (c->raw.p == NULL || !self_signed(c))
			continue;
		subject_str(c, dn, sizeof(dn));
		return errf(l,
			    OPT_CERT
			    " %s: certificate %d (\"%s\") is "
			    "self-signed: it is a root, move it to " OPT_TRUST,
			    l->cfg->certificate_file, i, dn);
	}
	return 0;
}

/* Adds every certificate of tmp to trusted unless it is already there. */
static int
add_trusted(struct load *l, const mbedtls_x509_crt *tmp)
{
	for (const mbedtls_x509_crt *c = tmp; c != NULL; c = c->next) {
		bool dup = false;
		if (c->raw.p == NULL)
			continue;
		for (const mbedtls_x509_crt *t = &l->c->trusted;
		     t != NULL && t->raw.p != NULL && !dup; t = t->next)
			dup = t->raw.len == c->raw.len &&
			      memcmp(t->raw.p, c->raw.p, c->raw.len) == 0;
		if (dup)
			continue;
		if (l->c->n_trusted >= MAX_TRUSTED)
			return errf(l,
				    OPT_TRUST " %s: more than %d certificates",
				    l->trust_path, MAX_TRUSTED);
		if (mbedtls_x509_crt_parse_der(&l->c->trusted, c->raw.p,
					       c->raw.len) == 0)
			l->c->n_trusted++;
	}
	return 0;
}

/* Loads one trust file; a file in a directory that fails is only a
 * warning, a single configured file that fails is an error. */
static int
load_trust_file(struct load *l, const char *path, bool in_dir)
{
	mbedtls_x509_crt tmp;
	unsigned char *buf = NULL;
	size_t len = 0;
	char why[256];
	int ret;

	mbedtls_x509_crt_init(&tmp);
	if (read_file(path, MAX_TRUST_FILE, false, &buf, &len, why,
		      sizeof(why)) != 0) {
		ret = -1;
	} else {
		ret = mbedtls_x509_crt_parse(&tmp, buf, pem_len(buf, len));
		if (ret < 0)
			mbed_reason(ret, why, sizeof(why));
		else if (ret > 0)
			snprintf(why, sizeof(why),
				 "%d certificate(s) cannot be parsed", ret);
		/* a partly readable PEM file still adds its good ones */
		if (ret >= 0 && add_trusted(l, &tmp) != 0) {
			free(buf);
			mbedtls_x509_crt_free(&tmp);
			return -1;
		}
	}
	free(buf);
	mbedtls_x509_crt_free(&tmp);
	if (ret != 0 && !in_dir)
		return errf(l, OPT_TRUST " %s: %s", path, why);
	if (ret != 0 && ++l->skipped <= MAX_SKIP_WARN)
		warnf(l, OPT_TRUST " %s: skipped %s: %s", l->trust_path, path,
		      why);
	return 0;
}

static bool
trust_name(const char *name)
{
	static const char *const exts[] = {".crt", ".cert", ".cer", ".pem",
					   ".der"};
	const char *dot = strrchr(name, '.');

	if (dot == NULL || name[0] == '.')
		return false;
	for (size_t i = 0; i < sizeof(exts) / sizeof(exts[0]); i++)
		if (strcasecmp(dot, exts[i]) == 0)
			return true;
	return false;
}

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
load_trust_dir(struct load *l, const char *dir)
{
	char **names = NULL, path[4096];
	size_t n = 0;
	struct dirent *de;
	DIR *d = opendir(dir);
	int ret = 0;

	if (d == NULL)
		return errf(l, OPT_TRUST " %s: cannot open: %s", dir,
			    strerror(errno));
	names = calloc(MAX_TRUST_DIR, sizeof(*names));
	if (names == NULL) {
		closedir(d);
		return errf(l, OPT_TRUST " %s: out of memory", dir);
	}
	while ((de = readdir(d)) != NULL && ret == 0) {
		if (!trust_name(de->d_name))
			continue;
		if (n >= MAX_TRUST_DIR)
			ret = errf(l,
				   OPT_TRUST " %s: more than %d certificate "
					     "files",
				   dir, MAX_TRUST_DIR);
		else if ((names[n] = strdup(de->d_name)) == NULL)
			ret = errf(l, OPT_TRUST " %s: out of memory", dir);
		else
			n++;
	}
	closedir(d);
	/* sorted, so that the order of the roots does not depend on the
	 * file system */
	qsort(names, n, sizeof(*names), cmp_names);
	for (size_t i = 0; i < n && ret == 0; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		ret = load_trust_file(l, path, true);
	}
	if (l->skipped > MAX_SKIP_WARN)
		warnf(l, OPT_TRUST " %s: %d more unreadable files skipped", dir,
		      l->skipped - MAX_SKIP_WARN);
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return ret;
}

static int
load_trust(struct load *l)
{
	struct stat st;
	const char *path = l->trust_path;
	int ret;

	if (stat(path, &st) != 0)
		return errf(l, OPT_TRUST " %s: %s", path, strerror(errno));
	if (S_ISDIR(st.st_mode))
		ret = load_trust_dir(l, path);
	else
		ret = load_trust_file(l, path, false);
	if (ret == 0 && l->c->n_trusted == 0)
		return errf(l,
			    OPT_TRUST " %s: no trusted certificate could be "
				      "loaded from it",
			    path);
	return ret;
}

static int
load_crl(struct load *l)
{
	const char *path = l->cfg->crl_file;
	unsigned char *buf = NULL;
	size_t len = 0;
	char why[256], date[64];
	int ret;

	if (path == NULL || path[0] == '\0')
		return 0;
	if (read_file(path, MAX_CRL_FILE, false, &buf, &len, why,
		      sizeof(why)) != 0)
		return errf(l, OPT_CRL " %s: %s", path, why);
	ret = mbedtls_x509_crl_parse(&l->c->crl, buf, pem_len(buf, len));
	free(buf);
	if (ret != 0) {
		mbed_reason(ret, why, sizeof(why));
		return errf(l, OPT_CRL " %s: %s", path, why);
	}
	l->c->have_crl = true;
	for (const mbedtls_x509_crl *c = &l->c->crl; c != NULL; c = c->next) {
		if (c->raw.p == NULL || c->next_update.year == 0 ||
		    x509_time(&c->next_update) > l->now)
			continue;
		date_str(&c->next_update, date, sizeof(date));
		warnf(l,
		      OPT_CRL " %s: its next update was due %s; peers whose "
			      "issuer it covers will be refused until it is "
			      "renewed",
		      path, date);
	}
	return 0;
}

/* A trusted certificate that the own chain ends at must be a root. */
static int
check_anchor(struct load *l)
{
	const mbedtls_x509_crt *top = &l->c->chain, *inter = NULL;
	char dn[256];

	while (top->next != NULL && top->next->raw.p != NULL)
		top = top->next;
	if (self_signed(top))
		return 0;
	for (const mbedtls_x509_crt *t = &l->c->trusted;
	     t != NULL && t->raw.p != NULL; t = t->next) {
		if (t->subject_raw.len != top->issuer_raw.len ||
		    memcmp(t->subject_raw.p, top->issuer_raw.p,
			   t->subject_raw.len) != 0)
			continue;
		if (self_signed(t))
			return 0;
		inter = t;
	}
	if (inter == NULL)
		return 0;
	subject_str(inter, dn, sizeof(dn));
	return errf(l,
		    OPT_TRUST " %s: \"%s\" is not self-signed: it is an "
			      "intermediate, append it to " OPT_CERT
			      " %s after the node certificate",
		    l->trust_path, dn, l->cfg->certificate_file);
}

const char *
tls_creds_flags_reason(uint32_t flags)
{
	if (flags & MBEDTLS_X509_BADCERT_REVOKED)
		return "certificate has been revoked";
	if (flags & MBEDTLS_X509_BADCERT_EXPIRED)
		return "certificate has expired";
	if (flags & MBEDTLS_X509_BADCERT_FUTURE)
		return "certificate is not yet valid";
	if (flags & MBEDTLS_X509_BADCERT_NOT_TRUSTED)
		return "certificate is not signed by a trusted CA";
	if (flags & (MBEDTLS_X509_BADCERT_BAD_MD | MBEDTLS_X509_BADCERT_BAD_PK |
		     MBEDTLS_X509_BADCERT_BAD_KEY))
		return "certificate uses a weak or unsupported algorithm or "
		       "key";
	if (flags & MBEDTLS_X509_BADCRL_EXPIRED)
		return "the CRL of its issuer is past its next update";
	if (flags &
	    (MBEDTLS_X509_BADCRL_FUTURE | MBEDTLS_X509_BADCRL_NOT_TRUSTED |
	     MBEDTLS_X509_BADCRL_BAD_MD | MBEDTLS_X509_BADCRL_BAD_PK |
	     MBEDTLS_X509_BADCRL_BAD_KEY))
		return "the CRL of its issuer is not valid";
	if (flags & (MBEDTLS_X509_BADCERT_KEY_USAGE |
		     MBEDTLS_X509_BADCERT_EXT_KEY_USAGE |
		     MBEDTLS_X509_BADCERT_NS_CERT_TYPE))
		return "a CA certificate in the chain is not allowed to sign "
		       "certificates";
	return "certificate verification failed";
}

static int
collect_path(void *ctx, mbedtls_x509_crt *crt, int depth, uint32_t *flags)
{
	struct load *l = ctx;

	(void)flags;
	if (depth >= 0 && depth < MAX_DEPTH) {
		l->path[depth] = crt;
		if (depth + 1 > l->path_len)
			l->path_len = depth + 1;
	}
	return 0;
}

static int
verify_own(struct load *l)
{
	const mbedtls_x509_crt *top = &l->c->chain;
	mbedtls_x509_crl *crl = l->c->have_crl ? &l->c->crl : NULL;
	uint32_t flags = 0;
	char dn[256], why[256];
	int ret;

	l->path_len = 0;
	ret = mbedtls_x509_crt_verify(&l->c->chain, &l->c->trusted, crl, NULL,
				      &flags, collect_path, l);
	/* validity is judged below against the caller's clock */
	flags &= ~(uint32_t)(MBEDTLS_X509_BADCERT_EXPIRED |
			     MBEDTLS_X509_BADCERT_FUTURE);
	if (ret == 0 ||
	    (ret == MBEDTLS_ERR_X509_CERT_VERIFY_FAILED && flags == 0))
		return 0;
	if (flags == 0) {
		mbed_reason(ret, why, sizeof(why));
		return errf(l, OPT_CERT " %s: chain verification failed: %s",
			    l->cfg->certificate_file, why);
	}
	while (top->next != NULL && top->next->raw.p != NULL)
		top = top->next;
	if (mbedtls_x509_dn_gets(dn, sizeof(dn), &top->issuer) < 0)
		snprintf(dn, sizeof(dn), "?");
	if (flags & MBEDTLS_X509_BADCERT_NOT_TRUSTED)
		return errf(l,
			    OPT_CERT " %s: the node certificate chain does not "
				     "lead to a root in " OPT_TRUST
				     " %s: the issuer \"%s\" is in neither "
				     "(intermediates go into " OPT_CERT
				     " after the node certificate, roots "
				     "into " OPT_TRUST ")",
			    l->cfg->certificate_file, l->trust_path, dn);
	return errf(l,
		    OPT_CERT " %s: the node certificate chain does not "
			     "verify: %s",
		    l->cfg->certificate_file, tls_creds_flags_reason(flags));
}

/* Validity of every certificate on the verified path, against now. */
static int
check_times(struct load *l)
{
	char dn[256], what[300], date[64];

	l->c->own_not_after = x509_time(&l->c->chain.valid_to);
	l->c->ca_not_after = l->c->own_not_after;
	for (int i = 0; i < l->path_len; i++) {
		const mbedtls_x509_crt *c = l->path[i];
		if (c == NULL)
			continue;
		time_t from = x509_time(&c->valid_from);
		time_t to = x509_time(&c->valid_to);
		if (i == 0) {
			snprintf(what, sizeof(what), "the node certificate");
		} else {
			subject_str(c, dn, sizeof(dn));
			snprintf(what, sizeof(what), "CA certificate \"%s\"",
				 dn);
			if (i == 1 || to < l->c->ca_not_after)
				l->c->ca_not_after = to;
		}
		if (to <= l->now) {
			date_str(&c->valid_to, date, sizeof(date));
			return errf(l, OPT_CERT " %s: %s expired on %s",
				    l->cfg->certificate_file, what, date);
		}
		if (from > l->now) {
			date_str(&c->valid_from, date, sizeof(date));
			return errf(l,
				    OPT_CERT " %s: %s is not valid before %s",
				    l->cfg->certificate_file, what, date);
		}
		if (to - l->now < EXPIRY_WARN) {
			date_str(&c->valid_to, date, sizeof(date));
			warnf(l,
			      OPT_CERT " %s: %s expires on %s (in %lld days)",
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

static int
check_names(struct load *l)
{
	const struct tls_creds_config *cfg = l->cfg;
	struct tls_creds *c = l->c;
	char reason[512], sans[512];

	if (node_auth_subject_cn(&c->chain, c->own_cn, sizeof(c->own_cn)) != 0)
		return errf(l,
			    OPT_CERT " %s: the node certificate has no "
				     "usable subject CN",
			    cfg->certificate_file);
	if (cfg->reserved_node_cn == NULL || cfg->reserved_node_cn[0] == '\0') {
		snprintf(c->reserved_cn, sizeof(c->reserved_cn), "%s",
			 c->own_cn);
		c->reserved_cn_is_auto = true;
		warnf(l,
		      "reserved node CN auto-configured from own certificate: "
		      "%s",
		      c->own_cn);
	} else {
		if (strlen(cfg->reserved_node_cn) >= sizeof(c->reserved_cn))
			return errf(l, OPT_CN " is longer than %zu characters",
				    sizeof(c->reserved_cn) - 1);
		snprintf(c->reserved_cn, sizeof(c->reserved_cn), "%s",
			 cfg->reserved_node_cn);
		if (!node_auth_cn_match(c->reserved_cn, c->own_cn))
			return errf(l,
				    OPT_CN " \"%s\" does not match the CN "
					   "\"%s\" of the node certificate in "
					   "" OPT_CERT " %s",
				    c->reserved_cn, c->own_cn,
				    cfg->certificate_file);
	}
	if (node_auth_verdict(&c->chain, c->reserved_cn, reason,
			      sizeof(reason)) != ID_NODE)
		return errf(l,
			    OPT_CERT " %s: other nodes would not accept this "
				     "node certificate: %s",
			    cfg->certificate_file, reason);
	if (cfg->advertised_host == NULL || cfg->advertised_host[0] == '\0' ||
	    node_auth_san_match(&c->chain, cfg->advertised_host))
		return 0;
	san_list(&c->chain, sans, sizeof(sans));
	if (cfg->listens_on_wildcard) {
		warnf(l,
		      OPT_CERT " %s: the node certificate has no subject "
			       "alternative name for the advertised host "
			       "\"%s\" (it has %s)",
		      cfg->certificate_file, cfg->advertised_host, sans);
		return 0;
	}
	return errf(l,
		    OPT_CERT " %s: the node certificate has no subject "
			     "alternative name for the advertised host \"%s\" "
			     "(it has %s)",
		    cfg->certificate_file, cfg->advertised_host, sans);
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
	struct load l;
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
		return errf(&l, OPT_CERT " is not set");
	l.trust_path = cfg->trusted_roots_path != NULL &&
			       cfg->trusted_roots_path[0] != '\0'
			   ? cfg->trusted_roots_path
			   : DEFAULT_TRUST;
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return errf(&l, "out of memory");
	mbedtls_x509_crt_init(&c->chain);
	mbedtls_pk_init(&c->key);
	mbedtls_x509_crt_init(&c->trusted);
	mbedtls_x509_crl_init(&c->crl);
	c->refs = 1;
	l.c = c;

	if (cfg->private_key_file != NULL && cfg->private_key_file[0] != '\0')
		ret = load_pem_pair(&l);
	else
		ret = load_pkcs12(&l);
	if (ret == 0)
		ret = check_bundle(&l);
	if (ret == 0)
		ret = load_trust(&l);
	if (ret == 0)
		ret = load_crl(&l);
	if (ret == 0)
		ret = check_anchor(&l);
	if (ret == 0)
		ret = verify_own(&l);
	if (ret == 0)
		ret = check_times(&l);
	if (ret == 0)
		ret = check_names(&l);
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

int
tls_creds_verify_peer(const struct tls_creds *c, mbedtls_x509_crt *peer,
		      char *err, size_t errlen)
{
	uint32_t flags = 0;
	char why[160];
	int ret;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (c == NULL || peer == NULL || peer->raw.p == NULL) {
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "no certificate");
		return -1;
	}
	/* mbedTLS takes the trust list and CRL as non-const but only
	 * reads them, so a shared set may be used from many threads. */
	ret = mbedtls_x509_crt_verify(peer, (mbedtls_x509_crt *)&c->trusted,
				      c->have_crl ? (mbedtls_x509_crl *)&c->crl
						  : NULL,
				      NULL, &flags, NULL, NULL);
	if (ret == 0)
		return 0;
	if (flags != 0)
		snprintf(why, sizeof(why), "%s", tls_creds_flags_reason(flags));
	else
		mbed_reason(ret, why, sizeof(why));
	if (err != NULL && errlen > 0)
		snprintf(err, errlen, "%s", why);
	return -1;
}
