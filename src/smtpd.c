/*
 * smtpd.c - one SMTP connection (smtpd.h).  (Being written.)
 */
#include <config.h>

#include <unistd.h>

#include "smtpd.h"

/* smtpd_session - see smtpd.h */
void
smtpd_session(const struct smtpd_conf *c, const struct smtpd_ops *ops,
    int fd)
{
	static const char msg[] = "421 4.3.2 Not yet\r\n";

	(void)c;
	(void)ops;
	(void)!write(fd, msg, sizeof msg - 1);
}
