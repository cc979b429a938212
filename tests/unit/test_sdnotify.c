/*
 * Unit tests for common/sdnotify.c: the exact datagrams a service manager
 * receives on a real AF_UNIX socket (a path in a temporary directory and a
 * name in the abstract namespace), what is refused, and the watchdog
 * variables' rules (sd_notify(3), sd_watchdog_enabled(3)).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "sdnotify.h"

/* A stand-in for the service manager's socket. */
struct manager {
	int fd;
	char addr[128]; /* the NOTIFY_SOCKET value naming it */
	char dir[64];	/* the temporary directory of a path socket, or "" */
};

static int
manager_bind(struct manager *m, const struct sockaddr_un *sun, socklen_t len)
{
	int one = 1;

	m->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (m->fd < 0 || bind(m->fd, (const struct sockaddr *)sun, len) != 0)
		return -1;
	/* As systemd does: the kernel attaches the sender's credentials. */
	return setsockopt(m->fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one));
}

static int
path_setup(void **state)
{
	struct manager *m = calloc(1, sizeof(*m));
	struct sockaddr_un sun = {.sun_family = AF_UNIX};

	if (m == NULL)
		return -1;
	snprintf(m->dir, sizeof(m->dir), "/tmp/sdnotify.XXXXXX");
	if (mkdtemp(m->dir) == NULL)
		return -1;
	snprintf(m->addr, sizeof(m->addr), "%s/notify", m->dir);
	if (strlen(m->addr) >= sizeof(sun.sun_path))
		return -1;
	memcpy(sun.sun_path, m->addr, strlen(m->addr) + 1);
	*state = m;
	return manager_bind(m, &sun, sizeof(sun));
}

static int
abstract_setup(void **state)
{
	struct manager *m = calloc(1, sizeof(*m));
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	size_t n;

	if (m == NULL)
		return -1;
	snprintf(m->addr, sizeof(m->addr), "@gossipd/test_sdnotify/%ld/%d",
		 (long)getpid(), rand());
	n = strlen(m->addr);
	/* The name: the bytes after '@' behind a leading NUL, its length
	 * the address's (no terminating NUL). */
	memcpy(sun.sun_path + 1, m->addr + 1, n - 1);
	*state = m;
	return manager_bind(
	    m, &sun, (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n));
}

static int
manager_teardown(void **state)
{
	struct manager *m = *state;
	char path[192];

	if (m == NULL)
		return 0;
	if (m->fd >= 0)
		close(m->fd);
	if (m->dir[0] != '\0') {
		snprintf(path, sizeof(path), "%s/notify", m->dir);
		unlink(path);
		rmdir(m->dir);
	}
	free(m);
	return 0;
}

/*
 * Receives one datagram (without waiting: it was sent before) and checks
 * that it is exactly want, and that the kernel says it came from this
 * process (what NotifyAccess=main checks).
 */
static void
assert_received(struct manager *m, const char *want)
{
	char buf[SDNOTIFY_STATE_MAX + 16];
	union {
		struct cmsghdr h;
		char b[CMSG_SPACE(sizeof(struct ucred))];
	} ctl;
	struct iovec iov = {.iov_base = buf, .iov_len = sizeof(buf)};
	struct msghdr msg = {.msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = ctl.b,
			     .msg_controllen = sizeof(ctl.b)};
	struct cmsghdr *c;
	struct ucred cred = {0};
	ssize_t n = recvmsg(m->fd, &msg, MSG_DONTWAIT);

	assert_int_equal(n, (ssize_t)strlen(want));
	assert_memory_equal(buf, want, strlen(want));
	for (c = CMSG_FIRSTHDR(&msg); c != NULL; c = CMSG_NXTHDR(&msg, c))
		if (c->cmsg_level == SOL_SOCKET &&
		    c->cmsg_type == SCM_CREDENTIALS)
			memcpy(&cred, CMSG_DATA(c), sizeof(cred));
	assert_int_equal(cred.pid, getpid());
}

static void
assert_nothing_received(struct manager *m)
{
	char buf[16];

	assert_int_equal(recv(m->fd, buf, sizeof(buf), MSG_DONTWAIT), -1);
}

/* The four states the daemon sends, each one datagram, in order. */
static void
each_state_is_one_datagram_exactly(void **state)
{
	static const char *const states[] = {
	    "READY=1", "RELOADING=1", "READY=1", "WATCHDOG=1", "STOPPING=1"};
	struct manager *m = *state;
	char err[256] = "";

	for (size_t i = 0; i < sizeof(states) / sizeof(states[0]); i++)
		assert_int_equal(
		    sdnotify_send(m->addr, states[i], err, sizeof(err)), 1);
	for (size_t i = 0; i < sizeof(states) / sizeof(states[0]); i++)
		assert_received(m, states[i]);
	assert_nothing_received(m);
	assert_string_equal(err, "");
}

