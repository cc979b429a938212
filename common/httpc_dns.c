/*
 * httpc_dns: name resolution within a deadline (see httpc_dns.h).
 *
 * A lookup is a heap job with two references: the caller's, and the one
 * glibc drops through the completion notification (SIGEV_THREAD). Either
 * may end first; the last one frees the job and any result still in it.
 * A job cancelled before it started gets no notification, so the caller
 * drops both references then.
 */
#include "httpc_dns.h"

#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "httpc_conn.h"

struct dns_job {
	atomic_int refs;
	struct gaicb cb;
	struct addrinfo hints;
	char host[HOST_MAX + 1];
	char port[8];
};

static void
job_unref(struct dns_job *j)
{
	if (atomic_fetch_sub(&j->refs, 1) != 1)
		return;
	if (j->cb.ar_result != NULL)
		freeaddrinfo(j->cb.ar_result);
	free(j);
}

static void
job_done(union sigval sv)
{
	job_unref(sv.sival_ptr);
}

static int
gai_fail(char *err, size_t errlen, const char *host, int rc)
{
	snprintf(err, errlen, "resolve %s: %s", host,
		 rc == EAI_SYSTEM ? strerror(errno) : gai_strerror(rc));
	return -1;
}

/* Waits for the job until the deadline: 0 done, -1 timed out. */
static int
job_wait(struct dns_job *j, int64_t deadline)
{
	const struct gaicb *list[1] = {&j->cb};

	for (;;) {
		int64_t left = deadline - httpc_conn_now_ms();
		struct timespec ts;
		int rc;

		if (gai_error(&j->cb) != EAI_INPROGRESS)
			return 0;
		if (left <= 0)
			return -1;
		ts.tv_sec = left / 1000;
		ts.tv_nsec = (left % 1000) * 1000000;
		rc = gai_suspend(list, 1, &ts);
		if (rc == 0 || rc == EAI_ALLDONE)
			return 0;
		/* EAI_AGAIN (the time ran out) and EAI_INTR: check again. */
	}
}

int
httpc_dns_resolve(const char *host, int port, int numeric, int64_t deadline,
		  int timeout_ms, struct addrinfo **res, char *err,
		  size_t errlen)
{
	struct sigevent sev;
	struct gaicb *list[1];
	struct dns_job *j;
	char what[HOST_MAX + 16];
	int rc;

	*res = NULL;
	j = calloc(1, sizeof *j);
	if (j == NULL) {
		snprintf(err, errlen, "resolve %s: out of memory", host);
		return -1;
	}
	snprintf(j->host, sizeof j->host, "%s", host);
	snprintf(j->port, sizeof j->port, "%d", port);
	j->hints.ai_family = AF_UNSPEC;
	j->hints.ai_socktype = SOCK_STREAM;
	j->hints.ai_flags = AI_NUMERICSERV | (numeric ? AI_NUMERICHOST : 0);
	if (numeric) {
		/* An IP literal: no lookup, nothing to wait for. */
		rc = getaddrinfo(j->host, j->port, &j->hints, res);
		free(j);
		return rc == 0 ? 0 : gai_fail(err, errlen, host, rc);
	}
	j->cb.ar_name = j->host;
	j->cb.ar_service = j->port;
	j->cb.ar_request = &j->hints;
	atomic_init(&j->refs, 2);
	memset(&sev, 0, sizeof sev);
	sev.sigev_notify = SIGEV_THREAD;
	sev.sigev_notify_function = job_done;
	sev.sigev_value.sival_ptr = j;
	list[0] = &j->cb;
	rc = getaddrinfo_a(GAI_NOWAIT, list, 1, &sev);
	if (rc != 0) {
		free(j); /* never queued: no notification */
		return gai_fail(err, errlen, host, rc);
	}
	if (job_wait(j, deadline) != 0) {
		if (gai_cancel(&j->cb) == EAI_CANCELED)
			job_unref(j); /* no notification will come */
		job_unref(j);
		snprintf(what, sizeof what, "resolve %s", host);
		return httpc_conn_timed_out(err, errlen, what, timeout_ms);
	}
	rc = gai_error(&j->cb);
	if (rc == 0) {
		*res = j->cb.ar_result;
		j->cb.ar_result = NULL;
	}
	job_unref(j);
	return rc == 0 ? 0 : gai_fail(err, errlen, host, rc);
}
