/*
 * Unit tests for common/options: precedence, every error message, flag
 * forms, seeds, the listings and reload. Each test names the rule it
 * checks (SPEC.md section 6).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "options.h"

static char tmpdir[64];
static char path_buf[256];

/* Writes a file in the test directory; returns its path (static). */
static const char *
write_file(const char *name, const char *text)
{
	FILE *f;

	snprintf(path_buf, sizeof(path_buf), "%s/%s", tmpdir, name);
	f = fopen(path_buf, "w");
	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
	return path_buf;
}

static int
setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_options.XXXXXX");
	return mkdtemp(tmpdir) == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

/*
 * Loads with args (NULL-terminated) and env (NULL-terminated). Unless the
 * args name a --config, an empty config file is used, so that a
 * /etc/gossipd/gossipd.conf on this machine cannot change the result.
 */
static struct gossipd_config *
load_cli(const char **args, const char **env, struct opt_cli *cli, char *err,
	 size_t errlen)
{
	char *argv[64];
	int argc = 0;
	bool has_config = false;
	char empty[256];

	for (const char **a = args; a != NULL && *a != NULL; a++) {
		if (strncmp(*a, "--config", 8) == 0)
			has_config = true;
		argv[argc++] = (char *)*a;
	}
	for (const char **e = env; e != NULL && *e != NULL; e++)
		if (strncmp(*e, "GOSSIPD_CONFIG=", 15) == 0)
			has_config = true;
	if (!has_config) {
		snprintf(empty, sizeof(empty), "%s",
			 write_file("empty.yaml", ""));
		argv[argc++] = "--config";
		argv[argc++] = empty;
	}
	argv[argc] = NULL;
	return options_load(argc, argv, (char **)env, cli, err, errlen);
}

static struct gossipd_config *
load(const char **args, const char **env, char *err, size_t errlen)
{
	struct opt_cli cli;

	return load_cli(args, env, &cli, err, errlen);
}

/* Expects a load to fail with exactly this message. */
static void
expect_error(const char **args, const char **env, const char *want)
{
	char err[512] = "";
	struct gossipd_config *cfg = load(args, env, err, sizeof(err));

	if (cfg != NULL)
		options_free(cfg);
	assert_null(cfg);
	assert_string_equal(err, want);
}

/* Expects a load to fail with a message containing this text. */
static void
expect_error_has(const char **args, const char **env, const char *want)
{
	char err[512] = "";
	struct gossipd_config *cfg = load(args, env, err, sizeof(err));

	if (cfg != NULL)
		options_free(cfg);
	assert_null(cfg);
	if (strstr(err, want) == NULL)
		fail_msg("error \"%s\" lacks \"%s\"", err, want);
}

/* The --what-if listing as a malloc'd string. */
static char *
what_if(const struct gossipd_config *cfg)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	options_what_if(cfg, f);
	assert_int_equal(fclose(f), 0);
	return buf;
}

static void
assert_has(const char *hay, const char *needle)
{
	if (strstr(hay, needle) == NULL)
		fail_msg("\"%s\" not found in:\n%s", needle, hay);
}

/* ---- defaults and precedence ---- */

static void
defaults_follow_the_spec(void **state)
{
	char err[256];
	struct gossipd_config *cfg = load(NULL, NULL, err, sizeof(err));

	(void)state;
	assert_non_null(cfg);
	assert_string_equal(cfg->node_ip, "127.0.0.1");
	assert_int_equal(cfg->node_port, 2113);
	assert_null(cfg->node_host_advertise_as);
	assert_int_equal(cfg->node_port_advertise_as, 0);
	assert_string_equal(cfg->replication_ip, "127.0.0.1");
	assert_int_equal(cfg->replication_port, 1112);
	assert_int_equal(cfg->node_tcp_port, 0);
	assert_int_equal(cfg->cluster_size, 1);
	assert_int_equal(cfg->n_seeds, 0);
	assert_false(cfg->discover_via_dns);
	assert_int_equal(cfg->cluster_gossip_port, 2113);
	assert_int_equal(cfg->gossip_interval_ms, 2000);
	assert_int_equal(cfg->gossip_timeout_ms, 2500);
	assert_int_equal(cfg->gossip_allowed_difference_ms, 60000);
	assert_int_equal(cfg->gossip_fanout, 1);
	assert_int_equal(cfg->dead_member_removal_period_sec, 1800);
	assert_int_equal(cfg->node_priority, 0);
	assert_false(cfg->read_only_replica);
	assert_string_equal(cfg->initial_state, "Unknown");
	assert_false(cfg->insecure);
	assert_null(cfg->certificate_file);
	assert_string_equal(cfg->trusted_root_certificates_path,
			    "/etc/ssl/certs");
	assert_false(cfg->gossip_requires_client_cert);
	assert_false(cfg->metrics_requires_node);
	assert_int_equal(cfg->tls_session_cache_size, 1024);
	assert_int_equal(cfg->max_connections, 1024);
	assert_int_equal(cfg->max_connections_per_ip, 64);
	assert_int_equal(cfg->handshake_timeout_ms, 5000);
	assert_int_equal(cfg->request_timeout_ms, 10000);
	assert_int_equal(cfg->idle_timeout_sec, 60);
	assert_int_equal(cfg->max_body_bytes, 1048576);
	assert_int_equal(cfg->max_members, 256);
	assert_int_equal(cfg->workers, 0);
	assert_string_equal(cfg->admin_socket, "/run/gossipd/admin.sock");
	assert_string_equal(cfg->run_as_user, "gossipd");
	assert_string_equal(cfg->run_as_group, "gossipd");
	assert_false(cfg->allow_root);
	assert_string_equal(cfg->log_level, "info");
	assert_string_equal(cfg->log_format, "text");
	assert_int_equal(options_source(cfg, "NodePort"), SRC_DEFAULT);
	assert_string_equal(options_advertised_host(cfg), "127.0.0.1");
	assert_int_equal(options_advertised_port(cfg), 2113);
	options_free(cfg);
}

