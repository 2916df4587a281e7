/*
 * smtpcmd.c - SMTP command lines read on their own (smtpcmd.h).
 *
 * The line has been checked by the caller: at most LIMIT_SMTP_LINE
 * bytes, no NUL, CR or LF in it.  Paths are read as RFC 5321 4.1.2
 * writes them (Postfix's smtp(8) quotes a local part that needs it),
 * 8-bit bytes allowed in the local part and the domain (SMTPUTF8), with
 * three leniencies Postfix has too: white space after "FROM:"/"TO:", a
 * mailbox without its <> (a before-queue smtpd passes the client's
 * command on as it came), and a domain of any characters but specials
 * and white space (VIOLATIONS.md).  Every result is as the client wrote
 * it, never rewritten: the hop downstream gets what we got.
 */
#include <config.h>

#include <limits.h>
#include <string.h>
#include <strings.h>

#include "cte.h"
#include "smtpcmd.h"

const char *const smtpcmd_xfwd_names[SMTPCMD_XFWD_N] = {
	"NAME", "ADDR", "PORT", "PROTO", "HELO", "IDENT", "SOURCE"
};

static const struct {
	const char		*name;
	enum smtpcmd_verb	 verb;
} cmd_verbs[] = {
	{ "HELO", SMTPCMD_HELO }, { "EHLO", SMTPCMD_EHLO },
	{ "MAIL", SMTPCMD_MAIL }, { "RCPT", SMTPCMD_RCPT },
	{ "DATA", SMTPCMD_DATA }, { "RSET", SMTPCMD_RSET },
	{ "NOOP", SMTPCMD_NOOP }, { "QUIT", SMTPCMD_QUIT },
	{ "VRFY", SMTPCMD_VRFY }, { "HELP", SMTPCMD_HELP },
	{ "XFORWARD", SMTPCMD_XFORWARD }
};

