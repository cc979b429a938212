/*
 * gossipd: one binary, subcommands in the manner of cockroach.
 * Without a known subcommand, the arguments are those of "start".
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "version.h"

static void
usage(FILE *out)
{
	fprintf(out,
		"usage: gossipd COMMAND [arguments]\n"
		"\n"
		"commands:\n"
		"  start [options]        run a cluster member (the default "
		"when the\n"
		"                         first argument is an option)\n"
		"  status                 the cluster as one member sees it, "
		"with a verdict\n"
		"  discover               the member a KurrentDB client would "
		"connect to\n"
		"  member set|show|remove report or show this member's state, "
		"remove a\n"
		"                         dead member cluster-wide (admin "
		"socket)\n"
		"  cert create-ca|create-node|create-client|inspect|list\n"
		"                         make and check certificates\n"
		"  version                version, build options and "
		"libraries\n"
		"  help                   this text\n"
		"\n"
		"\"gossipd COMMAND --help\" tells more about each; "
		"\"gossipd start --help\"\n"
		"lists every option of the daemon.\n");
}

int
main(int argc, char **argv, char **envp)
{
	const char *sub = argc > 1 ? argv[1] : NULL;

	signal(SIGPIPE, SIG_IGN);
	if (sub != NULL &&
	    (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0 ||
	     strcmp(sub, "help") == 0)) {
		usage(stdout);
		return 0;
	}
	if (sub != NULL &&
	    (strcmp(sub, "version") == 0 || strcmp(sub, "--version") == 0)) {
		version_print(stdout);
		return 0;
	}
	if (sub == NULL || sub[0] == '-')
		return cmd_start(argc, argv, envp);
	if (strcmp(sub, "start") == 0)
		return cmd_start(argc - 1, argv + 1, envp);
	if (strcmp(sub, "cert") == 0)
		return cmd_cert(argc - 1, argv + 1);
	if (strcmp(sub, "discover") == 0)
		return cmd_discover(argc - 1, argv + 1);
	if (strcmp(sub, "status") == 0)
		return cmd_status(argc - 1, argv + 1);
	if (strcmp(sub, "member") == 0)
		return cmd_member(argc - 1, argv + 1, envp);
	fprintf(stderr, "gossipd: unknown command \"%s\"\n", sub);
	usage(stderr);
	return 2;
}
