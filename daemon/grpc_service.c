/*
 * grpc_service: gRPC methods over HTTP/2 (see grpc_service.h).
 *
 * Gossip/Read answers the client view of the member table, as GET
 * /gossip does, encoded once per table change (client_view.c).
 */
#include "grpc_service.h"

#include "routes.h"

#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "access.h"
#include "client_view.h"
#include "gossip_pb.h"
#include "log.h"
#include "routes.h"
#include "shared.pb-c.h"

#define DENIED_LOGS_PER_S 10

/* The request must be one uncompressed message. */
static int
unary_request(const struct h2_request *rq, struct h2_answer *a)
{
	const uint8_t *b = rq->body;
	size_t len;
	EventStore__Client__Empty *e;

	if (rq->body_len < GRPC_PREFIX_LEN) {
		a->status = GRPC_INTERNAL;
		snprintf(a->message, sizeof(a->message),
			 "the request has no message");
		return -1;
	}
	len =
	    (size_t)b[1] << 24 | (size_t)b[2] << 16 | (size_t)b[3] << 8 | b[4];
	if (b[0] != 0) {
		a->status = GRPC_UNIMPLEMENTED;
		snprintf(a->message, sizeof(a->message),
			 "compressed messages are not supported");
		return -1;
	}
	if (len != rq->body_len - GRPC_PREFIX_LEN) {
		a->status = GRPC_INTERNAL;
		snprintf(a->message, sizeof(a->message),
			 "malformed gRPC message framing");
		return -1;
	}
	e = event_store__client__empty__unpack(NULL, len, b + GRPC_PREFIX_LEN);
	if (e == NULL) {
		a->status = GRPC_INTERNAL;
		snprintf(a->message, sizeof(a->message),
			 "the request is not an Empty message");
		return -1;
	}
	event_store__client__empty__free_unpacked(e, NULL);
	return 0;
}

static void
log_denied(const struct conn_info *ci)
{
	static _Atomic long window;
	static atomic_int count;
	long now = (long)time(NULL);

	if (atomic_exchange(&window, now) != now)
		atomic_store(&count, 0);
	if (atomic_fetch_add(&count, 1) >= DENIED_LOGS_PER_S)
		return;
	log_warn("connection from %s denied: no client certificate was "
		 "presented (gRPC %s is for trusted clients)",
		 ci->peer_addr, GRPC_GOSSIP_READ);
}

static void
gossip_read(struct gossipd *d, const struct conn_info *ci,
	    const struct h2_request *rq, struct h2_answer *a)
{
	/* the rule of GET /gossip */
	const struct gossipd_config *cfg = gossipd_cfg_get(d);
	const struct access_switches sw = routes_access_switches(cfg);

	/* the identity now: a certificate past its notAfter no longer
	 * counts, as for GET /gossip */
	enum access_verdict v = access_check(
	    ACCESS_GOSSIP_READ, conn_info_identity(ci, time(NULL)), &sw);

	gossipd_cfg_put(cfg);

	if (v == ACCESS_FORBIDDEN) {
		a->status = GRPC_PERMISSION_DENIED;
		snprintf(a->message, sizeof(a->message),
			 "this certificate may not read the gossip");
		return;
	}
	if (v != ACCESS_OK) {
		log_denied(ci);
		a->status = GRPC_UNAUTHENTICATED;
		snprintf(a->message, sizeof(a->message),
			 "a trusted client certificate is required");
		return;
	}
	if (unary_request(rq, a) != 0)
		return;
	if (d->cluster == NULL) {
		a->status = GRPC_UNAVAILABLE;
		snprintf(a->message, sizeof(a->message), "not serving");
		return;
	}
	a->body = client_view_pb(d->cluster);
	if (a->body == NULL) {
		a->status = GRPC_RESOURCE_EXHAUSTED;
		snprintf(a->message, sizeof(a->message), "out of memory");
		return;
	}
	a->status = GRPC_OK;
}

void
grpc_service_call(struct gossipd *d, const struct conn_info *ci,
		  const struct h2_request *rq, struct h2_answer *a)
{
	log_debug("gRPC %s from %s (%s)", rq->path, ci->peer_addr,
		  node_identity_name(ci->identity));
	if (strcmp(rq->path, GRPC_GOSSIP_READ) == 0) {
		gossip_read(d, ci, rq, a);
		return;
	}
	a->status = GRPC_UNIMPLEMENTED;
	snprintf(a->message, sizeof(a->message), "unknown method");
}