static void
yaml_beats_default(void **state)
{
	char err[256], cfgarg[300];
	const char *path = write_file("p1.yaml", "NodePort: 3000\n");
	struct gossipd_config *cfg;

	(void)state;
	snprintf(cfgarg, sizeof(cfgarg), "--config=%s", path);
	cfg = load((const char *[]){cfgarg, NULL}, NULL, err, sizeof(err));
	assert_non_null(cfg);
	assert_int_equal(cfg->node_port, 3000);
	assert_int_equal(options_source(cfg, "NodePort"), SRC_CONFIG_FILE);
	assert_int_equal(options_source(cfg, "NodeIp"), SRC_DEFAULT);
	assert_string_equal(cfg->config_path, path);
	options_free(cfg);
}

static void
env_beats_yaml(void **state)
{
	char err[256], env0[300];
	const char *path = write_file("p2.yaml", "NodePort: 3000\n");
	struct gossipd_config *cfg;

	(void)state;
	snprintf(env0, sizeof(env0), "GOSSIPD_CONFIG=%s", path);
	cfg = load(NULL, (const char *[]){env0, "GOSSIPD_NODE_PORT=3001", NULL},
		   err, sizeof(err));
	assert_non_null(cfg);
	assert_int_equal(cfg->node_port, 3001);
	assert_int_equal(options_source(cfg, "NodePort"), SRC_ENVIRONMENT);
	options_free(cfg);
}

static void
flag_beats_env(void **state)
{
	char err[256];
	struct gossipd_config *cfg;

	(void)state;
	cfg = load((const char *[]){"--node-port", "3002", NULL},
		   (const char *[]){"GOSSIPD_NODE_PORT=3001", NULL}, err,
		   sizeof(err));
	assert_non_null(cfg);
	assert_int_equal(cfg->node_port, 3002);
	assert_int_equal(options_source(cfg, "NodePort"), SRC_COMMAND_LINE);
	options_free(cfg);
}

static void
flag_beats_yaml(void **state)
{
	char err[256], cfgarg[300];
	struct gossipd_config *cfg;

	(void)state;
	snprintf(cfgarg, sizeof(cfgarg), "%s",
		 write_file("p3.yaml", "NodePort: 3000\nClusterSize: 3\n"));
	cfg =
	    load((const char *[]){"--node-port=3002", "--config", cfgarg, NULL},
		 NULL, err, sizeof(err));
	assert_non_null(cfg);
	assert_int_equal(cfg->node_port, 3002);
	assert_int_equal(cfg->cluster_size, 3);
	assert_int_equal(options_source(cfg, "ClusterSize"), SRC_CONFIG_FILE);
	assert_int_equal(options_source(cfg, "NodePort"), SRC_COMMAND_LINE);
	options_free(cfg);
}

static void
kurrentdb_env_beats_default(void **state)
{
	char err[256];
	struct gossipd_config *cfg;

	(void)state;
	cfg = load(NULL,
		   (const char *[]){"KURRENTDB_NODE_PORT=3003",
				    "KURRENTDB_RUN_PROJECTIONS=All",
				    "PATH=/usr/bin", NULL},
		   err, sizeof(err));
	assert_non_null(cfg);
	assert_int_equal(cfg->node_port, 3003);
	assert_int_equal(options_source(cfg, "NodePort"), SRC_ENVIRONMENT);
	options_free(cfg);
}

static void
gossipd_env_beats_kurrentdb_env(void **state)
{
	char err[256];
	struct gossipd_config *cfg;

	(void)state;
	cfg = load(NULL,
		   (const char *[]){"GOSSIPD_NODE_PORT=3004",
				    "KURRENTDB_NODE_PORT=3005", NULL},
		   err, sizeof(err));
	assert_non_null(cfg);
	assert_int_equal(cfg->node_port, 3004);
	options_free(cfg);
}

static void
config_flag_beats_config_env(void **state)
{
	char err[256], env0[300], flag[300];
	struct gossipd_config *cfg;

	(void)state;
	snprintf(env0, sizeof(env0), "GOSSIPD_CONFIG=%s",
		 write_file("envcfg.yaml", "NodePort: 4001\n"));
	snprintf(flag, sizeof(flag), "--config=%s",
		 write_file("flagcfg.yaml", "NodePort: 4002\n"));
	cfg = load((const char *[]){flag, NULL}, (const char *[]){env0, NULL},
		   err, sizeof(err));
	assert_non_null(cfg);
	assert_int_equal(cfg->node_port, 4002);
	options_free(cfg);
}

static void
tooling_variables_are_not_options(void **state)
{
	char err[256];
	struct gossipd_config *cfg;

	(void)state;
	cfg = load(NULL,
		   (const char *[]){"GOSSIPD_BIN=/x/gossipd", "GOSSIPD_SRC=/x",
				    "GOSSIPD_TEST_DATA=/x/data",
				    "GOSSIPD_TOOLS=/x/tools",
				    "GOSSIPD_FUZZ_SECONDS=3", NULL},
		   err, sizeof(err));
	assert_non_null(cfg);
	options_free(cfg);
}

/* ---- errors, one per rule ---- */

static void
out_of_range_port_names_flag_and_bounds(void **state)
{
	(void)state;
	expect_error((const char *[]){"--node-port", "70000", NULL}, NULL,
		     "command line: --node-port: 70000 is out of range "
		     "(1..65535)");
	expect_error((const char *[]){"--node-port=0", NULL}, NULL,
		     "command line: --node-port: 0 is out of range "
		     "(1..65535)");
	expect_error((const char *[]){"--gossip-fanout=17", NULL}, NULL,
		     "command line: --gossip-fanout: 17 is out of range "
		     "(1..16)");
	expect_error((const char *[]){"--node-port=99999999999999999999", NULL},
		     NULL,
		     "command line: --node-port: 99999999999999999999 is out "
		     "of range (1..65535)");
}

