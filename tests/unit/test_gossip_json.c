/* Unit tests for common/gossip_json.c: the cluster document codec. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "gossip_json.h"

/* Every member field in SPEC order, with a valid value each. */
static const char *const fields[][2] = {
    {"instanceId", "\"5c3b1f6e-2a9d-4a47-9a57-6b0f3f2c9e11\""},
    {"timeStamp", "\"2026-11-22T10:00:02.4711230Z\""},
    {"state", "\"Leader\""},
    {"isAlive", "true"},
    {"internalTcpIp", "\"10.0.0.11\""},
    {"internalTcpPort", "0"},
    {"internalSecureTcpPort", "1112"},
    {"externalTcpIp", "\"node1.example.org\""},
    {"externalTcpPort", "0"},
    {"externalSecureTcpPort", "0"},
    {"internalHttpEndPointIp", "\"node1.example.org\""},
    {"internalHttpEndPointPort", "2113"},
    {"httpEndPointIp", "\"node1.example.org\""},
    {"httpEndPointPort", "2113"},
    {"lastCommitPosition", "4151"},
    {"writerCheckpoint", "4267"},
    {"chaserCheckpoint", "4267"},
    {"epochPosition", "3510"},
    {"epochNumber", "6"},
    {"epochId", "\"37341e58-67a6-4b76-a5f9-4cba7b329d93\""},
    {"nodePriority", "0"},
    {"isReadOnlyReplica", "false"},
    {"esVersion", "\"gossipd 0.1.0\""},
};
#define NFIELDS (sizeof(fields) / sizeof(fields[0]))

/*
 * A one-member document where field "skip" is left out and field "key"
 * (if not NULL) has the raw JSON value "val".
 */
static char *
doc_with(const char *skip, const char *key, const char *val)
{
	char *buf = malloc(8192);
	size_t o = 0;
	bool first = true;

	assert_non_null(buf);
	o += (size_t)snprintf(buf + o, 8192 - o, "{\"members\":[{");
	for (size_t i = 0; i < NFIELDS; i++) {
		const char *v = fields[i][1];

		if (skip != NULL && strcmp(skip, fields[i][0]) == 0)
			continue;
		if (key != NULL && strcmp(key, fields[i][0]) == 0)
			v = val;
		o += (size_t)snprintf(buf + o, 8192 - o, "%s\"%s\": %s",
				      first ? "" : ", ", fields[i][0], v);
		first = false;
	}
	snprintf(buf + o, 8192 - o,
		 "}], \"serverIp\": \"node1.example.org\", \"serverPort\": "
		 "2113}");
	return buf;
}

static int
decode_str(const char *s, struct cluster_doc *doc, char *err, size_t errlen)
{
	return gossip_json_decode(s, strlen(s), GOSSIP_JSON_MAX_BYTES,
				  GOSSIP_JSON_MAX_MEMBERS, doc, err, errlen);
}

/* Decoding must fail, and the reason must contain want. */
static void
expect_refused(const char *s, const char *want)
{
	struct cluster_doc doc;
	char err[256] = "";

	if (decode_str(s, &doc, err, sizeof(err)) == 0) {
		cluster_doc_free(&doc);
		fail_msg("accepted: %s", s);
	}
	if (strstr(err, want) == NULL)
		fail_msg("reason \"%s\" lacks \"%s\"", err, want);
	assert_null(doc.members);
}

