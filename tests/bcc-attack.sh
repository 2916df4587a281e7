#!/bin/sh
# bcc-attack.sh - an attacker's look at the gateway's own copies for
# hidden recipients (issue 11): no copy, clear or encrypted, tells its
# readers who else got the message hidden, whatever the configuration
# (decrypt = yes) or the shape of the header.  Through `mailseal filter`
# with the fake sendmail of tests/lib.sh.  TAP.
. "${MAILSEAL_SRCDIR:-.}/tests/lib.sh"

ms_home
IS_DIAG=$T/err
gw_env

# call_for RCPT - the number of the sendmail call whose arguments name RCPT
call_for() {
	grep -lxF "[$1]" "$T"/sm/*.args 2>/dev/null | head -n 1 |
	    sed 's|.*/||; s|\.args$||'
}

# calls - the number of sendmail calls of the last run
calls() {
	ls "$T/sm" | grep -c '\.args$'
}

# nobcc DESC N - call N's copy was made and has no Bcc or Resent-Bcc
# field in its header
nobcc() {
	if [ -n "$2" ] && [ -s "$T/sm/$2.msg" ] &&
	    [ -z "$(field "$T/sm/$2.msg" Bcc)" ] &&
	    [ -z "$(field "$T/sm/$2.msg" Resent-Bcc)" ]; then
		ok "$1"
	else
		not_ok "$1" "$T/err" "$T/sm/${2:-0}.msg"
	fi
}

conf dec "default_policy = opportunistic" "decrypt = yes"
printf 'Hello Bob,\nthe key is under the mat.\n' |
    msg "$T/m1.eml" 'From: Alice <alice@example.org>' \
    'To: Bob <bob@example.org>' \
    'Bcc: carol@example.org, nokey@example.org' \
    'Resent-Bcc: dave@example.org' \
    'Subject: the key' 'MIME-Version: 1.0' \
    'Content-Type: text/plain; charset=us-ascii'

# ------------------------------------------------------------ decrypt

# decrypt = yes: the clear copy is decrypt's result; it must leave out
# Bcc and Resent-Bcc as the clear copy of decrypt = no does
fm "$T/dec.conf" bob@example.org carol@example.org nokey@example.org \
    <"$T/m1.eml"
is "decrypt = yes, named, hidden and clear: three copies" "$rc/$(calls)" 0/3
nn=$(call_for nokey@example.org)
nobcc "... the clear copy (decrypt's result) has no Bcc field" "$nn"
if [ -n "$nn" ] && grep -q '^X-Mailseal-Decryption: not-encrypted$' \
    "$T/sm/$nn.msg" && [ "$(field "$T/sm/$nn.msg" X-Mailseal-Gateway)" = \
    gw1.test ] && [ "$(body "$T/sm/$nn.msg")" = "$(body "$T/m1.eml")" ] &&
    [ "$(field "$T/sm/$nn.msg" To)" = 'Bob <bob@example.org>' ]; then
	ok "... and keeps the marker, the verdicts, To and the body"
else
	not_ok "... and keeps the marker, the verdicts, To and the body" \
	    "$T/sm/${nn:-0}.msg"
fi
fm "$T/dec.conf" nokey@example.org <"$T/m1.eml"
is "decrypt = yes, clear only: one copy" "$rc/$(calls)" 0/1
nobcc "... without the Bcc field" 1

# ------------------------------------------------------------ signing

# sign = yes, and nothing signs for this sender: one line says so, not
# one per copy (five copies here: shared, three own, clear)
printf '%s\n' "other.example $(fpr alice)" >"$T/signers"
chmod 600 "$T/signers"
conf sig "default_policy = opportunistic" "sign = yes" \
    "signer_map = $T/signers"
printf 'the key is under the mat.\n' | msg "$T/s1.eml" \
    'From: someone@nowhere.test' 'To: bob@example.org' 'Subject: s'
fm "$T/sig.conf" bob@example.org pat@example.org peggy@example.org \
    xbob@example.org nokey@example.org <"$T/s1.eml"
is "sign = yes, no signer for the sender, five copies: one 'sent unsigned' line" \
    "$rc/$(calls)/$(grep -c 'sent unsigned' "$T/err")" 0/5/1

# ------------------------------------------------------------ deadline

# the deadline while the second of two copies is handed over (carol is
# hidden): 75, and the line says that one copy was taken already, as
# the retry sends it again (a duplicate, never a loss)
conf base "default_policy = opportunistic"
printf 'the key is under the mat.\n' | msg "$T/d1.eml" \
    'From: alice@example.org' 'To: bob@example.org' 'Subject: d'
SM_SLEEP=2 fm "$T/base.conf" --timeout 2 bob@example.org \
    carol@example.org <"$T/d1.eml"
if [ "$rc" -eq 75 ] && [ "$(wc -l <"$T/err")" -eq 1 ] &&
    grep -q '^mailseal: timed out (--timeout); copies handed over before: 1 (the retry sends them again)$' "$T/err"
then
	ok "deadline after one of two copies: 75, one line, says one was taken"
else
	not_ok "deadline after one of two copies: exit $rc (want 75)" "$T/err"
fi
SM_SLEEP=1 fm "$T/base.conf" --timeout 2 bob@example.org \
    carol@example.org <"$T/d1.eml"
if [ "$rc" -eq 75 ] &&
    grep -qx 'mailseal: timed out (--timeout)' "$T/err"; then
	ok "deadline in the first hand-off: 75, the line as before"
else
	not_ok "deadline in the first hand-off: exit $rc (want 75)" "$T/err"
fi

# ------------------------------------------------------------ no room

# a header with no room for our fields (LIMIT_HEADER_FIELDS) goes on as
# it came where nobody has a key; but its Bcc field is no more for its
# readers than any clear copy's
{
	printf '%s\n' 'From: alice@example.org' 'To: nokey@example.org' \
	    'Bcc: nokey2@example.org' 'Subject: full'
	i=0
	while [ $i -lt 1996 ]; do
		echo "X-Filler: $i"
		i=$((i + 1))
	done
	printf '\nthe key is under the mat.\n'
} >"$T/full.eml"
fm "$T/base.conf" nokey@example.org nokey2@example.org <"$T/full.eml"
is "no room in the header, no key: one copy as it came" "$rc/$(calls)" 0/1
nobcc "... without its Bcc field" 1
if [ -s "$T/sm/1.msg" ] && [ "$(grep -c '^X-Filler: ' "$T/sm/1.msg")" -eq 1996 ] &&
    [ "$(body "$T/sm/1.msg")" = "$(body "$T/full.eml")" ] &&
    logline | grep -q 'result=sent as it came (not a message)'; then
	ok "... all else as it came"
else
	not_ok "... all else as it came" "$T/err"
fi

done_testing
