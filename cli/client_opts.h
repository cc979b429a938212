/*
 * client_opts: the flags of gossipd discover and gossipd status, and the
 * HTTP(S) side they share (see client_opts.c).
 */
#ifndef GOSSIPD_CLIENT_OPTS_H
#define GOSSIPD_CLIENT_OPTS_H

#include <stdbool.h>
#include <stddef.h>

#include "discovery.h"
#include "httpc.h"
#include "options.h"

#define SYSTEM_CA_BUNDLE "/etc/ssl/certs/ca-certificates.crt"

struct client_opts {
	const char *cmd; /* "discover" or "status" */
	struct gossip_seed seeds[OPT_MAX_SEEDS];
	size_t n_seeds;
	const char *cluster_dns;
	int port;
	bool port_given;
	enum discovery_pref pref;
	bool strict;
	int attempts;
	int delay_ms;
	int timeout_ms;
	const char *cacert;
	const char *cert;
	const char *key;
	bool insecure;
	bool no_verify;
	/* --protocol: how the gossip is asked for. auto: over TLS, ALPN
	 * offers h2 and http/1.1 and the seed's choice decides (gRPC
	 * Gossip/Read or GET /gossip); insecure, HTTP. */
	enum client_protocol { CP_AUTO, CP_HTTP, CP_GRPC } protocol;
	bool json;
	bool help;
	bool verbose;	    /* discover: trace each step on stderr */
	const char *config; /* status: --config FILE of the local node */
	int cluster_size;   /* status: --cluster-size (0: from the config) */
	bool cluster_size_given;
	bool watch;	 /* status: --watch, refresh every interval_ms */
	int interval_ms; /* status: --interval-ms */
	/* a KurrentDB connection string, and what it brought along */
	const char *conn_str;
	unsigned given; /* GIVEN_* bits: flags that win over conn_str */
	char uri_host[OPT_HOST_MAX];
	char uri_ca[DISCOVERY_URI_PATH_MAX];
	char uri_cert[DISCOVERY_URI_PATH_MAX];
	char uri_key[DISCOVERY_URI_PATH_MAX];
	/* the flags as typed (an alias such as --ca-file), for messages */
	char typed_cacert[64], typed_cert[64], typed_key[64];
};

enum {
	GIVEN_PREF = 1u << 0,
	GIVEN_ATTEMPTS = 1u << 1,
	GIVEN_DELAY = 1u << 2,
	GIVEN_TIMEOUT = 1u << 3,
	GIVEN_INSECURE = 1u << 4,
	GIVEN_VERIFY = 1u << 5,
};

/* Defaults for cmd ("discover" or "status"), which names messages. */
void client_opts_init(struct client_opts *o, const char *cmd);

/*
 * Parses argv[1..argc) into o: flags, and a KurrentDB connection string
 * (--connection-string S, or an argument with "://") whose settings the
 * flags override. Returns 0, or 2 after printing a usage error that names
 * the flag (never the connection string: it may hold a password).
 * --help only sets o->help.
 */
int client_parse_opts(struct client_opts *o, int argc, char **argv);

/* Prints "gossipd CMD: " fmt (with a and b) and the --help hint; 2. */
int client_usage_error(const struct client_opts *o, const char *fmt,
		       const char *a, const char *b);

/*
 * For status without seeds: the local node, as its configuration
 * (--config, GOSSIPD_CONFIG or /etc/gossipd/gossipd.conf, and GOSSIPD_*
 * variables) describes it: its advertised endpoint, and unless flags say
 * otherwise its Insecure setting and TrustedRootCertificatesPath as the
 * CA. Without a usable configuration, 127.0.0.1:2113 (a note says why
 * when a file was there but could not be used). Returns 0, or 2 when an
 * explicit --config could not be loaded.
 */
int client_use_local_node(struct client_opts *o);

/* Fills o->seeds from --cluster-dns when given. 0, or 1 after a message. */
int client_resolve_seeds(struct client_opts *o);

/*
 * An HTTP(S) client for the TLS flags (plain HTTP for --insecure; else
 * --cacert or the system CAs, --cert/--key, --no-verify). NULL after
 * printing why. Free with httpc_free.
 */
struct httpc *client_make_httpc(const struct client_opts *o);

/*
 * GET /gossip?format=json from host:port within timeout_ms. Returns 0 and
 * fills *resp (free with httpc_response_free), or -1 with a reason in err
 * that reads well after "seed host:port: " and hints at the usual
 * mistakes (TLS against plain HTTP, the CA file used).
 */
int client_get_gossip(const struct client_opts *o, struct httpc *hc,
		      const char *host, int port, int timeout_ms,
		      struct httpc_response *resp, char *err, size_t errlen);

/*
 * Adds what to do to the reason for an HTTP error status from a node
 * (401: it wants a trusted client certificate; 403: this one is not
 * allowed), when it fits in err.
 */
void client_hint_status(const struct client_opts *o, int status, char *err,
			size_t errlen);

/* Sleeps ms milliseconds (ctx unused: the shape of discovery_env). */
void client_sleep_ms(void *ctx, int ms);

#endif
