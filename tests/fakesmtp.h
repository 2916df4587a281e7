/*
 * fakesmtp.h - a fake SMTP server for the unit tests: a forked child on
 * a loopback port the kernel picks, which plays the replies a test
 * sets (struct fake) and records every byte it receives, so a test
 * checks what a server would see (fake_end).  Static functions, as
 * testutil.h: include it in one test program.
 */
#ifndef MAILSEAL_FAKESMTP_H
#define MAILSEAL_FAKESMTP_H

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <criterion/criterion.h>

#define OK_QUEUED	"250 2.0.0 Ok: queued as 4XyZ1\r\n"
#define EHLO_PIPE	"250-fake\r\n250-PIPELINING\r\n250 8BITMIME\r\n"

/* The fake server's script.  NULL replies are the usual yes. */
struct fake {
	const char	*greeting;
	const char	*ehlo;
	const char	*xforward;
	const char	*mail;
	const char	*rcpt[4];	/* to the first RCPTs of a txn */
	const char	*data;
	const char	*dot;		/* "": close instead */
	int		 silent;	/* accept, then say nothing */
	int		 silent_dot;	/* say nothing after the final dot */
	int		 batch;		/* answer MAIL only once DATA came */
	int		 strict;	/* 503 to a command sent early */
	int		 conns;		/* connections to serve (1) */
	int		 txns;		/* transactions, then close (0: any) */
	const char	*idle;		/* said before that close */
	int		 v6;
	pid_t		 pid;		/* set by fake_start */
	int		 rec;
	char		 hostport[64];
};

struct srv {
	int		 fd, rec;
	size_t		 off, len;
	char		 buf[65536];
};

/* srv_say - a reply */
static inline void
srv_say(struct srv *s, const char *r)
{
	size_t n = strlen(r), o = 0;
	ssize_t k;

	while (o < n && (k = write(s->fd, r + o, n - o)) > 0)
		o += (size_t)k;
}

/* srv_getline - the next line, LF included, recorded: length or 0 */
static inline size_t
srv_getline(struct srv *s, char *line, size_t size)
{
	size_t n = 0;
	ssize_t k;

	while (n + 1 < size) {
		if (s->off == s->len) {
			if ((k = read(s->fd, s->buf, sizeof s->buf)) <= 0)
				return 0;
			if (write(s->rec, s->buf, (size_t)k) != k)
				_exit(3);
			s->off = 0;
			s->len = (size_t)k;
		}
		line[n++] = s->buf[s->off++];
		if (line[n - 1] == '\n')
			break;
	}
	line[n] = '\0';
	return n;
}

/* srv_more - did the client send more before our reply? */
static inline int
srv_more(struct srv *s)
{
	struct pollfd p = { s->fd, POLLIN, 0 };

	return s->off < s->len || poll(&p, 1, 150) > 0;
}

/* srv_data - the data to the final dot: 0, or -1 at EOF */
static inline int
srv_data(struct srv *s)
{
	char line[65536];
	size_t n;

	while ((n = srv_getline(s, line, sizeof line)) > 0)
		if (n == 3 && memcmp(line, ".\r\n", 3) == 0)
			return 0;
	return -1;
}

/* srv_dot - the reply to the data: 0, or -1 to close */
static inline int
srv_dot(const struct fake *f, struct srv *s, int *txn)
{
	if (f->silent_dot) {
		sleep(30);
		return -1;
	}
	if (f->dot != NULL && *f->dot == '\0')
		return -1;
	srv_say(s, f->dot != NULL ? f->dot : OK_QUEUED);
	if (f->txns > 0 && ++*txn >= f->txns) {
		if (f->idle != NULL)
			srv_say(s, f->idle);
		return -1;
	}
	return 0;
}

/* srv_cmd - one command: 0, or -1 to close */
static inline int
srv_cmd(const struct fake *f, struct srv *s, const char *line, int *txn,
    int *nrcpt)
{
	const char *r;

	if (strncasecmp(line, "EHLO", 4) == 0)
		srv_say(s, f->ehlo != NULL ? f->ehlo : "250-fake\r\n250 8BITMIME\r\n");
	else if (strncasecmp(line, "HELO", 4) == 0)
		srv_say(s, "250 fake\r\n");
	else if (strncasecmp(line, "XFORWARD", 8) == 0)
		srv_say(s, f->xforward != NULL ? f->xforward : "250 2.0.0 Ok\r\n");
	else if (strncasecmp(line, "MAIL", 4) == 0) {
		*nrcpt = 0;
		srv_say(s, f->mail != NULL ? f->mail : "250 2.1.0 Ok\r\n");
	} else if (strncasecmp(line, "RCPT", 4) == 0) {
		r = *nrcpt < 4 ? f->rcpt[*nrcpt] : NULL;
		++*nrcpt;
		srv_say(s, r != NULL ? r : "250 2.1.5 Ok\r\n");
	} else if (strncasecmp(line, "DATA", 4) == 0) {
		r = f->data != NULL ? f->data : "354 End data with <CR><LF>.<CR><LF>\r\n";
		srv_say(s, r);
		if (r[0] == '3')
			return srv_data(s) == -1 ? -1 : srv_dot(f, s, txn);
	} else if (strncasecmp(line, "RSET", 4) == 0)
		srv_say(s, "250 2.0.0 Ok\r\n");
	else if (strncasecmp(line, "QUIT", 4) == 0) {
		srv_say(s, "221 2.0.0 Bye\r\n");
		return -1;
	} else
		srv_say(s, "502 5.5.2 Error: command not recognized\r\n");
	return 0;
}

