/*
 * test_smtpio.c - SMTP's byte stream (smtpio.c): lines whole or refused,
 * every wait ends by its deadline, replies go out before a read waits,
 * and a stop flag ends a wait.
 */
#include <config.h>

#include <sys/socket.h>
#include <sys/wait.h>

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "smtpio.h"

static int sv[2];

static void
setup(void)
{
	cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
}

static void
teardown(void)
{
	close(sv[0]);
	close(sv[1]);
}

TestSuite(smtpio, .init = setup, .fini = teardown);

static void
put(const char *s)
{
	cr_assert_eq(write(sv[1], s, strlen(s)), (ssize_t)strlen(s));
}

/* lines end in CRLF or a lone LF; both are removed, a CR inside stays */
Test(smtpio, lines)
{
	struct smtpio io;
	char buf[64];

	cr_assert_eq(smtpio_init(&io, sv[0], 5), 0);
	put("EHLO a\r\nNOOP\nRSET\r\r\n\r\n");
	cr_expect_eq(smtpio_getline(&io, buf, sizeof buf), 6);
	cr_expect_str_eq(buf, "EHLO a");
	cr_expect_eq(smtpio_pending(&io), strlen("NOOP\nRSET\r\r\n\r\n"));
	cr_expect_eq(smtpio_getline(&io, buf, sizeof buf), 4);
	cr_expect_str_eq(buf, "NOOP");
	cr_expect_eq(smtpio_getline(&io, buf, sizeof buf), 5);
	cr_expect_eq(memcmp(buf, "RSET\r", 5), 0);
	cr_expect_eq(smtpio_getline(&io, buf, sizeof buf), 0);
	cr_expect_eq(io.nread, strlen("EHLO a\r\nNOOP\nRSET\r\r\n\r\n"));
}

/* a line that fills the buffer is refused whole, and the next one is
 * read from its start; one byte less fits */
Test(smtpio, too_long)
{
	struct smtpio io;
	char buf[8], line[64];

	cr_assert_eq(smtpio_init(&io, sv[0], 5), 0);
	put("1234567\r\n12345678\r\nNEXT\r\n");
	cr_expect_eq(smtpio_getline(&io, buf, sizeof buf), 7);
	cr_expect_eq(smtpio_getline(&io, buf, sizeof buf), -1);
	cr_expect_eq(io.err, SMTPIO_TOOLONG);
	cr_expect_eq(smtpio_getline(&io, buf, sizeof buf), 4);
	cr_expect_str_eq(buf, "NEXT");
	/* without its CR it fits; a CR alone does not end a line */
	put("1234567\r\n1234567\r8\n");
	cr_expect_eq(smtpio_getline(&io, buf, sizeof buf), 7);
	cr_expect_eq(smtpio_getline(&io, buf, sizeof buf), -1);
	cr_expect_eq(io.err, SMTPIO_TOOLONG);
	/* longer than the input buffer: still read to its end (a child
	 * writes it, the socket holds less) */
	if (fork() == 0) {
		memset(line, 'x', sizeof line);
		for (int i = 0; i < SMTPIO_BUFSZ / 64 * 3; i++)
			if (write(sv[1], line, sizeof line) != 64)
				_exit(1);
		put("\r\nQUIT\r\n");
		_exit(0);
	}
	cr_expect_eq(smtpio_getline(&io, buf, sizeof buf), -1);
	cr_expect_eq(io.err, SMTPIO_TOOLONG);
	cr_expect_eq(smtpio_getline(&io, buf, sizeof buf), 4);
	cr_expect_str_eq(buf, "QUIT");
	(void)wait(NULL);
}

