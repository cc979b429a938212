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
struct reload_job;

enum serve_phase { PHASE_STARTING = 0, PHASE_SERVING, PHASE_STOPPING };

/*
 * State with one rule: the live configuration and the live credentials
 * are reference-counted and swapped whole under lock by the main thread
 * (a reload). Every reader holds a reference to the one it reads: a
 * request pins the configuration at its start (request.cfg), a worker or
 * the gossiper at each loop turn (gossipd_cfg_refresh), anything else
 * takes one with gossipd_cfg_get and drops it with gossipd_cfg_put. A
 * replaced configuration is freed when its last user drops it.
 */
struct gossipd {
	pthread_mutex_t lock;		 /* guards the swaps below */
	struct gossipd_config *cfg_live; /* never read in place */
	atomic_uint cfg_gen;		 /* bumped by every swap */
	struct tls_creds *creds; /* current credentials; NULL if insecure */
	atomic_int phase;	 /* enum serve_phase */
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

	/* daemon.c: the sockets and workers; one reload at a time, on the
	 * main thread */
	struct listener *listener;
	pthread_mutex_t reload_lock;
	/* reload.c: reloads asked for by POST /admin/reloadconfig, waiting
	 * for the main thread (reload_efd wakes it) */
	int reload_efd;
	pthread_mutex_t reload_q_mu;
	struct reload_job *reload_q;
};

/* The live configuration, with a reference the caller drops with
 * gossipd_cfg_put. Never NULL once the daemon runs. */
const struct gossipd_config *gossipd_cfg_get(struct gossipd *d);
void gossipd_cfg_put(const struct gossipd_config *cfg);

/*
 * For a thread that keeps a reference across its loop turns: when a
 * reload swapped the configuration since *gen, drops *held and takes the
 * live one (*held may start NULL, *gen 0). Cheap when nothing changed (an
 * atomic load). Returns *held.
 */
const struct gossipd_config *
gossipd_cfg_refresh(struct gossipd *d, const struct gossipd_config **held,
		    unsigned *gen);

/* The current credentials with a reference the caller drops. NULL when
 * insecure. */
struct tls_creds *gossipd_creds_get(struct gossipd *d);

/*
 * Re-reads the configuration and the credentials, and swaps in the
 * reloadable options and the new credential set only when everything
 * loaded. Returns 0, or -1 with the reason in err (the old settings stay).
 * Main thread only: SIGHUP, and POST /admin/reloadconfig through reload.c.
 */
int gossipd_reload(struct gossipd *d, char *err, size_t errlen);

#endif
