/*
 * gossip_routes: the gossip part of the daemon: the cluster table, its
 * endpoints, and the gossiper thread.
 */
#ifndef GOSSIPD_GOSSIP_ROUTES_H
#define GOSSIPD_GOSSIP_ROUTES_H

#include "routes.h"

/* GET/HEAD /gossip: the cached document. */
enum MHD_Result route_gossip_get(struct request *r);
/* POST /gossip: nodes only; merge and answer the merged document. */
enum MHD_Result route_gossip_post(struct request *r);
/* PUT /admin/member: nodes or the admin socket; update the self entry. */
enum MHD_Result route_admin_member_put(struct request *r);
/* GET /admin/member: the self entry (for "gossipd member show"). */
enum MHD_Result route_admin_member_get(struct request *r);

/*
 * Creates the cluster table (self entry from the config, placeholders
 * for seeds) in d->cluster, and starts the gossiper thread unless
 * ClusterSize is 1. Returns 0, or -1 with a reason.
 */
int gossip_service_start(struct gossipd *d, char *err, size_t errlen);
/* Stops the gossiper thread and frees the table. Safe to call twice. */
void gossip_service_stop(struct gossipd *d);
/* Called after a successful reload: new credentials for outbound. */
void gossip_service_reload(struct gossipd *d);

/* The self entry's state name, for GET /info. */
const char *gossip_self_state(struct gossipd *d);

#endif
