/*
 * Unit tests for common/gossip_pb.c (ClusterInfo both ways, the UUID
 * halves, gRPC framing) and the small gRPC helpers of h2_server.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "gossip.pb-c.h"
#include "gossip_pb.h"
#include "h2_server.h"

static void
guid_halves(void **state)
{
	struct guid g, back;
	int64_t msb, lsb;

	(void)state;
	assert_int_equal(guid_parse("01020304-0506-0708-090a-0b0c0d0e0f10", &g),
			 0);
	gossip_pb_guid_split(&g, &msb, &lsb);
	assert_true(msb == 0x0102030405060708LL);
	assert_true(lsb == 0x090a0b0c0d0e0f10LL);
	gossip_pb_guid_join(msb, lsb, &back);
	assert_memory_equal(g.b, back.b, 16);
	/* like java.util.UUID: the halves are signed */
	assert_int_equal(guid_parse("ffffffff-ffff-ffff-8000-000000000001", &g),
			 0);
	gossip_pb_guid_split(&g, &msb, &lsb);
	assert_true(msb == -1);
	assert_true(lsb == INT64_MIN + 1);
}

static void
fill(struct member *m, const char *id, enum member_state s, const char *ip,
     int port)
{
	memset(m, 0, sizeof(*m));
	assert_int_equal(guid_parse(id, &m->instance_id), 0);
	m->timestamp = 17964214029058333LL;
	m->state = s;
	m->is_alive = s != MS_SHUTDOWN;
	strcpy(m->http_ip, ip);
	m->http_port = port;
}

static void
encode_decode(void **state)
{
	struct member ms[3];
	struct cluster_doc doc = {.members = ms, .n = 3}, out;
	char err[200];
	uint8_t *b;
	size_t len, body;

	(void)state;
	fill(&ms[0], "11111111-2222-4333-8444-555555555555", MS_LEADER,
	     "127.0.0.1", 2113);
	fill(&ms[1], "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee", MS_FOLLOWER,
	     "node2.example", 2114);
	fill(&ms[2], "00000000-0000-0000-0000-000000000001", MS_SHUTDOWN, "::1",
	     1);
	b = gossip_pb_encode(&doc, &len);
	assert_non_null(b);
	/* the gRPC prefix: not compressed, big-endian length */
	body =
	    (size_t)b[1] << 24 | (size_t)b[2] << 16 | (size_t)b[3] << 8 | b[4];
	assert_int_equal(b[0], 0);
	assert_int_equal(body + GRPC_PREFIX_LEN, len);
	assert_int_equal(b[5], 0x0a); /* field 1 (members), length-delimited */
	assert_int_equal(
	    gossip_pb_decode(b + 5, body, 8, &out, err, sizeof(err)), 0);
	assert_int_equal(out.n, 3);
	for (size_t i = 0; i < 3; i++) {
		assert_memory_equal(out.members[i].instance_id.b,
				    ms[i].instance_id.b, 16);
		assert_true(out.members[i].timestamp == ms[i].timestamp);
		assert_int_equal(out.members[i].state, ms[i].state);
		assert_int_equal(out.members[i].is_alive, ms[i].is_alive);
		assert_string_equal(out.members[i].http_ip, ms[i].http_ip);
		assert_int_equal(out.members[i].http_port, ms[i].http_port);
	}
	cluster_doc_free(&out);
	/* bounded: more members than allowed */
	assert_int_equal(
	    gossip_pb_decode(b + 5, body, 2, &out, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "more than 2"));
	free(b);
}

