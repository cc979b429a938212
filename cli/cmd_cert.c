/*
 * gossipd cert: the certificate generator's command line, with the flags
 * of es-gencert-cli (single-dash long names; "--name", "-name=value" and
 * "--name=value" work too). The work is in common/certgen*.c; this file
 * dispatches the subcommands and parses their flags; the create commands
 * are in cmd_cert_create.c, inspect in cmd_cert_inspect.c.
 *
 * Exit codes: 0 done, 1 failure (files, CA), 2 usage (flags and their
 * values).
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cmd_cert_int.h"
#include "commands.h"

/* Which subcommands take a flag. */
#define C_CA	 0x1u
#define C_NODE	 0x2u
#define C_CLIENT 0x4u
#define C_CREATE (C_CA | C_NODE | C_CLIENT)
#define C_INSP	 0x8u
#define C_LIST	 0x10u
#define C_ALL	 (C_CREATE | C_INSP | C_LIST)

struct flag {
	const char *name;
	enum flag_id id;
	bool value;
	unsigned int cmds;
};

static const struct flag flags[] = {
    {"out", F_OUT, true, C_CREATE},
    {"days", F_DAYS, true, C_CREATE},
    {"common-name", F_CN, true, C_CREATE},
    {"key-type", F_KEY_TYPE, true, C_CREATE},
    {"rsa-bits", F_RSA_BITS, true, C_CREATE},
    {"force", F_FORCE, false, C_CREATE},
    {"not-before", F_NOT_BEFORE, true, C_CREATE},
    {"not-after", F_NOT_AFTER, true, C_CREATE},
    {"ca-certificate", F_CA_CERT, true, C_CREATE | C_INSP | C_LIST},
    {"ca-key", F_CA_KEY, true, C_CREATE},
    {"ip-addresses", F_IPS, true, C_NODE | C_CLIENT},
    {"dns-names", F_DNS, true, C_NODE | C_CLIENT},
    {"eku", F_EKU, true, C_NODE},
    {"path-length", F_PATHLEN, true, C_CA},
    {"reserved-cn", F_RESERVED_CN, true, C_INSP},
    {"password", F_PASSWORD, true, C_INSP | C_LIST},
    {"help", F_HELP, false, C_ALL},
    {"h", F_HELP, false, C_ALL},
};

static const char help_text[] =
    "usage: gossipd cert create-ca [flags]\n"
    "       gossipd cert create-node [flags]\n"
    "       gossipd cert create-client -common-name CN [flags]\n"
    "       gossipd cert inspect [-reserved-cn PATTERN] "
    "[-ca-certificate F] [-password P] FILE\n"
    "       gossipd cert list [-ca-certificate F] [-password P] DIR\n"
    "\n"
    "Flags take \"-name value\", \"-name=value\", \"--name value\" or\n"
    "\"--name=value\".\n"
    "\n"
    "create-ca: a CA, written to OUT/ca.crt and OUT/ca.key\n"
    "  -out DIR               output directory (default ./ca)\n"
    "  -days N                validity in days (default 1825)\n"
    "  -common-name CN        subject CN (default \"gossipd CA DATE RANDOM\",\n"
    "                         unique for every CA)\n"
    "  -ca-certificate F      with -ca-key: make an intermediate CA\n"
    "  -ca-key F              signed by that CA instead of a root\n"
    "  -path-length N         CAs allowed below this one (default: no\n"
    "                         limit for a root, 0 for an intermediate)\n"
    "\n"
    "create-node: a node certificate, OUT/node.crt and OUT/node.key\n"
    "  -ca-certificate F      issuing CA (default ./ca/ca.crt)\n"
    "  -ca-key F              its key (default ./ca/ca.key)\n"
    "  -out DIR               output directory (default ./node)\n"
    "  -days N                validity in days (default 365)\n"
    "  -common-name CN        subject CN (default gossipd-node)\n"
    "  -ip-addresses A,B      IPv4/IPv6 subject alternative names\n"
    "  -dns-names X,Y         DNS subject alternative names\n"
    "                         (at least one IP address or DNS name)\n"
    "  -eku server|client|both  extended key usage (default both;\n"
    "                         a node needs both to be admitted)\n"
    "\n"
    "create-client: a client certificate (clientAuth), OUT/client.crt\n"
    "and OUT/client.key\n"
    "  -common-name CN        subject CN (required)\n"
    "  -ca-certificate F, -ca-key F, -days N (default 365),\n"
    "  -out DIR (default ./client), -ip-addresses, -dns-names (optional)\n"
    "\n"
    "every create command:\n"
    "  -key-type ec|rsa       EC P-256 (default) or RSA\n"
    "  -rsa-bits 2048|3072|4096  RSA key size (default 2048)\n"
    "  -not-before TIME       start of validity instead of now, and\n"
    "  -not-after TIME        end of validity instead of -days;\n"
    "                         TIME is YYYYMMDDHHMMSS in UTC\n"
    "  -force                 overwrite existing output files\n"
    "\n"
    "Keys are written with mode 0600, certificates with 0644; an\n"
    "existing file is kept unless -force is given.\n"
    "\n"
    "inspect: prints what FILE holds: each certificate (subject, issuer,\n"
    "serial, validity, key, SANs, key usage, extended key usage), a\n"
    "PKCS#12 file's chain and key, a CRL (issuer, updates, revoked\n"
    "serials) or a key; then the first certificate's CN and whether it\n"
    "would be admitted as a node: valid now, its chain (with\n"
    "-ca-certificate) and the CN, SAN and key usage rules of SPEC.md\n"
    "section 4. Exit status 3 when it would be refused.\n"
    "  -reserved-cn PATTERN   the reserved node CN (default: its own CN)\n"
    "  -ca-certificate F      check the chain against this CA file (or\n"
    "                         directory of CA files)\n"
    "  -password P            opens a PKCS#12 file or an encrypted key\n"
    "\n"
    "list: one row per certificate, key, PKCS#12 file and CRL in DIR:\n"
    "kind (CA, node, client, key, pkcs12, CRL), subject CN, SANs, issuer\n"
    "CN, expiry and problems (expired, expiring within 30 days, chain not\n"
    "verifying to the CAs of DIR or -ca-certificate, a key with no\n"
    "certificate or readable by others, a stale CRL, a PKCS#12 file the\n"
    "password does not open). Exit status 3 when any file has problems.\n";

