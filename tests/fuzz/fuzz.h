/*
 * fuzz.h - what the libFuzzer harnesses share (fuzz.c): the entry point
 * and two ways to hand the fuzzer's bytes to a reader that wants a
 * descriptor or a path.  Each harness is also linked with replay.c into
 * a plain program that make check runs on tests/fuzz/regress/<harness>/.
 */
#ifndef MAILSEAL_FUZZ_H
#define MAILSEAL_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int		 LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* fuzz_fd - a seekable descriptor (memfd) holding data, at offset 0;
 * the caller closes it */
int		 fuzz_fd(const uint8_t *, size_t);

/* fuzz_path - the path of a private regular file holding data,
 * rewritten on each call and removed at exit */
const char	*fuzz_path(const uint8_t *, size_t);

/* fuzz_string - data as an allocated NUL-terminated string (a NUL in
 * data ends it early, as it would a C string); the caller frees it */
char		*fuzz_string(const uint8_t *, size_t);

/* fuzz_secmem - libgcrypt set up as main.c does (secmem_init), once:
 * the armor checksum and packet framing use it */
void		 fuzz_secmem(void);

#endif
