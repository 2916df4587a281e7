/*
 * decide.h - the gateway's decision for each envelope recipient:
 * policy, keys, action, and why a recipient gets clear text.
 *
 * One key listing and one resolution serve every recipient of a
 * message; the resolution is also what encrypt_msg() encrypts to.
 */
#ifndef MAILSEAL_DECIDE_H
#define MAILSEAL_DECIDE_H

#include <stddef.h>

#include "addr.h"
#include "conf.h"
#include "gpg.h"
#include "outcome.h"
#include "policy.h"
#include "recip.h"

struct keycache;
struct rfc5322_header;

enum action {
	ACT_PENDING,		/* not decided (the run failed before) */
	ACT_DELIVER,		/* as it came */
	ACT_ENCRYPT,
	ACT_REFUSE
};

struct decision {
	char			*addr;		/* the recipient's addr-spec */
	enum policy		 policy;
	const struct policy_entry *entry;	/* NULL: default_policy */
	struct addrlist		 fprs;		/* its keys */
	enum action		 action;
	struct recip_reason	 reason;	/* policy not none, no key */
	const char		*why;		/* or this, for everybody:
						 * DECIDE_NOTMSG, DECIDE_ENCRYPTED */
	const char		*wkd;		/* looked up in its Web Key
						 * Directory: wkd_name(), or NULL */
	int			 own;		/* encrypted, and not named in
						 * the header (decide_hidden):
						 * a copy of its own */
	int			 autocrypt;	/* fprs is Autocrypt's key */
	enum format		 format;	/* FORMAT_SMIME: fprs are
						 * certificates (decide_certs) */
	int			 certlooked;	/* its certificates were
						 * looked up: creason says */
	struct recip_reason	 creason;	/* why no usable certificate */
};

#define DECIDE_NOTMSG		"not-a-message"
#define DECIDE_ENCRYPTED	"already-encrypted"

struct decisions {
	struct decision		*v;
	size_t			 n;
	struct gpg		*gpg;		/* the caller's, borrowed */
	struct gpg_keylist	 keys;		/* the one listing (none
						 * when a key cache served) */
	struct recip		 rec;		/* the one resolution */
	int			 noring;	/* the home has no keyring */
	struct gpg		*acgpg;		/* on the Autocrypt home, or
						 * NULL (autocrypt_decide) */
	int			 rcpttime;	/* smtpd's RCPT: no Autocrypt */
	struct gpg_keylist	 certs;		/* the one certificate listing
						 * (none when a cache served) */
	struct recip		 crec;		/* its resolution */
};

/* decide_policies - each recipient's policy (map, then default); a
 * recipient that is no address: OUTCOME_USAGE, said with its DSN */
enum outcome	decide_policies(struct decisions *, const struct policy_map *,
		    const struct config *, char *const *, size_t);

/* decide_keys - one listing and one resolution for the recipients
 * whose policy is not none; each gets its keys or the reason it has
 * none.  The GnuPG context *gpg is opened on first use and stays the
 * caller's (a long-lived process opens it once).  With a key cache kc
 * (keycache.h) its listing serves and gpg runs only when it must list
 * again; NULL: a listing of the recipients' patterns.  OUTCOME_OK, or
 * OUTCOME_TEMPFAIL after one line (never "no key" for a listing gpg
 * did not finish) */
enum outcome	decide_keys(struct decisions *, const struct config *,
		    struct gpg **, struct keycache *);

/* decide_certs - after decide_keys, with smime = yes: ONE certificate
 * listing (gpgsm; the cache cc's when not NULL) for the recipients
 * whose policy is not none and who have no OpenPGP key (with
 * format_preference = smime: every one of them); each with a usable
 * certificate gets it (format FORMAT_SMIME) when it has no key or
 * S/MIME is preferred, each without one its reason (creason).  No
 * gpgsm run when nobody needs a certificate.  The context *cms is
 * opened on first use and stays the caller's.  OUTCOME_OK, or
 * OUTCOME_TEMPFAIL after one line (never "no certificate" for a
 * listing gpgsm did not finish) */
enum outcome	decide_certs(struct decisions *, const struct config *,
		    struct gpg **, struct keycache *);

/* decide_refusal - why the require recipient f is refused, in words
 * (no key and, when looked up, no certificate), into buf */
const char	*decide_refusal(const struct decision *, char *, size_t);

/* decide_actions - the action for each recipient of a message that is
 * not encrypted yet: encrypt with a key, else refuse (require) or
 * deliver */
void		decide_actions(struct decisions *);

/* decide_all - every recipient gets the message as it came, for why */
void		decide_all(struct decisions *, const char *);

/* decide_hidden - mark own each recipient to encrypt for whose address
 * the header h does not name as a recipient of this transmission: the
 * newest block of Resent- fields' Resent-To and Resent-Cc when the
 * message was resent (RFC 5322 3.6.6), else To and Cc; addr-specs are
 * compared canonical (addr_canon), and a field that does not parse
 * names nobody.  Returns how many were marked. */
size_t		decide_hidden(struct decisions *,
		    const struct rfc5322_header *);

/* decide_recip - the resolution for the recipients idx[0..n-1] alone
 * (their keys, and address -> key pairs), into r (recip_free) */
void		decide_recip(const struct decisions *, const size_t *, size_t,
		    struct recip *);

size_t		decide_count(const struct decisions *, enum action);
const char	*decide_action_name(enum action);

/* decide_why - why d is given (or would be given) clear text, in
 * words, in buf; NULL when that needs no reason (encrypted, or policy
 * none) */
const char	*decide_why(const struct decision *, char *, size_t);

/* decide_why_name - the same as a log token ("no-key", "expired", ...) */
const char	*decide_why_name(const struct decision *);

void		decide_free(struct decisions *);

#endif
