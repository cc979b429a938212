/*
 * cluster_self_from_config: our own entry as the configuration describes
 * it (SPEC.md sections 1 and 6). Pure apart from the random instanceId.
 */
#include "cluster.h"

#include <stdio.h>
#include <string.h>

int
cluster_self_from_config(const struct gossipd_config *cfg, ticks_t now,
			 struct member *out, char *err, size_t errlen)
{
	const char *host = options_advertised_host(cfg);
	const char *repl =
	    cfg->replication_ip != NULL ? cfg->replication_ip : "";
	struct member m;

	memset(&m, 0, sizeof(m));
	if (host == NULL || strlen(host) >= MEMBER_HOST_MAX ||
	    strlen(repl) >= MEMBER_HOST_MAX) {
		snprintf(err, errlen,
			 "advertised or replication host is "
			 "missing or too long");
		return -1;
	}
	if (guid_random(&m.instance_id) < 0) {
		snprintf(err, errlen, "no randomness for the instanceId");
		return -1;
	}
	m.state = MS_UNKNOWN;
	if (cfg->initial_state != NULL &&
	    member_state_parse(cfg->initial_state, &m.state) < 0) {
		snprintf(err, errlen, "InitialState: unknown member state");
		return -1;
	}
	m.timestamp = now;
	m.is_alive = true;
	snprintf(m.internal_tcp_ip, sizeof(m.internal_tcp_ip), "%s", repl);
	snprintf(m.external_tcp_ip, sizeof(m.external_tcp_ip), "%s", host);
	snprintf(m.internal_http_ip, sizeof(m.internal_http_ip), "%s", host);
	snprintf(m.http_ip, sizeof(m.http_ip), "%s", host);
	m.http_port = m.internal_http_port = options_advertised_port(cfg);
	if (cfg->insecure) {
		m.internal_tcp_port = cfg->replication_port;
		m.external_tcp_port = cfg->node_tcp_port;
	} else {
		m.internal_secure_tcp_port = cfg->replication_port;
		m.external_secure_tcp_port = cfg->node_tcp_port;
	}
	m.last_commit_position = -1;
	m.writer_checkpoint = -1;
	m.chaser_checkpoint = -1;
	m.epoch_position = -1;
	m.epoch_number = -1;
	m.node_priority = cfg->node_priority;
	m.is_read_only_replica = cfg->read_only_replica;
	if (cfg->advertise_host_to_client_as != NULL)
		snprintf(m.advertise_host_to_client_as,
			 sizeof(m.advertise_host_to_client_as), "%s",
			 cfg->advertise_host_to_client_as);
	m.advertise_http_port_to_client_as =
	    cfg->advertise_node_port_to_client_as != 0
		? cfg->advertise_node_port_to_client_as
		: cfg->advertise_http_port_to_client_as;
	m.advertise_tcp_port_to_client_as =
	    cfg->advertise_tcp_port_to_client_as;
	snprintf(m.es_version, sizeof(m.es_version), "gossipd %s",
		 GOSSIPD_VERSION);
	*out = m;
	return 0;
}
