/*
 * options_load: one load, in precedence order (defaults, YAML file,
 * environment, command line), into a config built aside; and the reload,
 * which repeats it.
 */
#include "options_impl.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Names the tooling sets around the daemon, never options. */
static bool
env_is_tooling(const char *name, size_t len)
{
	static const char *const exact[] = {
	    "GOSSIPD_CONFIG", "KURRENTDB_CONFIG", "EVENTSTORE_CONFIG",
	    "GOSSIPD_BIN",    "GOSSIPD_SRC",	  "GOSSIPD_TOOLS"};
	static const char *const prefix[] = {"GOSSIPD_TEST_", "GOSSIPD_FUZZ_",
					     "GOSSIPD_BENCH_"};

	for (size_t i = 0; i < sizeof(exact) / sizeof(exact[0]); i++)
		if (strlen(exact[i]) == len &&
		    strncmp(exact[i], name, len) == 0)
			return true;
	for (size_t i = 0; i < sizeof(prefix) / sizeof(prefix[0]); i++)
		if (len > strlen(prefix[i]) &&
		    strncmp(prefix[i], name, strlen(prefix[i])) == 0)
			return true;
	return false;
}

/* Notes a variable of a shared prefix that nearly names an option. */
static void
env_hint(struct gossipd_config *cfg, const char *name, size_t len,
	 const char *prefix, const struct opt_def *d)
{
	size_t have = cfg->env_hints != NULL ? strlen(cfg->env_hints) : 0;
	size_t need = have + len + strlen(prefix) + strlen(d->env) + 40;
	char *h;

	if (env_is_tooling(name, len) || have > 2048 ||
	    (h = realloc(cfg->env_hints, need)) == NULL)
		return;
	snprintf(h + have, need - have,
		 "%s%.*s is not an option; did you mean %s%s?",
		 have > 0 ? "; " : "", (int)len, name, prefix,
		 d->env + strlen(OPT_ENV_PREFIX));
	cfg->env_hints = h;
}

/* One pass over envp for one prefix; the GOSSIPD_ pass runs last. */
static int
env_pass(struct gossipd_config *cfg, char **envp, const char *prefix,
	 bool strict, char *err, size_t errlen)
{
	size_t plen = strlen(prefix);

	for (char **e = envp; e != NULL && *e != NULL; e++) {
		const char *eq = strchr(*e, '=');
		const struct opt_def *d;
		const char *win;
		char name[OPT_ECHO_MAX + 8];
		size_t len;

		if (eq == NULL || strncmp(*e, prefix, plen) != 0)
			continue;
		len = (size_t)(eq - *e);
		if (strict && env_is_tooling(*e, len))
			continue;
		snprintf(name, sizeof(name), "%.*s",
			 (int)(len < OPT_ECHO_MAX ? len : OPT_ECHO_MAX), *e);
		win = opt_win_store_match(*e + plen, len - plen, OS_ENV);
		if (win != NULL) {
			snprintf(err, errlen,
				 "environment: %s (%s) " OPT_WIN_STORE_HINT,
				 name, win);
			return -1;
		}
		d = opt_by_env_suffix(*e + plen, len - plen);
		if (d == NULL) {
			const struct opt_def *near =
			    opt_suggest(*e + plen, len - plen, OS_ENV);

			if (!strict) {
				if (near != NULL)
					env_hint(cfg, *e, len, prefix, near);
				continue;
			}
			opt_echo(name, name, sizeof(name));
			if (near != NULL)
				snprintf(err, errlen,
					 "environment: unknown variable %s; "
					 "did you mean %s?",
					 name, near->env);
			else
				snprintf(err, errlen,
					 "environment: unknown variable %s%s",
					 name, len > OPT_ECHO_MAX ? "..." : "");
			return -1;
		}
		if (opt_assign(cfg, d, eq + 1, false, SRC_ENVIRONMENT,
			       "environment", name, err, errlen) != 0)
			return -1;
	}
	return 0;
}

static const char *
env_get(char **envp, const char *name)
{
	size_t len = strlen(name);

	for (char **e = envp; e != NULL && *e != NULL; e++)
		if (strncmp(*e, name, len) == 0 && (*e)[len] == '=')
			return *e + len + 1;
	return NULL;
}

/* ---------------------------------------------------------------- */
/* command line */

struct cli_item {
	const struct opt_def *d;
	const char *value;
};

struct cli_parse {
	struct opt_cli *cli;
	const char *config; /* --config value */
	struct cli_item *items;
	size_t n_items;
};

static bool
is_bool_word(const char *v)
{
	return strcasecmp(v, "true") == 0 || strcasecmp(v, "false") == 0;
}

