/*
 * mhd_glue: a worker's libmicrohttpd daemon (see mhd_glue.c). Only this
 * file and the routes (which answer through MHD) call libmicrohttpd.
 */
#ifndef GOSSIPD_MHD_GLUE_H
#define GOSSIPD_MHD_GLUE_H

#include <stddef.h>
#include <sys/socket.h>

#include "worker.h"

/*
 * Starts w's MHD daemon (external epoll, no listening socket, routes as
 * the handler, the worker's identity hand-off, our logger). Returns 0 and
 * MHD's epoll fd in *epoll_fd (the worker's epoll watches it), or -1 with
 * a reason.
 */
int mhd_glue_start(struct worker *w, int *epoll_fd, char *err, size_t errlen);

/* Stops the daemon (closing its connections) and drops the identities
 * still parked. Safe on a worker whose start failed. */
void mhd_glue_stop(struct worker *w);

/* The time MHD needs to be run again, at most cap_ms. */
int mhd_glue_timeout(struct worker *w, int cap_ms);

/* Resumes a connection a route suspended (worker thread only). */
void mhd_glue_resume(struct worker *w, struct MHD_Connection *conn);

/* Lets MHD do whatever is ready (called once per loop turn). */
void mhd_glue_run(struct worker *w);

/*
 * Gives MHD its end of the socketpair (mfd), with the identity in info
 * parked under mfd until MHD's STARTED notification takes it. Takes
 * ownership of mfd and of the reference in info, also on failure.
 * Returns 0, or -1 (logged).
 */
int mhd_glue_hand_off(struct worker *w, int mfd, struct conn_info *info,
		      const struct sockaddr *sa, socklen_t len);

#endif
