/*
 * tls_creds_file: bounded reads of credential files (certificates, keys,
 * trust files, CRLs), with the permission check for private ones.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <mbedtls/platform_util.h>

#include "tls_creds_int.h"

/* Reads exactly size bytes from fd into buf; 0, or -1 with why. */
static int
read_all(int fd, unsigned char *buf, size_t size, char *why, size_t whylen)
{
	size_t got = 0;

	while (got < size) {
		ssize_t n = read(fd, buf + got, size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			snprintf(why, whylen, "read failed: %s",
				 n < 0 ? strerror(errno) : "file shrank");
			return -1;
		}
		got += (size_t)n;
	}
	return 0;
}

/*
 * Reads a regular file of at most max bytes into a NUL-terminated buffer
 * (*len excludes the NUL). With private set, refuses a file that group or
 * others may access. Returns 0, or -1 with the reason in why.
 */
int
tls_creds_file_read(const char *path, size_t max, bool private,
		    unsigned char **buf, size_t *len, char *why, size_t whylen)
{
	struct stat st;
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
	if (read_all(fd, *buf, (size_t)st.st_size, why, whylen) != 0)
		goto fail;
	(*buf)[st.st_size] = '\0';
	*len = (size_t)st.st_size;
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

void
tls_creds_file_free_secret(unsigned char *buf, size_t len)
{
	if (buf != NULL) {
		mbedtls_platform_zeroize(buf, len + 1);
		free(buf);
	}
}

bool
tls_creds_file_is_pem(const unsigned char *buf, size_t len)
{
	return memmem(buf, len, "-----BEGIN", 10) != NULL;
}

/* mbedTLS takes PEM with its terminating NUL and DER without. */
size_t
tls_creds_file_pem_len(const unsigned char *buf, size_t len)
{
	return tls_creds_file_is_pem(buf, len) ? len + 1 : len;
}
