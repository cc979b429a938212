/*
 * mhd_glue: everything that touches libmicrohttpd on a worker: its daemon
 * in external-epoll mode (no listening socket, no thread of its own), the
 * hand-off of each connection's end of the socketpair with its identity,
 * the notifications that move that identity into MHD's socket context,
 * and MHD's log messages (docs/ARCHITECTURE.md, "The identity hand-off").
 */
#include "mhd_glue.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "routes.h"

/*
 * libmicrohttpd's per-connection pool: the request line and headers, and
 * the answer's headers (bodies go to the routes in chunks, bounded there).
 * 8 KiB, like nginx's default header buffer: MHD zeroes the whole pool
 * after every request of a kept-alive connection, so each byte here is
 * resident for as long as the connection is open and is written once per
 * request. A request whose headers do not fit gets MHD's 431.
 */
#define MHD_POOL_BYTES (8 * 1024)

/* MaxConnections (reloadable) is enforced before MHD sees a connection
 * (ip_limits); MHD's own limit is only a backstop, set at the option's
 * upper bound so that a reload raising MaxConnections is not undone
 * here. */
#define MHD_CONN_LIMIT (1000000 + 64)

/* MHD's own messages: the socket-option warnings it gives for every
 * AF_UNIX connection are noise here; the rest go to our log. */
static void
mhd_logger(void *cls, const char *fmt, va_list ap)
{
	char msg[512];
	size_t n;

	(void)cls;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (strstr(msg, "setsockopt") != NULL ||
	    strstr(msg, "socket option") != NULL ||
	    strstr(msg, "TCP_NODELAY") != NULL ||
	    strstr(msg, "TCP_CORK") != NULL ||
	    strstr(msg, "Failed to push the data") != NULL)
		return;
	n = strlen(msg);
	while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
		msg[--n] = '\0';
	log_debug("libmicrohttpd: %s", msg);
}

/* MHD tells us about a connection it took: attach the identity that was
 * parked under its fd; and let go of it when MHD closes. */
static void
notify_conn(void *cls, struct MHD_Connection *conn, void **socket_context,
	    enum MHD_ConnectionNotificationCode toe)
{
	struct worker *w = cls;

	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		const union MHD_ConnectionInfo *ci = MHD_get_connection_info(
		    conn, MHD_CONNECTION_INFO_CONNECTION_FD);
		int fd = ci != NULL ? ci->connect_fd : -1;

		if (fd >= 0 && (size_t)fd < w->n_pending) {
			*socket_context = w->pending[fd];
			w->pending[fd] = NULL;
		}
		/* IdleTimeoutSec as it is now (it is reloadable) */
		MHD_set_connection_option(conn, MHD_CONNECTION_OPTION_TIMEOUT,
					  (unsigned)w->cfg->idle_timeout_sec);
	} else if (toe == MHD_CONNECTION_NOTIFY_CLOSED) {
		conn_info_unref(*socket_context);
		*socket_context = NULL;
	}
}

int
mhd_glue_start(struct worker *w, int *epoll_fd, char *err, size_t errlen)
{
	const struct gossipd_config *cfg = w->cfg;
	const union MHD_DaemonInfo *di;

	/* The logger first: libmicrohttpd reports what it finds while
	 * parsing the options, so in any later place those reports would go
	 * to stderr in its own format. Suspend/resume: a route may wait for
	 * the main thread (reload.c) without holding up the worker. */
	w->mhd = MHD_start_daemon(
	    MHD_USE_NO_LISTEN_SOCKET | MHD_USE_EPOLL | MHD_USE_ERROR_LOG |
		MHD_ALLOW_SUSPEND_RESUME,
	    0, NULL, NULL, routes_handle, w, MHD_OPTION_EXTERNAL_LOGGER,
	    mhd_logger, w, MHD_OPTION_CONNECTION_TIMEOUT,
	    (unsigned)cfg->idle_timeout_sec, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
	    (size_t)MHD_POOL_BYTES, MHD_OPTION_CONNECTION_LIMIT,
	    (unsigned)MHD_CONN_LIMIT, MHD_OPTION_NOTIFY_COMPLETED,
	    routes_completed, w, MHD_OPTION_NOTIFY_CONNECTION, notify_conn, w,
	    MHD_OPTION_END);
	di = w->mhd != NULL
		 ? MHD_get_daemon_info(w->mhd, MHD_DAEMON_INFO_EPOLL_FD)
		 : NULL;
	if (di == NULL) {
		snprintf(err, errlen, "cannot set up worker %d: %s", w->idx,
			 "libmicrohttpd did not start");
		return -1;
	}
	*epoll_fd = di->epoll_fd;
	return 0;
}

void
mhd_glue_stop(struct worker *w)
{
	if (w->mhd != NULL)
		MHD_stop_daemon(w->mhd);
	w->mhd = NULL;
	for (size_t i = 0; i < w->n_pending; i++)
		conn_info_unref(w->pending[i]);
	free(w->pending);
	w->pending = NULL;
	w->n_pending = 0;
}

int
mhd_glue_timeout(struct worker *w, int cap_ms)
{
	MHD_UNSIGNED_LONG_LONG to = 0;

	if (MHD_get_timeout(w->mhd, &to) == MHD_YES && to < (unsigned)cap_ms)
		return (int)to;
	return cap_ms;
}

void
mhd_glue_resume(struct worker *w, struct MHD_Connection *conn)
{
	(void)w;
	MHD_resume_connection(conn);
}

void
mhd_glue_run(struct worker *w)
{
	MHD_run(w->mhd);
}

int
mhd_glue_hand_off(struct worker *w, int mfd, struct conn_info *info,
		  const struct sockaddr *sa, socklen_t len)
{
	if ((size_t)mfd >= w->n_pending) {
		size_t n = (size_t)mfd + 1 > 2 * w->n_pending
			       ? (size_t)mfd + 1
			       : 2 * w->n_pending;
		struct conn_info **p = realloc(w->pending, n * sizeof(*p));

		if (p == NULL) {
			close(mfd);
			conn_info_unref(info);
			return -1;
		}
		memset(p + w->n_pending, 0, (n - w->n_pending) * sizeof(*p));
		w->pending = p;
		w->n_pending = n;
	}
	w->pending[mfd] = info;
	if (MHD_add_connection(w->mhd, mfd, sa, len) != MHD_YES) {
		/* MHD has closed mfd; the slot may have been reused. */
		if (w->pending[mfd] == info) {
			w->pending[mfd] = NULL;
			conn_info_unref(info);
		}
		log_error("libmicrohttpd refused a connection: %s",
			  strerror(errno));
		return -1;
	}
	if (w->pending[mfd] != NULL) {
		/* MHD did not start the connection at once: it will run
		 * without an identity, so close it rather than guess. */
		w->pending[mfd] = NULL;
		conn_info_unref(info);
		log_error("libmicrohttpd deferred a connection start");
		return -1;
	}
	return 0;
}
