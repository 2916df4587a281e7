/*
 * autocrypt_state.h - Autocrypt's per-peer state in the Autocrypt
 * home: AUTOCRYPT_STATE for keys from Autocrypt fields, AUTOCRYPT_GOSSIP
 * for keys from Autocrypt-Gossip fields, kept apart so that gossip never
 * overrides a key the peer sent itself.
 */
#ifndef MAILSEAL_AUTOCRYPT_STATE_H
#define MAILSEAL_AUTOCRYPT_STATE_H

#include <stddef.h>

#define AUTOCRYPT_STATE		"autocrypt.state"
#define AUTOCRYPT_GOSSIPS	"gossip.state"
#define AUTOCRYPT_LOCK		"state.lock"
#define AUTOCRYPT_FPRLEN	40	/* a v4 fingerprint in hex */

struct autocrypt_peer {
	char		*addr;		/* canonical (addr_canon) */
	long long	 last_seen;	/* newest effective date seen */
	long long	 timestamp;	/* effective date of the key's mail */
	char		 fpr[AUTOCRYPT_FPRLEN + 1];
	int		 mutual;	/* prefer-encrypt=mutual */
};

struct autocrypt_state {
	struct autocrypt_peer	*v;
	size_t			 n;
};

/* autocrypt_state_load - the state file at path (none: empty state);
 * at most LIMIT_AUTOCRYPT_PEERS lines.  0, or -1 with err (a line that
 * is not one, I/O) */
int	autocrypt_state_load(const char *, struct autocrypt_state *, char *,
	    size_t);

/* autocrypt_state_save - write the state to a temporary file beside
 * path, fsync it and rename it over path: 0, or -1 with err */
int	autocrypt_state_save(const char *, const struct autocrypt_state *,
	    char *, size_t);

/* autocrypt_state_find - the peer addr (canonical), or NULL */
struct autocrypt_peer *autocrypt_state_find(struct autocrypt_state *,
	    const char *);

/* autocrypt_state_fits - a line of the state file can hold addr (a
 * canonical address may be longer than it was written: IDNA A-labels) */
int	autocrypt_state_fits(const char *);

/* autocrypt_state_add - the peer addr, added empty if new; NULL when
 * the state holds LIMIT_AUTOCRYPT_PEERS already or addr does not fit */
struct autocrypt_peer *autocrypt_state_add(struct autocrypt_state *,
	    const char *);

void	autocrypt_state_free(struct autocrypt_state *);

/* autocrypt_state_lock - hold the home's lock (fcntl, waited for) for
 * a load, change and save: its descriptor (close to release), or -1
 * with err */
int	autocrypt_state_lock(const char *, char *, size_t);

#endif
