/*
 * client_view: the member table as clients see it (KurrentDB's
 * client-facing gossip: each member's advertised client endpoint in
 * place of its own), serialized for GET /gossip (JSON) and for gRPC
 * Gossip/Read (ClusterInfo with the gRPC prefix). Both are rebuilt once
 * per change of the table, not per request.
 */
#ifndef GOSSIPD_CLIENT_VIEW_H
#define GOSSIPD_CLIENT_VIEW_H

#include "cluster.h"
#include "shared_buf.h"

/* A new reference to the JSON document, or NULL on ENOMEM. */
struct shared_buf *client_view_json(struct cluster *cl);
/* A new reference to the framed ClusterInfo, or NULL on ENOMEM. */
struct shared_buf *client_view_pb(struct cluster *cl);
/* Drops the cache (at stop). */
void client_view_release(void);

#endif
