/* Unit tests for common/cluster.c: one test per rule of SPEC.md section 3. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cluster.h"

#define T0   (17000000000000000LL) /* some time in 2023 */
#define SEC  TICKS_PER_SEC
#define SKEW (60 * SEC)
#define DEAD (1800 * SEC)

static struct cluster_event events[64];
static size_t nevents;

static void
record(void *ctx, const struct cluster_event *ev)
{
	(void)ctx;
	if (nevents < 64)
		events[nevents++] = *ev;
}

/* How many recorded events of kind concern endpoint. */
static size_t
count_events(enum cluster_event_kind kind, const char *endpoint)
{
	size_t n = 0;

	for (size_t i = 0; i < nevents; i++)
		if (events[i].kind == kind &&
		    (endpoint == NULL ||
		     strcmp(events[i].endpoint, endpoint) == 0))
			n++;
	return n;
}

static struct member
mk(const char *ip, int port, enum member_state st, int64_t epoch,
   int64_t writer, ticks_t ts)
{
	struct member m;

	memset(&m, 0, sizeof(m));
	m.instance_id.b[0] = (uint8_t)port;
	m.instance_id.b[1] = (uint8_t)(port >> 8);
	m.instance_id.b[15] = 1;
	m.timestamp = ts;
	m.state = st;
	m.is_alive = true;
	snprintf(m.http_ip, sizeof(m.http_ip), "%s", ip);
	snprintf(m.internal_http_ip, sizeof(m.internal_http_ip), "%s", ip);
	m.http_port = m.internal_http_port = port;
	m.epoch_number = epoch;
	m.writer_checkpoint = writer;
	m.last_commit_position = m.chaser_checkpoint = m.epoch_position = -1;
	strcpy(m.es_version, "gossipd 0.1.0");
	return m;
}

/* A table for us at 127.0.0.1:2113, events recorded. */
static struct cluster *
table(size_t max)
{
	struct cluster_params p = {
	    .allowed_skew = SKEW, .dead_removal = DEAD, .max_members = max};
	struct member self = mk("127.0.0.1", 2113, MS_FOLLOWER, -1, -1, T0);
	struct cluster *c = cluster_new(&self, &p, record, NULL);

	assert_non_null(c);
	nevents = 0;
	return c;
}

static struct cluster_doc
doc_of(const char *ip, int port, struct member *ms, size_t n)
{
	struct cluster_doc d = {.members = ms, .n = n, .server_port = port};

	snprintf(d.server_ip, sizeof(d.server_ip), "%s", ip);
	return d;
}

/* Our copy of the member at ip:port (fails when absent). */
static struct member
entry(struct cluster *c, const char *ip, int port)
{
	struct cluster_doc d;
	struct member m;

	memset(&m, 0, sizeof(m));
	assert_int_equal(cluster_snapshot(c, &d), 0);
	for (size_t i = 0; i < d.n; i++) {
		if (strcmp(d.members[i].http_ip, ip) == 0 &&
		    d.members[i].http_port == port) {
			m = d.members[i];
			cluster_doc_free(&d);
			return m;
		}
	}
	cluster_doc_free(&d);
	fail_msg("no entry %s:%d", ip, port);
	return m;
}

static size_t
n_entries(struct cluster *c)
{
	struct cluster_doc d;
	size_t n;

	assert_int_equal(cluster_snapshot(c, &d), 0);
	n = d.n;
	cluster_doc_free(&d);
	return n;
}

static bool
has_entry(struct cluster *c, const char *ip, int port)
{
	struct cluster_doc d;
	bool found = false;

	assert_int_equal(cluster_snapshot(c, &d), 0);
	for (size_t i = 0; i < d.n; i++)
		if (strcmp(d.members[i].http_ip, ip) == 0 &&
		    d.members[i].http_port == port)
			found = true;
	cluster_doc_free(&d);
	return found;
}

static void
merge_never_touches_own_entry(void **state)
{
	struct cluster *c = table(0);
	struct member ms[2] = {
	    mk("127.0.0.1", 2113, MS_LEADER, 99, 99, T0 + 99 * SEC),
	    mk("127.0.0.2", 2113, MS_FOLLOWER, 1, 1, T0),
	};
	struct cluster_doc d = doc_of("127.0.0.2", 2113, ms, 2);
	struct member self;

	(void)state;
	cluster_merge(c, &d, NULL, T0);
	cluster_get_self(c, &self);
	assert_int_equal(self.state, MS_FOLLOWER);
	assert_int_equal(self.epoch_number, -1);
	assert_int_equal(self.timestamp, T0);
	assert_int_equal(n_entries(c), 2);
	cluster_free(c);
}

static void
merge_takes_sender_self_entry_as_is(void **state)
{
	struct cluster *c = table(0);
	struct member hi = mk("127.0.0.2", 2113, MS_LEADER, 9, 900, T0);
	struct member lo = mk("127.0.0.2", 2113, MS_FOLLOWER, 1, 1, T0 - SEC);
	struct cluster_doc d;

	(void)state;
	d = doc_of("127.0.0.3", 2113, &hi, 1); /* relayed by a third */
	cluster_merge(c, &d, NULL, T0);
	assert_int_equal(entry(c, "127.0.0.2", 2113).epoch_number, 9);
	d = doc_of("127.0.0.2", 2113, &lo, 1); /* from itself: as is */
	cluster_merge(c, &d, NULL, T0);
	assert_int_equal(entry(c, "127.0.0.2", 2113).epoch_number, 1);
	assert_int_equal(entry(c, "127.0.0.2", 2113).state, MS_FOLLOWER);
	assert_int_equal(count_events(CE_STATE, "127.0.0.2:2113"), 1);
	cluster_free(c);
}

/* Merges one entry about 127.0.0.2:2113 relayed by 127.0.0.3. */
static void
relay(struct cluster *c, struct member m)
{
	struct cluster_doc d = doc_of("127.0.0.3", 2113, &m, 1);

	cluster_merge(c, &d, NULL, T0);
}

static void
merge_adds_unknown_member(void **state)
{
	struct cluster *c = table(0);

	(void)state;
	relay(c, mk("127.0.0.2", 2113, MS_CLONE, 1, 1, T0));
	assert_int_equal(entry(c, "127.0.0.2", 2113).state, MS_CLONE);
	assert_int_equal(count_events(CE_ADDED, "127.0.0.2:2113"), 1);
	cluster_free(c);
}

