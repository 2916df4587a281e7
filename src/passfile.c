/*
 * passfile.c - a signing key's passphrase from a file (--passphrase-file,
 * mailseal.conf's passphrase_file).
 *
 * The passphrase reaches gpg through GPGME's loopback pinentry (gpgop.c:
 * gpg_passphrase), never through argv or the environment, where other
 * users' ps(1) or /proc could read it.  Like ssh with a private key, we
 * refuse a file that others may read or replace: its owner must be the
 * effective user and its mode must give group and others nothing
 * (0600 or 0400).  The bytes live in secmem.c's locked pages and are
 * wiped on every path, errors included.
 */
#include <config.h>

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "limit.h"
#include "passfile.h"
#include "secmem.h"

/* room for the longest passphrase, CR LF, and one byte to see more */
#define PASSFILE_CAP	(LIMIT_PASSPHRASE + 3)

static enum passfile_err passfile_open(const char *, int *, char *, size_t);
static enum passfile_err passfile_line(struct passfile *, const char *,
			    char *, size_t);

/* passfile_open - open path and check its owner, type and mode */
static enum passfile_err
passfile_open(const char *path, int *fdp, char *err, size_t errsz)
{
	struct stat st;
	int fd;

	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)) ==
	    -1) {
		snprintf(err, errsz, "passphrase file %.300s: %s", path,
		    errno == ELOOP ? "a symbolic link" : strerror(errno));
		return errno == ENOMEM ? PASSFILE_TEMP : PASSFILE_BAD;
	}
	if (fstat(fd, &st) == -1) {
		snprintf(err, errsz, "passphrase file %.300s: %s", path,
		    strerror(errno));
		close(fd);
		return PASSFILE_TEMP;
	}
	if (!S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
	    (st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
		snprintf(err, errsz, "passphrase file %.300s: %s", path,
		    !S_ISREG(st.st_mode) ? "not a regular file" :
		    st.st_uid != geteuid() ? "not owned by the user who runs "
		    "mailseal" : "group or others may read or write it "
		    "(chmod 600)");
		close(fd);
		return PASSFILE_BAD;
	}
	*fdp = fd;
	return PASSFILE_OK;
}

/* passfile_line - what was read is one line: cut its line end off */
static enum passfile_err
passfile_line(struct passfile *pf, const char *path, char *err,
    size_t errsz)
{
	char *nl = memchr(pf->pass, '\n', pf->len);

	if (nl != NULL && (size_t)(nl - pf->pass) + 1 != pf->len) {
		snprintf(err, errsz, "passphrase file %.300s: more than one "
		    "line", path);
		return PASSFILE_BAD;
	}
	if (nl != NULL) {
		pf->len--;
		if (pf->len > 0 && pf->pass[pf->len - 1] == '\r')
			pf->len--;
	}
	if (pf->len > LIMIT_PASSPHRASE || memchr(pf->pass, '\0', pf->len) !=
	    NULL) {
		snprintf(err, errsz, "passphrase file %.300s: %s", path,
		    pf->len > LIMIT_PASSPHRASE ? "longer than "
		    "LIMIT_PASSPHRASE (255 bytes)" : "a NUL byte");
		return PASSFILE_BAD;
	}
	return PASSFILE_OK;
}

/* passfile_read - see passfile.h */
enum passfile_err
passfile_read(struct passfile *pf, const char *path, char *err,
    size_t errsz)
{
	enum passfile_err r;
	ssize_t n = 0;
	int fd;

	memset(pf, 0, sizeof *pf);
	if ((r = passfile_open(path, &fd, err, errsz)) != PASSFILE_OK)
		return r;
	if ((pf->pass = secmem_alloc(PASSFILE_CAP)) == NULL) {
		snprintf(err, errsz, "passphrase file: no memory");
		close(fd);
		return PASSFILE_TEMP;
	}
	pf->cap = PASSFILE_CAP;
	while (pf->len < pf->cap && ((n = read(fd, pf->pass + pf->len,
	    pf->cap - pf->len)) > 0 || (n == -1 && errno == EINTR)))
		if (n > 0)
			pf->len += (size_t)n;
	if (pf->len < pf->cap && n == -1) {
		snprintf(err, errsz, "passphrase file %.300s: %s", path,
		    strerror(errno));
		r = PASSFILE_TEMP;
	} else
		r = passfile_line(pf, path, err, errsz);
	close(fd);
	if (r != PASSFILE_OK)
		passfile_free(pf);
	return r;
}

/* passfile_free - see passfile.h */
void
passfile_free(struct passfile *pf)
{
	secmem_free(pf->pass, pf->cap);
	memset(pf, 0, sizeof *pf);
}
