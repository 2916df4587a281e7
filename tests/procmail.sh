#!/bin/sh
# procmail.sh - the two recipes in contrib/, run by a real procmail as an
# MTA would run it for user bob: what lands in his Maildir, and that a
# failure of mailseal leaves the mail with the MTA (exit 75) instead of
# delivering anything.  TAP.
#
# The recipe files are used exactly as shipped.  procmail clears the
# environment and presets HOME, LOGNAME and PATH from the password file,
# so everything the recipes need comes as VAR=VALUE arguments, which
# procmail exports to mailseal; none of them is assigned in the recipes:
#   HOME       a throwaway home: ~/Maildir/ and ~/procmail.log go there
#   LOGNAME    bob: procmailrc.encrypt encrypts to $LOGNAME@example.org
#   PATH       a directory holding the built mailseal, then the usual
#   GNUPGHOME  the test keyring (ms_home)
. "${MAILSEAL_SRCDIR:-.}/tests/lib.sh"

require_tools procmail

ms_home
IS_DIAG="$T/pm.out $T/home/procmail.log"
A=$(fpr alice)
RC_ENC=$MAILSEAL_SRCDIR/contrib/procmailrc.encrypt
RC_DEC=$MAILSEAL_SRCDIR/contrib/procmailrc.decrypt
mkdir "$T/bin"
ln -s "$MAILSEAL" "$T/bin/mailseal"

# pm [-m] RCFILE MSG [VAR=VALUE...] - deliver MSG with procmail in a
# fresh home $H (with -m, one that has ~/Maildir/ already, as after the
# first delivery); $rc is procmail's exit status
pm() {
	H=$T/home
	rm -rf "$H"
	mkdir "$H"
	if [ "$1" = -m ]; then
		mkdir "$H/Maildir"
		shift
	fi
	_rc=$1 _msg=$2
	shift 2
	procmail -m HOME="$H" LOGNAME=bob PATH="$T/bin:/usr/bin:/bin" \
	    GNUPGHOME="$GNUPGHOME" "$@" "$_rc" <"$_msg" >"$T/pm.out" 2>&1
	rc=$?
}

# delivered [FOLDER] - the files in $H/Maildir/FOLDER/new, one a line
delivered() {
	find "$H/Maildir/${1:-}new" -type f 2>/dev/null
}

# one_delivered DESC [FOLDER] - procmail exited 0 and delivered exactly
# one message, to FOLDER (default the inbox) and nowhere else; $M is it
one_delivered() {
	M=$(delivered "${2:-}")
	_all=$(find "$H/Maildir" -type f 2>/dev/null | wc -l)
	if [ "$rc" -eq 0 ] && [ -n "$M" ] && [ "$(echo "$M" | wc -l)" -eq 1 ] &&
	    [ "$_all" -eq 1 ]; then
		ok "$1"
	else
		echo "procmail exit $rc; files under Maildir: $_all" >"$T/why"
		find "$H/Maildir" -type f >>"$T/why" 2>/dev/null
		not_ok "$1" "$T/why" "$T/pm.out" "$H/procmail.log"
		M=/dev/null
	fi
}

# nothing_delivered DESC - procmail exited 75 and wrote no message at all
nothing_delivered() {
	_all=$(find "$H" -path "$H/Maildir*" -type f 2>/dev/null | wc -l)
	if [ "$rc" -eq 75 ] && [ "$_all" -eq 0 ]; then
		ok "$1"
	else
		echo "procmail exit $rc; files under Maildir: $_all" >"$T/why"
		not_ok "$1" "$T/why" "$T/pm.out" "$H/procmail.log"
	fi
}

# a message as local(8) hands it to procmail: with a From_ line
cat >"$T/plain.eml" <<'EOF'
From alice@example.org  Sun Nov 22 10:00:00 2026
From: Alice <alice@example.org>
To: Bob <bob@example.org>
Subject: Minutes
Message-ID: <minutes@example.org>
Content-Type: text/plain; charset=us-ascii

The budget is approved.
EOF

# ---- procmailrc.encrypt
pm "$RC_ENC" "$T/plain.eml"
one_delivered "encrypt recipe: one message in ~/Maildir/new"
is "... it is multipart/encrypted" \
    "$(field "$M" Content-Type | sed -n '1s/;.*//p')" multipart/encrypted