static void
merge_prefers_higher_epoch_number(void **state)
{
	struct cluster *c = table(0);

	(void)state;
	relay(c, mk("127.0.0.2", 2113, MS_FOLLOWER, 5, 100, T0));
	relay(c, mk("127.0.0.2", 2113, MS_LEADER, 4, 999, T0 + SEC));
	assert_int_equal(entry(c, "127.0.0.2", 2113).epoch_number, 5);
	relay(c, mk("127.0.0.2", 2113, MS_LEADER, 6, 1, T0 - SEC));
	assert_int_equal(entry(c, "127.0.0.2", 2113).epoch_number, 6);
	assert_int_equal(entry(c, "127.0.0.2", 2113).state, MS_LEADER);
	cluster_free(c);
}

static void
merge_then_prefers_higher_writer_checkpoint(void **state)
{
	struct cluster *c = table(0);

	(void)state;
	relay(c, mk("127.0.0.2", 2113, MS_FOLLOWER, 5, 100, T0));
	relay(c, mk("127.0.0.2", 2113, MS_LEADER, 5, 99, T0 + SEC));
	assert_int_equal(entry(c, "127.0.0.2", 2113).writer_checkpoint, 100);
	relay(c, mk("127.0.0.2", 2113, MS_LEADER, 5, 101, T0 - SEC));
	assert_int_equal(entry(c, "127.0.0.2", 2113).writer_checkpoint, 101);
	cluster_free(c);
}

static void
merge_then_prefers_later_timestamp(void **state)
{
	struct cluster *c = table(0);

	(void)state;
	relay(c, mk("127.0.0.2", 2113, MS_FOLLOWER, 5, 100, T0));
	relay(c, mk("127.0.0.2", 2113, MS_LEADER, 5, 100, T0 - 1));
	assert_int_equal(entry(c, "127.0.0.2", 2113).state, MS_FOLLOWER);
	relay(c, mk("127.0.0.2", 2113, MS_LEADER, 5, 100, T0));
	assert_int_equal(entry(c, "127.0.0.2", 2113).state, MS_FOLLOWER);
	relay(c, mk("127.0.0.2", 2113, MS_LEADER, 5, 100, T0 + 1));
	assert_int_equal(entry(c, "127.0.0.2", 2113).state, MS_LEADER);
	cluster_free(c);
}

static void
merge_ignores_other_nodes_placeholders(void **state)
{
	struct cluster *c = table(0);
	struct member p = mk("localhost", 2113, MS_MANAGER, -1, -1, T0);

	(void)state;
	memset(&p.instance_id, 0, sizeof(p.instance_id));
	relay(c, p);
	assert_false(has_entry(c, "localhost", 2113));
	assert_int_equal(n_entries(c), 1);
	cluster_free(c);
}

static void
seed_shows_as_placeholder(void **state)
{
	struct cluster *c = table(0);
	struct gossip_seed seeds[] = {{"localhost", 2114},
				      {"127.0.0.1", 2113}, /* ourselves */
				      {"localhost", 2114}};
	struct member p;

	(void)state;
	cluster_set_seeds(c, seeds, 3, T0);
	assert_int_equal(n_entries(c), 2);
	p = entry(c, "localhost", 2114);
	assert_int_equal(p.state, MS_MANAGER);
	assert_true(guid_is_zero(&p.instance_id));
	assert_true(p.is_alive);
	assert_int_equal(p.writer_checkpoint, -1);
	assert_int_equal(p.epoch_number, -1);
	assert_int_equal(p.epoch_position, -1);
	assert_int_equal(p.last_commit_position, -1);
	assert_int_equal(p.chaser_checkpoint, -1);
	cluster_free(c);
}

static void
placeholder_replaced_by_responder_under_another_name(void **state)
{
	struct cluster *c = table(0);
	struct gossip_seed seed = {"localhost", 2114};
	struct cluster_target t = {"localhost", 2114};
	struct member r = mk("127.0.0.1", 2114, MS_FOLLOWER, -1, -1, T0);
	struct cluster_doc d = doc_of("127.0.0.1", 2114, &r, 1);

	(void)state;
	cluster_set_seeds(c, &seed, 1, T0);
	/* An incoming POST from it does not tell us where the seed is. */
	cluster_merge(c, &d, NULL, T0);
	assert_true(has_entry(c, "localhost", 2114));
	/* An answer at the seed address does. */
	cluster_merge(c, &d, &t, T0);
	assert_false(has_entry(c, "localhost", 2114));
	assert_true(has_entry(c, "127.0.0.1", 2114));
	assert_int_equal(n_entries(c), 2);
	assert_int_equal(count_events(CE_REPLACED, "127.0.0.1:2114"), 1);
	assert_string_equal(events[nevents - 1].seed, "localhost:2114");
	/* Re-setting the same seeds keeps the binding. */
	cluster_set_seeds(c, &seed, 1, T0 + SEC);
	assert_false(has_entry(c, "localhost", 2114));
	cluster_free(c);
}

static void
placeholder_returns_after_its_member_is_removed(void **state)
{
	struct cluster *c = table(0);
	struct gossip_seed seed = {"localhost", 2114};
	struct cluster_target t = {"localhost", 2114};
	struct cluster_target real = {"127.0.0.1", 2114};
	struct member r = mk("127.0.0.1", 2114, MS_FOLLOWER, -1, -1, T0);
	struct cluster_doc d = doc_of("127.0.0.1", 2114, &r, 1);

	(void)state;
	cluster_set_seeds(c, &seed, 1, T0);
	cluster_merge(c, &d, &t, T0);
	cluster_exchange_failed(c, &real, "timed out", T0 + SEC);
	cluster_expire(c, T0 + SEC + DEAD + 1);
	assert_false(has_entry(c, "127.0.0.1", 2114));
	assert_true(has_entry(c, "localhost", 2114));
	cluster_free(c);
}

