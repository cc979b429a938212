/*
 * gossip_service: the gossip part of the daemon: the member table and
 * the gossiper thread (the endpoints are in gossip_routes.c).
 */
#ifndef GOSSIPD_GOSSIP_SERVICE_H
#define GOSSIPD_GOSSIP_SERVICE_H

#include <stddef.h>

#include "gossipd.h"

/*
 * Creates the cluster table (self entry from the config, placeholders
 * for seeds) in d->cluster, and starts the gossiper thread unless
 * ClusterSize is 1. Returns 0, or -1 with a reason.
 */
int gossip_service_start(struct gossipd *d, char *err, size_t errlen);
/* Stops the gossiper thread and frees the table. Safe to call twice. */
void gossip_service_stop(struct gossipd *d);
/*
 * SIGTERM: our entry goes out as ShuttingDown, then Shutdown and not
 * alive, to every member, within about a second (gossiper_leave).
 */
void gossip_service_leave(struct gossipd *d);
/* One log line per key a minute (clock skew, foreign clusters, ...). */
bool gossip_log_once_a_minute(const char *key);
/* Called after a successful reload: the table's timing parameters, new
 * credentials for outbound, and the gossiper told to apply the new
 * configuration (seeds, ClusterDns, interval, answer bound). */
void gossip_service_reload(struct gossipd *d);

/* The self entry's state name, for GET /info. */
const char *gossip_self_state(struct gossipd *d);

#endif
