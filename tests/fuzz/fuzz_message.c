/*
 * fuzz_message.c - libFuzzer target: everything encrypt does to a
 * message before gpg sees it (header block, Content-Type, transfer
 * encoding, inline armor detection, address lists).  Build and run:
 *   tests/fuzz/run.sh [seconds]
 */
#include <config.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "classify.h"
#include "input.h"
#include "rfc5322.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *names[] = { "To", "Cc", "Bcc", "From" };
	char path[] = "/tmp/msfuzz.XXXXXX";
	struct rfc5322_header h;
	struct input *in;
	enum classify_kind kind;
	const struct rfc5322_field *f;
	size_t i, k, len;
	char *v;
	int fd;

	if ((fd = mkstemp(path)) == -1)
		abort();
	if (write(fd, data, size) != (ssize_t)size)
		abort();
	close(fd);
	if (input_open(&in, path) == -1)
		abort();
	unlink(path);
	if (rfc5322_read(in, &h) == RFC5322_OK) {
		(void)classify_message(&h, in, &kind, NULL);
		for (k = 0; k < sizeof names / sizeof names[0]; k++) {
			i = 0;
			while ((f = rfc5322_find(&h, names[k], &i)) != NULL) {
				struct addrlist l = { NULL, 0 };
				v = rfc5322_unfold(f, &len);
				(void)addr_list_parse(v, len, &l);
				addrlist_free(&l);
				free(v);
			}
		}
	}
	rfc5322_free(&h);
	input_close(in);
	return 0;
}
