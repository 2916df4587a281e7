/*
 * gwsign.c - the gateway's signing keys, and its signed clear copies.
 *
 * signer_map (mailseal.conf(5)) is a file of "ADDRESS-OR-DOMAIN KEY"
 * lines read with the policy map's reader and looked up the same way
 * (policy.c): the From addr-spec, then without its tag, its domain, a
 * .parent domain; the most specific entry wins.  A sender it does not
 * name is signed by `signer`; with neither, the copies go unsigned and
 * the log says so.  A message whose From is not exactly one mailbox
 * has no sender to look up: `signer` signs it, if set.  An entry signs
 * only for its own envelope sender (gwsign_entry): the From field is the
 * client's to write.
 *
 * With sign = yes, encrypted copies are signed and encrypted in one
 * pass (encrypt.c) and clear copies become multipart/signed (sign.c).
 * A signer that cannot sign defers the message: it never goes out
 * unsigned behind the postmaster's back.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "conf.h"
#include "gateway.h"
#include "gwsign.h"
#include "log.h"
#include "msg.h"
#include "passfile.h"
#include "policy.h"
#include "rfc5322.h"
#include "sign.h"

#define ESCBUF	512

/* gwsign_key_ok - a signing key as mailseal.conf(5) takes it: a full
 * fingerprint (40 or 64 hex digits) or an addr-spec.  Anything else
 * (a key ID, a name, <addr>) matches no key exactly, and every message
 * of its senders would wait in the queue until it bounced. */
static int
gwsign_key_ok(const char *v)
{
	size_t n = strlen(v);

	if ((n == 40 || n == 64) && strspn(v, "0123456789abcdefABCDEF") == n)
		return 1;
	return strchr(v, '@') != NULL && addr_spec_valid(v);
}

/* gwsign_keys_ok - the signer and every signer_map value are keys */
static int
gwsign_keys_ok(const struct gateway *gw, char *err, size_t errsz)
{
	size_t i;

	if (gw->cfg.signer != NULL && !gwsign_key_ok(gw->cfg.signer)) {
		snprintf(err, errsz, "signer \"%.100s\" is not a full "
		    "fingerprint or an address", gw->cfg.signer);
		return -1;
	}
	for (i = 0; i < gw->signers.n; i++)
		if (!gwsign_key_ok(gw->signers.v[i].value)) {
			snprintf(err, errsz, "%.300s:%lu: \"%.100s\" is not a "
			    "full fingerprint or an address", gw->signers.path,
			    gw->signers.v[i].line, gw->signers.v[i].value);
			return -1;
		}
	return 0;
}

/* gwsign_load - see gwsign.h */
int
gwsign_load(struct gateway *gw, char *err, size_t errsz)
{
	struct passfile pf;

	if (gw->cfg.signer_map != NULL &&
	    (config_trusted(gw->cfg.signer_map, "the signer map", err,
	    errsz) == -1 || policy_map_load_values(&gw->signers,
	    gw->cfg.signer_map, err, errsz) == -1))
		return -1;
	if (gwsign_keys_ok(gw, err, errsz) == -1)
		return -1;
	if (gw->cfg.passphrase_file != NULL) {
		if (passfile_read(&pf, gw->cfg.passphrase_file, err, errsz) !=
		    PASSFILE_OK)
			return -1;
		passfile_free(&pf);
	}
	return 0;
}

/* gwsign_free - see gwsign.h */
void
gwsign_free(struct gateway *gw)
{
	policy_map_free(&gw->signers);
}

/* gwsign_from - the From addr-spec of h (allocated), or NULL when h has
 * not exactly one From field of exactly one mailbox */
static char *
gwsign_from(const struct rfc5322_header *h)
{
	const struct rfc5322_field *f;
	char *v, *from = NULL;
	size_t i = 0, len;

	if ((f = rfc5322_find(h, "From", &i)) != NULL &&
	    rfc5322_find(h, "From", &i) == NULL) {
		v = rfc5322_unfold(f, &len);
		if (addr_mailbox_parse(v, &from) != ADDR_OK)
			from = NULL;
		free(v);
	}
	return from;
}

/*
 * gwsign_entry - the signer_map entry for a message from the addr-spec
 * from with the envelope sender sender, or NULL.  The From field is the
 * client's to write: a map entry signs only when the envelope sender
 * (the address the MTA lets the client use) finds the very same entry,
 * else anyone who may send through the gateway could sign with any
 * sender's key by writing that sender's From.
 */
static const struct policy_entry *
gwsign_entry(const struct gateway *gw, const char *from, const char *sender)
{
	const struct policy_entry *e = NULL, *s = NULL;
	char esc[ESCBUF], esc2[ESCBUF];

	if (from == NULL)
		return NULL;
	(void)policy_lookup(&gw->signers, from, POLICY_NONE, &e);
	if (e == NULL)
		return NULL;
	if (sender != NULL && sender[0] != '\0' && strcmp(sender, "<>") != 0)
		(void)policy_lookup(&gw->signers, sender, POLICY_NONE, &s);
	if (s == e)
		return e;
	log_info("signing: signer_map line %lu is %s's, but the envelope "
	    "sender is %s: not used", e->line, log_escape(from, esc,
	    sizeof esc), sender == NULL ? "not given (no -f)" :
	    sender[0] == '\0' || strcmp(sender, "<>") == 0 ? "null" :
	    log_escape(sender, esc2, sizeof esc2));
	return NULL;
}

/* gwsign_signer - see gwsign.h */
const char *
gwsign_signer(const struct gateway *gw, const struct rfc5322_header *h,
    const char *sender)
{
	const struct policy_entry *e;
	char *from, esc[ESCBUF];

	from = gwsign_from(h);
	if ((e = gwsign_entry(gw, from, sender)) != NULL) {
		log_debug("signer for %s: %s (signer_map line %lu)", from,
		    e->value, e->line);
		free(from);
		return e->value;
	}
	if (gw->cfg.signer == NULL)
		log_info("signing: %s%s: sent unsigned", from != NULL ?
		    "no signer_map entry for the sender and no signer for " :
		    "no single From mailbox and no signer", from != NULL ?
		    log_escape(from, esc, sizeof esc) : "");
	free(from);
	return gw->cfg.signer;
}

/* gwsign_plain - see gwsign.h */
enum outcome
gwsign_plain(struct gateway *gw, struct msg *m, const char *signer,
    const char *lead, int fd)
{
	struct sign_opts so;
	enum outcome r;

	memset(&so, 0, sizeof so);
	so.usefds = 1;
	so.outfd = fd;
	so.homedir = gw->cfg.homedir;
	so.passfile = gw->cfg.passphrase_file;
	so.lead = lead;
	so.signer = signer;
	/* sent mail: its readers are not told who got it hidden */
	so.nobcc = 1;
	if (gw->gpg == NULL) {
		char err[GPG_ERRLEN];

		if (gpg_open(&gw->gpg, gw->cfg.homedir, err, sizeof err) !=
		    GPG_OK) {
			log_warnx("%s", err);
			return OUTCOME_TEMPFAIL;
		}
	}
	so.gpg = gw->gpg;
	r = sign_msg(m, &so);
	/* the signer cannot sign (expired, no secret part, locked, a
	 * wrong passphrase): keep the mail queued while the postmaster
	 * looks */
	return r == OUTCOME_NOSIGNER ? OUTCOME_TEMPFAIL : r;
}
