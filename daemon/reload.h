/*
 * reload: POST /admin/reloadconfig hands the reload to the main thread.
 *
 * Reading the configuration and the credentials (PKCS#12 decryption,
 * PBKDF2, CRL parsing) takes a while; done on a worker, it would stall
 * every other connection of that worker. Instead the route suspends its
 * connection and asks (reload_ask); the main thread, woken by an eventfd,
 * runs one reload for every request queued (reload_queue_run), and hands
 * each answer back to its worker, which resumes the connection; the
 * route is called again and answers (reload_job_result).
 */
#ifndef GOSSIPD_RELOAD_H
#define GOSSIPD_RELOAD_H

#include <stdbool.h>
#include <stddef.h>

#include "gossipd.h"

struct worker;
struct MHD_Connection;

/* Main thread, at start: the queue and its eventfd. 0, or -1 with a reason. */
int reload_queue_init(struct gossipd *d, char *err, size_t errlen);
/* Frees what reload_queue_init made (after the workers stopped). */
void reload_queue_fini(struct gossipd *d);

/*
 * Worker, from the route (which has suspended conn): queues a reload for
 * the main thread. Returns the job, a reference the caller drops with
 * reload_job_unref, or NULL when out of memory (nothing queued).
 */
struct reload_job *reload_ask(struct gossipd *d, struct worker *w,
			      struct MHD_Connection *conn);

/* Has the main thread answered? Then *rc (0 or -1) and *err (the reason,
 * owned by the job) are set. Worker thread. */
bool reload_job_result(struct reload_job *j, int *rc, const char **err);
void reload_job_unref(struct reload_job *j);

/* Main thread, when reload_efd is readable: one reload answers every
 * request queued until now. */
void reload_queue_run(struct gossipd *d);

/* Main thread, at stop: every request still queued is answered with
 * -1 and why. */
void reload_queue_fail(struct gossipd *d, const char *why);

#endif
