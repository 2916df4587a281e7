/*
 * test_smtpgw.c - smtpd's ops over the gateway (smtpgw.c), driven as
 * the session will (smtpd.h), with real gpg on homes made from
 * tests/keys: the replies to RCPT and DATA, the queue IDs in 250, a
 * key gone between RCPT and DATA, the per-message deadline (a gpg that
 * hangs) and a gpg killed in the middle of a 20 MB message.  The SMTP
 * hop is replaced by gwhome.h's capture hop (the session and the hop
 * have tests of their own).
 */
#include <config.h>

#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <criterion/redirect.h>

#include "gateway.h"
#include "gwhome.h"
#include "outcome.h"
#include "smtpgw.h"
#include "tmpfile.h"

static char bob[] = "bob@example.org", carol[] = "carol@example.org";

/* spool - the message text in a nameless file, as the session spools
 * DATA */
static int
spool(const char *text, size_t len)
{
	int fd = tmpfile_open_unlinked();

	cr_assert_neq(fd, -1);
	cr_assert_eq(write(fd, text, len), (ssize_t)len);
	return fd;
}

static const char small[] = "From: alice@example.org\nTo: bob@example.org\n"
    "Subject: t\n\nhello\n";

/* ops_over - smtpgw's ops over gw, with the capture hop */
static void
ops_over(struct smtpgw *g, struct gateway *gw, int client,
    struct smtpd_ops *ops)
{
	smtpgw_init(g, gw, client, ops);
	g->ho.give = give_capture;
	memset(&got, 0, sizeof got);
}

Test(smtpgw, rcpt_replies, .fini = gw_fini)
{
	struct gateway gw;
	struct smtpgw g;
	struct smtpd_ops ops;
	struct smtpd_txn t;
	struct smtpd_reply r;
	char err[512];

	cr_redirect_stderr();
	home(&gw, "require", "bob dave", 0);
	cr_assert_eq(gateway_prepare(&gw, err, sizeof err), OUTCOME_OK);
	memset(&t, 0, sizeof t);
	t.sender = "alice@example.org";
	ops_over(&g, &gw, -1, &ops);
	ops.rcpt(ops.arg, &t, "bob@example.org", &r);
	cr_assert_eq(r.code, 250);
	cr_assert_str_eq(r.dsn, "2.1.5");
	ops.rcpt(ops.arg, &t, "dave@example.org", &r);
	cr_assert_eq(r.code, 550);
	cr_assert_str_eq(r.dsn, "5.7.1");
	cr_assert(strncmp(r.text, "<dave@example.org>: no usable OpenPGP key "
	    "(key ", 41) == 0 && strstr(r.text, " expired on 20") != NULL &&
	    strstr(r.text, "), and policy requires encryption") != NULL,
	    "%s", r.text);
	ops.rcpt(ops.arg, &t, "nobody@example.org", &r);
	cr_assert_eq(r.code, 550);
	cr_assert_str_eq(r.text, "<nobody@example.org>: no usable OpenPGP key "
	    "(no key for the address) or certificate (no certificate for "
	    "the address), and policy requires encryption");
	ops.rcpt(ops.arg, &t, "no address", &r);
	cr_assert_eq(r.code, 501);
	cr_assert_str_eq(r.dsn, "5.1.3");
	/* untrusted bytes reach the reply escaped, on one line */
	ops.rcpt(ops.arg, &t, "\"a\\\r\\\nb\"@example.org", &r);
	cr_assert(strpbrk(r.text, "\r\n") == NULL, "%s", r.text);
	/* the keys cannot be listed: 451 for this recipient */
	sh("head -c 1200 /dev/urandom >%s/g/trustdb.gpg", dir);
	ops.rcpt(ops.arg, &t, "bob@example.org", &r);
	cr_assert_eq(r.code, 451);
	cr_assert_str_eq(r.dsn, "4.3.0");
	smtpgw_done(&g);
	done(&gw);
}

