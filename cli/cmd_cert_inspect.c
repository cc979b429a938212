/*
 * gossipd cert inspect: each certificate of a file, and whether the first
 * one would be admitted as a node (SPEC.md section 4).
 */
#include <stdint.h>
#include <stdio.h>

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

/* Rules 2-4 of SPEC.md section 4 for the first certificate, and rule 1's
 * chain when a CA is given. */
static void
print_verdict(const mbedtls_x509_crt *crt, struct cert_args *a,
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
			certflags_describe(vflags, reason, sizeof(reason));
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

int
cmd_cert_inspect(struct cert_args *a)
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