static void
decodes_spec_example(void **state)
{
	char *s = doc_with(NULL, NULL, NULL);
	struct cluster_doc doc;
	char err[256], guid[37], ts[40];
	const struct member *m;

	(void)state;
	assert_int_equal(decode_str(s, &doc, err, sizeof(err)), 0);
	assert_int_equal(doc.n, 1);
	assert_string_equal(doc.server_ip, "node1.example.org");
	assert_int_equal(doc.server_port, 2113);
	m = &doc.members[0];
	guid_format(&m->instance_id, guid);
	assert_string_equal(guid, "5c3b1f6e-2a9d-4a47-9a57-6b0f3f2c9e11");
	ticks_format(m->timestamp, ts);
	assert_string_equal(ts, "2026-11-22T10:00:02.4711230Z");
	assert_int_equal(m->state, MS_LEADER);
	assert_true(m->is_alive);
	assert_string_equal(m->internal_tcp_ip, "10.0.0.11");
	assert_int_equal(m->internal_secure_tcp_port, 1112);
	assert_string_equal(m->http_ip, "node1.example.org");
	assert_int_equal(m->http_port, 2113);
	assert_int_equal(m->last_commit_position, 4151);
	assert_int_equal(m->writer_checkpoint, 4267);
	assert_int_equal(m->epoch_position, 3510);
	assert_int_equal(m->epoch_number, 6);
	assert_false(m->is_read_only_replica);
	assert_string_equal(m->es_version, "gossipd 0.1.0");
	cluster_doc_free(&doc);
	free(s);
}

/* A KurrentDB-shaped document: 16 members, one in each state, with the
 * pretty-printed layout and the old state names mixed in. */
static void
decodes_kurrentdb_document_with_all_states(void **state)
{
	static const char *const wire_names[MS__COUNT] = {
	    "Initializing",
	    "DiscoverLeader",
	    "Unknown",
	    "PreReplica",
	    "CatchingUp",
	    "Clone",
	    "Slave",
	    "PreMaster",
	    "Master",
	    "Manager",
	    "ShuttingDown",
	    "Shutdown",
	    "ReadOnlyLeaderless",
	    "PreReadOnlyReplica",
	    "ReadOnlyReplica",
	    "ResigningLeader",
	};
	char *buf = malloc(65536);
	size_t o = 0;
	struct cluster_doc doc;
	char err[256];

	(void)state;
	o += (size_t)snprintf(buf + o, 65536 - o, "{\r\n  \"members\": [\r\n");
	for (int i = 0; i < MS__COUNT; i++) {
		o += (size_t)snprintf(
		    buf + o, 65536 - o,
		    "    {\n      \"instanceId\": "
		    "\"%08x-1111-4222-8333-444455556666\",\n"
		    "      \"timeStamp\": \"2023-05-0%dT08:15:3%d.12345Z\",\n"
		    "      \"state\": \"%s\",\n      \"isAlive\": %s,\n"
		    "      \"internalTcpIp\": \"127.0.0.1\",\n"
		    "      \"internalTcpPort\": 0,\n"
		    "      \"internalSecureTcpPort\": %d,\n"
		    "      \"externalTcpIp\": \"127.0.0.1\",\n"
		    "      \"externalTcpPort\": 0,\n"
		    "      \"externalSecureTcpPort\": 0,\n"
		    "      \"internalHttpEndPointIp\": \"127.0.0.1\",\n"
		    "      \"internalHttpEndPointPort\": %d,\n"
		    "      \"httpEndPointIp\": \"127.0.0.1\",\n"
		    "      \"httpEndPointPort\": %d,\n"
		    "      \"lastCommitPosition\": %d,\n"
		    "      \"writerCheckpoint\": 9007199254740992,\n"
		    "      \"chaserCheckpoint\": -1,\n"
		    "      \"epochPosition\": -9007199254740992,\n"
		    "      \"epochNumber\": %d,\n"
		    "      \"epochId\": "
		    "\"ABCDEF01-2345-6789-ABCD-EF0123456789\",\n"
		    "      \"nodePriority\": %d,\n"
		    "      \"isReadOnlyReplica\": %s,\n"
		    "      \"esVersion\": \"24.10.0.1234\",\n"
		    "      \"futureField\": {\"nested\": [1, 2, \"x\"]}\n"
		    "    }%s\n",
		    (unsigned)i, 1 + i % 9, i % 10, wire_names[i],
		    i % 2 ? "false" : "true", 1112 + i, 2113 + i, 2113 + i,
		    i * 1000, i, -i, i >= 12 ? "true" : "false",
		    i + 1 < MS__COUNT ? "," : "");
	}
	snprintf(buf + o, 65536 - o,
		 "  ],\n  \"serverIp\": \"127.0.0.1\",\n  \"serverPort\": "
		 "2113\n}\n");
	assert_int_equal(decode_str(buf, &doc, err, sizeof(err)), 0);
	assert_int_equal(doc.n, MS__COUNT);
	for (int i = 0; i < MS__COUNT; i++) {
		const struct member *m = &doc.members[i];

		assert_int_equal(m->state, i);
		assert_int_equal(m->is_alive, i % 2 == 0);
		assert_int_equal(m->http_port, 2113 + i);
		assert_int_equal(m->internal_secure_tcp_port, 1112 + i);
		assert_int_equal(m->last_commit_position, i * 1000);
		assert_int_equal(m->writer_checkpoint, INT64_C(1) << 53);
		assert_int_equal(m->chaser_checkpoint, -1);
		assert_int_equal(m->epoch_position, -(INT64_C(1) << 53));
		assert_int_equal(m->epoch_number, i);
		assert_int_equal(m->node_priority, -i);
		assert_int_equal(m->is_read_only_replica, i >= 12);
		assert_int_equal(m->instance_id.b[3], i);
		assert_int_equal(m->epoch_id.b[0], 0xab);
	}
	cluster_doc_free(&doc);
	free(buf);
}

