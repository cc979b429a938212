/*
 * audit: one log line per state change or reload, naming who asked (the
 * admin socket's peer uid and pid, a TCP peer's address and certificate
 * CN, or the sender of SIGHUP) and what changed. Lines start "audit: ".
 */
#ifndef GOSSIPD_AUDIT_H
#define GOSSIPD_AUDIT_H

#include <stddef.h>

#include "member.h"
#include "options.h"
#include "routes.h"

/* Who made the request: "admin socket (uid 1000, pid 4242)", or
 * "127.0.0.1:40122 (CN \"node1\", node)". */
void audit_who(const struct request *r, char *buf, size_t len);

/* A reload asked for by who: ok or failed (err), and the options whose
 * value changed from before to after (both may be the same config). */
void audit_reload(const char *who, const struct gossipd_config *before,
		  const struct gossipd_config *after, int rc, const char *err);

/* PUT /admin/member: the fields of the member that changed. */
void audit_member(const char *who, const struct member *before,
		  const struct member *after);

#endif
