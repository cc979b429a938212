/*
 * gossip_pb: ClusterInfo (proto/gossip.proto) from and to the member
 * table's document, with protobuf-c's generated code.
 *
 * The wire contract is KurrentDB's: instance_id is the structured UUID
 * (two big-endian int64 halves of the GUID in text order, which is what
 * the server sends and every client reads; the string form is accepted
 * when decoding), time_stamp is 100-nanosecond ticks since the Unix
 * epoch, state the VNodeState number, http_end_point the client-facing
 * endpoint (AdvertiseHostToClientAs / AdvertiseNodePortToClientAs when
 * the member has them).
 */
#include "gossip_pb.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gossip.pb-c.h"
#include "shared.pb-c.h"

typedef EventStore__Client__Gossip__ClusterInfo pb_cluster;
typedef EventStore__Client__Gossip__MemberInfo pb_member;
typedef EventStore__Client__Gossip__EndPoint pb_endpoint;
typedef EventStore__Client__UUID pb_uuid;
typedef EventStore__Client__UUID__Structured pb_uuid_s;

void
gossip_pb_guid_split(const struct guid *g, int64_t *msb, int64_t *lsb)
{
	uint64_t hi = 0, lo = 0;

	for (int i = 0; i < 8; i++) {
		hi = hi << 8 | g->b[i];
		lo = lo << 8 | g->b[i + 8];
	}
	*msb = (int64_t)hi;
	*lsb = (int64_t)lo;
}

void
gossip_pb_guid_join(int64_t msb, int64_t lsb, struct guid *g)
{
	uint64_t hi = (uint64_t)msb, lo = (uint64_t)lsb;

	for (int i = 7; i >= 0; i--) {
		g->b[i] = (uint8_t)hi;
		g->b[i + 8] = (uint8_t)lo;
		hi >>= 8;
		lo >>= 8;
	}
}

/* The arrays of one message: one allocation per kind, freed together. */
struct pb_parts {
	pb_member *m;
	pb_member **mp;
	pb_endpoint *ep;
	pb_uuid *id;
	pb_uuid_s *ids;
};

static void
parts_free(struct pb_parts *p)
{
	free(p->m);
	free(p->mp);
	free(p->ep);
	free(p->id);
	free(p->ids);
}

uint8_t *
gossip_pb_encode(const struct cluster_doc *doc, size_t *len)
{
	pb_cluster ci = EVENT_STORE__CLIENT__GOSSIP__CLUSTER_INFO__INIT;
	struct pb_parts p;
	size_t n = doc->n > 0 ? doc->n : 1, body;
	uint8_t *out = NULL;

	p.m = calloc(n, sizeof(*p.m));
	p.mp = calloc(n, sizeof(*p.mp));
	p.ep = calloc(n, sizeof(*p.ep));
	p.id = calloc(n, sizeof(*p.id));
	p.ids = calloc(n, sizeof(*p.ids));
	if (p.m == NULL || p.mp == NULL || p.ep == NULL || p.id == NULL ||
	    p.ids == NULL)
		goto out;
	for (size_t i = 0; i < doc->n; i++) {
		const struct member *src = &doc->members[i];
		const char *host;
		int port;

		event_store__client__gossip__member_info__init(&p.m[i]);
		event_store__client__gossip__end_point__init(&p.ep[i]);
		event_store__client__uuid__init(&p.id[i]);
		event_store__client__uuid__structured__init(&p.ids[i]);
		gossip_pb_guid_split(&src->instance_id,
				     &p.ids[i].most_significant_bits,
				     &p.ids[i].least_significant_bits);
		p.id[i].value_case =
		    EVENT_STORE__CLIENT__UUID__VALUE_STRUCTURED;
		p.id[i].structured = &p.ids[i];
		member_client_endpoint(src, &host, &port);
		p.ep[i].address = (char *)host;
		p.ep[i].port = port > 0 ? (uint32_t)port : 0;
		p.m[i].instance_id = &p.id[i];
		p.m[i].time_stamp = src->timestamp;
		p.m[i].state =
		    (EventStore__Client__Gossip__MemberInfo__VNodeState)
			src->state;
		p.m[i].is_alive = src->is_alive;
		p.m[i].http_end_point = &p.ep[i];
		p.mp[i] = &p.m[i];
	}
	ci.n_members = doc->n;
	ci.members = p.mp;
	body = event_store__client__gossip__cluster_info__get_packed_size(&ci);
	if (body > UINT32_MAX || (out = malloc(GRPC_PREFIX_LEN + body)) == NULL)
		goto out;
	out[0] = 0; /* not compressed */
	out[1] = (uint8_t)(body >> 24);
	out[2] = (uint8_t)(body >> 16);
	out[3] = (uint8_t)(body >> 8);
	out[4] = (uint8_t)body;
	event_store__client__gossip__cluster_info__pack(&ci,
							out + GRPC_PREFIX_LEN);
	*len = GRPC_PREFIX_LEN + body;
out:
	parts_free(&p);
	return out;
}

