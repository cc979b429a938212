/*
 * options: the one option table and the loaders that fill a config from
 * it (defaults, YAML file, environment, command line, in that order).
 *
 * Every value, whatever its source, goes through set_value(): the same
 * parsing, bounds and messages. Loading never touches a live config; it
 * builds a new one and returns it whole, or NULL and a reason.
 */
#include "member.h"
#include "num.h"
#include "options.h"
#include "options_impl.h"

#include "log.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define OFF(f) offsetof(struct gossipd_config, f)

/*
 * The table. Its order is the --what-if, --help and documentation order.
 * Defaults are text and go through the same parser as every other value.
 */
static const struct opt_def opt_table[] = {
    {"NodeIp", "node-ip", "GOSSIPD_NODE_IP", OT_IP, 0, 0, "127.0.0.1",
     O_NONEMPTY, OFF(node_ip),
     "IP address the HTTP(S) endpoint listens on (0.0.0.0 or :: for "
     "all)"},
    {"NodePort", "node-port", "GOSSIPD_NODE_PORT", OT_INT, 1, 65535, "2113", 0,
     OFF(node_port), "TCP port of the HTTP(S) endpoint"},
    {"NodeHostAdvertiseAs", "node-host-advertise-as",
     "GOSSIPD_NODE_HOST_ADVERTISE_AS", OT_HOST, 0, 0, NULL, 0,
     OFF(node_host_advertise_as),
     "host name or address advertised as httpEndPointIp (unset: NodeIp)"},
    {"NodePortAdvertiseAs", "node-port-advertise-as",
     "GOSSIPD_NODE_PORT_ADVERTISE_AS", OT_INT, 0, 65535, "0", 0,
     OFF(node_port_advertise_as),
     "port advertised as httpEndPointPort (0: NodePort)"},
    {"AdvertiseHostToClientAs", "advertise-host-to-client-as",
     "GOSSIPD_ADVERTISE_HOST_TO_CLIENT_AS", OT_HOST, 0, 0, NULL, 0,
     OFF(advertise_host_to_client_as),
     "host clients are sent to (client views: gRPC http_end_point, "
     "httpEndPointIp of GET /gossip); unset: the advertised node host"},
    {"AdvertiseNodePortToClientAs", "advertise-node-port-to-client-as",
     "GOSSIPD_ADVERTISE_NODE_PORT_TO_CLIENT_AS", OT_INT, 0, 65535, "0", 0,
     OFF(advertise_node_port_to_client_as),
     "port clients are sent to (0: AdvertiseHttpPortToClientAs, else the "
     "advertised node port)"},
    {"AdvertiseHttpPortToClientAs", "advertise-http-port-to-client-as",
     "GOSSIPD_ADVERTISE_HTTP_PORT_TO_CLIENT_AS", OT_INT, 0, 65535, "0", 0,
     OFF(advertise_http_port_to_client_as),
     "older name of AdvertiseNodePortToClientAs (KurrentDB before 23.10)"},
    {"AdvertiseTcpPortToClientAs", "advertise-tcp-port-to-client-as",
     "GOSSIPD_ADVERTISE_TCP_PORT_TO_CLIENT_AS", OT_INT, 0, 65535, "0", 0,
     OFF(advertise_tcp_port_to_client_as),
     "TCP port clients are sent to (externalTcpPort of GET /gossip; 0: "
     "NodeTcpPort)"},
    {"ReplicationIp", "replication-ip", "GOSSIPD_REPLICATION_IP", OT_IP, 0, 0,
     "127.0.0.1", O_NONEMPTY, OFF(replication_ip),
     "address reported as internalTcpIp"},
    {"ReplicationPort", "replication-port", "GOSSIPD_REPLICATION_PORT", OT_INT,
     1, 65535, "1112", 0, OFF(replication_port),
     "port reported as internalSecureTcpPort (internalTcpPort when "
     "insecure)"},
    {"NodeTcpPort", "node-tcp-port", "GOSSIPD_NODE_TCP_PORT", OT_INT, 0, 65535,
     "0", 0, OFF(node_tcp_port),
     "port reported as externalTcpPort/externalSecureTcpPort (0: none)"},
    {"ClusterSize", "cluster-size", "GOSSIPD_CLUSTER_SIZE", OT_INT, 1, 1024,
     "1", 0, OFF(cluster_size), "number of members; 1 = no gossip rounds"},
    {"GossipSeed", "gossip-seed", "GOSSIPD_GOSSIP_SEED", OT_SEEDS, 0, 0, NULL,
     O_RELOAD, OFF(seeds),
     "seed endpoints, host:port[,host:port...] ([v6]:port for IPv6)"},
    {"DiscoverViaDns", "discover-via-dns", "GOSSIPD_DISCOVER_VIA_DNS", OT_BOOL,
     0, 0, "false", O_RELOAD, OFF(discover_via_dns),
     "use every A/AAAA record of ClusterDns as a seed"},
    {"ClusterDns", "cluster-dns", "GOSSIPD_CLUSTER_DNS", OT_HOST, 0, 0, NULL,
     O_RELOAD, OFF(cluster_dns), "DNS name whose records are the seeds"},
    {"ClusterGossipPort", "cluster-gossip-port", "GOSSIPD_CLUSTER_GOSSIP_PORT",
     OT_INT, 1, 65535, "2113", O_RELOAD, OFF(cluster_gossip_port),
     "port of the seeds found through DNS"},
    {"GossipIntervalMs", "gossip-interval-ms", "GOSSIPD_GOSSIP_INTERVAL_MS",
     OT_INT, 1, 3600000, "2000", O_RELOAD, OFF(gossip_interval_ms),
     "milliseconds between gossip rounds"},
    {"GossipTimeoutMs", "gossip-timeout-ms", "GOSSIPD_GOSSIP_TIMEOUT_MS",
     OT_INT, 1, 3600000, "2500", O_RELOAD, OFF(gossip_timeout_ms),
     "deadline of one gossip exchange, in milliseconds"},
    {"GossipAllowedDifferenceMs", "gossip-allowed-difference-ms",
     "GOSSIPD_GOSSIP_ALLOWED_DIFFERENCE_MS", OT_INT, 1, 86400000, "60000",
     O_RELOAD, OFF(gossip_allowed_difference_ms),
     "clock difference to a peer, in milliseconds, that is logged as "
     "skew"},
    {"GossipFanout", "gossip-fanout", "GOSSIPD_GOSSIP_FANOUT", OT_INT, 1, 16,
     "1", O_RELOAD, OFF(gossip_fanout), "members contacted in each round"},
    {"GossipSuspicionMult", "gossip-suspicion-mult",
     "GOSSIPD_GOSSIP_SUSPICION_MULT", OT_INT, 0, 100, "4", O_RELOAD,
     OFF(gossip_suspicion_mult),
     "a member that fails an exchange is suspect, and dead only after "
     "max(GossipSuspicionMinMs, this * max(1, log10(members)) * "
     "GossipIntervalMs) without a sign of life; 0: dead at once"},
    {"GossipSuspicionMinMs", "gossip-suspicion-min-ms",
     "GOSSIPD_GOSSIP_SUSPICION_MIN_MS", OT_INT, 0, 3600000, "5000", O_RELOAD,
     OFF(gossip_suspicion_min_ms),
     "the least suspicion timeout, in milliseconds"},
    {"ClusterId", "cluster-id", "GOSSIPD_CLUSTER_ID", OT_STRING, 0, 0, NULL, 0,
     OFF(cluster_id),
     "the cluster's name (letters, digits, '.', '_', '-'; at most 64): "
     "sent beside every gossip exchange, and an exchange with a node of "
     "another (or no) ClusterId is refused both ways"},
    {"GossipIndirectChecks", "gossip-indirect-checks",
     "GOSSIPD_GOSSIP_INDIRECT_CHECKS", OT_INT, 0, 16, "3", O_RELOAD,
     OFF(gossip_indirect_checks),
     "members asked to reach a suspect member for us (POST "
     "/gossip/probe)"},
    {"DeadMemberRemovalPeriodSec", "dead-member-removal-period-sec",
     "GOSSIPD_DEAD_MEMBER_REMOVAL_PERIOD_SEC", OT_INT, 1, 31536000, "1800",
     O_RELOAD, OFF(dead_member_removal_period_sec),
     "seconds after which a dead member is dropped"},
    {"NodePriority", "node-priority", "GOSSIPD_NODE_PRIORITY", OT_INT, INT_MIN,
     INT_MAX, "0", 0, OFF(node_priority),
     "nodePriority reported in the self entry"},
    {"ReadOnlyReplica", "read-only-replica", "GOSSIPD_READ_ONLY_REPLICA",
     OT_BOOL, 0, 0, "false", 0, OFF(read_only_replica),
     "isReadOnlyReplica reported in the self entry"},
    {"InitialState", "initial-state", "GOSSIPD_INITIAL_STATE", OT_STATE, 0, 0,
     "Unknown", O_NONEMPTY, OFF(initial_state),
     "state of the self entry at start (Leader, Follower, ...)"},
    {"Insecure", "insecure", "GOSSIPD_INSECURE", OT_BOOL, 0, 0, "false", 0,
     OFF(insecure), "serve plain HTTP and skip all certificate work"},
    {"CertificateFile", "certificate-file", "GOSSIPD_CERTIFICATE_FILE", OT_PATH,
     0, 0, NULL, O_RELOAD, OFF(certificate_file),
     "node certificate: PEM bundle (with CertificatePrivateKeyFile) or "
     "PKCS#12"},
    {"CertificatePassword", "certificate-password",
     "GOSSIPD_CERTIFICATE_PASSWORD", OT_STRING, 0, 0, NULL, O_SECRET | O_RELOAD,
     OFF(certificate_password), "password of a PKCS#12 CertificateFile"},
    {"CertificatePrivateKeyFile", "certificate-private-key-file",
     "GOSSIPD_CERTIFICATE_PRIVATE_KEY_FILE", OT_PATH, 0, 0, NULL, O_RELOAD,
     OFF(certificate_private_key_file),
     "PEM private key of the node certificate (mode 0600)"},
    {"CertificatePrivateKeyPassword", "certificate-private-key-password",
     "GOSSIPD_CERTIFICATE_PRIVATE_KEY_PASSWORD", OT_STRING, 0, 0, NULL,
     O_SECRET | O_RELOAD, OFF(certificate_private_key_password),
     "password of an encrypted CertificatePrivateKeyFile"},
    {"TrustedRootCertificatesPath", "trusted-root-certificates-path",
     "GOSSIPD_TRUSTED_ROOT_CERTIFICATES_PATH", OT_PATH, 0, 0, "/etc/ssl/certs",
     O_NONEMPTY | O_RELOAD, OFF(trusted_root_certificates_path),
     "directory or file of trusted root certificates"},
    {"CertificateReservedNodeCommonName",
     "certificate-reserved-node-common-name",
     "GOSSIPD_CERTIFICATE_RESERVED_NODE_COMMON_NAME", OT_HOST, 0, 0, NULL,
     O_RELOAD | O_WILDCARD, OFF(certificate_reserved_node_common_name),
     "CN that makes a client a node: exact or *.domain (unset: own CN)"},
    {"CertificateRevocationListFile", "certificate-revocation-list-file",
     "GOSSIPD_CERTIFICATE_REVOCATION_LIST_FILE", OT_PATH, 0, 0, NULL, O_RELOAD,
     OFF(certificate_revocation_list_file),
     "PEM or DER CRL(s), each signed by a trusted CA; checked for peers "
     "both ways"},
    {"CertificateRevocationListStaleRefusesAll",
     "certificate-revocation-list-stale-refuses-all",
     "GOSSIPD_CERTIFICATE_REVOCATION_LIST_STALE_REFUSES_ALL", OT_BOOL, 0, 0,
     "false", O_RELOAD, OFF(certificate_revocation_list_stale_refuses_all),
     "a CRL past its nextUpdate refuses every certificate of its CA "
     "(false: it keeps refusing what it lists, logged hourly)"},
    {"GossipRequiresClientCert", "gossip-requires-client-cert",
     "GOSSIPD_GOSSIP_REQUIRES_CLIENT_CERT", OT_BOOL, 0, 0, "false", O_RELOAD,
     OFF(gossip_requires_client_cert),
     "GET /gossip only with a trusted certificate usable for client "
     "authentication"},
    {"MetricsRequiresNode", "metrics-requires-node",
     "GOSSIPD_METRICS_REQUIRES_NODE", OT_BOOL, 0, 0, "false", O_RELOAD,
     OFF(metrics_requires_node), "GET /metrics only for nodes"},
    {"MetricsRequiresClientCert", "metrics-requires-client-cert",
     "GOSSIPD_METRICS_REQUIRES_CLIENT_CERT", OT_BOOL, 0, 0, "false", O_RELOAD,
     OFF(metrics_requires_client_cert),
     "GET /metrics only with a trusted client certificate (a scraper "
     "needs no node certificate)"},
    {"AdminOverHttps", "admin-over-https", "GOSSIPD_ADMIN_OVER_HTTPS", OT_BOOL,
     0, 0, "false", 0, OFF(admin_over_https),
     "PUT /admin/member and POST /admin/reloadconfig also over HTTPS, for "
     "nodes (otherwise the admin socket only)"},
    {"TlsSessionCacheSize", "tls-session-cache-size",
     "GOSSIPD_TLS_SESSION_CACHE_SIZE", OT_INT, 0, 1000000, "1024", 0,
     OFF(tls_session_cache_size),
     "TLS sessions kept for resumption (0: no cache)"},
    {"MaxConnections", "max-connections", "GOSSIPD_MAX_CONNECTIONS", OT_INT, 1,
     1000000, "1024", O_RELOAD, OFF(max_connections),
     "open connections at most, in total"},
    {"MaxConnectionsPerIp", "max-connections-per-ip",
     "GOSSIPD_MAX_CONNECTIONS_PER_IP", OT_INT, 1, 1000000, "64", O_RELOAD,
     OFF(max_connections_per_ip), "open connections at most per peer"},
    {"MaxConnectionsPerIpV6Prefix", "max-connections-per-ip-v6-prefix",
     "GOSSIPD_MAX_CONNECTIONS_PER_IP_V6_PREFIX", OT_INT, 1, 128, "64", O_RELOAD,
     OFF(max_connections_per_ip_v6_prefix),
     "IPv6 peers count as one address per prefix of this length, for "
     "MaxConnectionsPerIp"},
    {"HandshakeTimeoutMs", "handshake-timeout-ms",
     "GOSSIPD_HANDSHAKE_TIMEOUT_MS", OT_INT, 1, 600000, "5000", O_RELOAD,
     OFF(handshake_timeout_ms), "deadline of a TLS handshake"},
    {"RequestTimeoutMs", "request-timeout-ms", "GOSSIPD_REQUEST_TIMEOUT_MS",
     OT_INT, 1, 600000, "10000", O_RELOAD, OFF(request_timeout_ms),
     "deadline for the headers and body of a request"},
    {"IdleTimeoutSec", "idle-timeout-sec", "GOSSIPD_IDLE_TIMEOUT_SEC", OT_INT,
     1, 86400, "60", O_RELOAD, OFF(idle_timeout_sec),
     "seconds a keep-alive connection may stay idle"},
    {"MaxBodyBytes", "max-body-bytes", "GOSSIPD_MAX_BODY_BYTES", OT_INT, 1024,
     67108864, "1048576", O_RELOAD, OFF(max_body_bytes),
     "largest request body accepted"},
    {"MaxMembers", "max-members", "GOSSIPD_MAX_MEMBERS", OT_INT, 1, 65536,
     "256", 0, OFF(max_members),
     "members kept in the cluster table besides this node (dead ones and "
     "unanswered seeds make room for a live newcomer); a gossip document "
     "may list at most MaxMembers + 65 entries (its sender and up to 64 "
     "seed placeholders beside them), a larger one is refused"},
    {"Workers", "workers", "GOSSIPD_WORKERS", OT_INT, 0, 256, "0", 0,
     OFF(workers), "worker threads (0: one per CPU)"},
    {"AdminSocket", "admin-socket", "GOSSIPD_ADMIN_SOCKET", OT_PATH, 0, 0,
     "/run/gossipd/admin.sock", 0, OFF(admin_socket),
     "local Unix socket for member set and reload (empty: none)"},
    {"AdminSocketGroup", "admin-socket-group", "GOSSIPD_ADMIN_SOCKET_GROUP",
     OT_STRING, 0, 0, NULL, 0, OFF(admin_socket_group),
     "group given the admin socket, mode 0660 (another user's database "
     "may report its state); empty: owner only, 0600"},
    {"RunAsUser", "run-as-user", "GOSSIPD_RUN_AS_USER", OT_STRING, 0, 0,
     "gossipd", 0, OFF(run_as_user),
     "user to drop to when started as root (empty: no drop)"},
    {"RunAsGroup", "run-as-group", "GOSSIPD_RUN_AS_GROUP", OT_STRING, 0, 0,
     "gossipd", 0, OFF(run_as_group), "group to drop to when started as root"},
    {"AllowRoot", "allow-root", "GOSSIPD_ALLOW_ROOT", OT_BOOL, 0, 0, "false", 0,
     OFF(allow_root), "allow running as root without dropping"},
    {"LogLevel", "log-level", "GOSSIPD_LOG_LEVEL", OT_LOG_LEVEL, 0, 0, "info",
     O_NONEMPTY | O_RELOAD, OFF(log_level), "debug, info, warn or error"},
    {"LogFormat", "log-format", "GOSSIPD_LOG_FORMAT", OT_LOG_FORMAT, 0, 0,
     "text", O_NONEMPTY | O_RELOAD, OFF(log_format),
     "text or json (one JSON object per line)"},
};