/* The flags that are not options: --config, --help, --version, ... */
static int
cli_special(struct cli_parse *cp, const char *name, size_t len,
	    const char *value, int argc, char **argv, int *i, char *err,
	    size_t errlen)
{
	static const char *const fmts[] = {"man", "markdown"};
	bool takes =
	    len == 6 ? strncasecmp(name, "config", 6) == 0
		     : len == 11 && strncasecmp(name, "help-format", 11) == 0;

	if (!takes) {
		bool *flag = NULL;

		if (len == 4 && strncasecmp(name, "help", 4) == 0)
			flag = &cp->cli->help;
		else if (len == 7 && strncasecmp(name, "version", 7) == 0)
			flag = &cp->cli->version;
		else if (len == 7 && strncasecmp(name, "what-if", 7) == 0)
			flag = &cp->cli->what_if;
		if (flag == NULL)
			return 1;
		if (value != NULL) {
			snprintf(err, errlen,
				 "command line: --%.*s takes no value",
				 (int)len, name);
			return -1;
		}
		*flag = true;
		return 0;
	}
	if (value == NULL) {
		if (*i + 1 >= argc || strncmp(argv[*i + 1], "--", 2) == 0) {
			snprintf(err, errlen,
				 "command line: --%.*s needs a value", (int)len,
				 name);
			return -1;
		}
		value = argv[++*i];
	}
	if (len == 6) {
		if (*value == '\0') {
			snprintf(err, errlen,
				 "command line: --config needs a file name");
			return -1;
		}
		cp->config = value;
		return 0;
	}
	for (size_t k = 0; k < 2; k++)
		if (strcasecmp(value, fmts[k]) == 0) {
			cp->cli->doc_format = fmts[k];
			return 0;
		}
	snprintf(err, errlen,
		 "command line: --help-format: expected man or markdown");
	return -1;
}

/*
 * The option a flag name (without dashes, len bytes) names; "name+" and
 * "name-" of a boolean set *value. NULL with the error written.
 */
static const struct opt_def *
cli_lookup(const char *name, size_t len, bool has_value, const char **value,
	   char *err, size_t errlen)
{
	char echo[OPT_ECHO_MAX + 8], shown[OPT_ECHO_MAX + 1];
	const struct opt_def *d = opt_by_flag(name, len);
	const char *win;

	if (d == NULL && !has_value && len > 1 &&
	    (name[len - 1] == '+' || name[len - 1] == '-')) {
		d = opt_by_flag(name, len - 1);
		if (d != NULL && d->type != OT_BOOL) {
			snprintf(err, errlen,
				 "command line: --%s takes a value, not + or "
				 "-",
				 d->flag);
			return NULL;
		}
		if (d != NULL)
			*value = name[len - 1] == '+' ? "true" : "false";
	}
	if (d != NULL)
		return d;
	win = opt_win_store_match(name, len, OS_FLAG);
	if (win != NULL) {
		snprintf(err, errlen,
			 "command line: --%.*s (%s) " OPT_WIN_STORE_HINT,
			 (int)len, name, win);
		return NULL;
	}
	snprintf(shown, sizeof(shown), "%.*s",
		 (int)(len < OPT_ECHO_MAX ? len : OPT_ECHO_MAX), name);
	opt_echo(shown, echo, sizeof(echo));
	d = opt_suggest(name, len, OS_FLAG);
	if (d != NULL)
		snprintf(err, errlen,
			 "command line: unknown option --%s; did you mean "
			 "--%s?",
			 echo, d->flag);
	else
		snprintf(err, errlen, "command line: unknown option --%s%s",
			 echo, len > OPT_ECHO_MAX ? "..." : "");
	return NULL;
}

/* One argument (and maybe the next, its value) into cp. */
static int
cli_one(struct cli_parse *cp, int argc, char **argv, int *i, char *err,
	size_t errlen)
{
	const char *arg = argv[*i], *name, *eq, *value = NULL;
	char echo[OPT_ECHO_MAX + 8];
	const struct opt_def *d;
	size_t len;
	int rc;

	if (strcmp(arg, "-h") == 0) {
		cp->cli->help = true;
		return 0;
	}
	if (strncmp(arg, "--", 2) != 0 || arg[2] == '\0') {
		opt_echo(arg, echo, sizeof(echo));
		snprintf(err, errlen,
			 "command line: unexpected argument \"%s\" (options "
			 "start with --)",
			 echo);
		return -1;
	}
	name = arg + 2;
	eq = strchr(name, '=');
	len = eq != NULL ? (size_t)(eq - name) : strlen(name);
	if (eq != NULL)
		value = eq + 1;
	rc = cli_special(cp, name, len, value, argc, argv, i, err, errlen);
	if (rc <= 0)
		return rc;
	d = cli_lookup(name, len, eq != NULL, &value, err, errlen);
	if (d == NULL)
		return -1;
	if (value == NULL && d->type == OT_BOOL) {
		value = "true";
		if (*i + 1 < argc && is_bool_word(argv[*i + 1]))
			value = argv[++*i];
	} else if (value == NULL) {
		if (*i + 1 >= argc || strncmp(argv[*i + 1], "--", 2) == 0) {
			snprintf(err, errlen,
				 "command line: --%s needs a value", d->flag);
			return -1;
		}
		value = argv[++*i];
	}
	cp->items[cp->n_items].d = d;
	cp->items[cp->n_items].value = value;
	cp->n_items++;
	return 0;
}

