/*
 * tls_creds_trust: the trusted roots (one file, or the certificate files
 * of a directory) and the CRL.
 */
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "tls_creds_int.h"

#define MAX_CRL_FILE   (16 * 1024 * 1024)
#define MAX_TRUST_FILE (1024 * 1024)
#define MAX_TRUST_DIR  4096 /* files looked at in a trust directory */
#define MAX_TRUSTED    10000
#define MAX_SKIP_WARN  5

/* Adds every certificate of tmp to trusted unless it is already there. */
static int
add_trusted(struct tls_creds_loader *l, const mbedtls_x509_crt *tmp)
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
			return tls_creds_errf(
			    l, OPT_TRUST " %s: more than %d certificates",
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
load_trust_file(struct tls_creds_loader *l, const char *path, bool in_dir)
{
	mbedtls_x509_crt tmp;
	unsigned char *buf = NULL;
	size_t len = 0;
	char why[256];
	int ret;

	mbedtls_x509_crt_init(&tmp);
	if (tls_creds_file_read(path, MAX_TRUST_FILE, false, &buf, &len, why,
				sizeof(why)) != 0) {
		ret = -1;
	} else {
		ret = mbedtls_x509_crt_parse(&tmp, buf,
					     tls_creds_file_pem_len(buf, len));
		if (ret < 0)
			mbed_err_text(ret, why, sizeof(why));
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
		return tls_creds_errf(l, OPT_TRUST " %s: %s", path, why);
	if (ret != 0 && ++l->skipped <= MAX_SKIP_WARN)
		tls_creds_warnf(l, OPT_TRUST " %s: skipped %s: %s",
				l->trust_path, path, why);
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
load_trust_dir(struct tls_creds_loader *l, const char *dir)
{
	char **names = NULL, path[4096];
	size_t n = 0;
	struct dirent *de;
	DIR *d = opendir(dir);
	int ret = 0;

	if (d == NULL)
		return tls_creds_errf(l, OPT_TRUST " %s: cannot open: %s", dir,
				      strerror(errno));
	names = calloc(MAX_TRUST_DIR, sizeof(*names));
	if (names == NULL) {
		closedir(d);
		return tls_creds_errf(l, OPT_TRUST " %s: out of memory", dir);
	}
	while ((de = readdir(d)) != NULL && ret == 0) {
		if (!trust_name(de->d_name))
			continue;
		if (n >= MAX_TRUST_DIR)
			ret = tls_creds_errf(l,
					     OPT_TRUST
					     " %s: more than %d certificate "
					     "files",
					     dir, MAX_TRUST_DIR);
		else if ((names[n] = strdup(de->d_name)) == NULL)
			ret = tls_creds_errf(l, OPT_TRUST " %s: out of memory",
					     dir);
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
		tls_creds_warnf(
		    l, OPT_TRUST " %s: %d more unreadable files skipped", dir,
		    l->skipped - MAX_SKIP_WARN);
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return ret;
}

int
tls_creds_trust_load(struct tls_creds_loader *l)
{
	struct stat st;
	const char *path = l->trust_path;
	int ret;

	if (stat(path, &st) != 0)
		return tls_creds_errf(l, OPT_TRUST " %s: %s", path,
				      strerror(errno));
	if (S_ISDIR(st.st_mode))
		ret = load_trust_dir(l, path);
	else
		ret = load_trust_file(l, path, false);
	if (ret == 0 && l->c->n_trusted == 0)
		return tls_creds_errf(l,
				      OPT_TRUST
				      " %s: no trusted certificate could be "
				      "loaded from it",
				      path);
	return ret;
}

int
tls_creds_trust_load_crl(struct tls_creds_loader *l)
{
	const char *path = l->cfg->crl_file;
	unsigned char *buf = NULL;
	size_t len = 0;
	char why[256];
	int ret;

	if (path == NULL || path[0] == '\0')
		return 0;
	if (tls_creds_file_read(path, MAX_CRL_FILE, false, &buf, &len, why,
				sizeof(why)) != 0)
		return tls_creds_errf(l, OPT_CRL " %s: %s", path, why);
	ret = mbedtls_x509_crl_parse(&l->c->crl, buf,
				     tls_creds_file_pem_len(buf, len));
	free(buf);
	if (ret != 0) {
		mbed_err_text(ret, why, sizeof(why));
		return tls_creds_errf(l, OPT_CRL " %s: %s", path, why);
	}
	l->c->have_crl = true;
	return tls_creds_crl_bind(l);
}
