/*
 * node_auth: who is a node (SPEC.md section 4). Pure functions over a
 * verified peer certificate: CN extraction, the CN pattern matcher, the
 * SAN and key-usage rules, and a verdict with a reason.
 */
#ifndef GOSSIP_NODE_AUTH_H
#define GOSSIP_NODE_AUTH_H

#include <stdbool.h>
#include <stddef.h>

#include <mbedtls/x509_crt.h>

enum node_identity {
	ID_ANONYMOUS = 0, /* no client certificate */
	ID_CLIENT,	  /* trusted certificate, not a node */
	ID_NODE,	  /* authenticated node */
	ID_LOCAL_ADMIN,	  /* the local admin socket */
};

/*
 * Does cn match pattern, by the rules of SPEC.md section 4 (IP literal
 * exact; label-wise case-insensitive; "*" only as a whole first label of
 * a pattern with at least three labels; a wildcard CN matches only the
 * identical pattern)?
 */
bool node_auth_cn_match(const char *pattern, const char *cn);

/*
 * Copies the subject CN into buf. Returns 0, -1 when there is none (or it
 * does not fit, or holds control characters), -2 when the subject has
 * more than one CN (ambiguous: buf is left empty).
 */
int node_auth_subject_cn(const mbedtls_x509_crt *crt, char *buf, size_t len);

/*
 * The verdict for a certificate that already chains to a trusted root
 * (rule 1 is the TLS layer's): rules 2-4, in that order. Returns ID_NODE
 * (reason ""), or ID_CLIENT with the first reason it is not a node in
 * reason, in an operator's words and safe to log: "CN \"web\" does not
 * match the reserved node CN \"*.cluster.test\"", "certificate has no DNS
 * or IP subject alternative name", "key usage lacks digitalSignature",
 * "key usage lacks keyEncipherment and keyAgreement", "extended key usage
 * lacks serverAuth", "extended key usage lacks clientAuth". reason may be
 * NULL; it is truncated to reasonlen. Keeps nothing.
 */
enum node_identity node_auth_verdict(const mbedtls_x509_crt *crt,
				     const char *reserved_cn, char *reason,
				     size_t reasonlen);

/*
 * The identity of a client certificate the TLS layer verified (rule 1):
 * ID_ANONYMOUS when there is none, or when it is not usable for client
 * authentication (extended key usage, when present, lacks clientAuth:
 * mbedTLS lets such a certificate through with an optional client
 * certificate), with that reason; otherwise node_auth_verdict's answer.
 */
enum node_identity node_auth_client_verdict(const mbedtls_x509_crt *crt,
					    const char *reserved_cn,
					    char *reason, size_t reasonlen);

/*
 * The words that start the reason of an outbound refusal in an httpc
 * error ("TLS handshake with H:P: " NODE_AUTH_NOT_A_NODE ": <reason>"),
 * by which the caller tells it from other TLS failures.
 */
#define NODE_AUTH_NOT_A_NODE "server is not a node"

/*
 * The verdict on the server certificate of a peer dialled as a node
 * (gossip and every other node-to-node request), taken once the TLS
 * handshake has verified the chain and the CRL (rule 1): the same rules
 * 2-4 as node_auth_verdict gives an incoming node, and the certificate
 * must carry host (the address dialled) as a SAN. Returns ID_NODE (reason
 * ""), or ID_CLIENT with the reason in the inbound side's words
 * ("CN \"web-client\" does not match the reserved node CN ...", or
 * "server certificate has no SAN matching 127.0.0.2"). Keeps nothing.
 */
enum node_identity node_auth_peer_verdict(const mbedtls_x509_crt *crt,
					  const char *reserved_cn,
					  const char *host, char *reason,
					  size_t reasonlen);

/*
 * Does the certificate carry host as a SAN: an IP address (v4 or v6)
 * against its IP SANs, a name against its DNS SANs (with a leading "*."
 * wildcard)? mbedTLS 2.28 does not match IP SANs by itself.
 */
bool node_auth_san_match(const mbedtls_x509_crt *crt, const char *host);

const char *node_identity_name(enum node_identity id);

#endif
