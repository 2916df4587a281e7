/*
 * replay.c - run a fuzz harness without libFuzzer: call
 * LLVMFuzzerTestOneInput once on the contents of each file named on the
 * command line.  Linked with one harness (and the normal, possibly
 * sanitized, build of libmailseal.a), it makes every input a fuzzer
 * once found a plain regression test (tests/fuzz-regress.sh).  Exits 0
 * when every call returned; a crash or sanitizer report ends it.
 */
#include <config.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

#define REPLAY_MAX	(16 * 1024 * 1024)	/* bytes of one input */

/* replay_file - the whole file at path in an allocated buffer */
static uint8_t *
replay_file(const char *path, size_t *lenp)
{
	uint8_t *buf;
	size_t n;
	FILE *fp;

	if ((fp = fopen(path, "rb")) == NULL)
		return NULL;
	if ((buf = malloc(REPLAY_MAX + 1)) == NULL) {
		fclose(fp);
		return NULL;
	}
	n = fread(buf, 1, REPLAY_MAX + 1, fp);
	if (ferror(fp) || n > REPLAY_MAX) {
		if (!ferror(fp))
			errno = EFBIG;
		fclose(fp);
		free(buf);
		return NULL;
	}
	fclose(fp);
	*lenp = n;
	return buf;
}

int
main(int argc, char *argv[])
{
	uint8_t *buf;
	size_t len;
	int i;

	for (i = 1; i < argc; i++) {
		if ((buf = replay_file(argv[i], &len)) == NULL) {
			fprintf(stderr, "replay: %s: %s\n", argv[i],
			    strerror(errno));
			return 99;
		}
		(void)LLVMFuzzerTestOneInput(buf, len);
		free(buf);
	}
	return 0;
}