is "... the From_ line is not in it, the header starts with From:" \
    "$(head -n 1 "$M")" "From: Alice <alice@example.org>"
# procmail ends the message with an empty line (mbox style) before the
# filter reads it, so the entity has one more CRLF at its end
"$PYTHON" "$CHECK_PGPMIME" armor "$M" >"$T/enc.asc" 2>"$T/why"
{ "$PYTHON" "$CHECK_PGPMIME" inner "$T/plain.eml"; printf '\r\n'; } \
    >"$T/enc.want"
if gpg_dec_only bob "$T/enc.asc" "$T/enc.got" &&
    cmp "$T/enc.want" "$T/enc.got" >>"$T/why" 2>&1; then
	ok "... and gpg with bob's key decrypts it to the original entity"
else
	not_ok "... and gpg with bob's key decrypts it to the original entity" \
	    "$T/why" "$T/enc.got.err" "$M"
fi

pm "$RC_ENC" "$T/plain.eml" GNUPGHOME="$T/no-such-home"
nothing_delivered "encrypt recipe, GnuPG home missing: exit 75, nothing delivered"

# ---- procmailrc.decrypt
# made by alice (the From_ line of plain.eml stays first)
"$MAILSEAL" encrypt -r bob@example.org --sign "$T/plain.eml" \
    >"$T/sealed.eml" 2>"$T/err" ||
    diag "mailseal encrypt --sign failed: $(cat "$T/err")"
pm "$RC_DEC" "$T/sealed.eml"
one_delivered "decrypt recipe: alice's signed and encrypted message in ~/Maildir/new"
is "... decrypted, with a good signature by alice's key" \
    "$(field "$M" X-Mailseal-Decryption)|$(field "$M" X-Mailseal-Signature)" \
    "decrypted|good; signer=$A"
is "... its body back" "$(body "$M")" "The budget is approved."
is "... with its Subject and Content-Type" \
    "$(field "$M" Subject)|$(field "$M" Content-Type)" \
    'Minutes|text/plain; charset=us-ascii'

# a sender's own verdict fields never survive
{
	echo 'From mallory@example.org  Sun Nov 22 10:00:00 2026'
	echo 'X-Mailseal-Signature: good; signer=0000000000000000000000000000000000000000'
	echo 'From: Alice <alice@example.org>'
	echo 'X-Mailseal-Decryption: decrypted'
	echo 'Subject: Please pay'
	echo
	echo 'Pay Mallory.'
} >"$T/forged.eml"
pm "$RC_DEC" "$T/forged.eml"
one_delivered "decrypt recipe: unsigned message with forged verdicts delivered"
is "... with one verdict field of each name, mailseal's: none, not-encrypted" \
    "$(field "$M" X-Mailseal-Signature)|$(field "$M" X-Mailseal-Decryption)" \
    "none|not-encrypted"

# the optional recipe: a bad signature, and a message for someone else,
# go to ~/Maildir/.Suspect/
printf 'Pay Bob 10 EUR.\n' >"$T/cs"
gpg --batch --no-tty --quiet --clearsign -u alice@example.org \
    -o "$T/cs.asc" "$T/cs" 2>"$T/err"
{
	echo 'From: Alice <alice@example.org>'
	echo 'Subject: invoice'
	echo
	sed 's/10 EUR/1000 EUR/' "$T/cs.asc"
} >"$T/tampered.eml"
pm -m "$RC_DEC" "$T/tampered.eml"
one_delivered "decrypt recipe: clear-signed text changed on the way: in .Suspect" \
    .Suspect/
is "... marked bad" "$(field "$M" X-Mailseal-Signature)" "bad; signer=$A"
pm "$RC_DEC" "$T/tampered.eml"
one_delivered "... before ~/Maildir/ exists, procmail cannot make .Suspect in it: inbox"

