/*
 * member: one entry of the gossip document (SPEC.md section 1), its
 * states, GUIDs and timestamps.
 */
#ifndef GOSSIP_MEMBER_H
#define GOSSIP_MEMBER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MEMBER_HOST_MAX	   256 /* a DNS name is at most 253 octets */
#define MEMBER_VERSION_MAX 64

enum member_state {
	MS_INITIALIZING = 0,
	MS_DISCOVER_LEADER = 1,
	MS_UNKNOWN = 2,
	MS_PRE_REPLICA = 3,
	MS_CATCHING_UP = 4,
	MS_CLONE = 5,
	MS_FOLLOWER = 6,
	MS_PRE_LEADER = 7,
	MS_LEADER = 8,
	MS_MANAGER = 9,
	MS_SHUTTING_DOWN = 10,
	MS_SHUTDOWN = 11,
	MS_READ_ONLY_LEADERLESS = 12,
	MS_PRE_READ_ONLY_REPLICA = 13,
	MS_READ_ONLY_REPLICA = 14,
	MS_RESIGNING_LEADER = 15,
	MS__COUNT
};

/* A GUID as 16 bytes, in the order of its text form. */
struct guid {
	uint8_t b[16];
};

/*
 * Timestamps are 100-nanosecond ticks since the Unix epoch, UTC: the
 * resolution of the 7 fractional digits on the wire.
 */
typedef int64_t ticks_t;
#define TICKS_PER_SEC 10000000LL
#define TICKS_PER_MS  10000LL

struct member {
	struct guid instance_id;
	ticks_t timestamp;
	enum member_state state;
	bool is_alive;
	char internal_tcp_ip[MEMBER_HOST_MAX];
	int internal_tcp_port;
	int internal_secure_tcp_port;
	char external_tcp_ip[MEMBER_HOST_MAX];
	int external_tcp_port;
	int external_secure_tcp_port;
	char internal_http_ip[MEMBER_HOST_MAX];
	int internal_http_port;
	char http_ip[MEMBER_HOST_MAX];
	int http_port;
	int64_t last_commit_position;
	int64_t writer_checkpoint;
	int64_t chaser_checkpoint;
	int64_t epoch_position;
	int64_t epoch_number;
	struct guid epoch_id;
	int64_t node_priority;
	bool is_read_only_replica;
	char es_version[MEMBER_VERSION_MAX];
	/* Where this member's clients connect, when not its own endpoint
	 * (KurrentDB's AdvertiseHostToClientAs, AdvertiseNodePortToClientAs
	 * / AdvertiseHttpPortToClientAs, AdvertiseTcpPortToClientAs): ""
	 * and 0 when unset. Carried in node-to-node gossip; the client views
	 * apply them (member_client_view). */
	char advertise_host_to_client_as[MEMBER_HOST_MAX];
	int advertise_http_port_to_client_as;
	int advertise_tcp_port_to_client_as;
};

/* Canonical name ("Leader"); NULL for a value out of range. */
const char *member_state_name(enum member_state s);
/*
 * Parses a state name: the 16 names (exact case as on the wire, also
 * accepted case-insensitively) and the old Master, Slave, PreMaster.
 * Returns 0, or -1 for an unknown name.
 */
int member_state_parse(const char *name, enum member_state *out);

/* Writes the lowercase 8-4-4-4-12 form; buf must hold 37 bytes. */
void guid_format(const struct guid *g, char buf[37]);
/* Parses 8-4-4-4-12 hex (either case). Returns 0 or -1. */
int guid_parse(const char *s, struct guid *out);
/* 16 random bytes as a version-4 GUID; returns 0 or -1. */
int guid_random(struct guid *out);
bool guid_is_zero(const struct guid *g);

/* Current time in ticks (CLOCK_REALTIME). */
ticks_t ticks_now(void);
/*
 * "2026-11-22T10:00:02.4711230Z" (always 7 fractional digits).
 * buf must hold 40 bytes.
 */
void ticks_format(ticks_t t, char buf[40]);
/*
 * Parses ISO-8601 UTC with a Z (or +00:00) suffix and 0 to 7 fractional
 * digits. Returns 0 or -1.
 */
int ticks_parse(const char *s, ticks_t *out);

/* The identity of a member: "http_ip:http_port" (buf of 300 bytes). */
void member_endpoint(const struct member *m, char *buf, size_t len);

/*
 * Where a client of the member connects (the gRPC http_end_point and the
 * client view of GET /gossip): the advertised host and port when set,
 * else its own endpoint.
 */
void member_client_endpoint(const struct member *m, const char **host,
			    int *port);
/* True when any of the three advertise-to-client fields is set. */
bool member_advertises(const struct member *m);
/*
 * The member as clients see it, as KurrentDB's client-facing gossip
 * shows it: httpEndPoint from the advertised host/port (the member's own
 * stays in internalHttpEndPoint), externalTcpIp the advertised host,
 * externalTcpPort/externalSecureTcpPort the advertised TCP port; the
 * advertise fields themselves are not shown.
 */
void member_client_view(const struct member *m, struct member *out);

/*
 * A partial update of the self entry, as sent by the co-located process
 * to PUT /admin/member: only the fields flagged in "fields" are set.
 */
enum member_update_field {
	MU_STATE = 1u << 0,
	MU_WRITER_CHECKPOINT = 1u << 1,
	MU_CHASER_CHECKPOINT = 1u << 2,
	MU_LAST_COMMIT_POSITION = 1u << 3,
	MU_EPOCH_POSITION = 1u << 4,
	MU_EPOCH_NUMBER = 1u << 5,
	MU_EPOCH_ID = 1u << 6,
	MU_NODE_PRIORITY = 1u << 7,
	MU_IS_READ_ONLY_REPLICA = 1u << 8,
	MU_ADVERTISE_HOST = 1u << 9,
	MU_ADVERTISE_HTTP_PORT = 1u << 10,
	MU_ADVERTISE_TCP_PORT = 1u << 11,
};

struct member_update {
	unsigned fields; /* enum member_update_field bits */
	enum member_state state;
	int64_t writer_checkpoint;
	int64_t chaser_checkpoint;
	int64_t last_commit_position;
	int64_t epoch_position;
	int64_t epoch_number;
	struct guid epoch_id;
	int64_t node_priority;
	bool is_read_only_replica;
	char advertise_host_to_client_as[MEMBER_HOST_MAX];
	int advertise_http_port_to_client_as;
	int advertise_tcp_port_to_client_as;
};

/* Copies the flagged fields of u into m. */
void member_update_apply(const struct member_update *u, struct member *m);

#endif