#define opt_count (sizeof(opt_table) / sizeof(opt_table[0]))

const struct opt_def *
opt_defs(size_t *n)
{
	*n = opt_count;
	return opt_table;
}

/* KurrentDB's Windows certificate-store options. */
static const char *const win_store_keys[] = {
    "CertificateStoreLocation",
    "CertificateStoreName",
    "CertificateSubjectName",
    "CertificateThumbprint",
    "TrustedRootCertificateStoreLocation",
    "TrustedRootCertificateStoreName",
    "TrustedRootCertificateSubjectName",
    "TrustedRootCertificateThumbprint",
};
#define N_WIN_STORE (sizeof(win_store_keys) / sizeof(win_store_keys[0]))

/* ---------------------------------------------------------------- */
/* small helpers */

void
opt_echo(const char *v, char *buf, size_t len)
{
	size_t i = 0;

	for (; *v != '\0' && i + 4 < len && i < OPT_ECHO_MAX; v++) {
		unsigned char c = (unsigned char)*v;

		buf[i++] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
	}
	if (*v != '\0' && i + 4 <= len) {
		memcpy(buf + i, "...", 3);
		i += 3;
	}
	buf[i < len ? i : len - 1] = '\0';
}

const struct opt_def *
opt_by_key(const char *key)
{
	for (size_t i = 0; i < opt_count; i++)
		if (strcasecmp(opt_table[i].key, key) == 0)
			return &opt_table[i];
	return NULL;
}

