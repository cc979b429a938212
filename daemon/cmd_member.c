/* Placeholder until the client commands land (issue 6). */
#include <stdio.h>
#include "commands.h"
int
cmd_member(int argc, char **argv, char **envp)
{
	(void)argc;
	(void)argv;
	(void)envp;
	fprintf(stderr, "gossipd member: not built yet\n");
	return 2;
}
