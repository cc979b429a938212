/* Placeholder until the client commands land (issue 6). */
#include <stdio.h>
#include "commands.h"
int
cmd_discover(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "gossipd discover: not built yet\n");
	return 2;
}
int
cmd_status(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "gossipd status: not built yet\n");
	return 2;
}