static int
decode_member(const pb_member *in, struct member *m, char *err, size_t errlen)
{
	const pb_endpoint *ep = in->http_end_point;

	memset(m, 0, sizeof(*m));
	if (in->instance_id != NULL &&
	    in->instance_id->value_case ==
		EVENT_STORE__CLIENT__UUID__VALUE_STRUCTURED &&
	    in->instance_id->structured != NULL) {
		gossip_pb_guid_join(
		    in->instance_id->structured->most_significant_bits,
		    in->instance_id->structured->least_significant_bits,
		    &m->instance_id);
	} else if (in->instance_id != NULL &&
		   in->instance_id->value_case ==
		       EVENT_STORE__CLIENT__UUID__VALUE_STRING &&
		   guid_parse(in->instance_id->string, &m->instance_id) != 0) {
		snprintf(err, errlen, "instance_id is not a UUID");
		return -1;
	}
	if ((int)in->state < 0 || (int)in->state >= MS__COUNT) {
		snprintf(err, errlen, "unknown state %d", (int)in->state);
		return -1;
	}
	if (ep == NULL || ep->address == NULL || ep->address[0] == '\0' ||
	    strlen(ep->address) >= MEMBER_HOST_MAX || ep->port == 0 ||
	    ep->port > 65535) {
		snprintf(err, errlen,
			 "a member without a valid http_end_point");
		return -1;
	}
	m->timestamp = in->time_stamp;
	m->state = (enum member_state)in->state;
	m->is_alive = in->is_alive;
	snprintf(m->http_ip, sizeof(m->http_ip), "%s", ep->address);
	m->http_port = (int)ep->port;
	snprintf(m->internal_http_ip, sizeof(m->internal_http_ip), "%s",
		 ep->address);
	m->internal_http_port = (int)ep->port;
	m->epoch_number = -1;
	return 0;
}

int
gossip_pb_decode(const uint8_t *buf, size_t len, size_t max_members,
		 struct cluster_doc *doc, char *err, size_t errlen)
{
	pb_cluster *ci;
	int ret = 0;

	memset(doc, 0, sizeof(*doc));
	ci = event_store__client__gossip__cluster_info__unpack(NULL, len, buf);
	if (ci == NULL) {
		snprintf(err, errlen, "not a ClusterInfo message");
		return -1;
	}
	if (ci->n_members > max_members) {
		snprintf(err, errlen, "%zu members, more than %zu",
			 ci->n_members, max_members);
		ret = -1;
	} else if (ci->n_members > 0 &&
		   (doc->members =
			calloc(ci->n_members, sizeof(*doc->members))) == NULL) {
		snprintf(err, errlen, "out of memory");
		ret = -1;
	}
	for (size_t i = 0; ret == 0 && i < ci->n_members; i++) {
		char why[160];

		if (decode_member(ci->members[i], &doc->members[i], why,
				  sizeof(why)) != 0) {
			snprintf(err, errlen, "member %zu: %s", i + 1, why);
			ret = -1;
		}
		doc->n = i + 1;
	}
	event_store__client__gossip__cluster_info__free_unpacked(ci, NULL);
	if (ret != 0)
		cluster_doc_free(doc);
	return ret;
}

static const char *const grpc_status_names[GOSSIP_PB_GRPC_STATUSES] = {
    "OK",
    "CANCELLED",
    "UNKNOWN",
    "INVALID_ARGUMENT",
    "DEADLINE_EXCEEDED",
    "NOT_FOUND",
    "ALREADY_EXISTS",
    "PERMISSION_DENIED",
    "RESOURCE_EXHAUSTED",
    "FAILED_PRECONDITION",
    "ABORTED",
    "OUT_OF_RANGE",
    "UNIMPLEMENTED",
    "INTERNAL",
    "UNAVAILABLE",
    "DATA_LOSS",
    "UNAUTHENTICATED",
};

const char *
gossip_pb_grpc_status_name(int code)
{
	if (code < 0 || code >= GOSSIP_PB_GRPC_STATUSES)
		return NULL;
	return grpc_status_names[code];
}
