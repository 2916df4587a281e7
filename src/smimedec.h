/*
 * smimedec.h - decrypt's S/MIME side (RFC 8551): an enveloped-data root
 * decrypted by gpgsm, an S/MIME signature at the root of the message or
 * of what was decrypted verified, and the integrity rule between them.
 */
#ifndef MAILSEAL_SMIMEDEC_H
#define MAILSEAL_SMIMEDEC_H

struct decrypt_job;
struct msg;

/* smimedec_root - the verdicts on m's S/MIME root (CLASSIFY_SMIME,
 * CLASSIFY_SMIME_OPAQUE or CLASSIFY_SMIME_SIGNED) into j, and the
 * entity to show as j->inner when there is one: 0, or -1 when gpgsm
 * or the machine failed (logged: a retry, nothing written) */
int	smimedec_root(struct decrypt_job *, struct msg *);

#endif