static void
non_integer_names_variable(void **state)
{
	(void)state;
	expect_error(NULL,
		     (const char *[]){"GOSSIPD_GOSSIP_INTERVAL_MS=abc", NULL},
		     "environment: GOSSIPD_GOSSIP_INTERVAL_MS: \"abc\" is not "
		     "an integer");
	expect_error(NULL,
		     (const char *[]){"GOSSIPD_GOSSIP_INTERVAL_MS=12x", NULL},
		     "environment: GOSSIPD_GOSSIP_INTERVAL_MS: \"12x\" is not "
		     "an integer");
	expect_error(NULL,
		     (const char *[]){"GOSSIPD_GOSSIP_INTERVAL_MS=0", NULL},
		     "environment: GOSSIPD_GOSSIP_INTERVAL_MS: 0 is out of "
		     "range (1..3600000)");
}

static void
seed_without_port_names_file_and_line(void **state)
{
	char flag[300], want[600];

	(void)state;
	snprintf(flag, sizeof(flag), "--config=%s",
		 write_file("seed1.yaml", "# seeds\nNodePort: 2113\n"
					  "GossipSeed: a\n"));
	snprintf(want, sizeof(want), "%s:3: GossipSeed: seed \"a\" has no port",
		 flag + 9);
	expect_error((const char *[]){flag, NULL}, NULL, want);
}

static void
semicolon_between_seeds_is_an_error(void **state)
{
	(void)state;
	expect_error((const char *[]){"--gossip-seed", "a:1;b:2", NULL}, NULL,
		     "command line: --gossip-seed: ';' is not a separator, "
		     "use ','");
	expect_error(NULL,
		     (const char *[]){"GOSSIPD_GOSSIP_SEED=a:1;b:2", NULL},
		     "environment: GOSSIPD_GOSSIP_SEED: ';' is not a "
		     "separator, use ','");
}

static void
yaml_syntax_error_has_line(void **state)
{
	char flag[300], want[600];

	(void)state;
	snprintf(flag, sizeof(flag), "--config=%s",
		 write_file("bad.yaml", "NodePort: 2113\nClusterSize: 3\n"
					"NodeIp: \"10.0.0.1\" b\n"));
	snprintf(want, sizeof(want),
		 "%s:3: did not find expected key (while parsing a block "
		 "mapping)",
		 flag + 9);
	expect_error((const char *[]){flag, NULL}, NULL, want);
	/* a syntax error wins over a bad value on an earlier line */
	snprintf(flag, sizeof(flag), "--config=%s",
		 write_file("bad2.yaml", "NodePort: 70000\n"
					 "ClusterSize: 3\n"
					 "NodeIp: [1\n"));
	snprintf(want, sizeof(want),
		 "%s:4: did not find expected ',' or ']' (while parsing a "
		 "flow sequence)",
		 flag + 9);
	expect_error((const char *[]){flag, NULL}, NULL, want);
}

static void
unknown_yaml_key_names_file_and_line(void **state)
{
	char flag[300], want[600];

	(void)state;
	snprintf(flag, sizeof(flag), "--config=%s",
		 write_file("unk.yaml", "NodePort: 2113\nFoo: 1\n"));
	snprintf(want, sizeof(want), "%s:2: unknown option \"Foo\"", flag + 9);
	expect_error((const char *[]){flag, NULL}, NULL, want);
}

static void
unknown_env_variable_is_an_error(void **state)
{
	(void)state;
	expect_error(NULL, (const char *[]){"GOSSIPD_FOO=1", NULL},
		     "environment: unknown variable GOSSIPD_FOO");
}

static void
unknown_flag_is_an_error(void **state)
{
	(void)state;
	expect_error((const char *[]){"--foo", NULL}, NULL,
		     "command line: unknown option --foo");
	expect_error((const char *[]){"--foo=1", NULL}, NULL,
		     "command line: unknown option --foo");
	expect_error((const char *[]){"--fo\x01o=1", NULL}, NULL,
		     "command line: unknown option --fo?o");
	expect_error_has((const char *[]){"start", NULL}, NULL,
			 "command line: unexpected argument \"start\"");
}

static void
windows_store_options_are_refused_everywhere(void **state)
{
	char flag[300], want[600];

	(void)state;
	expect_error_has((const char *[]){"--certificate-thumbprint=ab", NULL},
			 NULL,
			 "is not available on Linux: use CertificateFile/"
			 "TrustedRootCertificatesPath");
	expect_error_has((const char *[]){"--certificate-thumbprint=ab", NULL},
			 NULL, "command line: --certificate-thumbprint");
	expect_error_has(
	    NULL, (const char *[]){"KURRENTDB_CERTIFICATE_STORE_NAME=My", NULL},
	    "environment: KURRENTDB_CERTIFICATE_STORE_NAME "
	    "(CertificateStoreName) is not available on Linux");
	expect_error_has(
	    NULL,
	    (const char *[]){
		"GOSSIPD_TRUSTED_ROOT_CERTIFICATE_STORE_LOCATION=x", NULL},
	    "is not available on Linux");
	snprintf(flag, sizeof(flag), "--config=%s",
		 write_file("win.yaml",
			    "NodePort: 2113\n"
			    "TrustedRootCertificateSubjectName: CA\n"));
	snprintf(want, sizeof(want),
		 "%s:2: TrustedRootCertificateSubjectName is not available "
		 "on Linux: use CertificateFile/TrustedRootCertificatesPath",
		 flag + 9);
	expect_error((const char *[]){flag, NULL}, NULL, want);
}

