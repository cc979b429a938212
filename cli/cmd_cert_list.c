/*
 * gossipd cert list DIR: one row per certificate, key, PKCS#12 file and
 * CRL found in a directory (not recursive), with kind, subject, SANs,
 * issuer, expiry and problems, in the manner of "cockroach cert list".
 * Chains are checked against the CA certificates found in DIR (or
 * -ca-certificate); keys are matched to the certificates of DIR.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <mbedtls/oid.h>

#include "cert_file.h"
#include "tls_creds_int.h"
#include "certflags.h"
#include "certgen.h"
#include "cmd_cert_int.h"
#include "node_auth.h"

#define MAX_FILES 256
#define SOON_DAYS 30

struct entry {
	char name[256];
	struct cert_file f;
	char problems[512];
};

static void
add_problem(struct entry *e, const char *text)
{
	size_t n = strlen(e->problems);

	snprintf(e->problems + n, sizeof(e->problems) - n, "%s%s",
		 n > 0 ? "; " : "", text);
}

static long long
days_left(const mbedtls_x509_time *t)
{
	return ((long long)tls_creds_x509_time(t) - (long long)time(NULL)) /
	       86400;
}

static const char *
crt_kind(const mbedtls_x509_crt *crt)
{
	char cn[256], why[256];

	if (crt->ca_istrue)
		return "CA";
	if (node_auth_subject_cn(crt, cn, sizeof(cn)) == 0 &&
	    node_auth_cn_match(cn, cn) &&
	    node_auth_verdict(crt, cn, why, sizeof(why)) == ID_NODE)
		return "node";
	if (crt->ext_types & MBEDTLS_X509_EXT_EXTENDED_KEY_USAGE &&
	    mbedtls_x509_crt_check_extended_key_usage(
		crt, MBEDTLS_OID_CLIENT_AUTH,
		MBEDTLS_OID_SIZE(MBEDTLS_OID_CLIENT_AUTH)) == 0)
		return "client";
	return "cert";
}

static void
cn_of(const mbedtls_x509_name *dn, char *buf, size_t len)
{
	const mbedtls_x509_name *n;

	snprintf(buf, len, "-");
	for (n = dn; n != NULL; n = n->next)
		if (MBEDTLS_OID_CMP(MBEDTLS_OID_AT_CN, &n->oid) == 0)
			snprintf(buf, len, "%.*s", (int)n->val.len,
				 (const char *)n->val.p);
}

/* The problems of one certificate: validity, expiry soon, chain. */
static void
crt_problems(struct entry *e, const mbedtls_x509_crt *crt,
	     mbedtls_x509_crt *trust)
{
	long long days = days_left(&crt->valid_to);
	uint32_t flags = 0;
	char text[600], reason[512];

	if (mbedtls_x509_time_is_past(&crt->valid_to))
		add_problem(e, "EXPIRED");
	else if (mbedtls_x509_time_is_future(&crt->valid_from))
		add_problem(e, "not valid yet");
	else if (days < SOON_DAYS) {
		snprintf(text, sizeof(text), "expires in %lld days", days);
		add_problem(e, text);
	}
	if (trust != NULL && trust->raw.p != NULL &&
	    mbedtls_x509_crt_verify((mbedtls_x509_crt *)crt, trust, NULL, NULL,
				    &flags, NULL, NULL) != 0 &&
	    (flags & ~(uint32_t)(MBEDTLS_X509_BADCERT_EXPIRED |
				 MBEDTLS_X509_BADCERT_FUTURE)) != 0) {
		certflags_describe(
		    flags & ~(uint32_t)(MBEDTLS_X509_BADCERT_EXPIRED |
					MBEDTLS_X509_BADCERT_FUTURE),
		    reason, sizeof(reason));
		snprintf(text, sizeof(text), "chain: %s", reason);
		add_problem(e, text);
	}
}

/* Is there a certificate in the list whose public key is pk's? */
static const char *
key_owner(const struct entry *all, size_t n, const mbedtls_pk_context *pk)
{
	size_t i;

	for (i = 0; i < n; i++) {
		const mbedtls_x509_crt *c;

		if (all[i].f.kind != CF_CERT && all[i].f.kind != CF_PKCS12)
			continue;
		for (c = &all[i].f.chain; c != NULL && c->raw.p != NULL;
		     c = c->next)
			if (mbedtls_pk_check_pair(&c->pk, pk) == 0)
				return all[i].name;
	}
	return NULL;
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(((const struct entry *)a)->name,
		      ((const struct entry *)b)->name);
}

