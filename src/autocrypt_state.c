/*
 * autocrypt_state.c - what Autocrypt remembers per peer (Level 1,
 * "Peer State"): a small text file in the Autocrypt home, one line a
 * peer, "ADDR TAB LAST_SEEN TAB TIMESTAMP TAB FINGERPRINT TAB PREFER",
 * read with named limits, written whole into a nameless file and
 * linked in over the old one, under a lock held by the one writer.
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

#include "autocrypt_state.h"
#include "limit.h"
#include "tmpfile.h"
#include "xmalloc.h"

#define STATE_MAGIC	"# mailseal autocrypt state 1"

static int	state_line(char *, struct autocrypt_peer *);
static int	state_num(const char *, long long *);

/* state_num - a decimal count of seconds: 0, or -1 */
static int
state_num(const char *s, long long *v)
{
	char *end;

	errno = 0;
	if (*s < '0' || *s > '9')
		return -1;
	*v = strtoll(s, &end, 10);
	return errno != 0 || *end != '\0' || *v < 0 ? -1 : 0;
}

/* state_line - one peer's line (no line end) into p: 0, or -1 */
static int
state_line(char *line, struct autocrypt_peer *p)
{
	char *f[5];
	size_t n = 0, len;

	memset(p, 0, sizeof *p);
	f[n++] = line;
	while (n < 5 && (line = strchr(line, '\t')) != NULL) {
		*line++ = '\0';
		f[n++] = line;
	}
	if (n != 5 || strchr(f[4], '\t') != NULL || f[0][0] == '\0' ||
	    strlen(f[0]) > LIMIT_ADDR_SPEC ||
	    state_num(f[1], &p->last_seen) == -1 ||
	    state_num(f[2], &p->timestamp) == -1 ||
	    (len = strlen(f[3])) != AUTOCRYPT_FPRLEN ||
	    strspn(f[3], "0123456789ABCDEF") != len ||
	    (strcmp(f[4], "mutual") != 0 && strcmp(f[4], "nopreference") != 0))
		return -1;
	memcpy(p->fpr, f[3], len + 1);
	p->mutual = strcmp(f[4], "mutual") == 0;
	p->addr = xstrdup(f[0]);
	return 0;
}

/* autocrypt_state_load - see autocrypt_state.h */
int
autocrypt_state_load(const char *path, struct autocrypt_state *s,
    char *err, size_t errsz)
{
	char line[LIMIT_ADDR_SPEC + 128];
	struct autocrypt_peer p;
	unsigned long lineno = 0;
	size_t len;
	FILE *fp;
	int fd;

	memset(s, 0, sizeof *s);
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) == -1) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		return -1;
	}
	if ((fp = fdopen(fd, "r")) == NULL) {
		close(fd);
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof line, fp) != NULL) {
		lineno++;
		len = strlen(line);
		if (len == 0 || line[len - 1] != '\n')
			goto bad;
		line[len - 1] = '\0';
		if (lineno == 1 && strcmp(line, STATE_MAGIC) == 0)
			continue;
		if (lineno == 1 || s->n >= LIMIT_AUTOCRYPT_PEERS ||
		    state_line(line, &p) == -1)
			goto bad;
		s->v = xappend(s->v, s->n, sizeof *s->v);
		s->v[s->n++] = p;
	}
	if (ferror(fp))
		goto bad;
	fclose(fp);
	return 0;
bad:
	snprintf(err, errsz, "%s:%lu: not an Autocrypt state line (or more "
	    "than LIMIT_AUTOCRYPT_PEERS)", path, lineno);
	fclose(fp);
	autocrypt_state_free(s);
	return -1;
}

/* state_write - the state s into fp: 0, or -1 */
static int
state_write(FILE *fp, const struct autocrypt_state *s)
{
	size_t i;

	if (fprintf(fp, "%s\n", STATE_MAGIC) < 0)
		return -1;
	for (i = 0; i < s->n; i++)
		if (fprintf(fp, "%s\t%lld\t%lld\t%s\t%s\n", s->v[i].addr,
		    s->v[i].last_seen, s->v[i].timestamp, s->v[i].fpr,
		    s->v[i].mutual ? "mutual" : "nopreference") < 0)
			return -1;
	return fflush(fp) == EOF || fsync(fileno(fp)) == -1 ? -1 : 0;
}

/* state_publish - the whole, synced nameless file fd becomes base in
 * dirfd: linked in, or, over an old one, linked under a hidden name
 * that is renamed over it at once (tmp: room for that name) */
static int
state_publish(int fd, int dirfd, const char *base, char *tmp, size_t tmpsz)
{
	unsigned int r;
	int i, n;

	if (tmpfile_link(fd, dirfd, base) == 0)
		return 0;
	for (i = 0; errno == EEXIST && i < 16; i++) {
		r = (unsigned int)getpid() * 2654435761u + (unsigned int)i;
		n = snprintf(tmp, tmpsz, ".%s.%08x", base, r);
		if (n < 0 || (size_t)n >= tmpsz) {
			errno = ENAMETOOLONG;
			return -1;
		}
		if (tmpfile_link(fd, dirfd, tmp) == -1)
			continue;
		if (renameat(dirfd, tmp, dirfd, base) == 0)
			return 0;
		n = errno;
		(void)unlinkat(dirfd, tmp, 0);
		errno = n;
		return -1;
	}
	return -1;
}

