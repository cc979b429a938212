/*
 * options: the one option table, and the configuration it fills.
 *
 * Every option is defined once, in the table in options.c: YAML key,
 * command-line flag, environment variable (GOSSIPD_* and the KURRENTDB_*
 * spelling), type, bounds, default, secret, reloadable. Loading builds a
 * complete struct gossipd_config aside; the caller swaps it in only when
 * everything loaded (a bad reload changes nothing).
 */
#ifndef GOSSIP_OPTIONS_H
#define GOSSIP_OPTIONS_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define OPT_MAX_SEEDS 64
#define OPT_HOST_MAX  256 /* a DNS name is at most 253 octets */

/* Where an option's value came from; printed by --what-if. */
enum opt_source {
	SRC_DEFAULT = 0,
	SRC_CONFIG_FILE,
	SRC_ENVIRONMENT,
	SRC_COMMAND_LINE,
};

struct gossip_seed {
	char host[OPT_HOST_MAX];
	int port;
};

struct gossipd_config {
	/* where the HTTP(S) endpoint listens, and what is advertised */
	char *node_ip;
	int node_port;
	char *node_host_advertise_as; /* NULL: node_ip */
	int node_port_advertise_as;   /* 0: node_port */
	/* where this member's clients connect (client views only) */
	char *advertise_host_to_client_as;    /* NULL: own endpoint */
	int advertise_node_port_to_client_as; /* 0: own port */
	int advertise_http_port_to_client_as; /* older name of the above */
	int advertise_tcp_port_to_client_as;  /* 0: externalTcpPort */
	char *replication_ip;
	int replication_port;
	int node_tcp_port;

	/* cluster */
	int cluster_size;
	struct gossip_seed seeds[OPT_MAX_SEEDS];
	size_t n_seeds;
	bool discover_via_dns;
	char *cluster_dns;
	int cluster_gossip_port;
	int gossip_interval_ms;
	int gossip_timeout_ms;
	int gossip_allowed_difference_ms;
	int gossip_fanout;
	int gossip_suspicion_mult;   /* 0: no suspicion, dead at once */
	int gossip_suspicion_min_ms; /* floor of the suspicion timeout */
	int gossip_indirect_checks;  /* members asked to probe a suspect */
	char *cluster_id; /* NULL: not checked; else on every exchange */
	int dead_member_removal_period_sec;
	int node_priority;
	bool read_only_replica;
	char *initial_state; /* state name for the self entry at start */

	/* security */
	bool insecure;
	char *certificate_file;
	char *certificate_password;
	char *certificate_private_key_file;
	char *certificate_private_key_password;
	char *trusted_root_certificates_path;
	char *certificate_reserved_node_common_name;
	char *certificate_revocation_list_file;
	/* a CRL past its nextUpdate refuses every certificate of its CA */
	bool certificate_revocation_list_stale_refuses_all;
	bool gossip_requires_client_cert; /* GET /gossip needs a trusted cert */
	bool metrics_requires_node;	  /* GET /metrics only for nodes */
	bool metrics_requires_client_cert; /* GET /metrics: any trusted cert */
	bool admin_over_https; /* state changes over HTTPS too (nodes) */
	int tls_session_cache_size;

	/* connection bounds */
	int max_connections;
	int max_connections_per_ip;
	int max_connections_per_ip_v6_prefix; /* IPv6 peers counted per prefix
					       */
	int handshake_timeout_ms;
	int request_timeout_ms; /* headers + body must arrive within this */
	int idle_timeout_sec;	/* keep-alive idle */
	int max_body_bytes;
	int max_members;
	int workers; /* 0: one per CPU */

	/* process */
	char *admin_socket;
	char *admin_socket_group; /* the socket's group (mode 0660), or NULL */
	char *run_as_user;	  /* drop to this user when started as root */
	char *run_as_group;
	bool allow_root;
	char *log_level;
	char *log_format;

	/* where each option came from, indexed like the option table */
	enum opt_source *sources;
	size_t n_sources;
	char *config_path; /* the YAML file read, or NULL */
	/* "did you mean" notes for KURRENTDB_ and EVENTSTORE_ variables
	 * that name no option but nearly do (logged at start), or NULL */
	char *env_hints;
	atomic_int refs; /* options_ref / options_free */
};

/*
 * What the command line asked for besides options: these are handled by
 * the caller (main.c), not stored in the config.
 */
struct opt_cli {
	bool help;
	bool version;
	bool what_if;
	/* --help-format: "man" or "markdown" (static strings); NULL when not
	 * asked. The caller prints options_doc(stdout, doc_format), exits 0. */
	const char *doc_format;
};

