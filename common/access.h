/*
 * access: who may use what, given the identity a connection has proved
 * (node_auth's verdict, or the admin socket) — the identity rules of
 * SPEC.md section 4 in one place, for HTTP/1.1 routes and gRPC methods
 * alike, where the unit tests and the fuzzer reach them.
 */
#ifndef GOSSIP_ACCESS_H
#define GOSSIP_ACCESS_H

#include <stdbool.h>
#include <time.h>

#include "node_auth.h"

enum access_rule {
	ACCESS_ANY,	      /* anyone */
	ACCESS_NODE,	      /* authenticated nodes only */
	ACCESS_NODE_OR_ADMIN, /* nodes or the local admin socket */
	ACCESS_GOSSIP_READ,   /* anyone; trusted certificates only with
				 GossipRequiresClientCert */
	ACCESS_METRICS,	      /* anyone; nodes (and the admin socket) only
				 with MetricsRequiresNode; any trusted
				 certificate with MetricsRequiresClientCert */
	ACCESS_ADMIN_CHANGE,  /* state changes: the admin socket; nodes too
				 with AdminOverHttps */
};

/* The configuration switches the rules depend on. */
struct access_switches {
	bool gossip_requires_client_cert;
	bool metrics_requires_node;
	bool admin_over_https;
	bool metrics_requires_client_cert;
};

enum access_verdict {
	ACCESS_OK = 0,
	ACCESS_UNAUTHENTICATED, /* no (valid) certificate: HTTP 401 */
	ACCESS_FORBIDDEN,	/* a certificate, but not enough: HTTP 403 */
};

/* The verdict of rule for a request from a peer with identity id. */
enum access_verdict access_check(enum access_rule rule, enum node_identity id,
				 const struct access_switches *sw);

/*
 * The identity a connection has at now: a certificate that was verified
 * at the handshake stops counting past not_after (the earliest notAfter
 * of its chain; 0 when there was no certificate), so a node or client
 * becomes ID_ANONYMOUS then. The admin socket never expires.
 */
enum node_identity access_identity_at(enum node_identity id, time_t not_after,
				      time_t now);

#endif
