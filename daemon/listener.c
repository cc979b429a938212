/*
 * listener: the listening sockets, the worker threads and their event
 * loops, and each worker's libmicrohttpd daemon in external-epoll mode.
 *
 * One TCP listening socket is shared by every worker, registered in each
 * worker's epoll with EPOLLEXCLUSIVE so that one connection wakes one
 * worker (unlike SO_REUSEPORT, a second daemon on the same port then
 * fails to bind instead of silently sharing it). The admin socket is
 * served by worker 0. A connection never moves between threads.
 */
#include "listener.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "metrics.h"
#include "mhd_glue.h"
#include "routes.h"
#include "sockets.h"
#include "tls_server.h"
#include "worker.h"
#include "clock.h"

#define MAX_WORKERS	   64
#define ACCEPT_BATCH	   64
#define SWEEP_INTERVAL_MS  50
#define REFUSAL_LOGS_PER_S 10
#define REFUSAL_WINDOW_MS  10000 /* per peer address and reason */
/* a peer refused again and again: the window doubles up to this */
#define REFUSAL_WINDOW_MAX_MS (5 * 60 * 1000)

/* The address part of "ip:port" or "[v6]:port". */
static void
peer_host(const char *peer, char *out, size_t len)
{
	const char *colon = strrchr(peer, ':');
	size_t n = colon != NULL ? (size_t)(colon - peer) : strlen(peer);

	if (n >= 2 && peer[0] == '[' && peer[n - 1] == ']') {
		peer++;
		n -= 2;
	}
	if (n >= len)
		n = len - 1;
	memcpy(out, peer, n);
	out[n] = '\0';
}

/* A summary line for what a window held back; key is "host\nreason". */
static void
refusal_summary(void *ctx, const char *key, const struct ratelimit_held *h)
{
	const char *nl = key != NULL ? strchr(key, '\n') : NULL, *req;
	long long secs = (h->window_ms + 500) / 1000;
	char host[RATELIMIT_KEY_MAX], reason[RATELIMIT_KEY_MAX];

	(void)ctx;
	if (secs < 1)
		secs = 1;
	if (nl == NULL) {
		log_warn("%lu refusal%s not logged in the last %lld s",
			 h->count, h->count == 1 ? "" : "s", secs);
		return;
	}
	snprintf(host, sizeof(host), "%.*s", (int)(nl - key), key);
	/* "host\nreason" or "host\nreason\nrequest" */
	snprintf(reason, sizeof(reason), "%.*s", (int)strcspn(nl + 1, "\n"),
		 nl + 1);
	req = strchr(nl + 1, '\n');
	log_fmsg(
	    LL_WARN, &(struct log_fields){.peer = host, .reason = reason},
	    "%lu refusal%s from %s not logged in the last %lld s: %s%s%s%s",
	    h->count, h->count == 1 ? "" : "s", host, secs, reason,
	    req != NULL ? " (" : "", req != NULL ? req + 1 : "",
	    req != NULL ? ")" : "");
}

void
worker_refusal_timer(struct worker *w, int64_t now)
{
	struct ratelimit_held g = ratelimit_expire(&w->refusal_log, now);

	ratelimit_set_expire(&w->refusal_keys, now, refusal_summary, w);
	if (g.count > 0)
		refusal_summary(w, NULL, &g);
}

static _Thread_local struct worker *this_worker;

struct worker *
worker_current(void)
{
	return this_worker;
}

void
worker_vlog_refusal(struct worker *w, const struct log_fields *f,
		    const char *what, const char *fmt, va_list ap)
{
	struct ratelimit_held prev;
	struct log_fields shown = *f;
	char msg[1024], key[RATELIMIT_KEY_MAX], host[80] = "";
	int64_t now = clock_mono_ms();

	if (f->peer != NULL)
		peer_host(f->peer, host, sizeof(host));
	snprintf(key, sizeof(key), "%s\n%s%s%s", host,
		 f->reason != NULL ? f->reason : "", what != NULL ? "\n" : "",
		 what != NULL ? what : "");
	if (!ratelimit_set_allow(&w->refusal_keys, key, now, &prev)) {
		log_suppressed_add(1);
		return;
	}
	if (prev.count > 0) /* the timer had not run yet */
		refusal_summary(w, key, &prev);
	if (!ratelimit_allow(&w->refusal_log, now, &prev)) {
		log_suppressed_add(1);
		return;
	}
	if (prev.count > 0)
		refusal_summary(w, NULL, &prev);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	shown.peer = f->peer != NULL ? host : NULL;
	log_fmsg(LL_WARN, &shown, "%s", msg);
}