const struct opt_def *
opt_by_flag(const char *flag, size_t len)
{
	for (size_t i = 0; i < opt_count; i++)
		if (strlen(opt_table[i].flag) == len &&
		    strncasecmp(opt_table[i].flag, flag, len) == 0)
			return &opt_table[i];
	return NULL;
}

/* Matches an environment name without its prefix ("NODE_IP"). */
const struct opt_def *
opt_by_env_suffix(const char *name, size_t len)
{
	for (size_t i = 0; i < opt_count; i++) {
		const char *e = opt_table[i].env + strlen(OPT_ENV_PREFIX);

		if (strlen(e) == len && strncasecmp(e, name, len) == 0)
			return &opt_table[i];
	}
	return NULL;
}

/* "CertificateThumbprint" as flag ("certificate-thumbprint") or as
 * environment suffix ("CERTIFICATE_THUMBPRINT"). */
static void
key_spell(const char *key, bool env, char *buf, size_t len)
{
	size_t i = 0;

	for (const char *k = key; *k != '\0' && i + 2 < len; k++) {
		if (isupper((unsigned char)*k) && k != key)
			buf[i++] = env ? '_' : '-';
		buf[i++] = env ? (char)toupper((unsigned char)*k)
			       : (char)tolower((unsigned char)*k);
	}
	buf[i] = '\0';
}

