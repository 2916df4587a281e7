/*
 * fuzz_conf.c - libFuzzer harness: mailseal.conf(5) (conf.c).  Loads
 * the bytes as a configuration file, prints what was read and frees it;
 * LeakSanitizer sees what an error path forgets.
 */
#include <config.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *null;
	struct config c;
	char err[CONFIG_ERRLEN];

	if (null == NULL && (null = fopen("/dev/null", "w")) == NULL)
		abort();
	memset(&c, 0, sizeof c);
	err[0] = '\0';
	if (config_load(&c, fuzz_path(data, size), err, sizeof err) == 0)
		config_print(&c, null);
	else if (err[0] == '\0')
		abort();
	config_free(&c);
	return 0;
}
