/*
 * resolver: name resolution with a deadline, the one resolver of the
 * program (httpc for every request, the gossiper for ClusterDns, the
 * command-line tools for --cluster-dns). getaddrinfo() blocks for as long
 * as the resolver likes (seconds per name server and attempt);
 * getaddrinfo_a() runs the same lookup on glibc's resolver thread, and
 * the caller stops waiting at the deadline.
 */
#ifndef GOSSIP_RESOLVER_H
#define GOSSIP_RESOLVER_H

#include <stddef.h>
#include <stdint.h>

#include <netdb.h>

#include "options.h"

#define RESOLVER_HOST_MAX 253
#define RESOLVER_FAILED	  (-1)
#define RESOLVER_TIMEOUT  (-2)

/*
 * Resolves host (a name, or with numeric set an IP literal, which never
 * blocks) and port to TCP addresses before deadline (CLOCK_MONOTONIC ms,
 * as clock_mono_ms). Returns 0 and *res (free with freeaddrinfo), or
 * RESOLVER_TIMEOUT (the deadline passed) or RESOLVER_FAILED, with a
 * reason in err: "resolve NAME: Name or service not known",
 * "resolve NAME: timed out after N ms" (timeout_ms is only for those
 * words). A lookup given up at the deadline finishes on the resolver
 * thread and frees itself there.
 */
int resolver_addrinfo(const char *host, int port, int numeric, int64_t deadline,
		      int timeout_ms, struct addrinfo **res, char *err,
		      size_t errlen);

/*
 * Every A and AAAA record of name, each as a seed with port, in the order
 * the resolver gives them, without duplicates, at most max, within
 * timeout_ms. Returns 0 with at least one seed in seeds[0..*n), or -1
 * with the reason, without the name, which the caller gives in its own
 * words: "Name or service not known", "timed out after 2500 ms", "no A or
 * AAAA record", "cluster DNS name is empty or too long".
 */
int resolver_seeds(const char *name, int port, int timeout_ms,
		   struct gossip_seed *seeds, size_t max, size_t *n, char *err,
		   size_t errlen);

/*
 * The lookup of resolver_addrinfo without waiting, for an event loop.
 * Returns 1 with *res at once (an IP literal), 0 with *job running (look
 * at it with resolver_poll, or give it up with resolver_cancel), or -1
 * with the bare reason in err.
 */
struct resolver_job;
int resolver_start(const char *host, int port, int numeric,
		   struct resolver_job **job, struct addrinfo **res, char *err,
		   size_t errlen);
/*
 * 0: still running. 1: done, *res set (free with freeaddrinfo); -1:
 * failed, the bare reason in err. Either way (not 0) the job is gone.
 */
int resolver_poll(struct resolver_job *job, struct addrinfo **res, char *err,
		  size_t errlen);
/* Gives a running job up (it finishes and frees itself). Accepts NULL. */
void resolver_cancel(struct resolver_job *job);

/* The seeds of resolver_seeds from an address list already resolved. */
int resolver_seeds_of(const struct addrinfo *res, int port,
		      struct gossip_seed *seeds, size_t max, size_t *n,
		      char *err, size_t errlen);

#endif