static int
cli_scan(struct cli_parse *cp, int argc, char **argv, char *err, size_t errlen)
{
	cp->items = calloc(argc > 0 ? (size_t)argc : 1, sizeof(*cp->items));
	if (cp->items == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (int i = 0; i < argc; i++) {
		if (argv[i] == NULL)
			break;
		if (cli_one(cp, argc, argv, &i, err, errlen) != 0)
			return -1;
	}
	return 0;
}

static int
cli_apply(struct gossipd_config *cfg, const struct cli_parse *cp, char *err,
	  size_t errlen)
{
	char what[80];

	for (size_t k = 0; k < cp->n_items; k++) {
		const struct opt_def *d = cp->items[k].d;

		snprintf(what, sizeof(what), "--%s", d->flag);
		if (opt_assign(cfg, d, cp->items[k].value, false,
			       SRC_COMMAND_LINE, "command line", what, err,
			       errlen) != 0)
			return -1;
	}
	return 0;
}

/* ---------------------------------------------------------------- */
/* loading */

/* Rules that span options; named by where the deciding value came from. */
static int
check_whole(const struct gossipd_config *cfg, char *err, size_t errlen)
{
	static const char *const labels[] = {
	    [SRC_DEFAULT] = "defaults",
	    [SRC_CONFIG_FILE] = "configuration file",
	    [SRC_ENVIRONMENT] = "environment",
	    [SRC_COMMAND_LINE] = "command line",
	};
	enum opt_source src = options_source(cfg, "DiscoverViaDns");
	const char *label = src == SRC_CONFIG_FILE && cfg->config_path != NULL
				? cfg->config_path
				: labels[src];

	if (cfg->discover_via_dns && cfg->cluster_dns == NULL) {
		snprintf(err, errlen,
			 "%s: DiscoverViaDns is true but ClusterDns is not set",
			 label);
		return -1;
	}
	return 0;
}

/* The YAML file to read: forced (reload), --config, GOSSIPD_CONFIG, or
 * the default when it exists. *required: a missing file is an error. */
static const char *
pick_config(const char *forced, const char *flag, char **envp, bool *required)
{
	const char *env = env_get(envp, "GOSSIPD_CONFIG");

	if (env == NULL || *env == '\0')
		env = env_get(envp, "KURRENTDB_CONFIG");
	if (env == NULL || *env == '\0')
		env = env_get(envp, "EVENTSTORE_CONFIG");

	*required = true;
	if (forced != NULL)
		return forced;
	if (flag != NULL)
		return flag;
	if (env != NULL && *env != '\0')
		return env;
	*required = false;
	return OPT_DEFAULT_CONFIG;
}

static struct gossipd_config *
load(const char *forced, int argc, char **argv, char **envp,
     struct opt_cli *cli, char *err, size_t errlen)
{
	struct opt_cli spare;
	struct cli_parse cp = {0};
	struct gossipd_config *cfg = NULL;
	const char *path;
	bool required;
	int rc;

	memset(&spare, 0, sizeof(spare));
	if (cli == NULL)
		cli = &spare;
	memset(cli, 0, sizeof(*cli));
	cp.cli = cli;
	if (errlen > 0)
		err[0] = '\0';
	if (cli_scan(&cp, argc, argv, err, errlen) != 0)
		goto fail;
	cfg = opt_config_defaults(err, errlen);
	if (cfg == NULL)
		goto fail;
	if (!cli->help && !cli->version && cli->doc_format == NULL) {
		path = pick_config(forced, cp.config, envp, &required);
		rc = opt_yaml_load(cfg, path, required, err, errlen);
		if (rc < 0)
			goto fail;
		if (rc > 0 && (cfg->config_path = strdup(path)) == NULL) {
			snprintf(err, errlen, "out of memory");
			goto fail;
		}
		if (env_pass(cfg, envp, OPT_ENV_EVENTSTORE, false, err,
			     errlen) != 0 ||
		    env_pass(cfg, envp, OPT_ENV_KURRENTDB, false, err,
			     errlen) != 0 ||
		    env_pass(cfg, envp, OPT_ENV_PREFIX, true, err, errlen) != 0)
			goto fail;
	}
	if (cli_apply(cfg, &cp, err, errlen) != 0 ||
	    check_whole(cfg, err, errlen) != 0)
		goto fail;
	free(cp.items);
	return cfg;
fail:
	free(cp.items);
	options_free(cfg);
	return NULL;
}

struct gossipd_config *
options_load(int argc, char **argv, char **envp, struct opt_cli *cli, char *err,
	     size_t errlen)
{
	return load(NULL, argc, argv, envp, cli, err, errlen);
}

struct gossipd_config *
options_reload(const struct gossipd_config *old, int argc, char **argv,
	       char **envp, char *err, size_t errlen)
{
	/* A file read at start must still be there: a vanished file is an
	 * error, not a silent return to the defaults. */
	return load(old != NULL ? old->config_path : NULL, argc, argv, envp,
		    NULL, err, errlen);
}