Test(smtpgw, data_replies, .fini = gw_fini)
{
	static char *rc[] = { bob, carol };
	struct gateway gw;
	struct smtpgw g;
	struct smtpd_ops ops;
	struct smtpd_txn t;
	struct smtpd_reply r;
	char err[512];
	int fd;

	cr_redirect_stderr();
	home(&gw, "opportunistic", "bob", 0);
	cr_assert_eq(gateway_prepare(&gw, err, sizeof err), OUTCOME_OK);
	memset(&t, 0, sizeof t);
	t.sender = "";
	t.rcpts = rc;
	t.nrcpts = 2;
	t.queueid = "UPQ1";
	ops_over(&g, &gw, -1, &ops);
	fd = spool(small, sizeof small - 1);
	ops.message(ops.arg, &t, fd, &r);
	cr_assert_eq(r.code, 250, "%d %s", r.code, r.text);
	cr_assert_str_eq(r.dsn, "2.0.0");
	cr_assert_str_eq(r.text, "Ok: queued as Q1 Q2");
	cr_assert_str_eq(got.enc, "bob@example.org ");
	cr_assert_str_eq(got.clear, "carol@example.org ");
	/* one copy */
	memset(&got, 0, sizeof got);
	t.nrcpts = 1;
	ops.message(ops.arg, &t, fd, &r);
	cr_assert_eq(r.code, 250);
	cr_assert_str_eq(r.text, "Ok: queued as Q1");
	close(fd);
	smtpgw_done(&g);
	done(&gw);
}

/* give_long - the capture hop, with queue IDs of 60 characters */
static int
give_long(struct handoff *ho, const char *sender, char *const *rcpts,
    size_t n, int fd, char *err, size_t errsz)
{
	int r = give_capture(ho, sender, rcpts, n, fd, err, errsz);

	(void)snprintf(ho->qid, sizeof ho->qid, "%058d%02d", 0, got.calls);
	return r;
}

/* hidden recipients: a copy each, and the 250 names every copy's
 * queue ID, as many as one reply line holds, then how many more */
Test(smtpgw, queued_names_every_copy, .fini = gw_fini)
{
	static char *rc[] = { bob, carol, "alice@example.org",
	    "xbob@example.org", "ivan+work@example.org", "judy@example.org",
	    "peggy@example.org", "heidi2@example.org" };
	struct gateway gw;
	struct smtpgw g;
	struct smtpd_ops ops;
	struct smtpd_txn t;
	struct smtpd_reply r;
	char err[512], *p;
	size_t n;
	int fd;

	cr_redirect_stderr();
	home(&gw, "opportunistic", "alice bob carol1 xbob ivan judy peggy "
	    "heidi", 0);
	cr_assert_eq(gateway_prepare(&gw, err, sizeof err), OUTCOME_OK);
	memset(&t, 0, sizeof t);
	t.sender = "";
	t.rcpts = rc;
	t.nrcpts = 8;
	ops_over(&g, &gw, -1, &ops);
	fd = spool(small, sizeof small - 1);
	ops.message(ops.arg, &t, fd, &r);
	cr_assert_eq(r.code, 250, "%d %s", r.code, r.text);
	cr_assert_str_eq(r.text, "Ok: queued as Q1 Q2 Q3 Q4 Q5 Q6 Q7 Q8");
	/* bob (To) first, then each hidden recipient alone */
	cr_assert_str_eq(got.enc, "bob@example.org carol@example.org "
	    "alice@example.org xbob@example.org ivan+work@example.org "
	    "judy@example.org peggy@example.org heidi2@example.org ");
	cr_assert_eq(got.calls, 8);
	cr_assert_eq(gw.qids.n, 8);
	cr_assert_eq(gw.qids.nenc, 8);
	/* 8 IDs of 60: 6 fit in the line */
	memset(&got, 0, sizeof got);
	g.ho.give = give_long;
	ops.message(ops.arg, &t, fd, &r);
	cr_assert_eq(r.code, 250, "%d %s", r.code, r.text);
	cr_assert(strlen(r.text) <= 450, "%zu", strlen(r.text));
	for (n = 0, p = r.text; (p = strstr(p, "000000000")) != NULL; n++)
		p += 60;
	cr_assert_eq(n, 6, "%s", r.text);
	cr_assert(strstr(r.text, "0000000006 and 2 more") != NULL, "%s",
	    r.text);
	close(fd);
	smtpgw_done(&g);
	done(&gw);
}

