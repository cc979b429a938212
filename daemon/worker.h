/*
 * worker: the listener's insides, shared by listener.c (sockets, threads,
 * event loop), mhd_glue.c (the worker's libmicrohttpd daemon), conn.c (one
 * client connection and its byte pump), tls_conn.c (the TLS side of a
 * connection), h2_conn.c, and the routes and reload.c (which resume a
 * suspended request on its worker). Other modules use listener.h.
 */
#ifndef GOSSIPD_WORKER_H
#define GOSSIPD_WORKER_H

#include <microhttpd.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <time.h>

#include "conn_info.h"
#include "gossipd.h"
#include "ip_limits.h"
#include "listener.h"
#include "log.h"
#include "ratelimit.h"

#define CONN_BUF 16384
/* a TLS record at most: 16 KiB of content, header, IV, tag, padding */
#define TLS_RA_BYTES (16384 + 2048)

/* What an epoll registration points at. */
enum ev_kind { EV_LISTEN, EV_ADMIN, EV_MHD, EV_WAKE, EV_CLIENT, EV_PAIR };

struct ev {
	enum ev_kind kind;
};

/* A linear buffer: bytes [start, end) are pending. data is NULL while
 * nothing is held: a pump turn borrows the worker's scratch buffer, and
 * only bytes that could not be passed on get a buffer of their own
 * (CONN_BUF bytes), freed once they are sent. An idle connection holds
 * none. */
struct iobuf {
	size_t start, end;
	char *data;
};

struct h2_conn;
struct tls_session;
struct tls_server;
struct tls_rng;

struct conn {
	struct ev ev_client, ev_pair;
	struct worker *w;
	struct conn *prev, *next; /* the worker's list, or its dead list */
	int cfd;		  /* the client socket */
	int pfd;		  /* our end of the socketpair, or -1 */
	struct sockaddr_storage peer;
	socklen_t peer_len;
	bool is_admin;	      /* came on the admin socket */
	struct ip_slot *slot; /* its place in ip_limits, or NULL */
	bool answered;	      /* answered once (the slot was told) */
	bool handed_off;      /* past the handshake: MHD has the other end
			       * of the pair, or h2 serves it */
	bool sniffing;	      /* insecure: waiting for the first bytes to
			       * tell HTTP/2 (preface) from HTTP/1.1 */
	bool client_eof;      /* the client will send nothing more */
	bool pair_eof;	      /* MHD will send nothing more */
	bool pair_shut;	      /* we sent MHD our half-close */
	bool pair_gone;	      /* MHD closed its end under our bytes */
	bool closed;	      /* on the dead list, awaiting free */
	bool pair_quiet;      /* during conn_event: MHD's end has not
			       * closed, so a short read drains the pair */
	bool fast;	      /* served by the fast lane (h1_fast.c): no
			       * socketpair, libmicrohttpd not involved yet */
	/* the fast lane: when the client last sent bytes (IdleTimeoutSec) */
	int64_t active_ms;
	int64_t deadline_ms; /* handshake deadline, 0 once established */
	/* handed to MHD, no request byte yet: since when (0: not waiting);
	 * RequestTimeoutMs applies, not IdleTimeoutSec */
	int64_t await_since_ms;
	/* lingering close: the answer is sent and our side shut; the
	 * client's unread bytes are dropped until then (0: not lingering),
	 * so that closing does not reset the connection under its answer */
	int64_t linger_until_ms;
	size_t lingered; /* bytes dropped while lingering */
	/* the credential generation the peer certificate was last checked
	 * against (tls_conn_recheck) */
	unsigned cred_gen;
	/* the peer lost its rights (revoked or expired certificate): closed
	 * once the answer in flight is sent, or at doom_until_ms at the
	 * latest; the reason is logged then */
	int64_t doom_until_ms;
	char doom_reason[160];
	struct conn_info *info;
	struct tls_session *tls; /* NULL: plain (insecure or admin) */
	struct h2_conn *h2;	 /* served over HTTP/2 (h2_conn.c) */
	struct iobuf in;	 /* client -> MHD */
	struct iobuf out;	 /* MHD -> client */
};

/* A connection to resume on its worker, posted from another thread
 * (worker_resume_later). The node lives in the poster's state until the
 * worker has resumed the connection. */
struct worker_resume {
	struct MHD_Connection *conn;
	struct worker_resume *next;
};

