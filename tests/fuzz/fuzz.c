/*
 * fuzz.c - helpers for the fuzz harnesses (fuzz.h).  Any failure of the
 * harness itself aborts: the fuzzer then reports it, which is what we
 * want of a harness that cannot set up its input.
 */
#include <config.h>

#include <sys/types.h>
#include <sys/mman.h>

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "secmem.h"

static char fuzz_dir[] = "/tmp/mailseal-fuzz.XXXXXX";
static char fuzz_file[sizeof fuzz_dir + sizeof "/input"];

/* fuzz_write - write all of data to fd, or abort */
static void
fuzz_write(int fd, const uint8_t *data, size_t size)
{
	ssize_t n;

	while (size > 0) {
		if ((n = write(fd, data, size)) <= 0)
			abort();
		data += n;
		size -= (size_t)n;
	}
}

/* fuzz_fd - see fuzz.h */
int
fuzz_fd(const uint8_t *data, size_t size)
{
	int fd;

	if ((fd = memfd_create("mailseal-fuzz", 0)) == -1)
		abort();
	fuzz_write(fd, data, size);
	if (lseek(fd, 0, SEEK_SET) != 0)
		abort();
	return fd;
}

/* fuzz_cleanup - remove fuzz_path's file and directory */
static void
fuzz_cleanup(void)
{
	unlink(fuzz_file);
	rmdir(fuzz_dir);
}

/* fuzz_path - see fuzz.h */
const char *
fuzz_path(const uint8_t *data, size_t size)
{
	int fd;

	if (fuzz_file[0] == '\0') {
		if (mkdtemp(fuzz_dir) == NULL)
			abort();
		memcpy(fuzz_file, fuzz_dir, sizeof fuzz_dir - 1);
		memcpy(fuzz_file + sizeof fuzz_dir - 1, "/input",
		    sizeof "/input");
		atexit(fuzz_cleanup);
	}
	fd = open(fuzz_file, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0600);
	if (fd == -1)
		abort();
	fuzz_write(fd, data, size);
	if (close(fd) == -1)
		abort();
	return fuzz_file;
}

/* fuzz_string - see fuzz.h */
char *
fuzz_string(const uint8_t *data, size_t size)
{
	char *s;

	if ((s = malloc(size + 1)) == NULL)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* fuzz_secmem - see fuzz.h */
void
fuzz_secmem(void)
{
	static int done;

	if (!done && secmem_init() == -1)
		abort();
	done = 1;
}