void
worker_log_refusal(struct worker *w, const char *peer, const char *reason,
		   const char *fmt, ...)
{
	struct log_fields f = {.peer = peer, .reason = reason};
	va_list ap;

	va_start(ap, fmt);
	worker_vlog_refusal(w, &f, NULL, fmt, ap);
	va_end(ap);
}
static void
refuse(struct worker *w, int fd, const struct sockaddr *sa,
       enum ip_limit_verdict v)
{
	char peer[64];

	sockets_format_peer(sa, peer, sizeof(peer));
	close(fd);
	metrics_refusal(v == IPL_TOTAL ? "conn_limit" : "per_ip_limit");
	if (v == IPL_TOTAL)
		worker_log_refusal(w, peer, "connection limit reached",
				   "connection from %s refused: connection "
				   "limit reached (MaxConnections %d)",
				   peer, w->cfg->max_connections);
	else
		worker_log_refusal(w, peer, "per-IP connection limit reached",
				   "connection from %s refused: per-IP "
				   "connection limit reached "
				   "(MaxConnectionsPerIp %d)",
				   peer, w->cfg->max_connections_per_ip);
}

/* Out of descriptors: the pending connection would keep the listening
 * socket readable and the loop spinning. Free the reserve descriptor,
 * accept and close the connection, and take the reserve back. */
static void
shed_one(struct worker *w, int lfd)
{
	int err = errno, fd;

	if (w->reserve_fd >= 0) {
		close(w->reserve_fd);
		fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (fd >= 0)
			close(fd);
		w->reserve_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	}
	metrics_refusal("conn_limit");
	worker_log_refusal(w, NULL, "out of descriptors",
			   "connection refused: %s (raise the descriptor "
			   "limit, or lower MaxConnections)",
			   strerror(err));
}

static void
accept_ready(struct worker *w, int lfd, bool is_admin)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int i, fd;

	for (i = 0; i < ACCEPT_BATCH && !w->stopping; i++) {
		enum ip_limit_verdict v = IPL_OK;
		struct ip_slot *slot = NULL;
		bool evicted = false;

		len = sizeof(ss);
		fd = accept4(lfd, (struct sockaddr *)&ss, &len,
			     SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EMFILE || errno == ENFILE)
				shed_one(w, lfd);
			return;
		}
		if (!is_admin)
			v = ip_limits_acquire(w->l->limits,
					      (struct sockaddr *)&ss, &slot,
					      &evicted);
		if (v != IPL_OK) {
			refuse(w, fd, (struct sockaddr *)&ss, v);
			continue;
		}
		conn_accepted(w, fd, (struct sockaddr *)&ss, len, is_admin,
			      slot);
	}
}

static int
epoll_add(int epfd, int fd, uint32_t events, struct ev *ev)
{
	struct epoll_event e = {.events = events, .data.ptr = ev};

	return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &e);
}

