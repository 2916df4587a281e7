/*
 * scrub.h - a message decrypt cannot parse, passed on as it came but
 * without forged verdict fields.
 */
#ifndef MAILSEAL_SCRUB_H
#define MAILSEAL_SCRUB_H

#include <stdio.h>

struct input;

/* scrub_copy - write the whole input to fp: its mbox From_ line, the
 * verdicts "not-encrypted" and "none", then the message without any
 * header line named X-Mailseal-Decryption or X-Mailseal-Signature (and
 * their continuation lines).  Returns 0; 1 when the input is empty
 * (nothing written); -1 on a read or write error (errno set). */
int	scrub_copy(struct input *, FILE *);

#endif
