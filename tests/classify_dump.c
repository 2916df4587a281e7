/*
 * classify_dump.c - what mailseal's structure reader makes of messages,
 * for tests/differential.py: the kind classify_message() gives and the
 * byte ranges decrypt would decrypt or verify.
 *
 * usage: classify_dump [FILE...]   (no FILE: one path a line on stdin)
 *
 * One line a message, tab-separated:
 *   kind off len sigoff siglen cte bodyoff fromlen boundary sigcte
 * kind is plain, pgpmime, inline, smime, signed, clearsigned, mangled,
 * broken, smimesigned (multipart/signed, S/MIME), smimeopaque
 * (pkcs7-mime signed-data), or "header:REASON" when the header block is refused, or
 * "error" when the file cannot be read; boundary is the root
 * Content-Type's boundary parameter as mailseal reads it, hex-encoded
 * ("-" when there is none); sigcte the signature part's transfer
 * encoding (S/MIME multipart/signed).  Offsets count from the first byte of the
 * file, mbox From_ line included.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classify.h"
#include "input.h"
#include "mime.h"
#include "rfc5322.h"

static const char *const dump_kinds[] = {
	"plain", "pgpmime", "inline", "smime", "signed", "clearsigned",
	"mangled", "broken", "smimesigned", "smimeopaque"
};

/* dump_boundary - the root boundary as classify_message reads it, in hex */
static void
dump_boundary(const struct rfc5322_header *h)
{
	const struct rfc5322_field *f;
	struct mime_ctype ct;
	const char *b = NULL;
	char *v;
	size_t len;

	memset(&ct, 0, sizeof ct);
	if ((f = rfc5322_find(h, "Content-Type", NULL)) != NULL) {
		v = rfc5322_unfold(f, &len);
		if (mime_ctype_parse(v, len, &ct) == 0)
			b = mime_ctype_param(&ct, "boundary");
		free(v);
	}
	if (b == NULL)
		putchar('-');
	else
		for (; *b != '\0'; b++)
			printf("%02x", (unsigned char)*b);
	mime_ctype_free(&ct);
}

/* dump_one - classify one file and print its line */
static void
dump_one(const char *path)
{
	struct rfc5322_header h;
	struct classify_span span;
	struct input *in;
	enum classify_kind kind;
	enum rfc5322_err e;

	memset(&h, 0, sizeof h);
	memset(&span, 0, sizeof span);
	if (input_open(&in, path) != 0) {
		printf("error\n");
		return;
	}
	if ((e = rfc5322_read(in, &h)) != RFC5322_OK) {
		printf("header:%s\n", rfc5322_strerror(e));
		goto done;
	}
	if (classify_message(&h, in, &kind, &span) == -1) {
		printf("error\n");
		goto done;
	}
	printf("%s\t%lld\t%lld\t%lld\t%lld\t%d\t%lld\t%zu\t",
	    (size_t)kind < sizeof dump_kinds / sizeof dump_kinds[0] ?
	    dump_kinds[kind] : "?", (long long)span.off, (long long)span.len,
	    (long long)span.sigoff, (long long)span.siglen, (int)span.cte,
	    (long long)h.bodyoff, h.fromline != NULL ? h.fromlen : 0);
	dump_boundary(&h);
	printf("\t%d\n", (int)span.sigcte);
done:
	rfc5322_free(&h);
	input_close(in);
}

/* main - one line for each FILE, or for each path read from stdin */
int
main(int argc, char *argv[])
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int i;

	for (i = 1; i < argc; i++) {
		dump_one(argv[i]);
		fflush(stdout);
	}
	if (argc > 1)
		return ferror(stdout) ? 1 : 0;
	while ((n = getline(&line, &cap, stdin)) > 0) {
		if (line[n - 1] == '\n')
			line[n - 1] = '\0';
		dump_one(line);
		fflush(stdout);
	}
	free(line);
	return ferror(stdout) ? 1 : 0;
}