static void
failed_exchange_marks_dead_once(void **state)
{
	struct cluster *c = table(0);
	struct cluster_target t = {"127.0.0.2", 2113};
	struct member m;

	(void)state;
	relay(c, mk("127.0.0.2", 2113, MS_FOLLOWER, 1, 1, T0));
	cluster_exchange_failed(c, &t, "connect: Connection refused", T0 + SEC);
	m = entry(c, "127.0.0.2", 2113);
	assert_false(m.is_alive);
	assert_int_equal(m.timestamp, T0 + SEC);
	assert_int_equal(count_events(CE_DEAD, "127.0.0.2:2113"), 1);
	assert_string_equal(events[nevents - 1].reason,
			    "connect: Connection refused");
	cluster_exchange_failed(c, &t, "timed out", T0 + 2 * SEC);
	assert_int_equal(count_events(CE_DEAD, "127.0.0.2:2113"), 1);
	assert_int_equal(entry(c, "127.0.0.2", 2113).timestamp, T0 + SEC);
	/* A placeholder never dies. */
	struct gossip_seed seed = {"localhost", 2200};
	struct cluster_target ts = {"localhost", 2200};

	cluster_set_seeds(c, &seed, 1, T0);
	assert_false(cluster_exchange_failed(c, &ts, "timed out", T0 + SEC));
	assert_true(entry(c, "localhost", 2200).is_alive);
	cluster_free(c);
}

static void
newer_self_entry_marks_alive_again(void **state)
{
	struct cluster *c = table(0);
	struct cluster_target t = {"127.0.0.2", 2113};
	struct member m = mk("127.0.0.2", 2113, MS_FOLLOWER, 1, 1, T0);
	struct cluster_doc d = doc_of("127.0.0.2", 2113, &m, 1);

	(void)state;
	cluster_merge(c, &d, NULL, T0);
	cluster_exchange_failed(c, &t, "timed out", T0 + SEC);
	/* An older relayed copy that says alive does not revive it. */
	relay(c, mk("127.0.0.2", 2113, MS_FOLLOWER, 1, 1, T0));
	assert_false(entry(c, "127.0.0.2", 2113).is_alive);
	m.timestamp = T0 + 2 * SEC;
	cluster_merge(c, &d, NULL, T0 + 2 * SEC);
	assert_true(entry(c, "127.0.0.2", 2113).is_alive);
	assert_int_equal(count_events(CE_ALIVE, "127.0.0.2:2113"), 1);
	cluster_free(c);
}

static void
relayed_entries_never_change_liveness(void **state)
{
	struct cluster *c = table(0);
	struct cluster_target t = {"127.0.0.2", 2113};
	struct member m = mk("127.0.0.2", 2113, MS_FOLLOWER, 1, 1, T0);

	(void)state;
	relay(c, m);
	/* A third party says it died (later): fields taken, still alive. */
	m.is_alive = false;
	m.timestamp = T0 + SEC;
	m.state = MS_CLONE;
	relay(c, m);
	assert_true(entry(c, "127.0.0.2", 2113).is_alive);
	assert_int_equal(entry(c, "127.0.0.2", 2113).state, MS_CLONE);
	assert_int_equal(entry(c, "127.0.0.2", 2113).timestamp, T0 + SEC);
	assert_int_equal(count_events(CE_DEAD, NULL), 0);
	/* We find it dead; a third party's newer alive copy does not revive
	 * it (only our exchange or its own entry do). */
	cluster_exchange_failed(c, &t, "timed out", T0 + 2 * SEC);
	m.is_alive = true;
	m.timestamp = T0 + 3 * SEC;
	relay(c, m);
	assert_false(entry(c, "127.0.0.2", 2113).is_alive);
	assert_int_equal(entry(c, "127.0.0.2", 2113).timestamp, T0 + 3 * SEC);
	assert_int_equal(count_events(CE_ALIVE, NULL), 0);
	/* A member we did not know is taken with the liveness given. */
	m = mk("127.0.0.4", 2113, MS_FOLLOWER, 1, 1, T0);
	m.is_alive = false;
	relay(c, m);
	assert_false(entry(c, "127.0.0.4", 2113).is_alive);
	cluster_free(c);
}

static void
successful_exchange_marks_alive_again(void **state)
{
	struct cluster *c = table(0);
	struct cluster_target t = {"127.0.0.2", 2113};
	struct cluster_doc empty = doc_of("127.0.0.2", 2113, NULL, 0);

	(void)state;
	relay(c, mk("127.0.0.2", 2113, MS_FOLLOWER, 1, 1, T0));
	cluster_exchange_failed(c, &t, "timed out", T0 + SEC);
	cluster_merge(c, &empty, &t, T0 + 5 * SEC);
	assert_true(entry(c, "127.0.0.2", 2113).is_alive);
	assert_int_equal(entry(c, "127.0.0.2", 2113).timestamp, T0 + 5 * SEC);
	assert_int_equal(count_events(CE_ALIVE, "127.0.0.2:2113"), 1);
	cluster_free(c);
}

static void
dead_member_removed_after_period(void **state)
{
	struct cluster *c = table(0);
	struct cluster_target t = {"127.0.0.2", 2113};
	struct member stale = mk("127.0.0.2", 2113, MS_FOLLOWER, 1, 1, T0);

	(void)state;
	relay(c, mk("127.0.0.2", 2113, MS_FOLLOWER, 1, 1, T0));
	cluster_exchange_failed(c, &t, "timed out", T0);
	cluster_expire(c, T0 + DEAD);
	assert_true(has_entry(c, "127.0.0.2", 2113));
	cluster_expire(c, T0 + DEAD + 1);
	assert_false(has_entry(c, "127.0.0.2", 2113));
	assert_int_equal(count_events(CE_REMOVED, "127.0.0.2:2113"), 1);
	/* Another node's equally stale record does not bring it back. */
	stale.is_alive = false;
	struct cluster_doc d = doc_of("127.0.0.3", 2113, &stale, 1);

	cluster_merge(c, &d, NULL, T0 + DEAD + 1);
	assert_false(has_entry(c, "127.0.0.2", 2113));
	cluster_free(c);
}

