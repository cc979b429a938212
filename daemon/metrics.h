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
/* Requests by status class. */
void metrics_request(unsigned status);

/* Gossip (gossiper). reason: "timeout", "connect", "tls", "not_node"
 * (the server's certificate is not a node's), "http", "decode",
 * "refused". */
void metrics_gossip_round(void);
void metrics_exchange_ok(double seconds);
void metrics_exchange_failure(const char *reason, double seconds);
void metrics_clock_skew(void);

/*
 * Renders every metric, including members by state and liveness from
 * d->cluster and certificate seconds-to-expiry from d->creds. Returns a
 * new buffer (caller unrefs) or NULL.
 */
struct shared_buf *metrics_render(struct gossipd *d);

#endif
