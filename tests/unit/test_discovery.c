/*
 * Unit tests for common/discovery.c: which members a client may choose,
 * how the preference ranks them, and the discovery loop over seeds, all
 * driven by documents decoded with gossip_json_decode and a fixed
 * sequence of random numbers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "discovery.h"
#include "gossip_json.h"

/* ---- helpers ---- */

/* A counter-based generator: deterministic, and every value differs. */
struct seq_rng {
	uint32_t state;
};

static uint32_t
seq_next(void *ctx)
{
	struct seq_rng *s = ctx;

	/* xorshift32: never 0 when seeded non-zero */
	s->state ^= s->state << 13;
	s->state ^= s->state >> 17;
	s->state ^= s->state << 5;
	return s->state;
}

static struct discovery_rng
rng_from(struct seq_rng *s, uint32_t seed)
{
	struct discovery_rng r = {seq_next, s};

	s->state = seed != 0 ? seed : 1;
	return r;
}

/* One member as JSON, with every field the spec requires. */
static void
member_json(char *buf, size_t len, const char *host, int port,
	    const char *state, int alive)
{
	snprintf(buf, len,
		 "{\"instanceId\":\"5c3b1f6e-2a9d-4a47-9a57-6b0f3f2c9e%02d\","
		 "\"timeStamp\":\"2026-11-22T10:00:02.4711230Z\","
		 "\"state\":\"%s\",\"isAlive\":%s,"
		 "\"internalTcpIp\":\"%s\",\"internalTcpPort\":0,"
		 "\"internalSecureTcpPort\":1112,"
		 "\"externalTcpIp\":\"%s\",\"externalTcpPort\":0,"
		 "\"externalSecureTcpPort\":0,"
		 "\"internalHttpEndPointIp\":\"%s\","
		 "\"internalHttpEndPointPort\":%d,"
		 "\"httpEndPointIp\":\"%s\",\"httpEndPointPort\":%d,"
		 "\"lastCommitPosition\":4151,\"writerCheckpoint\":4267,"
		 "\"chaserCheckpoint\":4267,\"epochPosition\":3510,"
		 "\"epochNumber\":6,"
		 "\"epochId\":\"37341e58-67a6-4b76-a5f9-4cba7b329d93\","
		 "\"nodePriority\":0,\"isReadOnlyReplica\":false,"
		 "\"esVersion\":\"gossipd 0.1.0\"}",
		 port % 100, state, alive ? "true" : "false", host, host, host,
		 port, host, port);
}

struct m_spec {
	const char *host;
	int port;
	const char *state;
	int alive;
};

/* A whole document, answered by ms[0]; returns a malloc'd string. */
static char *
doc_json(const struct m_spec *ms, size_t n)
{
	size_t cap = 512 + n * 1200, i;
	char *buf = malloc(cap), one[1200];

	assert_non_null(buf);
	snprintf(buf, cap, "{\"members\":[");
	for (i = 0; i < n; i++) {
		member_json(one, sizeof(one), ms[i].host, ms[i].port,
			    ms[i].state, ms[i].alive);
		if (i > 0)
			strcat(buf, ",");
		strcat(buf, one);
	}
	/* the answering node is the first member listed */
	snprintf(buf + strlen(buf), cap - strlen(buf),
		 "],\"serverIp\":\"%s\",\"serverPort\":%d}",
		 n > 0 ? ms[0].host : "127.0.0.1", n > 0 ? ms[0].port : 2113);
	return buf;
}

static void
decode_or_fail(const char *json, struct cluster_doc *doc)
{
	char err[256];

	if (gossip_json_decode(json, strlen(json), GOSSIP_JSON_MAX_BYTES,
			       GOSSIP_JSON_MAX_MEMBERS, doc, err,
			       sizeof(err)) != 0)
		fail_msg("test document does not decode: %s", err);
}

static void
decode_specs(const struct m_spec *ms, size_t n, struct cluster_doc *doc)
{
	char *json = doc_json(ms, n);

	decode_or_fail(json, doc);
	free(json);
}

/* ---- preference names ---- */

static void
test_pref_names_parse_in_any_case(void **state)
{
	enum discovery_pref p;

	(void)state;
	assert_int_equal(discovery_pref_parse("leader", &p), 0);
	assert_int_equal(p, DP_LEADER);
	assert_int_equal(discovery_pref_parse("Follower", &p), 0);
	assert_int_equal(p, DP_FOLLOWER);
	assert_int_equal(discovery_pref_parse("RANDOM", &p), 0);
	assert_int_equal(p, DP_RANDOM);
	assert_int_equal(discovery_pref_parse("readonlyreplica", &p), 0);
	assert_int_equal(p, DP_READ_ONLY_REPLICA);
	assert_int_equal(discovery_pref_parse("ReadOnlyReplica", &p), 0);
	assert_int_equal(discovery_pref_parse("read-only-replica", &p), 0);
	assert_int_equal(p, DP_READ_ONLY_REPLICA);
	assert_int_equal(discovery_pref_parse("master", &p), -1);
	assert_int_equal(discovery_pref_parse("", &p), -1);
	assert_int_equal(discovery_pref_parse(NULL, &p), -1);
	assert_string_equal(discovery_pref_name(DP_READ_ONLY_REPLICA),
			    "readonlyreplica");
}

/* ---- eligibility: the KurrentDB client's set ---- */