/* cmd_alpha, cmd_digit, cmd_alnum - ASCII classes, whatever the locale */
static int
cmd_alpha(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int
cmd_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static int
cmd_alnum(unsigned char c)
{
	return cmd_alpha(c) || cmd_digit(c);
}

/* smtpcmd_verb - see smtpcmd.h */
enum smtpcmd_verb
smtpcmd_verb(const char *line, const char **argp)
{
	size_t n = 0, i;
	const char *p;

	while (line[n] != '\0' && line[n] != ' ' && line[n] != '\t')
		n++;
	for (p = line + n; *p == ' ' || *p == '\t'; p++)
		;
	*argp = p;
	if (n == 0)
		return SMTPCMD_BAD;
	for (i = 0; i < sizeof cmd_verbs / sizeof cmd_verbs[0]; i++)
		if (strlen(cmd_verbs[i].name) == n &&
		    strncasecmp(line, cmd_verbs[i].name, n) == 0)
			return cmd_verbs[i].verb;
	for (i = 0; i < n; i++)
		if (!cmd_alpha((unsigned char)line[i]))
			return SMTPCMD_BAD;
	return SMTPCMD_UNKNOWN;
}

/* cmd_atext - RFC 5322 atext, or a byte of UTF-8 (RFC 6531) */
static int
cmd_atext(unsigned char c)
{
	return cmd_alnum(c) || c >= 0x80 ||
	    (c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL);
}

/* cmd_dotted - the length of the runs of bytes ok() takes, joined by
 * single dots, at s (a Dot-string, or a domain's labels); 0 when there
 * is none, or a run is empty */
static size_t
cmd_dotted(const unsigned char *s, int (*ok)(unsigned char))
{
	size_t i = 0, k;

	for (;;) {
		for (k = 0; ok(s[i + k]); k++)
			;
		if (k == 0)
			return 0;
		i += k;
		if (s[i] != '.')
			return i;
		i++;
	}
}

/* cmd_local - the length of the local part at p (a Dot-string or a
 * Quoted-string), 0 when there is none */
static size_t
cmd_local(const char *p)
{
	const unsigned char *s = (const unsigned char *)p;
	size_t i;

	if (s[0] == '"') {
		for (i = 1; s[i] != '"'; i++) {
			if (s[i] == '\\' && s[i + 1] >= ' ' && s[i + 1] != 127)
				i++;
			else if (s[i] < ' ' || s[i] == 127 || s[i] == '\\')
				return 0;
		}
		return i + 1;
	}
	return cmd_dotted(s, cmd_atext);
}

/* cmd_label - a byte of a domain name: anything but white space,
 * controls, the dot and RFC 5322's specials */
static int
cmd_label(unsigned char c)
{
	return c > ' ' && c != 127 && strchr("()<>[]\\,;:@\".", c) == NULL;
}

/* cmd_domain - the length of the domain or address literal at p, 0
 * when there is none */
static size_t
cmd_domain(const char *p)
{
	const unsigned char *s = (const unsigned char *)p;
	size_t i;

	if (s[0] == '[') {
		for (i = 1; s[i] != ']'; i++)
			if (s[i] <= ' ' || s[i] >= 127 || s[i] == '[' ||
			    s[i] == '\\')
				return 0;
		return i > 1 ? i + 1 : 0;
	}
	return cmd_dotted(s, cmd_label);
}

/* cmd_route - skip a source route ("@a,@b:") at *pp: 0, or -1 */
static int
cmd_route(const char **pp)
{
	const char *p = *pp;
	size_t n;

	if (*p != '@')
		return 0;
	for (;;) {
		if (*p++ != '@' || (n = cmd_domain(p)) == 0)
			return -1;
		p += n;
		if (*p == ':')
			break;
		if (*p++ != ',')
			return -1;
	}
	*pp = p + 1;
	return 0;
}

/* cmd_path - the path at *pp ("<...>", or a bare mailbox: Postfix's
 * smtpd takes one and passes it on verbatim to a before-queue filter)
 * into out (LIMIT_ADDR_SPEC + 1 bytes); "<>" only when null is set;
 * *pp moves past it */
static enum smtpcmd_err
cmd_path(const char **pp, int null, char *out)
{
	const char *p = *pp, *start;
	int angle = *p == '<';
	size_t n;

	if (angle)
		p++;
	if (angle && *p == '>' && null) {
		out[0] = '\0';
		*pp = p + 1;
		return SMTPCMD_OK;
	}
	if (angle && cmd_route(&p) == -1)
		return SMTPCMD_ADDR;
	start = p;
	if ((n = cmd_local(p)) == 0 || p[n] != '@')
		return SMTPCMD_ADDR;
	p += n + 1;
	if ((n = cmd_domain(p)) == 0)
		return SMTPCMD_ADDR;
	p += n;
	if (angle ? *p != '>' : *p != '\0' && *p != ' ' && *p != '\t')
		return SMTPCMD_ADDR;
	if ((size_t)(p - start) > LIMIT_ADDR_SPEC)
		return SMTPCMD_ADDR;
	memcpy(out, start, (size_t)(p - start));
	out[p - start] = '\0';
	*pp = p + angle;
	return SMTPCMD_OK;
}

/* cmd_size - SIZE's value (n bytes of digits) into *sizep, saturating
 * at ULLONG_MAX: 0, or -1 */
static int
cmd_size(const char *v, size_t n, unsigned long long *sizep)
{
	unsigned long long size = 0;
	size_t i;

	if (n == 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (!cmd_digit((unsigned char)v[i]))
			return -1;
		if (size > (ULLONG_MAX - 9) / 10)
			size = ULLONG_MAX;
		else
			size = size * 10 + (unsigned long long)(v[i] - '0');
	}
	*sizep = size;
	return 0;
}

/* cmd_param - one MAIL parameter: keyword k (klen bytes), value v (vlen
 * bytes, v NULL when none) */
static enum smtpcmd_err
cmd_param(const char *k, size_t klen, const char *v, size_t vlen,
    struct smtpcmd_path *p)
{
	if (klen == 4 && strncasecmp(k, "SIZE", 4) == 0) {
		if (v == NULL || cmd_size(v, vlen, &p->size) == -1)
			return SMTPCMD_VALUE;
		p->hassize = 1;
	} else if (klen == 4 && strncasecmp(k, "BODY", 4) == 0) {
		if (v != NULL && vlen == 8 && strncasecmp(v, "8BITMIME", 8) == 0)
			p->body8bit = 1;
		else if (v != NULL && vlen == 4 && strncasecmp(v, "7BIT", 4) == 0)
			p->body8bit = 0;
		else
			return SMTPCMD_VALUE;
	} else if (klen == 8 && strncasecmp(k, "SMTPUTF8", 8) == 0) {
		if (v != NULL)
			return SMTPCMD_VALUE;
		p->smtputf8 = 1;
	} else
		return SMTPCMD_PARAM;
	return SMTPCMD_OK;
}

/* cmd_word_in - v (n bytes) is one of the words of list, or, with
 * several, a comma-separated set of them (NOTIFY) */
static int
cmd_word_in(const char *v, size_t n, const char *const *list, int several)
{
	size_t i, w;

	while (n > 0) {
		w = 0;
		while (w < n && v[w] != ',')
			w++;
		for (i = 0; list[i] != NULL; i++)
			if (strlen(list[i]) == w && strncasecmp(v, list[i],
			    w) == 0)
				break;
		if (w == 0 || list[i] == NULL)
			return 0;
		if (w == n)
			return 1;
		if (!several)
			return 0;
		v += w + 1;
		n -= w + 1;
		if (n == 0)
			return 0;
	}
	return 0;
}

/* cmd_dsn - the DSN (RFC 3461) and AUTH (RFC 4954) parameters a Postfix
 * in front passes on verbatim from its own client (before the queue,
 * smtpd_proxy_filter): taken when well formed and not passed on (the
 * re-injection server applies its defaults), so no client's mail is
 * refused for asking for a notification; rcpt: NOTIFY, ORCPT; else RET,
 * ENVID, AUTH */
static enum smtpcmd_err
cmd_dsn(const char *k, size_t klen, const char *v, size_t vlen, int rcpt)
{
	static const char *const notify[] = { "NEVER", "SUCCESS", "FAILURE",
	    "DELAY", NULL }, *const ret[] = { "FULL", "HDRS", NULL };
	char buf[LIMIT_XFORWARD_ATTR + 1];

	if (rcpt && klen == 6 && strncasecmp(k, "NOTIFY", 6) == 0)
		return v != NULL && cmd_word_in(v, vlen, notify, 1) ?
		    SMTPCMD_OK : SMTPCMD_VALUE;
	if (rcpt && klen == 5 && strncasecmp(k, "ORCPT", 5) == 0)
		return v != NULL && memchr(v, ';', vlen) != NULL &&
		    vlen <= LIMIT_SMTP_LINE ? SMTPCMD_OK : SMTPCMD_VALUE;
	if (!rcpt && klen == 3 && strncasecmp(k, "RET", 3) == 0)
		return v != NULL && cmd_word_in(v, vlen, ret, 0) ?
		    SMTPCMD_OK : SMTPCMD_VALUE;
	if (!rcpt && ((klen == 5 && strncasecmp(k, "ENVID", 5) == 0) ||
	    (klen == 4 && strncasecmp(k, "AUTH", 4) == 0)))
		return v != NULL && smtpcmd_xtext(v, vlen, buf,
		    sizeof buf) == 0 ? SMTPCMD_OK : SMTPCMD_VALUE;
	return SMTPCMD_PARAM;
}

/* cmd_keyword - keep the keyword refused (klen bytes at k) for the
 * reply, cut to fit */
static void
cmd_keyword(const char *k, size_t klen, struct smtpcmd_path *p)
{
	if (klen >= sizeof p->param)
		klen = sizeof p->param - 1;
	memcpy(p->param, k, klen);
	p->param[klen] = '\0';
}

/* cmd_params - the parameters after a path (RFC 5321 4.1.2
 * Mail-parameters), each read by cmd_param; rcpt: none is offered */
static enum smtpcmd_err
cmd_params(const char *s, int rcpt, struct smtpcmd_path *p)
{
	const char *k, *v;
	size_t klen, vlen;
	enum smtpcmd_err e;

	for (;;) {
		if (*s == '\0')
			return SMTPCMD_OK;
		if (*s != ' ' && *s != '\t')
			return SMTPCMD_SYNTAX;
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == '\0')
			return SMTPCMD_OK;
		for (k = s; cmd_alnum((unsigned char)*s) ||
		    (s > k && *s == '-'); s++)
			;
		if ((klen = (size_t)(s - k)) == 0)
			return SMTPCMD_SYNTAX;
		v = NULL;
		vlen = 0;
		if (*s == '=') {
			for (v = ++s; (unsigned char)*s > ' ' &&
			    (unsigned char)*s < 127 && *s != '='; s++)
				;
			if ((vlen = (size_t)(s - v)) == 0)
				return SMTPCMD_SYNTAX;
		}
		if (*s != '\0' && *s != ' ' && *s != '\t')
			return SMTPCMD_SYNTAX;
		e = rcpt ? SMTPCMD_PARAM : cmd_param(k, klen, v, vlen, p);
		if (e == SMTPCMD_PARAM)
			e = cmd_dsn(k, klen, v, vlen, rcpt);
		if (e == SMTPCMD_PARAM)
			cmd_keyword(k, klen, p);
		if (e != SMTPCMD_OK)
			return e;
	}
}

