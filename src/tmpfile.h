/*
 * tmpfile.h - private temporary files.
 */
#ifndef MAILSEAL_TMPFILE_H
#define MAILSEAL_TMPFILE_H

#include <stddef.h>

/* tmpfile_open_unlinked - a read-write file of mode 0600 in $TMPDIR (or
 * /tmp) that has no name, so nothing is left behind whatever happens.
 * Returns a descriptor, or -1 with errno set. */
int	tmpfile_open_unlinked(void);

/* tmpfile_open_nameless - an O_TMPFILE file of mode 0600 in the
 * directory dirfd; -1 with errno EOPNOTSUPP where the file system (or
 * the kernel) cannot make one, else -1 with errno as open(2) set it */
int	tmpfile_open_nameless(int);

/* tmpfile_link - give the nameless file fd the name name in the
 * directory dirfd (never replacing a file: EEXIST); 0, or -1 with errno
 * set, EOPNOTSUPP when this process cannot link it at all (no /proc) */
int	tmpfile_link(int, int, const char *);

/* tmpfile_copy - copy all of one descriptor to another, from where each
 * stands (a non-blocking one is waited for); 0 or -1 */
int	tmpfile_copy(int, int);

/* tmpfile_write - write all of buf (waiting on a non-blocking fd); 0
 * or -1 with errno set */
int	tmpfile_write(int, const void *, size_t);

/* tmpfile_dir - the directory for temporary files */
const char *tmpfile_dir(void);

#endif
