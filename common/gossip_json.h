/*
 * gossip_json: the cluster document (SPEC.md section 1) to and from JSON,
 * through cJSON, strict and bounded.
 */
#ifndef GOSSIP_GOSSIP_JSON_H
#define GOSSIP_GOSSIP_JSON_H

#include <stddef.h>

#include "member.h"

#define GOSSIP_JSON_MAX_BYTES	(1024 * 1024) /* default decode bound */
#define GOSSIP_JSON_MAX_MEMBERS 256

struct cluster_doc {
	struct member *members; /* malloc'd array of n */
	size_t n;
	char server_ip[MEMBER_HOST_MAX];
	int server_port;
};

/*
 * Decodes a document of len bytes (no NUL needed). Every member field
 * must be present and of the right type; states by name (old names
 * accepted); positions exact integers within 2^53. Refuses more than
 * max_members members or more than max_bytes bytes.
 * Returns 0 and fills *out (free with cluster_doc_free), or -1 with a
 * short reason in err that never echoes input bytes.
 */
int gossip_json_decode(const char *buf, size_t len, size_t max_bytes,
		       size_t max_members, struct cluster_doc *out, char *err,
		       size_t errlen);

/*
 * Encodes the document with every field in SPEC.md order; integers as
 * exact integer text. Returns a malloc'd NUL-terminated string (caller
 * frees) and its length in *len, or NULL on allocation failure.
 */
char *gossip_json_encode(const struct cluster_doc *doc, size_t *len);

/* Encodes one member as a JSON object (same rules). Caller frees. */
char *gossip_json_encode_member(const struct member *m, size_t *len);

/*
 * Decodes the body of PUT /admin/member: a JSON object whose every field
 * is optional (state, writerCheckpoint, chaserCheckpoint,
 * lastCommitPosition, epochPosition, epochNumber, epochId, nodePriority,
 * isReadOnlyReplica), validated like the document's; an unknown field is
 * an error. Returns 0 and fills *out (fields flags the ones present), or
 * -1 with a reason in err that never echoes input bytes.
 */
int gossip_json_decode_member_update(const char *buf, size_t len,
				     size_t max_bytes,
				     struct member_update *out, char *err,
				     size_t errlen);

void cluster_doc_free(struct cluster_doc *doc);

#endif
