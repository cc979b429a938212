/*
 * options_doc: everything printed from the option table: the --what-if
 * listing, its log form, --help, and the man page and Markdown tables.
 */
#include "options_impl.h"

#include "log.h"

#include <stdio.h>
#include <string.h>

/* The value as --what-if shows it (secrets ****, unset <none>). */
static void
opt_format_value(const struct gossipd_config *cfg, const struct opt_def *d,
		 char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	switch (d->type) {
	case OT_INT:
		snprintf(buf, len, "%d", *OPT_CFIELD(cfg, d, int));
		return;
	case OT_BOOL:
		snprintf(buf, len, "%s",
			 *OPT_CFIELD(cfg, d, bool) ? "true" : "false");
		return;
	case OT_SEEDS:
		if (cfg->n_seeds == 0)
			snprintf(buf, len, "<none>");
		for (size_t i = 0; i < cfg->n_seeds && used < len; i++) {
			const struct gossip_seed *s = &cfg->seeds[i];
			bool v6 = strchr(s->host, ':') != NULL;
			int w = snprintf(buf + used, len - used, "%s%s%s%s:%d",
					 i > 0 ? "," : "", v6 ? "[" : "",
					 s->host, v6 ? "]" : "", s->port);

			used += w > 0 ? (size_t)w : 0;
		}
		return;
	default: {
		const char *s = *OPT_CFIELD(cfg, d, char *);

		if (s == NULL)
			snprintf(buf, len, "<none>");
		else if (d->flags & O_SECRET)
			snprintf(buf, len, "****");
		else
			snprintf(buf, len, "%s", s);
		return;
	}
	}
}

void
options_what_if(const struct gossipd_config *cfg, FILE *out)
{
	char value[OPT_LISTING_MAX];
	size_t n;
	const struct opt_def *t = opt_defs(&n);

	for (size_t i = 0; i < n; i++) {
		opt_format_value(cfg, &t[i], value, sizeof(value));
		fprintf(out, "%s: %s (%s)\n", t[i].key, value,
			options_source_name(cfg->sources[i]));
	}
	if (cfg->env_hints != NULL)
		fprintf(stderr, "gossipd: environment: %s\n", cfg->env_hints);
}

void
options_log(const struct gossipd_config *cfg)
{
	char value[OPT_LISTING_MAX];
	size_t n;
	const struct opt_def *t = opt_defs(&n);

	if (cfg->config_path != NULL)
		log_info("configuration file %s", cfg->config_path);
	if (cfg->env_hints != NULL)
		log_warn("environment: %s", cfg->env_hints);
	for (size_t i = 0; i < n; i++) {
		opt_format_value(cfg, &t[i], value, sizeof(value));
		log_info("option %s: %s (%s)", t[i].key, value,
			 options_source_name(cfg->sources[i]));
	}
}

void
options_log_setup(const struct gossipd_config *cfg)
{
	enum log_level level = LL_INFO;
	enum log_format format = LF_TEXT;

	if (cfg->log_level != NULL)
		(void)log_level_parse(cfg->log_level, &level);
	if (cfg->log_format != NULL)
		(void)log_format_parse(cfg->log_format, &format);
	log_configure(level, format);
}

/* The placeholder for an option's value in --help and the docs. */
static const char *
metavar(const struct opt_def *d)
{
	switch (d->type) {
	case OT_PATH:
		return "PATH";
	case OT_HOST:
		return "HOST";
	case OT_IP:
		return "IP";
	case OT_INT:
		return "N";
	case OT_BOOL:
		return NULL;
	case OT_SEEDS:
		return "HOST:PORT,...";
	case OT_LOG_LEVEL:
		return "LEVEL";
	case OT_LOG_FORMAT:
		return "FORMAT";
	case OT_STATE:
		return "STATE";
	default:
		return "TEXT";
	}
}

/* The type column of the Markdown table. */
static void
type_text(const struct opt_def *d, char *buf, size_t len)
{
	static const char *const names[] = {
	    [OT_STRING] = "string",	[OT_PATH] = "path",
	    [OT_HOST] = "host",		[OT_IP] = "IP address",
	    [OT_INT] = "integer",	[OT_BOOL] = "boolean",
	    [OT_SEEDS] = "seed list",	[OT_LOG_LEVEL] = "log level",
	    [OT_LOG_FORMAT] = "format", [OT_STATE] = "member state",
	};

	if (d->type == OT_INT)
		snprintf(buf, len, "integer %lld..%lld", d->min, d->max);
	else
		snprintf(buf, len, "%s", names[d->type]);
}

/* The special flags, handled by options_load() into struct opt_cli. */
static const struct {
	const char *flag, *metavar, *help;
} specials[] = {
    {"config", "PATH",
     "YAML configuration file (else $GOSSIPD_CONFIG, else "
     "/etc/gossipd/gossipd.conf when it exists)"},
    {"what-if", NULL, "print every option with its value and source, and exit"},
    {"help", NULL, "print this help and exit"},
    {"help-format", "man|markdown",
     "print the option table as a man page section or Markdown, and "
     "exit"},
    {"version", NULL, "print the version and exit"},
};
#define N_SPECIALS (sizeof(specials) / sizeof(specials[0]))

