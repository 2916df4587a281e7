/*
 * cms_drive - the CMS engine (gpg.h's gpg_open_cms) from the command
 * line, for tests/cms-engine.sh:
 *
 *	cms_drive HOME list [-s] ADDR...	one line per certificate
 *	cms_drive HOME encrypt IN OUT FPR...
 *	cms_drive HOME decrypt IN OUT		"dec=N noint=N"
 *	cms_drive HOME sign FPR IN OUT		"micalg=NAME"
 *	cms_drive HOME verify SIG TEXT		"sig=STATUS fpr=FPR" each,
 *						" chain=C emails=A,B" after
 *						one that verifies
 *	cms_drive HOME opaque IN OUT		the same, content to OUT
 *
 * CMS_DEADLINE=N: gpg_deadline(N).  Exit 0 (GPG_OK), 75 (GPG_TEMPFAIL,
 * err on stderr), 65 (another status), 64 (usage).
 */
#include <config.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gpg.h"

static ssize_t
fd_read(void *c, void *buf, size_t n)
{
	return read(*(int *)c, buf, n);
}

static ssize_t
fd_write(void *c, const void *buf, size_t n)
{
	return write(*(int *)c, buf, n);
}

static int
done(enum gpg_status st, const char *err)
{
	if (st == GPG_OK)
		return 0;
	fprintf(stderr, "cms_drive: status %d: %s\n", (int)st, err);
	return st == GPG_TEMPFAIL ? 75 : st == GPG_NOENGINE ? 69 : 65;
}

static void
sigs(const struct gpg_decrypt_result *r)
{
	static const char *names[] = { "VALID", "EXPIRED", "BAD", "NOKEY" };
	static const char *chains[] = { "none", "trusted", "untrusted",
	    "unchecked", "expired", "revoked", "invalid" };
	size_t i, j;

	for (i = 0; i < r->nsigs; i++) {
		printf("sig=%s fpr=%s", names[r->sigs[i].status],
		    r->sigs[i].fpr);
		if (r->sigs[i].chain != GPG_CHAIN_NONE)
			printf(" chain=%s", chains[r->sigs[i].chain]);
		for (j = 0; j < r->sigs[i].nemails; j++)
			printf("%s%s", j == 0 ? " emails=" : ",",
			    r->sigs[i].emails[j]);
		printf("\n");
	}
}

static void
list(const struct gpg_keylist *l)
{
	size_t i, j;

	for (i = 0; i < l->n; i++) {
		const struct gpg_key *k = &l->v[i];

		printf("%s x509=%d enc=%d sign=%d usable=%d expired=%d "
		    "revoked=%d invalid=%d untrusted=%d secret=%d",
		    k->fpr, k->x509, k->can_encrypt, k->can_sign, k->usable,
		    k->expired, k->revoked, k->invalid, k->untrusted,
		    k->secret);
		for (j = 0; j < k->nuids; j++)
			printf(" uid=%s%s", k->uids[j], k->uidfull[j] ?
			    ":full" : "");
		printf("\n");
	}
}

int
main(int argc, char **argv)
{
	struct gpg *g;
	struct gpg_keylist l;
	struct gpg_decrypt_result r;
	struct gpg_io io, tio;
	char err[GPG_ERRLEN], hash[32];
	enum gpg_status st;
	int in = -1, out = -1, in2 = -1, secret = 0;
	const char *cmd, *v;

	if (argc < 3)
		return 64;
	err[0] = '\0';
	if ((st = gpg_open_cms(&g, argv[1], err, sizeof err)) != GPG_OK)
		return done(st, err);
	if ((v = getenv("CMS_DEADLINE")) != NULL)
		gpg_deadline(g, (unsigned int)strtoul(v, NULL, 10));
	cmd = argv[2];
	if (strcmp(cmd, "list") == 0) {
		if (argc > 3 && strcmp(argv[3], "-s") == 0)
			secret = 1;
		st = gpg_keylist(g, argv + 3 + secret,
		    (size_t)(argc - 3 - secret), secret, &l, err, sizeof err);
		if (argc == 3 + secret)
			st = gpg_keylist_all(g, &l, err, sizeof err);
		if (st == GPG_OK)
			list(&l);
		gpg_keylist_free(&l);
	} else if (strcmp(cmd, "encrypt") == 0 && argc >= 6) {
		in = open(argv[3], O_RDONLY);
		out = open(argv[4], O_WRONLY | O_CREAT | O_TRUNC, 0600);
		io = (struct gpg_io){ fd_read, fd_write, &in, &out };
		st = gpg_encrypt(g, argv + 5, NULL, (size_t)(argc - 5), NULL,
		    GPG_ENC_NO_ENCRYPT_TO, &io, err, sizeof err);
	} else if (strcmp(cmd, "decrypt") == 0 && argc == 5) {
		in = open(argv[3], O_RDONLY);
		out = open(argv[4], O_WRONLY | O_CREAT | O_TRUNC, 0600);
		io = (struct gpg_io){ fd_read, fd_write, &in, &out };
		if ((st = gpg_decrypt(g, &io, &r, err, sizeof err)) == GPG_OK)
			printf("dec=%d noint=%d\n", (int)r.dec, r.noint);
		gpg_decrypt_result_free(&r);
	} else if (strcmp(cmd, "sign") == 0 && argc == 6) {
		char *pat[1] = { argv[3] };

		if ((st = gpg_keylist(g, pat, 1, 1, &l, err, sizeof err)) ==
		    GPG_OK && l.n != 1) {
			snprintf(err, sizeof err, "%zu signers", l.n);
			st = GPG_BADKEY;
		}
		in = open(argv[4], O_RDONLY);
		out = open(argv[5], O_WRONLY | O_CREAT | O_TRUNC, 0600);
		io = (struct gpg_io){ fd_read, fd_write, &in, &out };
		if (st == GPG_OK && (st = gpg_sign(g, &l.v[0], &io, hash,
		    sizeof hash, err, sizeof err)) == GPG_OK)
			printf("micalg=%s\n", hash);
		gpg_keylist_free(&l);
	} else if (strcmp(cmd, "verify") == 0 && argc == 5) {
		in = open(argv[3], O_RDONLY);
		in2 = open(argv[4], O_RDONLY);
		io = (struct gpg_io){ fd_read, NULL, &in, NULL };
		tio = (struct gpg_io){ fd_read, NULL, &in2, NULL };
		if ((st = gpg_verify(g, &tio, &io, &r, err, sizeof err)) ==
		    GPG_OK)
			sigs(&r);
		gpg_decrypt_result_free(&r);
	} else if (strcmp(cmd, "opaque") == 0 && argc == 5) {
		in = open(argv[3], O_RDONLY);
		out = open(argv[4], O_WRONLY | O_CREAT | O_TRUNC, 0600);
		io = (struct gpg_io){ fd_read, NULL, &in, NULL };
		tio = (struct gpg_io){ NULL, fd_write, NULL, &out };
		if ((st = gpg_verify_opaque(g, &io, &tio, &r, err,
		    sizeof err)) == GPG_OK)
			sigs(&r);
		gpg_decrypt_result_free(&r);
	} else
		return 64;
	gpg_close(g);
	return done(st, err);
}