static void
clock_skew_detected_on_sender_self_entry(void **state)
{
	struct cluster *c = table(0);
	struct member ms[2] = {
	    mk("127.0.0.2", 2113, MS_FOLLOWER, 1, 1, T0 + SKEW + 1),
	    mk("127.0.0.4", 2113, MS_FOLLOWER, 1, 1, T0 + 10 * SKEW),
	};
	struct cluster_doc d = doc_of("127.0.0.2", 2113, ms, 2);

	(void)state;
	cluster_merge(c, &d, NULL, T0);
	assert_int_equal(count_events(CE_CLOCK_SKEW, NULL), 1);
	assert_int_equal(count_events(CE_CLOCK_SKEW, "127.0.0.2:2113"), 1);
	assert_int_equal(events[0].peer_time, T0 + SKEW + 1);
	assert_int_equal(events[0].our_time, T0);
	nevents = 0;
	ms[0].timestamp = T0 - SKEW;
	cluster_merge(c, &d, NULL, T0);
	assert_int_equal(count_events(CE_CLOCK_SKEW, NULL), 0);
	cluster_free(c);
}

static void
restart_replaces_entry_without_duplicate(void **state)
{
	struct cluster *c = table(0);
	struct member m = mk("127.0.0.2", 2113, MS_LEADER, 3, 3, T0);
	struct cluster_doc d = doc_of("127.0.0.2", 2113, &m, 1);
	struct cluster_target t = {"127.0.0.2", 2113};

	(void)state;
	cluster_merge(c, &d, NULL, T0);
	cluster_exchange_failed(c, &t, "connect: Connection refused", T0 + SEC);
	m.instance_id.b[5] = 0x55;
	m.state = MS_UNKNOWN;
	m.epoch_number = -1;
	m.timestamp = T0 + 3 * SEC;
	cluster_merge(c, &d, &t, T0 + 3 * SEC);
	assert_int_equal(n_entries(c), 2);
	assert_int_equal(entry(c, "127.0.0.2", 2113).instance_id.b[5], 0x55);
	assert_true(entry(c, "127.0.0.2", 2113).is_alive);
	assert_int_equal(count_events(CE_RESTARTED, "127.0.0.2:2113"), 1);
	assert_int_equal(count_events(CE_ALIVE, "127.0.0.2:2113"), 1);
	assert_int_equal(count_events(CE_STATE, "127.0.0.2:2113"), 1);
	for (size_t i = 0; i < nevents; i++)
		if (events[i].kind == CE_STATE) {
			assert_int_equal(events[i].from, MS_LEADER);
			assert_int_equal(events[i].to, MS_UNKNOWN);
		}
	cluster_free(c);
}

static void
document_ordered_by_endpoint_and_cached(void **state)
{
	struct cluster *c = table(0);
	struct gossip_seed seed = {"127.0.0.1", 2000};
	struct shared_buf *a, *b;
	struct cluster_doc d;
	char err[128];

	(void)state;
	relay(c, mk("127.0.0.3", 2113, MS_FOLLOWER, 1, 1, T0));
	relay(c, mk("127.0.0.2", 2113, MS_FOLLOWER, 1, 1, T0));
	relay(c, mk("127.0.0.1", 2114, MS_FOLLOWER, 1, 1, T0));
	cluster_set_seeds(c, &seed, 1, T0);
	a = cluster_document(c, T0);
	assert_non_null(a);
	b = cluster_document(c, T0 + SEC); /* nothing changed */
	assert_ptr_equal(a, b);
	shared_buf_unref(b);
	assert_int_equal(gossip_json_decode(a->data, a->len, a->len, 16, &d,
					    err, sizeof(err)),
			 0);
	assert_int_equal(d.n, 5);
	assert_int_equal(d.members[0].http_port, 2000);
	assert_int_equal(d.members[1].http_port, 2113); /* ourselves */
	assert_int_equal(d.members[2].http_port, 2114);
	assert_string_equal(d.members[3].http_ip, "127.0.0.2");
	assert_string_equal(d.members[4].http_ip, "127.0.0.3");
	assert_string_equal(d.server_ip, "127.0.0.1");
	assert_int_equal(d.server_port, 2113);
	cluster_doc_free(&d);
	relay(c, mk("127.0.0.2", 2113, MS_LEADER, 2, 1, T0));
	b = cluster_document(c, T0 + SEC);
	assert_ptr_not_equal(a, b);
	assert_non_null(strstr(b->data, "\"state\":\"Leader\""));
	shared_buf_unref(a);
	shared_buf_unref(b);
	cluster_free(c);
}

static void
document_refreshes_stale_self_timestamp(void **state)
{
	struct cluster *c = table(0);
	struct shared_buf *b;
	struct member self;

	(void)state;
	b = cluster_document(c, T0 + 5 * SEC);
	cluster_get_self(c, &self);
	assert_int_equal(self.timestamp, T0 + 5 * SEC);
	assert_non_null(strstr(b->data, "\"timeStamp\":\""));
	shared_buf_unref(b);
	cluster_touch_self(c, T0 + 7 * SEC);
	cluster_get_self(c, &self);
	assert_int_equal(self.timestamp, T0 + 7 * SEC);
	cluster_free(c);
}

static void
targets_exclude_self_and_include_placeholders(void **state)
{
	struct cluster *c = table(0);
	struct gossip_seed seeds[] = {{"localhost", 3000}, {"127.0.0.1", 2113}};
	struct cluster_target out[8];
	unsigned rng = 42;
	bool seen_seed = false, seen_dead = false;
	struct cluster_target dead = {"127.0.0.2", 2113};

	(void)state;
	assert_int_equal(cluster_pick_targets(c, &rng, out, 8), 0);
	cluster_set_seeds(c, seeds, 2, T0);
	relay(c, mk("127.0.0.2", 2113, MS_FOLLOWER, 1, 1, T0));
	relay(c, mk("127.0.0.3", 2113, MS_FOLLOWER, 1, 1, T0));
	cluster_exchange_failed(c, &dead, "timed out", T0);
	assert_int_equal(cluster_pick_targets(c, &rng, out, 8), 3);
	for (int round = 0; round < 200; round++) {
		size_t n = cluster_pick_targets(c, &rng, out, 2);

		assert_int_equal(n, 2);
		assert_false(out[0].port == out[1].port &&
			     strcmp(out[0].host, out[1].host) == 0);
		for (size_t i = 0; i < n; i++) {
			assert_false(strcmp(out[i].host, "127.0.0.1") == 0 &&
				     out[i].port == 2113);
			if (strcmp(out[i].host, "localhost") == 0)
				seen_seed = true;
			if (strcmp(out[i].host, "127.0.0.2") == 0)
				seen_dead = true;
		}
	}
	assert_true(seen_seed);
	assert_true(seen_dead);
	cluster_free(c);
}

