/*
 * gossipd: one binary, subcommands in the manner of cockroach.
 * Without a known subcommand, the arguments are those of "start".
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"

static void
usage(FILE *out)
{
	fprintf(out,
		"usage: gossipd [start] [options]      run a cluster member\n"
		"       gossipd cert create-ca|create-node|create-client|"
		"inspect ...\n"
		"       gossipd discover --seed host:port[,...] | "
		"--cluster-dns NAME ...\n"
		"       gossipd status [--seed host:port ...]\n"
		"       gossipd member set|show ...\n"
		"       gossipd start --help    every option\n");
}

int
main(int argc, char **argv, char **envp)
{
	const char *sub = argc > 1 ? argv[1] : NULL;

	signal(SIGPIPE, SIG_IGN);
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
	if (strcmp(sub, "help") == 0) {
		usage(stdout);
		return 0;
	}
	fprintf(stderr, "gossipd: unknown command \"%s\"\n", sub);
	usage(stderr);
	return 2;
}