struct cells {
	char c[7][320];
};

static void
print_table(const struct cells *rows, size_t n)
{
	int w[7] = {0};
	size_t i, j;

	for (i = 0; i < n; i++)
		for (j = 0; j < 7; j++)
			if ((int)strlen(rows[i].c[j]) > w[j])
				w[j] = (int)strlen(rows[i].c[j]);
	for (i = 0; i < n; i++) {
		for (j = 0; j < 6; j++)
			printf("%-*s  ", w[j], rows[i].c[j]);
		printf("%s\n", rows[i].c[6]);
	}
}

/* One row per certificate of a file, or one for a key or CRL. */
static size_t
rows_of(const struct entry *e, const struct entry *all, size_t n_all,
	struct cells *out, size_t max)
{
	const mbedtls_x509_crt *c;
	size_t n = 0;
	char date[40];

	if (e->f.kind == CF_CERT || e->f.kind == CF_PKCS12) {
		for (c = &e->f.chain; c != NULL && c->raw.p != NULL && n < max;
		     c = c->next, n++) {
			struct cells *r = &out[n];

			snprintf(r->c[0], sizeof(r->c[0]), "%s%s", e->name,
				 c != &e->f.chain ? " (chain)" : "");
			snprintf(r->c[1], sizeof(r->c[1]), "%s%s",
				 e->f.kind == CF_PKCS12 ? "pkcs12 " : "",
				 crt_kind(c));
			cn_of(&c->subject, r->c[2], sizeof(r->c[2]));
			certgen_describe_sans(c, r->c[3], sizeof(r->c[3]));
			cn_of(&c->issuer, r->c[4], sizeof(r->c[4]));
			tls_creds_date_str(&c->valid_to, date, sizeof(date));
			snprintf(r->c[5], sizeof(r->c[5]), "%.10s (%lldd)",
				 date, days_left(&c->valid_to));
			snprintf(r->c[6], sizeof(r->c[6]), "%s",
				 c == &e->f.chain && e->problems[0] != '\0'
				     ? e->problems
				     : "-");
		}
		return n;
	}
	if (max == 0)
		return 0;
	memset(&out[0], 0, sizeof(out[0]));
	snprintf(out[0].c[0], sizeof(out[0].c[0]), "%s", e->name);
	for (int j = 2; j < 6; j++)
		snprintf(out[0].c[j], sizeof(out[0].c[j]), "-");
	if (e->f.kind == CF_CRL) {
		snprintf(out[0].c[1], sizeof(out[0].c[1]), "CRL");
		cn_of(&e->f.crl.issuer, out[0].c[4], sizeof(out[0].c[4]));
		tls_creds_date_str(&e->f.crl.next_update, date, sizeof(date));
		snprintf(out[0].c[5], sizeof(out[0].c[5]),
			 "%.10s (next update)", date);
	} else if (e->f.kind == CF_KEY) {
		const char *owner = key_owner(all, n_all, &e->f.pk);

		snprintf(out[0].c[1], sizeof(out[0].c[1]), "key %s-%zu",
			 mbedtls_pk_get_name(&e->f.pk),
			 mbedtls_pk_get_bitlen(&e->f.pk));
		snprintf(out[0].c[2], sizeof(out[0].c[2]), "%s%s",
			 owner != NULL ? "for " : "-",
			 owner != NULL ? owner : "");
	} else {
		snprintf(out[0].c[1], sizeof(out[0].c[1]), "%s",
			 e->f.kind == CF_LOCKED_P12 ? "pkcs12" : "key");
	}
	snprintf(out[0].c[6], sizeof(out[0].c[6]), "%s",
		 e->problems[0] != '\0' ? e->problems : "-");
	return 1;
}

/* Problems of keys, CRLs and locked files (certificates: crt_problems). */
static void
other_problems(struct entry *e, const struct entry *all, size_t n,
	       const char *dir)
{
	char path[4096];
	struct stat st;

	if (e->f.kind == CF_KEY && key_owner(all, n, &e->f.pk) == NULL)
		add_problem(e, "no certificate in the directory for this key");
	if (e->f.kind == CF_KEY || e->f.kind == CF_LOCKED_KEY ||
	    e->f.kind == CF_PKCS12 || e->f.kind == CF_LOCKED_P12) {
		snprintf(path, sizeof(path), "%s/%s", dir, e->name);
		if (stat(path, &st) == 0 && (st.st_mode & 077) != 0)
			add_problem(e, "readable by group or others (chmod "
				       "600)");
	}
	if (e->f.kind == CF_LOCKED_P12 || e->f.kind == CF_LOCKED_KEY) {
		char text[300];

		snprintf(text, sizeof(text), "%s (give -password)", e->f.why);
		add_problem(e, text);
	}
	if (e->f.kind == CF_CRL &&
	    mbedtls_x509_time_is_past(&e->f.crl.next_update))
		add_problem(e, "stale: its next update has passed");
}