/* a peer that says nothing: timeout; half a line and silence too */
Test(smtpio, timeout)
{
	struct smtpio io;
	char buf[64];
	long long t0;

	cr_assert_eq(smtpio_init(&io, sv[0], 1), 0);
	t0 = smtpio_now();
	cr_expect_eq(smtpio_getline(&io, buf, sizeof buf), -1);
	cr_expect_eq(io.err, SMTPIO_TIMEOUT);
	cr_expect_geq(smtpio_now() - t0, 900);
	cr_expect_leq(smtpio_now() - t0, 3000);
	put("MAIL FROM:<a");
	cr_expect_eq(smtpio_getline(&io, buf, sizeof buf), -1);
	cr_expect_eq(io.err, SMTPIO_TIMEOUT);
	/* an absolute deadline wins over the timeout */
	io.timeout = 100;
	io.deadline = smtpio_now() + 200;
	t0 = smtpio_now();
	cr_expect_eq(smtpio_fill(&io), -1);
	cr_expect_eq(io.err, SMTPIO_TIMEOUT);
	cr_expect_leq(smtpio_now() - t0, 2000);
}

/* the end of the stream, as EOF, also in the middle of a line */
Test(smtpio, eof)
{
	struct smtpio io;
	char buf[64];

	cr_assert_eq(smtpio_init(&io, sv[0], 5), 0);
	put("QUIT");
	shutdown(sv[1], SHUT_WR);
	cr_expect_eq(smtpio_getline(&io, buf, sizeof buf), -1);
	cr_expect_eq(io.err, SMTPIO_EOF);
	cr_expect_str_eq(smtpio_strerror(&io), "connection closed by the peer");
}

/* replies wait in the buffer until a read would wait (RFC 2920) */
Test(smtpio, flush_before_wait)
{
	struct smtpio io;
	char buf[64];
	ssize_t n;

	cr_assert_eq(smtpio_init(&io, sv[0], 1), 0);
	put("NOOP\r\nNOOP\r\n");
	cr_expect_eq(smtpio_getline(&io, buf, sizeof buf), 4);
	cr_expect_eq(smtpio_printf(&io, "250 2.0.0 Ok\r\n"), 0);
	cr_expect_eq(smtpio_getline(&io, buf, sizeof buf), 4);
	cr_expect_eq(smtpio_printf(&io, "250 2.0.0 Ok\r\n"), 0);
	/* nothing written yet: the second command was already here */
	n = recv(sv[1], buf, sizeof buf, MSG_DONTWAIT);
	cr_expect_eq(n, -1);
	/* the next read waits: both replies go out first */
	cr_expect_eq(smtpio_getline(&io, buf, sizeof buf), -1);
	n = recv(sv[1], buf, sizeof buf, MSG_DONTWAIT);
	cr_expect_eq(n, 28);
}

/* a write to a peer that does not read ends by the timeout */
Test(smtpio, write_timeout)
{
	struct smtpio io;
	char big[SMTPIO_BUFSZ];
	int r = 0;

	cr_assert_eq(smtpio_init(&io, sv[0], 1), 0);
	memset(big, 'x', sizeof big);
	for (int i = 0; i < 1000 && r == 0; i++)
		r = smtpio_write(&io, big, sizeof big);
	cr_expect_eq(r, -1);
	cr_expect_eq(io.err, SMTPIO_TIMEOUT);
}

static volatile sig_atomic_t stop;

static void
on_alarm(int sig)
{
	(void)sig;
	stop = 1;
}

/* a stop flag set by a signal ends the wait */
Test(smtpio, stop)
{
	struct sigaction sa;
	struct smtpio io;
	char buf[64];
	long long t0;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_alarm;
	sigaction(SIGALRM, &sa, NULL);
	cr_assert_eq(smtpio_init(&io, sv[0], 30), 0);
	io.stop = &stop;
	t0 = smtpio_now();
	alarm(1);
	cr_expect_eq(smtpio_getline(&io, buf, sizeof buf), -1);
	cr_expect_eq(io.err, SMTPIO_STOP);
	cr_expect_leq(smtpio_now() - t0, 5000);
}