/* a require recipient whose key went between RCPT and DATA: 451 for
 * the message (the retry's RCPT refuses that recipient alone), not a
 * 550 that would bounce it for everybody */
Test(smtpgw, key_gone_after_rcpt, .fini = gw_fini)
{
	static char *rc[] = { bob };
	struct gateway gw;
	struct smtpgw g;
	struct smtpd_ops ops;
	struct smtpd_txn t;
	struct smtpd_reply r;
	char err[512];
	int fd;

	cr_redirect_stderr();
	home(&gw, "require", "bob", 0);
	cr_assert_eq(gateway_prepare(&gw, err, sizeof err), OUTCOME_OK);
	memset(&t, 0, sizeof t);
	t.sender = "alice@example.org";
	t.rcpts = rc;
	t.nrcpts = 1;
	ops_over(&g, &gw, -1, &ops);
	ops.rcpt(ops.arg, &t, "bob@example.org", &r);
	cr_assert_eq(r.code, 250);
	sh("gpg --homedir %s/g --batch --yes --quiet --delete-keys %s",
	    dir, fpr("bob"));
	fd = spool(small, sizeof small - 1);
	ops.message(ops.arg, &t, fd, &r);
	cr_assert_eq(r.code, 451, "%d %s %s", r.code, r.dsn, r.text);
	cr_assert_str_eq(r.dsn, "4.7.1");
	cr_assert_eq(got.calls, 0);
	ops.rcpt(ops.arg, &t, "bob@example.org", &r);
	cr_assert_eq(r.code, 550);
	close(fd);
	smtpgw_done(&g);
	done(&gw);
}

/* worker - a worker's share of smtpd in a child process: the gateway
 * prepared, one message of size bytes to bob with the deadline at
 * secs seconds, its reply written to the client's socket, then (with
 * KC_FAKE unset) one more small message; exits 0 after that, or 75
 * from the deadline's handler */
static void
worker(struct gateway *gw, int client, unsigned int secs, size_t size)
{
	static char *rc[] = { bob };
	struct smtpgw g;
	struct smtpd_ops ops;
	struct smtpd_txn t;
	struct smtpd_reply r;
	char err[512], line[4096], buf[600];
	unsigned long long x = 88172645463325252ULL;
	size_t o;
	int fd, i;

	if (gateway_prepare(gw, err, sizeof err) != OUTCOME_OK)
		_exit(3);
	gw->cfg.timeout = secs;
	memset(&t, 0, sizeof t);
	t.sender = "alice@example.org";
	t.rcpts = rc;
	t.nrcpts = 1;
	smtpgw_init(&g, gw, client, &ops);
	g.ho.give = give_capture;
	fd = tmpfile_open_unlinked();
	if (write(fd, small, sizeof small - 1) != (ssize_t)sizeof small - 1)
		_exit(4);
	/* letters gpg's compression cannot shrink much */
	for (o = 0; o < size; o += sizeof line) {
		for (i = 0; i < (int)sizeof line; i++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			line[i] = i % 64 == 63 ? '\n' : (char)('A' + x % 26);
		}
		if (write(fd, line, sizeof line) != (ssize_t)sizeof line)
			_exit(4);
	}
	for (i = 0; i < 2; i++) {
		ops.message(ops.arg, &t, fd, &r);
		(void)snprintf(buf, sizeof buf, "%d %s %s\r\n", r.code, r.dsn,
		    r.text);
		if (write(client, buf, strlen(buf)) == -1 ||
		    ftruncate(fd, (off_t)(sizeof small - 1)) == -1)
			_exit(4);
		(void)unsetenv("KC_FAKE");
	}
	_exit(0);
}

/* run_worker - the worker in a child with KC_FAKE=mode; the lines it
 * sent into buf, its exit status, the seconds it took */
