/*
 * tmpfile.h - private temporary files.
 */
#ifndef MAILSEAL_TMPFILE_H
#define MAILSEAL_TMPFILE_H

/* tmpfile_open_unlinked - a read-write file of mode 0600 in $TMPDIR (or
 * /tmp) that has no name, so nothing is left behind whatever happens.
 * Returns a descriptor, or -1 with errno set. */
int	tmpfile_open_unlinked(void);

/* tmpfile_copy - copy all of one descriptor to another; 0 or -1 */
int	tmpfile_copy(int, int);

/* tmpfile_dir - the directory for temporary files */
const char *tmpfile_dir(void);

#endif
