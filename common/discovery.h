/*
 * discovery: how a client in discovery mode picks a cluster member, the
 * way KurrentDB (EventStoreDB) clients do it.
 *
 * A member is eligible when it is alive and in one of the states Leader,
 * Follower, ReadOnlyReplica or ReadOnlyLeaderless. Every other state is
 * refused: Manager (a seed placeholder), ShuttingDown, Shutdown, and the
 * transitional Initializing, DiscoverLeader, Unknown, PreReplica,
 * CatchingUp, Clone, PreLeader, PreReadOnlyReplica, ResigningLeader. This
 * is the set of the KurrentDB .NET client's node selector.
 *
 * The eligible members are ranked by the preference (lower is better),
 * ties in random order:
 *   leader           Leader, Follower, ReadOnlyReplica, ReadOnlyLeaderless
 *   follower         Follower, ReadOnlyReplica, ReadOnlyLeaderless; never
 *                    the Leader (KurrentDB clients fall back to it; a
 *                    request for a follower is one to keep load off the
 *                    leader, so here it fails instead)
 *   readonlyreplica  ReadOnlyReplica, ReadOnlyLeaderless, Leader, Follower
 *   random           all equal
 * With strict set, only members in the preferred state itself qualify
 * (Leader, Follower or ReadOnlyReplica; random has no strict form).
 *
 * The discovery loop (discovery_run) asks the candidates in turn: the
 * seeds shuffled, then the members learned from earlier answers that had
 * nothing eligible. A member that one node lists is confirmed by the
 * member itself (its own entry is the authority on its state, and a
 * member that does not answer is of no use to a client), unless it is
 * the answering node. The first confirmed member in the preferred state
 * wins at once; a confirmed member of lower rank is taken only after a
 * whole pass over the candidates found nothing better. The loop makes up
 * to attempts passes with delay_ms between them, and never runs past
 * attempts * (timeout_ms + delay_ms) in all. The network, the clock,
 * sleeping and randomness are injected, so that tests drive it.
 *
 * Nothing here keeps state between calls, logs or exits.
 */
#ifndef GOSSIP_DISCOVERY_H
#define GOSSIP_DISCOVERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gossip_json.h"
#include "member.h"
#include "options.h"

#define DISCOVERY_MAX_CANDIDATES 128 /* seeds plus members learned */
#define DISCOVERY_REASON_MAX	 384
#define DISCOVERY_ENDPOINT_MAX	 (MEMBER_HOST_MAX + 8)

#define DISCOVERY_DEFAULT_ATTEMPTS   10
#define DISCOVERY_DEFAULT_DELAY_MS   100
#define DISCOVERY_DEFAULT_TIMEOUT_MS 5000
#define DISCOVERY_DEFAULT_PORT	     2113

enum discovery_pref {
	DP_LEADER = 0,
	DP_FOLLOWER,
	DP_RANDOM,
	DP_READ_ONLY_REPLICA,
};

/*
 * Parses "leader", "follower", "random", "readonlyreplica" (any case;
 * "read-only-replica" and "read_only_replica" too). Returns 0 or -1.
 */
int discovery_pref_parse(const char *s, enum discovery_pref *out);
/* "leader", "follower", "random" or "readonlyreplica". */
const char *discovery_pref_name(enum discovery_pref p);

/*
 * A source of random 32-bit numbers: next(ctx). Tests pass a fixed
 * sequence; the command passes a generator seeded from the system.
 */
struct discovery_rng {
	uint32_t (*next)(void *ctx);
	void *ctx;
};

/* A uniformly drawn number below n (n > 0), without modulo bias. */
uint32_t discovery_rng_below(const struct discovery_rng *rng, uint32_t n);

/* Fisher-Yates shuffle of n elements of size bytes each (size <= 1024). */
void discovery_shuffle(void *base, size_t n, size_t size,
		       const struct discovery_rng *rng);

/* Whether a client may connect to a member in this state. */
bool discovery_state_eligible(enum member_state s);

/*
 * The rank of a state under a preference: 0 is best; -1 when a member in
 * that state must not be chosen (not eligible, or not the preferred
 * state under strict).
 */
int discovery_rank_of(enum discovery_pref p, bool strict, enum member_state s);

/*
 * Orders the members of doc that may be chosen, best first, ties in
 * random order: fills idx with up to max indices into doc->members and
 * returns how many.
 */
size_t discovery_rank(const struct cluster_doc *doc, enum discovery_pref p,
		      bool strict, const struct discovery_rng *rng, size_t *idx,
		      size_t max);

/*
 * Why no member of doc may be chosen, naming each member and its fault
 * ("no eligible member: 127.0.0.1:2113 is Manager; ..."), cut to errlen.
 */
void discovery_explain(const struct cluster_doc *doc, enum discovery_pref p,
		       bool strict, char *err, size_t errlen);

/*
 * Chooses the best member of doc. Returns its index in doc->members, or
 * -1 with the reason in err, naming each member and why it was refused
 * ("no eligible member: 127.0.0.1:2113 is Manager; 127.0.0.1:2114 is not
 * alive"). Draws from rng only to break ties.
 */
