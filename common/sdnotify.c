/*
 * sdnotify: the service manager's notification protocol (see sdnotify.h).
 */
#include "sdnotify.h"

#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "errbuf.h"
#include "num.h"

/*
 * Fills *sun from a NOTIFY_SOCKET value; returns the address length to
 * pass to sendto, or 0 with the reason in err. A path keeps its
 * terminating NUL; an abstract name is the bytes after '@' behind a
 * leading NUL, without a terminating one (its length is the address's).
 */
static socklen_t
notify_addr(const char *addr, struct sockaddr_un *sun, char *err, size_t errlen)
{
	size_t n = strlen(addr);

	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	if (addr[0] == '/') {
		if (n + 1 > sizeof(sun->sun_path)) {
			errbuf_set(err, errlen,
				   "NOTIFY_SOCKET: a path of %zu bytes, "
				   "longer than a socket address holds (%zu)",
				   n, sizeof(sun->sun_path) - 1);
			return 0;
		}
		memcpy(sun->sun_path, addr, n + 1);
		return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n +
				   1);
	}
	if (addr[0] == '@') {
		if (n < 2 || n > sizeof(sun->sun_path)) {
			errbuf_set(err, errlen,
				   "NOTIFY_SOCKET: an abstract name of %zu "
				   "bytes (1 to %zu)",
				   n - 1, sizeof(sun->sun_path) - 1);
			return 0;
		}
		memcpy(sun->sun_path + 1, addr + 1, n - 1);
		return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
	}
	errbuf_set(err, errlen,
		   "NOTIFY_SOCKET is neither a path ('/...') nor an abstract "
		   "socket name ('@...')");
	return 0;
}

int
sdnotify_send(const char *addr, const char *state, char *err, size_t errlen)
{
	struct sockaddr_un sun;
	socklen_t sunlen;
	size_t len;
	ssize_t n;
	int fd, e;

	if (addr == NULL || addr[0] == '\0')
		return 0;
	len = state != NULL ? strnlen(state, SDNOTIFY_STATE_MAX + 1) : 0;
	if (len == 0 || len > SDNOTIFY_STATE_MAX)
		return errbuf_set(err, errlen,
				  "a notification of %zu bytes (1 to %d)", len,
				  SDNOTIFY_STATE_MAX);
	sunlen = notify_addr(addr, &sun, err, errlen);
	if (sunlen == 0)
		return -1;
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return errbuf_set(err, errlen, "NOTIFY_SOCKET: socket: %s",
				  strerror(errno));
	n = sendto(fd, state, len, MSG_NOSIGNAL, (struct sockaddr *)&sun,
		   sunlen);
	e = errno;
	close(fd);
	if (n < 0)
		return errbuf_set(err, errlen, "NOTIFY_SOCKET %s: %s", addr,
				  strerror(e));
	if ((size_t)n != len)
		return errbuf_set(err, errlen,
				  "NOTIFY_SOCKET %s: sent %zd of %zu bytes",
				  addr, n, len);
	return 1;
}

int
sdnotify_watchdog(const char *usec_env, const char *pid_env, pid_t self,
		  uint64_t *usec, char *err, size_t errlen)
{
	long long us, pid;

	if (usec_env == NULL)
		return 0;
	if (num_parse(usec_env, 1, LLONG_MAX, &us) != NUM_OK)
		return errbuf_set(err, errlen,
				  "WATCHDOG_USEC=%.32s: not a number of "
				  "microseconds from 1 to %lld",
				  usec_env, LLONG_MAX);
	if (pid_env != NULL) {
		if (num_parse(pid_env, 1, INT_MAX, &pid) != NUM_OK)
			return errbuf_set(err, errlen,
					  "WATCHDOG_PID=%.32s: not a process "
					  "id from 1 to %d",
					  pid_env, INT_MAX);
		if (pid != (long long)self)
			return 0;
	}
	*usec = (uint64_t)us;
	return 1;
}
