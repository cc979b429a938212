/*
 * Fuzz target: the choice of a member (discovery_rank, discovery_select)
 * over any gossip document that decodes. For every preference, strict or
 * not, under a fixed random sequence: a chosen member is alive and
 * eligible, --prefer follower never chooses the leader, strict chooses
 * only the preferred state, the ranking lists each index once in rank
 * order, and a refusal always explains itself.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "discovery.h"
#include "gossip_json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint32_t
next(void *ctx)
{
	uint32_t *s = ctx;

	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static void
check(const struct cluster_doc *doc, enum discovery_pref p, bool strict)
{
	uint32_t state = 2463534242u;
	struct discovery_rng rng = {next, &state};
	size_t *idx = calloc(doc->n + 1, sizeof(*idx)), n, i;
	char *seen = calloc(doc->n + 1, 1), err[512];
	int pick, prev = -1, rank;
	const struct member *m;

	if (idx == NULL || seen == NULL)
		goto out;
	n = discovery_rank(doc, p, strict, &rng, idx, doc->n);
	for (i = 0; i < n; i++) {
		if (idx[i] >= doc->n || seen[idx[i]])
			abort();
		seen[idx[i]] = 1;
		m = &doc->members[idx[i]];
		rank = discovery_rank_of(p, strict, m->state);
		if (!m->is_alive || rank < 0 || rank < prev)
			abort();
		prev = rank;
	}
	err[0] = '\0';
	pick = discovery_select(doc, p, strict, &rng, err, sizeof(err));
	if (pick < 0) {
		if (n != 0 || err[0] == '\0')
			abort();
		goto out;
	}
	m = &doc->members[pick];
	if (!m->is_alive || !discovery_state_eligible(m->state))
		abort();
	if (p == DP_FOLLOWER && m->state == MS_LEADER)
		abort();
	if (strict && p == DP_LEADER && m->state != MS_LEADER)
		abort();
out:
	free(idx);
	free(seen);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cluster_doc doc;
	char err[256];
	int p;

	memset(&doc, 0, sizeof(doc));
	if (gossip_json_decode((const char *)data, size, GOSSIP_JSON_MAX_BYTES,
			       GOSSIP_JSON_MAX_MEMBERS, &doc, err,
			       sizeof(err)) != 0)
		return 0;
	for (p = DP_LEADER; p <= DP_READ_ONLY_REPLICA; p++) {
		check(&doc, (enum discovery_pref)p, false);
		check(&doc, (enum discovery_pref)p, true);
	}
	cluster_doc_free(&doc);
	return 0;
}
