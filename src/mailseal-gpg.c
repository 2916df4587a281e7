/*
 * mailseal-gpg - the gpg supervisor as a program of its own (gpgsup.h).
 *
 * GPGME starts it in place of gpg for every operation.  mailseal itself
 * can do the same job (main() hands such a run to gpgsup_main()), but
 * it links GPGME, libgcrypt and libetpan with their twenty libraries,
 * bound at start-up: this program links none and starts in a fraction
 * of the time.  gpgsup_path() finds it beside the running mailseal
 * (the build tree) or in the package's libexec directory.
 */
#include <config.h>

#include "gpgsup.h"

int
main(int argc, char **argv)
{
	int rc;

	/* not started by mailseal's gpg.c: nothing to supervise */
	if ((rc = gpgsup_main(argc, argv)) == -1)
		return 2;
	return rc;
}
