/*
 * ip_limits: the connection caps that act before any handshake: a total
 * and a per-peer-address count, shared by every worker thread. IPv6 peers
 * are counted per prefix (a /64 by default: one host usually holds a
 * whole /64). When the total is reached, the connection that has waited
 * longest without being answered once (its handshake or its first request
 * still to come) makes room for the new one: a flood of connections that
 * never finish cannot lock everyone else out.
 */
#ifndef GOSSIPD_IP_LIMITS_H
#define GOSSIPD_IP_LIMITS_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

struct ip_limits;

/* One counted connection. Fields are the table's (under its lock), but
 * evicted, which the owner of the connection polls. */
struct ip_slot {
	struct ip_slot *prev, *next; /* the waiting list, oldest first */
	uint8_t key[17];	     /* the address (or prefix) counted */
	bool waiting;		     /* not answered once yet */
	bool released;		     /* its count was given to another */
	atomic_bool evicted; /* made room: the owner closes the connection */
};

enum ip_limit_verdict { IPL_OK = 0, IPL_TOTAL, IPL_PER_IP };

/* A new table; max_total or max_per_ip <= 0 means no bound; v6_prefix
 * (1-128) is the length of the IPv6 prefix counted as one address. NULL
 * on ENOMEM. Free with ip_limits_free. */
struct ip_limits *ip_limits_new(int max_total, int max_per_ip, int v6_prefix);
void ip_limits_free(struct ip_limits *t);
/* New caps (a reload), same meaning as for ip_limits_new; connections
 * already counted stay, also beyond a lowered cap. Thread-safe. */
void ip_limits_set(struct ip_limits *t, int max_total, int max_per_ip,
		   int v6_prefix);

/*
 * Counts a new connection from sa unless a cap is reached; the verdict
 * says which. With IPL_OK, *slot is the connection's (release it with
 * ip_limits_release). A full table evicts the oldest waiting connection
 * of any worker instead of refusing (*evicted is set then); only when
 * none waits is the new one refused. Thread-safe.
 */
enum ip_limit_verdict ip_limits_acquire(struct ip_limits *t,
					const struct sockaddr *sa,
					struct ip_slot **slot, bool *evicted);
/* The connection was answered once: it no longer waits (cannot be
 * evicted). Called once per connection. */
void ip_limits_answered(struct ip_limits *t, struct ip_slot *slot);
/* The connection closed: undoes its acquire and frees slot. Accepts
 * NULL. */
void ip_limits_release(struct ip_limits *t, struct ip_slot *slot);

#endif