/* smtpcmd_mail - see smtpcmd.h */
enum smtpcmd_err
smtpcmd_mail(const char *arg, int rcpt, struct smtpcmd_path *p)
{
	const char *kw = rcpt ? "TO:" : "FROM:";
	size_t n = strlen(kw);
	enum smtpcmd_err e;

	memset(p, 0, sizeof *p);
	if (strncasecmp(arg, kw, n) != 0)
		return SMTPCMD_SYNTAX;
	arg += n;
	while (*arg == ' ' || *arg == '\t')
		arg++;
	if ((e = cmd_path(&arg, !rcpt, p->addr)) != SMTPCMD_OK)
		return e;
	return cmd_params(arg, rcpt, p);
}

/* smtpcmd_xtext - see smtpcmd.h */
int
smtpcmd_xtext(const char *v, size_t n, char *buf, size_t bufsz)
{
	size_t i, o = 0;
	int c, hi, lo;

	for (i = 0; i < n; i++) {
		c = (unsigned char)v[i];
		if (c == '+') {
			if (i + 2 >= n)
				return -1;
			if ((hi = cte_hex((unsigned char)v[i + 1])) == -1 ||
			    (lo = cte_hex((unsigned char)v[i + 2])) == -1)
				return -1;
			c = hi * 16 + lo;
			i += 2;
		} else if (c == '=')
			return -1;
		if (c <= ' ' || c >= 127 || o + 1 >= bufsz)
			return -1;
		buf[o++] = (char)c;
	}
	if (o >= bufsz)
		return -1;
	buf[o] = '\0';
	return 0;
}

