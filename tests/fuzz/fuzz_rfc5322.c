/*
 * fuzz_rfc5322.c - libFuzzer harness: the header block reader
 * (rfc5322_read) and what callers do with its fields (unfold, find,
 * field_parse), and encrypt's protected header built from them
 * (protect_inner, protect_outer).  Checks that every field's bytes lie
 * inside the header block, that a field starts with the name it
 * reports, and that a protected header reads within the header limits,
 * has only CRLF line ends and ends with its empty line.
 */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "input.h"
#include "protect.h"
#include "rfc5322.h"

static const char *fuzz_names[] = {
	"From", "To", "Cc", "Bcc", "Content-Type",
	"Content-Transfer-Encoding", "X-Mailseal-Gateway"
};

/* fuzz_fields - walk every field as the commands do */
static void
fuzz_fields(const struct rfc5322_header *h, size_t size)
{
	const struct rfc5322_field *f;
	size_t i, k, len, valoff, namelen;
	char *v;

	if (h->total > size || (size_t)h->bodyoff > size)
		abort();
	for (i = 0; i < h->nfields; i++) {
		f = &h->fields[i];
		if (f->namelen == 0 || f->namelen > f->rawlen ||
		    f->valoff > f->rawlen)
			abort();
		namelen = rfc5322_field_parse(f->raw, f->rawlen, &valoff);
		(void)namelen;
		v = rfc5322_unfold(f, &len);
		if (strlen(v) > len)
			abort();
		free(v);
	}
	for (k = 0; k < sizeof fuzz_names / sizeof fuzz_names[0]; k++) {
		i = 0;
		while ((f = rfc5322_find(h, fuzz_names[k], &i)) != NULL)
			if (!rfc5322_is(f, fuzz_names[k]))
				abort();
	}
}

/* fuzz_protect - the protected header and the outer one of h */
static void
fuzz_protect(const struct rfc5322_header *h)
{
	struct rfc5322_header oh;
	size_t i, len;
	char *head;

	if ((head = protect_inner(h, &len, NULL)) != NULL) {
		if (len < 4 || memcmp(head + len - 4, "\r\n\r\n", 4) != 0 ||
		    !protect_fits(head, len - 2))
			abort();
		for (i = 0; i < len; i++)
			if (head[i] == '\n' && (i == 0 || head[i - 1] != '\r'))
				abort();
		free(head);
	}
	protect_outer(h, &oh);
	if (oh.nfields != h->nfields)
		abort();
	protect_outer_free(&oh);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rfc5322_header h;
	struct input *in;

	in = input_fdopen(fuzz_fd(data, size));
	if (rfc5322_read(in, &h) == RFC5322_OK) {
		fuzz_fields(&h, size);
		fuzz_protect(&h);
	}
	rfc5322_free(&h);
	input_close(in);
	return 0;
}
