/*
 * tls_creds_own: the node's own certificate chain and private key, from
 * a PEM bundle and a key file or from one PKCS#12 file.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pkcs.h"
#include "tls_creds_int.h"

#define MAX_CERT_FILE (1024 * 1024)
#define MAX_CHAIN     16

/* Appends a password hint to a reason that is about a password. */
static const char *
password_hint(const char *reason, const char *option)
{
	return strstr(reason, "password") != NULL ? option : NULL;
}

static int
load_pem_pair(struct tls_creds_loader *l)
{
	const struct tls_creds_config *cfg = l->cfg;
	unsigned char *buf = NULL;
	size_t len = 0;
	char why[256];
	int ret, n = 0;

	if (tls_creds_file_read(cfg->certificate_file, MAX_CERT_FILE, false,
				&buf, &len, why, sizeof(why)) != 0)
		return tls_creds_errf(l, OPT_CERT " %s: %s",
				      cfg->certificate_file, why);
	ret = mbedtls_x509_crt_parse(&l->c->chain, buf,
				     tls_creds_file_pem_len(buf, len));
	free(buf);
	if (ret != 0) {
		if (ret > 0)
			snprintf(why, sizeof(why),
				 "%d certificate(s) in it "
				 "cannot be parsed",
				 ret);
		else
			mbed_err_text(ret, why, sizeof(why));
		return tls_creds_errf(l, OPT_CERT " %s: %s",
				      cfg->certificate_file, why);
	}
	for (const mbedtls_x509_crt *c = &l->c->chain; c != NULL; c = c->next)
		n++;
	if (n > MAX_CHAIN)
		return tls_creds_errf(l,
				      OPT_CERT " %s: more than %d certificates",
				      cfg->certificate_file, MAX_CHAIN);

	if (tls_creds_file_read(cfg->private_key_file, PKCS_MAX_FILE, true,
				&buf, &len, why, sizeof(why)) != 0)
		return tls_creds_errf(l, OPT_KEY " %s: %s",
				      cfg->private_key_file, why);
	ret = pkcs_parse_key(&l->c->key, buf, len, cfg->private_key_password,
			     why, sizeof(why));
	tls_creds_file_free_secret(buf, len);
	if (ret != 0) {
		const char *hint =
		    password_hint(why, "CertificatePrivateKeyPassword");
		return tls_creds_errf(
		    l, OPT_KEY " %s: %s%s%s%s", cfg->private_key_file, why,
		    hint ? " (" : "", hint ? hint : "", hint ? ")" : "");
	}
	if (mbedtls_pk_check_pair(&l->c->chain.pk, &l->c->key) != 0)
		return tls_creds_errf(
		    l,
		    OPT_KEY " %s: the key does not belong to the node "
			    "certificate (the first one in " OPT_CERT " %s)",
		    cfg->private_key_file, cfg->certificate_file);
	return 0;
}

static int
load_pkcs12(struct tls_creds_loader *l)
{
	const struct tls_creds_config *cfg = l->cfg;
	unsigned char *buf = NULL;
	size_t len = 0;
	char why[256];
	int ret;

	/* What the file is comes first: a PEM certificate without its key
	 * file is told so, not asked to be made private like a key. */
	if (tls_creds_file_read(cfg->certificate_file, PKCS_MAX_FILE, false,
				&buf, &len, why, sizeof(why)) != 0)
		return tls_creds_errf(l, OPT_CERT " %s: %s",
				      cfg->certificate_file, why);
	ret = tls_creds_file_is_pem(buf, len);
	tls_creds_file_free_secret(buf, len);
	if (ret)
		return tls_creds_errf(
		    l,
		    OPT_CERT " %s is a PEM certificate, and " OPT_KEY
			     " is not set: give the key file (a PKCS#12 file "
			     "would carry its key itself)",
		    cfg->certificate_file);
	/* A PKCS#12 file holds the private key: private like a key file. */
	if (tls_creds_file_read(cfg->certificate_file, PKCS_MAX_FILE, true,
				&buf, &len, why, sizeof(why)) != 0)
		return tls_creds_errf(l, OPT_CERT " %s: %s",
				      cfg->certificate_file, why);
	ret = pkcs12_parse(buf, len, cfg->certificate_password, &l->c->chain,
			   &l->c->key, why, sizeof(why));
	tls_creds_file_free_secret(buf, len);
	if (ret != 0 && strstr(why, "wrong password") != NULL &&
	    (cfg->certificate_password == NULL ||
	     cfg->certificate_password[0] == '\0'))
		return tls_creds_errf(
		    l,
		    OPT_CERT " %s: the PKCS#12 file is protected by a password "
			     "and CertificatePassword is not set",
		    cfg->certificate_file);
	if (ret != 0) {
		const char *hint = password_hint(why, "CertificatePassword");
		return tls_creds_errf(
		    l, OPT_CERT " %s: PKCS#12: %s%s%s%s", cfg->certificate_file,
		    why, hint ? " (" : "", hint ? hint : "", hint ? ")" : "");
	}
	return 0;
}

/* Certificates after the first in the bundle are intermediates: a root
 * among them belongs in the trust store. */
static int
check_bundle(struct tls_creds_loader *l)
{
	mbedtls_pk_type_t t = mbedtls_pk_get_type(&l->c->key);
	char dn[256];
	int i = 1;

	if (t != MBEDTLS_PK_RSA && t != MBEDTLS_PK_ECKEY)
		return tls_creds_errf(
		    l, OPT_KEY " %s: only RSA and EC keys are supported",
		    l->cfg->private_key_file ? l->cfg->private_key_file
					     : l->cfg->certificate_file);
	for (const mbedtls_x509_crt *c = l->c->chain.next; c != NULL;
	     c = c->next) {
		i++;
		if (c->raw.p == NULL || !tls_creds_self_signed(c))
			continue;
		tls_creds_subject_str(c, dn, sizeof(dn));
		return tls_creds_errf(
		    l,
		    OPT_CERT " %s: certificate %d (\"%s\") is "
			     "self-signed: it is a root, move it to " OPT_TRUST,
		    l->cfg->certificate_file, i, dn);
	}
	return 0;
}

int
tls_creds_own_load(struct tls_creds_loader *l)
{
	const struct tls_creds_config *cfg = l->cfg;
	int ret;

	if (cfg->private_key_file != NULL && cfg->private_key_file[0] != '\0')
		ret = load_pem_pair(l);
	else
		ret = load_pkcs12(l);
	if (ret == 0)
		ret = check_bundle(l);
	return ret;
}
