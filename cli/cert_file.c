/*
 * cert_file: what a certificate-ish file holds. See cert_file.h.
 */
#include "cert_file.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "certflags.h"
#include "node_auth.h"
#include "pkcs.h"

static int
read_file(const char *path, unsigned char **out, size_t *len, char *err,
	  size_t errlen)
{
	FILE *fp = fopen(path, "rb");
	unsigned char *buf;
	size_t n;

	if (fp == NULL) {
		snprintf(err, errlen, "cannot read %s: %s", path,
			 strerror(errno));
		return -1;
	}
	buf = malloc(PKCS_MAX_FILE + 2);
	if (buf == NULL) {
		fclose(fp);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	n = fread(buf, 1, PKCS_MAX_FILE + 1, fp);
	if (ferror(fp) || n > PKCS_MAX_FILE) {
		snprintf(err, errlen, "%s: %s", path,
			 ferror(fp) ? "read error" : "larger than 1 MiB");
		fclose(fp);
		free(buf);
		return -1;
	}
	fclose(fp);
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
}

int
cert_file_load(struct cert_file *f, const char *path, const char *password,
	       char *err, size_t errlen)
{
	unsigned char *buf;
	size_t len, plen;
	bool pem;
	char why[256];

	memset(f, 0, sizeof(*f));
	mbedtls_x509_crt_init(&f->chain);
	mbedtls_x509_crl_init(&f->crl);
	mbedtls_pk_init(&f->pk);
	if (read_file(path, &buf, &len, err, errlen) != 0)
		return -1;
	pem = strstr((const char *)buf, "-----BEGIN ") != NULL;
	plen = pem ? len + 1 : len;
	if (len == 0) {
		f->kind = CF_NONE;
	} else if ((!pem ||
		    strstr((char *)buf, "-----BEGIN CERTIFICATE") != NULL) &&
		   mbedtls_x509_crt_parse(&f->chain, buf, plen) == 0) {
		f->kind = CF_CERT;
	} else if ((!pem ||
		    strstr((char *)buf, "-----BEGIN X509 CRL") != NULL) &&
		   mbedtls_x509_crl_parse(&f->crl, buf, plen) == 0) {
		f->kind = CF_CRL;
	} else if (pem && strstr((char *)buf, "PRIVATE KEY-----") != NULL) {
		mbedtls_pk_free(&f->pk);
		mbedtls_pk_init(&f->pk);
		if (pkcs_parse_key(&f->pk, buf, len, password, why,
				   sizeof(why)) == 0) {
			f->kind = CF_KEY;
		} else {
			f->kind = CF_LOCKED_KEY;
			snprintf(f->why, sizeof(f->why), "%s", why);
		}
	} else if (!pem) {
		mbedtls_x509_crt_free(&f->chain);
		mbedtls_x509_crt_init(&f->chain);
		if (pkcs12_parse(buf, len, password, &f->chain, &f->pk, why,
				 sizeof(why)) == 0) {
			f->kind = CF_PKCS12;
		} else if (strstr(why, "wrong password") != NULL) {
			f->kind = CF_LOCKED_P12;
			snprintf(f->why, sizeof(f->why), "%s", why);
		} else {
			mbedtls_pk_free(&f->pk);
			mbedtls_pk_init(&f->pk);
			if (pkcs_parse_key(&f->pk, buf, len, password, why,
					   sizeof(why)) == 0)
				f->kind = CF_KEY;
		}
	}
	mbedtls_platform_zeroize(buf, len);
	free(buf);
	return 0;
}

void
cert_file_free(struct cert_file *f)
{
	mbedtls_x509_crt_free(&f->chain);
	mbedtls_x509_crl_free(&f->crl);
	mbedtls_pk_free(&f->pk);
}

bool
cert_file_node_verdict(const mbedtls_x509_crt *crt, mbedtls_x509_crt *trust,
		       const char *pattern, char *why, size_t len)
{
	char cn[256], reason[512];
	uint32_t vflags = 0;

	if (mbedtls_x509_time_is_past(&crt->valid_to)) {
		snprintf(why, len, "the certificate has expired");
		return false;
	}
	if (mbedtls_x509_time_is_future(&crt->valid_from)) {
		snprintf(why, len, "the certificate is not valid yet");
		return false;
	}
	if (trust != NULL &&
	    mbedtls_x509_crt_verify((mbedtls_x509_crt *)crt, trust, NULL, NULL,
				    &vflags, NULL, NULL) != 0) {
		certflags_describe(vflags, reason, sizeof(reason));
		snprintf(why, len, "the chain does not verify: %s", reason);
		return false;
	}
	if (node_auth_subject_cn(crt, cn, sizeof(cn)) != 0) {
		snprintf(why, len,
			 "the certificate has no (single) subject CN");
		return false;
	}
	if (pattern == NULL && !node_auth_cn_match(cn, cn)) {
		snprintf(why, len,
			 "the CN \"%s\" is not a host name or IP address, so "
			 "no reserved node CN matches it",
			 cn);
		return false;
	}
	if (node_auth_verdict(crt, pattern != NULL ? pattern : cn, reason,
			      sizeof(reason)) != ID_NODE) {
		snprintf(why, len, "%s", reason);
		return false;
	}
	return true;
}