# "bad" with no signer named: a signature part that holds no signature
{
	echo 'From: Alice <alice@example.org>'
	echo 'MIME-Version: 1.0'
	echo 'Content-Type: multipart/signed; boundary="s";'
	echo ' protocol="application/pgp-signature"; micalg=pgp-sha256'
	echo
	echo '--s'
	echo 'Content-Type: text/plain'
	echo
	echo 'Pay Mallory.'
	echo '--s'
	echo 'Content-Type: application/pgp-signature'
	echo
	echo 'trust me'
	echo '--s--'
} >"$T/nosig.eml"
pm -m "$RC_DEC" "$T/nosig.eml"
one_delivered "decrypt recipe: a signature part without a signature: in .Suspect" \
    .Suspect/
is "... marked bad, no signer" "$(field "$M" X-Mailseal-Signature)" bad

"$MAILSEAL" encrypt -r peggy@example.org "$T/plain.eml" >"$T/peggy.eml" \
    2>"$T/err" || diag "mailseal encrypt -r peggy failed: $(cat "$T/err")"
pm -m "$RC_DEC" "$T/peggy.eml"
one_delivered "decrypt recipe: encrypted to a key bob lacks: in .Suspect" \
    .Suspect/
is "... marked failed, no-secret-key, ciphertext kept" \
    "$(field "$M" X-Mailseal-Decryption)|$(field "$M" Content-Type | sed -n '1s/;.*//p')" \
    "failed; reason=no-secret-key|multipart/encrypted"

# S/MIME to a certificate whose key the home lacks: failed, suspect like
# OpenPGP to another key
if have openssl; then
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/sm.key" \
	    -out "$T/sm.crt" -subj /CN=bob@example.org -days 2 >/dev/null 2>&1
	printf 'Content-Type: text/plain\n\nsecret\n' |
	    openssl cms -encrypt -aes256 "$T/sm.crt" 2>/dev/null |
	    sed '1i From: alice@example.org' >"$T/smime.eml"
	pm -m "$RC_DEC" "$T/smime.eml"
	one_delivered "decrypt recipe: S/MIME not to us: in .Suspect" \
	    .Suspect/
	is "... marked failed, no-secret-key" \
	    "$(field "$M" X-Mailseal-Decryption)" \
	    "failed; reason=no-secret-key; format=smime"
else
	skip "decrypt recipe: S/MIME not to us: in .Suspect" "no openssl"
	skip "... marked failed, no-secret-key" "no openssl"
fi

pm "$RC_DEC" "$T/sealed.eml" GNUPGHOME="$T/no-such-home"
nothing_delivered "decrypt recipe, GnuPG home missing: exit 75, nothing delivered"

# mail decrypt cannot parse is delivered as it came (it was 65, and the
# recipe made that 75: never delivered), with mailseal's verdicts and
# none of the sender's, however a reader splits the header
"$PYTHON" - "$T" <<'PY'
import sys
d = sys.argv[1]
top = (b"From mallory@example.org  Sun Nov 22 10:00:00 2026\n"
       b"From: Alice <alice@example.org>\n")
forged = (b"X-Mailseal-Decryption: decrypted\n"
          b"x-mailseal-signature : good; signer=0000000000000000\n"
          b"\tmore\n")
body = b"\nPay Mallory.\n"
cases = {
    "lonecr": b"Subject: hi\rX-Mailseal-Signature: good\n",
    "nul": b"Subject: h\x00i\n",
    "longline": b"X-Long: " + b"x" * 70000 + b"\n",
    "fields": b"".join(b"X-N%d: n\n" % i for i in range(2001)),
}
for name, mid in cases.items():
    with open("%s/raw-%s.eml" % (d, name), "wb") as f:
        f.write(top + forged + mid + forged + body)
PY
for c in lonecr nul longline fields; do
	pm "$RC_DEC" "$T/raw-$c.eml"
	one_delivered "decrypt recipe, unparseable ($c): delivered to the inbox"
	is "... with mailseal's verdicts: not-encrypted, none" \
	    "$(field "$M" X-Mailseal-Decryption)|$(field "$M" X-Mailseal-Signature)" \
	    "not-encrypted|none"
	is "... and no other verdict field, even split at a lone CR" \
	    "$(sed '/^\r\{0,1\}$/q' "$M" | tr '\r' '\n' | grep -ic '^x-mailseal-')" 2
	is "... the body as it came" "$(body "$M" | head -n 1)" "Pay Mallory."
done

done_testing
