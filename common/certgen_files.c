/*
 * certgen_files: reading certificates and CA keys (bounded), and writing
 * keys and certificates so that a key is never readable by others and an
 * existing file is never replaced by accident.
 */
#include "certgen.h"
#include "certgen_int.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <mbedtls/platform_util.h>

/* ---- loading a CA ---------------------------------------------------- */

/* Reads a whole file of at most CERTGEN_MAX_FILE bytes, NUL-terminated. */
static int
read_small_file(const char *path, const char *what, unsigned char **out,
		size_t *outlen, char *err, size_t errlen)
{
	unsigned char *buf = NULL;
	struct stat st;
	size_t len = 0;
	ssize_t n;
	int fd;

	/* O_NONBLOCK: a FIFO given by mistake must not hang us. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		errbuf_set(err, errlen, "cannot read %s %s: %s", what, path,
			   strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		errbuf_set(err, errlen, "%s %s is not a regular file", what,
			   path);
		close(fd);
		return -1;
	}
	buf = malloc(CERTGEN_MAX_FILE + 1);
	if (buf == NULL) {
		close(fd);
		errbuf_set(err, errlen, "out of memory");
		return -1;
	}
	for (;;) {
		n = read(fd, buf + len, CERTGEN_MAX_FILE + 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			errbuf_set(err, errlen, "cannot read %s %s: %s", what,
				   path, strerror(errno));
			goto fail;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > CERTGEN_MAX_FILE) {
			errbuf_set(err, errlen, "%s %s is larger than %d bytes",
				   what, path, CERTGEN_MAX_FILE);
			goto fail;
		}
	}
	close(fd);
	buf[len] = '\0';
	*out = buf;
	*outlen = len;
	return 0;
fail:
	close(fd);
	mbedtls_platform_zeroize(buf, CERTGEN_MAX_FILE + 1);
	free(buf);
	return -1;
}

/* The length to hand to mbedTLS's parsers: PEM counts its NUL. */
static size_t
parse_len(const unsigned char *buf, size_t len)
{
	return strstr((const char *)buf, "-----BEGIN ") != NULL ? len + 1 : len;
}

void
certgen_ca_init(struct certgen_ca *ca)
{
	mbedtls_x509_crt_init(&ca->crt);
	mbedtls_pk_init(&ca->key);
}

void
certgen_ca_free(struct certgen_ca *ca)
{
	if (ca == NULL)
		return;
	mbedtls_x509_crt_free(&ca->crt);
	mbedtls_pk_free(&ca->key);
}

static int
ca_check(const struct certgen_ca *ca, const char *crt_path,
	 const char *key_path, char *err, size_t errlen)
{
	int ret;

	if (!ca->crt.ca_istrue) {
		errbuf_set(err, errlen,
			   "%s is not a CA certificate (no basicConstraints "
			   "CA:TRUE)",
			   crt_path);
		return -1;
	}
	if (mbedtls_x509_crt_check_key_usage(&ca->crt,
					     MBEDTLS_X509_KU_KEY_CERT_SIGN)) {
		errbuf_set(err, errlen,
			   "%s may not sign certificates (its key usage lacks "
			   "keyCertSign)",
			   crt_path);
		return -1;
	}
	ret = mbedtls_pk_check_pair(&ca->crt.pk, &ca->key);
	if (ret != 0) {
		errbuf_set(err, errlen,
			   "CA key %s does not match the CA certificate %s",
			   key_path, crt_path);
		return -1;
	}
	return 0;
}

int
certgen_crt_load(mbedtls_x509_crt *chain, const char *path, const char *what,
		 char *err, size_t errlen)
{
	unsigned char *buf = NULL;
	size_t len = 0;
	char label[200];
	int ret;

	if (read_small_file(path, what, &buf, &len, err, errlen) != 0)
		return -1;
	ret = mbedtls_x509_crt_parse(chain, buf, parse_len(buf, len));
	free(buf);
	if (ret == 0)
		return 0;
	snprintf(label, sizeof(label), "%s %s", what, path);
	if (ret > 0)
		errbuf_set(err, errlen,
			   "%s: %d certificate(s) could not be parsed", label,
			   ret);
	else
		mbed_err(err, errlen, label, ret);
	return -1;
}

int
certgen_ca_load(struct certgen_ca *ca, const char *crt_path,
		const char *key_path, char *err, size_t errlen)
{
	unsigned char *buf = NULL;
	size_t len = 0;
	char what[200];
	int ret, rc = -1;

	if (certgen_crt_load(&ca->crt, crt_path, "CA certificate", err,
			     errlen) != 0)
		goto out;
	if (read_small_file(key_path, "CA key", &buf, &len, err, errlen) != 0)
		goto out;
	ret = mbedtls_pk_parse_key(&ca->key, buf, parse_len(buf, len), NULL, 0);
	if (ret == MBEDTLS_ERR_PK_PASSWORD_REQUIRED) {
		errbuf_set(
		    err, errlen,
		    "CA key %s is encrypted; certgen needs it unencrypted",
		    key_path);
		goto out;
	}
	if (ret != 0) {
		snprintf(what, sizeof(what), "CA key %s", key_path);
		mbed_err(err, errlen, what, ret);
		goto out;
	}
	rc = ca_check(ca, crt_path, key_path, err, errlen);
out:
	if (buf != NULL) {
		mbedtls_platform_zeroize(buf, len);
		free(buf);
	}
	return rc;
}

/* ---- files ----------------------------------------------------------- */

int
certgen_mkdirs(const char *dir, char *err, size_t errlen)
{
	char path[PATH_MAX];
	struct stat st;
	size_t len, i;

	len = strnlen(dir, sizeof(path));
	if (len == 0 || len >= sizeof(path)) {
		errbuf_set(err, errlen, "bad directory name");
		return -1;
	}
	memcpy(path, dir, len + 1);
	for (i = 1; i <= len; i++) {
		if (path[i] != '/' && path[i] != '\0')
			continue;
		path[i] = '\0';
		if (mkdir(path, 0755) != 0 && errno != EEXIST) {
			errbuf_set(err, errlen,
				   "cannot create directory %s: %s", path,
				   strerror(errno));
			return -1;
		}
		if (i < len)
			path[i] = '/';
	}
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		errbuf_set(err, errlen, "%s is not a directory", dir);
		return -1;
	}
	return 0;
}

