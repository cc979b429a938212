/*
 * gossip_pb: the cluster document as KurrentDB's gRPC gossip message
 * (proto/gossip.proto, ClusterInfo), both ways: the server encodes the
 * client view of its table, `gossipd discover --protocol grpc` decodes
 * a seed's answer. Also the gRPC length-prefixed message framing.
 */
#ifndef GOSSIP_GOSSIP_PB_H
#define GOSSIP_GOSSIP_PB_H

#include <stddef.h>
#include <stdint.h>

#include "gossip_json.h"

/* The 5-byte gRPC message prefix: compressed flag, 4-byte length. */
#define GRPC_PREFIX_LEN 5

/* The number of gRPC status codes (0 OK .. 16 UNAUTHENTICATED). */
#define GOSSIP_PB_GRPC_STATUSES 17

/*
 * The name of gRPC status code (as in the gRPC specification: "OK",
 * "UNIMPLEMENTED", ...), a static string; NULL for a code outside
 * 0..GOSSIP_PB_GRPC_STATUSES-1.
 */
const char *gossip_pb_grpc_status_name(int code);

/*
 * Encodes doc's members as a ClusterInfo message with the gRPC prefix in
 * front (ready to send as one DATA payload). Each member's http_end_point
 * is where its clients connect (member_client_endpoint). Returns a
 * malloc'd buffer and its length in *len, or NULL on ENOMEM.
 */
uint8_t *gossip_pb_encode(const struct cluster_doc *doc, size_t *len);

/*
 * Decodes a ClusterInfo message (without the prefix) of len bytes into
 * doc: instance id, timestamp, state, liveness, and the http endpoint as
 * both http_ip/http_port (the other members' fields are zero). At most
 * max_members. Returns 0 (free with cluster_doc_free) or -1 with the
 * reason in err.
 */
int gossip_pb_decode(const uint8_t *buf, size_t len, size_t max_members,
		     struct cluster_doc *doc, char *err, size_t errlen);

/* The GUID as the two big-endian halves of UUID.Structured, and back. */
void gossip_pb_guid_split(const struct guid *g, int64_t *msb, int64_t *lsb);
void gossip_pb_guid_join(int64_t msb, int64_t lsb, struct guid *g);

#endif
