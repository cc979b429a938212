/*
 * Fuzz target: the cluster document decoder, the member-update decoder,
 * and a merge of whatever decodes into a small member table. A decoded
 * document must encode and decode again to the same members.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cluster.h"
#include "gossip_json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Merges doc into a table with one seed, both as an incoming POST and as
 * the answer from that seed, then expires and renders the document. */
static void
merge_into_table(const struct cluster_doc *doc)
{
	struct cluster_params p = {.allowed_skew = 60 * TICKS_PER_SEC,
				   .dead_removal = 1800 * TICKS_PER_SEC,
				   .max_members = 8};
	struct gossip_seed seed = {.host = "127.0.0.1", .port = 2113};
	struct cluster_target t = {.host = "127.0.0.1", .port = 2113};
	ticks_t now = 17000000000000000LL;
	struct member self;
	struct cluster *c;
	struct shared_buf *b;
	size_t by_state[MS__COUNT], alive, dead;

	memset(&self, 0, sizeof(self));
	strcpy(self.http_ip, "127.0.0.9");
	self.http_port = 2113;
	self.instance_id.b[0] = 1;
	c = cluster_new(&self, &p, NULL, NULL);
	if (c == NULL)
		return;
	cluster_set_seeds(c, &seed, 1, now);
	cluster_merge(c, doc, NULL, now);
	cluster_merge(c, doc, &t, now);
	cluster_exchange_failed(c, &t, "fuzz", now + 1);
	cluster_expire(c, now + p.dead_removal + 2);
	cluster_count(c, by_state, &alive, &dead);
	b = cluster_document(c, now);
	shared_buf_unref(b);
	cluster_free(c);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	struct cluster_doc doc, again;
	struct member_update u;
	char err[256];

	(void)gossip_json_decode_member_update(buf, size, 65536, &u, err,
					       sizeof(err));
	if (gossip_json_decode(buf, size, GOSSIP_JSON_MAX_BYTES,
			       GOSSIP_JSON_MAX_MEMBERS, &doc, err,
			       sizeof(err)) < 0)
		return 0;

	size_t len;
	char *enc = gossip_json_encode(&doc, &len);

	if (enc != NULL) {
		if (gossip_json_decode(enc, len, len, doc.n, &again, err,
				       sizeof(err)) != 0 ||
		    again.n != doc.n ||
		    (doc.n > 0 && memcmp(again.members, doc.members,
					 doc.n * sizeof(*doc.members)) != 0))
			abort();
		cluster_doc_free(&again);
		free(enc);
	}
	merge_into_table(&doc);
	cluster_doc_free(&doc);
	return 0;
}
