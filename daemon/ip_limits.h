/*
 * ip_limits: the connection caps that act before any handshake: a total
 * and a per-peer-address count, shared by every worker thread.
 */
#ifndef GOSSIPD_IP_LIMITS_H
#define GOSSIPD_IP_LIMITS_H

#include <sys/socket.h>

struct ip_limits;

enum ip_limit_verdict { IPL_OK = 0, IPL_TOTAL, IPL_PER_IP };

/* A new table; max_total or max_per_ip <= 0 means no bound. NULL on
 * ENOMEM. Free with ip_limits_free. */
struct ip_limits *ip_limits_new(int max_total, int max_per_ip);
void ip_limits_free(struct ip_limits *t);

/* Counts a new connection from sa unless a cap is reached; the verdict
 * says which. Thread-safe. */
enum ip_limit_verdict ip_limits_acquire(struct ip_limits *t,
					const struct sockaddr *sa);
/* Undoes one successful acquire for the same address. */
void ip_limits_release(struct ip_limits *t, const struct sockaddr *sa);

#endif
