/*
 * gpghome.c - the GnuPG home as the operator sees it: is it there, can
 * its keyrings be read, and when gpg could not answer, which file to
 * look at and what to do about it.
 */
#include <config.h>

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gpg-error.h>

#include "gpgstatus.h"
#include "gpghome.h"
#include "limit.h"

#define GPGHOME_KBX_OPENPGP	2	/* keybox blob type of an OpenPGP key */

static const char	*gpghome_dir(const char *, char *, size_t, char *,
			    size_t);
static int	gpghome_path(const char *, const char *, char *, size_t);
static int	gpghome_kbx_empty(const char *);

/* gpghome_dir - the home gpg will use: homedir, else $GNUPGHOME, else
 * ~/.gnupg (made in buf); NULL with err when there is none */
static const char *
gpghome_dir(const char *homedir, char *buf, size_t bufsz, char *err,
    size_t errsz)
{
	const char *env;
	int n;

	if (homedir != NULL)
		return homedir;
	if ((env = getenv("GNUPGHOME")) != NULL && *env != '\0')
		return env;
	if ((env = getenv("HOME")) == NULL || *env == '\0') {
		snprintf(err, errsz, "no GnuPG home: set GNUPGHOME, HOME or "
		    "--homedir");
		return NULL;
	}
	n = snprintf(buf, bufsz, "%s/.gnupg", env);
	if (n < 0 || (size_t)n >= bufsz) {
		snprintf(err, errsz, "GnuPG home: HOME is too long");
		return NULL;
	}
	return buf;
}

/*
 * gpghome_check - the GnuPG home must be a directory.  gpg itself lists
 * no keys from a home that does not exist, which would make every
 * recipient "without a key" and bounce mail over a missing mount or a
 * typo: that is a temporary failure of ours, not the recipient's.
 */
int
gpghome_check(const char *homedir, char *out, size_t outsz, char *err,
    size_t errsz)
{
	static const char *keyrings[] = { "pubring.kbx", "pubring.gpg", NULL };
	const char *home, **kr;
	char buf[4096], path[4200];
	struct stat st;
	int n;

	if ((home = gpghome_dir(homedir, buf, sizeof buf, err, errsz)) == NULL)
		return -1;
	if (stat(home, &st) == -1) {
		snprintf(err, errsz, "GnuPG home %.200s: %s", home,
		    strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(err, errsz, "GnuPG home %.200s: not a directory", home);
		return -1;
	}
	/* gpg run by root leaves trustdb.gpg, random_seed and the agent's
	 * sockets there, root's: its owner's gpg (the gateway) then fails
	 * on every message until somebody chowns them */
	if (geteuid() == 0 && st.st_uid != 0) {
		snprintf(err, errsz, "GnuPG home %.200s belongs to uid %ld: "
		    "run mailseal as that user (runuser -u USER -- mailseal "
		    "...), root's gpg would leave files there it cannot read",
		    home, (long)st.st_uid);
		return -1;
	}
	/* gpg reports an unreadable keyring as "No public key" too */
	for (kr = keyrings; *kr != NULL; kr++) {
		n = snprintf(path, sizeof path, "%s/%s", home, *kr);
		if (n < 0 || (size_t)n >= sizeof path)
			continue;
		if (stat(path, &st) == -1) {
			if (errno == ENOENT)
				continue;
			snprintf(err, errsz, "keyring %.200s: %s", path,
			    strerror(errno));
			return -1;
		}
		if (!S_ISREG(st.st_mode) || access(path, R_OK) == -1) {
			snprintf(err, errsz, "keyring %.200s: %s", path,
			    !S_ISREG(st.st_mode) ? "not a regular file" :
			    strerror(errno));
			return -1;
		}
	}
	snprintf(out, outsz, "%s", home);
	return 0;
}

/* gpghome_path - home/name, for homedir, $GNUPGHOME or ~/.gnupg;
 * 0, or -1 when there is no home or the path is too long */
static int
gpghome_path(const char *homedir, const char *name, char *out, size_t outsz)
{
	const char *home;
	char buf[4096], err[128];
	int n;

	if ((home = gpghome_dir(homedir, buf, sizeof buf, err, sizeof err)) ==
	    NULL)
		return -1;
	n = snprintf(out, outsz, "%s/%s", home, name);
	return n < 0 || (size_t)n >= outsz ? -1 : 0;
}

/*
 * gpghome_kbx_empty - a keybox (GnuPG's kbx format: blobs of a 4-byte
 * big-endian length and a type byte, a header blob first, deleted ones
 * of type 0) without an OpenPGP blob: 1; one, or doubt: 0.  Reads the
 * five bytes of each blob up to the first OpenPGP one, at most
 * LIMIT_KBX_BLOBS of them.  Only a regular file (a symlink to one
 * too) is read: O_NONBLOCK opens a FIFO or device at once, without
 * waiting for a writer, and it is doubt.
 */
static int
gpghome_kbx_empty(const char *path)
{
	unsigned char b[5];
	unsigned long len;
	struct stat st;
	off_t off = 0;
	ssize_t n;
	long blobs;
	int fd, empty = 0;

	if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)) ==
	    -1)
		return errno == ENOENT;
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		(void)close(fd);
		return 0;
	}
	for (blobs = 0;; blobs++) {
		if ((n = pread(fd, b, sizeof b, off)) != (ssize_t)sizeof b) {
			empty = n >= 0;		/* its end */
			break;
		}
		if (blobs == LIMIT_KBX_BLOBS)
			break;
		len = (unsigned long)b[0] << 24 | (unsigned long)b[1] << 16 |
		    (unsigned long)b[2] << 8 | b[3];
		if (b[4] == GPGHOME_KBX_OPENPGP || len < sizeof b)
			break;
		off += (off_t)len;
	}
	(void)close(fd);
	return empty;
}

