/*
 * The state of a running daemon, shared by the listener, the routes, the
 * gossiper and the metrics. One instance per process.
 */
#ifndef GOSSIPD_GOSSIPD_H
#define GOSSIPD_GOSSIPD_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "member.h"
#include "options.h"
#include "tls_creds.h"

struct cluster;
struct gossiper;
struct listener;

enum serve_phase { PHASE_STARTING = 0, PHASE_SERVING, PHASE_STOPPING };

struct gossipd {
	pthread_mutex_t lock;	    /* guards cfg and creds swaps */
	struct gossipd_config *cfg; /* current configuration */
	struct tls_creds *creds;    /* current credentials; NULL if insecure */
	atomic_int phase;	    /* enum serve_phase */
	ticks_t started;

	/* argv/envp as given at start, for reloads */
	int argc;
	char **argv;
	char **envp;

	/* the gossip part (gossip_routes.c, gossiper.c) */
	struct cluster *cluster;
	struct gossiper *gossiper;
	/* per-peer exchange health (common/peer_health.h), recorded by the
	 * gossip side, read by /members/health, /metrics, /health/ready */
	struct peer_health *peers;

	/* daemon.c: the sockets and workers; one reload at a time; configs
	 * replaced by reloads stay allocated until exit, so that a pointer
	 * to d->cfg read by another thread never dangles */
	struct listener *listener;
	pthread_mutex_t reload_lock;
	struct gossipd_config **retired;
	size_t n_retired;
};

/* The current credentials with a reference the caller drops. NULL when
 * insecure. */
struct tls_creds *gossipd_creds_get(struct gossipd *d);

/*
 * Re-reads the configuration and the credentials, and swaps in the
 * reloadable options and the new credential set only when everything
 * loaded. Returns 0, or -1 with the reason in err (the old settings stay).
 * Used by SIGHUP and POST /admin/reloadconfig.
 */
int gossipd_reload(struct gossipd *d, char *err, size_t errlen);

#endif