/* The Windows option named by a key, flag or environment suffix. */
const char *
opt_win_store_match(const char *name, size_t len, enum opt_spelling how)
{
	char spelled[64];

	for (size_t i = 0; i < N_WIN_STORE; i++) {
		if (how == OS_KEY)
			snprintf(spelled, sizeof(spelled), "%s",
				 win_store_keys[i]);
		else
			key_spell(win_store_keys[i], how == OS_ENV, spelled,
				  sizeof(spelled));
		if (strlen(spelled) == len &&
		    strncasecmp(spelled, name, len) == 0)
			return win_store_keys[i];
	}
	return NULL;
}

const char *
opt_win_store_key(const char *key)
{
	return opt_win_store_match(key, strlen(key), OS_KEY);
}

/* ---------------------------------------------------------------- */
/* values */

static int
parse_bool(const char *v, bool *out)
{
	static const char *const yes[] = {"true", "yes", "on", "1"};
	static const char *const no[] = {"false", "no", "off", "0"};

	for (size_t i = 0; i < 4; i++) {
		if (strcasecmp(v, yes[i]) == 0) {
			*out = true;
			return 0;
		}
		if (strcasecmp(v, no[i]) == 0) {
			*out = false;
			return 0;
		}
	}
	return -1;
}

static int
set_int(int *field, const struct opt_def *d, const char *v, char *err,
	size_t errlen)
{
	char echo[OPT_ECHO_MAX + 8];
	long long x;

	opt_echo(v, echo, sizeof(echo));
	switch (num_parse(v, d->min, d->max, &x)) {
	case NUM_OK:
		*field = (int)x;
		return 0;
	case NUM_INVALID:
		snprintf(err, errlen, "\"%s\" is not an integer", echo);
		return -1;
	default:
		snprintf(err, errlen, "%s is out of range (%lld..%lld)", echo,
			 d->min, d->max);
		return -1;
	}
}

