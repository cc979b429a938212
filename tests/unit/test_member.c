/* Unit tests for common/member.c: state names, GUIDs, timestamps. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "member.h"

static void
state_names_round_trip(void **state)
{
	static const char *const names[MS__COUNT] = {
	    "Initializing",
	    "DiscoverLeader",
	    "Unknown",
	    "PreReplica",
	    "CatchingUp",
	    "Clone",
	    "Follower",
	    "PreLeader",
	    "Leader",
	    "Manager",
	    "ShuttingDown",
	    "Shutdown",
	    "ReadOnlyLeaderless",
	    "PreReadOnlyReplica",
	    "ReadOnlyReplica",
	    "ResigningLeader",
	};
	enum member_state s;

	(void)state;
	for (int i = 0; i < MS__COUNT; i++) {
		assert_string_equal(member_state_name((enum member_state)i),
				    names[i]);
		assert_int_equal(member_state_parse(names[i], &s), 0);
		assert_int_equal(s, i);
	}
	assert_null(member_state_name(MS__COUNT));
	assert_null(member_state_name((enum member_state) - 1));
}

static void
state_old_names_accepted(void **state)
{
	enum member_state s;

	(void)state;
	assert_int_equal(member_state_parse("Master", &s), 0);
	assert_int_equal(s, MS_LEADER);
	assert_int_equal(member_state_parse("Slave", &s), 0);
	assert_int_equal(s, MS_FOLLOWER);
	assert_int_equal(member_state_parse("PreMaster", &s), 0);
	assert_int_equal(s, MS_PRE_LEADER);
	assert_int_equal(member_state_parse("leader", &s), 0);
	assert_int_equal(s, MS_LEADER);
}

static void
state_unknown_name_refused(void **state)
{
	enum member_state s = MS_CLONE;

	(void)state;
	assert_int_equal(member_state_parse("Boss", &s), -1);
	assert_int_equal(member_state_parse("", &s), -1);
	assert_int_equal(member_state_parse("Leader ", &s), -1);
	assert_int_equal(member_state_parse(NULL, &s), -1);
	assert_int_equal(s, MS_CLONE);
}

static void
guid_round_trip_lowercase(void **state)
{
	struct guid g, h;
	char buf[37];

	(void)state;
	assert_int_equal(guid_parse("5C3B1F6E-2A9D-4A47-9A57-6B0F3F2C9E11", &g),
			 0);
	guid_format(&g, buf);
	assert_string_equal(buf, "5c3b1f6e-2a9d-4a47-9a57-6b0f3f2c9e11");
	assert_int_equal(guid_parse(buf, &h), 0);
	assert_memory_equal(&g, &h, sizeof(g));
	assert_int_equal(g.b[0], 0x5c);
	assert_int_equal(g.b[15], 0x11);
	assert_false(guid_is_zero(&g));
	assert_int_equal(guid_parse("00000000-0000-0000-0000-000000000000", &g),
			 0);
	assert_true(guid_is_zero(&g));
}

static void
guid_malformed_refused(void **state)
{
	static const char *const bad[] = {
	    "",
	    "5c3b1f6e-2a9d-4a47-9a57-6b0f3f2c9e1",
	    "5c3b1f6e-2a9d-4a47-9a57-6b0f3f2c9e111",
	    "5c3b1f6e2a9d-4a47-9a57-6b0f3f2c9e11a",
	    "5c3b1f6e-2a9d-4a47-9a57-6b0f3f2c9e1g",
	    "{5c3b1f6e-2a9d-4a47-9a57-6b0f3f2c9e11}",
	    "5c3b1f6e-2a9d-4a47-9a57_6b0f3f2c9e11",
	};
	struct guid g;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(guid_parse(bad[i], &g), -1);
	assert_int_equal(guid_parse(NULL, &g), -1);
}

static void
guid_random_is_version4_and_distinct(void **state)
{
	struct guid a, b;

	(void)state;
	assert_int_equal(guid_random(&a), 0);
	assert_int_equal(guid_random(&b), 0);
	assert_int_equal(a.b[6] >> 4, 4);
	assert_int_equal(a.b[8] & 0xc0, 0x80);
	assert_memory_not_equal(&a, &b, sizeof(a));
}

static void
ticks_format_spec_example(void **state)
{
	char buf[40];
	ticks_t t;

	(void)state;
	assert_int_equal(ticks_parse("2026-11-22T10:00:02.4711230Z", &t), 0);
	ticks_format(t, buf);
	assert_string_equal(buf, "2026-11-22T10:00:02.4711230Z");
	ticks_format(0, buf);
	assert_string_equal(buf, "1970-01-01T00:00:00.0000000Z");
	ticks_format(TICKS_PER_SEC * 951782400LL + 1, buf); /* 2000-02-29 */
	assert_string_equal(buf, "2000-02-29T00:00:00.0000001Z");
	ticks_format(-1, buf);
	assert_string_equal(buf, "1969-12-31T23:59:59.9999999Z");
}

