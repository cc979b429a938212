/*
 * udp_sink: a UDP socket that takes datagrams and never answers, e.g. a
 * name server gone silent (tests/integration/httpc_dns_timeout.sh).
 *
 *   udp_sink ADDR PORT SECONDS
 *
 * Prints "listening" once bound, then reads and drops datagrams; exits
 * after SECONDS (so that it cannot outlive a failed test for long).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	struct sockaddr_in sa;
	char buf[2048];
	time_t end;
	int fd;

	if (argc != 4) {
		fprintf(stderr, "usage: udp_sink ADDR PORT SECONDS\n");
		return 2;
	}
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons((unsigned short)strtoul(argv[2], NULL, 10));
	if (inet_pton(AF_INET, argv[1], &sa.sin_addr) != 1) {
		fprintf(stderr, "udp_sink: bad address %s\n", argv[1]);
		return 2;
	}
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
		perror("udp_sink: bind");
		return 1;
	}
	printf("listening\n");
	fflush(stdout);
	end = time(NULL) + strtol(argv[3], NULL, 10);
	while (time(NULL) < end) {
		struct pollfd pfd = {.fd = fd, .events = POLLIN};

		if (poll(&pfd, 1, 200) > 0 && recv(fd, buf, sizeof buf, 0) < 0)
			break;
	}
	close(fd);
	return 0;
}