/* state_named - where the file system has no nameless files: the old
 * way, a named temporary file renamed over the state (the state holds
 * addresses and fingerprints, never message data) */
static int
state_named(const char *path, const struct autocrypt_state *s)
{
	char tmp[4096];
	FILE *fp;
	int fd, n, bad;

	n = snprintf(tmp, sizeof tmp, "%s.XXXXXX", path);
	if (n < 0 || (size_t)n >= sizeof tmp) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if ((fd = mkstemp(tmp)) == -1)
		return -1;
	if ((fp = fdopen(fd, "w")) == NULL) {
		n = errno;
		close(fd);
		unlink(tmp);
		errno = n;
		return -1;
	}
	bad = state_write(fp, s) == -1;
	bad = fclose(fp) == EOF || bad;
	if (bad || rename(tmp, path) == -1) {
		n = errno;
		unlink(tmp);
		errno = n;
		return -1;
	}
	return 0;
}

/* autocrypt_state_save - see autocrypt_state.h.  The new state is
 * written into a nameless file beside the old one (tmpfile.c) and
 * gets its name only when whole: a kill leaves nothing behind. */
int
autocrypt_state_save(const char *path, const struct autocrypt_state *s,
    char *err, size_t errsz)
{
	char dir[4096], tmp[NAME_MAX + 1];
	const char *slash = strrchr(path, '/'), *base;
	FILE *fp = NULL;
	int dirfd, fd = -1, r = -1, n;

	base = slash != NULL ? slash + 1 : path;
	n = snprintf(dir, sizeof dir, "%.*s", slash != NULL ?
	    (int)(slash - path) + (slash == path) : 1, slash != NULL ? path :
	    ".");
	if (n < 0 || (size_t)n >= sizeof dir || *base == '\0' ||
	    strlen(base) + 12 > sizeof tmp) {
		snprintf(err, errsz, "%s: path too long", path);
		return -1;
	}
	if ((dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		goto out;
	if ((fd = tmpfile_open_nameless(dirfd)) == -1) {
		if (errno == EOPNOTSUPP)
			r = state_named(path, s);
		goto out;
	}
	if ((fp = fdopen(fd, "w")) == NULL)
		goto out;
	fd = -1;
	if (state_write(fp, s) == 0 &&
	    state_publish(fileno(fp), dirfd, base, tmp, sizeof tmp) == 0)
		r = 0;
out:
	n = errno;
	if (fp != NULL)
		fclose(fp);
	if (fd != -1)
		close(fd);
	if (dirfd != -1) {
		if (r == 0)
			(void)fsync(dirfd);
		close(dirfd);
	}
	if (r == -1)
		snprintf(err, errsz, "%s: %s", path, strerror(n));
	return r;
}

/* autocrypt_state_find - see autocrypt_state.h */
struct autocrypt_peer *
autocrypt_state_find(struct autocrypt_state *s, const char *addr)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (strcmp(s->v[i].addr, addr) == 0)
			return &s->v[i];
	return NULL;
}

/* autocrypt_state_fits - see autocrypt_state.h */
int
autocrypt_state_fits(const char *addr)
{
	const unsigned char *p;

	if (addr[0] == '\0' || strlen(addr) > LIMIT_ADDR_SPEC)
		return 0;
	for (p = (const unsigned char *)addr; *p != '\0'; p++)
		if (*p < ' ' || *p == 127)
			return 0;
	return 1;
}

/* autocrypt_state_add - see autocrypt_state.h */
struct autocrypt_peer *
autocrypt_state_add(struct autocrypt_state *s, const char *addr)
{
	struct autocrypt_peer *p;

	if ((p = autocrypt_state_find(s, addr)) != NULL)
		return p;
	if (s->n >= LIMIT_AUTOCRYPT_PEERS || !autocrypt_state_fits(addr))
		return NULL;
	s->v = xappend(s->v, s->n, sizeof *s->v);
	p = &s->v[s->n++];
	memset(p, 0, sizeof *p);
	p->addr = xstrdup(addr);
	return p;
}

/* autocrypt_state_free - see autocrypt_state.h */
void
autocrypt_state_free(struct autocrypt_state *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->v[i].addr);
	free(s->v);
	memset(s, 0, sizeof *s);
}

/* autocrypt_state_lock - see autocrypt_state.h */
int
autocrypt_state_lock(const char *home, char *err, size_t errsz)
{
	struct flock fl;
	char path[4096];
	int fd, n;

	n = snprintf(path, sizeof path, "%s/%s", home, AUTOCRYPT_LOCK);
	if (n < 0 || (size_t)n >= sizeof path) {
		snprintf(err, errsz, "%s: path too long", home);
		return -1;
	}
	if ((fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC,
	    0600)) == -1) {
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		return -1;
	}
	memset(&fl, 0, sizeof fl);
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	while (fcntl(fd, F_SETLKW, &fl) == -1)
		if (errno != EINTR) {
			snprintf(err, errsz, "%s: %s", path, strerror(errno));
			close(fd);
			return -1;
		}
	return fd;
}
