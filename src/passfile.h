/*
 * passfile.h - a signing key's passphrase, read from a file of its
 * owner's alone (mode 0600) into secure memory, wiped after use.
 */
#ifndef MAILSEAL_PASSFILE_H
#define MAILSEAL_PASSFILE_H

#include <stddef.h>

struct passfile {
	char	*pass;		/* secure memory (secmem.c); no NUL */
	size_t	 len;
	size_t	 cap;
};

enum passfile_err {
	PASSFILE_OK,
	PASSFILE_BAD,		/* missing, not a regular file of ours,
				 * readable or writable by group or others,
				 * more than one line, over LIMIT_PASSPHRASE:
				 * the configuration's to fix */
	PASSFILE_TEMP		/* a read failed, no memory: try again */
};

/* passfile_read - the passphrase in path: the file's one line without
 * its line end (LF or CR LF).  The file is opened without following a
 * symbolic link and must be a regular file owned by the effective user
 * with no group or other permission bits; on failure err says why and
 * pf holds nothing. */
enum passfile_err	passfile_read(struct passfile *, const char *, char *,
			    size_t);

/* passfile_free - wipe and release the passphrase */
void			passfile_free(struct passfile *);

#endif
