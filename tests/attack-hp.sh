#!/bin/sh
# attack-hp.sh - header protection under attack, sending and receiving:
# what a reader that honours protected header fields shows must be what
# our verdicts speak of; what we hide outside stays hidden; our own
# output, sealed again, keeps one mark and no field twice.  TAP.
. "${MAILSEAL_SRCDIR:-$(dirname "$0")/..}/tests/lib.sh"

ms_home

# ---- 1. a signed-only message whose signed part carries protected
# fields (RFC 9788 hp="clear"; protected-headers="v1"): a reader that
# honours them shows the inner From, so the signature must match it.
# Mallory (xbob's key, a valid one) signs a part that says it is from
# Alice, under an outer From of his own.
# spart FROM - a signed part with a protected From FROM
spart() {
	printf 'Content-Type: text/plain; charset=us-ascii; hp="clear";\r\n'
	printf ' protected-headers="v1"\r\n'
	printf 'From: %s\r\nTo: bob@example.org\r\n' "$1"
	printf 'Subject: Friday\r\n\r\nWire 10000 EUR to Mallory today.\r\n'
}
# signedonly NAME OUTER-FROM INNER-FROM - $T/NAME.eml, signed by xbob
signedonly() {
	spart "$3" >"$T/$1.part"
	g -u xbob@example.org --detach-sign --armor -o "$T/$1.asc" \
	    "$T/$1.part"
	{
		printf 'From: %s\r\nTo: bob@example.org\r\n' "$2"
		printf 'Subject: Friday\r\nMIME-Version: 1.0\r\n'
		printf 'Content-Type: multipart/signed; micalg=pgp-sha256;\r\n'
		printf ' protocol="application/pgp-signature"; boundary="b"\r\n'
		printf '\r\n--b\r\n'
		cat "$T/$1.part"
		printf '\r\n--b\r\nContent-Type: application/pgp-signature\r\n\r\n'
		sed 's/$/\r/' "$T/$1.asc"
		printf -- '--b--\r\n'
	} >"$T/$1.eml"
}
xbob=$(fpr xbob)
signedonly so-forged 'xbob@example.org' 'Alice <alice@example.org>'
ms "$T/so-forged.out" "$T/err" decrypt "$T/so-forged.eml"
expect "signed-only, protected From Alice, signed by xbob: not good" \
    "$T/so-forged.out" \
    "X-Mailseal-Decryption: not-encrypted|X-Mailseal-Signature: mismatch; signer=$xbob|"
signedonly so-same 'xbob@example.org' 'Mallory <xbob@example.org>'
ms "$T/so-same.out" "$T/err" decrypt "$T/so-same.eml"
expect "signed-only, the same From inside and out: good" "$T/so-same.out" \
    "X-Mailseal-Decryption: not-encrypted|X-Mailseal-Signature: good; signer=$xbob|"

# ---- 2. Outlook and Exchange copy the Subject into Thread-Topic: with
# the Subject hidden, it must not stay outside in clear
msg "$T/topic.eml" 'From: Alice <alice@example.org>' 'To: bob@example.org' \
    'Subject: RE: Merger with Initech' 'Thread-Topic: Merger with Initech' \
    'Thread-Index: AQHZabcdEFGHIJKLMN==' 'Message-ID: <topic@example.org>' \
    <<'EOM'
Numbers on Monday.
EOM
ms "$T/topic.out" "$T/err" encrypt -r bob@example.org "$T/topic.eml"
# the outer header and the MIME prelude, before the armor
sed '/^-----BEGIN PGP MESSAGE-----/q' "$T/topic.out" >"$T/topic.clear"
if [ "$rc" -eq 0 ] && ! grep -q Initech "$T/topic.clear"; then
	ok "Thread-Topic: the Subject's text is nowhere outside the armor"
else
	not_ok "Thread-Topic: the Subject's text is nowhere outside the armor" \
	    "$T/topic.clear" "$T/err"
fi
check "... RFC 3156 structure, the outer fields as protect.c describes" \
    "$PYTHON" "$CHECK_PGPMIME" structure "$T/topic.out" "$T/topic.eml"
"$PYTHON" "$CHECK_PGPMIME" armor "$T/topic.out" >"$T/topic.asc"
gpg_dec "$T/topic.asc" "$T/topic.inner"
"$PYTHON" "$CHECK_PGPMIME" inner "$T/topic.eml" >"$T/topic.want"
check "... the entity inside is the one protect.c describes" \
    cmp "$T/topic.inner" "$T/topic.want"
is "... the outer Thread-Topic reads [...]" \
    "$(field "$T/topic.out" Thread-Topic)" '[...]'
