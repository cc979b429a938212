/*
 * gossiper: the gossip engine (SPEC.md section 3), a thread with its own
 * epoll loop. Each round refreshes our own entry and POSTs the whole
 * document to GossipFanout random members or seed placeholders that have
 * no exchange in flight, all at once; every exchange is a non-blocking
 * httpc_op with its own deadline of GossipTimeoutMs, and its answer is
 * merged into d->cluster exactly like an incoming POST; a failed exchange
 * marks the member dead. Rounds fire on their timer whatever is in
 * flight: every 100 ms during the first 2 s, then every GossipIntervalMs.
 * With DiscoverViaDns, the ClusterDns name is resolved into seeds (every
 * A and AAAA record, on ClusterGossipPort) without blocking the loop,
 * again after 1 s when resolution fails and every 5 minutes otherwise.
 */
#ifndef GOSSIPD_GOSSIPER_H
#define GOSSIPD_GOSSIPER_H

#include <stdbool.h>
#include <stddef.h>

#include "cluster.h"
#include "gossipd.h"

/*
 * Suspicion travels beside the document: a node-to-node POST /gossip
 * names the members its sender suspects in this header ("host:port"
 * list); a suspect that reads itself there refutes with a fresh entry.
 */
#define GOSSIP_SUSPECTS_HEADER	   "Gossip-Suspects"
#define GOSSIP_SUSPECTS_MAX	   16
#define GOSSIP_SUSPECTS_HEADER_MAX 4096

/*
 * Removal records travel beside the document too: "host:port GUID
 * ticks" each (the member, the instance removed, when), comma-separated.
 */
#define GOSSIP_REMOVED_HEADER	  "Gossip-Removed"
#define GOSSIP_REMOVED_MAX	  8
#define GOSSIP_REMOVED_HEADER_MAX 4096

/* The Gossip-Removed header line (with CRLF) for c's records, or "". */
void gossip_removals_header(struct cluster *c, char *buf, size_t len);
/* Parses a Gossip-Removed value into out (malformed records skipped). */
size_t gossip_removals_parse(const char *h, struct cluster_removal *out,
			     size_t max);

/*
 * Starts the thread for d (d->cluster must exist). Returns the running
 * gossiper (stop it with gossiper_stop), or NULL with a reason in err.
 */
struct gossiper *gossiper_start(struct gossipd *d, char *err, size_t errlen);

/*
 * Wakes the thread, waits for it to end (it abandons what is in flight)
 * and frees everything. Accepts NULL.
 */
void gossiper_stop(struct gossiper *g);

/* A reload swapped the configuration: wakes the loop, which applies it
 * at its next turn (seeds, ClusterDns, interval, answer bound). */
void gossiper_reconfigure(struct gossiper *g);

/*
 * Hands new outbound credentials to the thread (after a reload); they
 * take effect at once (exchanges in flight are abandoned unjudged). The
 * gossiper takes its own reference.
 */
void gossiper_set_creds(struct gossiper *g, struct tls_creds *creds);

/*
 * Leaving (SIGTERM): the thread stops its rounds, gossips our entry as
 * ShuttingDown to every member at once, then as Shutdown and not alive,
 * and returns when those exchanges ended or budget_ms passed (the second
 * announcement starts at half the budget at the latest). Accepts NULL.
 */
void gossiper_leave(struct gossiper *g, int budget_ms);

/*
 * A member asks us (POST /gossip/probe) to reach target for it: the
 * gossiper exchanges with target (telling it it is suspected) and, when
 * it answers, gossips with reply at once. Thread-safe; false when too
 * many are queued.
 */
bool gossiper_probe(struct gossiper *g, const struct cluster_target *target,
		    const struct cluster_target *reply);

/*
 * The member at endpoint ("host:port") became suspect: the gossiper asks
 * GossipIndirectChecks other members to reach it. Thread-safe; accepts
 * NULL.
 */
void gossiper_suspected(struct gossiper *g, const char *endpoint);

#endif