static void
missing_config_file_is_an_error(void **state)
{
	(void)state;
	expect_error_has(
	    (const char *[]){"--config", "/nonexistent/x.yaml", NULL}, NULL,
	    "/nonexistent/x.yaml: cannot open");
	expect_error_has(
	    NULL, (const char *[]){"GOSSIPD_CONFIG=/nonexistent/y.yaml", NULL},
	    "/nonexistent/y.yaml: cannot open");
}

static void
oversized_config_file_is_refused(void **state)
{
	char flag[300];
	char *big = malloc(1024 * 1024 + 64);

	(void)state;
	assert_non_null(big);
	memset(big, '#', 1024 * 1024 + 62);
	big[1024 * 1024 + 62] = '\n';
	big[1024 * 1024 + 63] = '\0';
	snprintf(flag, sizeof(flag), "--config=%s",
		 write_file("big.yaml", big));
	free(big);
	expect_error_has((const char *[]){flag, NULL}, NULL,
			 "larger than 1048576 bytes");
}

static void
yaml_shape_errors(void **state)
{
	char flag[300], want[600];

	(void)state;
	snprintf(flag, sizeof(flag), "--config=%s",
		 write_file("dup.yaml", "NodePort: 1\nnodeport: 2\n"));
	snprintf(want, sizeof(want),
		 "%s:2: NodePort is given twice (first on line 1)", flag + 9);
	expect_error((const char *[]){flag, NULL}, NULL, want);

	snprintf(flag, sizeof(flag), "--config=%s",
		 write_file("nest.yaml", "NodePort:\n  a: 1\n"));
	expect_error_has((const char *[]){flag, NULL}, NULL,
			 "NodePort: expected a value, not a mapping");

	snprintf(flag, sizeof(flag), "--config=%s",
		 write_file("list.yaml", "NodePort: [1, 2]\n"));
	expect_error_has((const char *[]){flag, NULL}, NULL,
			 "NodePort: expected a single value, not a list");

	snprintf(flag, sizeof(flag), "--config=%s",
		 write_file("scalar.yaml", "just text\n"));
	expect_error_has((const char *[]){flag, NULL}, NULL,
			 "expected a mapping");

	snprintf(flag, sizeof(flag), "--config=%s",
		 write_file("alias.yaml", "NodeIp: &a 10.0.0.1\n"
					  "ReplicationIp: *a\n"));
	expect_error_has((const char *[]){flag, NULL}, NULL,
			 ":2: aliases (*name) are not supported");

	snprintf(flag, sizeof(flag), "--config=%s",
		 write_file("twodocs.yaml", "NodePort: 1\n---\nNodePort: 2\n"));
	expect_error_has((const char *[]){flag, NULL}, NULL,
			 "only one YAML document");
}

static void
yaml_keys_match_in_any_case_and_values_are_typed(void **state)
{
	char err[256], flag[300];
	struct gossipd_config *cfg;

	(void)state;
	snprintf(flag, sizeof(flag), "--config=%s",
		 write_file("case.yaml", "---\n# a comment\n"
					 "nodeip: \"10.0.0.1\"\n"
					 "INSECURE: yes\n"
					 "NodeHostAdvertiseAs: ~\n"
					 "LogLevel: Warning\n"
					 "InitialState: master\n"
					 "NodePriority: -5\n"));
	cfg = load((const char *[]){flag, NULL}, NULL, err, sizeof(err));
	assert_non_null(cfg);
	assert_string_equal(cfg->node_ip, "10.0.0.1");
	assert_true(cfg->insecure);
	assert_null(cfg->node_host_advertise_as);
	assert_string_equal(cfg->log_level, "warn");
	assert_string_equal(cfg->initial_state, "Leader");
	assert_int_equal(cfg->node_priority, -5);
	options_free(cfg);
}

static void
empty_yaml_documents_are_fine(void **state)
{
	char err[256], flag[300];
	const char *texts[] = {"", "# only a comment\n", "---\n", "{}\n"};
	struct gossipd_config *cfg;

	(void)state;
	for (size_t i = 0; i < 4; i++) {
		snprintf(flag, sizeof(flag), "--config=%s",
			 write_file("e.yaml", texts[i]));
		cfg =
		    load((const char *[]){flag, NULL}, NULL, err, sizeof(err));
		if (cfg == NULL)
			fail_msg("text %zu: %s", i, err);
		assert_int_equal(cfg->node_port, 2113);
		options_free(cfg);
	}
}

static void
value_checks(void **state)
{
	(void)state;
	expect_error((const char *[]){"--node-ip", "localhost", NULL}, NULL,
		     "command line: --node-ip: \"localhost\" is not an IPv4 "
		     "or IPv6 address");
	expect_error((const char *[]){"--node-ip=", NULL}, NULL,
		     "command line: --node-ip: needs a value");
	expect_error((const char *[]){"--log-level=loud", NULL}, NULL,
		     "command line: --log-level: \"loud\" is not a log level "
		     "(debug, info, warn, error)");
	expect_error((const char *[]){"--log-format=xml", NULL}, NULL,
		     "command line: --log-format: \"xml\" is not a log format "
		     "(text, json)");
	expect_error_has((const char *[]){"--initial-state=Boss", NULL}, NULL,
			 "command line: --initial-state: \"Boss\" is not a "
			 "member state");
	expect_error((const char *[]){"--cluster-dns=a b", NULL}, NULL,
		     "command line: --cluster-dns: \"a b\" is not a host name "
		     "or address");
	expect_error((const char *[]){"--node-port", NULL}, NULL,
		     "command line: --node-port needs a value");
	expect_error((const char *[]){"--discover-via-dns", NULL}, NULL,
		     "command line: DiscoverViaDns is true but ClusterDns is "
		     "not set");
	expect_error((const char *[]){"--node-host-advertise-as=*.a.b", NULL},
		     NULL,
		     "command line: --node-host-advertise-as: \"*.a.b\": '*' "
		     "is only allowed as the whole first label of a common "
		     "name (*.domain)");
	expect_error_has(
	    (const char *[]){"--certificate-reserved-node-common-name=a*.b.c",
			     NULL},
	    NULL, "'*' is only allowed");
}

