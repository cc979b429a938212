/* Placeholder until the daemon core lands (issue 2). */
#include <stdio.h>
#include "commands.h"
int
cmd_start(int argc, char **argv, char **envp)
{
	(void)argc;
	(void)argv;
	(void)envp;
	fprintf(stderr, "gossipd start: not built yet\n");
	return 2;
}
