/*
 * smtpdtest.h - the client side of tests/test_smtpd.c and
 * tests/test_smtpd_limits.c: the SMTP server session (smtpd.c) runs in
 * a thread on one end of a socketpair with fake ops that record what
 * they are asked and answer as the test says; the test is the client
 * on the other end and checks each reply, the recipients and the
 * message bytes the ops got.
 */
#ifndef MAILSEAL_SMTPDTEST_H
#define MAILSEAL_SMTPDTEST_H

#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>

#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "limit.h"
#include "smtpd.h"

/* what the fake ops saw and say */
struct fake {
	int		 rcpt_code;	/* the reply to each RCPT ... */
	const char	*rcpt_dsn;
	const char	*refuse;	/* ... but 550 5.7.1 for this one */
	int		 msg_code;	/* the reply to the message */
	size_t		 nrcptcalls;
	char		 lastrcpt[LIMIT_ADDR_SPEC + 1];
	size_t		 nmsg;
	char		*msg;		/* the last message's bytes */
	size_t		 msglen;
	char		 sender[LIMIT_ADDR_SPEC + 1];
	size_t		 nrcpts;
	char		 rcpt0[LIMIT_ADDR_SPEC + 1];
	int		 body8bit, smtputf8;
	unsigned long long size;
	char		 queueid[300];
	char		 xforward[2048];	/* joined with spaces */
	volatile sig_atomic_t *stop;	/* set during the message */
	const char	*spooldir;	/* count the names in it */
	long		 names;		/* ... during the message */
	long		 links;		/* the spool's link count */
};

struct cl {
	int			 fd;
	pthread_t		 th;
	struct smtpd_conf	 conf;
	struct smtpd_ops	 ops;
	struct fake		 f;
	volatile sig_atomic_t	 stop;
	int			 sfd;
	char			 buf[65536];
	size_t			 off, len;
	char			 reply[65536];	/* the last reply, all lines */
};

static inline void
fake_rcpt(void *arg, const struct smtpd_txn *t, const char *addr,
    struct smtpd_reply *r)
{
	struct fake *f = arg;

	(void)t;
	f->nrcptcalls++;
	snprintf(f->lastrcpt, sizeof f->lastrcpt, "%s", addr);
	if (f->refuse != NULL && strcmp(addr, f->refuse) == 0) {
		r->code = 550;
		snprintf(r->dsn, sizeof r->dsn, "5.7.1");
		snprintf(r->text, sizeof r->text, "<%s>: no key", addr);
		return;
	}
	r->code = f->rcpt_code;
	snprintf(r->dsn, sizeof r->dsn, "%s", f->rcpt_dsn);
	snprintf(r->text, sizeof r->text, "Ok");
}

static inline void
fake_message(void *arg, const struct smtpd_txn *t, int fd,
    struct smtpd_reply *r)
{
	struct fake *f = arg;
	char b[4096];
	ssize_t n;
	size_t i;

	f->nmsg++;
	free(f->msg);
	f->msg = NULL;
	f->msglen = 0;
	while ((n = read(fd, b, sizeof b)) > 0) {
		f->msg = realloc(f->msg, f->msglen + (size_t)n + 1);
		memcpy(f->msg + f->msglen, b, (size_t)n);
		f->msglen += (size_t)n;
	}
	snprintf(f->sender, sizeof f->sender, "%s", t->sender);
	f->nrcpts = t->nrcpts;
	snprintf(f->rcpt0, sizeof f->rcpt0, "%s",
	    t->nrcpts > 0 ? t->rcpts[0] : "");
	f->body8bit = t->body8bit;
	f->smtputf8 = t->smtputf8;
	f->size = t->size;
	snprintf(f->queueid, sizeof f->queueid, "%s",
	    t->queueid != NULL ? t->queueid : "(null)");
	f->xforward[0] = '\0';
	for (i = 0; i < t->nxforward; i++) {
		if (i > 0)
			strcat(f->xforward, " ");
		strcat(f->xforward, t->xforward[i]);
	}
	if (f->stop != NULL)
		*f->stop = 1;
	if (f->spooldir != NULL) {
		DIR *d = opendir(f->spooldir);
		struct dirent *e;
		struct stat st;

		f->names = 0;
		while (d != NULL && (e = readdir(d)) != NULL)
			if (strcmp(e->d_name, ".") != 0 &&
			    strcmp(e->d_name, "..") != 0)
				f->names++;
		if (d != NULL)
			closedir(d);
		f->links = fstat(fd, &st) == 0 ? (long)st.st_nlink : -1;
	}
	r->code = f->msg_code;
	snprintf(r->dsn, sizeof r->dsn, "%d.0.0", f->msg_code / 100);
	snprintf(r->text, sizeof r->text, "Ok: queued");
}