static void
secret_values_are_not_echoed_in_errors(void **state)
{
	char err[512];
	struct gossipd_config *cfg;
	char ctl[] = "--certificate-password=hun\x01ter2";

	(void)state;
	cfg = load((const char *[]){ctl, NULL}, NULL, err, sizeof(err));
	assert_null(cfg);
	assert_null(strstr(err, "hun"));
	assert_null(strstr(err, "ter2"));
	assert_has(err, "--certificate-password");
}

/* ---- flag forms ---- */

static bool
insecure_with(const char **args)
{
	char err[256];
	struct gossipd_config *cfg = load(args, NULL, err, sizeof(err));
	bool v;

	if (cfg == NULL)
		fail_msg("load failed: %s", err);
	v = cfg->insecure;
	options_free(cfg);
	return v;
}

static void
bool_flag_forms(void **state)
{
	(void)state;
	assert_true(insecure_with((const char *[]){"--insecure", NULL}));
	assert_true(insecure_with((const char *[]){"--insecure+", NULL}));
	assert_false(
	    insecure_with((const char *[]){"--insecure", "--insecure-", NULL}));
	assert_true(insecure_with((const char *[]){"--insecure=true", NULL}));
	assert_false(insecure_with((const char *[]){"--insecure=false", NULL}));
	assert_false(
	    insecure_with((const char *[]){"--insecure", "false", NULL}));
	assert_true(insecure_with((const char *[]){"--Insecure=TRUE", NULL}));
	assert_false(insecure_with((const char *[]){NULL}));
	expect_error((const char *[]){"--insecure=maybe", NULL}, NULL,
		     "command line: --insecure: \"maybe\" is not a boolean "
		     "(true or false)");
	expect_error((const char *[]){"--node-port+", NULL}, NULL,
		     "command line: --node-port takes a value, not + or -");
}

static void
value_flag_forms(void **state)
{
	char err[256];
	struct gossipd_config *cfg;

	(void)state;
	cfg = load((const char *[]){"--node-ip", "0.0.0.0", "--node-port=2999",
				    "--node-priority", "-3",
				    "--certificate-reserved-node-common-name",
				    "*.cluster.example.org", NULL},
		   NULL, err, sizeof(err));
	assert_non_null(cfg);
	assert_string_equal(cfg->certificate_reserved_node_common_name,
			    "*.cluster.example.org");
	assert_string_equal(cfg->node_ip, "0.0.0.0");
	assert_int_equal(cfg->node_port, 2999);
	assert_int_equal(cfg->node_priority, -3);
	options_free(cfg);
}

static void
special_flags_fill_opt_cli(void **state)
{
	char err[256];
	struct opt_cli cli;
	struct gossipd_config *cfg;

	(void)state;
	cfg = load_cli((const char *[]){"--what-if", "--version", NULL}, NULL,
		       &cli, err, sizeof(err));
	assert_non_null(cfg);
	assert_true(cli.what_if);
	assert_true(cli.version);
	assert_false(cli.help);
	assert_null(cli.doc_format);
	options_free(cfg);

	cfg = load_cli((const char *[]){"--help-format", "man", NULL}, NULL,
		       &cli, err, sizeof(err));
	assert_non_null(cfg);
	assert_string_equal(cli.doc_format, "man");
	options_free(cfg);

	/* --help does not read a broken file or environment */
	cfg = load_cli(
	    (const char *[]){"--help", "--config", "/nonexistent/z.yaml", NULL},
	    (const char *[]){"GOSSIPD_FOO=1", NULL}, &cli, err, sizeof(err));
	assert_non_null(cfg);
	assert_true(cli.help);
	options_free(cfg);

	expect_error((const char *[]){"--help-format=pdf", NULL}, NULL,
		     "command line: --help-format: expected man or markdown");
}

/* ---- seeds ---- */

static void
seeds_as_yaml_list_and_string(void **state)
{
	char err[256], flag[300], want[600];
	struct gossipd_config *cfg;

	(void)state;
	snprintf(flag, sizeof(flag), "--config=%s",
		 write_file("seedlist.yaml", "GossipSeed:\n"
					     "  - node1.example.org:2113\n"
					     "  - \"[::1]:2114\"\n"
					     "  - 10.0.0.3:2115\n"));
	cfg = load((const char *[]){flag, NULL}, NULL, err, sizeof(err));
	assert_non_null(cfg);
	assert_int_equal(cfg->n_seeds, 3);
	assert_string_equal(cfg->seeds[0].host, "node1.example.org");
	assert_int_equal(cfg->seeds[0].port, 2113);
	assert_string_equal(cfg->seeds[1].host, "::1");
	assert_int_equal(cfg->seeds[1].port, 2114);
	assert_string_equal(cfg->seeds[2].host, "10.0.0.3");
	assert_int_equal(options_source(cfg, "GossipSeed"), SRC_CONFIG_FILE);
	options_free(cfg);

	/* the environment replaces the whole list */
	cfg = load((const char *[]){flag, NULL},
		   (const char *[]){"GOSSIPD_GOSSIP_SEED=a:1, b:2", NULL}, err,
		   sizeof(err));
	assert_non_null(cfg);
	assert_int_equal(cfg->n_seeds, 2);
	assert_string_equal(cfg->seeds[1].host, "b");
	assert_int_equal(cfg->seeds[1].port, 2);
	options_free(cfg);

	snprintf(flag, sizeof(flag), "--config=%s",
		 write_file("seedbad.yaml", "GossipSeed:\n"
					    "  - a:1\n"
					    "  - b\n"));
	snprintf(want, sizeof(want), "%s:3: GossipSeed: seed \"b\" has no port",
		 flag + 9);
	expect_error((const char *[]){flag, NULL}, NULL, want);
}