ms "$T/topic.dec" "$T/err" decrypt "$T/topic.out"
is "... decrypted: the Thread-Topic back, once" \
    "$(field "$T/topic.dec" Thread-Topic)" 'Merger with Initech'
is "... and the Subject" "$(field "$T/topic.dec" Subject)" \
    'RE: Merger with Initech'

# ---- 3. a message its author signed (multipart/signed, no protected
# fields in the signed part) sealed by us: the protected header is on
# the multipart/signed root, the only place we can put it without
# breaking the signature; decrypt must show the real Subject, not [...]
printf 'Content-Type: text/plain; charset=us-ascii\r\n\r\nSigned, then sealed.\r\n' \
    >"$T/ss.part"
g -u alice@example.org --detach-sign --armor -o "$T/ss.asc" "$T/ss.part"
{
	printf 'From: Alice <alice@example.org>\r\nTo: bob@example.org\r\n'
	printf 'Subject: Board minutes\r\nMessage-ID: <ss@example.org>\r\n'
	printf 'MIME-Version: 1.0\r\n'
	printf 'Content-Type: multipart/signed; micalg=pgp-sha256;\r\n'
	printf ' protocol="application/pgp-signature"; boundary="b"\r\n'
	printf '\r\n--b\r\n'
	cat "$T/ss.part"
	printf '\r\n--b\r\nContent-Type: application/pgp-signature\r\n\r\n'
	sed 's/$/\r/' "$T/ss.asc"
	printf -- '--b--\r\n'
} >"$T/ss.eml"
alice=$(fpr alice)
ms "$T/ss.out" "$T/err" encrypt -r bob@example.org "$T/ss.eml"
is "signed by its author, sealed by us: the outer Subject reads [...]" \
    "$(field "$T/ss.out" Subject)" '[...]'
ms "$T/ss.dec" "$T/err" decrypt "$T/ss.out"
expect "... decrypted: decrypted, good" "$T/ss.dec" \
    "X-Mailseal-Decryption: decrypted|X-Mailseal-Signature: good; signer=$alice|"
is "... the Subject shown is the real one, once" \
    "$(field "$T/ss.dec" Subject)" 'Board minutes'

# ... and the From such a root header shows is the one the signature
# must match: xbob's signed part under a root header saying Alice
g -u xbob@example.org --detach-sign --armor -o "$T/sx.asc" "$T/ss.part"
{
	printf 'Content-Type: multipart/signed; micalg=pgp-sha256;\r\n'
	printf ' protocol="application/pgp-signature"; boundary="b";\r\n'
	printf ' hp="cipher"\r\nFrom: Alice <alice@example.org>\r\n'
	printf 'Subject: Board minutes\r\n\r\n--b\r\n'
	cat "$T/ss.part"
	printf '\r\n--b\r\nContent-Type: application/pgp-signature\r\n\r\n'
	sed 's/$/\r/' "$T/sx.asc"
	printf -- '--b--\r\n'
} >"$T/sx.ent"
{
	printf 'From: xbob@example.org\nTo: bob@example.org\nSubject: [...]\n'
	printf 'MIME-Version: 1.0\nContent-Type: multipart/encrypted;\n'
	printf ' protocol="application/pgp-encrypted"; boundary="BB"\n\n--BB\n'
	printf 'Content-Type: application/pgp-encrypted\n\nVersion: 1\n\n--BB\n'
	printf 'Content-Type: application/octet-stream\n\n'
	g -e -r bob@example.org --armor <"$T/sx.ent"
	printf -- '--BB--\n'
} >"$T/sx.eml"
ms "$T/sx.dec" "$T/err" decrypt "$T/sx.eml"
expect "xbob's signed part under a root header From Alice: mismatch" \
    "$T/sx.dec" \
    "X-Mailseal-Decryption: decrypted|X-Mailseal-Signature: mismatch; signer=$xbob|"
is "... the From shown is the one compared, once" \
    "$(field "$T/sx.dec" From)" 'Alice <alice@example.org>'

# ---- 4. forwarded through a gateway with decrypt = yes: Alice's signed
# and encrypted message, decrypted and sealed anew for carol.  The
# gateway's verdicts name the signer: they must not travel outside the
# new encryption in clear (they were inside the old one); inside, the
# header has one mark and each field once.
gw_env
printf 'Meet at noon.\n' | msg "$T/fw.eml" 'From: Alice <alice@example.org>' \
    'To: bob@example.org' 'Subject: Forward me' 'Message-ID: <fw@example.org>'
