/*
 * protect.c - protected header fields (RFC 9788 "hp", and the older
 * protected-headers="v1" form Thunderbird, Enigmail and Delta Chat
 * write): which header carries them, and which outer fields they
 * replace in what decrypt shows.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mime.h"
#include "protect.h"
#include "rfc5322.h"

/* The fields protected headers replace, as decrypt shows them. */
static const char *const protect_names[] = {
	"Subject", "From", "To", "Cc", "Reply-To", "Date", "Message-ID", NULL
};

/* protect_marker - see protect.h */
enum protect_mode
protect_marker(const struct rfc5322_header *h)
{
	const struct rfc5322_field *f;
	struct mime_ctype ct;
	const char *v1;
	enum protect_mode m = PROTECT_NONE;
	char *v;
	size_t len;

	if ((f = rfc5322_find(h, "Content-Type", NULL)) == NULL)
		return PROTECT_NONE;
	v = rfc5322_unfold(f, &len);
	if (mime_ctype_parse(v, len, &ct) == 0) {
		v1 = mime_ctype_param(&ct, "protected-headers");
		if (mime_ctype_param(&ct, "hp") != NULL)
			m = PROTECT_HP;
		else if (v1 != NULL && strcasecmp(v1, "v1") == 0)
			m = PROTECT_V1;
	}
	mime_ctype_free(&ct);
	free(v);
	return m;
}

/* protect_is_name - see protect.h */
int
protect_is_name(const struct rfc5322_field *f)
{
	const char *const *n;

	for (n = protect_names; *n != NULL; n++)
		if (rfc5322_is(f, *n))
			return 1;
	return 0;
}

/* protect_hides - see protect.h */
int
protect_hides(const struct rfc5322_header *ph, enum protect_mode mode,
    const struct rfc5322_field *f)
{
	char name[64];

	if (ph == NULL || !protect_is_name(f))
		return 0;
	snprintf(name, sizeof name, "%.*s", (int)f->namelen, f->raw);
	if (rfc5322_find(ph, name, NULL) != NULL)
		return 1;
	return mode == PROTECT_HP && !rfc5322_is(f, "From") &&
	    !rfc5322_is(f, "Date") && !rfc5322_is(f, "Message-ID");
}
