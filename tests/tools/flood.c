/*
 * flood: holds connections that never send a byte (never finish a TLS
 * handshake, never send a request), from several loopback addresses, for
 * the connection-limit tests.
 *
 *   flood PORT CONNS FIRST_ADDR N_ADDRS SECONDS MAX_CONNECTS
 *
 * Opens CONNS connections to 127.0.0.1:PORT, the i-th from 127.0.0.(FIRST
 * + i % N_ADDRS), and holds them for SECONDS; a connection the server
 * closes is opened again, at most MAX_CONNECTS connects in all. Prints
 * "held N" once every connection has been opened the first time, and a
 * summary at the end: connects, closes seen, and the lowest and highest
 * number of connections open at once after the first round. Loopback
 * only.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_CONNS 4000

static long
num(const char *s, long lo, long hi, const char *what)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v < lo || v > hi) {
		fprintf(stderr, "flood: %s must be %ld..%ld\n", what, lo, hi);
		exit(2);
	}
	return v;
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
open_one(int port, int addr_last)
{
	struct sockaddr_in src = {.sin_family = AF_INET};
	struct sockaddr_in dst = {.sin_family = AF_INET};
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	src.sin_addr.s_addr = htonl(0x7f000000u | (unsigned)addr_last);
	dst.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	dst.sin_port = htons((unsigned short)port);
	if (bind(fd, (struct sockaddr *)&src, sizeof(src)) != 0 ||
	    (connect(fd, (struct sockaddr *)&dst, sizeof(dst)) != 0 &&
	     errno != EINPROGRESS)) {
		close(fd);
		return -1;
	}
	return fd;
}

int
main(int argc, char **argv)
{
	static struct pollfd p[MAX_CONNS];
	struct rlimit rl;
	long port, conns, first, n_addrs, secs, max_connects;
	long connects = 0, closes = 0, open_min = -1, open_max = 0;
	double end;
	int i, held = 0;

	if (argc != 7) {
		fprintf(stderr, "usage: flood PORT CONNS FIRST_ADDR N_ADDRS "
				"SECONDS MAX_CONNECTS\n");
		return 2;
	}
	port = num(argv[1], 1, 65535, "PORT");
	conns = num(argv[2], 1, MAX_CONNS, "CONNS");
	first = num(argv[3], 2, 254, "FIRST_ADDR");
	n_addrs = num(argv[4], 1, 255 - first, "N_ADDRS");
	secs = num(argv[5], 1, 120, "SECONDS");
	max_connects = num(argv[6], conns, 1000000, "MAX_CONNECTS");
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	for (i = 0; i < conns; i++)
		p[i].fd = -1;
	end = now_s() + (double)secs;
	while (now_s() < end) {
		long open_now = 0;

		for (i = 0; i < conns; i++) {
			if (p[i].fd < 0 && connects < max_connects) {
				p[i].fd = open_one((int)port,
						   (int)(first + i % n_addrs));
				p[i].events = POLLIN;
				connects++;
			}
			if (p[i].fd >= 0)
				open_now++;
		}
		if (!held && open_now == conns) {
			held = 1;
			printf("held %ld\n", conns);
			fflush(stdout);
		}
		if (held) {
			if (open_min < 0 || open_now < open_min)
				open_min = open_now;
			if (open_now > open_max)
				open_max = open_now;
		}
		if (poll(p, (nfds_t)conns, 20) < 0 && errno != EINTR)
			break;
		for (i = 0; i < conns; i++) {
			char buf[256];

			if (p[i].fd < 0 || p[i].revents == 0)
				continue;
			/* the server sent something (an alert) or closed */
			if (read(p[i].fd, buf, sizeof(buf)) > 0 &&
			    !(p[i].revents & (POLLHUP | POLLERR)))
				continue;
			close(p[i].fd);
			p[i].fd = -1;
			closes++;
		}
	}
	printf("connects %ld closes %ld open_min %ld open_max %ld\n", connects,
	       closes, open_min, open_max);
	for (i = 0; i < conns; i++)
		if (p[i].fd >= 0)
			close(p[i].fd);
	return 0;
}