struct worker {
	struct listener *l;
	int idx;
	/* the configuration this worker reads: a reference refreshed at
	 * each loop turn (gossipd_cfg_refresh) */
	const struct gossipd_config *cfg;
	unsigned cfg_gen;
	int epfd;
	int wakefd;		   /* eventfd: stop, or connections to resume */
	atomic_bool stop_asked;	   /* by listener_stop */
	atomic_bool finished;	   /* the loop has ended */
	pthread_mutex_t resume_mu; /* guards resume */
	struct worker_resume *resume; /* posted, not yet resumed */
	int reserve_fd; /* /dev/null, given up to shed a connection at EMFILE */
	bool has_listen, has_admin;
	struct MHD_Daemon *mhd;
	/* libmicrohttpd has something to do this turn: its epoll fd, a
	 * resume, bytes or an end given to it on a pair. A turn with
	 * nothing for it (the fast lane's, say) skips MHD_run, unless its
	 * own timeout says it is due (listener.c) */
	bool mhd_due;
	pthread_t thread;
	bool started;
	bool stopping;
	int64_t drain_deadline_ms;
	int64_t last_sweep_ms;
	struct conn *conns; /* live connections */
	struct conn *dead;  /* closed during this loop turn */
	int n_conns;
	/* identities waiting for MHD's NOTIFY_STARTED, indexed by the fd of
	 * MHD's end of the socketpair */
	struct conn_info **pending;
	size_t n_pending;
	struct ev ev_listen, ev_admin, ev_mhd, ev_wake;
	char scratch[CONN_BUF]; /* lent to one pump direction at a time */
	/* TLS read-ahead: one read of the client socket takes a whole
	 * record (and what follows it) for mbedTLS (tls_conn.c) */
	char tls_ra[TLS_RA_BYTES];
	/* the fast lane's answer while it is written (h1_fast.c), and the
	 * Date header of the second date_sec */
	char fast_out[CONN_BUF];
	time_t date_sec;
	char date[32];
	struct ratelimit refusal_log; /* refusal lines: 10 a second */
	/* refusal lines per peer address and reason: one per window, the
	 * rest summarised by the sweep when the window ends */
	struct ratelimit_set refusal_keys;
};

struct listener {
	struct gossipd *d;
	int lfd;	  /* TCP listening socket, shared (EPOLLEXCLUSIVE) */
	int afd;	  /* admin socket, or -1 */
	char *admin_path; /* unlinked at free */
	int n_workers;
	struct worker *workers;
	struct ip_limits *limits;
	int drain_ms;
	/* the current TLS server config; connections hold references */
	pthread_mutex_t tls_lock;
	struct tls_server *tls;
	struct tls_rng *tls_rng; /* shared by every configuration */
	atomic_uint tls_gen;	 /* bumped by every tls_server_update */
	/* CertificateRevocationListStaleRefusesAll: when the next CRL of
	 * the current set turns stale (0: none), and the generation the
	 * sweep bumped to then, so that every open connection is checked
	 * again under the stale CRL */
	atomic_llong crl_stale_at;
	atomic_uint stale_gen;
};

/* conn.c: takes ownership of cfd and of slot (its place in the caps,
 * NULL for the admin socket). Returns 0, or -1 after closing everything. */
int conn_accepted(struct worker *w, int cfd, const struct sockaddr *sa,
		  socklen_t len, bool is_admin, struct ip_slot *slot);
/* Client I/O, TLS or plain: bytes, 0 at the end, IO_AGAIN or IO_ERR. */
#define IO_AGAIN (-1)
#define IO_ERR	 (-2)
ssize_t conn_client_recv(struct conn *c, char *buf, size_t len);
ssize_t conn_client_send(struct conn *c, const char *buf, size_t len);
/* Sends what b holds to the client until it is sent or the client takes
 * no more now: the bytes sent, or -1 on an error. */
ssize_t conn_send_held(struct conn *c, struct iobuf *b);
/* Moves bytes every way they can go; may close the connection. */
void conn_pump(struct conn *c);
/* Gives a fast-lane connection to libmicrohttpd with the bytes c->in
 * holds (the first request the lane does not answer, and what follows);
 * c->out must be empty. Returns 0, or -1 (the caller closes). */
int conn_to_mhd(struct conn *c);
/* The same for an epoll event on the client socket or on the pair: only
 * the directions that event can move. */
void conn_event(struct conn *c, bool from_pair, uint32_t events);
/* Closes the sockets at once and puts the connection on the dead list. */
void conn_close(struct conn *c);
/* Timers: handshake deadline, request timeout; idle closing when the
 * worker is stopping. */
void conn_sweep(struct conn *c, int64_t now);
/* The peer of c lost its rights: it is closed once what is in flight is
 * answered (conn_sweep), with one line giving reason. */
void conn_doom(struct conn *c, const char *reason);
/* True when nothing is in flight (for the drain at stop). */
bool conn_idle(const struct conn *c);
/* After a turn that may have borrowed scratch for b: an empty b gives it
 * back (or frees its own buffer); bytes still held in scratch move to a
 * buffer of b's own, own_size bytes (at least what is held). -1 when that
 * cannot be had. */
int iobuf_keep(struct iobuf *b, char *scratch, size_t own_size);
/* Frees the dead list. */
void conn_reap(struct worker *w);

/*
 * listener.c: logs a refusal of peer ("ip:port", or NULL) for reason (a
 * short fixed text, the same for the same cause). One line per peer
 * address and reason per window (REFUSAL_WINDOW_MS, doubling up to
 * REFUSAL_WINDOW_MAX_MS while the same refusal keeps coming), at most 10
 * a second per worker; what is held back is reported when the window ends ("N
 * refusals from IP not logged in the last S s: reason").
 */
void worker_log_refusal(struct worker *w, const char *peer, const char *reason,
			const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* The timer side: reports windows that have ended (from the sweep). */
void worker_refusal_timer(struct worker *w, int64_t now);
/* The same with the fields of the line: peer and reason, and what (a
 * request, or NULL) key the limiter; cn and member are only shown. */
void worker_vlog_refusal(struct worker *w, const struct log_fields *f,
			 const char *what, const char *fmt, va_list ap)
    __attribute__((format(printf, 4, 0)));
/* The worker whose thread calls (in MHD's callbacks), or NULL. */
struct worker *worker_current(void);
/* Any thread: has w resume node->conn (suspended by a route) in its
 * loop; the route is then called again. */
void worker_resume_later(struct worker *w, struct worker_resume *node);

#endif
