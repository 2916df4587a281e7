/*
 * test_input.c - the message source: lines, limits, pipes and seeks.
 */
#include <config.h>

#include <errno.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "input.h"
#include "testutil.h"

Test(input, lines_with_and_without_newline)
{
	struct input *in = tu_input("a\r\nbb\nccc", 9);
	const char *l;
	size_t n;

	cr_assert_eq(input_line(in, 100, &l, &n), 1);
	cr_expect_eq(n, 3);
	cr_expect(memcmp(l, "a\r\n", 3) == 0);
	cr_assert_eq(input_line(in, 100, &l, &n), 1);
	cr_expect_eq(n, 3);
	cr_assert_eq(input_line(in, 100, &l, &n), 1);
	cr_expect_eq(n, 3);
	cr_expect(memcmp(l, "ccc", 3) == 0);
	cr_expect_eq(input_line(in, 100, &l, &n), 0);
	input_close(in);
}

Test(input, line_limit_is_exact)
{
	struct input *in = tu_input("abcd\nabcde\n", 11);
	const char *l;
	size_t n;

	cr_expect_eq(input_line(in, 5, &l, &n), 1, "5 bytes with the newline");
	cr_expect_eq(input_line(in, 5, &l, &n), -1);
	cr_expect_eq(errno, E2BIG);
	input_close(in);
}

Test(input, long_line_over_many_reads)
{
	size_t len = 300000;
	char *s = tu_repeat('x', len);
	struct input *in;
	const char *l;
	size_t n;

	s[len - 1] = '\n';
	in = tu_input(s, len);
	cr_expect_eq(input_line(in, 65536, &l, &n), -1);
	cr_expect_eq(errno, E2BIG);
	input_close(in);
	free(s);
}

Test(input, seek_and_tell)
{
	struct input *in = tu_input("line1\nline2\n", 12);
	const char *l;
	size_t n;
	char buf[16];

	cr_assert_eq(input_line(in, 100, &l, &n), 1);
	cr_expect_eq(input_tell(in), 6);
	cr_assert_eq(input_seek(in, 0), 0);
	cr_assert_eq(input_read(in, buf, 5), 5);
	cr_expect(memcmp(buf, "line1", 5) == 0);
	cr_assert_eq(input_seek(in, 6), 0);
	cr_assert_eq(input_line(in, 100, &l, &n), 1);
	cr_expect(memcmp(l, "line2\n", 6) == 0);
	input_close(in);
}

Test(input, a_pipe_is_spooled_and_can_be_reread)
{
	int fds[2], saved;
	pid_t pid;
	struct input *in;
	char *all;
	size_t len;

	cr_assert_eq(pipe(fds), 0);
	if ((pid = fork()) == 0) {
		close(fds[0]);
		for (int i = 0; i < 10000; i++)
			if (write(fds[1], "0123456789abcdef", 16) != 16)
				_exit(1);
		_exit(0);
	}
	close(fds[1]);
	saved = dup(0);
	dup2(fds[0], 0);
	close(fds[0]);
	cr_assert_eq(input_open(&in, NULL), 0);
	dup2(saved, 0);
	waitpid(pid, NULL, 0);
	all = tu_readall(in, &len);
	cr_expect_eq(len, 160000);
	free(all);
	cr_assert_eq(input_seek(in, 16 * 9999), 0);
	all = tu_readall(in, &len);
	cr_expect_str_eq(all, "0123456789abcdef");
	free(all);
	input_close(in);
}

Test(input, missing_file_and_directory)
{
	struct input *in;

	cr_expect_eq(input_open(&in, "/nonexistent/mailseal"), INPUT_ENOPEN);
	cr_expect_eq(errno, ENOENT);
	cr_expect_eq(input_open(&in, "/"), INPUT_ENOPEN);
	cr_expect_eq(errno, EISDIR);
}

Test(input, a_spool_failure_is_not_a_missing_file)
{
	struct input *in;

	setenv("TMPDIR", "/nonexistent-tmpdir", 1);
	cr_expect_eq(input_open(&in, "/dev/null"), INPUT_ESPOOL,
	    "a character device must be spooled, and TMPDIR is missing");
}