static void
test_only_leader_follower_and_read_only_states_are_eligible(void **state)
{
	int s;

	(void)state;
	for (s = 0; s < MS__COUNT; s++) {
		bool want = s == MS_LEADER || s == MS_FOLLOWER ||
			    s == MS_READ_ONLY_REPLICA ||
			    s == MS_READ_ONLY_LEADERLESS;
		if (discovery_state_eligible((enum member_state)s) != want)
			fail_msg("state %s: eligible should be %d",
				 member_state_name((enum member_state)s), want);
		if (!want)
			assert_int_equal(
			    discovery_rank_of(DP_RANDOM, false,
					      (enum member_state)s),
			    -1);
	}
}

static void
test_rank_orders_follow_the_preference(void **state)
{
	(void)state;
	/* leader: Leader, Follower, ReadOnlyReplica, ReadOnlyLeaderless */
	assert_true(discovery_rank_of(DP_LEADER, false, MS_LEADER) <
		    discovery_rank_of(DP_LEADER, false, MS_FOLLOWER));
	assert_true(discovery_rank_of(DP_LEADER, false, MS_FOLLOWER) <
		    discovery_rank_of(DP_LEADER, false, MS_READ_ONLY_REPLICA));
	assert_true(
	    discovery_rank_of(DP_LEADER, false, MS_READ_ONLY_REPLICA) <
	    discovery_rank_of(DP_LEADER, false, MS_READ_ONLY_LEADERLESS));
	/* follower: Follower, ReadOnlyReplica, ReadOnlyLeaderless; never
	 * the leader */
	assert_true(
	    discovery_rank_of(DP_FOLLOWER, false, MS_FOLLOWER) <
	    discovery_rank_of(DP_FOLLOWER, false, MS_READ_ONLY_REPLICA));
	assert_true(
	    discovery_rank_of(DP_FOLLOWER, false, MS_READ_ONLY_REPLICA) <
	    discovery_rank_of(DP_FOLLOWER, false, MS_READ_ONLY_LEADERLESS));
	assert_int_equal(discovery_rank_of(DP_FOLLOWER, false, MS_LEADER), -1);
	/* readonlyreplica: ROR, ROLeaderless, Leader, Follower */
	assert_true(discovery_rank_of(DP_READ_ONLY_REPLICA, false,
				      MS_READ_ONLY_REPLICA) <
		    discovery_rank_of(DP_READ_ONLY_REPLICA, false,
				      MS_READ_ONLY_LEADERLESS));
	assert_true(discovery_rank_of(DP_READ_ONLY_REPLICA, false,
				      MS_READ_ONLY_LEADERLESS) <
		    discovery_rank_of(DP_READ_ONLY_REPLICA, false, MS_LEADER));
	assert_true(
	    discovery_rank_of(DP_READ_ONLY_REPLICA, false, MS_LEADER) <
	    discovery_rank_of(DP_READ_ONLY_REPLICA, false, MS_FOLLOWER));
	/* random: all eligible equal */
	assert_int_equal(discovery_rank_of(DP_RANDOM, false, MS_LEADER),
			 discovery_rank_of(DP_RANDOM, false, MS_FOLLOWER));
	/* strict: only the preferred state itself */
	assert_int_equal(discovery_rank_of(DP_FOLLOWER, true, MS_LEADER), -1);
	assert_int_equal(discovery_rank_of(DP_LEADER, true, MS_FOLLOWER), -1);
	assert_true(discovery_rank_of(DP_LEADER, true, MS_LEADER) >= 0);
	assert_true(discovery_rank_of(DP_RANDOM, true, MS_FOLLOWER) >= 0);
}

/* ---- selection over documents ---- */

struct select_case {
	const char *name;
	struct m_spec members[5];
	size_t n;
	enum discovery_pref pref;
	bool strict;
	/* the endpoints that may be chosen ("" = none), and err words */
	const char *allowed[4];
	const char *err_has;
};

