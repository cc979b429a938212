/*
 * The subcommands of the gossipd binary. Each takes the arguments that
 * follow the subcommand name (argv[0] is the subcommand) and returns the
 * process exit code.
 */
#ifndef GOSSIPD_COMMANDS_H
#define GOSSIPD_COMMANDS_H

int cmd_start(int argc, char **argv, char **envp);  /* daemon.c */
int cmd_cert(int argc, char **argv);		    /* cmd_cert.c */
int cmd_discover(int argc, char **argv);	    /* cmd_discover.c */
int cmd_status(int argc, char **argv);		    /* cmd_discover.c */
int cmd_member(int argc, char **argv, char **envp); /* cmd_member.c */

#endif
