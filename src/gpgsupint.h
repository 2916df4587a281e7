/*
 * gpgsupint.h - what the supervisor's two files share (gpgsup.c runs
 * gpg, gpgsmsup.c runs gpgsm and answers as gpgconf); nobody else
 * includes it.
 */
#ifndef MAILSEAL_GPGSUPINT_H
#define MAILSEAL_GPGSUPINT_H

#include <sys/types.h>
#include <sys/resource.h>

#include <stddef.h>

/* gpgsup.c */
void	gpgsup_close_others(int, int);
int	gpgsup_write(int, const char *, size_t);
rlim_t	gpgsup_cpu_limit(void);
void	gpgsup_cpu(rlim_t);

/* gpgsmsup.c: gpgsup_main's other runs */
int	gpgsup_conf(int, char **);
int	gpgsup_pass(const char *, int, char **, unsigned int);

#endif