static const struct select_case select_cases[] = {
    {"leader preferred",
     {{"127.0.0.1", 2113, "Follower", 1},
      {"127.0.0.1", 2114, "Leader", 1},
      {"127.0.0.1", 2115, "Follower", 1}},
     3,
     DP_LEADER,
     false,
     {"127.0.0.1:2114"},
     NULL},
    {"dead leader: a follower instead",
     {{"127.0.0.1", 2113, "Follower", 1},
      {"127.0.0.1", 2114, "Leader", 0},
      {"127.0.0.1", 2115, "Follower", 1}},
     3,
     DP_LEADER,
     false,
     {"127.0.0.1:2113", "127.0.0.1:2115"},
     NULL},
    {"follower preferred: never the leader while followers live",
     {{"127.0.0.1", 2113, "Leader", 1},
      {"127.0.0.1", 2114, "Follower", 1},
      {"127.0.0.1", 2115, "Follower", 1}},
     3,
     DP_FOLLOWER,
     false,
     {"127.0.0.1:2114", "127.0.0.1:2115"},
     NULL},
    {"follower preferred, none alive: never the leader",
     {{"127.0.0.1", 2113, "Leader", 1},
      {"127.0.0.1", 2114, "Follower", 0},
      {"127.0.0.1", 2115, "CatchingUp", 1}},
     3,
     DP_FOLLOWER,
     false,
     {""},
     "127.0.0.1:2113 is Leader, not Follower"},
    {"follower preferred, none alive: a read-only replica",
     {{"127.0.0.1", 2113, "Leader", 1},
      {"127.0.0.1", 2114, "Follower", 0},
      {"127.0.0.1", 2115, "ReadOnlyReplica", 1}},
     3,
     DP_FOLLOWER,
     false,
     {"127.0.0.1:2115"},
     NULL},
    {"strict follower: the leader is refused",
     {{"127.0.0.1", 2113, "Leader", 1}, {"127.0.0.1", 2114, "Follower", 0}},
     2,
     DP_FOLLOWER,
     true,
     {""},
     "127.0.0.1:2113 is Leader, not Follower"},
    {"only Manager placeholders",
     {{"127.0.0.1", 2113, "Manager", 1}, {"127.0.0.1", 2114, "Manager", 1}},
     2,
     DP_LEADER,
     false,
     {""},
     "127.0.0.1:2114 is Manager"},
    {"old names: Master is the leader",
     {{"127.0.0.1", 2113, "Slave", 1}, {"127.0.0.1", 2114, "Master", 1}},
     2,
     DP_LEADER,
     false,
     {"127.0.0.1:2114"},
     NULL},
    {"old names: Slave is a follower",
     {{"127.0.0.1", 2113, "Slave", 1}, {"127.0.0.1", 2114, "Master", 1}},
     2,
     DP_FOLLOWER,
     false,
     {"127.0.0.1:2113"},
     NULL},
    {"transitional states are never chosen",
     {{"127.0.0.1", 2113, "PreLeader", 1},
      {"127.0.0.1", 2114, "PreReadOnlyReplica", 1},
      {"127.0.0.1", 2115, "ResigningLeader", 1},
      {"127.0.0.1", 2116, "ShuttingDown", 1},
      {"127.0.0.1", 2117, "Clone", 1}},
     5,
     DP_RANDOM,
     false,
     {""},
     "127.0.0.1:2114 is PreReadOnlyReplica"},
    {"dead members are named as such",
     {{"127.0.0.1", 2113, "Leader", 0}},
     1,
     DP_LEADER,
     false,
     {""},
     "127.0.0.1:2113 is not alive (Leader)"},
    {"read-only replica preferred",
     {{"127.0.0.1", 2113, "Leader", 1},
      {"127.0.0.1", 2114, "ReadOnlyReplica", 1},
      {"127.0.0.1", 2115, "Follower", 1}},
     3,
     DP_READ_ONLY_REPLICA,
     false,
     {"127.0.0.1:2114"},
     NULL},
    {"read-only preferred, leaderless replica next",
     {{"127.0.0.1", 2113, "Leader", 1},
      {"127.0.0.1", 2114, "ReadOnlyLeaderless", 1},
      {"127.0.0.1", 2115, "Follower", 1}},
     3,
     DP_READ_ONLY_REPLICA,
     false,
     {"127.0.0.1:2114"},
     NULL},
    {"read-only preferred, no replica: the leader",
     {{"127.0.0.1", 2113, "Follower", 1},
      {"127.0.0.1", 2114, "Leader", 1},
      {"127.0.0.1", 2115, "ReadOnlyReplica", 0}},
     3,
     DP_READ_ONLY_REPLICA,
     false,
     {"127.0.0.1:2114"},
     NULL},
    {"random: any eligible member, none else",
     {{"127.0.0.1", 2113, "Leader", 1},
      {"127.0.0.1", 2114, "Manager", 1},
      {"127.0.0.1", 2115, "Follower", 1},
      {"127.0.0.1", 2116, "Follower", 0}},
     4,
     DP_RANDOM,
     false,
     {"127.0.0.1:2113", "127.0.0.1:2115"},
     NULL},
    {"empty document",
     {{NULL, 0, NULL, 0}},
     0,
     DP_LEADER,
     false,
     {""},
     "no members"},
};

static bool
allowed(const struct select_case *c, const char *ep)
{
	size_t i;

	for (i = 0; i < 4 && c->allowed[i] != NULL; i++)
		if (strcmp(c->allowed[i], ep) == 0)
			return true;
	return false;
}

static void
test_select_table(void **state)
{
	size_t ci;
	uint32_t seed;

	(void)state;
	for (ci = 0; ci < sizeof(select_cases) / sizeof(select_cases[0]);
	     ci++) {
		const struct select_case *c = &select_cases[ci];
		struct cluster_doc doc = {0};
		bool seen[4] = {false};
		size_t i, n_allowed = 0;

		decode_specs(c->members, c->n, &doc);
		while (n_allowed < 4 && c->allowed[n_allowed] != NULL)
			n_allowed++;
		/* 64 different random sequences: the rules must hold each */
		for (seed = 1; seed <= 64; seed++) {
			struct seq_rng s;
			struct discovery_rng rng = rng_from(&s, seed * 7919);
			char err[512] = "", ep[DISCOVERY_ENDPOINT_MAX];
			int pick = discovery_select(&doc, c->pref, c->strict,
						    &rng, err, sizeof(err));

			if (c->allowed[0][0] == '\0') {
				if (pick != -1)
					fail_msg("%s: chose member %d", c->name,
						 pick);
				if (strstr(err, c->err_has) == NULL)
					fail_msg("%s: reason \"%s\" lacks "
						 "\"%s\"",
						 c->name, err, c->err_has);
				continue;
			}
			if (pick < 0)
				fail_msg("%s: nothing chosen: %s", c->name,
					 err);
			discovery_format_endpoint(doc.members[pick].http_ip,
						  doc.members[pick].http_port,
						  ep, sizeof(ep));
			if (!allowed(c, ep))
				fail_msg("%s: chose %s", c->name, ep);
			for (i = 0; i < n_allowed; i++)
				if (strcmp(c->allowed[i], ep) == 0)
					seen[i] = true;
		}
		/* ties are broken at random: each tied member comes up */
		for (i = 0; i < n_allowed && c->allowed[0][0] != '\0'; i++)
			if (!seen[i])
				fail_msg("%s: %s never chosen in 64 draws",
					 c->name, c->allowed[i]);
		cluster_doc_free(&doc);
	}
}