static void
encode_decode_round_trip(void **state)
{
	struct member ms[3];
	struct cluster_doc in = {.members = ms, .n = 3, .server_port = 2114};
	struct cluster_doc out;
	char err[256], *s;
	size_t len;

	(void)state;
	memset(ms, 0, sizeof(ms));
	strcpy(in.server_ip, "127.0.0.2");
	for (int i = 0; i < 3; i++) {
		struct member *m = &ms[i];

		assert_int_equal(guid_random(&m->instance_id), 0);
		m->timestamp = 17000000000000000LL + i * 12345;
		m->state = (enum member_state)(i * 5);
		m->is_alive = i != 1;
		snprintf(m->internal_tcp_ip, sizeof(m->internal_tcp_ip),
			 "127.0.0.%d", i + 1);
		m->internal_secure_tcp_port = 1112;
		strcpy(m->external_tcp_ip, "localhost");
		m->external_tcp_port = 1113;
		snprintf(m->internal_http_ip, sizeof(m->internal_http_ip),
			 "127.0.0.%d", i + 1);
		m->internal_http_port = 2113 + i;
		snprintf(m->http_ip, sizeof(m->http_ip), "127.0.0.%d", i + 1);
		m->http_port = 2113 + i;
		m->last_commit_position = (INT64_C(1) << 53) - i;
		m->writer_checkpoint = -1;
		m->chaser_checkpoint = 1234567890123LL;
		m->epoch_position = -(INT64_C(1) << 53);
		m->epoch_number = i;
		assert_int_equal(guid_random(&m->epoch_id), 0);
		m->node_priority = -5;
		m->is_read_only_replica = i == 2;
		strcpy(m->es_version, "gossipd 0.1.0");
	}
	s = gossip_json_encode(&in, &len);
	assert_non_null(s);
	assert_int_equal(strlen(s), len);
	assert_null(strstr(s, "e+")); /* no exponent anywhere */
	assert_non_null(strstr(s, "\"lastCommitPosition\":9007199254740992"));
	assert_non_null(strstr(s, "\"epochPosition\":-9007199254740992"));
	assert_non_null(strstr(s, "\"chaserCheckpoint\":1234567890123,"));
	assert_int_equal(
	    gossip_json_decode(s, len, len, 3, &out, err, sizeof(err)), 0);
	assert_int_equal(out.n, 3);
	assert_string_equal(out.server_ip, "127.0.0.2");
	assert_int_equal(out.server_port, 2114);
	assert_memory_equal(out.members, ms, sizeof(ms));
	cluster_doc_free(&out);
	free(s);
}

