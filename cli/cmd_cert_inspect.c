/*
 * gossipd cert inspect: each certificate of a file, and whether the first
 * one would be admitted as a node (SPEC.md section 4).
 */
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>

#include "cert_file.h"
#include "tls_creds_int.h"
#include "certflags.h"
#include "certgen.h"
#include "cmd_cert_int.h"
#include "node_auth.h"

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

/* The node verdict of the first certificate: validity, chain (with a
 * CA), the CN, SAN and key usage rules. Returns true when admitted. */
static bool
print_verdict(const mbedtls_x509_crt *crt, struct cert_args *a,
	      mbedtls_x509_crt *trust)
{
	char cn[256], reason[512];
	const char *pattern =
	    a->set[F_RESERVED_CN] ? a->val[F_RESERVED_CN] : NULL;
	uint32_t vflags = 0;
	bool ok;

	if (node_auth_subject_cn(crt, cn, sizeof(cn)) == 0)
		printf("CN:              %s\n", cn);
	else
		printf("CN:              (none)\n");
	if (trust != NULL) {
		if (mbedtls_x509_crt_verify((mbedtls_x509_crt *)crt, trust,
					    NULL, NULL, &vflags, NULL,
					    NULL) == 0) {
			printf("chain:           verifies to %s\n",
			       a->val[F_CA_CERT]);
		} else {
			certflags_describe(vflags, reason, sizeof(reason));
			printf("chain:           does not verify to %s: %s\n",
			       a->val[F_CA_CERT], reason);
		}
	} else
		printf("chain:           not checked (give -ca-certificate)\n");
	ok =
	    cert_file_node_verdict(crt, trust, pattern, reason, sizeof(reason));
	if (ok)
		printf(
		    "node:            yes, admitted as a node by the CN, SAN "
		    "and key usage rules (reserved node CN \"%s\"); valid "
		    "now%s\n",
		    pattern != NULL ? pattern : cn,
		    trust != NULL ? ", chain verifies" : "");
	else
		printf("node:            no, %s\n", reason);
	return ok;
}

static void
print_crl(const mbedtls_x509_crl *crl)
{
	const mbedtls_x509_crl_entry *e;
	char buf[1024], date[40];
	size_t n = 0;

	if (mbedtls_x509_dn_gets(buf, sizeof(buf), &crl->issuer) < 0)
		snprintf(buf, sizeof(buf), "(unprintable)");
	printf("CRL issuer:      %s\n", buf);
	tls_creds_date_str(&crl->this_update, date, sizeof(date));
	printf("this update:     %s\n", date);
	tls_creds_date_str(&crl->next_update, date, sizeof(date));
	printf("next update:     %s%s\n", date,
	       mbedtls_x509_time_is_past(&crl->next_update)
		   ? " (passed: the CRL is stale)"
		   : "");
	for (e = &crl->entry; e != NULL && e->raw.p != NULL; e = e->next)
		n++;
	printf("revoked:         %zu certificate%s\n", n, n == 1 ? "" : "s");
	for (e = &crl->entry; e != NULL && e->raw.p != NULL; e = e->next) {
		if (mbedtls_x509_serial_gets(buf, sizeof(buf), &e->serial) < 0)
			snprintf(buf, sizeof(buf), "(unprintable)");
		tls_creds_date_str(&e->revocation_date, date, sizeof(date));
		printf("  serial %s, revoked %s\n", buf, date);
	}
}

/* The trust for the chain check: a CA file or a directory of them. */
static int
load_trust(mbedtls_x509_crt *trust, const char *path, char *err, size_t errlen)
{
	struct stat st;
	int ret;

	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		ret = mbedtls_x509_crt_parse_path(trust, path);
		if (ret < 0 || trust->raw.p == NULL) {
			snprintf(err, errlen,
				 "no CA certificate could be read from %s",
				 path);
			return -1;
		}
		return 0;
	}
	return certgen_crt_load(trust, path, "CA certificate", err, errlen);
}

int
cmd_cert_inspect(struct cert_args *a)
{
	struct cert_file f;
	mbedtls_x509_crt trust;
	const mbedtls_x509_crt *c;
	char err[512];
	int n = 0, rc = 1;

	mbedtls_x509_crt_init(&trust);
	if (cert_file_load(&f, a->pos, a->val[F_PASSWORD], err, sizeof(err)) !=
	    0) {
		fprintf(stderr, "gossipd cert inspect: %s\n", err);
		mbedtls_x509_crt_free(&trust);
		return 1;
	}
	if (a->set[F_CA_CERT] &&
	    load_trust(&trust, a->val[F_CA_CERT], err, sizeof(err)) != 0) {
		fprintf(stderr, "gossipd cert inspect: %s\n", err);
		goto out;
	}
	switch (f.kind) {
	case CF_NONE:
		fprintf(stderr,
			"gossipd cert inspect: %s holds no certificate, "
			"PKCS#12, CRL or private key that can be read\n",
			a->pos);
		goto out;
	case CF_LOCKED_P12:
		fprintf(stderr,
			"gossipd cert inspect: %s is a PKCS#12 file: %s%s\n",
			a->pos, f.why,
			a->set[F_PASSWORD] ? ""
					   : " (the password is missing: give "
					     "-password)");
		goto out;
	case CF_LOCKED_KEY:
		fprintf(stderr,
			"gossipd cert inspect: %s is a private key: %s\n",
			a->pos, f.why);
		goto out;
	case CF_KEY:
		printf("file:            %s\n", a->pos);
		printf("private key:     %s, %zu bits\n",
		       mbedtls_pk_get_name(&f.pk),
		       mbedtls_pk_get_bitlen(&f.pk));
		rc = 0;
		goto out;
	case CF_CRL:
		printf("file:            %s\n", a->pos);
		print_crl(&f.crl);
		rc = 0;
		goto out;
	case CF_CERT:
	case CF_PKCS12:
		break;
	}
	printf("file:            %s%s\n", a->pos,
	       f.kind == CF_PKCS12 ? " (PKCS#12)" : "");
	if (f.kind == CF_PKCS12)
		printf("private key:     %s, %zu bits, %s the first "
		       "certificate\n",
		       mbedtls_pk_get_name(&f.pk), mbedtls_pk_get_bitlen(&f.pk),
		       mbedtls_pk_check_pair(&f.chain.pk, &f.pk) == 0
			   ? "matches"
			   : "DOES NOT MATCH");
	for (c = &f.chain; c != NULL && c->raw.p != NULL; c = c->next) {
		printf("certificate %d:\n", ++n);
		print_crt(c);
	}
	rc = print_verdict(&f.chain, a, a->set[F_CA_CERT] ? &trust : NULL) ? 0
									   : 3;
out:
	cert_file_free(&f);
	mbedtls_x509_crt_free(&trust);
	return rc;
}
