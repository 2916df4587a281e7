/*
 * handoff.c - the filter command's two next hops (handoff.h).
 *
 * Postfix's sendmail(1) names no queue ID: it hands the message to
 * postdrop(1), which tells sendmail only the name of its file in the
 * maildrop queue, and pickup(8) gives the message its queue ID later
 * (read in Postfix's sendmail.c, postdrop.c and pickup.c).  So this
 * hop leaves qid empty, and the gateway's marker field carries the
 * original queue ID instead (mailseal-setup(7)).
 */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "handoff.h"
#include "output.h"
#include "reinject.h"

/* give_sendmail - the copy to "sendmail -G -i -f SENDER -- RCPTS";
 * sendmail(1) names no queue ID (Postfix's postdrop keeps it) */
static int
give_sendmail(struct handoff *ho, const char *sender, char *const *rcpts,
    size_t n, int fd, char *err, size_t errsz)
{
	ho->qid[0] = '\0';
	return reinject(ho->program, sender, rcpts, n, fd, err, errsz);
}

/* give_stdout - the one copy to standard output */
static int
give_stdout(struct handoff *ho, const char *sender, char *const *rcpts,
    size_t n, int fd, char *err, size_t errsz)
{
	(void)sender;
	(void)rcpts;
	(void)n;
	ho->qid[0] = '\0';
	if (fflush(stdout) == EOF || output_copyout(fd) == -1) {
		snprintf(err, errsz, "cannot write the result: %s",
		    strerror(errno));
		return -1;
	}
	return 0;
}

/* handoff_sendmail - see handoff.h */
void
handoff_sendmail(struct handoff *ho, const char *program)
{
	memset(ho, 0, sizeof *ho);
	ho->name = "sendmail";
	ho->give = give_sendmail;
	ho->program = program;
}

/* handoff_stdout - see handoff.h */
void
handoff_stdout(struct handoff *ho)
{
	memset(ho, 0, sizeof *ho);
	ho->name = "stdout";
	ho->one_copy = 1;
	ho->give = give_stdout;
}