static void
several_lines_travel_in_one_datagram(void **state)
{
	struct manager *m = *state;

	assert_int_equal(
	    sdnotify_send(m->addr, "STATUS=serving\nREADY=1", NULL, 0), 1);
	assert_received(m, "STATUS=serving\nREADY=1");
	assert_nothing_received(m);
}

static void
unset_or_empty_socket_sends_nothing(void **state)
{
	struct manager *m = *state;
	char err[64] = "";

	assert_int_equal(sdnotify_send(NULL, "READY=1", err, sizeof(err)), 0);
	assert_int_equal(sdnotify_send("", "READY=1", err, sizeof(err)), 0);
	assert_string_equal(err, "");
	assert_nothing_received(m);
}

static void
a_bad_state_is_refused_and_not_sent(void **state)
{
	struct manager *m = *state;
	char *big = malloc(SDNOTIFY_STATE_MAX + 2);
	char err[128] = "";

	assert_non_null(big);
	memset(big, 'x', SDNOTIFY_STATE_MAX + 1);
	big[SDNOTIFY_STATE_MAX + 1] = '\0';
	assert_int_equal(sdnotify_send(m->addr, "", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "0 bytes"));
	assert_int_equal(sdnotify_send(m->addr, NULL, err, sizeof(err)), -1);
	assert_int_equal(sdnotify_send(m->addr, big, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "(1 to 4096)"));
	/* The largest allowed state still goes out whole. */
	big[SDNOTIFY_STATE_MAX] = '\0';
	assert_int_equal(sdnotify_send(m->addr, big, err, sizeof(err)), 1);
	assert_received(m, big);
	assert_nothing_received(m);
	free(big);
}

/* Neither '/' nor '@' (a relative path, systemd 253's "vsock:"), or an
 * address that does not fit sockaddr_un: refused with words. */
static void
an_address_of_another_form_is_refused(void **state)
{
	char longpath[160], longname[160];
	char err[160];

	(void)state;
	memset(longpath, 'p', sizeof(longpath) - 1);
	longpath[0] = '/';
	longpath[sizeof(longpath) - 1] = '\0';
	memset(longname, 'n', sizeof(longname) - 1);
	longname[0] = '@';
	longname[sizeof(longname) - 1] = '\0';

	assert_int_equal(
	    sdnotify_send("run/notify", "READY=1", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "neither a path"));
	assert_int_equal(
	    sdnotify_send("vsock:2:1234", "READY=1", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "neither a path"));
	assert_int_equal(sdnotify_send("@", "READY=1", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "abstract name of 0 bytes"));
	assert_int_equal(sdnotify_send(longpath, "READY=1", err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "longer than a socket address holds"));
	assert_int_equal(sdnotify_send(longname, "READY=1", err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "abstract name of 158 bytes"));
}

/* The longest names that fit: a 107-byte path, a 107-byte abstract name. */
static void
the_longest_addresses_that_fit_are_used(void **state)
{
	char path[108], name[109];
	char err[160];

	(void)state;
	memset(path, 'p', sizeof(path) - 1);
	path[0] = '/';
	path[sizeof(path) - 1] = '\0';
	memset(name, 'n', sizeof(name) - 1);
	name[0] = '@';
	name[sizeof(name) - 1] = '\0';
	/* Accepted as addresses: the send then fails only because nobody
	 * listens there. */
	assert_int_equal(sdnotify_send(path, "READY=1", err, sizeof(err)), -1);
	assert_null(strstr(err, "longer than"));
	assert_non_null(strstr(err, "No such file or directory"));
	assert_int_equal(sdnotify_send(name, "READY=1", err, sizeof(err)), -1);
	assert_null(strstr(err, "abstract name of"));
	assert_non_null(strstr(err, "Connection refused"));
}

static void
no_listener_is_an_error_with_the_address(void **state)
{
	struct manager *m = *state;
	char gone[160], err[256];

	snprintf(gone, sizeof(gone), "%s/nobody", m->dir);
	assert_int_equal(sdnotify_send(gone, "READY=1", err, sizeof(err)), -1);
	assert_non_null(strstr(err, gone));
	assert_non_null(strstr(err, "No such file or directory"));
}

/* A manager that does not read fills its queue; the sender is told so at
 * once instead of blocking (bounded: the queue holds far fewer). */
static void
a_full_queue_fails_instead_of_blocking(void **state)
{
	struct manager *m = *state;
	char err[256] = "";
	int sent = 0, r = 1;

	while (r == 1 && sent < 100000) {
		r = sdnotify_send(m->addr, "WATCHDOG=1", err, sizeof(err));
		sent += r == 1;
	}
	assert_int_equal(r, -1);
	assert_true(sent > 0);
	assert_non_null(strstr(err, "Resource temporarily unavailable"));
	assert_received(m, "WATCHDOG=1");
}

