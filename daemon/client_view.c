/*
 * client_view: see client_view.h.
 *
 * The table serializes its (node-to-node) JSON document once per change
 * (cluster_document). The client views are made from a snapshot when
 * that document is a new one, and kept beside a reference to it; the
 * snapshot may be newer than the document, never older, and the next
 * change of the table makes a new document, hence new views. When no
 * member advertises a client endpoint, the JSON client view is the
 * document itself.
 */
#include "client_view.h"

#include <pthread.h>
#include <stdlib.h>

#include "gossip_json.h"
#include "gossip_pb.h"

static struct {
	pthread_mutex_t mu;
	struct shared_buf *doc;	 /* the document the views were made from */
	struct shared_buf *json; /* GET /gossip */
	struct shared_buf *pb;	 /* Gossip/Read */
} cache = {.mu = PTHREAD_MUTEX_INITIALIZER};

void
client_view_release(void)
{
	pthread_mutex_lock(&cache.mu);
	shared_buf_unref(cache.doc);
	shared_buf_unref(cache.json);
	shared_buf_unref(cache.pb);
	cache.doc = cache.json = cache.pb = NULL;
	pthread_mutex_unlock(&cache.mu);
}

/* Takes over bytes (malloc'd, len bytes, or NULL). */
static struct shared_buf *
own(void *bytes, const size_t *len)
{
	struct shared_buf *b = NULL;

	if (bytes != NULL) {
		b = shared_buf_new(bytes, *len);
		free(bytes);
	}
	return b;
}

/* Makes both views of snap; 0, or -1 on ENOMEM. Called locked. */
static int
build(struct shared_buf *doc, struct cluster_doc *snap)
{
	struct shared_buf *json = NULL, *pb;
	bool any = false;
	size_t len = 0;
	void *bytes;

	for (size_t i = 0; i < snap->n; i++) {
		any = any || member_advertises(&snap->members[i]);
		member_client_view(&snap->members[i], &snap->members[i]);
	}
	if (any) {
		bytes = gossip_json_encode(snap, &len);
		json = own(bytes, &len);
	} else {
		json = shared_buf_ref(doc);
	}
	bytes = gossip_pb_encode(snap, &len);
	pb = own(bytes, &len);
	if (json == NULL || pb == NULL) {
		shared_buf_unref(json);
		shared_buf_unref(pb);
		return -1;
	}
	shared_buf_unref(cache.doc);
	shared_buf_unref(cache.json);
	shared_buf_unref(cache.pb);
	cache.doc = shared_buf_ref(doc);
	cache.json = json;
	cache.pb = pb;
	return 0;
}

static struct shared_buf *
view(struct cluster *cl, bool want_pb)
{
	struct shared_buf *doc = cluster_document(cl, ticks_now()), *b = NULL;
	struct cluster_doc snap;

	if (doc == NULL)
		return NULL;
	pthread_mutex_lock(&cache.mu);
	if (cache.doc != doc && cluster_snapshot(cl, &snap) == 0) {
		build(doc, &snap);
		cluster_doc_free(&snap);
	}
	if (cache.doc == doc)
		b = shared_buf_ref(want_pb ? cache.pb : cache.json);
	pthread_mutex_unlock(&cache.mu);
	shared_buf_unref(doc);
	return b;
}

struct shared_buf *
client_view_json(struct cluster *cl)
{
	return view(cl, false);
}

struct shared_buf *
client_view_pb(struct cluster *cl)
{
	return view(cl, true);
}