/*
 * Loads the configuration: defaults, then the YAML file (--config, or
 * GOSSIPD_CONFIG, or /etc/gossipd/gossipd.conf when present), then the
 * environment (envp, NULL-terminated "K=V" strings), then argv.
 * argv[0] is not an option: pass the arguments after the subcommand.
 * Returns a newly allocated config that the caller frees with
 * options_free(), or NULL with a message "source: message" in err
 * (file:line for YAML).
 *
 * cli (may be NULL) receives --help, --version, --what-if and
 * --help-format. When --help, --version or --help-format is given, neither
 * the file nor the environment is read (a broken file must not hide the
 * help) and the config returned holds the defaults and the flags.
 *
 * Environment: every GOSSIPD_* variable must name an option, except
 * GOSSIPD_CONFIG and the tooling names GOSSIPD_BIN, GOSSIPD_SRC,
 * GOSSIPD_TOOLS and GOSSIPD_TEST_*, GOSSIPD_FUZZ_*, GOSSIPD_BENCH_*. A
 * KURRENTDB_* or EVENTSTORE_* variable is used when it names one of our
 * options and ignored otherwise (noted in env_hints when it is within a
 * few edits of one); GOSSIPD_* wins over KURRENTDB_*, which wins over
 * EVENTSTORE_*. An unknown GOSSIPD_* variable is an error that suggests the
 * nearest option ("did you mean"), as are unknown flags and YAML keys. The
 * file is named by --config, else GOSSIPD_CONFIG, KURRENTDB_CONFIG or
 * EVENTSTORE_CONFIG (first set wins), else the default.
 *
 * Strings: an empty value unsets an optional string (the field is NULL);
 * AdminSocket unset means no admin socket, RunAsUser unset means no
 * privilege drop. NodeIp, ReplicationIp, TrustedRootCertificatesPath,
 * LogLevel, LogFormat and InitialState are never NULL. LogLevel is stored
 * as "debug", "info", "warn" or "error"; LogFormat as "text" or "json";
 * InitialState as its canonical name (Master is stored as "Leader").
 * Seeds are stored without brackets ("::1" for "[::1]:2113").
 */
struct gossipd_config *options_load(int argc, char **argv, char **envp,
				    struct opt_cli *cli, char *err,
				    size_t errlen);

/*
 * Reload: re-reads the same sources as the original load (argv and envp
 * as given then) into a new config. The file old was read from
 * (old->config_path) is read again and must still be readable: a vanished
 * file is an error, not a silent return to the defaults. Returns a new
 * config (caller frees) or NULL with the reason; old is not changed. The
 * caller copies over only the reloadable options (options_apply_reload);
 * the rest are ignored.
 */
struct gossipd_config *options_reload(const struct gossipd_config *old,
				      int argc, char **argv, char **envp,
				      char *err, size_t errlen);

/* What a reload changed, for its log lines: option keys, ", "-joined
 * (cut to the buffer), and their counts. */
struct opt_reload_report {
	char applied[512]; /* reloadable options whose value changed */
	size_t n_applied;
	char restart[512]; /* changed options that need a restart */
	size_t n_restart;
};

/*
 * The swap for a reload: returns a new config that is a copy of live with
 * every reloadable option (O_RELOAD in the table: LogLevel, LogFormat,
 * the certificate, key, trust and CRL options, the seeds and ClusterDns,
 * the gossip timers, the connection and size limits) taken from fresh,
 * sources included. What changed is told in *rep: the reloadable options
 * whose value differs, and the others, which need a restart and keep
 * their live value. Neither input is kept. Returns NULL only when out of
 * memory. The caller frees the result.
 */
struct gossipd_config *options_apply_reload(const struct gossipd_config *live,
					    const struct gossipd_config *fresh,
					    struct opt_reload_report *rep);

/*
 * A config is reference-counted, like a credential set: a daemon swaps
 * the live one on reload and frees a replaced one when its last user
 * lets go. options_ref takes another reference and returns cfg;
 * options_free drops one and frees the config with the last (a config
 * from options_load or options_apply_reload comes with one). Both accept
 * NULL; both are safe from any thread.
 */
struct gossipd_config *options_ref(const struct gossipd_config *cfg);
void options_free(const struct gossipd_config *cfg);

/*
 * Where the option with this YAML key (any case) came from; SRC_DEFAULT
 * for an unknown key or a NULL cfg.
 */
enum opt_source options_source(const struct gossipd_config *cfg,
			       const char *key);
/* "<DEFAULT>", "Config File", "Environment Variable", "Command Line". */
const char *options_source_name(enum opt_source src);

/* Configures log.h from LogLevel and LogFormat (both always valid). */
void options_log_setup(const struct gossipd_config *cfg);

/* Writes "Name: value (Source)" for every option, secrets as ****. */
void options_what_if(const struct gossipd_config *cfg, FILE *out);
/* The same listing, one log line per option at info level. */
void options_log(const struct gossipd_config *cfg);
/* --help text generated from the table. */
void options_help(FILE *out);
/*
 * The option table as documentation: format "man" writes a roff OPTIONS
 * section (.SH OPTIONS, one .TP per option) for gossipd(8); "markdown"
 * (or anything else) a Markdown table with key, flag, environment
 * variable, type, default, reloadable and meaning.
 */
void options_doc(FILE *out, const char *format);

/* The advertised HTTP host and port (advertise-as, else listen address). */
const char *options_advertised_host(const struct gossipd_config *cfg);
int options_advertised_port(const struct gossipd_config *cfg);

/*
 * Parses a "host:port,host:port" seed list (also "[v6]:port").
 * Returns 0, or -1 with a reason (a ';' separator or a missing port is an
 * error). Used by options and by the discover command.
 */
int options_parse_seeds(const char *s, struct gossip_seed *seeds, size_t max,
			size_t *n, char *err, size_t errlen);

#endif