static inline void *
run(void *arg)
{
	struct cl *c = arg;

	smtpd_session(&c->conf, &c->ops, c->sfd);
	close(c->sfd);
	return NULL;
}

/* the session limit (smtpd_conf.session) the next start() gives its
 * session; 0: LIMIT_SMTP_SESSION */
static unsigned int start_session;

static inline void
on_usr1(int sig)
{
	(void)sig;
}

/* start - a session with maxsize and timeout; reads the banner */
static inline struct cl *
start(unsigned long long maxsize, unsigned int timeout)
{
	struct cl *c = calloc(1, sizeof *c);
	struct timeval tv = { 20, 0 };
	struct sigaction sa;
	int sv[2];

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_usr1;	/* no SA_RESTART: poll sees EINTR */
	sigaction(SIGUSR1, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	cr_assert(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	c->fd = sv[0];
	c->sfd = sv[1];
	setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	c->conf.hostname = "mx.test";
	c->conf.timeout = timeout;
	c->conf.maxsize = maxsize;
	c->conf.stop = &c->stop;
	c->conf.session = start_session;
	c->f.rcpt_code = 250;
	c->f.rcpt_dsn = "2.1.5";
	c->f.msg_code = 250;
	c->ops.arg = &c->f;
	c->ops.rcpt = fake_rcpt;
	c->ops.message = fake_message;
	cr_assert(pthread_create(&c->th, NULL, run, c) == 0);
	return c;
}

static inline void
finish(struct cl *c)
{
	close(c->fd);
	pthread_join(c->th, NULL);
	free(c->f.msg);
	free(c);
}

/* sendb - n bytes to the server */
static inline void
sendb(struct cl *c, const void *p, size_t n)
{
	const char *s = p;
	ssize_t k;

	while (n > 0) {
		k = write(c->fd, s, n);
		cr_assert(k > 0, "write: %s", strerror(errno));
		s += k;
		n -= (size_t)k;
	}
}

static inline void
sendf(struct cl *c, const char *fmt, ...)
{
	char b[8192];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(b, sizeof b, fmt, ap);
	va_end(ap);
	cr_assert(n >= 0 && (size_t)n < sizeof b);
	sendb(c, b, (size_t)n);
}

/* rdline - one line of the reply (CRLF cut) into b; -1 at EOF */
static inline int
rdline(struct cl *c, char *b, size_t bsz)
{
	size_t o = 0;
	ssize_t n;

	for (;;) {
		if (c->off == c->len) {
			n = read(c->fd, c->buf, sizeof c->buf);
			if (n <= 0)
				return -1;
			c->off = 0;
			c->len = (size_t)n;
		}
		if (c->buf[c->off] == '\n') {
			c->off++;
			cr_assert(o > 0 && b[o - 1] == '\r', "reply without CR");
			b[o - 1] = '\0';
			return 0;
		}
		cr_assert(o + 1 < bsz);
		b[o++] = c->buf[c->off++];
	}
}

/* reply - the next whole reply: its last line (all lines in
 * c->reply), or "EOF" */
static inline const char *
reply(struct cl *c)
{
	static char line[4096];

	c->reply[0] = '\0';
	for (;;) {
		if (rdline(c, line, sizeof line) == -1)
			return "EOF";
		strcat(c->reply, line);
		strcat(c->reply, "\n");
		cr_assert(strlen(line) >= 4 && (line[3] == ' ' ||
		    line[3] == '-'), "bad reply line: %s", line);
		if (line[3] == ' ')
			return line;
	}
}

/* expect - the next reply starts with want */
#define expect(c, want) do {						\
	const char *_r = reply(c);					\
	cr_assert(strncmp(_r, (want), strlen(want)) == 0,		\
	    "got \"%s\", want \"%s\" (line %d)", _r, (want), __LINE__);	\
} while (0)

/* cmd - send one command line, expect a reply starting with want */
#define cmd(c, line, want) do {						\
	sendf((c), "%s\r\n", (line));					\
	expect((c), (want));						\
} while (0)

static inline struct cl *
helo(unsigned long long maxsize, unsigned int timeout)
{
	struct cl *c = start(maxsize, timeout);

	expect(c, "220 mx.test ESMTP mailseal");
	cmd(c, "EHLO client.test", "250 XFORWARD");
	return c;
}

#endif