static void
encode_writes_fields_in_spec_order(void **state)
{
	struct member m;
	char *s, key[64];
	const char *prev, *at;
	size_t len;

	(void)state;
	memset(&m, 0, sizeof(m));
	strcpy(m.http_ip, "a\"b\\c\x01");
	s = gossip_json_encode_member(&m, &len);
	assert_non_null(s);
	assert_int_equal(s[0], '{');
	prev = s;
	for (size_t i = 0; i < NFIELDS; i++) {
		snprintf(key, sizeof(key), "\"%s\":", fields[i][0]);
		at = strstr(s, key);
		if (at == NULL || at < prev)
			fail_msg("field %s missing or out of order", key);
		prev = at;
	}
	assert_non_null(strstr(s, "\"httpEndPointIp\":\"a\\\"b\\\\c\\u0001\""));
	assert_non_null(strstr(s, "\"state\":\"Initializing\""));
	assert_non_null(strstr(s, "\"timeStamp\":\"1970-01-01T00:00:00."
				  "0000000Z\""));
	free(s);
}

static void
every_missing_field_is_named(void **state)
{
	char want[64];

	(void)state;
	for (size_t i = 0; i < NFIELDS; i++) {
		char *s = doc_with(fields[i][0], NULL, NULL);

		snprintf(want, sizeof(want),
			 "member 0: field \"%s\" is missing", fields[i][0]);
		expect_refused(s, want);
		free(s);
		s = doc_with(NULL, fields[i][0], "null");
		expect_refused(s, want);
		free(s);
	}
	expect_refused("{\"members\":[],\"serverPort\":1}",
		       "\"serverIp\" is missing");
	expect_refused("{\"members\":[],\"serverIp\":\"a\"}",
		       "\"serverPort\" is missing");
	expect_refused("{\"serverIp\":\"a\",\"serverPort\":1}",
		       "\"members\" is missing");
}

