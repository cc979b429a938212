/* Placeholder until the certificate generator lands (issue 3). */
#include <stdio.h>
#include "commands.h"
int
cmd_cert(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "gossipd cert: not built yet\n");
	return 2;
}