void
options_help(FILE *out)
{
	size_t n;
	const struct opt_def *t = opt_defs(&n);

	fprintf(out, "usage: gossipd [start] [options]\n\n");
	for (size_t i = 0; i < N_SPECIALS; i++)
		fprintf(out, "  --%s%s%s\n      %s\n", specials[i].flag,
			specials[i].metavar != NULL ? " " : "",
			specials[i].metavar != NULL ? specials[i].metavar : "",
			specials[i].help);
	fprintf(out, "\nOptions, lowest precedence first: default, YAML "
		     "file (Key: value), environment (GOSSIPD_*, or "
		     "KURRENTDB_* or EVENTSTORE_*), command line. Booleans "
		     "also take --name, "
		     "--name+ and --name-.\n\n");
	for (size_t i = 0; i < n; i++) {
		const struct opt_def *d = &t[i];
		const char *mv = metavar(d);

		fprintf(out, "  --%s%s%s\n      %s: %s. Default: %s.%s\n",
			d->flag, mv != NULL ? " " : "", mv != NULL ? mv : "",
			d->key, d->help, d->def != NULL ? d->def : "none",
			(d->flags & O_RELOAD) ? " Reloadable." : "");
		fprintf(out, "      Environment: %s\n", d->env);
	}
}

/* Writes s for roff: backslash and '-' escaped, no leading '.' or '\''. */
static void
roff_puts(FILE *out, const char *s)
{
	if (*s == '.' || *s == '\'')
		fputs("\\&", out);
	for (; *s != '\0'; s++) {
		if (*s == '\\')
			fputs("\\e", out);
		else if (*s == '-')
			fputs("\\-", out);
		else
			fputc(*s, out);
	}
}

static void
doc_man(FILE *out)
{
	size_t n;
	const struct opt_def *t = opt_defs(&n);

	fputs(".SH OPTIONS\n", out);
	for (size_t i = 0; i < N_SPECIALS; i++) {
		fputs(".TP\n.B \\-\\-", out);
		roff_puts(out, specials[i].flag);
		if (specials[i].metavar != NULL) {
			fputs(" \\fI", out);
			roff_puts(out, specials[i].metavar);
			fputs("\\fR", out);
		}
		fputc('\n', out);
		roff_puts(out, specials[i].help);
		fputs(".\n", out);
	}
	for (size_t i = 0; i < n; i++) {
		const struct opt_def *d = &t[i];
		const char *mv = metavar(d);

		fputs(".TP\n.B \\-\\-", out);
		roff_puts(out, d->flag);
		if (mv != NULL) {
			fputs(" \\fI", out);
			roff_puts(out, mv);
			fputs("\\fR", out);
		}
		fputc('\n', out);
		roff_puts(out, d->help);
		fputs(".\nYAML key \\fB", out);
		roff_puts(out, d->key);
		fputs("\\fR, environment \\fB", out);
		roff_puts(out, d->env);
		fputs("\\fR (or \\fBKURRENTDB_", out);
		roff_puts(out, d->env + strlen(OPT_ENV_PREFIX));
		fputs("\\fR). Default: ", out);
		roff_puts(out, d->def != NULL ? d->def : "none");
		fputs(".", out);
		if (d->flags & O_RELOAD)
			fputs(" Reloadable.", out);
		if (d->flags & O_SECRET)
			fputs(" Secret: shown as ****.", out);
		fputc('\n', out);
	}
}

/* Writes s for a Markdown table cell: '|' escaped, no newlines. */
static void
md_cell(FILE *out, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '|')
			fputs("\\|", out);
		else if (*s == '\n')
			fputc(' ', out);
		else
			fputc(*s, out);
	}
}

static void
doc_markdown(FILE *out)
{
	char type[64];
	size_t n;
	const struct opt_def *t = opt_defs(&n);

	fputs("| YAML key | flag | environment | type | default | "
	      "reloadable | meaning |\n",
	      out);
	fputs("|---|---|---|---|---|---|---|\n", out);
	for (size_t i = 0; i < n; i++) {
		const struct opt_def *d = &t[i];

		type_text(d, type, sizeof(type));
		fprintf(out, "| `%s` | `--%s` | `%s` | ", d->key, d->flag,
			d->env);
		md_cell(out, type);
		fputs(" | ", out);
		if (d->def != NULL) {
			fputc('`', out);
			md_cell(out, d->def);
			fputc('`', out);
		} else {
			fputs("—", out);
		}
		fprintf(out, " | %s | ", (d->flags & O_RELOAD) ? "yes" : "no");
		md_cell(out, d->help);
		fputs((d->flags & O_SECRET) ? " (secret)" : "", out);
		fputs(" |\n", out);
	}
	fputs("\nEvery `GOSSIPD_*` variable is also accepted in its "
	      "`KURRENTDB_*` and `EVENTSTORE_*` spellings. Besides the "
	      "options: ",
	      out);
	for (size_t i = 0; i < N_SPECIALS; i++)
		fprintf(out, "%s`--%s%s%s`", i > 0 ? ", " : "",
			specials[i].flag,
			specials[i].metavar != NULL ? " " : "",
			specials[i].metavar != NULL ? specials[i].metavar : "");
	fputs(".\n", out);
}

void
options_doc(FILE *out, const char *format)
{
	if (format != NULL && strcmp(format, "man") == 0)
		doc_man(out);
	else
		doc_markdown(out);
}
