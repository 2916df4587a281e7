/*
 * gwsign.c - the gateway's signing keys, and its signed clear copies.
 *
 * signer_map (mailseal.conf(5)) is a file of "ADDRESS-OR-DOMAIN KEY"
 * lines read with the policy map's reader and looked up the same way
 * (policy.c): the From addr-spec, then without its tag, its domain, a
 * .parent domain; the most specific entry wins.  A sender it does not
 * name is signed by `signer`; with neither, the copies go unsigned and
 * the log says so.  A message whose From is not exactly one mailbox
 * has no sender to look up: `signer` signs it, if set.
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

/* gwsign_signer - see gwsign.h */
const char *
gwsign_signer(const struct gateway *gw, const struct rfc5322_header *h)
{
	const struct policy_entry *e = NULL;
	const struct rfc5322_field *f;
	char *v, *from = NULL, esc[ESCBUF];
	size_t i = 0, len;

	if ((f = rfc5322_find(h, "From", &i)) != NULL &&
	    rfc5322_find(h, "From", &i) == NULL) {
		v = rfc5322_unfold(f, &len);
		if (addr_mailbox_parse(v, &from) != ADDR_OK)
			from = NULL;
		free(v);
	}
	if (from != NULL)
		(void)policy_lookup(&gw->signers, from, POLICY_NONE, &e);
	if (e != NULL) {
		log_debug("signer for %s: %s (signer_map line %lu)", from,
		    e->value, e->line);
		free(from);
		return e->value;
	}
	if (gw->cfg.signer == NULL)
		log_info("signing: %s%s: sent unsigned", from != NULL ?
		    "no signer_map entry and no signer for " : "no single "
		    "From mailbox and no signer", from != NULL ?
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
