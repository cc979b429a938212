/*
 * grpc_service: the gRPC methods served over HTTP/2. Today one:
 * event_store.client.gossip.Gossip/Read, KurrentDB's discovery call,
 * answered from the member table with the same identity rule as
 * GET /gossip. Any other method answers UNIMPLEMENTED.
 */
#ifndef GOSSIPD_GRPC_SERVICE_H
#define GOSSIPD_GRPC_SERVICE_H

#include "gossipd.h"
#include "h2_server.h"
#include "conn_info.h"

#define GRPC_GOSSIP_READ "/event_store.client.gossip.Gossip/Read"

/* Answers one complete gRPC request that came on a connection with the
 * identity in ci. */
void grpc_service_call(struct gossipd *d, const struct conn_info *ci,
		       const struct h2_request *rq, struct h2_answer *a);

#endif