static void
watchdog_unset_is_off(void **state)
{
	uint64_t usec = 7;
	char err[160] = "";

	(void)state;
	assert_int_equal(
	    sdnotify_watchdog(NULL, NULL, getpid(), &usec, err, sizeof(err)),
	    0);
	/* WATCHDOG_PID alone asks for nothing. */
	assert_int_equal(
	    sdnotify_watchdog(NULL, "1", getpid(), &usec, err, sizeof(err)), 0);
	assert_int_equal(usec, 7);
	assert_string_equal(err, "");
}

static void
watchdog_valid_gives_the_interval(void **state)
{
	char pid[32];
	uint64_t usec = 0;

	(void)state;
	assert_int_equal(
	    sdnotify_watchdog("30000000", NULL, getpid(), &usec, NULL, 0), 1);
	assert_int_equal(usec, 30000000);
	snprintf(pid, sizeof(pid), "%ld", (long)getpid());
	assert_int_equal(sdnotify_watchdog("1", pid, getpid(), &usec, NULL, 0),
			 1);
	assert_int_equal(usec, 1);
	assert_int_equal(sdnotify_watchdog("9223372036854775807", pid, getpid(),
					   &usec, NULL, 0),
			 1);
	assert_int_equal(usec, 9223372036854775807ULL);
}

/* The manager may set WATCHDOG_PID for a main process that is not us (a
 * forked helper inherited the variables): not ours to ping. */
static void
watchdog_for_another_process_is_off(void **state)
{
	char other[32];
	uint64_t usec = 7;

	(void)state;
	snprintf(other, sizeof(other), "%ld", (long)getpid() + 1);
	assert_int_equal(
	    sdnotify_watchdog("1000000", other, getpid(), &usec, NULL, 0), 0);
	assert_int_equal(
	    sdnotify_watchdog("1000000", "1", getpid(), &usec, NULL, 0), 0);
	assert_int_equal(usec, 7);
}

static void
watchdog_garbage_is_an_error(void **state)
{
	static const char *const bad_usec[] = {"",
					       "abc",
					       "0",
					       "-5",
					       "+100",
					       " 100",
					       "100 ",
					       "1e6",
					       "0x10",
					       "1000000us",
					       "9223372036854775808",
					       "99999999999999999999"};
	static const char *const bad_pid[] = {"",   "me",  "0",
					      "-1", "12a", "2147483648"};
	uint64_t usec = 7;
	char err[160];

	(void)state;
	for (size_t i = 0; i < sizeof(bad_usec) / sizeof(bad_usec[0]); i++) {
		err[0] = '\0';
		assert_int_equal(sdnotify_watchdog(bad_usec[i], NULL, getpid(),
						   &usec, err, sizeof(err)),
				 -1);
		assert_non_null(strstr(err, "WATCHDOG_USEC="));
	}
	for (size_t i = 0; i < sizeof(bad_pid) / sizeof(bad_pid[0]); i++) {
		err[0] = '\0';
		assert_int_equal(sdnotify_watchdog("1000000", bad_pid[i],
						   getpid(), &usec, err,
						   sizeof(err)),
				 -1);
		assert_non_null(strstr(err, "WATCHDOG_PID="));
	}
	assert_int_equal(usec, 7);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(each_state_is_one_datagram_exactly,
					    path_setup, manager_teardown),
	    cmocka_unit_test_setup_teardown(each_state_is_one_datagram_exactly,
					    abstract_setup, manager_teardown),
	    cmocka_unit_test_setup_teardown(
		several_lines_travel_in_one_datagram, abstract_setup,
		manager_teardown),
	    cmocka_unit_test_setup_teardown(unset_or_empty_socket_sends_nothing,
					    path_setup, manager_teardown),
	    cmocka_unit_test_setup_teardown(a_bad_state_is_refused_and_not_sent,
					    path_setup, manager_teardown),
	    cmocka_unit_test(an_address_of_another_form_is_refused),
	    cmocka_unit_test(the_longest_addresses_that_fit_are_used),
	    cmocka_unit_test_setup_teardown(
		no_listener_is_an_error_with_the_address, path_setup,
		manager_teardown),
	    cmocka_unit_test_setup_teardown(
		a_full_queue_fails_instead_of_blocking, abstract_setup,
		manager_teardown),
	    cmocka_unit_test(watchdog_unset_is_off),
	    cmocka_unit_test(watchdog_valid_gives_the_interval),
	    cmocka_unit_test(watchdog_for_another_process_is_off),
	    cmocka_unit_test(watchdog_garbage_is_an_error),
	};

	srand((unsigned)getpid());
	return cmocka_run_group_tests(tests, NULL, NULL);
}
