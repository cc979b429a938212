/*
 * options_yaml: the configuration file, a YAML mapping of "Key: value"
 * (libyaml event API). Keys match the option table case-insensitively;
 * GossipSeed may also be a YAML list. The file is read whole, bounded by
 * OPT_FILE_MAX, and every message carries "path:line".
 */
#include "options_impl.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

/* Reads a regular file of at most OPT_FILE_MAX bytes. Returns 1 with a
 * malloc'd buffer, 0 when it does not exist and !required, -1 on error. */
static int
read_bounded(const char *path, bool required, unsigned char **buf, size_t *len,
	     char *err, size_t errlen)
{
	struct stat st;
	size_t got = 0;
	int fd, rc = -1;

	*buf = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		if (errno == ENOENT && !required)
			return 0;
		snprintf(err, errlen, "%s: cannot open: %s", path,
			 strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		goto out;
	}
	if (st.st_size > OPT_FILE_MAX) {
		snprintf(err, errlen, "%s: larger than %d bytes", path,
			 OPT_FILE_MAX);
		goto out;
	}
	*buf = malloc((size_t)st.st_size + 1);
	if (*buf == NULL) {
		snprintf(err, errlen, "%s: out of memory", path);
		goto out;
	}
	/* Read one byte more than the size, to notice a file that grew. */
	while (got <= (size_t)st.st_size) {
		ssize_t n = read(fd, *buf + got, (size_t)st.st_size + 1 - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(err, errlen, "%s: cannot read: %s", path,
				 strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	if (got > (size_t)st.st_size) {
		snprintf(err, errlen, "%s: changed while being read", path);
		goto out;
	}
	*len = got;
	rc = 1;
out:
	if (rc < 0) {
		free(*buf);
		*buf = NULL;
	}
	close(fd);
	return rc;
}

struct yaml_ctx {
	struct gossipd_config *cfg;
	const char *path;
	yaml_parser_t parser;
	size_t *first_line; /* per option, the line it was set on; 0: not */
	const struct opt_def *defs;
	char *err;
	size_t errlen;
};

static size_t
line_of(const yaml_event_t *ev)
{
	return ev->start_mark.line + 1;
}

/* The next event, or -1 with "path:line: problem (context)". */
static int
next_event(struct yaml_ctx *y, yaml_event_t *ev)
{
	const yaml_parser_t *p = &y->parser;

	if (yaml_parser_parse(&y->parser, ev))
		return 0;
	snprintf(y->err, y->errlen, "%s:%zu: %s%s%s%s", y->path,
		 p->problem_mark.line + 1,
		 p->problem != NULL ? p->problem : "YAML syntax error",
		 p->context != NULL ? " (" : "",
		 p->context != NULL ? p->context : "",
		 p->context != NULL ? ")" : "");
	return -1;
}

static int
fail_at(struct yaml_ctx *y, size_t line, const char *what, const char *msg)
{
	snprintf(y->err, y->errlen, "%s:%zu: %s%s%s", y->path, line,
		 what != NULL ? what : "", what != NULL ? ": " : "", msg);
	return -1;
}

/* Events and anchors: only scalars, mappings and lists, no aliases. */
static int
event_kind_ok(struct yaml_ctx *y, const yaml_event_t *ev)
{
	if (ev->type == YAML_ALIAS_EVENT)
		return fail_at(y, line_of(ev), NULL,
			       "aliases (*name) are not supported");
	return 0;
}

static const char *
scalar(const yaml_event_t *ev)
{
	return (const char *)ev->data.scalar.value;
}

/* Sets d from one scalar event, with "path:line" as the source. */
static int
yaml_assign(struct yaml_ctx *y, const struct opt_def *d, const yaml_event_t *ev,
	    bool append)
{
	static const char *const nulls[] = {"~", "null", "Null", "NULL"};
	const char *v = scalar(ev);
	char where[OPT_MSG_MAX];

	snprintf(where, sizeof(where), "%s:%zu", y->path, line_of(ev));
	if (strlen(v) != ev->data.scalar.length)
		return fail_at(y, line_of(ev), d->key,
			       "a value may not contain a NUL character");
	for (size_t i = 0; ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
			   i < sizeof(nulls) / sizeof(nulls[0]);
	     i++)
		if (strcmp(v, nulls[i]) == 0)
			v = "";
	return opt_assign(y->cfg, d, v, append, SRC_CONFIG_FILE, where, d->key,
			  y->err, y->errlen);
}

/* The items of a GossipSeed list, up to its end event. */
static int
yaml_seed_list(struct yaml_ctx *y, const struct opt_def *d)
{
	yaml_event_t item;
	bool first = true;
	int rc = 0;

	for (;;) {
		if (next_event(y, &item) != 0)
			return -1;
		if (item.type == YAML_SEQUENCE_END_EVENT)
			break;
		if (item.type != YAML_SCALAR_EVENT)
			rc = event_kind_ok(y, &item) != 0
				 ? -1
				 : fail_at(y, line_of(&item), d->key,
					   "list items must be host:port "
					   "values");
		else
			rc = yaml_assign(y, d, &item, !first);
		first = false;
		if (rc != 0)
			break;
		yaml_event_delete(&item);
	}
	yaml_event_delete(&item);
	if (rc == 0 && first) { /* an empty list: no seeds */
		y->cfg->n_seeds = 0;
		y->cfg->sources[d - y->defs] = SRC_CONFIG_FILE;
	}
	return rc;
}

/* A value event for option d: a scalar, or a list of scalars for seeds. */
static int
yaml_value(struct yaml_ctx *y, const struct opt_def *d, const yaml_event_t *ev)
{
	if (ev->type == YAML_SCALAR_EVENT)
		return yaml_assign(y, d, ev, false);
	if (event_kind_ok(y, ev) != 0)
		return -1;
	if (ev->type == YAML_SEQUENCE_START_EVENT && d->type == OT_SEEDS)
		return yaml_seed_list(y, d);
	return fail_at(y, line_of(ev), d->key,
		       ev->type == YAML_SEQUENCE_START_EVENT
			   ? "expected a single value, not a list"
			   : "expected a value, not a mapping");
}

/* A key event: the option it names, or NULL with the error written. */
static const struct opt_def *
yaml_key(struct yaml_ctx *y, const yaml_event_t *ev)
{
	char echo[OPT_ECHO_MAX + 8], msg[OPT_MSG_MAX];
	const struct opt_def *d;
	const char *win;
	size_t line = line_of(ev);

	if (ev->type != YAML_SCALAR_EVENT) {
		if (event_kind_ok(y, ev) == 0)
			fail_at(y, line, NULL, "expected an option name");
		return NULL;
	}
	if (strlen(scalar(ev)) != ev->data.scalar.length) {
		fail_at(y, line, NULL, "an option name may not contain a NUL");
		return NULL;
	}
	d = opt_by_key(scalar(ev));
	if (d != NULL) {
		size_t *first = &y->first_line[d - y->defs];

		if (*first != 0) {
			snprintf(msg, sizeof(msg),
				 "%s is given twice (first on line %zu)",
				 d->key, *first);
			fail_at(y, line, NULL, msg);
			return NULL;
		}
		*first = line;
		return d;
	}
	win = opt_win_store_key(scalar(ev));
	if (win != NULL) {
		snprintf(msg, sizeof(msg),
			 "%s is not available on Linux: use CertificateFile/"
			 "TrustedRootCertificatesPath",
			 win);
		fail_at(y, line, NULL, msg);
		return NULL;
	}
	opt_echo(scalar(ev), echo, sizeof(echo));
	d = opt_suggest(scalar(ev), strlen(scalar(ev)), OS_KEY);
	if (d != NULL)
		snprintf(msg, sizeof(msg),
			 "unknown option \"%s\"; did you mean %s?", echo,
			 d->key);
	else
		snprintf(msg, sizeof(msg), "unknown option \"%s\"", echo);
	fail_at(y, line, NULL, msg);
	return NULL;
}

/* The top-level mapping, after its start event, up to its end event. */
static int
yaml_mapping(struct yaml_ctx *y)
{
	yaml_event_t key, value;
	const struct opt_def *d;
	int rc;

	for (;;) {
		if (next_event(y, &key) != 0)
			return -1;
		if (key.type == YAML_MAPPING_END_EVENT) {
			yaml_event_delete(&key);
			return 0;
		}
		d = yaml_key(y, &key);
		yaml_event_delete(&key);
		if (d == NULL || next_event(y, &value) != 0)
			return -1;
		rc = yaml_value(y, d, &value);
		yaml_event_delete(&value);
		if (rc != 0)
			return -1;
	}
}

/* The stream: nothing, or one document that is empty or a mapping. */
static int
yaml_stream(struct yaml_ctx *y)
{
	yaml_event_t ev;
	int docs = 0, rc = 0;

	for (;;) {
		if (next_event(y, &ev) != 0)
			return -1;
		switch (ev.type) {
		case YAML_STREAM_START_EVENT:
		case YAML_DOCUMENT_END_EVENT:
			break;
		case YAML_STREAM_END_EVENT:
			yaml_event_delete(&ev);
			return 0;
		case YAML_DOCUMENT_START_EVENT:
			if (++docs > 1)
				rc = fail_at(y, line_of(&ev), NULL,
					     "only one YAML document is "
					     "allowed");
			break;
		case YAML_MAPPING_START_EVENT:
			rc = yaml_mapping(y);
			break;
		case YAML_SCALAR_EVENT:
			/* "---" alone or a document of only comments */
			if (ev.data.scalar.length == 0 &&
			    ev.data.scalar.plain_implicit)
				break;
			/* fall through */
		default:
			rc = event_kind_ok(y, &ev) != 0
				 ? -1
				 : fail_at(y, line_of(&ev), NULL,
					   "expected a mapping of "
					   "\"Key: value\" lines");
			break;
		}
		yaml_event_delete(&ev);
		if (rc != 0)
			return -1;
	}
}

/* A first pass over the whole file, so that a syntax error anywhere is
 * reported as such, before any value is looked at. */
static int
yaml_syntax_check(struct yaml_ctx *y, const unsigned char *buf, size_t len)
{
	yaml_event_t ev;
	bool end = false;
	int rc = 0;

	if (!yaml_parser_initialize(&y->parser)) {
		snprintf(y->err, y->errlen, "%s: out of memory", y->path);
		return -1;
	}
	yaml_parser_set_input_string(&y->parser, buf, len);
	while (!end) {
		if (next_event(y, &ev) != 0) {
			rc = -1;
			break;
		}
		end = ev.type == YAML_STREAM_END_EVENT;
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&y->parser);
	return rc;
}

int
opt_yaml_load(struct gossipd_config *cfg, const char *path, bool required,
	      char *err, size_t errlen)
{
	struct yaml_ctx y;
	unsigned char *buf = NULL;
	size_t len = 0, n;
	int rc;

	memset(&y, 0, sizeof(y));
	rc = read_bounded(path, required, &buf, &len, err, errlen);
	if (rc <= 0)
		return rc;
	y.cfg = cfg;
	y.path = path;
	y.err = err;
	y.errlen = errlen;
	y.defs = opt_defs(&n);
	if (yaml_syntax_check(&y, buf, len) != 0) {
		free(buf);
		return -1;
	}
	y.first_line = calloc(n, sizeof(*y.first_line));
	if (y.first_line == NULL || !yaml_parser_initialize(&y.parser)) {
		snprintf(err, errlen, "%s: out of memory", path);
		free(y.first_line);
		free(buf);
		return -1;
	}
	yaml_parser_set_input_string(&y.parser, buf, len);
	rc = yaml_stream(&y) == 0 ? 1 : -1;
	yaml_parser_delete(&y.parser);
	free(y.first_line);
	free(buf);
	return rc;
}
