/*
 * cmd.h - the command line, shared by main.c and cmd.c: the options
 * every command takes (parsed by main.c's common_opt) and the commands
 * whose command lines cmd.c parses.
 */
#ifndef MAILSEAL_CMD_H
#define MAILSEAL_CMD_H

#include "outcome.h"

/* Options every command takes. */
struct common {
	const char	*cmd;
	const char	*homedir;
	const char	*output;
	const char	*input;		/* NULL: standard input */
	unsigned int	 timeout;
	int		 timeout_set;
	int		 mta;		/* filter: errors are the MTA's wiring,
					 * and start with 4.3.5 (outcome.c) so
					 * pipe(8) defers the mail */
};

#define COMMON_SHORTOPTS	":o:vhV"
#define COMMON_LONGOPTS \
	{ "homedir",	required_argument,	NULL, 'H' }, \
	{ "output",	required_argument,	NULL, 'o' }, \
	{ "timeout",	required_argument,	NULL, 'T' }, \
	{ "verbose",	no_argument,		NULL, 'v' }, \
	{ "help",	no_argument,		NULL, 'h' }, \
	{ "version",	no_argument,		NULL, 'V' }

/* common_opt's answers besides 0 (go on) and -1 (not mine) */
#define COMMON_DONE	1	/* --help or --version: stop, exit 0 */
#define COMMON_USAGE	2	/* a usage error, said */

/* Standard output was closed when we started (main.c) */
extern int	stdout_closed;

/* common_opt - an option every command takes (main.c) */
int		common_opt(struct common *, int, char **);
/* common_end - the outcome of a common_opt answer that stops */
enum outcome	common_end(int);
/* common_args - after the options: FILE, standard output, deadline */
enum outcome	common_args(struct common *, int, char **);

/* the commands of cmd.c: parse the command line and run it */
enum outcome	cmd_keys(int, char **);
enum outcome	cmd_sign(int, char **);
enum outcome	cmd_smtpd(int, char **);

#endif