/* A host name or address: at most 253 octets, no blanks or separators. */
int
opt_check_host(const char *v, char *err, size_t errlen)
{
	char echo[OPT_ECHO_MAX + 8];

	opt_echo(v, echo, sizeof(echo));
	if (strlen(v) > 253) {
		snprintf(err, errlen, "\"%s\" is longer than 253 characters",
			 echo);
		return -1;
	}
	for (const char *p = v; *p != '\0'; p++) {
		unsigned char c = (unsigned char)*p;

		if (!isalnum(c) && c != '.' && c != '-' && c != '_' &&
		    c != ':' && c != '*') {
			snprintf(err, errlen,
				 "\"%s\" is not a host name or address", echo);
			return -1;
		}
	}
	return 0;
}

static int
check_ip(const char *v, char *err, size_t errlen)
{
	unsigned char a[16];
	char echo[OPT_ECHO_MAX + 8];

	if (inet_pton(AF_INET, v, a) == 1 || inet_pton(AF_INET6, v, a) == 1)
		return 0;
	opt_echo(v, echo, sizeof(echo));
	snprintf(err, errlen, "\"%s\" is not an IPv4 or IPv6 address", echo);
	return -1;
}

/* A host option: '*' only as "*." in front, and only where allowed. */
static int
check_host_opt(const struct opt_def *d, const char *v, char *err, size_t errlen)
{
	char echo[OPT_ECHO_MAX + 8];

	if (opt_check_host(v, err, errlen) != 0)
		return -1;
	if (strchr(v, '*') == NULL)
		return 0;
	if ((d->flags & O_WILDCARD) && strncmp(v, "*.", 2) == 0 &&
	    strchr(v + 1, '*') == NULL)
		return 0;
	opt_echo(v, echo, sizeof(echo));
	snprintf(err, errlen,
		 "\"%s\": '*' is only allowed as the whole first label of a "
		 "common name (*.domain)",
		 echo);
	return -1;
}