static void
wrong_types_refused(void **state)
{
	static const char *const cases[][3] = {
	    {"instanceId", "42", "not a string"},
	    {"isAlive", "\"true\"", "not a boolean"},
	    {"isAlive", "1", "not a boolean"},
	    {"httpEndPointPort", "\"2113\"", "not a number"},
	    {"writerCheckpoint", "[1]", "not a number"},
	    {"esVersion", "{}", "not a string"},
	    {"state", "8", "not a string"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *s = doc_with(NULL, cases[i][0], cases[i][1]);

		expect_refused(s, cases[i][2]);
		free(s);
	}
	expect_refused("{\"members\":{},\"serverIp\":\"a\",\"serverPort\":1}",
		       "not an array");
	expect_refused("{\"members\":[1],\"serverIp\":\"a\",\"serverPort\":1}",
		       "member 0: not a JSON object");
}

static void
bad_values_refused(void **state)
{
	static const char *const cases[][3] = {
	    {"state", "\"Boss\"", "not a known state"},
	    {"instanceId", "\"5c3b1f6e-2a9d-4a47-9a57-6b0f3f2c9e1\"",
	     "not a GUID"},
	    {"epochId", "\"\"", "not a GUID"},
	    {"timeStamp", "\"2026-11-22T10:00:02\"", "not an ISO-8601"},
	    {"timeStamp", "\"yesterday\"", "not an ISO-8601"},
	    {"httpEndPointPort", "65536", "out of range"},
	    {"internalTcpPort", "-1", "out of range"},
	    {"nodePriority", "2147483648", "out of range"},
	    {"httpEndPointIp", "\"\"", "is empty"},
	    {"httpEndPointIp", "\"a b\"", "not allowed in a host"},
	    {"externalTcpIp", "\"\\u00e9\"", "not allowed in a host"},
	    {"esVersion", "\"\\n\"", "not printable"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *s = doc_with(NULL, cases[i][0], cases[i][1]);

		expect_refused(s, cases[i][2]);
		free(s);
	}
}

static void
positions_must_be_exact_integers(void **state)
{
	static const char *const bad[][2] = {
	    {"1.5", "not an exact integer"},
	    {"1.0", "not an exact integer"},
	    {"1e3", "not an exact integer"},
	    {"1E3", "not an exact integer"},
	    {"9007199254740993", "out of the exact integer range"},
	    {"-9007199254740993", "out of the exact integer range"},
	    {"18446744073709551616", "out of the exact integer range"},
	    {"012", "leading zero"},
	};
	struct cluster_doc doc;
	char err[256];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *s = doc_with(NULL, "writerCheckpoint", bad[i][0]);

		expect_refused(s, bad[i][1]);
		free(s);
	}
	/* Any number in the document counts, even in an unknown field. */
	expect_refused("{\"x\":0.5,\"members\":[],\"serverIp\":\"a\","
		       "\"serverPort\":1}",
		       "not an exact integer");
	/* But digits inside strings are not numbers. */
	assert_int_equal(
	    decode_str("{\"x\":\"1.5e99\",\"members\":[],\"serverIp\":"
		       "\"a\",\"serverPort\":1}",
		       &doc, err, sizeof(err)),
	    0);
	assert_int_equal(doc.n, 0);
	cluster_doc_free(&doc);
}

static void
bounds_on_size_and_members(void **state)
{
	char *one = doc_with(NULL, NULL, NULL);
	size_t len = strlen(one);
	struct cluster_doc doc;
	char err[256], *many;
	size_t o = 0;

	(void)state;
	assert_int_equal(
	    gossip_json_decode(one, len, len - 1, 10, &doc, err, sizeof(err)),
	    -1);
	assert_non_null(strstr(err, "exceeds the limit"));
	assert_int_equal(
	    gossip_json_decode(one, len, len, 10, &doc, err, sizeof(err)), 0);
	cluster_doc_free(&doc);

	many = malloc(len * 4 + 64);
	o += (size_t)sprintf(many, "{\"members\":[");
	for (int i = 0; i < 3; i++) {
		const char *a = strchr(one, '[') + 1, *b = strrchr(one, ']');

		if (i > 0)
			many[o++] = ',';
		memcpy(many + o, a, (size_t)(b - a));
		o += (size_t)(b - a);
	}
	sprintf(many + o, "],\"serverIp\":\"x\",\"serverPort\":1}");
	assert_int_equal(gossip_json_decode(many, strlen(many), 1 << 20, 2,
					    &doc, err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "3 members exceed the limit of 2"));
	assert_int_equal(gossip_json_decode(many, strlen(many), 1 << 20, 3,
					    &doc, err, sizeof(err)),
			 0);
	assert_int_equal(doc.n, 3);
	cluster_doc_free(&doc);
	free(many);
	free(one);
}

static void
malformed_json_refused(void **state)
{
	static const char deep[] = "{\"a\":[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]"
				   "]]]]],\"members\":[],\"serverIp\":\"a\","
				   "\"serverPort\":1}";
	static const char nul[] = "{\"members\":[],\"serverIp\":\"a\0\","
				  "\"serverPort\":1}";
	struct cluster_doc doc;
	char err[256];

	(void)state;
	expect_refused("", "empty");
	expect_refused("garbage", "not valid JSON");
	expect_refused("{\"members\":[", "not valid JSON");
	expect_refused("[]", "not a JSON object");
	expect_refused("\"members\"", "not a JSON object");
	expect_refused("{\"members\":[],\"serverIp\":\"a\",\"serverPort\":1} x",
		       "trailing bytes");
	expect_refused("{\"members\":[],\"serverIp\":\"a\\u0000b\","
		       "\"serverPort\":1}",
		       "NUL escape");
	expect_refused(
	    "{\"members\":[],\"serverIp\":\"a\tb\",\"serverPort\":1}",
	    "control character");
	expect_refused("{\"members\":[],\"serverIp\":\"a", "unterminated");
	expect_refused(deep, "nesting deeper");
	assert_int_equal(gossip_json_decode(nul, sizeof(nul) - 1, 1 << 20, 8,
					    &doc, err, sizeof(err)),
			 -1);
	assert_int_equal(
	    gossip_json_decode(NULL, 0, 1 << 20, 8, &doc, err, sizeof(err)),
	    -1);
	/* Trailing white space is fine. */
	assert_int_equal(
	    decode_str("{\"members\":[],\"serverIp\":\"a\",\"serverPort\":"
		       "1}\r\n",
		       &doc, err, sizeof(err)),
	    0);
	cluster_doc_free(&doc);
}

static void
reasons_never_echo_input(void **state)
{
	char *s = doc_with(NULL, "state", "\"EVILTOKEN\"");
	struct cluster_doc doc;
	char err[256];

	(void)state;
	assert_int_equal(decode_str(s, &doc, err, sizeof(err)), -1);
	assert_null(strstr(err, "EVILTOKEN"));
	free(s);
	s = doc_with(NULL, "httpEndPointIp", "\"EVIL TOKEN\"");
	assert_int_equal(decode_str(s, &doc, err, sizeof(err)), -1);
	assert_null(strstr(err, "EVIL"));
	free(s);
	assert_int_equal(decode_str("EVILTOKEN", &doc, err, sizeof(err)), -1);
	assert_null(strstr(err, "EVIL"));
}

static int
decode_update(const char *s, struct member_update *u, char *err)
{
	return gossip_json_decode_member_update(s, strlen(s), 4096, u, err,
						256);
}

static void
member_update_every_field(void **state)
{
	struct member_update u;
	char err[256];

	(void)state;
	assert_int_equal(
	    decode_update("{\"state\":\"Master\",\"writerCheckpoint\":10,"
			  "\"chaserCheckpoint\":9,\"lastCommitPosition\":8,"
			  "\"epochPosition\":7,\"epochNumber\":6,\"epochId\":"
			  "\"37341e58-67a6-4b76-a5f9-4cba7b329d93\","
			  "\"nodePriority\":-3,\"isReadOnlyReplica\":true}",
			  &u, err),
	    0);
	assert_int_equal(u.fields, 0x1ff);
	assert_int_equal(u.state, MS_LEADER);
	assert_int_equal(u.writer_checkpoint, 10);
	assert_int_equal(u.chaser_checkpoint, 9);
	assert_int_equal(u.last_commit_position, 8);
	assert_int_equal(u.epoch_position, 7);
	assert_int_equal(u.epoch_number, 6);
	assert_int_equal(u.epoch_id.b[0], 0x37);
	assert_int_equal(u.node_priority, -3);
	assert_true(u.is_read_only_replica);

	assert_int_equal(decode_update("{}", &u, err), 0);
	assert_int_equal(u.fields, 0);
	assert_int_equal(decode_update("{\"state\":\"Follower\"}", &u, err), 0);
	assert_int_equal(u.fields, MU_STATE);
	assert_int_equal(u.state, MS_FOLLOWER);
}

static void
member_update_refusals(void **state)
{
	static const char *const cases[][2] = {
	    {"{\"state\":\"Leader\",\"bogus\":1}", "unknown field"},
	    {"{\"state\":\"King\"}", "not a known state"},
	    {"{\"writerCheckpoint\":1.5}", "not an exact integer"},
	    {"{\"writerCheckpoint\":\"10\"}", "not a number"},
	    {"{\"epochId\":\"nope\"}", "not a GUID"},
	    {"{\"isReadOnlyReplica\":0}", "not a boolean"},
	    {"{\"state\":null}", "missing or null"},
	    {"[1]", "not a JSON object"},
	    {"{", "not valid JSON"},
	};
	struct member_update u;
	char err[256];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (decode_update(cases[i][0], &u, err) == 0)
			fail_msg("accepted: %s", cases[i][0]);
		if (strstr(err, cases[i][1]) == NULL)
			fail_msg("reason \"%s\" lacks \"%s\"", err,
				 cases[i][1]);
	}
}

