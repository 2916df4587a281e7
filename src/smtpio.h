/*
 * smtpio.h - SMTP's byte stream on a socket: buffered, every wait with
 * a deadline.
 *
 * Both ends of mailseal's SMTP, the server (smtpd.c) and the client of
 * the re-injection hop (smtpc.c), read lines and bytes through a struct
 * smtpio and write through its buffer.  The socket is made
 * non-blocking and every wait is a poll(2) with a deadline: nothing
 * waits for ever.  Output is buffered and flushed before a read would
 * wait (RFC 2920: the replies to a pipelined group go out together),
 * or by smtpio_flush.
 */
#ifndef MAILSEAL_SMTPIO_H
#define MAILSEAL_SMTPIO_H

#include <sys/types.h>

#include <signal.h>
#include <stddef.h>
#include <stdio.h>

#include "log.h"

#define SMTPIO_BUFSZ	16384

enum smtpio_err {
	SMTPIO_OK,
	SMTPIO_EOF,		/* the peer closed the connection */
	SMTPIO_TIMEOUT,		/* the deadline passed */
	SMTPIO_TOOLONG,		/* a line longer than the caller's buffer:
				 * read to its end and dropped */
	SMTPIO_IO,		/* a read or write error (errno) */
	SMTPIO_STOP		/* *stop was set while we waited */
};

struct smtpio {
	int			 fd;
	unsigned int		 timeout;	/* seconds per line or write */
	long long		 deadline;	/* smtpio_now() ms; 0: none,
						 * else it replaces timeout
						 * for reads (DATA's rate) */
	volatile sig_atomic_t	*stop;		/* NULL, or a flag a signal
						 * handler sets: a read that
						 * waits gives up */
	enum smtpio_err		 err;		/* why the last call failed */
	int			 eno;		/* errno of SMTPIO_IO */
	unsigned long long	 nread;		/* bytes read so far */
	size_t			 ioff, ilen;	/* unread: in[ioff..ilen) */
	size_t			 olen;
	unsigned char		 in[SMTPIO_BUFSZ];
	unsigned char		 out[SMTPIO_BUFSZ];
};

/* smtpio_init - io on the connected socket fd (made non-blocking);
 * 0, or -1 (errno) */
int		smtpio_init(struct smtpio *, int, unsigned int);

/* smtpio_now - a monotonic clock in milliseconds */
long long	smtpio_now(void);

/* smtpio_getline - the next line into buf (bufsz bytes with its NUL),
 * without its CRLF (or lone LF): its length, or -1 with io->err set.
 * The whole line must arrive within io->timeout seconds (or by
 * io->deadline).  A longer line is read to its end, dropped, and
 * reported as SMTPIO_TOOLONG; a NUL byte in a line is kept (the caller
 * sees the length). */
ssize_t		smtpio_getline(struct smtpio *, char *, size_t);

/* smtpio_fill - at least one unread byte in io->in (flushing the
 * output first when the buffer is empty): 0, or -1 with io->err */
int		smtpio_fill(struct smtpio *);

/* smtpio_pending - bytes the peer already sent that are not read yet
 * (a pipelining client's next commands) */
size_t		smtpio_pending(const struct smtpio *);

/* smtpio_write, smtpio_printf - into the output buffer (written out
 * when it fills): 0, or -1 with io->err */
int		smtpio_write(struct smtpio *, const void *, size_t);
int		smtpio_printf(struct smtpio *, const char *, ...)
		    LOG_PRINTF(2, 3);

/* smtpio_flush - everything buffered onto the socket, waiting at most
 * io->timeout seconds: 0, or -1 with io->err */
int		smtpio_flush(struct smtpio *);

/* smtpio_strerror - io's last error in words */
const char	*smtpio_strerror(const struct smtpio *);

#endif