/* Canonical state name for v (old names mapped to new ones), or NULL. */
static const char *
state_canonical(const char *v)
{
	enum member_state st;

	if (member_state_parse(v, &st) < 0)
		return NULL;
	return member_state_name(st);
}

/* Checks and canonicalises a string value; *canon is what gets stored. */
static int
check_string(const struct opt_def *d, const char *v, const char **canon,
	     char *err, size_t errlen)
{
	char echo[OPT_ECHO_MAX + 8];
	enum log_level ll;
	enum log_format lf;

	*canon = v;
	opt_echo(v, echo, sizeof(echo));
	switch (d->type) {
	case OT_IP:
		return check_ip(v, err, errlen);
	case OT_HOST:
		return check_host_opt(d, v, err, errlen);
	case OT_PATH:
	case OT_STRING:
		for (const char *p = v; *p != '\0'; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7f) {
				snprintf(err, errlen,
					 "control characters are not allowed");
				return -1;
			}
		return 0;
	case OT_LOG_LEVEL:
		if (log_level_parse(v, &ll) != 0) {
			snprintf(err, errlen,
				 "\"%s\" is not a log level (debug, info, "
				 "warn, error)",
				 echo);
			return -1;
		}
		*canon = log_level_name(ll);
		return 0;
	case OT_LOG_FORMAT:
		if (log_format_parse(v, &lf) != 0) {
			snprintf(err, errlen,
				 "\"%s\" is not a log format (text, json)",
				 echo);
			return -1;
		}
		*canon = lf == LF_JSON ? "json" : "text";
		return 0;
	case OT_STATE:
		*canon = state_canonical(v);
		if (*canon == NULL) {
			snprintf(err, errlen,
				 "\"%s\" is not a member state (e.g. Unknown, "
				 "Follower, Leader)",
				 echo);
			return -1;
		}
		return 0;
	default:
		snprintf(err, errlen, "internal: not a string option");
		return -1;
	}
}

static int
set_string(char **field, const struct opt_def *d, const char *v, char *err,
	   size_t errlen)
{
	const char *canon = v;
	char *copy = NULL;

	if (*v == '\0') {
		if (d->flags & O_NONEMPTY) {
			snprintf(err, errlen, "needs a value");
			return -1;
		}
	} else {
		if (check_string(d, v, &canon, err, errlen) != 0)
			return -1;
		copy = strdup(canon);
		if (copy == NULL) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
	}
	free(*field);
	*field = copy;
	return 0;
}