/* ---- responses ---- */

static void
test_parse_response_refuses_errors_and_malformed_documents(void **state)
{
	static const char *bad[] = {
	    "",
	    "not json",
	    ("{\"members\":[{\"state\":\"Leader\"}],\"serverIp\":\"x\","
	     "\"serverPort\":1}"),
	    "{\"members\":[],\"serverIp\":\"127.0.0.1\"}",
	    "[1,2,3]",
	};
	struct m_spec one = {"127.0.0.1", 2113, "Leader", 1};
	struct cluster_doc doc = {0};
	char err[256], *json;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		assert_int_equal(discovery_parse_response(
				     200, "application/json", bad[i],
				     strlen(bad[i]), GOSSIP_JSON_MAX_BYTES,
				     &doc, err, sizeof(err)),
				 -1);
		if (strstr(err, "invalid gossip document") == NULL)
			fail_msg("case %zu: reason \"%s\"", i, err);
	}
	/* an unknown state name makes the whole document invalid */
	json = doc_json(&one, 1);
	memcpy(strstr(json, "\"Leader\""), "\"Leaderx", 8);
	assert_int_equal(discovery_parse_response(200, NULL, json, strlen(json),
						  1 << 20, &doc, err,
						  sizeof(err)),
			 -1);
	free(json);

	json = doc_json(&one, 1);
	assert_int_equal(discovery_parse_response(503, "application/json", json,
						  strlen(json), 1 << 20, &doc,
						  err, sizeof(err)),
			 -1);
	assert_string_equal(err, "HTTP 503 from GET /gossip");
	assert_int_equal(discovery_parse_response(200, "text/html", json,
						  strlen(json), 1 << 20, &doc,
						  err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "text/html"));
	/* a bound smaller than the document refuses it */
	assert_int_equal(discovery_parse_response(200, "application/json", json,
						  strlen(json), 100, &doc, err,
						  sizeof(err)),
			 -1);
	assert_int_equal(discovery_parse_response(
			     200, "application/json; charset=utf-8", json,
			     strlen(json), 1 << 20, &doc, err, sizeof(err)),
			 0);
	assert_int_equal(doc.n, 1);
	assert_int_equal(doc.members[0].state, MS_LEADER);
	cluster_doc_free(&doc);
	free(json);
}

/* ---- randomness ---- */

static void
test_shuffle_is_a_permutation_and_varies(void **state)
{
	struct seq_rng s;
	struct discovery_rng rng = rng_from(&s, 12345);
	int a[8], count[8], first_seen[8] = {0};
	int i, round;

	(void)state;
	for (round = 0; round < 200; round++) {
		for (i = 0; i < 8; i++)
			a[i] = i;
		discovery_shuffle(a, 8, sizeof(a[0]), &rng);
		memset(count, 0, sizeof(count));
		for (i = 0; i < 8; i++)
			count[a[i]]++;
		for (i = 0; i < 8; i++)
			assert_int_equal(count[i], 1);
		first_seen[a[0]] = 1;
	}
	for (i = 0; i < 8; i++)
		assert_int_equal(first_seen[i], 1);
	for (i = 0; i < 1000; i++)
		assert_true(discovery_rng_below(&rng, 3) < 3);
	assert_int_equal(discovery_rng_below(&rng, 1), 0);
}

static void
test_endpoints_bracket_ipv6(void **state)
{
	char buf[DISCOVERY_ENDPOINT_MAX];

	(void)state;
	discovery_format_endpoint("::1", 2113, buf, sizeof(buf));
	assert_string_equal(buf, "[::1]:2113");
	discovery_format_endpoint("node1.example.org", 2113, buf, sizeof(buf));
	assert_string_equal(buf, "node1.example.org:2113");
}

static void
test_ages_read_like_a_person_would_say_them(void **state)
{
	static const struct {
		int64_t secs;
		const char *want;
	} cases[] = {
	    {0, "now"},		 {1, "1s ago"},	      {59, "59s ago"},
	    {65, "1m05s ago"},	 {3600, "1h00m ago"}, {3725, "1h02m ago"},
	    {90000, "1d1h ago"}, {-3, "in 3s"},
	};
	ticks_t now = 1800000000LL * TICKS_PER_SEC;
	char buf[32];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		discovery_format_age(now - cases[i].secs * TICKS_PER_SEC, now,
				     buf, sizeof(buf));
		assert_string_equal(buf, cases[i].want);
	}
	discovery_format_age(now - TICKS_PER_SEC / 2, now, buf, sizeof(buf));
	assert_string_equal(buf, "now");
}

/* ---- KurrentDB connection strings ---- */

