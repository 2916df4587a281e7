/*
 * input.h - the message source: a seekable, buffered file descriptor.
 */
#ifndef MAILSEAL_INPUT_H
#define MAILSEAL_INPUT_H

#include <sys/types.h>
#include <stddef.h>

struct input;

/* input_open - open path (NULL: standard input); a source that cannot
 * seek (a pipe) is first copied to an unlinked temporary file, so the
 * message can be read more than once in constant memory.  Returns 0;
 * INPUT_ENOPEN when path cannot be opened (or is a directory); or
 * INPUT_ESPOOL when reading or spooling failed.  errno is set. */
#define INPUT_ENOPEN	(-1)
#define INPUT_ESPOOL	(-2)
int	input_open(struct input **, const char *);
void	input_close(struct input *);

/* input_fdopen - a source on a seekable descriptor, read from offset 0;
 * the source owns fd and closes it */
struct input *input_fdopen(int);

/* input_open_fd - a source on a seekable descriptor the caller keeps
 * (a duplicate is read from offset 0); 0, or INPUT_ESPOOL with errno */
int	input_open_fd(struct input **, int);

/* input_line - the next line, end of line included, at most max bytes.
 * *line points into the input's buffer and stays valid until the next
 * call.  Returns 1 with a line, 0 at end of input, -1 on error with
 * errno set (E2BIG: the line is longer than max; it is not consumed). */
int	input_line(struct input *, size_t, const char **, size_t *);

/* input_read - up to n bytes; returns the count, 0 at end, -1 on error */
ssize_t	input_read(struct input *, void *, size_t);

/* input_tell, input_seek - offsets relative to the start of the message */
off_t	input_tell(const struct input *);
int	input_seek(struct input *, off_t);

#endif