static bool
opt_is_string(const struct opt_def *d)
{
	return d->type != OT_INT && d->type != OT_BOOL && d->type != OT_SEEDS;
}

/* Parses v for option d into cfg (append: seeds add to the list). Returns
 * 0, or -1 with a message that does not name the option. */
static int
opt_set_value(struct gossipd_config *cfg, const struct opt_def *d,
	      const char *v, bool append, char *err, size_t errlen)
{
	bool b;

	if (strnlen(v, OPT_VALUE_MAX + 1) > OPT_VALUE_MAX) {
		snprintf(err, errlen, "value is longer than %d bytes",
			 OPT_VALUE_MAX);
		return -1;
	}
	switch (d->type) {
	case OT_INT:
		return set_int(OPT_FIELD(cfg, d, int), d, v, err, errlen);
	case OT_BOOL:
		if (parse_bool(v, &b) != 0) {
			char echo[OPT_ECHO_MAX + 8];

			opt_echo(v, echo, sizeof(echo));
			snprintf(err, errlen,
				 "\"%s\" is not a boolean (true or false)",
				 echo);
			return -1;
		}
		*OPT_FIELD(cfg, d, bool) = b;
		return 0;
	case OT_SEEDS: {
		struct gossip_seed tmp[OPT_MAX_SEEDS];
		size_t n = append ? cfg->n_seeds : 0;

		memcpy(tmp, cfg->seeds, n * sizeof(tmp[0]));
		if (opt_seeds_append(v, tmp, OPT_MAX_SEEDS, &n, err, errlen) !=
		    0)
			return -1;
		memcpy(cfg->seeds, tmp, n * sizeof(tmp[0]));
		cfg->n_seeds = n;
		return 0;
	}
	default:
		return set_string(OPT_FIELD(cfg, d, char *), d, v, err, errlen);
	}
}

/* Sets an option and records its source, or writes "prefix: what: msg". */
int
opt_assign(struct gossipd_config *cfg, const struct opt_def *d, const char *v,
	   bool append, enum opt_source src, const char *prefix,
	   const char *what, char *err, size_t errlen)
{
	char msg[OPT_MSG_MAX];

	if (opt_set_value(cfg, d, v, append, msg, sizeof(msg)) != 0) {
		snprintf(err, errlen, "%s: %s: %s", prefix, what, msg);
		return -1;
	}
	cfg->sources[d - opt_table] = src;
	return 0;
}

/* ---------------------------------------------------------------- */
/* config objects */

struct gossipd_config *
options_ref(const struct gossipd_config *c)
{
	struct gossipd_config *cfg = (struct gossipd_config *)c;

	if (cfg != NULL)
		atomic_fetch_add(&cfg->refs, 1);
	return cfg;
}

void
options_free(const struct gossipd_config *c)
{
	struct gossipd_config *cfg = (struct gossipd_config *)c;

	if (cfg == NULL || atomic_fetch_sub(&cfg->refs, 1) != 1)
		return;
	for (size_t i = 0; i < opt_count; i++) {
		const struct opt_def *d = &opt_table[i];

		if (opt_is_string(d))
			free(*OPT_FIELD(cfg, d, char *));
	}
	free(cfg->sources);
	free(cfg->config_path);
	free(cfg->env_hints);
	free(cfg);
}

/* A config holding the defaults, every source SRC_DEFAULT. */
struct gossipd_config *
opt_config_defaults(char *err, size_t errlen)
{
	struct gossipd_config *cfg = calloc(1, sizeof(*cfg));
	char msg[OPT_MSG_MAX];

	if (cfg != NULL)
		atomic_init(&cfg->refs, 1);
	if (cfg == NULL ||
	    (cfg->sources = calloc(opt_count, sizeof(*cfg->sources))) == NULL) {
		snprintf(err, errlen, "out of memory");
		options_free(cfg);
		return NULL;
	}
	cfg->n_sources = opt_count;
	for (size_t i = 0; i < opt_count; i++) {
		const struct opt_def *d = &opt_table[i];

		if (d->def == NULL)
			continue;
		if (opt_set_value(cfg, d, d->def, false, msg, sizeof(msg)) !=
		    0) {
			snprintf(err, errlen, "default of %s: %s", d->key, msg);
			options_free(cfg);
			return NULL;
		}
	}
	return cfg;
}