int
cmd_cert_list(struct cert_args *a)
{
	struct entry *all = calloc(MAX_FILES, sizeof(*all));
	mbedtls_x509_crt trust;
	struct cells *rows = NULL;
	struct dirent *de;
	size_t n = 0, i, nr = 0, with_problems = 0, skipped = 0;
	char path[4096], err[512];
	DIR *dir;
	int rc = 1;

	mbedtls_x509_crt_init(&trust);
	dir = opendir(a->pos);
	if (all == NULL || dir == NULL) {
		fprintf(stderr, "gossipd cert list: cannot read %s: %s\n",
			a->pos,
			all == NULL ? "out of memory" : strerror(errno));
		goto out;
	}
	while ((de = readdir(dir)) != NULL && n < MAX_FILES) {
		struct stat st;

		snprintf(path, sizeof(path), "%s/%s", a->pos, de->d_name);
		if (de->d_name[0] == '.' || stat(path, &st) != 0 ||
		    !S_ISREG(st.st_mode))
			continue;
		snprintf(all[n].name, sizeof(all[n].name), "%s", de->d_name);
		if (cert_file_load(&all[n].f, path, a->val[F_PASSWORD], err,
				   sizeof(err)) != 0) {
			fprintf(stderr, "gossipd cert list: %s\n", err);
			continue;
		}
		if (all[n].f.kind == CF_NONE) {
			cert_file_free(&all[n].f);
			skipped++;
			continue;
		}
		n++;
	}
	closedir(dir);
	qsort(all, n, sizeof(*all), by_name);
	/* The trust for chains: -ca-certificate, else the CAs found. */
	if (a->set[F_CA_CERT]) {
		if (certgen_crt_load(&trust, a->val[F_CA_CERT],
				     "CA certificate", err, sizeof(err)) != 0) {
			fprintf(stderr, "gossipd cert list: %s\n", err);
			goto out;
		}
	} else {
		for (i = 0; i < n; i++)
			if (all[i].f.kind == CF_CERT &&
			    all[i].f.chain.ca_istrue &&
			    all[i].f.chain.next == NULL)
				mbedtls_x509_crt_parse_der(
				    &trust, all[i].f.chain.raw.p,
				    all[i].f.chain.raw.len);
	}
	for (i = 0; i < n; i++) {
		if (all[i].f.kind == CF_CERT || all[i].f.kind == CF_PKCS12)
			crt_problems(&all[i], &all[i].f.chain, &trust);
		other_problems(&all[i], all, n, a->pos);
		with_problems += all[i].problems[0] != '\0';
	}
	rows = calloc(MAX_FILES * 4 + 1, sizeof(*rows));
	if (rows == NULL)
		goto out;
	snprintf(rows[0].c[0], sizeof(rows[0].c[0]), "FILE");
	snprintf(rows[0].c[1], sizeof(rows[0].c[1]), "KIND");
	snprintf(rows[0].c[2], sizeof(rows[0].c[2]), "SUBJECT CN");
	snprintf(rows[0].c[3], sizeof(rows[0].c[3]), "SANS");
	snprintf(rows[0].c[4], sizeof(rows[0].c[4]), "ISSUER CN");
	snprintf(rows[0].c[5], sizeof(rows[0].c[5]), "EXPIRES");
	snprintf(rows[0].c[6], sizeof(rows[0].c[6]), "PROBLEMS");
	nr = 1;
	for (i = 0; i < n; i++)
		nr +=
		    rows_of(&all[i], all, n, rows + nr, MAX_FILES * 4 + 1 - nr);
	print_table(rows, nr);
	printf("%zu file%s%s", n, n == 1 ? "" : "s",
	       with_problems > 0 ? "" : ", no problems");
	if (with_problems > 0)
		printf(", %zu with problems", with_problems);
	if (skipped > 0)
		printf(" (%zu other file%s skipped)", skipped,
		       skipped == 1 ? "" : "s");
	printf("\n");
	rc = with_problems > 0 ? 3 : 0;
out:
	for (i = 0; all != NULL && i < n; i++)
		cert_file_free(&all[i].f);
	mbedtls_x509_crt_free(&trust);
	free(rows);
	free(all);
	return rc;
}
