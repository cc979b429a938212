/*
 * Fuzz target: the HTTP/2 input path (common/h2_server.c over nghttp2)
 * as the daemon drives it: the client preface, then the fuzzer's bytes
 * in chunks whose sizes come from the input, every answer drained after
 * each chunk, stream deadlines expired on a clock the input moves. The
 * handler answers Gossip/Read with a real ClusterInfo (gossip_pb.c), and
 * a decoded ClusterInfo of the input is encoded again for good measure.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gossip_pb.h"
#include "h2_server.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int64_t clock_ms;

static int64_t
fake_now(void)
{
	return clock_ms;
}

static void
handler(void *ctx, const struct h2_request *rq, struct h2_answer *a)
{
	struct cluster_doc doc;
	struct member m;
	uint8_t *b;
	size_t len;

	(void)ctx;
	if (strcmp(rq->path, "/event_store.client.gossip.Gossip/Read") != 0) {
		a->status = GRPC_UNIMPLEMENTED;
		return;
	}
	memset(&m, 0, sizeof(m));
	strcpy(m.http_ip, "127.0.0.1");
	m.http_port = 2113;
	m.state = MS_LEADER;
	m.is_alive = true;
	doc.members = &m;
	doc.n = 1;
	b = gossip_pb_encode(&doc, &len);
	if (b == NULL)
		return;
	a->body = shared_buf_new(b, len);
	free(b);
	a->status = GRPC_OK;
}

static void
drain(struct h2_server *s)
{
	const uint8_t *out;
	int guard = 0;

	while (h2_server_send(s, &out) > 0 && ++guard < 10000)
		;
}

/* Any ClusterInfo the input holds decodes, encodes and decodes again. */
static void
pb_roundtrip(const uint8_t *data, size_t size)
{
	struct cluster_doc doc, again;
	char err[200];
	uint8_t *b;
	size_t len;

	if (gossip_pb_decode(data, size, 64, &doc, err, sizeof(err)) != 0)
		return;
	b = gossip_pb_encode(&doc, &len);
	if (b != NULL) {
		if (gossip_pb_decode(b + GRPC_PREFIX_LEN, len - GRPC_PREFIX_LEN,
				     64, &again, err, sizeof(err)) != 0 ||
		    again.n != doc.n)
			abort();
		cluster_doc_free(&again);
		free(b);
	}
	cluster_doc_free(&doc);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct h2_hooks hooks = {.request = handler, .now_ms = fake_now};
	struct h2_server *s;
	size_t off = 0;

	pb_roundtrip(data, size);
	clock_ms = 1000;
	s = h2_server_new(&hooks, 5000);
	if (s == NULL)
		return 0;
	drain(s);
	if (h2_server_recv(s, (const uint8_t *)H2_PREFACE, H2_PREFACE_LEN) ==
	    0) {
		while (off < size) {
			/* the first byte of each chunk sets its length */
			size_t n = (size_t)data[off] * 4 + 1;

			off++;
			if (n > size - off)
				n = size - off;
			if (h2_server_recv(s, data + off, n) != 0)
				break;
			off += n;
			drain(s);
			clock_ms += 700;
			h2_server_expire(s, clock_ms);
			drain(s);
			if (!h2_server_alive(s))
				break;
		}
	}
	h2_server_goaway(s);
	drain(s);
	h2_server_free(s);
	return 0;
}