static int
copy_value(struct gossipd_config *dst, const struct gossipd_config *src,
	   const struct opt_def *d)
{
	switch (d->type) {
	case OT_INT:
		*OPT_FIELD(dst, d, int) = *OPT_CFIELD(src, d, int);
		return 0;
	case OT_BOOL:
		*OPT_FIELD(dst, d, bool) = *OPT_CFIELD(src, d, bool);
		return 0;
	case OT_SEEDS:
		memcpy(dst->seeds, src->seeds, sizeof(dst->seeds));
		dst->n_seeds = src->n_seeds;
		return 0;
	default: {
		const char *s = *OPT_CFIELD(src, d, char *);
		char *copy = s != NULL ? strdup(s) : NULL;

		if (s != NULL && copy == NULL)
			return -1;
		free(*OPT_FIELD(dst, d, char *));
		*OPT_FIELD(dst, d, char *) = copy;
		return 0;
	}
	}
}

static bool
same_value(const struct gossipd_config *a, const struct gossipd_config *b,
	   const struct opt_def *d)
{
	switch (d->type) {
	case OT_INT:
		return *OPT_CFIELD(a, d, int) == *OPT_CFIELD(b, d, int);
	case OT_BOOL:
		return *OPT_CFIELD(a, d, bool) == *OPT_CFIELD(b, d, bool);
	case OT_SEEDS:
		if (a->n_seeds != b->n_seeds)
			return false;
		for (size_t i = 0; i < a->n_seeds; i++)
			if (a->seeds[i].port != b->seeds[i].port ||
			    strcmp(a->seeds[i].host, b->seeds[i].host) != 0)
				return false;
		return true;
	default: {
		const char *x = *OPT_CFIELD(a, d, char *);
		const char *y = *OPT_CFIELD(b, d, char *);

		if (x == NULL || y == NULL)
			return x == y;
		return strcmp(x, y) == 0;
	}
	}
}

/* Appends key to a ", "-joined list, cut at len. */
static void
note_key(char *buf, size_t len, size_t *n, const char *key)
{
	size_t used = strlen(buf);

	(*n)++;
	if (used + 1 < len)
		snprintf(buf + used, len - used, "%s%s", used > 0 ? ", " : "",
			 key);
}

struct gossipd_config *
options_apply_reload(const struct gossipd_config *live,
		     const struct gossipd_config *fresh,
		     struct opt_reload_report *rep)
{
	struct gossipd_config *cfg = NULL;
	char err[OPT_MSG_MAX];

	memset(rep, 0, sizeof(*rep));
	cfg = opt_config_defaults(err, sizeof(err));
	if (cfg == NULL)
		return NULL;
	if (live->config_path != NULL &&
	    (cfg->config_path = strdup(live->config_path)) == NULL)
		goto fail;
	for (size_t i = 0; i < opt_count; i++) {
		const struct opt_def *d = &opt_table[i];
		bool take = (d->flags & O_RELOAD) != 0;

		if (copy_value(cfg, take ? fresh : live, d) != 0)
			goto fail;
		cfg->sources[i] = take ? fresh->sources[i] : live->sources[i];
		if (same_value(live, fresh, d))
			continue;
		if (take)
			note_key(rep->applied, sizeof(rep->applied),
				 &rep->n_applied, d->key);
		else
			note_key(rep->restart, sizeof(rep->restart),
				 &rep->n_restart, d->key);
	}
	return cfg;
fail:
	options_free(cfg);
	return NULL;
}

enum opt_source
options_source(const struct gossipd_config *cfg, const char *key)
{
	const struct opt_def *d = key != NULL ? opt_by_key(key) : NULL;

	if (cfg == NULL || d == NULL || cfg->sources == NULL)
		return SRC_DEFAULT;
	return cfg->sources[d - opt_table];
}

const char *
options_source_name(enum opt_source src)
{
	switch (src) {
	case SRC_CONFIG_FILE:
		return "Config File";
	case SRC_ENVIRONMENT:
		return "Environment Variable";
	case SRC_COMMAND_LINE:
		return "Command Line";
	default:
		return "<DEFAULT>";
	}
}

const char *
options_advertised_host(const struct gossipd_config *cfg)
{
	return cfg->node_host_advertise_as != NULL ? cfg->node_host_advertise_as
						   : cfg->node_ip;
}

int
options_advertised_port(const struct gossipd_config *cfg)
{
	return cfg->node_port_advertise_as != 0 ? cfg->node_port_advertise_as
						: cfg->node_port;
}
