/*
 * mhd_sockopt: setsockopt as libmicrohttpd 0.9.75 needs to hear it on the
 * socketpair it is given.
 *
 * MHD_add_connection cannot be told that a socket is not TCP/IP: MHD
 * starts every added connection with "unknown", tries TCP_NODELAY and
 * TCP_CORK around each answer, and only marks the connection as not
 * TCP/IP (and stops trying) when setsockopt fails with EINVAL,
 * ENOPROTOOPT or ENOTSOCK. Linux refuses TCP options on an AF_UNIX socket
 * with EOPNOTSUPP, which MHD does not take as that sign: two failing
 * setsockopt calls per answer, for the life of the connection.
 *
 * This definition, in the executable, is the one the dynamic linker gives
 * libmicrohttpd (and everyone else in the process). It makes the system
 * call itself and answers ENOPROTOOPT ("option not known at this level")
 * for a TCP-level option that the socket's protocol does not support at
 * all; every other outcome is the kernel's, unchanged. One failing call on
 * a connection's first answer, none after.
 */
#include <errno.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

int
setsockopt(int fd, int level, int name, const void *val, socklen_t len)
{
	long r = syscall(SYS_setsockopt, fd, level, name, val, len);

	if (r < 0 && errno == EOPNOTSUPP && level == IPPROTO_TCP)
		errno = ENOPROTOOPT;
	return (int)r;
}
