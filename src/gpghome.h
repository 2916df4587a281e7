/*
 * gpghome.h - the GnuPG home: checks before gpg runs, and the advice
 * when a key listing did not finish.
 */
#ifndef MAILSEAL_GPGHOME_H
#define MAILSEAL_GPGHOME_H

#include <stddef.h>

struct gpgstatus;

/* gpghome_check - the home (homedir, else $GNUPGHOME, else ~/.gnupg)
 * must be a directory whose keyrings, where they exist, are readable
 * regular files; its path goes to out.  0, or -1 with err */
int	gpghome_check(const char *, char *, size_t, char *, size_t);

/* gpghome_keyring_empty - 1 when the home (homedir, else $GNUPGHOME,
 * else ~/.gnupg) has no public keyring, or one without an OpenPGP key
 * (a keybox of its header and deleted blobs, an empty pubring.gpg);
 * 0 otherwise, and when in doubt (gpg will tell): a keyring that is
 * not a regular file (a FIFO is not waited on), a keybox of more than
 * LIMIT_KBX_BLOBS blobs before its first key.  Runs no gpg, never
 * blocks. */
int	gpghome_keyring_empty(const char *);

/* gpghome_why - err: why what gpg said in home ("what": key listing,
 * decryption, ...) and how it ended is no answer, naming the file to
 * look at and the fix */
void	gpghome_why(const char *, const struct gpgstatus *, const char *,
	    char *, size_t);

#endif
