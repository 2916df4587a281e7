/*
 * policy.c - the policy map of mailseal.conf(5).
 *
 * "KEY POLICY" lines, in the manner of a Postfix lookup table: KEY is
 * user@domain, domain (every address there) or .domain (every address
 * in its subdomains); POLICY is require, opportunistic or none.  Keys
 * and recipients are compared in their canonical spelling (addr_canon:
 * IDNA, case, root dot, quotes, address literals), so no other
 * spelling of an address walks around its entry.  The most specific
 * entry wins: the address, the address without its tag (the recipient
 * delimiters), its domain, then the nearest parent .domain.  The map is
 * read once per message, with a limit on its size, and sorted, so a
 * lookup costs O(log n).
 */
#include <config.h>

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "addr.h"
#include "limit.h"
#include "policy.h"
#include "xmalloc.h"

#define POLICY_LINE	1024

static const struct policy_entry *policy_find(const struct policy_map *,
		    const char *);
static int	policy_domain_valid(const char *);
static int	policy_key_valid(const char *);
static char	*policy_key_canon(const char *);
static int	policy_cmp(const void *, const void *);
static int	policy_load(struct policy_map *, const char *, int, char *,
		    size_t);

/* policy_domain_valid - dot-separated labels of letters, digits, '-'
 * (and UTF-8 bytes, for IDN), no empty label, no trailing dot: a typo
 * such as "example.org." or "<example.org>" would never match */
static int
policy_domain_valid(const char *d)
{
	size_t label = 0;
	char *lit;
	int r;

	if (*d == '\0')
		return 0;
	if (*d == '[') {
		/* an address literal: only one that holds an address */
		r = addr_domain_canon(d, &lit) == 0;
		free(lit);
		return r;
	}
	for (; *d != '\0'; d++) {
		unsigned char c = (unsigned char)*d;
		if (c == '.') {
			if (label == 0)
				return 0;
			label = 0;
			continue;
		}
		if (!isalnum(c) && c != '-' && c < 0x80)
			return 0;
		label++;
	}
	return label > 0;
}

/* policy_key_valid - an addr-spec, a domain, or a .domain */
static int
policy_key_valid(const char *key)
{
	const char *at = strrchr(key, '@');

	if (at != NULL)
		return addr_spec_valid(key) && policy_domain_valid(at + 1);
	if (key[0] == '.' && key[1] == '[')
		return 0;
	return policy_domain_valid(key[0] == '.' ? key + 1 : key);
}

/* policy_key_canon - a valid key in the spelling lookups use */
static char *
policy_key_canon(const char *key)
{
	char *d, *out;
	size_t n;

	if (strchr(key, '@') != NULL)
		return addr_canon(key);
	(void)addr_domain_canon(key[0] == '.' ? key + 1 : key, &d);
	if (key[0] != '.')
		return d;
	n = strlen(d) + 2;
	out = xmalloc(n);
	snprintf(out, n, ".%s", d);
	free(d);
	return out;
}

/* policy_cmp - by key, then by line */
static int
policy_cmp(const void *a, const void *b)
{
	const struct policy_entry *x = *(const struct policy_entry *const *)a;
	const struct policy_entry *y = *(const struct policy_entry *const *)b;
	int c = strcmp(x->key, y->key);

	if (c != 0)
		return c;
	return x->line < y->line ? -1 : x->line > y->line;
}

/* policy_map_load - see policy.h */
int
policy_map_load(struct policy_map *m, const char *path, char *err,
    size_t errsz)
{
	return policy_load(m, path, 0, err, errsz);
}

/* policy_map_load_values - see policy.h */
int
policy_map_load_values(struct policy_map *m, const char *path, char *err,
    size_t errsz)
{
	return policy_load(m, path, 1, err, errsz);
}