int __attribute__((format(printf, 2, 3)))
cmd_cert_usage_error(const struct cert_args *a, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "gossipd cert %s: ", a->cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see gossipd cert --help)\n");
	return 2;
}

static const struct flag *
flag_find(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
		if (strlen(flags[i].name) == len &&
		    strncmp(flags[i].name, name, len) == 0)
			return &flags[i];
	return NULL;
}

/* Returns 0, or the exit code for a usage error (printed). */
static int
parse_args(struct cert_args *a, unsigned int cmd, int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		const char *arg = argv[i], *name, *eq;
		const struct flag *f;
		size_t len;

		if (arg[0] != '-' || arg[1] == '\0') {
			if ((cmd != C_INSP && cmd != C_LIST) || a->pos != NULL)
				return cmd_cert_usage_error(
				    a, "unexpected argument \"%s\"", arg);
			a->pos = arg;
			continue;
		}
		name = arg + (arg[1] == '-' ? 2 : 1);
		eq = strchr(name, '=');
		len = eq ? (size_t)(eq - name) : strlen(name);
		f = flag_find(name, len);
		if (f == NULL)
			return cmd_cert_usage_error(a, "unknown flag \"%s\"",
						    arg);
		if (!(f->cmds & cmd))
			return cmd_cert_usage_error(
			    a, "flag -%s does not apply to %s", f->name,
			    a->cmd);
		if (!f->value && eq != NULL)
			return cmd_cert_usage_error(
			    a, "flag -%s takes no value", f->name);
		if (f->value && eq == NULL) {
			if (i + 1 >= argc)
				return cmd_cert_usage_error(
				    a, "flag -%s needs a value", f->name);
			a->val[f->id] = argv[++i];
		} else if (f->value) {
			a->val[f->id] = eq + 1;
		}
		a->set[f->id] = true;
	}
	return 0;
}

int
cmd_cert(int argc, char **argv)
{
	static const struct {
		const char *name;
		unsigned int mask;
	} subs[] = {{"create-ca", C_CA},
		    {"create-node", C_NODE},
		    {"create-client", C_CLIENT},
		    {"inspect", C_INSP},
		    {"list", C_LIST}};
	struct cert_args a;
	unsigned int mask = 0;
	size_t i;
	int rc;

	memset(&a, 0, sizeof(a));
	if (argc < 2) {
		fprintf(stderr, "gossipd cert: which command? create-ca, "
				"create-node, create-client, inspect or list "
				"(see gossipd cert --help)\n");
		return 2;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "-help") == 0 ||
	    strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0) {
		fputs(help_text, stdout);
		return 0;
	}
	for (i = 0; i < sizeof(subs) / sizeof(subs[0]); i++)
		if (strcmp(argv[1], subs[i].name) == 0)
			mask = subs[i].mask;
	if (mask == 0) {
		fprintf(stderr,
			"gossipd cert: unknown command \"%s\": create-ca, "
			"create-node, create-client, inspect or list\n",
			argv[1]);
		return 2;
	}
	a.cmd = argv[1];
	rc = parse_args(&a, mask, argc - 1, argv + 1);
	if (rc != 0)
		return rc;
	if (a.set[F_HELP]) {
		fputs(help_text, stdout);
		return 0;
	}
	switch (mask) {
	case C_CA:
		return cmd_cert_create(&a, CERTGEN_CA);
	case C_NODE:
		return cmd_cert_create(&a, CERTGEN_NODE);
	case C_CLIENT:
		return cmd_cert_create(&a, CERTGEN_CLIENT);
	case C_LIST:
		if (a.pos == NULL)
			return cmd_cert_usage_error(&a,
						    "which directory? gossipd "
						    "cert list DIR");
		return cmd_cert_list(&a);
	default:
		if (a.pos == NULL)
			return cmd_cert_usage_error(&a,
						    "which file? gossipd cert "
						    "inspect FILE");
		return cmd_cert_inspect(&a);
	}
}