static void
seed_list_parsing_rules(void **state)
{
	struct gossip_seed seeds[4];
	char err[256], host[300], list[400];
	size_t n = 99;

	(void)state;
	assert_int_equal(options_parse_seeds("a:1,[fe80::1]:2,10.1.2.3:65535",
					     seeds, 4, &n, err, sizeof(err)),
			 0);
	assert_int_equal(n, 3);
	assert_string_equal(seeds[1].host, "fe80::1");
	assert_int_equal(seeds[2].port, 65535);

	assert_int_equal(
	    options_parse_seeds("", seeds, 4, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 0);

	struct {
		const char *in, *msg;
	} bad[] = {
	    {"a:1;b:2", "';' is not a separator, use ','"},
	    {"a", "seed \"a\" has no port"},
	    {"[::1]", "seed \"[::1]\" has no port"},
	    {"::1:2113", "write an IPv6 address in brackets"},
	    {"[zz]:1", "is not a host name or an IPv6 address"},
	    {"[::1]x:1", "expected ':' after ']'"},
	    {"[::1:1", "has no ']'"},
	    {"a:0", "the port must be a number from 1 to 65535"},
	    {"a:65536", "the port must be a number from 1 to 65535"},
	    {"a:x", "the port must be a number from 1 to 65535"},
	    {":1", "has no host"},
	    {"a:1,,b:2", "empty seed in the list"},
	    {"a:1,", "empty seed in the list"},
	    {"a:1 b:2", "contains a blank"},
	    {"a:1,b:2,c:3,d:4,e:5", "more than 4 seeds"},
	    {"a/b:1", "is not a host name or address"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		if (options_parse_seeds(bad[i].in, seeds, 4, &n, err,
					sizeof(err)) != -1)
			fail_msg("\"%s\" was accepted", bad[i].in);
		if (strstr(err, bad[i].msg) == NULL)
			fail_msg("\"%s\": \"%s\" lacks \"%s\"", bad[i].in, err,
				 bad[i].msg);
		assert_int_equal(n, 0);
	}

	/* 253 octets is the most a host name may have */
	memset(host, 'a', 253);
	snprintf(list, sizeof(list), "%.253s:1", host);
	assert_int_equal(
	    options_parse_seeds(list, seeds, 4, &n, err, sizeof(err)), 0);
	assert_int_equal(strlen(seeds[0].host), 253);
	snprintf(list, sizeof(list), "%.253sb:1", host);
	assert_int_equal(
	    options_parse_seeds(list, seeds, 4, &n, err, sizeof(err)), -1);
	assert_has(err, "longer than 253 characters");
}

static void
at_most_max_seeds_from_config(void **state)
{
	char err[512], list[OPT_MAX_SEEDS * 16 + 64];
	size_t used;
	struct gossipd_config *cfg;

	(void)state;
	used = (size_t)snprintf(list, sizeof(list), "--gossip-seed=");
	for (int i = 0; i < OPT_MAX_SEEDS; i++)
		used +=
		    (size_t)snprintf(list + used, sizeof(list) - used,
				     "%sh%d:%d", i > 0 ? "," : "", i, 1000 + i);
	cfg = load((const char *[]){list, NULL}, NULL, err, sizeof(err));
	assert_non_null(cfg);
	assert_int_equal(cfg->n_seeds, OPT_MAX_SEEDS);
	options_free(cfg);
	snprintf(list + used, sizeof(list) - used, ",one:1");
	expect_error_has((const char *[]){list, NULL}, NULL,
			 "more than 64 seeds");
}

/* ---- listings ---- */

static void
what_if_shows_value_and_source(void **state)
{
	char err[256];
	struct gossipd_config *cfg;
	char *text;

	(void)state;
	cfg = load((const char *[]){"--what-if", "--node-port", "2999",
				    "--gossip-seed=a:1,[::1]:2", NULL},
		   (const char *[]){"GOSSIPD_CLUSTER_SIZE=3", NULL}, err,
		   sizeof(err));
	assert_non_null(cfg);
	text = what_if(cfg);
	assert_has(text, "NodePort: 2999 (Command Line)\n");
	assert_has(text, "NodeIp: 127.0.0.1 (<DEFAULT>)\n");
	assert_has(text, "ClusterSize: 3 (Environment Variable)\n");
	assert_has(text, "GossipSeed: a:1,[::1]:2 (Command Line)\n");
	assert_has(text, "NodeHostAdvertiseAs: <none> (<DEFAULT>)\n");
	assert_has(text, "Insecure: false (<DEFAULT>)\n");
	free(text);
	options_free(cfg);
}

static void
secrets_are_masked_in_what_if(void **state)
{
	char err[256], flag[300];
	struct gossipd_config *cfg;
	char *text;

	(void)state;
	snprintf(flag, sizeof(flag), "--config=%s",
		 write_file("secret.yaml", "CertificatePassword: hunter2\n"));
	cfg = load(
	    (const char *[]){flag, NULL},
	    (const char *[]){
		"GOSSIPD_CERTIFICATE_PRIVATE_KEY_PASSWORD=swordfish", NULL},
	    err, sizeof(err));
	assert_non_null(cfg);
	assert_string_equal(cfg->certificate_password, "hunter2");
	text = what_if(cfg);
	assert_has(text, "CertificatePassword: **** (Config File)\n");
	assert_has(text, "CertificatePrivateKeyPassword: **** (Environment "
			 "Variable)\n");
	assert_null(strstr(text, "hunter2"));
	assert_null(strstr(text, "swordfish"));
	free(text);
	options_free(cfg);
}

/* "NodeIp" -> "node-ip" (env: "NODE_IP"). */
static void
spell(const char *key, bool env, char *buf, size_t len)
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

/*
 * Every option of the listing has a flag and variables spelled after its
 * key, and each of them reaches the option: set through the flag, the
 * source becomes Command Line.
 */
static void
every_option_is_reachable_by_its_names(void **state)
{
	char err[512], flag[128], env[128], help_flag[160], help_env[160];
	char *text, *help = NULL, *line, *next;
	size_t helplen = 0, count = 0;
	struct gossipd_config *cfg = load(NULL, NULL, err, sizeof(err));
	FILE *f = open_memstream(&help, &helplen);

	(void)state;
	assert_non_null(cfg);
	assert_non_null(f);
	options_help(f);
	fclose(f);
	text = what_if(cfg);
	options_free(cfg);
	for (line = text; *line != '\0'; line = next) {
		char key[64], value[64];
		const char *colon = strchr(line, ':');

		next = strchr(line, '\n');
		assert_non_null(next);
		next++;
		assert_non_null(colon);
		snprintf(key, sizeof(key), "%.*s", (int)(colon - line), line);
		spell(key, false, flag, sizeof(flag));
		spell(key, true, env, sizeof(env));
		snprintf(help_flag, sizeof(help_flag), "  --%s", flag);
		snprintf(help_env, sizeof(help_env),
			 "Environment: GOSSIPD_%s\n", env);
		assert_has(help, help_flag);
		assert_has(help, help_env);
		/* a value every type accepts the form of */
		snprintf(value, sizeof(value), "%s", "1");
		if (strcmp(key, "NodeIp") == 0 ||
		    strcmp(key, "ReplicationIp") == 0)
			snprintf(value, sizeof(value), "10.0.0.9");
		else if (strcmp(key, "GossipSeed") == 0)
			snprintf(value, sizeof(value), "h:1");
		else if (strcmp(key, "LogLevel") == 0)
			snprintf(value, sizeof(value), "debug");
		else if (strcmp(key, "LogFormat") == 0)
			snprintf(value, sizeof(value), "json");
		else if (strcmp(key, "InitialState") == 0)
			snprintf(value, sizeof(value), "Follower");
		else if (strcmp(key, "MaxBodyBytes") == 0)
			snprintf(value, sizeof(value), "2048");
		snprintf(flag + strlen(flag), sizeof(flag) - strlen(flag),
			 "=%s", value);
		snprintf(help_flag, sizeof(help_flag), "--%s", flag);
		snprintf(env + strlen(env), sizeof(env) - strlen(env), "=%s",
			 value);
		snprintf(help_env, sizeof(help_env), "KURRENTDB_%s", env);
		cfg = load((const char *[]){help_flag, "--cluster-dns=x", NULL},
			   (const char *[]){help_env, NULL}, err, sizeof(err));
		if (cfg == NULL)
			fail_msg("%s: %s", help_flag, err);
		assert_int_equal(options_source(cfg, key), SRC_COMMAND_LINE);
		options_free(cfg);
		cfg = load(
		    NULL,
		    (const char *[]){help_env, "GOSSIPD_CLUSTER_DNS=x", NULL},
		    err, sizeof(err));
		if (cfg == NULL)
			fail_msg("%s: %s", help_env, err);
		assert_int_equal(options_source(cfg, key), SRC_ENVIRONMENT);
		options_free(cfg);
		count++;
	}
	/* one per field of struct gossipd_config (seeds+n_seeds: one) */
	assert_int_equal(count, 58);
	free(text);
	free(help);
}

static void
docs_come_from_the_table(void **state)
{
	char *man = NULL, *md = NULL;
	size_t len = 0, rows = 0;
	FILE *f;

	(void)state;
	f = open_memstream(&man, &len);
	assert_non_null(f);
	options_doc(f, "man");
	fclose(f);
	assert_has(man, ".SH OPTIONS\n");
	assert_has(man, ".B \\-\\-node\\-port \\fIN\\fR\n");
	assert_has(man, "\\fBGOSSIPD_NODE_PORT\\fR");
	assert_has(man, ".B \\-\\-what\\-if\n");
	f = open_memstream(&md, &len);
	assert_non_null(f);
	options_doc(f, "markdown");
	fclose(f);
	assert_has(md, "| `NodePort` | `--node-port` | `GOSSIPD_NODE_PORT` | "
		       "integer 1..65535 | `2113` | no |");
	assert_has(md, "| `LogLevel` | `--log-level` |");
	for (const char *p = md; (p = strstr(p, "\n| `")) != NULL; p++)
		rows++;
	assert_int_equal(rows + (strncmp(md, "| `", 3) == 0), 58);
	free(man);
	free(md);
}

/* ---- reload ---- */

/* Seeds, gossip timers, limits and the log format are reloadable; the
 * endpoint is not, and keeps its live value. */
static void
reload_takes_seeds_timers_limits_and_log_format(void **state)
{
	char err[256], flag[300];
	char *argv[2];
	struct gossipd_config *cfg, *fresh, *merged;
	struct opt_reload_report rep;

	(void)state;
	snprintf(flag, sizeof(flag), "--config=%s",
		 write_file("reload2.yaml",
			    "NodePort: 3000\nGossipSeed: 127.0.0.1:4000\n"));
	argv[0] = flag;
	argv[1] = NULL;
	cfg = options_load(1, argv, NULL, NULL, err, sizeof(err));
	assert_non_null(cfg);
	write_file("reload2.yaml",
		   "NodePort: 3001\nGossipSeed: 127.0.0.1:4001,127.0.0.2:4002\n"
		   "GossipIntervalMs: 250\nGossipTimeoutMs: 900\n"
		   "MaxConnections: 77\nMaxBodyBytes: 4096\n"
		   "LogFormat: json\n");
	fresh = options_reload(cfg, 1, argv, NULL, err, sizeof(err));
	assert_non_null(fresh);
	merged = options_apply_reload(cfg, fresh, &rep);
	assert_non_null(merged);
	assert_int_equal(merged->n_seeds, 2);
	assert_int_equal(merged->seeds[1].port, 4002);
	assert_int_equal(merged->gossip_interval_ms, 250);
	assert_int_equal(merged->gossip_timeout_ms, 900);
	assert_int_equal(merged->max_connections, 77);
	assert_int_equal(merged->max_body_bytes, 4096);
	assert_string_equal(merged->log_format, "json");
	assert_int_equal(merged->node_port, 3000);
	assert_int_equal(rep.n_applied, 6);
	assert_string_equal(rep.applied,
			    "GossipSeed, GossipIntervalMs, GossipTimeoutMs, "
			    "MaxConnections, MaxBodyBytes, LogFormat");
	assert_int_equal(rep.n_restart, 1);
	assert_string_equal(rep.restart, "NodePort");
	options_free(merged);
	options_free(fresh);
	options_free(cfg);
}

static void
reload_rereads_the_same_file(void **state)
{
	char err[256], flag[300];
	char *argv[2];
	struct gossipd_config *cfg, *fresh, *merged;
	struct opt_reload_report rep;

	(void)state;
	snprintf(flag, sizeof(flag), "--config=%s",
		 write_file("reload.yaml", "NodePort: 3000\nLogLevel: info\n"));
	argv[0] = flag;
	argv[1] = NULL;
	cfg = options_load(1, argv, NULL, NULL, err, sizeof(err));
	assert_non_null(cfg);
	write_file("reload.yaml", "NodePort: 3001\nLogLevel: debug\n");
	fresh = options_reload(cfg, 1, argv, NULL, err, sizeof(err));
	assert_non_null(fresh);
	assert_int_equal(fresh->node_port, 3001);
	assert_string_equal(fresh->log_level, "debug");

	merged = options_apply_reload(cfg, fresh, &rep);
	assert_non_null(merged);
	assert_string_equal(merged->log_level, "debug");
	assert_int_equal(merged->node_port, 3000);
	assert_int_equal(rep.n_restart, 1);
	assert_string_equal(rep.restart, "NodePort");
	assert_int_equal(rep.n_applied, 1);
	assert_string_equal(rep.applied, "LogLevel");
	assert_int_equal(options_source(merged, "LogLevel"), SRC_CONFIG_FILE);
	options_free(merged);
	options_free(fresh);

	/* a bad file: the reload fails and names the problem */
	write_file("reload.yaml", "NodePort: 70000\n");
	fresh = options_reload(cfg, 1, argv, NULL, err, sizeof(err));
	assert_null(fresh);
	assert_has(err, "reload.yaml:1: NodePort: 70000 is out of range");

	/* a vanished file is an error too, not a return to the defaults */
	unlink(flag + 9);
	fresh = options_reload(cfg, 0, NULL, NULL, err, sizeof(err));
	assert_null(fresh);
	assert_has(err, "reload.yaml: cannot open");
	options_free(cfg);
}

static void
advertised_endpoint_prefers_advertise_as(void **state)
{
	char err[256];
	struct gossipd_config *cfg;

	(void)state;
	cfg =
	    load((const char *[]){"--node-host-advertise-as=node1.example.org",
				  "--node-port-advertise-as", "443", NULL},
		 NULL, err, sizeof(err));
	assert_non_null(cfg);
	assert_string_equal(options_advertised_host(cfg), "node1.example.org");
	assert_int_equal(options_advertised_port(cfg), 443);
	options_free(cfg);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(defaults_follow_the_spec),
	    cmocka_unit_test(yaml_beats_default),
	    cmocka_unit_test(env_beats_yaml),
	    cmocka_unit_test(flag_beats_env),
	    cmocka_unit_test(flag_beats_yaml),
	    cmocka_unit_test(kurrentdb_env_beats_default),
	    cmocka_unit_test(gossipd_env_beats_kurrentdb_env),
	    cmocka_unit_test(config_flag_beats_config_env),
	    cmocka_unit_test(tooling_variables_are_not_options),
	    cmocka_unit_test(out_of_range_port_names_flag_and_bounds),
	    cmocka_unit_test(non_integer_names_variable),
	    cmocka_unit_test(seed_without_port_names_file_and_line),
	    cmocka_unit_test(semicolon_between_seeds_is_an_error),
	    cmocka_unit_test(yaml_syntax_error_has_line),
	    cmocka_unit_test(unknown_yaml_key_names_file_and_line),
	    cmocka_unit_test(unknown_env_variable_is_an_error),
	    cmocka_unit_test(unknown_flag_is_an_error),
	    cmocka_unit_test(windows_store_options_are_refused_everywhere),
	    cmocka_unit_test(missing_config_file_is_an_error),
	    cmocka_unit_test(oversized_config_file_is_refused),
	    cmocka_unit_test(yaml_shape_errors),
	    cmocka_unit_test(yaml_keys_match_in_any_case_and_values_are_typed),
	    cmocka_unit_test(empty_yaml_documents_are_fine),
	    cmocka_unit_test(value_checks),
	    cmocka_unit_test(secret_values_are_not_echoed_in_errors),
	    cmocka_unit_test(bool_flag_forms),
	    cmocka_unit_test(value_flag_forms),
	    cmocka_unit_test(special_flags_fill_opt_cli),
	    cmocka_unit_test(seeds_as_yaml_list_and_string),
	    cmocka_unit_test(seed_list_parsing_rules),
	    cmocka_unit_test(at_most_max_seeds_from_config),
	    cmocka_unit_test(what_if_shows_value_and_source),
	    cmocka_unit_test(secrets_are_masked_in_what_if),
	    cmocka_unit_test(every_option_is_reachable_by_its_names),
	    cmocka_unit_test(docs_come_from_the_table),
	    cmocka_unit_test(reload_rereads_the_same_file),
	    cmocka_unit_test(reload_takes_seeds_timers_limits_and_log_format),
	    cmocka_unit_test(advertised_endpoint_prefers_advertise_as),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