static void
count_by_state_and_liveness(void **state)
{
	struct cluster *c = table(0);
	struct gossip_seed seed = {"localhost", 3000};
	struct cluster_target dead = {"127.0.0.2", 2113};
	size_t by[MS__COUNT], alive = 0, ndead = 0;

	(void)state;
	cluster_set_seeds(c, &seed, 1, T0);
	relay(c, mk("127.0.0.2", 2113, MS_LEADER, 1, 1, T0));
	relay(c, mk("127.0.0.3", 2113, MS_FOLLOWER, 1, 1, T0));
	cluster_exchange_failed(c, &dead, "timed out", T0);
	cluster_count(c, by, &alive, &ndead);
	assert_int_equal(by[MS_FOLLOWER], 2);
	assert_int_equal(by[MS_LEADER], 1);
	assert_int_equal(by[MS_MANAGER], 1);
	/* self and .3; the seed that never answered is neither alive nor
	 * dead */
	assert_int_equal(alive, 2);
	assert_int_equal(ndead, 1);
	cluster_count(c, NULL, NULL, NULL);
	cluster_free(c);
}

static void
update_self_reports_state_change(void **state)
{
	struct cluster *c = table(0);
	struct member_update u;
	struct member out;

	(void)state;
	memset(&u, 0, sizeof(u));
	u.fields = MU_STATE | MU_WRITER_CHECKPOINT;
	u.state = MS_LEADER;
	u.writer_checkpoint = 10;
	cluster_update_self(c, &u, T0 + SEC, &out);
	assert_int_equal(out.state, MS_LEADER);
	assert_int_equal(out.writer_checkpoint, 10);
	assert_int_equal(out.timestamp, T0 + SEC);
	assert_int_equal(count_events(CE_STATE, "127.0.0.1:2113"), 1);
	assert_int_equal(events[0].from, MS_FOLLOWER);
	assert_int_equal(events[0].to, MS_LEADER);
	cluster_update_self(c, &u, T0 + 2 * SEC, NULL);
	assert_int_equal(count_events(CE_STATE, NULL), 1);
	cluster_free(c);
}

static void
table_is_bounded(void **state)
{
	struct cluster *c = table(2);

	(void)state;
	relay(c, mk("127.0.0.2", 2113, MS_FOLLOWER, 1, 1, T0));
	relay(c, mk("127.0.0.3", 2113, MS_FOLLOWER, 1, 1, T0));
	relay(c, mk("127.0.0.4", 2113, MS_FOLLOWER, 1, 1, T0));
	assert_int_equal(n_entries(c), 3); /* self + 2 */
	assert_false(has_entry(c, "127.0.0.4", 2113));
	cluster_free(c);
}

static void
self_entry_from_config(void **state)
{
	struct gossipd_config cfg;
	struct member m;
	char err[128];

	(void)state;
	memset(&cfg, 0, sizeof(cfg));
	cfg.node_ip = "0.0.0.0";
	cfg.node_port = 2113;
	cfg.node_host_advertise_as = "node1.example.org";
	cfg.node_port_advertise_as = 443;
	cfg.replication_ip = "10.0.0.11";
	cfg.replication_port = 1112;
	cfg.node_tcp_port = 1113;
	cfg.node_priority = 7;
	cfg.read_only_replica = true;
	cfg.initial_state = "PreReplica";
	assert_int_equal(
	    cluster_self_from_config(&cfg, T0, &m, err, sizeof(err)), 0);
	assert_string_equal(m.http_ip, "node1.example.org");
	assert_int_equal(m.http_port, 443);
	assert_string_equal(m.internal_http_ip, "node1.example.org");
	assert_int_equal(m.internal_http_port, 443);
	assert_string_equal(m.internal_tcp_ip, "10.0.0.11");
	assert_int_equal(m.internal_tcp_port, 0);
	assert_int_equal(m.internal_secure_tcp_port, 1112);
	assert_string_equal(m.external_tcp_ip, "node1.example.org");
	assert_int_equal(m.external_tcp_port, 0);
	assert_int_equal(m.external_secure_tcp_port, 1113);
	assert_int_equal(m.state, MS_PRE_REPLICA);
	assert_int_equal(m.node_priority, 7);
	assert_true(m.is_read_only_replica);
	assert_true(m.is_alive);
	assert_false(guid_is_zero(&m.instance_id));
	assert_true(guid_is_zero(&m.epoch_id));
	assert_int_equal(m.epoch_number, -1);
	assert_int_equal(m.writer_checkpoint, -1);
	assert_int_equal(m.timestamp, T0);
	assert_string_equal(m.es_version, "gossipd 0.1.0");

	cfg.insecure = true;
	cfg.node_host_advertise_as = NULL;
	cfg.node_port_advertise_as = 0;
	cfg.initial_state = NULL;
	assert_int_equal(
	    cluster_self_from_config(&cfg, T0, &m, err, sizeof(err)), 0);
	assert_string_equal(m.http_ip, "0.0.0.0");
	assert_int_equal(m.http_port, 2113);
	assert_int_equal(m.internal_tcp_port, 1112);
	assert_int_equal(m.internal_secure_tcp_port, 0);
	assert_int_equal(m.external_tcp_port, 1113);
	assert_int_equal(m.external_secure_tcp_port, 0);
	assert_int_equal(m.state, MS_UNKNOWN);

	cfg.initial_state = "Boss";
	assert_int_equal(
	    cluster_self_from_config(&cfg, T0, &m, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "InitialState"));
}

/* ---- suspicion (SWIM/Lifeguard) ---- */

/* A table with suspicion: GossipSuspicionMult 4, minimum 5 s, interval 1 s. */
static struct cluster *
table_susp(void)
{
	struct cluster_params p = {.allowed_skew = SKEW,
				   .dead_removal = DEAD,
				   .suspicion_mult = 4,
				   .suspicion_min = 5 * SEC,
				   .interval = SEC};
	struct member self = mk("127.0.0.1", 2113, MS_FOLLOWER, -1, -1, T0);
	struct cluster *c = cluster_new(&self, &p, record, NULL);

	assert_non_null(c);
	nevents = 0;
	return c;
}