static int
write_all(int fd, const void *data, size_t len)
{
	const unsigned char *p = data;
	ssize_t n;

	while (len > 0) {
		n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * Moves the finished temporary file to path: over an existing file when
 * force, else only when path does not exist (atomically, EEXIST if it
 * does). Filesystems without RENAME_NOREPLACE get link() and unlink(),
 * which promise the same.
 */
static int
put_in_place(const char *tmp, const char *path, bool force)
{
	if (force)
		return rename(tmp, path);
	if (renameat2(AT_FDCWD, tmp, AT_FDCWD, path, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS)
		return -1;
	if (link(tmp, path) != 0)
		return -1;
	unlink(tmp);
	return 0;
}

int
certgen_write_file(const char *path, const void *data, size_t len,
		   unsigned int mode, bool force, char *err, size_t errlen)
{
	char tmp[PATH_MAX];
	const char *slash = strrchr(path, '/');
	int fd, n;

	if (slash != NULL)
		n = snprintf(tmp, sizeof(tmp), "%.*s/.%s.XXXXXX",
			     (int)(slash - path), path, slash + 1);
	else
		n = snprintf(tmp, sizeof(tmp), ".%s.XXXXXX", path);
	if (n < 0 || (size_t)n >= sizeof(tmp)) {
		errbuf_set(err, errlen, "path too long: %s", path);
		return -1;
	}
	fd = mkostemp(tmp, O_CLOEXEC); /* O_CREAT|O_EXCL, mode 0600 */
	if (fd < 0) {
		errbuf_set(err, errlen, "cannot create a file next to %s: %s",
			   path, strerror(errno));
		return -1;
	}
	if (write_all(fd, data, len) != 0 ||
	    (mode != 0600 && fchmod(fd, mode) != 0) || fsync(fd) != 0) {
		errbuf_set(err, errlen, "cannot write %s: %s", path,
			   strerror(errno));
		close(fd);
		unlink(tmp);
		return -1;
	}
	if (close(fd) != 0) {
		errbuf_set(err, errlen, "cannot write %s: %s", path,
			   strerror(errno));
		unlink(tmp);
		return -1;
	}
	if (put_in_place(tmp, path, force) != 0) {
		if (errno == EEXIST)
			errbuf_set(err, errlen,
				   "%s exists; use -force to overwrite it",
				   path);
		else
			errbuf_set(err, errlen, "cannot write %s: %s", path,
				   strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}
