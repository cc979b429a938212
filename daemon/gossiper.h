/*
 * gossiper: the thread that runs gossip rounds (SPEC.md section 3).
 * Each round refreshes our own entry, POSTs the whole document to one
 * (or GossipFanout) random members or seed placeholders with a deadline
 * of GossipTimeoutMs, and merges each answer into d->cluster exactly like
 * an incoming POST; a failed exchange marks the member dead. The first
 * 20 rounds run every 100 ms, then every GossipIntervalMs. With
 * DiscoverViaDns, the ClusterDns name is resolved into seeds (every A and
 * AAAA record, on ClusterGossipPort), again after 1 s when resolution
 * fails and every 5 minutes otherwise.
 */
#ifndef GOSSIPD_GOSSIPER_H
#define GOSSIPD_GOSSIPER_H

#include <stddef.h>

#include "gossipd.h"

/*
 * Starts the thread for d (d->cluster must exist). Returns the running
 * gossiper (stop it with gossiper_stop), or NULL with a reason in err.
 */
struct gossiper *gossiper_start(struct gossipd *d, char *err, size_t errlen);

/*
 * Wakes the thread, waits for it to end (at most the exchange in
 * flight, bounded by GossipTimeoutMs) and frees everything. Accepts NULL.
 */
void gossiper_stop(struct gossiper *g);

/*
 * Hands new outbound credentials to the thread (after a reload); they
 * take effect at its next round. The gossiper takes its own reference.
 */
void gossiper_set_creds(struct gossiper *g, struct tls_creds *creds);

#endif