static void
failed_exchange_makes_suspect_then_dead_after_timeout(void **state)
{
	struct cluster *c = table_susp();
	struct cluster_target t = {"127.0.0.2", 2113}, sus[4];

	(void)state;
	relay(c, mk("127.0.0.2", 2113, MS_FOLLOWER, 1, 1, T0));
	assert_int_equal(cluster_suspicion_timeout(c), 5 * SEC);
	cluster_exchange_failed(c, &t, "timed out", T0 + SEC);
	assert_true(entry(c, "127.0.0.2", 2113).is_alive);
	assert_true(cluster_is_suspect(c, &t));
	assert_int_equal(count_events(CE_SUSPECT, "127.0.0.2:2113"), 1);
	assert_string_equal(events[nevents - 1].reason, "timed out");
	assert_int_equal(cluster_suspects(c, sus, 4), 1);
	assert_string_equal(sus[0].host, "127.0.0.2");
	/* Failing again does not restart the clock or log again. */
	cluster_exchange_failed(c, &t, "timed out", T0 + 3 * SEC);
	assert_int_equal(count_events(CE_SUSPECT, NULL), 1);
	cluster_expire(c, T0 + 6 * SEC - 1);
	assert_true(entry(c, "127.0.0.2", 2113).is_alive);
	assert_int_equal(count_events(CE_DEAD, NULL), 0);
	cluster_expire(c, T0 + 6 * SEC);
	assert_false(entry(c, "127.0.0.2", 2113).is_alive);
	assert_false(cluster_is_suspect(c, &t));
	assert_int_equal(count_events(CE_DEAD, "127.0.0.2:2113"), 1);
	assert_non_null(strstr(events[nevents - 1].reason, "timed out"));
	cluster_free(c);
}

static void
suspicion_timeout_scales_with_cluster_size(void **state)
{
	struct cluster *c = table_susp();
	char ip[32];

	(void)state;
	/* 1 + 99 members: 4 * log10(100) * 1 s = 8 s, above the minimum. */
	for (int i = 0; i < 99; i++) {
		snprintf(ip, sizeof(ip), "127.0.1.%d", i + 1);
		relay(c, mk(ip, 2113, MS_FOLLOWER, 1, 1, T0));
	}
	assert_int_equal(cluster_suspicion_timeout(c), 8 * SEC);
	cluster_free(c);
}

/* The log10 of the scale is exact at powers of ten and agrees with libm's
 * elsewhere to the tick: 4 * log10(N) s for N = 20, 50, 101 entries. */
static void
suspicion_timeout_follows_log10_between_powers_of_ten(void **state)
{
	static const struct {
		int entries;
		ticks_t want; /* 4 * log10(entries) * 10^7, truncated (libm) */
	} cases[] = {
	    {20, 52041199},  /* 4 * 1.3010299956639813 */
	    {50, 67958800},  /* 4 * 1.6989700043360187 */
	    {101, 80172854}, /* 4 * 2.0043213737826426 */
	};
	char ip[32];

	(void)state;
	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		struct cluster *c = table_susp();

		for (int i = 0; i < cases[k].entries - 1; i++) {
			snprintf(ip, sizeof(ip), "127.0.1.%d", i + 1);
			relay(c, mk(ip, 2113, MS_FOLLOWER, 1, 1, T0));
		}
		assert_int_equal(cluster_suspicion_timeout(c), cases[k].want);
		cluster_free(c);
	}
}

/* A reload's new parameters apply to the live table (cluster_set_params):
 * the suspicion timeout follows the new minimum and interval. */
static void
set_params_applies_new_timing(void **state)
{
	struct cluster *c = table_susp();
	struct cluster_params p = {.allowed_skew = SKEW,
				   .dead_removal = DEAD,
				   .suspicion_mult = 4,
				   .suspicion_min = 2 * SEC,
				   .interval = 3 * SEC};

	(void)state;
	assert_int_equal(cluster_suspicion_timeout(c), 5 * SEC);
	cluster_set_params(c, &p);
	/* max(2 s, 4 * max(1, log10(1)) * 3 s) = 12 s */
	assert_int_equal(cluster_suspicion_timeout(c), 12 * SEC);
	p.suspicion_min = 20 * SEC;
	cluster_set_params(c, &p);
	assert_int_equal(cluster_suspicion_timeout(c), 20 * SEC);
	cluster_free(c);
}

static void
suspect_cleared_by_exchange_own_entry_or_newer_copy(void **state)
{
	struct cluster *c = table_susp();
	struct cluster_target t = {"127.0.0.2", 2113};
	struct cluster_doc empty = doc_of("127.0.0.2", 2113, NULL, 0);
	struct member m = mk("127.0.0.2", 2113, MS_FOLLOWER, 1, 1, T0);
	struct cluster_doc own = doc_of("127.0.0.2", 2113, &m, 1);
	struct cluster_doc relayed = doc_of("127.0.0.3", 2113, &m, 1);

	(void)state;
	cluster_merge(c, &own, NULL, T0);
	/* An exchange that succeeds. */
	cluster_exchange_failed(c, &t, "timed out", T0 + SEC);
	cluster_merge(c, &empty, &t, T0 + 2 * SEC);
	assert_false(cluster_is_suspect(c, &t));
	assert_int_equal(count_events(CE_UNSUSPECT, "127.0.0.2:2113"), 1);
	/* Its own entry, sent by itself. */
	cluster_exchange_failed(c, &t, "timed out", T0 + 3 * SEC);
	m.timestamp = T0 + 3 * SEC;
	cluster_merge(c, &own, NULL, T0 + 3 * SEC);
	assert_false(cluster_is_suspect(c, &t));
	assert_int_equal(count_events(CE_UNSUSPECT, "127.0.0.2:2113"), 2);
	/* A relayed copy written before the suspicion began: no. */
	cluster_exchange_failed(c, &t, "timed out", T0 + 5 * SEC);
	m.timestamp = T0 + 4 * SEC;
	cluster_merge(c, &relayed, NULL, T0 + 5 * SEC);
	assert_true(cluster_is_suspect(c, &t));
	/* A relayed copy it wrote after: its refutation, alive again. */
	m.timestamp = T0 + 6 * SEC;
	cluster_merge(c, &relayed, NULL, T0 + 6 * SEC);
	assert_false(cluster_is_suspect(c, &t));
	assert_true(entry(c, "127.0.0.2", 2113).is_alive);
	assert_int_equal(count_events(CE_UNSUSPECT, "127.0.0.2:2113"), 3);
	cluster_expire(c, T0 + 60 * SEC);
	assert_true(entry(c, "127.0.0.2", 2113).is_alive);
	assert_int_equal(count_events(CE_DEAD, NULL), 0);
	cluster_free(c);
}