static void
test_connection_strings_give_seeds_and_settings(void **state)
{
	struct discovery_uri *u = calloc(1, sizeof(*u));
	char err[256];

	(void)state;
	assert_non_null(u);
	assert_int_equal(
	    discovery_uri_parse("esdb://admin:changeit@node1:2113,"
				"127.0.0.1,[::1]:2115,::1?tls=true&"
				"NODEPREFERENCE=readOnlyReplica&"
				"tlsVerifyCert=false&tlsCAFile=%2Fetc%2Fca."
				"crt&maxDiscoverAttempts=3&"
				"discoveryInterval=0&gossipTimeout=250&"
				"connectionName=app",
				u, err, sizeof(err)),
	    0);
	assert_int_equal(u->n_seeds, 4);
	assert_string_equal(u->seeds[0].host, "node1");
	assert_int_equal(u->seeds[0].port, 2113);
	assert_string_equal(u->seeds[1].host, "127.0.0.1");
	assert_int_equal(u->seeds[1].port, 2113);
	assert_string_equal(u->seeds[2].host, "::1");
	assert_int_equal(u->seeds[2].port, 2115);
	assert_string_equal(u->seeds[3].host, "::1");
	assert_int_equal(u->seeds[3].port, 2113);
	assert_false(u->dns_discover);
	assert_true(u->tls);
	assert_false(u->tls_verify);
	assert_true(u->have_pref);
	assert_int_equal(u->pref, DP_READ_ONLY_REPLICA);
	assert_string_equal(u->ca_file, "/etc/ca.crt");
	assert_int_equal(u->attempts, 3);
	assert_true(u->have_delay);
	assert_int_equal(u->delay_ms, 0);
	assert_int_equal(u->timeout_ms, 250);

	assert_int_equal(discovery_uri_parse("kurrentdb+discover://cluster."
					     "example.org:2113/?tls=false",
					     u, err, sizeof(err)),
			 0);
	assert_true(u->dns_discover);
	assert_false(u->tls);
	assert_int_equal(u->n_seeds, 1);
	assert_string_equal(u->seeds[0].host, "cluster.example.org");
	assert_false(u->have_pref);
	assert_int_equal(u->attempts, 0);
	assert_true(u->tls_verify);
	free(u);
}

static void
test_bad_connection_strings_are_refused_without_echo(void **state)
{
	static const struct {
		const char *s;
		const char *err_has;
	} bad[] = {
	    {"http://node1:2113", "expected esdb://"},
	    {"esdb:/node1", "expected esdb://"},
	    {"esdb://", "host"},
	    {"esdb://a,,b", "empty"},
	    {"esdb://node1?tls=maybe", "bad value for tls"},
	    {"esdb://node1?nodePreference=master", "nodePreference"},
	    {"esdb://node1?maxDiscoverAttempts=0", "maxDiscoverAttempts"},
	    {"esdb://node1?frobnicate=1", "unknown setting \"frobnicate\""},
	    {"esdb://node1?tls", "key=value"},
	    {"esdb://node1?tlsCAFile=%2", "key=value"},
	    {"esdb://node1?tlsCAFile=%00x", "key=value"},
	    {"esdb://u:s3cret@node1?tls=no", "bad value for tls"},
	    {"esdb://node1:99999", "port"},
	};
	struct discovery_uri *u = calloc(1, sizeof(*u));
	char err[256];
	size_t i;

	(void)state;
	assert_non_null(u);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		if (discovery_uri_parse(bad[i].s, u, err, sizeof(err)) != -1)
			fail_msg("accepted %s", bad[i].s);
		if (strstr(err, bad[i].err_has) == NULL)
			fail_msg("%s: reason \"%s\" lacks \"%s\"", bad[i].s,
				 err, bad[i].err_has);
		if (strstr(err, "s3cret") != NULL)
			fail_msg("%s: the password is in the reason", bad[i].s);
	}
	free(u);
}

/* ---- the loop, over a scripted network and a fake clock ---- */

enum behaviour { B_REFUSE, B_TIMEOUT, B_DOC };

struct peer {
	const char *host;
	int port;
	enum behaviour b;
	const char *json; /* for B_DOC */
};

struct fake_net {
	const struct peer *peers;
	size_t n_peers;
	int64_t now;
	int fetches, sleeps, slept_ms, max_timeout_seen;
	char log[1024];	  /* "host:port " per fetch */
	char trace[8192]; /* the trace lines, cut when full */
};

static int
fake_fetch(void *ctx, const char *host, int port, int timeout_ms,
	   struct cluster_doc *doc, char *err, size_t errlen)
{
	struct fake_net *f = ctx;
	size_t i;

	f->fetches++;
	if (timeout_ms > f->max_timeout_seen)
		f->max_timeout_seen = timeout_ms;
	snprintf(f->log + strlen(f->log), sizeof(f->log) - strlen(f->log),
		 "%s:%d ", host, port);
	for (i = 0; i < f->n_peers; i++) {
		const struct peer *p = &f->peers[i];

		if (strcmp(p->host, host) != 0 || p->port != port)
			continue;
		switch (p->b) {
		case B_REFUSE:
			f->now += 1;
			snprintf(err, errlen, "connect: Connection refused");
			return -1;
		case B_TIMEOUT:
			f->now += timeout_ms;
			snprintf(err, errlen, "timed out after %d ms",
				 timeout_ms);
			return -1;
		case B_DOC:
			f->now += 2;
			return discovery_parse_response(
			    200, "application/json", p->json, strlen(p->json),
			    GOSSIP_JSON_MAX_BYTES, doc, err, errlen);
		}
	}
	f->now += 1;
	snprintf(err, errlen, "connect: No route to host");
	return -1;
}

static void
fake_sleep(void *ctx, int ms)
{
	struct fake_net *f = ctx;

	f->sleeps++;
	f->slept_ms += ms;
	f->now += ms;
}

static int64_t
fake_now(void *ctx)
{
	return ((struct fake_net *)ctx)->now;
}

static void
fake_trace(void *ctx, const char *line)
{
	struct fake_net *f = ctx;
	size_t used = strlen(f->trace);

	snprintf(f->trace + used, sizeof(f->trace) - used, "%s\n", line);
}

