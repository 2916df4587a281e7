#!/bin/sh
# attack-wkd.sh - an attacker's cases against the Web Key Directory
# lookup (wkd = yes) and keys gpg lists but cannot use: a hostile
# directory serves keys gpg 2.2 cannot import or cannot encrypt to.
# Same set-up as tests/wkd.sh, in tests/wkdlib.sh (root; private network
# and mount namespaces; tests/wkd_server.py; keys made by
# tests/oddkey.py).  TAP.
. "${MAILSEAL_SRCDIR:-.}/tests/lib.sh"
. "$MAILSEAL_SRCDIR/tests/wkdlib.sh"
wkd_unshare "$@"

# ------------------------------------------------------------ the CA
wkd_net 'wkd.test busy.test slow.test par16.test par17.test' ''
echo 503 >"$W/root/busy.test/STATUS"
echo 2 >"$W/root/slow.test/DELAY"
echo 4 >"$W/root/par16.test/DELAY"
echo 4 >"$W/root/par17.test/DELAY"

# ------------------------------------------------------------ the keys
wkd_owners
wkd_newkey walt
wkd_oddkey ecdh-curve cora Cora
wkd_oddkey ecdh-kdf kurt Kurt
wkd_oddkey ecdh-point pete Pete
wkd_oddkey rsa-300 ross Ross
for b in 511 512; do
	"$PYTHON" "$MAILSEAL_SRCDIR/tests/oddkey.py" rsa-$b \
	    "R$b <r$b@example.org>" >"$T/r$b.key"
done
[ -s "$W/root/wkd.test/$(wkdhash ross)" ] && [ -s "$T/r512.key" ] &&
    [ -s "$W/root/wkd.test/$(wkdhash kurt)" ] &&
    [ -s "$W/root/wkd.test/$(wkdhash walt)" ] || {
	echo "Bail out! the test keys could not be made"
	sed 's/^/# /' "$T/keys.log"
	exit 1
}

# ------------------------------------------------------------ the server
wkd_server

wkd_gwhome

conf on "wkd = yes"
conf req "wkd = yes" "default_policy = require"

# mail M TO - $T/M.eml, a message to TO
mail() {
	msg "$T/$1.eml" 'From: alice@example.org' "To: $2" 'Subject: wkd' \
	    "Message-ID: <$1@example.org>" <<'BODY'
a body
BODY
}

# 1. a directory that fails (HTTP 503): the lookup did not happen; not
# "not found" (clear text, or a require recipient refused for good) but
# a deferral.  Known, not fixed: dirmngr answers every HTTP status but
# 200 and 413 with "No data", as a 404, and says the status only in its
# own log, so gpg (and we) cannot tell them apart: TODO
mail busy 'x@busy.test'
for c in on req; do
	fm "$T/$c.conf" --stdout x@busy.test <"$T/busy.eml"
	if [ "$rc" -eq 75 ] && [ ! -s "$T/out" ]; then
		ok "$c: the directory answers 503: 75, nothing on the output"
	else
		echo "exit $rc" >"$T/why"
		not_ok "$c: the directory answers 503: 75 # TODO dirmngr says No data as for a 404" \
		    "$T/why" "$T/err"
	fi
done

# 2. a key on a curve gpg does not know (gpg refuses to import it): no
# usable key, unsupported-key; not a deferral until the mail bounces
mail cora 'cora@wkd.test'
fm "$T/on.conf" --stdout cora@wkd.test <"$T/cora.eml"
if [ "$rc" -eq 0 ] && is_clear &&
    logline | grep -q 'to=<cora@wkd.test>.* why=unsupported-key'; then
	ok "ECDH on an unknown curve, opportunistic: clear, why=unsupported-key"
else
	echo "exit $rc" >"$T/why"
	not_ok "ECDH on an unknown curve, opportunistic: clear" "$T/why" \
	    "$T/err" "$T/out"
fi
fm "$T/req.conf" --stdout cora@wkd.test <"$T/cora.eml"
if [ "$rc" -eq 67 ] && [ ! -s "$T/out" ]; then
	ok "ECDH on an unknown curve, require: refused (67)"
else
	echo "exit $rc" >"$T/why"
	not_ok "ECDH on an unknown curve, require: 67" "$T/why" "$T/err"
fi

