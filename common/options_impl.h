/*
 * options_impl: what the parts of the options module (options.c,
 * options_yaml.c, options_doc.c) share. Not for other modules: they use
 * options.h.
 */
#ifndef GOSSIP_OPTIONS_IMPL_H
#define GOSSIP_OPTIONS_IMPL_H

#include <stdbool.h>
#include <stddef.h>

#include "options.h"

#define OPT_VALUE_MAX	   16384	 /* one value, in bytes */
#define OPT_FILE_MAX	   (1024 * 1024) /* the YAML file */
#define OPT_ECHO_MAX	   64		 /* value text quoted in a message */
#define OPT_MSG_MAX	   512
#define OPT_LISTING_MAX	   (OPT_MAX_SEEDS * (OPT_HOST_MAX + 8) + 16)
#define OPT_DEFAULT_CONFIG "/etc/gossipd/gossipd.conf"
#define OPT_ENV_PREFIX	   "GOSSIPD_"
#define OPT_ENV_KURRENTDB  "KURRENTDB_"
#define OPT_ENV_EVENTSTORE "EVENTSTORE_"

enum opt_type {
	OT_STRING,     /* free text */
	OT_PATH,       /* a file or directory name */
	OT_HOST,       /* a host name or address, at most 253 octets */
	OT_IP,	       /* an IPv4 or IPv6 address */
	OT_INT,	       /* int within [min, max] */
	OT_BOOL,       /* true/false, yes/no, on/off, 1/0 */
	OT_SEEDS,      /* host:port list, into seeds/n_seeds */
	OT_LOG_LEVEL,  /* log_level_parse() names */
	OT_LOG_FORMAT, /* text or json */
	OT_STATE,      /* a member state name */
};

#define O_SECRET   0x1u /* shown as **** */
#define O_RELOAD   0x2u /* taken over by a reload */
#define O_NONEMPTY 0x4u /* a string that may not be unset */
#define O_WILDCARD 0x8u /* a host that may start with "*." */

struct opt_def {
	const char *key;  /* YAML key and --what-if name: "NodeIp" */
	const char *flag; /* without the dashes: "node-ip" */
	const char *env;  /* GOSSIPD_ spelling; KURRENTDB_ + the rest too */
	enum opt_type type;
	long long min, max; /* OT_INT bounds, inclusive */
	const char *def;    /* default as text; NULL: unset */
	unsigned flags;	    /* O_* */
	size_t off;	    /* offsetof(struct gossipd_config, field) */
	const char *help;
};

#define OPT_FIELD(cfg, d, T) ((T *)(void *)((char *)(cfg) + (d)->off))
#define OPT_CFIELD(cfg, d, T)                                                  \
	((const T *)(const void *)((const char *)(cfg) + (d)->off))

#define OPT_WIN_STORE_HINT                                                     \
	"is not available on Linux: use CertificateFile/"                      \
	"TrustedRootCertificatesPath"

/* How a name is spelled: YAML key, flag without dashes, environment
 * variable without its prefix. */
enum opt_spelling { OS_KEY, OS_FLAG, OS_ENV };

/* The table (in options.c) and its length. */
const struct opt_def *opt_defs(size_t *n);
const struct opt_def *opt_by_key(const char *key);
const struct opt_def *opt_by_flag(const char *flag, size_t len);
/* By environment name without its prefix ("NODE_IP"), any case. */
const struct opt_def *opt_by_env_suffix(const char *name, size_t len);
/* The canonical key of the Windows certificate-store option spelled so
 * (any case), or NULL. */
const char *opt_win_store_match(const char *name, size_t len,
				enum opt_spelling how);
/* The option whose name, spelt as how, is within a few edits of
 * name[0..len) (case and '-'/'_' ignored): for "did you mean". NULL when
 * none is close. */
const struct opt_def *opt_suggest(const char *name, size_t len,
				  enum opt_spelling how);
/* A config holding the defaults, every source SRC_DEFAULT; NULL with a
 * reason when out of memory. */
struct gossipd_config *opt_config_defaults(char *err, size_t errlen);
/* A host name or address: at most 253 octets of [A-Za-z0-9.-_:*]. */
int opt_check_host(const char *v, char *err, size_t errlen);
/* The canonical Windows certificate-store key for key (any case), or NULL. */
const char *opt_win_store_key(const char *key);

/* Copies v into buf for a message: at most OPT_ECHO_MAX bytes, control
 * characters as '?', "..." when cut. */
void opt_echo(const char *v, char *buf, size_t len);

/* Parses v for option d into cfg (append: seeds add to the list),
 * recording src; on error "prefix: what: message". */
int opt_assign(struct gossipd_config *cfg, const struct opt_def *d,
	       const char *v, bool append, enum opt_source src,
	       const char *prefix, const char *what, char *err, size_t errlen);
int opt_seeds_append(const char *s, struct gossip_seed *seeds, size_t max,
		     size_t *n, char *err, size_t errlen);

/*
 * Reads the YAML file at path into cfg (SRC_CONFIG_FILE). Returns 1 when
 * read, 0 when it does not exist and !required, or -1 with
 * "path:line: message" (or "path: message") in err.
 */
int opt_yaml_load(struct gossipd_config *cfg, const char *path, bool required,
		  char *err, size_t errlen);

#endif