/* cmd_xname - the index of XFORWARD attribute name (n bytes), or -1 */
static int
cmd_xname(const char *name, size_t n)
{
	int i;

	for (i = 0; i < SMTPCMD_XFWD_N; i++)
		if (strlen(smtpcmd_xfwd_names[i]) == n &&
		    strncasecmp(name, smtpcmd_xfwd_names[i], n) == 0)
			return i;
	return -1;
}

/* smtpcmd_xforward - see smtpcmd.h */
enum smtpcmd_err
smtpcmd_xforward(const char *s, struct smtpcmd_xfwd *x)
{
	char dec[LIMIT_XFORWARD_ATTR + 1];
	const char *item, *eq;
	size_t n;
	int i;

	memset(x, 0, sizeof *x);
	if (*s == '\0')
		return SMTPCMD_SYNTAX;
	while (*s != '\0') {
		item = s;
		n = strcspn(s, " \t");
		s += n;
		while (*s == ' ' || *s == '\t')
			s++;
		if ((eq = memchr(item, '=', n)) == NULL)
			return SMTPCMD_SYNTAX;
		if ((i = cmd_xname(item, (size_t)(eq - item))) == -1)
			return SMTPCMD_NAME;
		if (n - (size_t)(eq + 1 - item) > LIMIT_XFORWARD_ATTR)
			return SMTPCMD_LONG;
		if (smtpcmd_xtext(eq + 1, n - (size_t)(eq + 1 - item), dec,
		    sizeof dec) == -1 || dec[0] == '\0')
			return SMTPCMD_VALUE;
		x->item[i] = item;
		x->len[i] = n;
	}
	return SMTPCMD_OK;
}