ms "$T/fw.enc" "$T/err" encrypt --sign --signer alice@example.org \
    -r bob@example.org "$T/fw.eml"
conf fw 'decrypt = yes'
rm -rf "$T/sm"
mkdir "$T/sm"
"$MAILSEAL" filter -c "$T/fw.conf" -f alice@example.org carol@example.org \
    <"$T/fw.enc" >"$T/out" 2>"$T/err"
rc=$?
sed '/^-----BEGIN PGP MESSAGE-----/q' "$T/sm/1.msg" >"$T/fw.clear" 2>/dev/null
if [ "$rc" -eq 0 ] && grep -q 'BEGIN PGP MESSAGE' "$T/fw.clear" &&
    ! grep -qi "^X-Mailseal-Signature\|$alice" "$T/fw.clear"; then
	ok "decrypt = yes, forwarded to carol: no verdict, no signer outside"
else
	not_ok "decrypt = yes, forwarded to carol: no verdict, no signer outside" \
	    "$T/fw.clear" "$T/err"
fi
"$PYTHON" "$CHECK_PGPMIME" armor "$T/sm/1.msg" >"$T/fw.asc" 2>&1
gpg_dec_only carol1 "$T/fw.asc" "$T/fw.inner" || :
sed '/^\r\{0,1\}$/q' "$T/fw.inner" | tr -d '\r' |
    awk '/^[^ \t]/ { sub(/:.*/, ""); print tolower($0) }' | sort |
    uniq -d | grep -v '^hp-outer$' >"$T/fw.dups"
is "... inside: no field twice" "$(cat "$T/fw.dups")" ''
is "... inside: one hp, one protected-headers" \
    "$(sed '/^\r\{0,1\}$/q' "$T/fw.inner" | grep -o 'hp=\|protected-headers=' | tr '\n' ' ')" \
    'hp= protected-headers= '

# ---- 5. a Content-Type that leaves a quoted string or a comment open,
# or names no type: our marks must not land inside it, where no reader
# sees them (the recipient's Subject would be [...])
n=0
for ct in 'text/plain; name="a' 'text/plain (note' '' '; charset=us-ascii'; do
	n=$((n + 1))
	printf 'Odd.\n' | msg "$T/ct$n.eml" 'From: alice@example.org' \
	    'To: bob@example.org' "Subject: Odd type $n" 'MIME-Version: 1.0' \
	    "Content-Type: $ct"
	ms "$T/ct$n.out" "$T/err" encrypt -r bob@example.org "$T/ct$n.eml"
	check "Content-Type '$ct': the structure protect.c describes" \
	    "$PYTHON" "$CHECK_PGPMIME" structure "$T/ct$n.out" "$T/ct$n.eml"
	"$PYTHON" "$CHECK_PGPMIME" armor "$T/ct$n.out" >"$T/ct$n.asc"
	gpg_dec "$T/ct$n.asc" "$T/ct$n.inner"
	"$PYTHON" "$CHECK_PGPMIME" inner "$T/ct$n.eml" >"$T/ct$n.want"
	check "... the entity inside is the one protect.c describes" \
	    cmp "$T/ct$n.inner" "$T/ct$n.want"
	ms "$T/ct$n.dec" "$T/err" decrypt "$T/ct$n.out"
	is "... decrypted: the real Subject" "$(field "$T/ct$n.dec" Subject)" \
	    "Odd type $n"
done

# ---- 6. a message that carries our marks (one mailseal decrypted)
# sealed without header protection, or signed: the entity has no
# protected header, so it must not say it has one (hp= readers, decrypt
# too, would drop the outer Subject, To and Cc as unprotected copies)
printf 'Read me.\n' | msg "$T/mk.eml" 'From: alice@example.org' \
    'To: Bob <bob@example.org>' 'Subject: Marked once' 'MIME-Version: 1.0' \
    'Content-Type: text/plain; charset=us-ascii;' \
    '	hp="cipher"; protected-headers="v1"'
ms "$T/mk.out" "$T/err" encrypt --no-protect-headers -r bob@example.org \
    "$T/mk.eml"
"$PYTHON" "$CHECK_PGPMIME" armor "$T/mk.out" >"$T/mk.asc"
gpg_dec "$T/mk.asc" "$T/mk.inner"
CHECK_PGPMIME_PROTECT=0 "$PYTHON" "$CHECK_PGPMIME" inner "$T/mk.eml" \
    >"$T/mk.want"
check "--no-protect-headers, a marked message: the entity as described" \
    cmp "$T/mk.inner" "$T/mk.want"
