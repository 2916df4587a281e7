/*
 * fuzz_smtpd.c - libFuzzer target: the SMTP server on any bytes a
 * client could send.  Three readers see the same input:
 *
 * - every line of it (up to LF, as the session hands them over: no
 *   NUL or CR, at most LIMIT_SMTP_LINE bytes) through smtpcmd.c's
 *   verb, MAIL/RCPT and XFORWARD readers: an address taken is at most
 *   LIMIT_ADDR_SPEC bytes, has its '@', and stands in the line as it
 *   came; an XFORWARD attribute taken lies in the line and has a name
 *   we offer;
 * - all of it as DATA text through smtpdata.c's automaton, in pieces
 *   the first byte picks, against a plain line-by-line reading of RFC
 *   5321 4.5.2: the same bytes, the same end, whatever the split;
 * - all of it as a whole conversation into smtpd_session over a
 *   socketpair (a thread writes it and drains the replies), with ops
 *   that refuse or defer some recipients and check each message is
 *   within the size limit; every reply line must be "NNN" and a space
 *   or dash.
 */
#include <config.h>

#include <sys/socket.h>

#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "limit.h"
#include "smtpcmd.h"
#include "smtpd.h"
#include "smtpdata.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define FUZZ_MAXSIZE	4096

/* fuzz_line - one command line through the readers of smtpcmd.c */
static void
fuzz_line(const char *line)
{
	struct smtpcmd_path p;
	struct smtpcmd_xfwd x;
	const char *arg;
	size_t n = strlen(line);
	int i;

	switch (smtpcmd_verb(line, &arg)) {
	case SMTPCMD_MAIL:
	case SMTPCMD_RCPT:
		if (smtpcmd_mail(arg, line[0] == 'R' || line[0] == 'r',
		    &p) != SMTPCMD_OK)
			break;
		if (strlen(p.addr) > LIMIT_ADDR_SPEC ||
		    (p.addr[0] != '\0' && strchr(p.addr, '@') == NULL) ||
		    strstr(line, p.addr) == NULL)
			abort();
		break;
	case SMTPCMD_XFORWARD:
		if (smtpcmd_xforward(arg, &x) != SMTPCMD_OK)
			break;
		for (i = 0; i < SMTPCMD_XFWD_N; i++)
			if (x.item[i] != NULL && (x.item[i] < line ||
			    x.item[i] + x.len[i] > line + n ||
			    strncasecmp(x.item[i], smtpcmd_xfwd_names[i],
			    strlen(smtpcmd_xfwd_names[i])) != 0 ||
			    x.item[i][strlen(smtpcmd_xfwd_names[i])] != '='))
				abort();
		break;
	default:
		break;
	}
}

/* fuzz_lines - each line of data as the session would read it */
static void
fuzz_lines(const uint8_t *data, size_t size)
{
	char line[LIMIT_SMTP_LINE];
	size_t i = 0, n;
	const uint8_t *nl;

	while (i < size) {
		nl = memchr(data + i, '\n', size - i);
		n = nl != NULL ? (size_t)(nl - (data + i)) : size - i;
		if (n > 0 && data[i + n - 1] == '\r')
			n--;
		if (n < sizeof line && memchr(data + i, '\0', n) == NULL &&
		    memchr(data + i, '\r', n) == NULL) {
			memcpy(line, data + i, n);
			line[n] = '\0';
			fuzz_line(line);
		}
		i += (nl != NULL ? (size_t)(nl - (data + i)) + 1 : size - i);
	}
}

/* fuzz_plain - RFC 5321 4.5.2 line by line: the message in data into
 * out; the bytes up to and with the end line (*end set), or size when
 * there is none */
static size_t
fuzz_plain(const uint8_t *data, size_t size, uint8_t *out, size_t *outlen,
    int *end)
{
	size_t i = 0, o = 0, k, eol;

	*end = 0;
	while (i < size) {
		/* a line: up to and with CR LF */
		for (k = i, eol = size; k + 1 < size; k++)
			if (data[k] == '\r' && data[k + 1] == '\n') {
				eol = k + 2;
				break;
			}
		if (eol == i + 3 && data[i] == '.' && data[i + 1] == '\r' &&
		    data[i + 2] == '\n') {
			*end = 1;
			*outlen = o;
			return eol;
		}
		if (data[i] == '.')
			i++;
		memcpy(out + o, data + i, eol - i);
		o += eol - i;
		i = eol;
	}
	*outlen = o;
	return size;
}

