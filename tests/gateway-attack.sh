#!/bin/sh
# gateway-attack.sh - the gateway core under hostile input and faults
# (issue 9, attack2): content gets a verdict, never 75; what goes out
# is what a user can check.  TAP.
. "${MAILSEAL_SRCDIR:-.}/tests/lib.sh"

ms_home
B=$(fpr bob)
gw_env
# conf, fm and logline: tests/lib.sh

# lines N FMT - N lines printf FMT with the line number
lines() {
	"$PYTHON" -c 'import sys
n = int(sys.argv[1])
f = sys.argv[2].replace("\\n", "\n")
sys.stdout.write("".join(f % i for i in range(n)))' "$@"
}

conf dec 'decrypt = yes'
cat >"$T/m1.eml" <<'EOF'
From: Alice <alice@example.org>
To: Bob <bob@example.org>
Subject: the quarterly figures
Message-ID: <m1@example.org>

Hello.
EOF
conf decreq 'decrypt = yes' 'default_policy = require'

# ------------------------------- decrypt = yes: the result over a limit

# pgpmime OUTER INNER FILE - a PGP/MIME message to bob (or $TO) with OUTER extra
# fields outside and INNER Content-* fields in the encrypted entity;
# together over LIMIT_HEADER_FIELDS (2000), each alone under it
pgpmime() {
	{
		printf 'Content-Type: text/plain\n'
		lines "$2" 'Content-X%d: a\n'
		printf '\nthe secret body\n'
	} >"$T/inner"
	g -a -e -r "${TO:-$B}" -o "$T/inner.asc" "$T/inner"
	{
		printf '%s\n' 'From: alice@example.org' \
		    'To: bob@example.org' 'Subject: s'
		lines "$1" 'X-F%d: a\n'
		printf '%s\n' 'MIME-Version: 1.0' \
		    'Content-Type: multipart/encrypted; boundary="BB"; protocol="application/pgp-encrypted"' \
		    '' '--BB' \
		    'Content-Type: application/pgp-encrypted' '' 'Version: 1' \
		    '' '--BB' 'Content-Type: application/octet-stream' ''
		cat "$T/inner.asc"
		printf '\n--BB--\n'
	} >"$3"
}
pgpmime 1000 1500 "$T/over.eml"

# a recipient with a key: the decrypted result cannot be encrypted
# again (no message we can read): refused with 5.6.0, never 75
fm "$T/dec.conf" -q Q1 -f alice@example.org bob@example.org <"$T/over.eml"
if [ "$rc" -eq 65 ] && grep -q '^5\.6\.0 ' "$T/err" &&
    ! ls "$T/sm" | grep -q .; then
	ok "decrypt = yes, decrypted header over the limit, a key: refused 65"
else
	not_ok "decrypt = yes, decrypted header over the limit, a key: refused 65 (exit $rc)" "$T/err"
fi

# no key, opportunistic: delivered as it came out of decryption, with
# our marker and verdicts first, and the log line says why
fm "$T/dec.conf" -q Q2 -f alice@example.org zed@example.org <"$T/over.eml"
if [ "$rc" -eq 0 ] && [ -s "$T/sm/1.msg" ] &&
    head -n 1 "$T/sm/1.msg" | grep -q '^X-Mailseal-Gateway: gw1.test' &&
    grep -q '^X-Mailseal-Decryption: decrypted' "$T/sm/1.msg" &&
    grep -q 'the secret body' "$T/sm/1.msg" &&
    logline | grep -q '^action=deliver policy=opportunistic to=<zed@example.org> why='; then
	ok "decrypt = yes, decrypted header over the limit, no key: delivered, why="
else
	not_ok "decrypt = yes, decrypted header over the limit, no key: delivered (exit $rc)" "$T/err"
fi

# require: refused, nobody gets clear text
fm "$T/decreq.conf" -q Q3 -f alice@example.org zed@example.org <"$T/over.eml"
if [ "$rc" -eq 65 ] && ! ls "$T/sm" | grep -q .; then
	ok "decrypt = yes, decrypted header over the limit, require: refused"
else
	not_ok "decrypt = yes, decrypted header over the limit, require: refused (exit $rc)" "$T/err"
fi

# just under: OUTER + INNER + ours within the limit is encrypted again
pgpmime 900 1000 "$T/under.eml"
fm "$T/dec.conf" -q Q4 -f alice@example.org bob@example.org <"$T/under.eml"
if [ "$rc" -eq 0 ] && logline | grep -q '^action=encrypt ' &&
    grep -q '^Content-Type: multipart/encrypted' "$T/sm/1.msg"; then
	ok "decrypt = yes, decrypted header under the limit: encrypted again"
else
	not_ok "decrypt = yes, decrypted header under the limit: encrypted again (exit $rc)" "$T/err"
fi

# ------------------------------------------------ an empty message

# decrypt = no passes an empty message on to a recipient without a key
# (nothing to encrypt, nothing to read); decrypt = yes must do the same,
# not defer it for ever (decrypt's "no input at all" is content)
conf opp
for c in opp dec; do
	fm "$T/$c.conf" -q Q5 -f alice@example.org zed@example.org </dev/null
	if [ "$rc" -eq 0 ] && [ -e "$T/sm/1.msg" ] && [ ! -s "$T/sm/1.msg" ] &&
	    logline | grep -q 'why=not-a-message'; then
		ok "$c: an empty message, no key: passed on, why=not-a-message"
	else
		not_ok "$c: an empty message, no key: passed on (exit $rc)" \
		    "$T/err"
	fi
