/*
 * cluster: the member table of one node (SPEC.md section 3): our own
 * entry, the members we heard of, placeholders for seeds, the merge
 * rules, liveness, removal of dead members, clock-skew detection, target
 * selection, and the serialized document, cached until the table
 * changes.
 *
 * Time is always passed in (ticks_t now), so tests drive it. The table
 * decides nothing about policy: what happened (a state change, a death,
 * a clock skew, ...) is handed to the caller's event callback, which logs
 * or counts it.
 *
 * Thread safety: a struct cluster holds its own mutex, and every
 * cluster_* function takes it, so the HTTP handlers, the gossiper and
 * the metrics renderer may call them from any thread. Events are
 * delivered after the mutex is released, on the calling thread; a
 * callback may call cluster_* functions.
 */
#ifndef GOSSIP_CLUSTER_H
#define GOSSIP_CLUSTER_H

#include <stdbool.h>
#include <stddef.h>

#include "gossip_json.h"
#include "member.h"
#include "options.h"
#include "shared_buf.h"

#define CLUSTER_ENDPOINT_MAX 300

struct cluster;

struct cluster_params {
	ticks_t allowed_skew; /* GossipAllowedDifferenceMs, in ticks */
	ticks_t dead_removal; /* DeadMemberRemovalPeriodSec, in ticks */
	size_t max_members;   /* entries besides self (0: 256) */
	/*
	 * Suspicion (SWIM/Lifeguard): with suspicion_mult > 0 a failed
	 * exchange makes a member suspect, and it is dead only when no
	 * sign of life came for the suspicion timeout,
	 *   max(suspicion_min, mult * max(1, log10(members)) * interval),
	 * members counting ourselves (memberlist's scaling). 0: a failed
	 * exchange marks the member dead at once.
	 */
	int suspicion_mult;
	ticks_t suspicion_min; /* GossipSuspicionMinMs, in ticks */
	ticks_t interval;      /* GossipIntervalMs, in ticks */
	ticks_t removal_keep;  /* how long a removal record lasts (0: the
				  dead removal period) */
};

enum cluster_event_kind {
	CE_ADDED,      /* a member we did not know; to = its state */
	CE_STATE,      /* a member's state changed: from -> to */
	CE_DEAD,       /* alive -> dead; reason says why */
	CE_ALIVE,      /* dead -> alive */
	CE_RESTARTED,  /* same endpoint, new instanceId */
	CE_REMOVED,    /* dropped after DeadMemberRemovalPeriodSec */
	CE_REPLACED,   /* the placeholder for seed was replaced by endpoint */
	CE_CLOCK_SKEW, /* a sender's own timeStamp is far from now */
	CE_SUSPECT,    /* alive -> suspect; reason says why */
	CE_UNSUSPECT,  /* suspect -> alive; reason says why */
	CE_FORGOTTEN,  /* removed by an operator (here or elsewhere) */
	CE_EVICTED,    /* dead, dropped to make room (table full) */
	CE_TABLE_FULL, /* a live newcomer not taken: table full of live */
};

struct cluster_event {
	enum cluster_event_kind kind;
	char endpoint[CLUSTER_ENDPOINT_MAX]; /* the member concerned */
	char seed[CLUSTER_ENDPOINT_MAX];     /* CE_REPLACED: the seed */
	enum member_state from, to;	     /* CE_STATE, CE_ADDED (to) */
	bool alive;			     /* CE_ADDED: its liveness */
	ticks_t peer_time, our_time;	     /* CE_CLOCK_SKEW */
	char reason[160];		     /* CE_DEAD */
};

/* Called once per event, after the table's mutex is released. */
typedef void (*cluster_event_fn)(void *ctx, const struct cluster_event *ev);

/* An address to gossip with: a member's HTTP endpoint, or a seed. */
struct cluster_target {
	char host[MEMBER_HOST_MAX];
	int port;
};

/*
 * Builds the self entry from the configuration (SPEC.md sections 1, 6):
 * advertised HTTP endpoint, replication and node TCP ports (secure or
 * plain by cfg->insecure), priority, read-only flag, cfg->initial_state
 * (Unknown when unset), a random instanceId, timeStamp now, positions
 * and epochNumber -1, zero epochId, esVersion "gossipd <version>".
 * Returns 0, or -1 with a reason (an unknown state name, no randomness).
 */