static struct discovery_env
env_for(struct fake_net *f, struct seq_rng *s, uint32_t seed)
{
	struct discovery_env e = {fake_fetch, fake_sleep,	 fake_now,
				  f,	      rng_from(s, seed), fake_trace};

	return e;
}

static const struct discovery_params defaults = {
    DP_LEADER, false, DISCOVERY_DEFAULT_ATTEMPTS, DISCOVERY_DEFAULT_DELAY_MS,
    DISCOVERY_DEFAULT_TIMEOUT_MS};

static void
test_dead_first_seed_does_not_prevent_discovery(void **state)
{
	static const struct m_spec v2[] = {
	    {"127.0.0.1", 2002, "Follower", 1},
	    {"127.0.0.1", 2003, "Leader", 1},
	};
	static const struct m_spec v3[] = {
	    {"127.0.0.1", 2003, "Leader", 1},
	    {"127.0.0.1", 2002, "Follower", 1},
	};
	char *j2 = doc_json(v2, 2), *j3 = doc_json(v3, 2);
	struct peer peers[] = {{"127.0.0.1", 2001, B_REFUSE, NULL},
			       {"127.0.0.1", 2002, B_DOC, j2},
			       {"127.0.0.1", 2003, B_DOC, j3}};
	struct gossip_seed seeds[] = {{"127.0.0.1", 2001}, {"127.0.0.1", 2002}};
	struct discovery_outcome *out = calloc(1, sizeof(*out));
	uint32_t seed;

	(void)state;
	assert_non_null(out);
	/* whatever order the shuffle gives, the second seed is reached */
	for (seed = 1; seed <= 16; seed++) {
		struct fake_net f = {peers, 3, 0, 0, 0, 0, 0, "", ""};
		struct seq_rng s;
		struct discovery_env e = env_for(&f, &s, seed);

		assert_int_equal(discovery_run(&defaults, seeds, 2, &e, out),
				 0);
		assert_int_equal(out->chosen.http_port, 2003);
		assert_int_equal(out->chosen.state, MS_LEADER);
		assert_string_equal(out->via, "127.0.0.1:2002");
		assert_int_equal(out->attempts_made, 1);
		assert_int_equal(f.sleeps, 0);
	}
	free(out);
	free(j2);
	free(j3);
}

/*
 * Right after a leader dies and another takes over, a seed may still
 * list the old leader as alive and the new one as a follower. The chosen
 * member confirms its own state, so the stale entry is not returned.
 */
static void
test_stale_views_are_confirmed_by_the_member_itself(void **state)
{
	static const struct m_spec stale[] = {
	    {"127.0.0.1", 2001, "Follower", 1},
	    {"127.0.0.1", 2000, "Leader", 1},
	    {"127.0.0.1", 2002, "Follower", 1},
	};
	static const struct m_spec fresh[] = {
	    {"127.0.0.1", 2002, "Leader", 1},
	    {"127.0.0.1", 2000, "Leader", 0},
	    {"127.0.0.1", 2001, "Follower", 1},
	};
	char *js = doc_json(stale, 3), *jf = doc_json(fresh, 3);
	struct peer peers[] = {{"127.0.0.1", 2000, B_REFUSE, NULL},
			       {"127.0.0.1", 2001, B_DOC, js},
			       {"127.0.0.1", 2002, B_DOC, jf}};
	struct gossip_seed seeds[] = {
	    {"127.0.0.1", 2000}, {"127.0.0.1", 2001}, {"127.0.0.1", 2002}};
	struct discovery_outcome *out = calloc(1, sizeof(*out));
	uint32_t seed;

	(void)state;
	assert_non_null(out);
	for (seed = 1; seed <= 32; seed++) {
		struct fake_net f = {peers, 3, 0, 0, 0, 0, 0, "", ""};
		struct seq_rng s;
		struct discovery_env e = env_for(&f, &s, seed);

		assert_int_equal(discovery_run(&defaults, seeds, 3, &e, out),
				 0);
		if (out->chosen.http_port != 2002)
			fail_msg("rng %u: chose %d (asked %s)", seed,
				 out->chosen.http_port, f.log);
		assert_int_equal(out->chosen.state, MS_LEADER);
		/* the trace tells the story */
		assert_non_null(strstr(f.trace, "asking seed 127.0.0.1:"));
		assert_non_null(
		    strstr(f.trace, "chose 127.0.0.1:2002 (Leader)"));
		if (strstr(f.log, "127.0.0.1:2001 ") == f.log)
			assert_non_null(
			    strstr(f.trace, "lists 127.0.0.1:2000 Leader"));
		assert_int_equal(f.sleeps, 0);
	}
	free(out);
	free(js);
	free(jf);
}

/*
 * The new leader need not be a seed: a seed whose view is a round behind
 * lists it as a follower, and asking it directly finds it.
 */