static int
run_worker(struct gateway *gw, const char *mode, unsigned int secs,
    size_t size, char *buf, size_t bufsz, time_t *took)
{
	time_t t0 = time(NULL);
	ssize_t n;
	size_t o = 0;
	pid_t pid;
	int sv[2], st;

	cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	cr_assert_eq(setenv("KC_FAKE", mode, 1), 0);
	cr_assert_neq(pid = fork(), -1);
	if (pid == 0) {
		close(sv[0]);
		worker(gw, sv[1], secs, size);
	}
	close(sv[1]);
	while (o + 1 < bufsz && (n = read(sv[0], buf + o, bufsz - o - 1)) > 0)
		o += (size_t)n;
	buf[o] = '\0';
	close(sv[0]);
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	*took = time(NULL) - t0;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* gpgpid - the process ID the fake gpg noted */
static pid_t
gpgpid(void)
{
	char path[128];
	FILE *fp;
	int pid = 0;

	(void)snprintf(path, sizeof path, "%s/gpgpid", dir);
	if ((fp = fopen(path, "r")) == NULL)
		return 0;
	if (fscanf(fp, "%d", &pid) != 1)
		pid = 0;
	fclose(fp);
	return (pid_t)pid;
}

/* a gpg that hangs: the deadline answers 451 4.4.5 and ends the
 * worker with 75; gpg goes with it (the supervisor kills it when the
 * worker's end of its status channel closes) */
Test(smtpgw, deadline_ends_a_hung_message, .fini = gw_fini)
{
	struct gateway gw;
	char buf[1024];
	time_t took;
	int st;

	cr_redirect_stderr();
	home(&gw, "require", "bob", 0);
	fake_gpg();
	st = run_worker(&gw, "hang", 2, 0, buf, sizeof buf, &took);
	cr_assert_eq(st, 75, "worker status %d: %s", st, buf);
	cr_assert_str_eq(buf, "451 4.4.5 Message processing timed out\r\n");
	cr_assert(took >= 1 && took <= 4, "took %lld s", (long long)took);
	cr_assert_neq(gpgpid(), 0);
	cr_assert(gone(gpgpid()), "gpg %d left behind", (int)gpgpid());
	done(&gw);
}

/* a gpg that hangs in the listing RCPT needs (the keyring changed
 * since the last one): the per-message deadline holds for RCPT too:
 * 451 4.4.5, the worker ends with 75, gpg goes with it; never a worker
 * held for ever */
Test(smtpgw, deadline_ends_a_hung_rcpt_listing, .fini = gw_fini)
{
	struct gateway gw;
	struct smtpgw g;
	struct smtpd_ops ops;
	struct smtpd_txn t;
	struct smtpd_reply r;
	char err[512], buf[1024], cmd[512];
	time_t t0 = time(NULL), took;
	ssize_t n;
	size_t o = 0;
	pid_t pid;
	int sv[2], st;

	cr_redirect_stderr();
	home(&gw, "require", "bob", 0);
	fake_gpg();
	(void)snprintf(cmd, sizeof cmd, "gpg --homedir %s/g --batch --quiet "
	    "--import %s/carol1.pub.asc 2>/dev/null", dir, keys);
	cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	cr_assert_neq(pid = fork(), -1);
	if (pid == 0) {
		close(sv[0]);
		if (gateway_prepare(&gw, err, sizeof err) != OUTCOME_OK ||
		    system(cmd) != 0)
			_exit(3);
		gw.cfg.timeout = 2;
		memset(&t, 0, sizeof t);
		t.sender = "alice@example.org";
		(void)setenv("KC_FAKE", "hanglist", 1);
		smtpgw_init(&g, &gw, sv[1], &ops);
		ops.rcpt(ops.arg, &t, bob, &r);
		(void)snprintf(buf, sizeof buf, "%d %s %s\r\n", r.code, r.dsn,
		    r.text);
		_exit(write(sv[1], buf, strlen(buf)) == -1 ? 4 : 0);
	}
	close(sv[1]);
	while (o + 1 < sizeof buf &&
	    (n = read(sv[0], buf + o, sizeof buf - o - 1)) > 0)
		o += (size_t)n;
	buf[o] = '\0';
	close(sv[0]);
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	took = time(NULL) - t0;
	st = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	cr_assert_eq(st, 75, "worker status %d: %s", st, buf);
	cr_assert(strncmp(buf, "451 4.4.5 ", 10) == 0, "reply: %s", buf);
	cr_assert(took <= 10, "took %lld s", (long long)took);
	cr_assert_neq(gpgpid(), 0);
	cr_assert(gone(gpgpid()), "gpg %d left behind", (int)gpgpid());
	done(&gw);
}

/* gpg killed while it reads a 20 MB message: 451 (GPGME notices, or
 * the deadline does), never 250, and the next message is served */
Test(smtpgw, gpg_killed_mid_message, .fini = gw_fini)
{
	struct gateway gw;
	char buf[1024];
	time_t took;
	int st;

	cr_redirect_stderr();
	home(&gw, "require", "bob", 0);
	fake_gpg();
	st = run_worker(&gw, "kill", 10, 20 << 20, buf, sizeof buf, &took);
	cr_assert(strncmp(buf, "451 4.", 6) == 0, "status %d: %s", st, buf);
	cr_assert(took <= 13, "took %lld s", (long long)took);
	if (st == 0)
		cr_assert(strstr(buf, "\r\n250 2.0.0 Ok") != NULL, "%s", buf);
	else
		cr_assert_eq(st, 75, "status %d: %s", st, buf);
	cr_assert(gone(gpgpid()));
	done(&gw);
}

/* give_stall - the capture hop, but the second copy never gets its
 * 250 (a next hop that stalls after the first) */
static int
give_stall(struct handoff *ho, const char *sender, char *const *rcpts,
    size_t n, int fd, char *err, size_t errsz)
{
	if (got.calls == 1)
		for (;;)
			(void)pause();
	return give_capture(ho, sender, rcpts, n, fd, err, errsz);
}

/* the deadline after the first of two copies was handed over (carol is
 * hidden: a copy of her own): the retry sends that copy again, so the
 * line the main process logs for the dead worker (its area) must say
 * that one was handed over and name its queue ID, not just "deferred" */
Test(smtpgw, deadline_after_a_copy_names_it, .fini = gw_fini)
{
	static char *rc[] = { bob, carol };
	static const char text[] = "From: alice@example.org\n"
	    "To: bob@example.org\nSubject: t\n\nhello\n";
	struct gateway gw;
	struct smtpgw g;
	struct smtpd_ops ops;
	struct smtpd_txn t;
	struct smtpd_reply r;
	char err[512], *area;
	pid_t pid;
	int st, fd;

	cr_redirect_stderr();
	home(&gw, "opportunistic", "bob carol1", 0);
	area = mmap(NULL, SMTPGW_AREA, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	cr_assert_neq(area, MAP_FAILED);
	memset(area, 0, SMTPGW_AREA);
	cr_assert_neq(pid = fork(), -1);
	if (pid == 0) {
		smtpgw_deadline_area(area);
		if (gateway_prepare(&gw, err, sizeof err) != OUTCOME_OK)
			_exit(3);
		gw.cfg.timeout = 2;
		memset(&t, 0, sizeof t);
		t.sender = "alice@example.org";
		t.rcpts = rc;
		t.nrcpts = 2;
		ops_over(&g, &gw, -1, &ops);
		g.ho.give = give_stall;
		fd = spool(text, sizeof text - 1);
		ops.message(ops.arg, &t, fd, &r);
		_exit(0);
	}
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 75, "status %d", st);
	cr_assert_eq(area[0], SMTPGW_FIRED);
	area[SMTPGW_AREA - SMTPGW_RESULT] = '\0';
	cr_assert(strstr(area + 1, "to=<bob@example.org>,<carol@example.org>")
	    != NULL, "%s", area + 1);
	cr_assert(strstr(area + 1, " handed_over=1 queued_as=Q1") != NULL,
	    "%s", area + 1);
	(void)munmap(area, SMTPGW_AREA);
	done(&gw);
}