/* fuzz_data - the automaton in pieces of step bytes against fuzz_plain */
static void
fuzz_data(const uint8_t *data, size_t size, size_t step)
{
	uint8_t *want = malloc(size + 1), *got = malloc(size + 2);
	size_t wantlen, wantused, got_n = 0, i = 0, k, n, used;
	struct smtpdata d;
	int end;

	if (want == NULL || got == NULL)
		abort();
	wantused = fuzz_plain(data, size, want, &wantlen, &end);
	smtpdata_init(&d);
	while (i < size && !d.done) {
		k = size - i < step ? size - i : step;
		used = smtpdata_unstuff(&d, data + i, k, got + got_n, &n);
		if (used > k || n > k + 1)
			abort();
		got_n += n;
		i += used;
	}
	/* the data ends in ". CR" (no LF): the automaton holds the CR */
	if (!d.done && size >= 2 && data[size - 1] == '\r' &&
	    data[size - 2] == '.' && (size == 2 || (size >= 4 &&
	    data[size - 3] == '\n' && data[size - 4] == '\r')))
		got[got_n++] = '\r';
	if (d.done != end || (end && i != wantused) || got_n != wantlen ||
	    memcmp(got, want, wantlen) != 0)
		abort();
	free(want);
	free(got);
}

struct fuzz_client {
	int		 fd;
	const uint8_t	*data;
	size_t		 size;
};

/* fuzz_reply_line - a reply line must start "NNN " or "NNN-" */
static void
fuzz_replies(const char *b, size_t n, int *bol)
{
	static char head[4];
	static size_t have;
	size_t i;

	for (i = 0; i < n; i++) {
		if (*bol) {
			have = 0;
			*bol = 0;
		}
		if (have < 4) {
			head[have++] = b[i];
			if (have == 4 && (head[0] < '2' || head[0] > '5' ||
			    head[1] < '0' || head[1] > '9' || head[2] < '0' ||
			    head[2] > '9' || (head[3] != ' ' && head[3] != '-')))
				abort();
		}
		if (b[i] == '\n')
			*bol = 1;
	}
}

/* fuzz_client - write the conversation, read the replies to the end */
static void *
fuzz_client(void *arg)
{
	struct fuzz_client *c = arg;
	struct pollfd p;
	char buf[4096];
	size_t off = 0;
	ssize_t n;
	int bol = 1;

	for (;;) {
		p.fd = c->fd;
		p.events = POLLIN | (off < c->size ? POLLOUT : 0);
		if (poll(&p, 1, -1) == -1)
			continue;
		if (p.revents & POLLOUT) {
			n = write(c->fd, c->data + off, c->size - off);
			if (n > 0 && (off += (size_t)n) == c->size)
				shutdown(c->fd, SHUT_WR);
		}
		if (p.revents & (POLLIN | POLLHUP | POLLERR)) {
			if ((n = read(c->fd, buf, sizeof buf)) <= 0)
				break;
			fuzz_replies(buf, (size_t)n, &bol);
		}
	}
	return NULL;
}

static void
fuzz_rcpt(void *arg, const struct smtpd_txn *t, const char *addr,
    struct smtpd_reply *r)
{
	(void)arg;
	if (t->nrcpts > LIMIT_RECIPIENTS || strlen(addr) > LIMIT_ADDR_SPEC)
		abort();
	r->code = addr[0] == 'x' ? 550 : addr[0] == 'y' ? 451 : 250;
	memcpy(r->dsn, addr[0] == 'x' ? "5.7.1" : addr[0] == 'y' ?
	    "4.3.0" : "2.1.5", 6);
	memcpy(r->text, "fuzz\r\n", 7);	/* the session cuts at the CR */
}

static void
fuzz_message(void *arg, const struct smtpd_txn *t, int fd,
    struct smtpd_reply *r)
{
	char buf[FUZZ_MAXSIZE + 1];
	ssize_t n, total = 0;

	(void)arg;
	if (t->nrcpts == 0 || t->nrcpts > LIMIT_RECIPIENTS ||
	    t->nxforward > SMTPCMD_XFWD_N)
		abort();
	while ((n = read(fd, buf, sizeof buf)) > 0)
		total += n;
	if (n == -1 || total > FUZZ_MAXSIZE)
		abort();
	r->code = total % 2 ? 451 : 250;
	memcpy(r->dsn, total % 2 ? "4.3.0" : "2.0.0", 6);
	memcpy(r->text, "fuzz", 5);
}

/* fuzz_session - data as a client's whole conversation */
static void
fuzz_session(const uint8_t *data, size_t size)
{
	static volatile sig_atomic_t stop;
	struct smtpd_conf conf = { "fuzz.test", 1, FUZZ_MAXSIZE, &stop, 0 };
	struct smtpd_ops ops = { NULL, fuzz_rcpt, fuzz_message };
	struct fuzz_client c;
	pthread_t th;
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == -1)
		abort();
	c.fd = sv[0];
	c.data = data;
	c.size = size;
	if (size == 0)
		shutdown(sv[0], SHUT_WR);
	if (pthread_create(&th, NULL, fuzz_client, &c) != 0)
		abort();
	smtpd_session(&conf, &ops, sv[1]);
	close(sv[1]);
	pthread_join(th, NULL);
	close(sv[0]);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	signal(SIGPIPE, SIG_IGN);
	fuzz_lines(data, size);
	if (size > 0) {
		fuzz_data(data + 1, size - 1, size - 1);
		fuzz_data(data + 1, size - 1, (size_t)data[0] % 16 + 1);
	}
	fuzz_session(data, size);
	return 0;
}