int cluster_self_from_config(const struct gossipd_config *cfg, ticks_t now,
			     struct member *out, char *err, size_t errlen);

/*
 * A new table holding a copy of self (its endpoint is our identity and
 * the document's serverIp/serverPort). fn may be NULL. Returns NULL on
 * allocation failure. Free with cluster_free (accepts NULL).
 */
struct cluster *cluster_new(const struct member *self,
			    const struct cluster_params *p, cluster_event_fn fn,
			    void *ctx);
void cluster_free(struct cluster *c);

/*
 * New timing parameters (a reload): the allowed clock skew, the dead
 * member removal period, the suspicion settings and the interval apply
 * from now on; max_members is fixed at cluster_new and ignored here.
 */
void cluster_set_params(struct cluster *c, const struct cluster_params *p);

/*
 * Replaces the seed list (static seeds, or the addresses DNS gave).
 * A seed that is not yet matched to a member shows as a placeholder:
 * state Manager, zero GUID, isAlive true, positions -1. A seed equal to
 * our own endpoint or to a known member's is not shown. Seeds beyond
 * OPT_MAX_SEEDS are ignored; a seed kept from the previous list keeps
 * what it was matched to. now is the placeholders' timeStamp.
 */
void cluster_set_seeds(struct cluster *c, const struct gossip_seed *seeds,
		       size_t n, ticks_t now);

/*
 * Merges a document received from a peer (SPEC.md section 3):
 * - our own entry is never touched, and entries with a zero instanceId
 *   (other nodes' placeholders) are not taken;
 * - the sender's entry about itself (the one whose endpoint is the
 *   document's serverIp:serverPort) is taken as it is, and its timeStamp
 *   is checked against now (CE_CLOCK_SKEW beyond allowed_skew);
 * - any other entry replaces ours when we have none (unless it is dead
 *   and older than the removal period) or when it is more up to date:
 *   higher epochNumber, else higher writerCheckpoint, else later
 *   timeStamp; but it does not change isAlive of an entry we have (only
 *   our own exchanges and the member's own entry decide its liveness).
 * dialled is the address we sent to when doc is the answer to our own
 * exchange, NULL for an incoming POST. With dialled, any seed at that
 * address is bound to the responder, so its placeholder disappears even
 * when the responder advertises another name; if the responder listed no
 * entry about itself, the member at dialled (if any) is marked alive.
 */
void cluster_merge(struct cluster *c, const struct cluster_doc *doc,
		   const struct cluster_target *dialled, ticks_t now);

/*
 * An exchange with t failed (timeout, connection, TLS, HTTP or document
 * error): the member at t, if alive, becomes suspect (CE_SUSPECT with
 * reason; with suspicion off, dead with timeStamp now and one CE_DEAD
 * event carrying reason). A suspect is alive again (CE_UNSUSPECT) when an
 * exchange with it succeeds, when its own entry arrives, or when a third
 * party relays an entry of it written after the suspicion began; a
 * third party's newer entry saying it is dead confirms the suspicion
 * (dead at once), or makes an alive member suspect; cluster_expire makes
 * it dead once the suspicion timeout passed. Nothing happens for a member
 * already dead (its death time is kept for the removal period) or for a
 * seed placeholder. Returns true when t is a known member, false when it
 * is only a seed address (the caller may report that seed itself).
 */
bool cluster_exchange_failed(struct cluster *c, const struct cluster_target *t,
			     const char *reason, ticks_t now);

/* Suspects past the suspicion timeout become dead (CE_DEAD); members
 * dead for longer than the removal period are dropped (CE_REMOVED). */
void cluster_expire(struct cluster *c, ticks_t now);

/*
 * Chooses up to max distinct targets at random among the members and
 * placeholders other than ourselves (dead members included, so that
 * their return is noticed). rng is the state for rand_r. Returns how
 * many were written to out.
 */
size_t cluster_pick_targets(struct cluster *c, unsigned *rng,
			    struct cluster_target *out, size_t max);

