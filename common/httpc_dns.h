/*
 * httpc_dns: name resolution within a request's deadline (internal to the
 * httpc module). getaddrinfo() blocks for as long as the resolver likes
 * (seconds per name server and attempt); getaddrinfo_a() runs the same
 * lookup on glibc's resolver thread, and the caller stops waiting at the
 * deadline.
 */
#ifndef GOSSIP_HTTPC_DNS_H
#define GOSSIP_HTTPC_DNS_H

#include <stddef.h>
#include <stdint.h>

#include <netdb.h>

/*
 * Resolves host (a name, or with numeric set an IP literal, which never
 * blocks) and port to TCP addresses before deadline (CLOCK_MONOTONIC ms,
 * as httpc_conn_now_ms). Returns 0 and *res (free with freeaddrinfo), or
 * -1 with a reason in err: "resolve NAME: Name or service not known",
 * "resolve NAME: timed out after N ms". A lookup given up at the deadline
 * finishes on the resolver thread and frees itself there.
 */
int httpc_dns_resolve(const char *host, int port, int numeric, int64_t deadline,
		      int timeout_ms, struct addrinfo **res, char *err,
		      size_t errlen);

#endif
