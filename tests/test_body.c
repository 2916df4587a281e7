/*
 * test_body.c - line ends made the message's, in blocks: the same bytes
 * as one byte at a time, wherever the input is split.
 */
#include <config.h>

#include <string.h>

#include <criterion/criterion.h>

#include "body.h"

/* ref - the byte-at-a-time rule: LF drops a CR before LF, CRLF puts a
 * CR before an LF that has none */
static size_t
ref(const char *p, size_t n, enum body_eol eol, char *out)
{
	size_t k, o = 0;

	for (k = 0; k < n; k++) {
		if (eol == BODY_LF && p[k] == '\r' && k + 1 < n &&
		    p[k + 1] == '\n')
			continue;
		if (eol == BODY_CRLF && p[k] == '\n' && (k == 0 ||
		    p[k - 1] != '\r'))
			out[o++] = '\r';
		out[o++] = p[k];
	}
	return o;
}

/* split - body_eol over p in two steps, split at k */
static size_t
split(const char *p, size_t n, size_t k, enum body_eol eol, char *out)
{
	size_t o;
	int pendcr = 0;

	o = body_eol(p, k, eol, &pendcr, out);
	o += body_eol(p + k, n - k, eol, &pendcr, out + o);
	if (eol == BODY_LF && pendcr)
		out[o++] = '\r';
	return o;
}

Test(body, eol_any_split)
{
	static const char *cases[] = {
		"a\r\nb\nc\rd\r\r\ne\n\n\r",
		"\r\n\r\n",
		"\n\nline\n",
		"\r",
		"\r\r\r\n\n\r",
		"no line end",
		"",
		"x\r\ny",
	};
	static const enum body_eol eols[] = { BODY_RAW, BODY_LF, BODY_CRLF };
	char want[128], got[128];
	size_t i, j, k, n, wn, gn;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
		for (j = 0; j < 3; j++) {
			n = strlen(cases[i]);
			wn = eols[j] == BODY_RAW ? n : ref(cases[i], n, eols[j],
			    want);
			if (eols[j] == BODY_RAW)
				memcpy(want, cases[i], n);
			for (k = 0; k <= n; k++) {
				gn = split(cases[i], n, k, eols[j], got);
				cr_assert(gn == wn && memcmp(got, want, wn) == 0,
				    "case %zu eol %zu split %zu", i, j, k);
			}
		}
}
