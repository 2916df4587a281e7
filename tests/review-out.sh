#!/bin/sh
# review-out.sh - the outgoing side tried as an attacker and a bad day
# would: recipient spellings that must not reach clear text or another
# mailbox, and how `filter` hands copies over.  Each case failed before
# its fix.  TAP.
. "${MAILSEAL_SRCDIR:-.}/tests/lib.sh"

ms_home
TMPDIR=$T/tmp
mkdir "$TMPDIR"
export TMPDIR

fake_sendmail
printf '%s\n' "homedir = $GNUPGHOME" "sendmail = $T/sendmail" \
    "gateway_id = gw1.test" "log = stderr" >"$T/base.conf"

# fm ARG... - mailseal filter -c base.conf ARG... < $T/m.eml; $rc
fm() {
	rm -rf "$T/sm"
	mkdir "$T/sm"
	"$MAILSEAL" filter -c "$T/base.conf" "$@" <"$T/m.eml" >"$T/out" \
	    2>"$T/err"
	rc=$?
}

# sent_to RCPT - the sendmail call (its number) whose last argument is
# exactly RCPT
sent_to() {
	for _a in "$T"/sm/*.args; do
		[ -e "$_a" ] || continue
		if [ "$(tail -n 1 "$_a")" = "[$1]" ]; then
			basename "$_a" .args
			return 0
		fi
	done
	return 1
}

# encrypted N - copy N is an OpenPGP message, and no line of the
# original body is in it
encrypted() {
	grep -q '^-----BEGIN PGP MESSAGE-----' "$T/sm/$1.msg" &&
	    ! grep -q 'under the mat' "$T/sm/$1.msg"
}

printf 'Hello Bob,\nthe key is under the mat.\n' |
    msg "$T/m.eml" 'From: Alice <alice@example.org>' \
    'To: Bob <bob@example.org>' 'Subject: the key'

# ------------------------------------------------------------ spellings

# "bob+x"@example.org is bob+x@example.org (RFC 5321 4.1.2), whose
# extension Postfix cuts: bob has a key, so he must get it encrypted,
# as bob+x@example.org does.
for r in 'bob+x@example.org' '"bob+x"@example.org' '"bob+"@example.org'; do
	fm -- "$r"
	n=$(sent_to "$r")
	if [ "$rc" -eq 0 ] && [ -n "$n" ] && encrypted "$n"; then
		ok "filter: $r gets the copy encrypted to bob's key"
	else
		echo "exit $rc, call ${n:-none}" >"$T/why"
		not_ok "filter: $r gets the copy encrypted to bob's key" \
		    "$T/why" "$T/err"
	fi
	ms "$T/enc" "$T/err" encrypt -r "$r" "$T/m.eml"
	is "encrypt -r $r: exit 0 (bob's key)" "$rc" 0 "$T/err"
done

# A quoted local part with white space is another mailbox than the one
# without it: the copy goes to the mailbox the MTA named, never to
# "xy" (libetpan drops the white space).  Specials in quotes are legal
# too (RFC 5321 4.1.2): they were "not an address", 64, so the mail
# waited for ever (4.3.5) or bounced.
for r in '"x y"@example.net' '"x  y"@example.net' '"x	y"@example.net' \
    '"bob x"@example.org' '"x(y)"@example.net' '"x,y"@example.net' \
    '"x;y"@example.net' '"x<y>"@example.net' '"x:y"@example.net' \
    'x@[IPv6:2001:db8::1]'; do
	fm -- "$r"
	if [ "$rc" -eq 0 ] && [ -n "$(sent_to "$r")" ]; then
		ok "filter: the copy for $r goes to $r"
	else
		{ echo "exit $rc; sendmail got:"; cat "$T"/sm/*.args; } \
		    >"$T/why" 2>/dev/null
		not_ok "filter: the copy for $r goes to $r" "$T/why" "$T/err"
	fi
done

# ------------------------------------------------------------ trust

# A sticky directory keeps others from replacing what is in it, not from
# adding to it: a GnuPG home with mode 1777 lets anybody add gpg.conf
# (keyring /their/keys, with a key for bob@example.org) between the
# check and gpg's start.  Refused like a home without the sticky bit.
H3=$(mktemp -d /tmp/msh.XXXXXX)
_ms_homes="$_ms_homes $H3"
cp -R "$GNUPGHOME/." "$H3/"
rm -f "$H3"/S.* "$H3"/gpg.conf
printf '%s\n' "homedir = $H3" "sendmail = $T/sendmail" \
    "gateway_id = gw1.test" "log = stderr" >"$T/sticky.conf"
for mode in 1777 1770; do
	chmod "$mode" "$H3"
	rm -rf "$T/sm"
	mkdir "$T/sm"
	"$MAILSEAL" filter -c "$T/sticky.conf" bob@example.org <"$T/m.eml" \
	    >"$T/out" 2>"$T/err"
	rc=$?
	if [ "$rc" -eq 78 ] && [ -z "$(ls "$T/sm")" ] &&
	    head -n 1 "$T/err" | grep -q "^4.3.5 mailseal: $H3"; then
		ok "filter: a GnuPG home of mode $mode is refused (78)"
	else
		echo "exit $rc (want 78)" >"$T/why"
		not_ok "filter: a GnuPG home of mode $mode is refused (78)" \
		    "$T/why" "$T/err"
	fi
done
chmod 700 "$H3"
# ... and a file that is not there yet is judged by its directory
# without the sticky exception: a sticky private-keys-v1.d
chmod 1777 "$H3/private-keys-v1.d"
fm_sticky() {
	rm -rf "$T/sm"
	mkdir "$T/sm"
	"$MAILSEAL" filter -c "$T/sticky.conf" bob@example.org <"$T/m.eml" \
	    >"$T/out" 2>"$T/err"
	rc=$?
}
fm_sticky
is "filter: a sticky private-keys-v1.d is refused (78)" "$rc" 78 "$T/err"
chmod 700 "$H3/private-keys-v1.d"
fm_sticky
is "filter: the same home made private again works" "$rc" 0 "$T/err"
# the directories above may be sticky (/tmp is)
is "... though it lies in /tmp (sticky, world-writable)" \
    "$(stat -c %a /tmp)" 1777

# ------------------------------------------------------------ root

# Root running encrypt (keys, decrypt) on the gateway's GnuPG home, as a
# postmaster trying something out does, left a root-owned trustdb.gpg
# and random_seed there: the gateway's gpg then fails on every message.
if [ "$(id -u)" -eq 0 ] && id nobody >/dev/null 2>&1; then
	H4=$(mktemp -d /tmp/msh.XXXXXX)
	_ms_homes="$_ms_homes $H4"
	cp -R "$GNUPGHOME/." "$H4/"
	rm -f "$H4"/S.* "$H4/trustdb.gpg" "$H4/random_seed"
	chown -R nobody "$H4"
	"$MAILSEAL" encrypt -r bob@example.org "$T/m.eml" >"$T/sealed.eml" \
	    2>"$T/err" || not_ok "encrypt for the decrypt case" "$T/err"
	for c in "encrypt -r bob@example.org m.eml" "decrypt sealed.eml"; do
		# shellcheck disable=SC2086
		"$MAILSEAL" ${c% *} --homedir "$H4" "$T/${c##* }" >"$T/out" \
		    2>"$T/err"
		rc=$?
		gpgconf --homedir "$H4" --kill all >/dev/null 2>&1
		left=$(find "$H4" -uid 0 | tr '\n' ' ')
		if [ "$rc" -eq 75 ] && [ ! -s "$T/out" ] && [ -z "$left" ] &&
		    grep -q 'run mailseal as that user' "$T/err"; then
			ok "root, ${c%% *} on nobody's GnuPG home: 75, no root files"
		else
			echo "exit $rc (want 75); root's files: $left" >"$T/why"
			not_ok "root, ${c%% *} on nobody's GnuPG home: 75, no root files" \
			    "$T/why" "$T/err"
		fi
		find "$H4" -uid 0 -exec rm -f {} + 2>/dev/null
	done
else
	skip "root on another user's GnuPG home" "needs root and nobody"
fi

# ------------------------------------------------------------ -o

# -o renames its result over what is there: over a device, a FIFO or
# the symbolic link /dev/stdout that put a file in their place (as root,
# `-o /dev/null` replaced /dev/null).  Refused, and left as they were.
mkfifo "$T/fifo"
ln -s "$T/fifo" "$T/tofifo"
special="fifo tofifo"
if [ "$(id -u)" -eq 0 ] && mknod "$T/null" c 1 3 2>/dev/null; then
	special="$special null"
fi
for f in $special; do
	before=$(ls -l "$T/$f" | cut -c1)
	for c in encrypt decrypt; do
		if [ $c = encrypt ]; then
			ms "$T/o" "$T/err" encrypt -r bob@example.org -o "$T/$f" \
			    "$T/m.eml"
		else
			ms "$T/o" "$T/err" decrypt -o "$T/$f" "$T/m.eml"
		fi
		after=$(ls -l "$T/$f" | cut -c1)
		hidden=$(ls -A "$T" | grep -c "^\.$f\." || true)
		if [ "$rc" -ne 0 ] && [ "$after" = "$before" ] &&
		    [ "$hidden" -eq 0 ]; then
			ok "$c -o $f ($before): refused, left as it was"
		else
			echo "exit $rc, type $before -> $after, $hidden hidden" \
			    >"$T/why"
			not_ok "$c -o $f ($before): refused, left as it was" \
			    "$T/why" "$T/err"
		fi
	done
done
# a link into /proc (as /dev/stdout is) names a descriptor: refused even
# when standard output is a regular file
ln -s /proc/self/fd/1 "$T/stdout"
"$MAILSEAL" encrypt -r bob@example.org -o "$T/stdout" "$T/m.eml" \
    >"$T/o" 2>"$T/err"
rc=$?
if [ "$rc" -ne 0 ] && [ -L "$T/stdout" ]; then
	ok "encrypt -o LINK-INTO-/proc (stdout a file): refused, link kept"
else
	echo "exit $rc" >"$T/why"
	not_ok "encrypt -o LINK-INTO-/proc (stdout a file): refused, link kept" \
	    "$T/why" "$T/err"
fi
# a symbolic link to a regular file is still replaced, not followed
: >"$T/plain"
ln -s "$T/plain" "$T/toplain"
ms "$T/o" "$T/err" encrypt -r bob@example.org -o "$T/toplain" "$T/m.eml"
if [ "$rc" -eq 0 ] && [ ! -L "$T/toplain" ] && [ ! -s "$T/plain" ]; then
	ok "encrypt -o LINK-TO-FILE: the link is replaced, not followed"
else
	not_ok "encrypt -o LINK-TO-FILE: the link is replaced, not followed" \
	    "$T/err"
fi

done_testing