static void
relayed_death_confirms_suspicion_or_starts_one(void **state)
{
	struct cluster *c = table_susp();
	struct cluster_target t2 = {"127.0.0.2", 2113},
			      t4 = {"127.0.0.4", 2113};
	struct member m2 = mk("127.0.0.2", 2113, MS_FOLLOWER, 1, 1, T0);
	struct member m4 = mk("127.0.0.4", 2113, MS_FOLLOWER, 1, 1, T0);
	struct cluster_doc d;

	(void)state;
	relay(c, m2);
	d = doc_of("127.0.0.3", 2113, &m4, 1);
	cluster_merge(c, &d, NULL, T0);
	/* Suspect here, and another node found it dead: dead now. */
	cluster_exchange_failed(c, &t2, "timed out", T0 + SEC);
	m2.is_alive = false;
	m2.timestamp = T0 + 2 * SEC;
	relay(c, m2);
	assert_false(entry(c, "127.0.0.2", 2113).is_alive);
	assert_int_equal(count_events(CE_DEAD, "127.0.0.2:2113"), 1);
	/* Alive here, another node says dead: only suspect (our clock). */
	m4.is_alive = false;
	m4.timestamp = T0 + 2 * SEC;
	cluster_merge(c, &d, NULL, T0 + 2 * SEC);
	assert_true(entry(c, "127.0.0.4", 2113).is_alive);
	assert_true(cluster_is_suspect(c, &t4));
	assert_int_equal(count_events(CE_DEAD, "127.0.0.4:2113"), 0);
	/* Reported dead, and our own exchange fails too: dead now. */
	cluster_exchange_failed(c, &t4, "connect: refused", T0 + 3 * SEC);
	assert_false(entry(c, "127.0.0.4", 2113).is_alive);
	assert_int_equal(count_events(CE_DEAD, "127.0.0.4:2113"), 1);
	cluster_free(c);
}

/* A member that died on a relayed report and came back starts its next
 * suspicion clean: one failed exchange is only suspicion, dead after the
 * timeout, not at once on the old report. */
static void
death_report_does_not_outlive_the_death(void **state)
{
	struct cluster *c = table_susp();
	struct cluster_target t = {"127.0.0.2", 2113};
	struct member m = mk("127.0.0.2", 2113, MS_FOLLOWER, 1, 1, T0);
	struct cluster_doc own = doc_of("127.0.0.2", 2113, &m, 1);
	struct member r;

	(void)state;
	relay(c, m);
	/* Another node says dead, our exchange fails too: dead. */
	r = m;
	r.is_alive = false;
	r.timestamp = T0 + SEC;
	relay(c, r);
	assert_true(cluster_is_suspect(c, &t));
	cluster_exchange_failed(c, &t, "timed out", T0 + 2 * SEC);
	assert_false(entry(c, "127.0.0.2", 2113).is_alive);
	assert_int_equal(count_events(CE_DEAD, "127.0.0.2:2113"), 1);
	/* It comes back: its own entry. */
	m.timestamp = T0 + 10 * SEC;
	cluster_merge(c, &own, NULL, T0 + 10 * SEC);
	assert_true(entry(c, "127.0.0.2", 2113).is_alive);
	assert_false(cluster_is_suspect(c, &t));
	/* One failed exchange: suspect only, until the timeout (5 s). */
	cluster_exchange_failed(c, &t, "timed out", T0 + 20 * SEC);
	assert_true(cluster_is_suspect(c, &t));
	assert_true(entry(c, "127.0.0.2", 2113).is_alive);
	cluster_exchange_failed(c, &t, "timed out", T0 + 21 * SEC);
	assert_true(entry(c, "127.0.0.2", 2113).is_alive);
	cluster_expire(c, T0 + 25 * SEC - 1);
	assert_true(entry(c, "127.0.0.2", 2113).is_alive);
	assert_int_equal(count_events(CE_DEAD, "127.0.0.2:2113"), 1);
	cluster_expire(c, T0 + 25 * SEC);
	assert_false(entry(c, "127.0.0.2", 2113).is_alive);
	assert_int_equal(count_events(CE_DEAD, "127.0.0.2:2113"), 2);
	cluster_free(c);
}

static void
helpers_are_alive_members_other_than_the_suspect(void **state)
{
	struct cluster *c = table_susp();
	struct cluster_target t2 = {"127.0.0.2", 2113},
			      t3 = {"127.0.0.3", 2113}, out[8];
	unsigned rng = 1;
	size_t n;

	(void)state;
	relay(c, mk("127.0.0.2", 2113, MS_FOLLOWER, 1, 1, T0));
	relay(c, mk("127.0.0.3", 2113, MS_FOLLOWER, 1, 1, T0));
	relay(c, mk("127.0.0.4", 2113, MS_FOLLOWER, 1, 1, T0));
	relay(c, mk("127.0.0.5", 2113, MS_FOLLOWER, 1, 1, T0));
	cluster_exchange_failed(c, &t2, "timed out", T0);
	cluster_exchange_failed(c, &t3, "timed out", T0);
	n = cluster_pick_helpers(c, &t2, &rng, out, 8);
	assert_int_equal(n, 2); /* .4 and .5: not .2 itself, not suspect .3 */
	for (size_t i = 0; i < n; i++) {
		assert_true(strcmp(out[i].host, "127.0.0.4") == 0 ||
			    strcmp(out[i].host, "127.0.0.5") == 0);
	}
	assert_int_equal(cluster_pick_helpers(c, &t2, &rng, out, 1), 1);
	cluster_free(c);
}