# 3. a key gpg imports and lists as able to encrypt, whose ECDH KDF
# parameters it cannot use: encrypting to it fails.  A hostile directory
# must not make mail to walt and kurt together undeliverable: kurt has
# no usable key (unsupported-key), walt's copy is encrypted to him
mail kw 'walt@wkd.test, kurt@wkd.test'
fm "$T/on.conf" walt@wkd.test kurt@wkd.test <"$T/kw.eml"
wcopy=$(grep -l '^\[walt@wkd.test\]$' "$T"/sm/*.args 2>/dev/null |
    sed 's/args$/msg/')
if [ "$rc" -eq 0 ] && [ -n "$wcopy" ] && cp "$wcopy" "$T/out" &&
    decrypts_for walt &&
    logline | grep -q 'to=<kurt@wkd.test>.* why=unsupported-key'; then
	ok "ECDH KDF gpg cannot use: kurt unsupported-key, no deferral"
else
	echo "exit $rc" >"$T/why"
	not_ok "ECDH KDF gpg cannot use: no deferral" "$T/why" "$T/err"
fi
ms "$T/o" "$T/e" keys --homedir "$GNUPGHOME" kurt@wkd.test
if grep -q '^kurt@wkd.test  key=-  encrypt=no  reason=unsupported-key' \
    "$T/o"; then
	ok "mailseal keys: kurt reason=unsupported-key"
else
	not_ok "mailseal keys: kurt reason=unsupported-key" "$T/o" "$T/e"
fi

# 4. the same for a Curve25519 point of 31 bytes (gpg: "Bad data") and
# an RSA subkey of 300 bits preferring AES-256 (gpg aborts: "can't
# encode a 256 bit key in a 300 bits frame")
for u in pete ross; do
	mail "w$u" "walt@wkd.test, $u@wkd.test"
	fm "$T/on.conf" walt@wkd.test "$u@wkd.test" <"$T/w$u.eml"
	wcopy=$(grep -l '^\[walt@wkd.test\]$' "$T"/sm/*.args 2>/dev/null |
	    sed 's/args$/msg/')
	if [ "$rc" -eq 0 ] && [ -n "$wcopy" ] && cp "$wcopy" "$T/out" &&
	    decrypts_for walt &&
	    logline | grep -q "to=<$u@wkd.test>.* why=unsupported-key"; then
		ok "$u's key gpg cannot encrypt to: unsupported-key, no deferral"
	else
		echo "exit $rc" >"$T/why"
		not_ok "$u's key gpg cannot encrypt to: no deferral" "$T/why" \
		    "$T/err"
	fi
done

# 5. LIMIT_ENC_KEY_BITS (512): an RSA encryption subkey of 511 bits is
# unsupported-key, one of 512 is used
gpg --homedir "$GNUPGHOME" --batch --import "$T/r511.key" "$T/r512.key" \
    >/dev/null 2>&1
ms "$T/o" "$T/e" keys --homedir "$GNUPGHOME" r511@example.org \
    r512@example.org
if grep -q '^r511@example.org  key=-  encrypt=no  reason=unsupported-key' \
    "$T/o" && grep -q '^r512@example.org  key=[0-9A-F]*  encrypt=yes' \
    "$T/o"; then
	ok "RSA subkey of 511 bits: unsupported-key; of 512: used"
else
	not_ok "RSA subkey of 511 bits: unsupported-key; of 512: used" \
	    "$T/o" "$T/e"
fi

# 6. a message's lookups run at once (LIMIT_WKD_PARALLEL, 16, at a
# time): a directory that answers each 404 in 2 s (within wkd_timeout =
# 3) for four recipients no longer takes the message past its own
# deadline (timeout = 5; one after the other they took 8 s: 75 at every
# retry, nothing found being remembered, until the mail bounced)
conf slow "wkd = yes" "wkd_timeout = 3" "timeout = 5"
mail slow 'a@slow.test, b@slow.test, c@slow.test, d@slow.test'
fm "$T/slow.conf" --stdout a@slow.test b@slow.test c@slow.test \
    d@slow.test <"$T/slow.eml"
if [ "$rc" -eq 0 ] && is_clear; then
	ok "four slow 404s within wkd_timeout each: delivered within timeout"
else
	echo "exit $rc" >"$T/why"
	not_ok "four slow 404s within wkd_timeout each: delivered" \
	    "$T/why" "$T/err"
fi

# LIMIT_WKD_PARALLEL: of 16 lookups that take 4 s each, 16 are under
# way at once; of 17, never more than 16 (the server counts them)
conf par "wkd = yes" "wkd_timeout = 30" "timeout = 120"
for n in 16 17; do
	set --
	i=0
	while [ $i -lt $n ]; do
		set -- "$@" "p$n-$i@par$n.test"
		i=$((i + 1))
	done
	mail "par$n" "p$n-0@par$n.test"
	fm "$T/par.conf" --stdout "$@" <"$T/par$n.eml"
	most=$(sed -n "s/^openpgpkey.par$n.test inflight //p" \
	    "$W/server.log" | sort -n | tail -1)
	echo "$n lookups: exit $rc, at most ${most:-0} at once" >"$T/why"
	if [ "$rc" -eq 0 ] && is_clear && [ "${most:-0}" -eq 16 ]; then
		ok "$n lookups of 4 s each: 16 at once"
	else
		not_ok "$n lookups of 4 s each: 16 at once" "$T/why" "$T/err"
	fi
done

# 7. a gpg.conf in the home that sends gpg's diagnostics elsewhere
# (log-file) or adds to them (verbose) does not change what a lookup
# came to: nobody@ is not found (clear), walt found
mail nobody 'nobody@wkd.test'
for o in verbose "log-file $T/gpg-log"; do
	printf '%s\n' "$o" >"$GNUPGHOME/gpg.conf"
	fm "$T/on.conf" --stdout nobody@wkd.test <"$T/nobody.eml"
	if [ "$rc" -eq 0 ] && is_clear &&
	    logline | grep -q 'why=no-key wkd=not-found'; then
		ok "gpg.conf '$o': 404 is still not-found"
	else
		echo "exit $rc" >"$T/why"
		not_ok "gpg.conf '$o': 404 is still not-found" "$T/why" "$T/err"
	fi
done
rm -f "$GNUPGHOME/gpg.conf"

gpgconf --homedir "$GNUPGHOME" --kill all >/dev/null 2>&1
done_testing