done
fm "$T/dec.conf" -q Q6 -f alice@example.org bob@example.org </dev/null
if [ "$rc" -eq 65 ] && grep -q '^5\.6\.0 ' "$T/err" &&
    ! ls "$T/sm" | grep -q .; then
	ok "dec: an empty message, a key: refused 65"
else
	not_ok "dec: an empty message, a key: refused 65 (exit $rc)" "$T/err"
fi

# ------------------------------------------ the log line under attack

# a sender and a recipient (a catch-all domain takes any local part)
# whose quoted local parts hold spaces and fake decisions: every word
# of the line must be ours, so the only action= words are the real
# ones (one per recipient) and the line is one line
fm "$T/opp.conf" -q Q7 \
    -f '"x> why=none result=sent action=encrypt"@evil.example' \
    '"y> action=encrypt policy=require key=68A1137F3602B16E x"@example.org' \
    bob@example.org <"$T/m1.eml"
n=$(logline | tr ' ' '\n' | grep -c '^action=')
r=$(logline | tr ' ' '\n' | grep -c '^result=')
if [ "$rc" -eq 0 ] && [ "$(logline | wc -l)" -eq 1 ] && [ "$n" -eq 2 ] &&
    [ "$r" -eq 1 ] && logline | grep -q '^action=deliver policy=opportunistic to=<' &&
    ! logline | cut -c 1-100 | grep -q ' action=encrypt'; then
	ok "hostile addresses: no forged word in the log line"
else
	not_ok "hostile addresses: no forged word in the log line (exit $rc, $n action= words, $r result= words)" "$T/err"
fi
# the -q value is the MTA's, but the same holds for it
fm "$T/opp.conf" -q 'Q8 result=sent' -f alice@example.org zed@example.org \
    <"$T/m1.eml"
if [ "$(logline | tr ' ' '\n' | grep -c '^result=')" -eq 1 ]; then
	ok "a -q value with a space: one result= word"
else
	not_ok "a -q value with a space: one result= word" "$T/err"
fi

# ---------------------------- the copies' headers against the limit

# nfields FILE - the header fields of FILE (continuation lines not
# counted)
nfields() {
	awk '/^\r?$/ { exit } /^[^ \t]/ { n++ } END { print n + 0 }' "$1"
}
# every encrypted copy must be a message the gateway itself can read
# again (at most LIMIT_HEADER_FIELDS, 2000): else the loop check cannot
# see our marker when a copy comes round again.  decrypt = yes adds our
# marker and two verdicts, encryption MIME-Version and Content-Type.
for n in 1994 1995 1996 1997 1998; do
	printf 'From: a@example.org\n' >"$T/h$n.eml"
	lines $((n - 1)) 'X-F%d: a\n' >>"$T/h$n.eml"
	printf '\nbody\n' >>"$T/h$n.eml"
	for c in opp dec; do
		fm "$T/$c.conf" -q Q9 -f alice@example.org bob@example.org \
		    <"$T/h$n.eml"
		if [ "$rc" -eq 65 ] && ! ls "$T/sm" | grep -q .; then
			ok "$c, $n fields: refused, nothing sent"
		elif [ "$rc" -eq 0 ] &&
		    [ "$(nfields "$T/sm/1.msg")" -le 2000 ]; then
			ok "$c, $n fields: encrypted, within the limit"
		else
			not_ok "$c, $n fields: within the limit or refused (exit $rc, $(nfields "$T/sm/1.msg") fields out)" \
			    "$T/err"
		fi
	done
done

# decrypt = yes, encrypted to a key the gateway has no secret for
# (peggy): it goes on encrypted, unchanged but for our three fields,
# even when those fill the header to the limit
TO=$(fpr peggy) pgpmime 1992 1 "$T/peggy.eml"
fm "$T/dec.conf" -q Q10 -f alice@example.org bob@example.org <"$T/peggy.eml"
if [ "$rc" -eq 0 ] && logline | grep -q 'result=sent (already encrypted)' &&
    [ "$(nfields "$T/sm/1.msg")" -eq 2000 ]; then
	ok "dec, 2000 fields with ours, cannot decrypt: sent as encrypted"
else
	not_ok "dec, 2000 fields with ours, cannot decrypt: sent as encrypted (exit $rc)" \
	    "$T/err"
fi

# ------------------------------------------------ hand-off faults

# two copies, the second refused after the first was taken: 75 (the
# retry may duplicate the encrypted copy, never lose the clear one),
# and the log line says that the first copy went
conf opp
SM_FAIL=2
export SM_FAIL
fm "$T/opp.conf" -q Q11 -f alice@example.org bob@example.org \
    zed@example.org <"$T/m1.eml"
unset SM_FAIL
if [ "$rc" -eq 75 ] && [ ! -s "$T/out" ] && [ -s "$T/sm/1.msg" ] &&
    logline | grep -q 'result=deferred (the encrypted copy was handed over'; then
	ok "second copy refused: 75, the log line says the first went"
else
	not_ok "second copy refused: 75, the log line says the first went (exit $rc)" \
	    "$T/err"
fi
# the first copy refused: nothing went, plain "deferred"
SM_FAIL=1
export SM_FAIL
fm "$T/opp.conf" -q Q12 -f alice@example.org bob@example.org \
    zed@example.org <"$T/m1.eml"
unset SM_FAIL
if [ "$rc" -eq 75 ] && [ ! -e "$T/sm/2.args" ] &&
    logline | grep -q 'result=deferred$'; then
	ok "first copy refused: 75, the second not tried, result=deferred"
else
	not_ok "first copy refused: 75, the second not tried (exit $rc)" "$T/err"
fi

done_testing
