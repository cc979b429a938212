/*
 * cmd_cert_int.h: what the gossipd cert files (cmd_cert.c,
 * cmd_cert_create.c, cmd_cert_inspect.c) share and nobody else uses.
 */
#ifndef GOSSIPD_CMD_CERT_INT_H
#define GOSSIPD_CMD_CERT_INT_H

#include <stdbool.h>

#include "certgen.h"

enum flag_id {
	F_OUT = 0,
	F_DAYS,
	F_CN,
	F_KEY_TYPE,
	F_RSA_BITS,
	F_FORCE,
	F_NOT_BEFORE,
	F_NOT_AFTER,
	F_CA_CERT,
	F_CA_KEY,
	F_IPS,
	F_DNS,
	F_EKU,
	F_PATHLEN,
	F_RESERVED_CN,
	F_PASSWORD,
	F_HELP,
	F_COUNT
};

/* The parsed command line of one gossipd cert subcommand. */
struct cert_args {
	const char *cmd; /* for messages: "create-node" */
	const char *val[F_COUNT];
	bool set[F_COUNT];
	const char *pos; /* the one positional argument (inspect, list) */
};

/*
 * Prints "gossipd cert CMD: message (see gossipd cert --help)" to stderr
 * and returns 2, the exit code for a usage error.
 */
int cmd_cert_usage_error(const struct cert_args *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * gossipd cert create-ca, create-node, create-client (kind): checks the
 * flags in a, issues the certificate and writes it and its key. Returns
 * the exit code: 0 done, 1 failure, 2 usage (printed).
 */
int cmd_cert_create(struct cert_args *a, enum certgen_kind kind);

/*
 * gossipd cert inspect: prints what a->pos holds (certificates, a PKCS#12
 * file, a CRL or a key) and the first certificate's node verdict (validity,
 * chain, node rules). Returns the exit code: 0 admitted (or no
 * certificate), 3 printed but would be refused, 1 unreadable file.
 */
int cmd_cert_inspect(struct cert_args *a);

/*
 * gossipd cert list DIR: a table of every certificate, key, PKCS#12 file
 * and CRL in a->pos. Returns 0 (no problems), 3 (problems listed), 1 (the
 * directory cannot be read).
 */
int cmd_cert_list(struct cert_args *a);

#endif