/* KurrentDB's advertise-to-client fields: optional on decode, written
 * only when set, bounded, and settable by PUT /admin/member; the client
 * view applies them as KurrentDB's client-facing gossip does. */
static void
advertise_fields(void **state)
{
	char *d = doc_with(NULL, NULL, NULL), *with, *s, err[256];
	struct cluster_doc doc, again;
	struct member_update u;
	struct member view;
	const char *upd = "{\"advertiseHostToClientAs\":\"db1.example\","
			  "\"advertiseHttpPortToClientAs\":2114,"
			  "\"advertiseTcpPortToClientAs\":1113}";
	size_t len;

	(void)state;
	assert_int_equal(decode_str(d, &doc, err, sizeof(err)), 0);
	assert_string_equal(doc.members[0].advertise_host_to_client_as, "");
	assert_false(member_advertises(&doc.members[0]));
	s = gossip_json_encode(&doc, &len);
	assert_null(strstr(s, "advertise"));
	free(s);
	cluster_doc_free(&doc);
	/* the fields after esVersion, as a peer sends them */
	with = doc_with(NULL, "esVersion",
			"\"v\", \"advertiseHostToClientAs\": \"db1.example\", "
			"\"advertiseHttpPortToClientAs\": 2114");
	assert_int_equal(decode_str(with, &doc, err, sizeof(err)), 0);
	assert_string_equal(doc.members[0].advertise_host_to_client_as,
			    "db1.example");
	assert_int_equal(doc.members[0].advertise_http_port_to_client_as, 2114);
	s = gossip_json_encode(&doc, &len);
	assert_non_null(strstr(s, "\"advertiseHostToClientAs\":\"db1.example\","
				  "\"advertiseHttpPortToClientAs\":2114,"
				  "\"advertiseTcpPortToClientAs\":0"));
	assert_int_equal(decode_str(s, &again, err, sizeof(err)), 0);
	assert_int_equal(again.members[0].advertise_http_port_to_client_as,
			 2114);
	cluster_doc_free(&again);
	free(s);
	member_client_view(&doc.members[0], &view);
	assert_string_equal(view.http_ip, "db1.example");
	assert_int_equal(view.http_port, 2114);
	assert_string_equal(view.internal_http_ip, "node1.example.org");
	assert_int_equal(view.internal_http_port, 2113);
	assert_string_equal(view.external_tcp_ip, "db1.example");
	assert_false(member_advertises(&view));
	cluster_doc_free(&doc);
	free(with);
	free(d);
	/* bounds */
	d = doc_with(NULL, "esVersion",
		     "\"v\", \"advertiseHttpPortToClientAs\": 70000");
	expect_refused(d, "advertiseHttpPortToClientAs");
	free(d);
	d = doc_with(NULL, "esVersion",
		     "\"v\", \"advertiseHostToClientAs\": \"a b\"");
	expect_refused(d, "advertiseHostToClientAs");
	free(d);
	/* PUT /admin/member */
	assert_int_equal(gossip_json_decode_member_update(
			     upd, strlen(upd), 4096, &u, err, sizeof(err)),
			 0);
	assert_int_equal(u.fields, MU_ADVERTISE_HOST | MU_ADVERTISE_HTTP_PORT |
				       MU_ADVERTISE_TCP_PORT);
	memset(&view, 0, sizeof(view));
	member_update_apply(&u, &view);
	assert_string_equal(view.advertise_host_to_client_as, "db1.example");
	assert_int_equal(view.advertise_tcp_port_to_client_as, 1113);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(decodes_spec_example),
	    cmocka_unit_test(decodes_kurrentdb_document_with_all_states),
	    cmocka_unit_test(encode_decode_round_trip),
	    cmocka_unit_test(encode_writes_fields_in_spec_order),
	    cmocka_unit_test(every_missing_field_is_named),
	    cmocka_unit_test(wrong_types_refused),
	    cmocka_unit_test(bad_values_refused),
	    cmocka_unit_test(positions_must_be_exact_integers),
	    cmocka_unit_test(bounds_on_size_and_members),
	    cmocka_unit_test(malformed_json_refused),
	    cmocka_unit_test(reasons_never_echo_input),
	    cmocka_unit_test(member_update_every_field),
	    cmocka_unit_test(member_update_refusals),
	    cmocka_unit_test(advertise_fields),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
