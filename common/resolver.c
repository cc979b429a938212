/*
 * resolver: name resolution within a deadline (see resolver.h).
 *
 * A lookup is a heap job with two references: the caller's, and the one
 * glibc drops through the completion notification (SIGEV_THREAD). Either
 * may end first; the last one frees the job and any result still in it.
 * A job cancelled before it started gets no notification, so the caller
 * drops both references then.
 */
#include "resolver.h"

#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "clock.h"

struct dns_job {
	atomic_int refs;
	struct gaicb cb;
	struct addrinfo hints;
	char host[RESOLVER_HOST_MAX + 1];
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
gai_fail(char *why, size_t len, int rc)
{
	snprintf(why, len, "%s",
		 rc == EAI_SYSTEM ? strerror(errno) : gai_strerror(rc));
	return -1;
}
/* Waits for the job until the deadline: 0 done, -1 timed out. */
static int
job_wait(struct dns_job *j, int64_t deadline)
{
	const struct gaicb *list[1] = {&j->cb};

	for (;;) {
		int64_t left = deadline - clock_mono_ms();
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
resolver_start(const char *host, int port, int numeric,
	       struct resolver_job **job, struct addrinfo **res, char *err,
	       size_t errlen)
{
	struct sigevent sev;
	struct gaicb *list[1];
	struct dns_job *j;
	int rc;

	*res = NULL;
	*job = NULL;
	j = calloc(1, sizeof *j);
	if (j == NULL) {
		snprintf(err, errlen, "out of memory");
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
		return rc == 0 ? 1 : gai_fail(err, errlen, rc);
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
		return gai_fail(err, errlen, rc);
	}
	*job = (struct resolver_job *)j;
	return 0;
}

int
resolver_poll(struct resolver_job *job, struct addrinfo **res, char *err,
	      size_t errlen)
{
	struct dns_job *j = (struct dns_job *)job;
	int rc = gai_error(&j->cb);

	*res = NULL;
	if (rc == EAI_INPROGRESS)
		return 0;
	if (rc == 0) {
		*res = j->cb.ar_result;
		j->cb.ar_result = NULL;
	} else {
		gai_fail(err, errlen, rc);
	}
	job_unref(j);
	return rc == 0 ? 1 : -1;
}

void
resolver_cancel(struct resolver_job *job)
{
	struct dns_job *j = (struct dns_job *)job;

	if (j == NULL)
		return;
	if (gai_cancel(&j->cb) == EAI_CANCELED)
		job_unref(j); /* no notification will come */
	job_unref(j);
}

/* resolver_addrinfo with the bare reason in err (no "resolve NAME: "). */
static int
lookup(const char *host, int port, int numeric, int64_t deadline,
       int timeout_ms, struct addrinfo **res, char *err, size_t errlen)
{
	struct resolver_job *j;
	int rc = resolver_start(host, port, numeric, &j, res, err, errlen);

	if (rc != 0)
		return rc > 0 ? 0 : -1;
	if (job_wait((struct dns_job *)j, deadline) != 0) {
		resolver_cancel(j);
		snprintf(err, errlen, "timed out after %d ms", timeout_ms);
		return RESOLVER_TIMEOUT;
	}
	return resolver_poll(j, res, err, errlen) > 0 ? 0 : -1;
}

int
resolver_addrinfo(const char *host, int port, int numeric, int64_t deadline,
		  int timeout_ms, struct addrinfo **res, char *err,
		  size_t errlen)
{
	char why[160];
	int rc = lookup(host, port, numeric, deadline, timeout_ms, res, why,
			sizeof(why));

	if (rc != 0)
		snprintf(err, errlen, "resolve %s: %s", host, why);
	return rc;
}

/* The address of ai as text into host; -1 for a family other than IP. */
static int
addr_text(const struct addrinfo *ai, char *host, size_t len)
{
	const void *addr;

	if (ai->ai_family == AF_INET)
		addr = &((const struct sockaddr_in *)(const void *)ai->ai_addr)
			    ->sin_addr;
	else if (ai->ai_family == AF_INET6)
		addr = &((const struct sockaddr_in6 *)(const void *)ai->ai_addr)
			    ->sin6_addr;
	else
		return -1;
	return inet_ntop(ai->ai_family, addr, host, (socklen_t)len) != NULL
		   ? 0
		   : -1;
}

int
resolver_seeds(const char *name, int port, int timeout_ms,
	       struct gossip_seed *seeds, size_t max, size_t *n, char *err,
	       size_t errlen)
{
	struct addrinfo *res = NULL;
	int rc;

	*n = 0;
	if (name == NULL || name[0] == '\0' ||
	    strlen(name) > RESOLVER_HOST_MAX) {
		snprintf(err, errlen, "cluster DNS name is empty or too long");
		return -1;
	}
	if (lookup(name, port, 0, clock_mono_ms() + timeout_ms, timeout_ms,
		   &res, err, errlen) != 0)
		return -1; /* timed out or failed: the words say which */
	rc = resolver_seeds_of(res, port, seeds, max, n, err, errlen);
	freeaddrinfo(res);
	return rc;
}

int
resolver_seeds_of(const struct addrinfo *res, int port,
		  struct gossip_seed *seeds, size_t max, size_t *n, char *err,
		  size_t errlen)
{
	const struct addrinfo *ai;
	struct gossip_seed s;
	size_t i;

	*n = 0;
	for (ai = res; ai != NULL && *n < max; ai = ai->ai_next) {
		memset(&s, 0, sizeof(s));
		if (addr_text(ai, s.host, sizeof(s.host)) != 0)
			continue;
		s.port = port;
		for (i = 0; i < *n; i++)
			if (strcmp(seeds[i].host, s.host) == 0)
				break;
		if (i == *n)
			seeds[(*n)++] = s;
	}
	if (*n == 0) {
		snprintf(err, errlen, "no A or AAAA record");
		return -1;
	}
	return 0;
}
