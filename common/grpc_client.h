/*
 * grpc_client: one gRPC Gossip/Read call (KurrentDB's discovery call) to
 * host:port over HTTP/2, for `gossipd discover` and `gossipd status
 * --protocol grpc`: httpc's pieces for the connection (resolver with a
 * deadline, non-blocking connect, the TLS configuration, verification
 * and SAN check of the httpc given) with ALPN h2, nghttp2 for HTTP/2
 * (prior knowledge over plain TCP), protobuf-c for ClusterInfo.
 */
#ifndef GOSSIP_GRPC_CLIENT_H
#define GOSSIP_GRPC_CLIENT_H

#include <stddef.h>

#include "gossip_json.h"
#include "httpc.h"

#define GRPC_CLIENT_MAX_BYTES (1024 * 1024) /* the answer, at most */

enum grpc_read_result {
	GRPC_READ_OK = 0,
	GRPC_READ_FAILED = -1, /* reason in err */
	GRPC_READ_NOT_H2 = -2, /* TLS: the server chose another protocol
				  than h2 (with offer_http1) or none */
};

/*
 * Calls event_store.client.gossip.Gossip/Read on host:port within
 * timeout_ms (sent as grpc-timeout too) and decodes the members (at most
 * max_members) into *doc (free with cluster_doc_free). TLS unless c is a
 * plain-HTTP client; with offer_http1, ALPN offers http/1.1 beside h2
 * and GRPC_READ_NOT_H2 says the server preferred it. Reasons name the
 * step: "gRPC Gossip/Read on 127.0.0.1:2113: status 16 (UNAUTHENTICATED):
 * a trusted client certificate is required".
 */
enum grpc_read_result grpc_gossip_read(struct httpc *c, const char *host,
				       int port, int timeout_ms,
				       int offer_http1, size_t max_members,
				       struct cluster_doc *doc, char *err,
				       size_t errlen);

#endif