static void
test_a_new_leader_outside_the_seeds_is_found(void **state)
{
	static const struct m_spec stale[] = {
	    {"127.0.0.1", 2003, "Follower", 1},
	    {"127.0.0.1", 2000, "Leader", 1},
	    {"127.0.0.1", 2002, "Follower", 1},
	};
	static const struct m_spec fresh[] = {
	    {"127.0.0.1", 2002, "Leader", 1},
	    {"127.0.0.1", 2003, "Follower", 1},
	};
	char *js = doc_json(stale, 3), *jf = doc_json(fresh, 2);
	struct peer peers[] = {{"127.0.0.1", 2000, B_REFUSE, NULL},
			       {"127.0.0.1", 2003, B_DOC, js},
			       {"127.0.0.1", 2002, B_DOC, jf}};
	struct gossip_seed seeds[] = {{"127.0.0.1", 2000}, {"127.0.0.1", 2003}};
	struct discovery_outcome *out = calloc(1, sizeof(*out));
	uint32_t seed;

	(void)state;
	assert_non_null(out);
	for (seed = 1; seed <= 32; seed++) {
		struct fake_net f = {peers, 3, 0, 0, 0, 0, 0, "", ""};
		struct seq_rng s;
		struct discovery_env e = env_for(&f, &s, seed);

		assert_int_equal(discovery_run(&defaults, seeds, 2, &e, out),
				 0);
		if (out->chosen.http_port != 2002)
			fail_msg("rng %u: chose %d (asked %s)", seed,
				 out->chosen.http_port, f.log);
		assert_int_equal(f.sleeps, 0);
	}
	free(out);
	free(js);
	free(jf);
}

/* Without a member in the preferred state, the next best is taken after
 * one pass over every seed, as KurrentDB clients do; --strict refuses. */
static void
test_fallback_after_one_pass_and_strict_refuses(void **state)
{
	static const struct m_spec v[] = {
	    {"127.0.0.1", 2001, "Follower", 1},
	    {"127.0.0.1", 2002, "Unknown", 1},
	};
	static const struct m_spec v2[] = {
	    {"127.0.0.1", 2002, "Unknown", 1},
	    {"127.0.0.1", 2001, "Follower", 1},
	};
	char *j = doc_json(v, 2), *j2 = doc_json(v2, 2);
	struct peer peers[] = {{"127.0.0.1", 2001, B_DOC, j},
			       {"127.0.0.1", 2002, B_DOC, j2}};
	struct gossip_seed seeds[] = {{"127.0.0.1", 2001}, {"127.0.0.1", 2002}};
	struct discovery_params p = {DP_LEADER, false, 3, 100, 1000};
	struct discovery_outcome *out = calloc(1, sizeof(*out));
	struct fake_net f = {peers, 2, 0, 0, 0, 0, 0, "", ""};
	struct seq_rng s;
	struct discovery_env e = env_for(&f, &s, 77);

	(void)state;
	assert_non_null(out);
	assert_int_equal(discovery_run(&p, seeds, 2, &e, out), 0);
	assert_int_equal(out->chosen.http_port, 2001);
	assert_int_equal(f.sleeps, 0);

	p.strict = true;
	memset(&f, 0, sizeof(f));
	f.peers = peers;
	f.n_peers = 2;
	assert_int_equal(discovery_run(&p, seeds, 2, &e, out), -1);
	assert_int_equal(out->attempts_made, 3);
	assert_non_null(strstr(out->failures[0].reason,
			       "127.0.0.1:2001 is Follower, not Leader"));
	free(out);
	free(j);
	free(j2);
}

static void
test_unreachable_cluster_names_each_seed_and_retries(void **state)
{
	struct peer peers[] = {{"127.0.0.1", 2001, B_REFUSE, NULL},
			       {"127.0.0.1", 2002, B_TIMEOUT, NULL}};
	struct gossip_seed seeds[] = {{"127.0.0.1", 2001}, {"127.0.0.1", 2002}};
	struct discovery_params p = {DP_LEADER, false, 3, 100, 500};
	struct discovery_outcome *out = calloc(1, sizeof(*out));
	struct fake_net f = {peers, 2, 0, 0, 0, 0, 0, "", ""};
	struct seq_rng s;
	struct discovery_env e = env_for(&f, &s, 99);

	(void)state;
	assert_non_null(out);
	assert_int_equal(discovery_run(&p, seeds, 2, &e, out), -1);
	assert_int_equal(out->n_failures, 2);
	assert_string_equal(out->failures[0].endpoint, "127.0.0.1:2001");
	assert_true(out->failures[0].is_seed);
	assert_string_equal(out->failures[0].reason,
			    "connect: Connection refused");
	assert_int_equal(out->answers, 0);
	assert_string_equal(out->failures[1].endpoint, "127.0.0.1:2002");
	assert_non_null(strstr(out->failures[1].reason, "timed out"));
	/* never longer than attempts * (timeout + delay) */
	assert_true(f.now <= 3 * (500 + 100));
	assert_true(f.sleeps <= 2);
	assert_true(f.max_timeout_seen <= 500);
	assert_non_null(strstr(f.trace, "  connect: Connection refused\n"));
	assert_non_null(
	    strstr(f.trace, "attempt 1 found nothing; next in 100 ms"));
	free(out);
}

static void
test_attempts_and_delays_are_counted(void **state)
{
	struct peer peers[] = {{"127.0.0.1", 2001, B_REFUSE, NULL}};
	struct gossip_seed seeds[] = {{"127.0.0.1", 2001}};
	struct discovery_outcome *out = calloc(1, sizeof(*out));
	struct fake_net f = {peers, 1, 0, 0, 0, 0, 0, "", ""};
	struct seq_rng s;
	struct discovery_env e = env_for(&f, &s, 5);

	(void)state;
	assert_non_null(out);
	assert_int_equal(discovery_run(&defaults, seeds, 1, &e, out), -1);
	assert_int_equal(out->attempts_made, 10);
	assert_int_equal(f.fetches, 10);
	assert_int_equal(f.sleeps, 9);
	assert_int_equal(f.slept_ms, 900);
	assert_false(out->out_of_time);
	free(out);
}