int discovery_select(const struct cluster_doc *doc, enum discovery_pref p,
		     bool strict, const struct discovery_rng *rng, char *err,
		     size_t errlen);

/*
 * Formats host:port, with brackets around an IPv6 literal ("[::1]:2113").
 * buf of at least DISCOVERY_ENDPOINT_MAX bytes.
 */
void discovery_format_endpoint(const char *host, int port, char *buf,
			       size_t len);

/*
 * How long ago then was, for a person: "now" (under a second), "3s ago",
 * "2m05s ago", "4h10m ago", "3d2h ago"; a time in the future (clock skew)
 * as "in 3s".
 */
void discovery_format_age(ticks_t then, ticks_t now, char *buf, size_t len);

/*
 * Checks an HTTP answer to GET /gossip and decodes it: status 200, a JSON
 * (or absent) content type, a valid document of at most max_bytes.
 * Returns 0 and fills *doc (free with cluster_doc_free), or -1 with the
 * reason ("HTTP 503", "invalid gossip document: ...").
 */
int discovery_parse_response(int status, const char *content_type,
			     const char *body, size_t len, size_t max_bytes,
			     struct cluster_doc *doc, char *err, size_t errlen);

#define DISCOVERY_URI_PATH_MAX 1024

/*
 * What a KurrentDB client connection string says about discovery:
 * esdb://, kurrentdb:// or kdb:// (with +discover for DNS), then
 * [user:password@] (skipped) host[:port][,host[:port]...] (port 2113 when
 * absent; IPv6 in brackets), then ?key=value&... with the client
 * settings tls, tlsVerifyCert, tlsCAFile, userCertFile, userKeyFile,
 * nodePreference, maxDiscoverAttempts, discoveryInterval (ms) and
 * gossipTimeout (ms), keys in any case. Client settings that do not
 * concern discovery (connectionName, keepAliveInterval, ...) are
 * accepted and ignored; any other key is an error.
 */
struct discovery_uri {
	struct gossip_seed seeds[OPT_MAX_SEEDS];
	size_t n_seeds;
	bool dns_discover; /* +discover */
	bool tls;	   /* default true */
	bool tls_verify;   /* default true */
	bool have_pref;
	enum discovery_pref pref;
	int attempts; /* 0: not given */
	bool have_delay;
	int delay_ms;
	int timeout_ms; /* 0: not given */
	char ca_file[DISCOVERY_URI_PATH_MAX];
	char cert_file[DISCOVERY_URI_PATH_MAX];
	char key_file[DISCOVERY_URI_PATH_MAX];
};

/*
 * Parses a connection string (at most 4095 bytes) into *u (in
 * discovery_uri.c). Returns 0, or -1 with the reason in err; the reason
 * never repeats the string (it may hold a password).
 */
int discovery_uri_parse(const char *s, struct discovery_uri *u, char *err,
			size_t errlen);

/*
 * Fetches and decodes the gossip document from host:port within
 * timeout_ms. Returns 0 and fills *doc, or -1 with a reason in err.
 */
typedef int (*discovery_fetch_fn)(void *ctx, const char *host, int port,
				  int timeout_ms, struct cluster_doc *doc,
				  char *err, size_t errlen);

struct discovery_env {
	discovery_fetch_fn fetch;
	void (*sleep_ms)(void *ctx, int ms);
	int64_t (*now_ms)(void *ctx); /* a monotonic clock */
	void *ctx;		      /* passed to the four here */
	struct discovery_rng rng;
	/*
	 * May be NULL. Told each step in one line (what was asked, what it
	 * said, what was confirmed, kept or chosen), for --verbose.
	 */
	void (*trace)(void *ctx, const char *line);
};

struct discovery_params {
	enum discovery_pref pref;
	bool strict;
	int attempts;	/* >= 1 */
	int delay_ms;	/* >= 0 */
	int timeout_ms; /* >= 1, per request */
};

/* The last thing that went wrong with one candidate. */
struct discovery_failure {
	char endpoint[DISCOVERY_ENDPOINT_MAX];
	char reason[DISCOVERY_REASON_MAX];
	bool is_seed;
};

struct discovery_outcome {
	struct member chosen;		  /* when found */
	char via[DISCOVERY_ENDPOINT_MAX]; /* who answered */
	int attempts_made;
	int answers;	  /* documents received from candidates */
	bool out_of_time; /* stopped by the overall deadline */
	struct discovery_failure failures[DISCOVERY_MAX_CANDIDATES];
	size_t n_failures; /* candidates in the order first asked */
};

/*
 * Runs discovery over the seeds (in discovery_run.c). Returns 0 with
 * out->chosen filled, or -1 when nothing eligible was found after all attempts,
 * with the last reason per candidate in out->failures. out is large: allocate
 * it.
 */
int discovery_run(const struct discovery_params *p,
		  const struct gossip_seed *seeds, size_t n_seeds,
		  const struct discovery_env *env,
		  struct discovery_outcome *out);

#endif
