/*
 * fuzz_mime.c - libFuzzer harness: Content-Type values and their
 * parameters, and Content-Transfer-Encoding values (mime.c), given one
 * unfolded field value.  Checks what mime.h promises: lower-case type,
 * subtype and parameter names, at most MIME_PARAMS_MAX parameters.
 */
#include <config.h>

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "mime.h"

/* fuzz_lower - s has no upper-case ASCII letter */
static int
fuzz_lower(const char *s)
{
	for (; s != NULL && *s != '\0'; s++)
		if (*s >= 'A' && *s <= 'Z')
			return 0;
	return 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mime_ctype ct;
	size_t i;
	char *s;

	s = fuzz_string(data, size);
	memset(&ct, 0, sizeof ct);
	if (mime_ctype_parse(s, strlen(s), &ct) == 0) {
		if (!fuzz_lower(ct.type) || !fuzz_lower(ct.subtype))
			abort();
		(void)mime_ctype_is(&ct, "multipart", "encrypted");
		(void)mime_ctype_is(&ct, "multipart", "signed");
	}
	if (ct.nparams > MIME_PARAMS_MAX)
		abort();
	for (i = 0; i < ct.nparams; i++) {
		if (ct.params[i].name == NULL || ct.params[i].value == NULL ||
		    !fuzz_lower(ct.params[i].name))
			abort();
		(void)mime_ctype_param(&ct, ct.params[i].name);
	}
	(void)mime_ctype_param(&ct, "boundary");
	(void)mime_ctype_param(&ct, "protocol");
	mime_ctype_free(&ct);
	(void)mime_cte_parse(s, strlen(s));
	free(s);
	return 0;
}