/*
 * A removal record: the member endpoint, the instance removed, and when
 * (the remover's clock). While it lasts (removal_keep from `at`), no
 * entry of that instance is taken, from anyone; a restart (new
 * instanceId) comes back. Records travel beside the document.
 */
#define CLUSTER_REMOVALS_MAX 32
struct cluster_removal {
	struct cluster_target t;
	struct guid instance_id;
	ticks_t at;
};

enum cluster_remove_result {
	CR_REMOVED = 0,
	CR_UNKNOWN = -1, /* no member there (a seed not answered is none) */
	CR_ALIVE = -2,	 /* alive (or suspect), and not forced */
	CR_FULL = -3,	 /* too many removal records already */
};

/*
 * An operator removes the member at t: dropped from the table with a
 * removal record (CE_FORGOTTEN). A member that is alive needs force.
 */
enum cluster_remove_result cluster_remove(struct cluster *c,
					  const struct cluster_target *t,
					  bool force, ticks_t now);
/* A record heard from a peer: kept (if not too old) and applied. */
void cluster_apply_removal(struct cluster *c, const struct cluster_removal *r,
			   ticks_t now);
/* The records in force, newest first, up to max. */
size_t cluster_removals(struct cluster *c, ticks_t now,
			struct cluster_removal *out, size_t max);

/* Live members: ourselves and the alive entries (not placeholders). */
size_t cluster_live_members(struct cluster *c);

/* The suspicion timeout for the table's present size, in ticks. */
ticks_t cluster_suspicion_timeout(struct cluster *c);
/* The members suspect now (up to max); with out NULL, how many. */
size_t cluster_suspects(struct cluster *c, struct cluster_target *out,
			size_t max);
bool cluster_is_suspect(struct cluster *c, const struct cluster_target *t);
/* Is t a member of the table (not a seed placeholder, not ourselves)? */
bool cluster_is_member(struct cluster *c, const struct cluster_target *t);
/*
 * Up to max members, chosen at random, to probe suspect_t for us: alive,
 * not suspect, other than suspect_t. Returns how many.
 */
size_t cluster_pick_helpers(struct cluster *c,
			    const struct cluster_target *suspect_t,
			    unsigned *rng, struct cluster_target *out,
			    size_t max);

/* Sets our own timeStamp to now. */
void cluster_touch_self(struct cluster *c, ticks_t now);
/*
 * Leaving: our own entry takes state and liveness (ShuttingDown and
 * alive, then Shutdown and not alive) with timeStamp now, so that the
 * peers take it over any copy they have (CE_STATE on a change).
 */
void cluster_self_leaving(struct cluster *c, enum member_state state,
			  bool alive, ticks_t now);
/* Copies our own entry. */
void cluster_get_self(struct cluster *c, struct member *out);
/* Applies an update to our own entry (CE_STATE on a state change) and
 * sets its timeStamp to now. Copies the new entry to out if not NULL. */
void cluster_update_self(struct cluster *c, const struct member_update *u,
			 ticks_t now, struct member *out);

/*
 * The serialized document (members in endpoint order, placeholders
 * included), rebuilt only when the table changed; our own timeStamp is
 * refreshed first when it is older than a second. Returns a new
 * reference the caller drops with shared_buf_unref, or NULL on
 * allocation failure.
 */
struct shared_buf *cluster_document(struct cluster *c, ticks_t now);

/*
 * A copy of the document as structs, in the same order (for tests and
 * tools). Returns 0 (free with cluster_doc_free) or -1 on ENOMEM.
 */
int cluster_snapshot(struct cluster *c, struct cluster_doc *out);

/*
 * Counts the entries of the document (self and placeholders included):
 * by_state[s] members in state s (may be NULL), and how many are alive
 * and dead (either may be NULL; seed placeholders are neither: a seed
 * that never answered is not known to be alive). For GET /metrics.
 */
void cluster_count(struct cluster *c, size_t by_state[MS__COUNT], size_t *alive,
		   size_t *dead);

/* How many times a new member was not taken because the table was full
 * (max_members entries besides self). */
unsigned long cluster_full_refusals(struct cluster *c);

#endif