/* srv_batch - MAIL and what follows it up to DATA, all read before
 * the first reply (as a PIPELINING client sends them) */
static inline int
srv_batch(const struct fake *f, struct srv *s, char *first, int *txn,
    int *nrcpt)
{
	static char lines[16][8192];
	size_t n = 0, i;

	snprintf(lines[n++], sizeof lines[0], "%s", first);
	while (strncasecmp(lines[n - 1], "DATA", 4) != 0 && n < 16)
		if (srv_getline(s, lines[n++], sizeof lines[0]) == 0)
			return -1;
	for (i = 0; i < n; i++)
		if (srv_cmd(f, s, lines[i], txn, nrcpt) == -1)
			return -1;
	return 0;
}

/* srv_conn - one connection */
static inline void
srv_conn(const struct fake *f, int fd)
{
	static struct srv s;
	char line[8192];
	int txn = 0, nrcpt = 0, r;

	memset(&s, 0, sizeof s);
	s.fd = fd;
	s.rec = f->rec;
	if (f->silent) {
		sleep(30);
		return;
	}
	srv_say(&s, f->greeting != NULL ? f->greeting : "220 fake ESMTP\r\n");
	while (srv_getline(&s, line, sizeof line) > 0) {
		if (f->strict && strncasecmp(line, "QUIT", 4) != 0 &&
		    srv_more(&s)) {
			srv_say(&s, "503 5.5.0 sent before the reply\r\n");
			continue;
		}
		if (f->batch && strncasecmp(line, "MAIL", 4) == 0)
			r = srv_batch(f, &s, line, &txn, &nrcpt);
		else
			r = srv_cmd(f, &s, line, &txn, &nrcpt);
		if (r == -1)
			return;
	}
}

/* fake_start - the server, on a loopback port of its own */
static inline void
fake_start(struct fake *f)
{
	struct sockaddr_in6 a6;
	struct sockaddr_in a4;
	struct sockaddr *sa;
	socklen_t sl;
	char path[] = "/tmp/mailseal-smtpc.XXXXXX";
	int lfd, n, fd;

	signal(SIGPIPE, SIG_IGN);
	cr_assert((f->rec = mkstemp(path)) != -1);
	unlink(path);
	memset(&a4, 0, sizeof a4);
	memset(&a6, 0, sizeof a6);
	a4.sin_family = AF_INET;
	a4.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a6.sin6_family = AF_INET6;
	a6.sin6_addr = in6addr_loopback;
	sa = f->v6 ? (struct sockaddr *)&a6 : (struct sockaddr *)&a4;
	sl = f->v6 ? sizeof a6 : sizeof a4;
	cr_assert((lfd = socket(sa->sa_family, SOCK_STREAM, 0)) != -1);
	if (bind(lfd, sa, sl) == -1 && f->v6)
		cr_skip_test("no IPv6 loopback here");
	cr_assert(listen(lfd, 8) == 0 && getsockname(lfd, sa, &sl) == 0);
	snprintf(f->hostport, sizeof f->hostport, f->v6 ? "[::1]:%d" :
	    "127.0.0.1:%d", ntohs(f->v6 ? a6.sin6_port : a4.sin_port));
	cr_assert((f->pid = fork()) != -1);
	if (f->pid == 0) {
		alarm(60);
		for (n = f->conns > 0 ? f->conns : 1; n > 0; n--) {
			if ((fd = accept(lfd, NULL, NULL)) == -1)
				_exit(1);
			srv_conn(f, fd);
			close(fd);
		}
		_exit(0);
	}
	close(lfd);
}

/* keep - p, allocated, held until the test process ends (a test's
 * process is its own: nothing leaks past it) */
static inline void *
keep(void *p)
{
	static void *kept[256];
	static size_t n;

	cr_assert(p != NULL && n < sizeof kept / sizeof kept[0]);
	return kept[n++] = p;
}

/* fake_end - wait for the server (a few seconds, then kill it); the
 * bytes it received (kept), their number in *lenp */
static inline char *
fake_end(struct fake *f, size_t *lenp)
{
	struct stat st;
	char *rec;
	int i;

	for (i = 0; i < 100 && !f->silent && !f->silent_dot &&
	    waitpid(f->pid, NULL, WNOHANG) == 0; i++)
		usleep(50000);
	if (i == 100 || f->silent || f->silent_dot) {
		kill(f->pid, SIGKILL);
		waitpid(f->pid, NULL, 0);
	}
	cr_assert(fstat(f->rec, &st) == 0);
	rec = keep(malloc((size_t)st.st_size + 1));
	cr_assert(pread(f->rec, rec, (size_t)st.st_size, 0) == st.st_size);
	rec[st.st_size] = '\0';
	close(f->rec);
	if (lenp != NULL)
		*lenp = (size_t)st.st_size;
	return rec;
}

/* copy_fd - a nameless file holding len bytes of s, at its end */
static inline int
copy_fd(const char *s, size_t len)
{
	char path[] = "/tmp/mailseal-copy.XXXXXX";
	int fd = mkstemp(path);

	cr_assert(fd != -1);
	unlink(path);
	cr_assert(write(fd, s, len) == (ssize_t)len);
	return fd;
}

#endif
