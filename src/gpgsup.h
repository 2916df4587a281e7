/*
 * gpgsup.h - the gpg supervisor: mailseal, started by GPGME in place of
 * gpg, runs the real gpg and reports how it ended on the status channel.
 *
 * GPGME 1.18 never looks at gpg's exit status (its posix spawn
 * double-forks, so mailseal cannot wait for gpg either): a gpg that
 * died, or stopped at "gpg: Fatal: ...", looks like one that had
 * nothing to say.  gpg.c points GPGME's engine file name at mailseal
 * itself with GPGSUP_ENV naming the real gpg; main() calls
 * gpgsup_main() first, which forks that gpg with the same arguments,
 * waits for it and writes one line to the --status-fd GPGME gave:
 *
 *	[GNUPG:] MAILSEAL_GPG_EXIT 0		gpg exited 0
 *	[GNUPG:] MAILSEAL_GPG_EXIT 2		exited 2
 *	[GNUPG:] MAILSEAL_GPG_EXIT signal 9	killed by signal 9
 *	[GNUPG:] MAILSEAL_GPG_EXIT exec 2	could not be run (errno)
 *
 * GPGME hands unknown keywords to the full-status callback only, so
 * the line changes nothing else in GPGME.  No line means the
 * supervisor itself did not finish: never a success.
 */
#ifndef MAILSEAL_GPGSUP_H
#define MAILSEAL_GPGSUP_H

#include <stddef.h>

#define GPGSUP_ENV	"MAILSEAL_GPG_SUPERVISE"
#define GPGSUP_KEYWORD	"MAILSEAL_GPG_EXIT"

/*
 * A Web Key Directory lookup (gpg --locate-external-keys, gpg.c's
 * gpg_locate) waits on the network: with GPGSUP_DEADLINE_ENV set to N
 * seconds the supervisor kills gpg after N seconds of wall time and
 * reports "deadline N".  Such a run's gpg speaks English (LC_ALL=C):
 * gpg.c reads why a lookup found nothing in gpg's diagnostics.
 */
#define GPGSUP_DEADLINE_ENV	"MAILSEAL_GPG_DEADLINE"

/*
 * gpg.c's start: with GPGSUP_CONF_ENV naming the supervisor, it answers
 * GPGME's gpgconf runs in gpgconf's place (gpgsup_conf): no directories,
 * the components gpg and gpgsm both the supervisor, and a version for
 * GPGME's list of engines (gpg.c then asks gpg's own, through the
 * supervisor).
 */
#define GPGSUP_CONF_ENV	"MAILSEAL_GPG_CONF"

/* gpgsup_path - into buf: the supervisor GPGME is to start */
void	gpgsup_path(char *, size_t);

/* gpgsup_find_gpg - into buf: the gpg GPGME 1.18 starts with gpgconf
 * disabled, the first "gpg" on PATH (else in /bin:/usr/bin) that is a
 * file that can be run, in an absolute directory: 0, or -1 (none) */
int	gpgsup_find_gpg(char *, size_t);

/* gpgsup_find - gpgsup_find_gpg for the program name ("gpgsm") */
int	gpgsup_find(const char *, char *, size_t);

/*
 * gpgsm --server (GPGME's CMS engine, gpgcms.c) is passed through, not
 * held back (gpgsup.c says why): no exit line; its deadline
 * (GPGSUP_DEADLINE_ENV), CPU limit, kill when GPGME's end is gone, and
 * its cipher for encryption:
 */
#define GPGSUP_CIPHER	"AES256"

/* ... and with this variable set (gpgcms.c, around a verification), a
 * scratch keybox first, where gpgsm stores the certificates a signature
 * carries instead of the home's (gpgsup.c) */
#define GPGSUP_SCRATCH_ENV	"MAILSEAL_GPGSM_SCRATCH"

/* gpgsup_env - on: set GPGSUP_ENV to gpg and, with a home, GNUPGHOME to
 * it (the one it had is kept); off: remove GPGSUP_ENV and give GNUPGHOME
 * back (home as given when on).  Around GPGME calls that start gpg. */
void	gpgsup_env(int, const char *, const char *);

/* gpgsup_main - with GPGSUP_ENV set, run the gpg it names with argv
 * and return the exit code for main(); without it, -1 (a normal run).
 * The variable is removed either way. */
int	gpgsup_main(int, char **);

#endif
