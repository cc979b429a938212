/*
 * reload: reloads asked for over HTTP, run on the main thread (see
 * reload.h).
 *
 * A job has two references: the route's (in its request state) and the
 * queue's (the main thread's, until the answer is handed back). The
 * answer is written before the hand-back (worker_resume_later takes a
 * mutex, which orders it), and the worker reads it only after its
 * resume, on the route's second call; the job outlives the resume node
 * it carries, since the route drops its reference only after that call.
 */
#include "reload.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "log.h"
#include "worker.h"

struct reload_job {
	atomic_int refs;
	struct worker *w;
	struct worker_resume resume; /* the hand-back: resume.conn */
	struct reload_job *next;
	atomic_bool done;
	int rc;
	char err[512];
};

int
reload_queue_init(struct gossipd *d, char *err, size_t errlen)
{
	pthread_mutex_init(&d->reload_q_mu, NULL);
	d->reload_q = NULL;
	d->reload_efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (d->reload_efd < 0) {
		snprintf(err, errlen, "eventfd: %s", strerror(errno));
		return -1;
	}
	return 0;
}

void
reload_queue_fini(struct gossipd *d)
{
	if (d->reload_efd < 0)
		return;
	reload_queue_fail(d, "the daemon is stopping");
	close(d->reload_efd);
	d->reload_efd = -1;
	pthread_mutex_destroy(&d->reload_q_mu);
}

struct reload_job *
reload_ask(struct gossipd *d, struct worker *w, struct MHD_Connection *conn)
{
	struct reload_job *j = calloc(1, sizeof(*j));
	uint64_t one = 1;

	if (j == NULL)
		return NULL;
	atomic_init(&j->refs, 2);
	atomic_init(&j->done, false);
	j->w = w;
	j->resume.conn = conn;
	pthread_mutex_lock(&d->reload_q_mu);
	j->next = d->reload_q;
	d->reload_q = j;
	pthread_mutex_unlock(&d->reload_q_mu);
	if (write(d->reload_efd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		log_error("cannot wake the main thread for a reload: %s",
			  strerror(errno));
	return j;
}

bool
reload_job_result(struct reload_job *j, int *rc, const char **err)
{
	if (!atomic_load(&j->done))
		return false;
	*rc = j->rc;
	*err = j->err;
	return true;
}

void
reload_job_unref(struct reload_job *j)
{
	if (j != NULL && atomic_fetch_sub(&j->refs, 1) == 1)
		free(j);
}

/* Takes every queued job, oldest first. */
static struct reload_job *
take_all(struct gossipd *d)
{
	struct reload_job *list, *rev = NULL;
	uint64_t n;

	if (read(d->reload_efd, &n, sizeof(n)) < 0 && errno != EAGAIN)
		log_debug("reload eventfd: %s", strerror(errno));
	pthread_mutex_lock(&d->reload_q_mu);
	list = d->reload_q;
	d->reload_q = NULL;
	pthread_mutex_unlock(&d->reload_q_mu);
	while (list != NULL) {
		struct reload_job *next = list->next;

		list->next = rev;
		rev = list;
		list = next;
	}
	return rev;
}

/* Answers every job of list with rc and err, and hands each back. */
static void
answer_all(struct reload_job *list, int rc, const char *err)
{
	while (list != NULL) {
		struct reload_job *next = list->next;

		list->rc = rc;
		snprintf(list->err, sizeof(list->err), "%s", err);
		atomic_store(&list->done, true);
		worker_resume_later(list->w, &list->resume);
		reload_job_unref(list);
		list = next;
	}
}

void
reload_queue_run(struct gossipd *d)
{
	struct reload_job *list = take_all(d);
	char err[512] = "";
	int rc;

	if (list == NULL)
		return;
	log_info("POST /admin/reloadconfig: reloading");
	rc = gossipd_reload(d, err, sizeof(err));
	answer_all(list, rc, err);
}

void
reload_queue_fail(struct gossipd *d, const char *why)
{
	answer_all(take_all(d), -1, why);
}
