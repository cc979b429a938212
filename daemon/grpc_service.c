/*
 * grpc_service: gRPC methods over HTTP/2 (see grpc_service.h).
 *
 * Gossip/Read answers the same member table as GET /gossip. The table
 * serializes its JSON document once per change (cluster_document); the
 * protobuf answer is encoded once per such document and kept beside a
 * reference to it, so a new encoding is made only when the table changed.
 */
#include "grpc_service.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "access.h"
#include "cluster.h"
#include "gossip_pb.h"
#include "log.h"
#include "shared.pb-c.h"

#define DENIED_LOGS_PER_S 10

static struct {
	pthread_mutex_t mu;
	struct shared_buf *doc; /* the JSON document it was made from */
	struct shared_buf *pb;	/* prefix + ClusterInfo */
} cache = {.mu = PTHREAD_MUTEX_INITIALIZER};

void
grpc_service_release(void)
{
	pthread_mutex_lock(&cache.mu);
	shared_buf_unref(cache.doc);
	shared_buf_unref(cache.pb);
	cache.doc = cache.pb = NULL;
	pthread_mutex_unlock(&cache.mu);
}

/* The encoded ClusterInfo of the current table (a new reference), or
 * NULL on ENOMEM. */
static struct shared_buf *
cluster_info(struct cluster *cl)
{
	struct shared_buf *doc = cluster_document(cl, ticks_now()), *pb = NULL;
	struct cluster_doc snap;
	uint8_t *bytes;
	size_t len;

	if (doc == NULL)
		return NULL;
	pthread_mutex_lock(&cache.mu);
	if (cache.doc == doc) {
		pb = shared_buf_ref(cache.pb);
		pthread_mutex_unlock(&cache.mu);
		shared_buf_unref(doc);
		return pb;
	}
	/* The snapshot may be newer than doc, never older: the next change
	 * of the table makes a new document, hence a new encoding. */
	if (cluster_snapshot(cl, &snap) == 0) {
		bytes = gossip_pb_encode(&snap, &len);
		cluster_doc_free(&snap);
		if (bytes != NULL) {
			pb = shared_buf_new(bytes, len);
			free(bytes);
		}
	}
	if (pb != NULL) {
		shared_buf_unref(cache.doc);
		shared_buf_unref(cache.pb);
		cache.doc = doc;
		cache.pb = shared_buf_ref(pb);
		doc = NULL;
	}
	pthread_mutex_unlock(&cache.mu);
	shared_buf_unref(doc);
	return pb;
}

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
	const struct access_switches sw = {
	    .gossip_requires_client_cert = d->cfg->gossip_requires_client_cert,
	};

	if (access_check(ACCESS_GOSSIP_READ, ci->identity, &sw) != ACCESS_OK) {
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
	a->body = cluster_info(d->cluster);
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