static void
removal_sticks_against_relayed_copies(void **state)
{
	struct cluster *c = table(0), *c2 = table(0);
	struct cluster_target t = {"127.0.0.2", 2113};
	struct member m = mk("127.0.0.2", 2113, MS_FOLLOWER, 1, 1, T0);
	struct cluster_removal r[4];

	(void)state;
	relay(c, m);
	relay(c2, m);
	/* Alive: only with force. Unknown: refused. */
	assert_int_equal(cluster_remove(c, &t, false, T0), CR_ALIVE);
	assert_true(has_entry(c, "127.0.0.2", 2113));
	assert_int_equal(
	    cluster_remove(c, &(struct cluster_target){"127.0.0.9", 1}, true,
			   T0),
	    CR_UNKNOWN);
	cluster_exchange_failed(c, &t, "refused", T0); /* dead: no suspicion */
	nevents = 0;
	assert_int_equal(cluster_remove(c, &t, false, T0 + SEC), CR_REMOVED);
	assert_false(has_entry(c, "127.0.0.2", 2113));
	assert_int_equal(count_events(CE_FORGOTTEN, "127.0.0.2:2113"), 1);
	/* A relayed copy, even a newer one, does not bring it back. */
	m.timestamp = T0 + 2 * SEC;
	relay(c, m);
	assert_false(has_entry(c, "127.0.0.2", 2113));
	/* The record, handed to another table, removes it there too. */
	assert_int_equal(cluster_removals(c, T0 + SEC, r, 4), 1);
	cluster_apply_removal(c2, &r[0], T0 + 2 * SEC);
	assert_false(has_entry(c2, "127.0.0.2", 2113));
	relay(c2, m);
	assert_false(has_entry(c2, "127.0.0.2", 2113));
	/* A restart (new instanceId) comes back. */
	m.instance_id.b[5] = 9;
	relay(c, m);
	assert_true(has_entry(c, "127.0.0.2", 2113));
	/* The record ends after the removal period. */
	cluster_expire(c2, T0 + SEC + DEAD);
	assert_int_equal(cluster_removals(c2, T0 + SEC + DEAD, r, 4), 0);
	cluster_free(c);
	cluster_free(c2);
}

static void
full_table_makes_room_with_dead_entries(void **state)
{
	struct cluster *c = table(2);
	struct cluster_target t3 = {"127.0.0.3", 2113};
	struct gossip_seed seed = {"127.0.0.9", 2113};
	struct member m;

	(void)state;
	cluster_set_seeds(c, &seed, 1, T0);
	relay(c, mk("127.0.0.2", 2113, MS_FOLLOWER, 1, 1, T0));
	relay(c, mk("127.0.0.3", 2113, MS_FOLLOWER, 1, 1, T0));
	/* Full: the placeholder makes room first (not in the document). */
	assert_int_equal(n_entries(c), 3);
	assert_false(has_entry(c, "127.0.0.9", 2113));
	/* Full of live members: a live newcomer is refused, said, counted. */
	relay(c, mk("127.0.0.4", 2113, MS_FOLLOWER, 1, 1, T0));
	assert_false(has_entry(c, "127.0.0.4", 2113));
	assert_int_equal(count_events(CE_TABLE_FULL, "127.0.0.4:2113"), 1);
	assert_int_equal(cluster_full_refusals(c), 1);
	/* A dead entry makes room for the live newcomer. */
	cluster_exchange_failed(c, &t3, "refused", T0 + SEC);
	relay(c, mk("127.0.0.4", 2113, MS_FOLLOWER, 1, 1, T0 + 2 * SEC));
	assert_true(has_entry(c, "127.0.0.4", 2113));
	assert_true(entry(c, "127.0.0.4", 2113).is_alive);
	assert_false(has_entry(c, "127.0.0.3", 2113));
	assert_int_equal(count_events(CE_EVICTED, "127.0.0.3:2113"), 1);
	/* A dead newcomer never pushes anyone out, and is not counted. */
	m = mk("127.0.0.5", 2113, MS_FOLLOWER, 1, 1, T0 + 2 * SEC);
	m.is_alive = false;
	relay(c, m);
	assert_false(has_entry(c, "127.0.0.5", 2113));
	assert_int_equal(cluster_full_refusals(c), 1);
	cluster_free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(set_params_applies_new_timing),
	    cmocka_unit_test(merge_never_touches_own_entry),
	    cmocka_unit_test(merge_takes_sender_self_entry_as_is),
	    cmocka_unit_test(merge_adds_unknown_member),
	    cmocka_unit_test(merge_prefers_higher_epoch_number),
	    cmocka_unit_test(merge_then_prefers_higher_writer_checkpoint),
	    cmocka_unit_test(merge_then_prefers_later_timestamp),
	    cmocka_unit_test(merge_ignores_other_nodes_placeholders),
	    cmocka_unit_test(seed_shows_as_placeholder),
	    cmocka_unit_test(
		placeholder_replaced_by_responder_under_another_name),
	    cmocka_unit_test(placeholder_returns_after_its_member_is_removed),
	    cmocka_unit_test(failed_exchange_marks_dead_once),
	    cmocka_unit_test(newer_self_entry_marks_alive_again),
	    cmocka_unit_test(relayed_entries_never_change_liveness),
	    cmocka_unit_test(successful_exchange_marks_alive_again),
	    cmocka_unit_test(dead_member_removed_after_period),
	    cmocka_unit_test(clock_skew_detected_on_sender_self_entry),
	    cmocka_unit_test(restart_replaces_entry_without_duplicate),
	    cmocka_unit_test(document_ordered_by_endpoint_and_cached),
	    cmocka_unit_test(document_refreshes_stale_self_timestamp),
	    cmocka_unit_test(targets_exclude_self_and_include_placeholders),
	    cmocka_unit_test(count_by_state_and_liveness),
	    cmocka_unit_test(update_self_reports_state_change),
	    cmocka_unit_test(table_is_bounded),
	    cmocka_unit_test(self_entry_from_config),
	    cmocka_unit_test(
		failed_exchange_makes_suspect_then_dead_after_timeout),
	    cmocka_unit_test(suspicion_timeout_scales_with_cluster_size),
	    cmocka_unit_test(
		suspicion_timeout_follows_log10_between_powers_of_ten),
	    cmocka_unit_test(
		suspect_cleared_by_exchange_own_entry_or_newer_copy),
	    cmocka_unit_test(relayed_death_confirms_suspicion_or_starts_one),
	    cmocka_unit_test(death_report_does_not_outlive_the_death),
	    cmocka_unit_test(helpers_are_alive_members_other_than_the_suspect),
	    cmocka_unit_test(removal_sticks_against_relayed_copies),
	    cmocka_unit_test(full_table_makes_room_with_dead_entries),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