/* Hand-made messages the decoder must refuse with a reason. */
static void
decode_refusals(void **state)
{
	EventStore__Client__Gossip__ClusterInfo ci =
	    EVENT_STORE__CLIENT__GOSSIP__CLUSTER_INFO__INIT;
	EventStore__Client__Gossip__MemberInfo m =
	    EVENT_STORE__CLIENT__GOSSIP__MEMBER_INFO__INIT;
	EventStore__Client__Gossip__MemberInfo *mp = &m;
	EventStore__Client__Gossip__EndPoint ep =
	    EVENT_STORE__CLIENT__GOSSIP__END_POINT__INIT;
	uint8_t buf[256];
	struct cluster_doc out;
	char err[200];
	size_t n;

	(void)state;
	ci.n_members = 1;
	ci.members = &mp;
	n = event_store__client__gossip__cluster_info__pack(&ci, buf);
	assert_int_equal(gossip_pb_decode(buf, n, 8, &out, err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "http_end_point"));
	ep.address = "127.0.0.1";
	ep.port = 70000;
	m.http_end_point = &ep;
	n = event_store__client__gossip__cluster_info__pack(&ci, buf);
	assert_int_equal(gossip_pb_decode(buf, n, 8, &out, err, sizeof(err)),
			 -1);
	ep.port = 2113;
	m.state = 16;
	n = event_store__client__gossip__cluster_info__pack(&ci, buf);
	assert_int_equal(gossip_pb_decode(buf, n, 8, &out, err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "unknown state 16"));
	m.state = 8;
	n = event_store__client__gossip__cluster_info__pack(&ci, buf);
	assert_int_equal(gossip_pb_decode(buf, n, 8, &out, err, sizeof(err)),
			 0);
	assert_int_equal(out.members[0].state, MS_LEADER);
	cluster_doc_free(&out);
	assert_int_equal(gossip_pb_decode((const uint8_t *)"\xff\xff\xff", 3, 8,
					  &out, err, sizeof(err)),
			 -1);
}

static void
grpc_timeouts(void **state)
{
	(void)state;
	assert_true(grpc_timeout_parse("100m") == 100);
	assert_true(grpc_timeout_parse("1S") == 1000);
	assert_true(grpc_timeout_parse("2M") == 120000);
	assert_true(grpc_timeout_parse("1H") == 3600000);
	assert_true(grpc_timeout_parse("5u") == 1); /* rounded up to 1 ms */
	assert_true(grpc_timeout_parse("2500000n") == 2);
	assert_true(grpc_timeout_parse("0m") == 0);
	assert_true(grpc_timeout_parse("99999999S") == 99999999000LL);
	assert_true(grpc_timeout_parse("123456789S") == -1); /* 9 digits */
	assert_true(grpc_timeout_parse("10x") == -1);
	assert_true(grpc_timeout_parse("m") == -1);
	assert_true(grpc_timeout_parse("-1m") == -1);
	assert_true(grpc_timeout_parse("") == -1);
}

static void
grpc_messages(void **state)
{
	char out[64];

	(void)state;
	grpc_message_encode("unknown method", out, sizeof(out));
	assert_string_equal(out, "unknown method");
	grpc_message_encode("50% done\n\xc3\xa9", out, sizeof(out));
	assert_string_equal(out, "50%25 done%0A%C3%A9");
	grpc_message_encode("abcdefgh", out, 6); /* bounded */
	assert_true(strlen(out) < 6);
}

/* Status names are the gRPC specification's, by code; nothing outside. */
static void
grpc_status_names(void **state)
{
	(void)state;
	assert_string_equal(gossip_pb_grpc_status_name(0), "OK");
	assert_string_equal(gossip_pb_grpc_status_name(4), "DEADLINE_EXCEEDED");
	assert_string_equal(gossip_pb_grpc_status_name(12), "UNIMPLEMENTED");
	assert_string_equal(gossip_pb_grpc_status_name(16), "UNAUTHENTICATED");
	assert_null(gossip_pb_grpc_status_name(-1));
	assert_null(gossip_pb_grpc_status_name(GOSSIP_PB_GRPC_STATUSES));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(guid_halves),
	    cmocka_unit_test(encode_decode),
	    cmocka_unit_test(decode_refusals),
	    cmocka_unit_test(grpc_timeouts),
	    cmocka_unit_test(grpc_messages),
	    cmocka_unit_test(grpc_status_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
