/*
 * peer_health: what the outbound gossip side learnt about each peer it
 * exchanges with: the last successful exchange, the last error and its
 * reason, the round-trip time and the peer certificate's expiry. The
 * gossip engine records (peer_health_ok / peer_health_fail); GET
 * /members/health, /metrics and /health/ready read (peer_health_get,
 * peer_health_snapshot, peer_health_successes).
 *
 * Keys are "host:port" as discovery_format_endpoint writes them (IPv6
 * literals in brackets). The table is bounded (PEER_HEALTH_MAX entries; when
 * full, the entry heard of least recently is replaced) and carries its own
 * mutex, so any thread may call any function. Times are wall-clock seconds
 * (time_t), passed in so that tests drive them.
 */
#ifndef GOSSIP_PEER_HEALTH_H
#define GOSSIP_PEER_HEALTH_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "gossip_json.h"

#define PEER_HEALTH_MAX		 320
#define PEER_HEALTH_ENDPOINT_MAX 300
#define PEER_HEALTH_REASON_MAX	 24
#define PEER_HEALTH_ERROR_MAX	 256

struct peer_health;

struct peer_health_entry {
	char endpoint[PEER_HEALTH_ENDPOINT_MAX]; /* "host:port", "[v6]:port" */
	time_t last_ok;				 /* 0: never */
	time_t last_error_at;			 /* 0: never */
	char reason[PEER_HEALTH_REASON_MAX];	 /* class of the last error */
	char error[PEER_HEALTH_ERROR_MAX];	 /* its text */
	double rtt_seconds;			 /* last successful exchange */
	time_t cert_not_after;	/* peer certificate; 0: none (plain) */
	unsigned long ok_total; /* successful exchanges */
	unsigned long failures_total;
	unsigned consecutive_failures; /* since the last success */
};

/* A new empty table, or NULL on ENOMEM. Free with peer_health_free. */
struct peer_health *peer_health_new(void);
void peer_health_free(struct peer_health *ph);

/*
 * An exchange with host:port succeeded, taking rtt_seconds from the first
 * byte sent to the last byte read; cert_not_after is the notAfter of the
 * certificate the peer presented (0 over plain HTTP).
 */
void peer_health_ok(struct peer_health *ph, const char *host, int port,
		    double rtt_seconds, time_t cert_not_after, time_t now);

/*
 * An exchange with host:port failed: reason is a short class ("timeout",
 * "connect", "tls", "http", "decode", "refused"), error the full text.
 */
void peer_health_fail(struct peer_health *ph, const char *host, int port,
		      const char *reason, const char *error, time_t now);

/* Forgets an endpoint (a member removed from the table). */
void peer_health_forget(struct peer_health *ph, const char *endpoint);

/* Copies the entry for endpoint; false when there is none. */
bool peer_health_get(struct peer_health *ph, const char *endpoint,
		     struct peer_health_entry *out);

/* Copies up to max entries (in no particular order); returns how many. */
size_t peer_health_snapshot(struct peer_health *ph,
			    struct peer_health_entry *out, size_t max);

/* Successful exchanges with any peer since the table was made. */
unsigned long peer_health_successes(struct peer_health *ph);

/*
 * The health of a cluster as one gossip document shows it. Unhealthy
 * when no alive member is Leader, more than one is, a member (not a seed
 * placeholder) is dead, or fewer members are alive than cluster_size
 * (0: not checked). Seed placeholders (zero instanceId) are counted
 * apart and never as live members.
 */
struct cluster_verdict {
	size_t members, alive, dead, leaders, placeholders;
	bool healthy;
	char problems[512]; /* "; "-separated, empty when healthy */
};

void cluster_verdict_of(const struct cluster_doc *doc, int cluster_size,
			struct cluster_verdict *out);

#endif