void
worker_resume_later(struct worker *w, struct worker_resume *node)
{
	uint64_t one = 1;

	pthread_mutex_lock(&w->resume_mu);
	node->next = w->resume;
	w->resume = node;
	pthread_mutex_unlock(&w->resume_mu);
	if (write(w->wakefd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		log_error("eventfd write: %s", strerror(errno));
}

/* Stop accepting; connections get drain_ms to finish what they do. */
static void
worker_begin_stop(struct worker *w)
{
	if (w->stopping)
		return;
	w->stopping = true;
	w->drain_deadline_ms = clock_mono_ms() + w->l->drain_ms;
	if (w->has_listen)
		epoll_ctl(w->epfd, EPOLL_CTL_DEL, w->l->lfd, NULL);
	if (w->has_admin)
		epoll_ctl(w->epfd, EPOLL_CTL_DEL, w->l->afd, NULL);
}

/* The wake eventfd: connections to resume, and perhaps the stop. */
static void
worker_woken(struct worker *w)
{
	struct worker_resume *list, *next;
	uint64_t v;

	if (read(w->wakefd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		log_debug("eventfd read: %s", strerror(errno));
	pthread_mutex_lock(&w->resume_mu);
	list = w->resume;
	w->resume = NULL;
	pthread_mutex_unlock(&w->resume_mu);
	for (; list != NULL; list = next) {
		next = list->next; /* list may be freed once resumed */
		mhd_glue_resume(w, list->conn);
	}
	if (atomic_load(&w->stop_asked))
		worker_begin_stop(w);
}

static void
dispatch(struct worker *w, struct epoll_event *e)
{
	struct ev *ev = e->data.ptr;

	switch (ev->kind) {
	case EV_LISTEN:
		accept_ready(w, w->l->lfd, false);
		break;
	case EV_ADMIN:
		accept_ready(w, w->l->afd, true);
		break;
	case EV_WAKE:
		w->mhd_due = true; /* connections to resume, or stop */
		worker_woken(w);
		break;
	case EV_MHD:
		w->mhd_due = true;
		break;
	case EV_CLIENT:
		conn_event((struct conn *)((char *)ev -
					   offsetof(struct conn, ev_client)),
			   false, e->events);
		break;
	case EV_PAIR:
		w->mhd_due = true;
		conn_event((struct conn *)((char *)ev -
					   offsetof(struct conn, ev_pair)),
			   true, e->events);
		break;
	}
}

static int
loop_timeout(struct worker *w)
{
	int t = mhd_glue_timeout(w, 1000);

	if ((w->n_conns > 0 || w->stopping) && t > SWEEP_INTERVAL_MS)
		t = SWEEP_INTERVAL_MS;
	return t;
}

/* A CRL of the current set turned stale (and stale refuses all): a new
 * generation makes every worker check its open connections again, and
 * the next CRL of the set to turn stale is armed. A reload in between
 * stores its own moment (and bumps the generation itself). */
static void
stale_check(struct listener *l)
{
	long long at = atomic_load(&l->crl_stale_at);

	if (at == 0 || time(NULL) <= at ||
	    !atomic_compare_exchange_strong(
		&l->crl_stale_at, &at, (long long)tls_server_crl_stale_next(l)))
		return;
	atomic_store(&l->stale_gen, atomic_fetch_add(&l->tls_gen, 1) + 1);
}

static void
sweep(struct worker *w, int64_t now)
{
	struct conn *c, *next;

	w->last_sweep_ms = now;
	stale_check(w->l);
	worker_refusal_timer(w, now);
	for (c = w->conns; c != NULL; c = next) {
		next = c->next; /* c may move to the dead list */
		conn_sweep(c, now);
	}
}

static void *
worker_main(void *arg)
{
	struct worker *w = arg;

	this_worker = w; /* for worker_current() in MHD's callbacks */
	struct epoll_event evs[64];
	int i, n;

	for (;;) {
		int64_t now;

		gossipd_cfg_refresh(w->l->d, &w->cfg, &w->cfg_gen);
		n = epoll_wait(w->epfd, evs, 64, loop_timeout(w));
		if (n < 0 && errno != EINTR) {
			log_error("epoll_wait: %s", strerror(errno));
			break;
		}
		for (i = 0; i < n; i++)
			dispatch(w, &evs[i]);
		if (w->mhd_due || w->stopping || mhd_glue_timeout(w, 1) == 0) {
			w->mhd_due = false;
			mhd_glue_run(w);
		}
		now = clock_mono_ms();
		if (now - w->last_sweep_ms >= SWEEP_INTERVAL_MS || w->stopping)
			sweep(w, now);
		conn_reap(w);
		if (w->stopping &&
		    (w->n_conns == 0 || now >= w->drain_deadline_ms))
			break;
	}
	while (w->conns != NULL)
		conn_close(w->conns);
	conn_reap(w);
	atomic_store(&w->finished, true);
	return NULL;
}

static int
worker_init(struct worker *w, struct listener *l, int idx, char *err,
	    size_t errlen)
{
	int mhd_fd;

	w->l = l;
	gossipd_cfg_refresh(l->d, &w->cfg, &w->cfg_gen);
	pthread_mutex_init(&w->resume_mu, NULL);
	ratelimit_init(&w->refusal_log, 1000, REFUSAL_LOGS_PER_S);
	w->refusal_keys.window_ms = REFUSAL_WINDOW_MS;
	w->refusal_keys.burst = 1;
	w->refusal_keys.max_window_ms = REFUSAL_WINDOW_MAX_MS;
	w->idx = idx;
	w->ev_listen.kind = EV_LISTEN;
	w->ev_admin.kind = EV_ADMIN;
	w->ev_mhd.kind = EV_MHD;
	w->ev_wake.kind = EV_WAKE;
	w->reserve_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	w->epfd = epoll_create1(EPOLL_CLOEXEC);
	w->wakefd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (w->epfd < 0 || w->wakefd < 0) {
		snprintf(err, errlen, "cannot set up worker %d: %s", idx,
			 strerror(errno));
		return -1;
	}
	if (mhd_glue_start(w, &mhd_fd, err, errlen) != 0)
		return -1;
	w->has_listen = true;
	w->has_admin = idx == 0 && l->afd >= 0;
	if (epoll_add(w->epfd, mhd_fd, EPOLLIN, &w->ev_mhd) != 0 ||
	    epoll_add(w->epfd, w->wakefd, EPOLLIN, &w->ev_wake) != 0 ||
	    epoll_add(w->epfd, l->lfd, EPOLLIN | EPOLLEXCLUSIVE,
		      &w->ev_listen) != 0 ||
	    (w->has_admin &&
	     epoll_add(w->epfd, l->afd, EPOLLIN, &w->ev_admin) != 0)) {
		snprintf(err, errlen, "cannot set up worker %d: %s", idx,
			 strerror(errno));
		return -1;
	}
	return 0;
}

static void
worker_fini(struct worker *w)
{
	mhd_glue_stop(w);
	/* what was posted after the loop ended: MHD closed those
	 * connections, and their nodes are gone with them */
	w->resume = NULL;
	if (w->l != NULL)
		pthread_mutex_destroy(&w->resume_mu);
	gossipd_cfg_put(w->cfg);
	w->cfg = NULL;
	if (w->epfd >= 0)
		close(w->epfd);
	if (w->wakefd >= 0)
		close(w->wakefd);
	if (w->reserve_fd >= 0)
		close(w->reserve_fd);
}

static int
worker_count(const struct gossipd_config *cfg)
{
	long n =
	    cfg->workers > 0 ? cfg->workers : sysconf(_SC_NPROCESSORS_ONLN);

	if (n < 1)
		n = 1;
	return n > MAX_WORKERS ? MAX_WORKERS : (int)n;
}

int
listener_create(struct gossipd *d, struct listener **out, char *err,
		size_t errlen)
{
	struct listener *l = calloc(1, sizeof(*l));
	const struct gossipd_config *cfg = gossipd_cfg_get(d);
	struct admin_owner owner;
	int i;

	*out = NULL;
	if (l == NULL) {
		snprintf(err, errlen, "out of memory");
		gossipd_cfg_put(cfg);
		return -1;
	}
	l->d = d;
	l->lfd = -1;
	l->afd = -1;
	l->drain_ms = 1000;
	pthread_mutex_init(&l->tls_lock, NULL);
	l->n_workers = worker_count(cfg);
	l->workers = calloc((size_t)l->n_workers, sizeof(*l->workers));
	l->limits =
	    ip_limits_new(cfg->max_connections, cfg->max_connections_per_ip,
			  cfg->max_connections_per_ip_v6_prefix);
	for (i = 0; l->workers != NULL && i < l->n_workers; i++)
		l->workers[i].epfd = l->workers[i].wakefd =
		    l->workers[i].reserve_fd = -1;
	if (l->workers == NULL || l->limits == NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	l->lfd = sockets_listen_tcp(cfg, err, errlen);
	if (l->lfd < 0)
		goto fail;
	if (sockets_admin_owner(cfg, &owner, err, errlen) != 0)
		goto fail;
	l->afd = sockets_admin_open(cfg->admin_socket, &owner, &l->admin_path);
	metrics_admin_socket(l->afd >= 0);
	if (d->creds != NULL &&
	    tls_server_update(l, d->creds, err, errlen) != 0)
		goto fail;
	for (i = 0; i < l->n_workers; i++)
		if (worker_init(&l->workers[i], l, i, err, errlen) != 0)
			goto fail;
	*out = l;
	gossipd_cfg_put(cfg);
	return 0;
fail:
	listener_free(l);
	gossipd_cfg_put(cfg);
	return -1;
}

void
listener_reload(struct listener *l, const struct gossipd_config *cfg)
{
	if (l == NULL)
		return;
	ip_limits_set(l->limits, cfg->max_connections,
		      cfg->max_connections_per_ip,
		      cfg->max_connections_per_ip_v6_prefix);
}

int
listener_start(struct listener *l, char *err, size_t errlen)
{
	int i, rc;

	for (i = 0; i < l->n_workers; i++) {
		rc = pthread_create(&l->workers[i].thread, NULL, worker_main,
				    &l->workers[i]);
		if (rc != 0) {
			snprintf(err, errlen,
				 "cannot start a worker thread: %s",
				 strerror(rc));
			return -1;
		}
		l->workers[i].started = true;
	}
	log_info(strchr(l->workers[0].cfg->node_ip, ':') != NULL
		     ? "serving on [%s]:%d with %d worker%s"
		     : "serving on %s:%d with %d worker%s",
		 l->workers[0].cfg->node_ip, l->workers[0].cfg->node_port,
		 l->n_workers, l->n_workers == 1 ? "" : "s");
	return 0;
}

void
listener_stop_begin(struct listener *l, int drain_ms)
{
	uint64_t one = 1;
	int i;

	l->drain_ms = drain_ms;
	/* New connections are refused from now on instead of waiting in
	 * the backlog of a socket nobody accepts from any more. The fd
	 * stays open (workers may be in accept4 on it) until free. */
	if (l->lfd >= 0)
		shutdown(l->lfd, SHUT_RD);
	for (i = 0; i < l->n_workers; i++) {
		atomic_store(&l->workers[i].stop_asked, true);
		if (l->workers[i].started &&
		    write(l->workers[i].wakefd, &one, sizeof(one)) < 0)
			log_error("eventfd write: %s", strerror(errno));
	}
}

bool
listener_drained(struct listener *l)
{
	for (int i = 0; i < l->n_workers; i++)
		if (l->workers[i].started &&
		    !atomic_load(&l->workers[i].finished))
			return false;
	return true;
}

void
listener_stop(struct listener *l, int drain_ms)
{
	int i;

	listener_stop_begin(l, drain_ms);
	for (i = 0; i < l->n_workers; i++) {
		if (!l->workers[i].started)
			continue;
		pthread_join(l->workers[i].thread, NULL);
		l->workers[i].started = false;
	}
}

void
listener_free(struct listener *l)
{
	int i;

	if (l == NULL)
		return;
	listener_stop(l, 0);
	for (i = 0; l->workers != NULL && i < l->n_workers; i++)
		worker_fini(&l->workers[i]);
	free(l->workers);
	if (l->lfd >= 0)
		close(l->lfd);
	sockets_admin_close(l->afd, l->admin_path);
	tls_server_release(l);
	ip_limits_free(l->limits);
	pthread_mutex_destroy(&l->tls_lock);
	free(l);
}