/* gpghome_keyring_empty - see gpghome.h */
int
gpghome_keyring_empty(const char *homedir)
{
	char path[4200];
	struct stat st;

	if (gpghome_path(homedir, "pubring.gpg", path, sizeof path) == -1)
		return 0;
	if (stat(path, &st) == 0 && (!S_ISREG(st.st_mode) || st.st_size > 0))
		return 0;	/* keys, or not a file: doubt */
	if (stat(path, &st) == -1 && errno != ENOENT)
		return 0;
	if (gpghome_path(homedir, "pubring.kbx", path, sizeof path) == -1)
		return 0;
	return gpghome_kbx_empty(path);
}

/* gpghome_why - see gpghome.h */
void
gpghome_why(const char *home, const struct gpgstatus *seen, const char *what,
    char *err, size_t errsz)
{
	char path[4200];
	struct stat st;
	int n;

	if (seen->error) {
		/* e.g. "ERROR keylist.getkey": an unreadable keyring, a
		 * gpg-agent that cannot start; never "no such key" */
		snprintf(err, errsz, "%s: gpg reported %.96s (%s)%s", what,
		    seen->what, seen->error_text,
		    gpg_err_code((gpg_error_t)seen->error_code) ==
		    GPG_ERR_NO_AGENT ? "; gpg-agent cannot start: is the "
		    "GnuPG home writable, its path short enough?" : "");
		return;
	}
	if (!seen->exited || seen->exit_code == -1) {
		snprintf(err, errsz, "%s: gpg %s", what, seen->exited ?
		    seen->exit_how : "did not finish");
		return;
	}
	n = snprintf(path, sizeof path, "%s/trustdb.gpg", home);
	if (n > 0 && (size_t)n < sizeof path && stat(path, &st) == 0 &&
	    access(path, R_OK | W_OK) == -1)
		snprintf(err, errsz, "%s: gpg %s: %.200s is not "
		    "writable by uid %ld (owner uid %ld): chown it to the "
		    "owner of the GnuPG home", what, seen->exit_how, path,
		    (long)geteuid(), (long)st.st_uid);
	else
		snprintf(err, errsz, "%s: gpg %s without a result: "
		    "check %.200s (gpg --check-trustdb) and the keyring",
		    what, seen->exit_how, path);
}

