/*
 * autocrypt_use.c - the gateway's use of what Autocrypt learned: an
 * opportunistic recipient for whom the operator's keyring has no usable
 * key may be encrypted to the key Autocrypt keeps for it (the key the
 * peer sent itself, else one gossiped), when the Autocrypt home lists
 * that key usable, able to encrypt, with a valid user ID for the
 * address.  Never for a require recipient: a key learned from mail is
 * trusted on first use, and require is the operator's word that only a
 * key of theirs will do.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "autocrypt.h"
#include "autocrypt_state.h"
#include "decide.h"
#include "gpg.h"
#include "log.h"
#include "xmalloc.h"

static int	au_load(const char *, struct autocrypt_state *);
static int	au_peer(struct autocrypt_state *, const char *, char *);
static int	au_usable(struct gpg *, const char *, const char *);

/* au_load - the home's two state files (its own keys, gossip) into
 * s[0], s[1]: 0, or -1 (logged) when one cannot be read */
static int
au_load(const char *home, struct autocrypt_state *s)
{
	char path[4096], err[4096 + 128];
	int i, n;

	memset(s, 0, 2 * sizeof *s);
	for (i = 0; i < 2; i++) {
		n = snprintf(path, sizeof path, "%s/%s", home,
		    i ? AUTOCRYPT_GOSSIPS : AUTOCRYPT_STATE);
		if (n < 0 || (size_t)n >= sizeof path ||
		    autocrypt_state_load(path, &s[i], err, sizeof err) == -1) {
			log_warnx("Autocrypt: %s", n < 0 || (size_t)n >=
			    sizeof path ? "home path too long" : err);
			autocrypt_state_free(&s[0]);
			return -1;
		}
		log_debug("Autocrypt: state %s read", path);
	}
	return 0;
}

/* au_peer - the fingerprint the states s keep for the canonical
 * address addr (its own key, else gossip) into fpr: 1, or 0 for none */
static int
au_peer(struct autocrypt_state *s, const char *addr, char *fpr)
{
	struct autocrypt_peer *p;
	int i;

	for (i = 0; i < 2; i++)
		if ((p = autocrypt_state_find(&s[i], addr)) != NULL &&
		    p->fpr[0] != '\0') {
			memcpy(fpr, p->fpr, AUTOCRYPT_FPRLEN + 1);
			return 1;
		}
	return 0;
}

/* au_usable - the Autocrypt home lists fpr usable, able to encrypt,
 * with a valid user ID for addr: 1, 0, or -1 when gpg failed (logged) */
static int
au_usable(struct gpg *g, const char *fpr, const char *addr)
{
	struct gpg_keylist keys = { NULL, 0 };
	char err[GPG_ERRLEN], pat[AUTOCRYPT_FPRLEN + 1], *pats[1];
	size_t i;
	int r = 0;

	(void)snprintf(pat, sizeof pat, "%s", fpr);
	pats[0] = pat;
	if (gpg_keylist_enc(g, pats, 1, &keys, err, sizeof err) != GPG_OK) {
		log_warnx("Autocrypt: %s", err);
		return -1;
	}
	if (keys.n == 1 && keys.v[0].usable && keys.v[0].can_encrypt)
		for (i = 0; i < keys.v[0].nuids && !r; i++)
			r = addr_same(keys.v[0].uids[i], addr);
	gpg_keylist_free(&keys);
	return r;
}

/* autocrypt_decide - see autocrypt.h; the state files are read once,
 * not once a recipient (LIMIT_RECIPIENTS of them, each file up to
 * LIMIT_AUTOCRYPT_PEERS lines) */
int
autocrypt_decide(struct decisions *d, const struct config *cfg)
{
	char fpr[AUTOCRYPT_FPRLEN + 1], err[GPG_ERRLEN], *canon;
	struct autocrypt_state s[2];
	struct decision *f;
	size_t i;
	int r = 0, e, loaded = 0;

	for (i = 0; i < d->n && r == 0; i++) {
		f = &d->v[i];
		if (f->policy != POLICY_OPPORTUNISTIC || f->fprs.n > 0 ||
		    (canon = addr_canon(f->addr)) == NULL)
			continue;
		if (!loaded && au_load(cfg->autocrypt_homedir, s) == 0)
			loaded = 1;
		e = loaded ? au_peer(s, canon, fpr) : -1;
		/* the operator's keyring holds that very key unusable
		 * (revoked, expired, disabled): its word wins */
		if (e == 1 && strcmp(fpr, f->reason.fpr) == 0)
			e = 0;
		if (e == 1 && d->acgpg == NULL && gpg_open(&d->acgpg,
		    cfg->autocrypt_homedir, err, sizeof err) != GPG_OK) {
			log_warnx("Autocrypt: %s", err);
			e = -1;
		}
		if (e == 1 && (e = au_usable(d->acgpg, fpr, canon)) == 1) {
			addrlist_add(&f->fprs, fpr);
			f->autocrypt = 1;
		}
		r = e == -1 ? -1 : 0;
		free(canon);
	}
	if (loaded) {
		autocrypt_state_free(&s[0]);
		autocrypt_state_free(&s[1]);
	}
	return r;
}
