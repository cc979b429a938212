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

/* Copies the subject CN into buf. Returns 0, or -1 when there is none. */
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
 * Does the certificate carry host as a SAN: an IP address (v4 or v6)
 * against its IP SANs, a name against its DNS SANs (with a leading "*."
 * wildcard)? mbedTLS 2.28 does not match IP SANs by itself.
 */
bool node_auth_san_match(const mbedtls_x509_crt *crt, const char *host);

const char *node_identity_name(enum node_identity id);

#endif