/* policy_load - a policy map, or with values a map of KEY VALUE lines */
static int
policy_load(struct policy_map *m, const char *path, int values, char *err,
    size_t errsz)
{
	char line[POLICY_LINE], *key, *pol, *rest, *p;
	unsigned long lineno = 0;
	enum policy pv;
	FILE *fp;
	size_t n;
	int r = 0;

	memset(m, 0, sizeof *m);
	m->path = xstrdup(path);
	if ((fp = fopen(path, "r")) == NULL) {
		snprintf(err, errsz, "%.300s: %s", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof line, fp) != NULL) {
		lineno++;
		n = strlen(line);
		if (n == sizeof line - 1 && line[n - 1] != '\n') {
			snprintf(err, errsz, "%.300s:%lu: line too long", path,
			    lineno);
			r = -1;
			break;
		}
		key = strtok_r(line, " \t\r\n", &rest);
		if (key == NULL || key[0] == '#')
			continue;
		pol = strtok_r(NULL, " \t\r\n", &rest);
		pv = POLICY_NONE;
		if (values && (pol == NULL || pol[0] == '#')) {
			snprintf(err, errsz, "%.300s:%lu: \"%.100s\" needs a "
			    "value", path, lineno, key);
			r = -1;
			break;
		}
		if (!values && (pol == NULL || policy_parse(pol, &pv) == -1)) {
			snprintf(err, errsz, "%.300s:%lu: \"%.100s\" needs a "
			    "policy: require, opportunistic or none", path,
			    lineno, key);
			r = -1;
			break;
		}
		if ((p = strtok_r(NULL, " \t\r\n", &rest)) != NULL &&
		    p[0] != '#') {
			snprintf(err, errsz, "%.300s:%lu: more than \"KEY "
			    "%s\"", path, lineno, values ? "VALUE" : "POLICY");
			r = -1;
			break;
		}
		for (p = key; *p != '\0'; p++)
			*p = (char)tolower((unsigned char)*p);
		if (!policy_key_valid(key)) {
			snprintf(err, errsz, "%.300s:%lu: \"%.100s\" is not an "
			    "address, a domain or a .domain", path, lineno,
			    key);
			r = -1;
			break;
		}
		if (m->n >= LIMIT_POLICY_ENTRIES) {
			snprintf(err, errsz, "%.300s:%lu: more than %d entries "
			    "(LIMIT_POLICY_ENTRIES)", path, lineno,
			    LIMIT_POLICY_ENTRIES);
			r = -1;
			break;
		}
		m->v = xappend(m->v, m->n, sizeof *m->v);
		m->v[m->n].key = policy_key_canon(key);
		m->v[m->n].policy = pv;
		m->v[m->n].value = values ? xstrdup(pol) : NULL;
		m->v[m->n].line = lineno;
		m->n++;
	}
	if (r == 0 && ferror(fp)) {
		snprintf(err, errsz, "%.300s: %s", path, strerror(errno));
		r = -1;
	}
	fclose(fp);
	if (r == 0 && m->n > 0) {
		m->sorted = xcalloc(m->n, sizeof *m->sorted);
		for (n = 0; n < m->n; n++)
			m->sorted[n] = &m->v[n];
		qsort(m->sorted, m->n, sizeof *m->sorted, policy_cmp);
	}
	return r;
}

/* policy_map_free - release the map */
void
policy_map_free(struct policy_map *m)
{
	size_t i;

	for (i = 0; i < m->n; i++) {
		free(m->v[i].key);
		free(m->v[i].value);
	}
	free(m->v);
	free(m->sorted);
	free(m->path);
	memset(m, 0, sizeof *m);
}

/* policy_find - the last entry for the canonical key (the last one
 * wins, as in a Postfix table built with duplicates), or NULL */
static const struct policy_entry *
policy_find(const struct policy_map *m, const char *key)
{
	size_t lo = 0, hi = m->n, mid;

	/* the first entry after every one <= key (sorted by key, line) */
	if (m->sorted == NULL)
		return NULL;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (strcmp(m->sorted[mid]->key, key) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo > 0 && strcmp(m->sorted[lo - 1]->key, key) == 0)
		return m->sorted[lo - 1];
	return NULL;
}

/* policy_lookup - see policy.h */
enum policy
policy_lookup(const struct policy_map *m, const char *addr, enum policy dflt,
    const struct policy_entry **entry)
{
	const struct policy_entry *e = NULL;
	const char *domain, *d;
	char *untagged, *c;

	*entry = NULL;
	if (m == NULL || m->n == 0)
		return dflt;
	c = addr_canon(addr);
	if ((e = policy_find(m, c)) == NULL &&
	    (untagged = addr_untag(c)) != NULL) {
		e = policy_find(m, untagged);
		free(untagged);
	}
	domain = strrchr(c, '@');
	if (e == NULL && domain != NULL)
		e = policy_find(m, domain + 1);
	/* .example.org covers a.example.org and b.a.example.org; an
	 * address literal has no parent */
	for (d = domain != NULL && domain[1] != '[' ?
	    strchr(domain + 1, '.') : NULL;
	    e == NULL && d != NULL; d = strchr(d + 1, '.'))
		e = policy_find(m, d);
	free(c);
	if (e == NULL)
		return dflt;
	*entry = e;
	return e->policy;
}