static void
test_the_overall_deadline_clips_the_last_request(void **state)
{
	/* every request times out: the total must still fit the bound */
	struct peer peers[] = {{"127.0.0.1", 2001, B_TIMEOUT, NULL},
			       {"127.0.0.1", 2002, B_TIMEOUT, NULL},
			       {"127.0.0.1", 2003, B_TIMEOUT, NULL}};
	struct gossip_seed seeds[] = {
	    {"127.0.0.1", 2001}, {"127.0.0.1", 2002}, {"127.0.0.1", 2003}};
	struct discovery_params p = {DP_LEADER, false, 2, 100, 1000};
	struct discovery_outcome *out = calloc(1, sizeof(*out));
	struct fake_net f = {peers, 3, 0, 0, 0, 0, 0, "", ""};
	struct seq_rng s;
	struct discovery_env e = env_for(&f, &s, 5);
	size_t i, asked = 0;

	(void)state;
	assert_non_null(out);
	assert_int_equal(discovery_run(&p, seeds, 3, &e, out), -1);
	assert_true(out->out_of_time);
	assert_true(f.now <= 2 * (1000 + 100));
	for (i = 0; i < out->n_failures; i++)
		if (strstr(out->failures[i].reason, "timed out") != NULL)
			asked++;
	assert_int_equal(asked, 3);
	free(out);
}

static void
test_members_learned_from_a_seed_are_asked(void **state)
{
	/* the seed knows only placeholders and a member at 2005 */
	static const struct m_spec seed_view[] = {
	    {"127.0.0.1", 2001, "Manager", 1},
	    {"127.0.0.1", 2005, "Unknown", 1},
	};
	static const struct m_spec member_view[] = {
	    {"127.0.0.1", 2005, "Leader", 1},
	    {"127.0.0.1", 2001, "Follower", 1},
	};
	char *j1 = doc_json(seed_view, 2), *j2 = doc_json(member_view, 2);
	struct peer peers[] = {{"127.0.0.1", 2001, B_DOC, j1},
			       {"127.0.0.1", 2005, B_DOC, j2}};
	struct gossip_seed seeds[] = {{"127.0.0.1", 2001}};
	struct discovery_outcome *out = calloc(1, sizeof(*out));
	struct fake_net f = {peers, 2, 0, 0, 0, 0, 0, "", ""};
	struct seq_rng s;
	struct discovery_env e = env_for(&f, &s, 3);

	(void)state;
	assert_non_null(out);
	assert_int_equal(discovery_run(&defaults, seeds, 1, &e, out), 0);
	assert_int_equal(out->chosen.http_port, 2005);
	assert_int_equal(out->chosen.state, MS_LEADER);
	assert_string_equal(out->via, "127.0.0.1:2005");
	assert_string_equal(f.log, "127.0.0.1:2001 127.0.0.1:2005 ");
	free(out);
	free(j1);
	free(j2);
}

static void
test_nothing_eligible_reports_why_per_seed(void **state)
{
	static const struct m_spec view[] = {
	    {"127.0.0.1", 2001, "Manager", 1},
	};
	char *j = doc_json(view, 1);
	struct peer peers[] = {{"127.0.0.1", 2001, B_DOC, j}};
	struct gossip_seed seeds[] = {{"127.0.0.1", 2001}};
	struct discovery_params p = {DP_LEADER, false, 2, 10, 100};
	struct discovery_outcome *out = calloc(1, sizeof(*out));
	struct fake_net f = {peers, 1, 0, 0, 0, 0, 0, "", ""};
	struct seq_rng s;
	struct discovery_env e = env_for(&f, &s, 3);

	(void)state;
	assert_non_null(out);
	assert_int_equal(discovery_run(&p, seeds, 1, &e, out), -1);
	assert_int_equal(out->n_failures, 1);
	assert_string_equal(out->failures[0].reason,
			    "answered, but no eligible member: "
			    "127.0.0.1:2001 is Manager");
	assert_int_equal(f.fetches, 2);
	assert_int_equal(out->answers, 2);
	free(out);
	free(j);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_pref_names_parse_in_any_case),
	    cmocka_unit_test(
		test_only_leader_follower_and_read_only_states_are_eligible),
	    cmocka_unit_test(test_rank_orders_follow_the_preference),
	    cmocka_unit_test(test_select_table),
	    cmocka_unit_test(
		test_parse_response_refuses_errors_and_malformed_documents),
	    cmocka_unit_test(test_shuffle_is_a_permutation_and_varies),
	    cmocka_unit_test(test_endpoints_bracket_ipv6),
	    cmocka_unit_test(test_ages_read_like_a_person_would_say_them),
	    cmocka_unit_test(test_connection_strings_give_seeds_and_settings),
	    cmocka_unit_test(
		test_bad_connection_strings_are_refused_without_echo),
	    cmocka_unit_test(test_dead_first_seed_does_not_prevent_discovery),
	    cmocka_unit_test(
		test_unreachable_cluster_names_each_seed_and_retries),
	    cmocka_unit_test(test_attempts_and_delays_are_counted),
	    cmocka_unit_test(test_the_overall_deadline_clips_the_last_request),
	    cmocka_unit_test(test_members_learned_from_a_seed_are_asked),
	    cmocka_unit_test(
		test_stale_views_are_confirmed_by_the_member_itself),
	    cmocka_unit_test(test_fallback_after_one_pass_and_strict_refuses),
	    cmocka_unit_test(test_a_new_leader_outside_the_seeds_is_found),
	    cmocka_unit_test(test_nothing_eligible_reports_why_per_seed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