static void
ticks_parse_variants(void **state)
{
	ticks_t t;

	(void)state;
	assert_int_equal(ticks_parse("1970-01-01T00:00:01Z", &t), 0);
	assert_int_equal(t, TICKS_PER_SEC);
	assert_int_equal(ticks_parse("1970-01-01T00:00:01.5Z", &t), 0);
	assert_int_equal(t, TICKS_PER_SEC + TICKS_PER_SEC / 2);
	assert_int_equal(ticks_parse("1970-01-01T00:00:00.0000001+00:00", &t),
			 0);
	assert_int_equal(t, 1);
	assert_int_equal(ticks_parse("2024-02-29T23:59:59Z", &t), 0);
	assert_int_equal(t, TICKS_PER_SEC * 1709251199LL);
}

static void
ticks_malformed_refused(void **state)
{
	static const char *const bad[] = {
	    "",
	    "2026-11-22T10:00:02.47112301Z", /* 8 fractional digits */
	    "2026-11-22T10:00:02.4711230",   /* no zone */
	    "2026-11-22T10:00:02.Z",
	    "2026-11-22 10:00:02Z",
	    "2026-02-30T10:00:02Z",
	    "2025-02-29T10:00:02Z",
	    "2026-13-01T10:00:02Z",
	    "2026-11-22T24:00:00Z",
	    "2026-11-22T10:60:00Z",
	    "2026-11-22T10:00:02Zjunk",
	    "2026-11-22T10:00:02+01:00",
	    "26-11-22T10:00:02Z",
	};
	ticks_t t = 42;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(ticks_parse(bad[i], &t), -1);
	assert_int_equal(ticks_parse(NULL, &t), -1);
	assert_int_equal(t, 42);
}

static void
ticks_now_follows_the_clock(void **state)
{
	ticks_t now = ticks_now();
	ticks_t wall = (ticks_t)time(NULL) * TICKS_PER_SEC;

	(void)state;
	assert_true(now >= wall - 2 * TICKS_PER_SEC);
	assert_true(now <= wall + 2 * TICKS_PER_SEC);
}

static void
endpoint_brackets_ipv6(void **state)
{
	struct member m;
	char buf[300];

	(void)state;
	memset(&m, 0, sizeof(m));
	strcpy(m.http_ip, "127.0.0.1");
	m.http_port = 2113;
	member_endpoint(&m, buf, sizeof(buf));
	assert_string_equal(buf, "127.0.0.1:2113");
	strcpy(m.http_ip, "::1");
	member_endpoint(&m, buf, sizeof(buf));
	assert_string_equal(buf, "[::1]:2113");
}

static void
update_applies_only_flagged_fields(void **state)
{
	struct member m;
	struct member_update u;

	(void)state;
	memset(&m, 0, sizeof(m));
	memset(&u, 0, sizeof(u));
	m.state = MS_FOLLOWER;
	m.writer_checkpoint = 5;
	m.epoch_number = 3;
	u.fields = MU_STATE | MU_EPOCH_NUMBER;
	u.state = MS_LEADER;
	u.epoch_number = 7;
	u.writer_checkpoint = 99; /* not flagged */
	member_update_apply(&u, &m);
	assert_int_equal(m.state, MS_LEADER);
	assert_int_equal(m.epoch_number, 7);
	assert_int_equal(m.writer_checkpoint, 5);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(state_names_round_trip),
	    cmocka_unit_test(state_old_names_accepted),
	    cmocka_unit_test(state_unknown_name_refused),
	    cmocka_unit_test(guid_round_trip_lowercase),
	    cmocka_unit_test(guid_malformed_refused),
	    cmocka_unit_test(guid_random_is_version4_and_distinct),
	    cmocka_unit_test(ticks_format_spec_example),
	    cmocka_unit_test(ticks_parse_variants),
	    cmocka_unit_test(ticks_malformed_refused),
	    cmocka_unit_test(ticks_now_follows_the_clock),
	    cmocka_unit_test(endpoint_brackets_ipv6),
	    cmocka_unit_test(update_applies_only_flagged_fields),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
