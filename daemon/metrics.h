/*
 * metrics: process-wide counters, gauges and histograms, rendered as
 * Prometheus text format 0.0.4 by GET /metrics. All updates are atomic
 * and lock-free; any thread may call them.
 */
#ifndef GOSSIPD_METRICS_H
#define GOSSIPD_METRICS_H

#include <stdbool.h>
#include <stddef.h>

#include "gossipd.h"
#include "shared_buf.h"

/* Connections and handshakes (listener). reason: a short class such as
 * "untrusted", "expired", "revoked", "not_yet_valid", "handshake_timeout",
 * "tls_error", "conn_limit", "per_ip_limit", "protocol". */
void metrics_conn_open(int delta);
void metrics_handshake_ok(bool resumed);
void metrics_refusal(const char *reason);
/* Requests by protocol and status class; metrics_request counts
 * HTTP/1.1. */
enum metrics_proto { METRICS_HTTP1 = 0, METRICS_H2 = 1 };
void metrics_request(unsigned status);
void metrics_request_proto(enum metrics_proto proto, unsigned status);
/* gRPC calls answered, by gRPC status code (0..16). */
void metrics_grpc(int status);

/* Gossip (gossiper). reason: "timeout", "connect", "tls", "not_node"
 * (the server's certificate is not a node's), "http", "decode",
 * "refused". */
void metrics_gossip_round(void);
void metrics_exchange_ok(double seconds);
void metrics_exchange_failure(const char *reason, double seconds);
void metrics_clock_skew(void);
/* Indirect probes: "asked" (a helper accepted our ask), "ask_failed",
 * "probing" (we probe for a peer), "reached", "unreached". */
void metrics_probe(const char *what);
/* Live members beyond ClusterSize (0 when within). */
void metrics_members_beyond_size(long n);
/* The gossip client's completed TLS handshakes so far (absolute). */
void metrics_outbound_handshakes(unsigned long full, unsigned long resumed);

/* Failure paths. */
void metrics_reload(bool ok); /* a reload finished (SIGHUP or admin) */
/* source: "cluster_dns" (ClusterDns) or "seed" (a seed's host name). */
void metrics_dns_failure(const char *source);
/* An incoming POST /gossip refused. reason: "unauthenticated",
 * "not_node", "too_large", "content_type", "invalid". */
void metrics_document_refused(const char *reason);
/* Whether the admin socket listens (set at start). */
void metrics_admin_socket(bool available);

/*
 * Renders every metric, including members by state and liveness from
 * d->cluster and certificate seconds-to-expiry from d->creds. Returns a
 * new buffer (caller unrefs) or NULL.
 */
struct shared_buf *metrics_render(struct gossipd *d);

#endif