if grep -qi 'hp=\|protected-headers' "$T/mk.inner"; then
	not_ok "... no mark inside" "$T/mk.inner"
else
	ok "... no mark inside"
fi
ms "$T/mk.dec" "$T/err" decrypt "$T/mk.out"
is "... decrypted: Subject and To shown" \
    "$(field "$T/mk.dec" Subject)|$(field "$T/mk.dec" To)" \
    'Marked once|Bob <bob@example.org>'
ms "$T/mk.sig" "$T/err" sign --signer alice@example.org "$T/mk.eml"
if [ "$rc" -eq 0 ] && ! body "$T/mk.sig" | grep -qi 'hp=\|protected-headers'
then
	ok "signed, a marked message: the signed part has no mark"
else
	not_ok "signed, a marked message: the signed part has no mark" \
	    "$T/mk.sig" "$T/err"
fi
ms "$T/mk.ver" "$T/err" decrypt "$T/mk.sig"
expect "... and it verifies: good" "$T/mk.ver" \
    "X-Mailseal-Decryption: not-encrypted|X-Mailseal-Signature: good; signer=$alice|"

# ---- 7. the mark on a second Content-Type field of the signed part:
# readers that take the last one show its protected From
spart2() {
	printf 'Content-Type: text/plain; charset=us-ascii\r\n'
	printf 'Content-Type: text/plain; charset=us-ascii; hp="clear"\r\n'
	printf 'From: %s\r\nSubject: Friday\r\n\r\nWire it.\r\n' "$1"
}
spart2 'Alice <alice@example.org>' >"$T/so2.part"
g -u xbob@example.org --detach-sign --armor -o "$T/so2.asc" "$T/so2.part"
{
	printf 'From: xbob@example.org\r\nTo: bob@example.org\r\n'
	printf 'Subject: Friday\r\nMIME-Version: 1.0\r\n'
	printf 'Content-Type: multipart/signed; micalg=pgp-sha256;\r\n'
	printf ' protocol="application/pgp-signature"; boundary="b"\r\n'
	printf '\r\n--b\r\n'
	cat "$T/so2.part"
	printf '\r\n--b\r\nContent-Type: application/pgp-signature\r\n\r\n'
	sed 's/$/\r/' "$T/so2.asc"
	printf -- '--b--\r\n'
} >"$T/so2.eml"
ms "$T/so2.out" "$T/err" decrypt "$T/so2.eml"
expect "signed-only, the mark on a second Content-Type, From Alice: not good" \
    "$T/so2.out" \
    "X-Mailseal-Decryption: not-encrypted|X-Mailseal-Signature: mismatch; signer=$xbob|"

# ---- 8. marks our Content-Type parser does not keep, which readers see:
# an RFC 2231 name, one after 32 other parameters, one after a syntax
# error, one in a comment (Python's email package knows no comments)
many=$(i=0; while [ $i -lt 33 ]; do printf ' p%d=x;' $i; i=$((i + 1)); done)
n=0
for ct in "text/plain; hp*=us-ascii''clear" "text/plain;$many hp=\"clear\"" \
    "text/plain; protected-headers*=''v1" "text/plain; a=@; hp=\"clear\"" \
    "text/plain (; hp=\"clear\")"; do
	n=$((n + 1))
	{
		printf 'Content-Type: %s\r\n' "$ct"
		printf 'From: Alice <alice@example.org>\r\nSubject: Friday\r\n'
		printf '\r\nWire it.\r\n'
	} >"$T/so3-$n.part"
	g -u xbob@example.org --detach-sign --armor -o "$T/so3-$n.asc" \
	    "$T/so3-$n.part"
	{
		printf 'From: xbob@example.org\r\nTo: bob@example.org\r\n'
		printf 'Subject: Friday\r\nMIME-Version: 1.0\r\n'
		printf 'Content-Type: multipart/signed; micalg=pgp-sha256;\r\n'
		printf ' protocol="application/pgp-signature"; boundary="b"\r\n'
		printf '\r\n--b\r\n'
		cat "$T/so3-$n.part"
		printf '\r\n--b\r\nContent-Type: application/pgp-signature\r\n\r\n'
		sed 's/$/\r/' "$T/so3-$n.asc"
		printf -- '--b--\r\n'
	} >"$T/so3-$n.eml"
	ms "$T/so3-$n.out" "$T/err" decrypt "$T/so3-$n.eml"
	expect "signed-only, mark $n read leniently, From Alice: not good" \
	    "$T/so3-$n.out" \
	    "X-Mailseal-Decryption: not-encrypted|X-Mailseal-Signature: mismatch; signer=$xbob|"
done

done_testing
