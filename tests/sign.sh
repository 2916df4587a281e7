#!/bin/sh
# sign.sh - mailseal sign (RFC 3156 5 multipart/signed), encrypt --sign,
# the passphrase file, and the gateway's signing keys (signer_map, clear
# copies signed).  Every signature is checked by mailseal decrypt and by
# readers that are not mailseal: gpg, sqop, rnp, notmuch; and mailseal
# verifies what sqop and rnp sign.  TAP.
. "${MAILSEAL_SRCDIR:-.}/tests/lib.sh"

ms_home
A=$(fpr alice)
B=$(fpr bob)
SIGNED="$MAILSEAL_SRCDIR/tests/signed.py"
# the literal the test keys' pat.pass holds: never in argv or environ
PASS=$(head -n 1 "$KEYS/pat.pass")

# gpg_verify PART SIG - gpg says GOODSIG for SIG over PART (in $GNUPGHOME)
gpg_verify() {
	gpg --batch --no-tty --status-fd 1 --verify "$2" "$1" 2>/dev/null |
	    grep -q '^\[GNUPG:\] GOODSIG '
}

# split MSG - $T/part and $T/sig from MSG (line ends made CRLF)
split() {
	rm -f "$T/part" "$T/sig"
	"$PYTHON" "$SIGNED" split "$1" "$T/part" "$T/sig" 2>"$T/split.err"
}

printf 'Hello Bob,\nthe key is under the mat.\n' >"$T/text"
msg "$T/m.eml" 'From: Alice <alice@example.org>' 'To: Bob <bob@example.org>' \
    'Subject: signed' 'Bcc: carol@example.org' \
    'Content-Type: text/plain; charset=us-ascii' <"$T/text"

# ---- mailseal sign: the output, and every reader agrees
ms "$T/s.eml" "$T/err" sign "$T/m.eml"
is "sign: exit 0, nothing on standard error" "$rc:$(cat "$T/err")" "0:" "$T/err"
ms "$T/d" "$T/err" decrypt "$T/s.eml"
expect "sign: mailseal decrypt says good (the key is trusted)" "$T/d" \
    "X-Mailseal-Decryption: not-encrypted|X-Mailseal-Signature: good; signer=$A|"
is "sign: the outer header keeps every non-Content field, in order" \
    "$(sed '/^$/q' "$T/s.eml" | grep -v '^[[:space:]]' | cut -d: -f1 | tr '\n' ' ')" \
    "From To Subject Bcc MIME-Version Content-Type  "
is "sign: multipart/signed with the pgp-signature protocol" \
    "$(field "$T/s.eml" Content-Type | sed 's/boundary="[^"]*"/B/')" \
    'multipart/signed; micalg=pgp-sha256; protocol="application/pgp-signature"; B'
is "sign: a LF message gives a LF message" \
    "$("$PYTHON" "$CHECK_PGPMIME" eol "$T/s.eml")" lf
if split "$T/s.eml"; then
	printf 'Content-Type: text/plain; charset=us-ascii\r\n\r\n' >"$T/want"
	sed 's/$/\r/' "$T/text" >>"$T/want"
	check "sign: the signed part is the Content-* fields and the body, CRLF" \
	    cmp "$T/part" "$T/want"
	check "sign: gpg --verify says GOODSIG over the signed part" \
	    gpg_verify "$T/part" "$T/sig"
	if have sqop; then
		check "sign: sqop verify says good" \
		    sh -c 'sqop verify "$1" "$2" <"$3" >/dev/null 2>&1' sh \
		    "$T/sig" "$KEYS/alice.pub.asc" "$T/part"
	else
		skip "sign: sqop verify" "no sqop"
	fi
	if have rnp; then
		check "sign: rnp --verify says good" \
		    sh -c 'rnp --keyfile "$1" --verify "$2" --source "$3" \
		    >/dev/null 2>&1 </dev/null' sh "$KEYS/alice.pub.asc" \
		    "$T/sig" "$T/part"
	else
		skip "sign: rnp --verify" "no rnp"
	fi
else
	not_ok "sign: the output splits into part and signature" "$T/split.err"
fi

# notmuch (GMime + GPGME) in a maildir of its own, Bob's view: Alice's
# key is in the home
if have notmuch; then
	mkdir -p "$T/md/cur" "$T/md/new" "$T/md/tmp"
	cp "$T/s.eml" "$T/md/new/1:2,"
	printf '[database]\npath=%s\n[user]\nprimary_email=bob@example.org\n[new]\ntags=inbox;\n' \
	    "$T/md" >"$T/nm.conf"
	NOTMUCH_CONFIG=$T/nm.conf notmuch new >/dev/null 2>&1
	NOTMUCH_CONFIG=$T/nm.conf notmuch show --format=json --verify=true \
	    subject:signed >"$T/nm.json" 2>"$T/nm.err"
	is "sign: notmuch shows the signature good" "$("$PYTHON" -c '
import json, sys
def walk(x):
    if isinstance(x, dict):
        if "sigstatus" in x:
            print(",".join(s.get("status", "?") for s in x["sigstatus"]))
        for v in x.values(): walk(v)
    elif isinstance(x, list):
        for v in x: walk(v)
walk(json.load(open(sys.argv[1])))' "$T/nm.json")" good "$T/nm.json" "$T/nm.err"
else
	skip "sign: notmuch shows the signature good" "no notmuch"
fi

# good-untrusted: a home that holds Alice's public key without trust
mkdir -m 700 "$T/pub"
_ms_homes="$_ms_homes $T/pub"
gpg --homedir "$T/pub" --batch --quiet --import "$KEYS/alice.pub.asc" 2>/dev/null
ms "$T/d" "$T/err" decrypt --homedir "$T/pub" "$T/s.eml"
expect "sign: an untrusted key gives good-untrusted" "$T/d" \
    "X-Mailseal-Decryption: not-encrypted|X-Mailseal-Signature: good-untrusted; signer=$A|"

# a change to the signed part is bad, never good
sed 's/under the mat/in the shed/' "$T/s.eml" >"$T/bad.eml"
ms "$T/d" "$T/err" decrypt "$T/bad.eml"
expect "sign: a changed body reads as bad" "$T/d" \
    "X-Mailseal-Decryption: not-encrypted|X-Mailseal-Signature: bad; signer=$A|"

# ---- CRLF in, CRLF out; what gpg signed is what is between the lines
sed 's/$/\r/' "$T/m.eml" >"$T/crlf.eml"
ms "$T/s2.eml" "$T/err" sign "$T/crlf.eml"
is "sign, CRLF: a CRLF message gives a CRLF message" \
    "$rc $("$PYTHON" "$CHECK_PGPMIME" eol "$T/s2.eml")" "0 crlf" "$T/err"
ms "$T/d" "$T/err" decrypt "$T/s2.eml"
expect "sign, CRLF: decrypt says good" "$T/d" \
    "X-Mailseal-Decryption: not-encrypted|X-Mailseal-Signature: good; signer=$A|"
split "$T/s2.eml" && check "sign, CRLF: gpg --verify says GOODSIG" \
    gpg_verify "$T/part" "$T/sig"

# a body without a final line end, and a message without Content-*
printf 'From: alice@example.org\nSubject: x\n\nno line end' >"$T/noeol.eml"
ms "$T/s3.eml" "$T/err" sign "$T/noeol.eml"
ms "$T/d" "$T/err" decrypt "$T/s3.eml"
expect "sign: no final line end, no Content-Type: good" "$T/d" \
    "X-Mailseal-Decryption: not-encrypted|X-Mailseal-Signature: good; signer=$A|"
split "$T/s3.eml" && is "... and the signed part is an empty header and the body" \
    "$(od -An -c "$T/part" | tr -s ' ' | tr -d '\n')" \
    " \r \n n o l i n e e n d"

# an LF message with CR LF lines, one CR LF split across the readers'
# 32 KiB steps (body bytes 32767 and 32768)
"$PYTHON" -c '
import sys
line = b"x" * 99 + b"\n"
body = line * 327 + b"y" * 67 + b"\r\n" + b"z" * 10 + b"\r\n" + line * 400
assert body[32767:32769] == b"\r\n"
sys.stdout.buffer.write(b"From: alice@example.org\nSubject: crlf\n\n" + body)
' >"$T/mixed.eml"
ms "$T/s4.eml" "$T/err" sign "$T/mixed.eml"
ms "$T/d" "$T/err" decrypt "$T/s4.eml"
expect "sign: CR LF lines in an LF message, one across 32 KiB steps: good" \
    "$T/d" "X-Mailseal-Decryption: not-encrypted|X-Mailseal-Signature: good; signer=$A|"
split "$T/s4.eml" && check "... and gpg --verify says GOODSIG" \
    gpg_verify "$T/part" "$T/sig"

# a CR that no LF follows ends a line in the signed part (attack-sign):
# a body that ends in one (its CR met our delimiter's LF: bad), CR CR LF
# (written CR LF: bad), one inside a line (decrypt said none), one at a
# 16 KiB step; each in an LF and a CR LF message: decrypt says good, and
# gpg verifies the part a reader cuts out
i=0
for body in 'abc\r' 'abc\r\r\ndef\n' 'ab\rc\n' '\r' 'abc\n\r' 'a\r\rb\r\n\r'; do
	for eol in '\n' '\r\n'; do
		i=$((i + 1))
		printf "From: alice@example.org${eol}Subject: cr $i${eol}${eol}$body" \
		    >"$T/cr$i.eml"
		ms "$T/cr$i.s" "$T/err" sign "$T/cr$i.eml"
		ms "$T/d" "$T/err2" decrypt "$T/cr$i.s"
		if split "$T/cr$i.s" && gpg_verify "$T/part" "$T/sig"; then
			g=GOODSIG
		else
			g=-
		fi
		is "sign: a CR without LF in $body ($(printf "$eol" | od -An -c | tr -d ' ')): good, GOODSIG" \
		    "$rc $(verdicts "$T/d" | cut -d';' -f1) $g" \
		    "0 X-Mailseal-Decryption: not-encrypted|X-Mailseal-Signature: good $g" \
		    "$T/err" "$T/cr$i.s"
	done
done
"$PYTHON" -c '
import sys
body = b"x" * 16000 + b"\r" + b"y" * 383 + b"\r" + b"z" * 20000 + b"\n"
sys.stdout.buffer.write(b"From: alice@example.org\nSubject: cr\n\n" + body)
' >"$T/cr16k.eml"
ms "$T/cr16k.s" "$T/err" sign "$T/cr16k.eml"
ms "$T/d" "$T/err" decrypt "$T/cr16k.s"
expect "sign: bare CRs across 16 KiB steps: good" "$T/d" \
    "X-Mailseal-Decryption: not-encrypted|X-Mailseal-Signature: good; signer=$A|"
split "$T/cr16k.s" && check "... and gpg --verify says GOODSIG" \
    gpg_verify "$T/part" "$T/sig"

# ---- 8bit is signed as it is; binary is refused
printf 'Gr\303\274\303\237e, Bob\n' | msg "$T/8.eml" 'From: alice@example.org' \
    'Subject: 8bit' 'MIME-Version: 1.0' \
    'Content-Type: text/plain; charset=utf-8' 'Content-Transfer-Encoding: 8bit'
ms "$T/s8.eml" "$T/err" sign "$T/8.eml"
ms "$T/d" "$T/err" decrypt "$T/s8.eml"
expect "sign: an 8bit body is signed as it is and reads good" "$T/d" \
    "X-Mailseal-Decryption: not-encrypted|X-Mailseal-Signature: good; signer=$A|"
grep -q "$(printf 'Gr\303\274\303\237e')" "$T/s8.eml" &&
    ok "... its bytes are not re-encoded" || not_ok "... its bytes are not re-encoded" "$T/s8.eml"
sed 's/8bit$/binary/' "$T/8.eml" >"$T/bin.eml"
ms "$T/o" "$T/err" sign "$T/bin.eml"
is "sign: Content-Transfer-Encoding binary: exit 65, one line, no output" \
    "$rc $(one_line "$T/err" && echo one) $(wc -c <"$T/o")" "65 one 0" "$T/err"

# ---- already signed or encrypted: passed on unchanged
ms "$T/o" "$T/err" sign "$T/s.eml"
is "sign: an already signed message: exit 0" "$rc" 0 "$T/err"
check "... and it is passed on unchanged" cmp "$T/o" "$T/s.eml"
ms "$T/enc.eml" "$T/err" encrypt -r bob@example.org "$T/m.eml"
ms "$T/o" "$T/err" sign "$T/enc.eml"
is "sign: an encrypted message: exit 0" "$rc" 0 "$T/err"
check "... and it is passed on unchanged" cmp "$T/o" "$T/enc.eml"

# ---- the signer
ms "$T/o" "$T/err" sign --signer bob@example.org "$T/m.eml"
ms "$T/d" "$T/err" decrypt "$T/o"
expect "sign --signer bob: Bob's signature, a mismatch with From" "$T/d" \
    "X-Mailseal-Decryption: not-encrypted|X-Mailseal-Signature: mismatch; signer=$B|"
sed 's/^From: .*/From: peggy@example.org/' "$T/m.eml" >"$T/peggy.eml"
ms "$T/o" "$T/err" sign "$T/peggy.eml"
is "sign: no secret key for the From address: exit 78, one line, no output" \
    "$rc $(one_line "$T/err" && echo one) $(wc -c <"$T/o")" "78 one 0" "$T/err"
sed 's/^From: .*/From: a@example.org, b@example.org/' "$T/m.eml" >"$T/two.eml"
ms "$T/o" "$T/err" sign "$T/two.eml"
is "sign: two From mailboxes and no --signer: exit 78" "$rc" 78 "$T/err"
# S/MIME signs with a certificate (tests/smime-sign.sh); this home has
# OpenPGP keys alone, so an OpenPGP key never signs an S/MIME message
ms "$T/o" "$T/err" sign --smime "$T/m.eml"
is "sign --smime with no certificate for From: exit 78, nothing written" \
    "$rc $(wc -c <"$T/o") $(grep -c 'no usable signing key' "$T/err")" \
    "78 0 1" "$T/err"

# ---- micalg is the hash gpg used
gpg_hash() {
	gpg --batch --list-packets "$1" 2>/dev/null |
	    sed -n 's/.*digest algo \([0-9]*\),.*/\1/p' | head -n 1
}
is "sign: micalg pgp-sha256 and the signature's digest algo 8 (SHA256)" \
    "$("$PYTHON" "$SIGNED" micalg "$T/s.eml") $(split "$T/s.eml"; gpg_hash "$T/sig")" \
    "pgp-sha256 8"
echo 'personal-digest-preferences SHA512' >>"$GNUPGHOME/gpg.conf"
ms "$T/s5.eml" "$T/err" sign "$T/m.eml"
is "sign, SHA512 preferred in gpg.conf: micalg pgp-sha512, digest algo 10" \
    "$("$PYTHON" "$SIGNED" micalg "$T/s5.eml") $(split "$T/s5.eml"; gpg_hash "$T/sig")" \
    "pgp-sha512 10" "$T/err"
ms "$T/d" "$T/err" decrypt "$T/s5.eml"
expect "... and it reads good" "$T/d" \
    "X-Mailseal-Decryption: not-encrypted|X-Mailseal-Signature: good; signer=$A|"
sed -i '/personal-digest-preferences/d' "$GNUPGHOME/gpg.conf"

# ---- sqop and rnp sign; mailseal verifies
printf 'Content-Type: text/plain; charset=us-ascii\r\n\r\nSigned elsewhere.\r\n' \
    >"$T/cpart"
for tool in sqop rnp; do
	if ! have $tool; then
		skip "$tool signs a multipart/signed, decrypt says good" "no $tool"
		continue
	fi
	rm -f "$T/$tool.sig"
	if [ $tool = sqop ]; then
		sqop sign --as=binary "$KEYS/alice.sec.asc" <"$T/cpart" \
		    >"$T/$tool.sig" 2>"$T/$tool.err"
		alg=pgp-sha512
	else
		rnp --keyfile "$KEYS/alice.sec.asc" --sign --detach --armor \
		    --output "$T/$tool.sig" "$T/cpart" </dev/null \
		    >"$T/$tool.err" 2>&1
		alg=pgp-sha256
	fi
	"$PYTHON" "$SIGNED" build "$T/cpart" "$T/$tool.sig" $alg \
	    'From: Alice <alice@example.org>' 'To: bob@example.org' \
	    "Subject: $tool" >"$T/$tool.eml"
	ms "$T/d" "$T/err" decrypt "$T/$tool.eml"
	expect "$tool signs a multipart/signed, decrypt says good" "$T/d" \
	    "X-Mailseal-Decryption: not-encrypted|X-Mailseal-Signature: good; signer=$A|"
	ms "$T/d" "$T/err" decrypt --homedir "$T/pub" "$T/$tool.eml"
	expect "... and good-untrusted without trust" "$T/d" \
	    "X-Mailseal-Decryption: not-encrypted|X-Mailseal-Signature: good-untrusted; signer=$A|"
done

# ---- encrypt --sign: every reader decrypts and verifies
ms "$T/es.eml" "$T/err" encrypt --sign "$T/m.eml"
ms "$T/d" "$T/err" decrypt "$T/es.eml"
expect "encrypt --sign: decrypt says good" "$T/d" \
    "X-Mailseal-Decryption: decrypted|X-Mailseal-Signature: good; signer=$A|"
"$PYTHON" "$CHECK_PGPMIME" armor "$T/es.eml" >"$T/es.asc"
if have sqop; then
	rm -f "$T/verif"
	sqop decrypt --verifications-out="$T/verif" \
	    --verify-with="$KEYS/alice.pub.asc" "$KEYS/bob.sec.asc" \
	    <"$T/es.asc" >/dev/null 2>"$T/sq.err"
	is "encrypt --sign: sqop decrypts and verifies Alice's signature" \
	    "$(cut -d' ' -f3 "$T/verif" 2>/dev/null)" "$A" "$T/sq.err"
else
	skip "encrypt --sign: sqop decrypts and verifies" "no sqop"
fi
if have rnp; then
	mkdir -m 700 "$T/rnph"
	rnpkeys --homedir "$T/rnph" --import "$KEYS/bob.sec.asc" >/dev/null 2>&1
	rnpkeys --homedir "$T/rnph" --import "$KEYS/alice.pub.asc" >/dev/null 2>&1
	rnp --homedir "$T/rnph" --decrypt --output "$T/rnp.out" "$T/es.asc" \
	    </dev/null >"$T/rnp.err" 2>&1
	is "encrypt --sign: rnp decrypts and verifies" \
	    "$? $(grep -c 'Signature(s) verified successfully' "$T/rnp.err")" \
	    "0 1" "$T/rnp.err"
else
	skip "encrypt --sign: rnp decrypts and verifies" "no rnp"
fi

# ---- the passphrase file (pat's key is protected)
P=$(fpr pat)
msg "$T/pat.eml" 'From: Pat <pat@example.org>' 'To: bob@example.org' \
    'Subject: pat' <"$T/text"
cp "$KEYS/pat.pass" "$T/pass"
chmod 600 "$T/pass"
printf 'wrong horse\n' >"$T/wrong"
chmod 600 "$T/wrong"
# fresh homes: gpg-agent caches a passphrase it was given
pat_home() {
	gpgconf --homedir "$GNUPGHOME" --kill all >/dev/null 2>&1
	ms_home
}
pat_home
ms "$T/o" "$T/err" sign --passphrase-file "$T/wrong" "$T/pat.eml"
is "passphrase: a wrong one: exit 78, one line, no output" \
    "$rc $(one_line "$T/err" && echo one) $(wc -c <"$T/o")" "78 one 0" "$T/err"
grep -q 'wrong passphrase' "$T/err" && ok "... which says wrong passphrase" ||
    not_ok "... which says wrong passphrase" "$T/err"
pat_home
# a gpg that records its arguments and environment, and its parent's
# (the supervisor, mailseal-gpg), then runs gpg
mkdir "$T/bin"
cat >"$T/bin/gpg" <<WRAP
#!/bin/sh
printf '%s\n' "\$0" "\$@" >>'$T/gpg.argv'
env >>'$T/gpg.env'
case \$(cat /proc/\$PPID/comm) in
mailseal*)
	tr '\0' '\n' </proc/\$PPID/cmdline >>'$T/gpg.argv'
	tr '\0' '\n' </proc/\$PPID/environ >>'$T/gpg.env' ;;
esac
exec $(command -v gpg) "\$@"
WRAP
chmod 755 "$T/bin/gpg"
: >"$T/gpg.argv"
: >"$T/gpg.env"
PATH=$T/bin:$PATH ms "$T/o" "$T/err" sign --passphrase-file "$T/pass" \
    "$T/pat.eml"
is "passphrase: the right one signs (exit 0)" "$rc" 0 "$T/err"
ms "$T/d" "$T/err" decrypt "$T/o"
expect "... and decrypt says good" "$T/d" \
    "X-Mailseal-Decryption: not-encrypted|X-Mailseal-Signature: good; signer=$P|"
is "... gpg ran through the recording wrapper, with the loopback pinentry" \
    "$(grep -c -- '^--pinentry-mode=loopback$' "$T/gpg.argv" |
    sed 's/^[1-9][0-9]*$/yes/')" yes \
    "$T/gpg.argv"
if grep -F -q -- "$PASS" "$T/gpg.argv" "$T/gpg.env"; then
	not_ok "... the passphrase is in no argv or environment of gpg or its parent" \
	    "$T/gpg.argv"
else
	ok "... the passphrase is in no argv or environment of gpg or its parent"
fi
pat_home
chmod 644 "$T/pass"
ms "$T/o" "$T/err" sign --passphrase-file "$T/pass" "$T/pat.eml"
is "passphrase: a file of mode 0644 is refused: 78, one line, no output" \
    "$rc $(one_line "$T/err" && echo one) $(wc -c <"$T/o")" "78 one 0" "$T/err"
chmod 600 "$T/pass"
ln -s "$T/pass" "$T/passlink"
ms "$T/o" "$T/err" sign --passphrase-file "$T/passlink" "$T/pat.eml"
is "passphrase: a symbolic link is refused: 78" "$rc" 78 "$T/err"
ms "$T/o" "$T/err" sign --passphrase-file "$T/nonesuch" "$T/pat.eml"
is "passphrase: a missing file: 78" "$rc" 78 "$T/err"
printf 'a\nb\n' >"$T/two"
chmod 600 "$T/two"
ms "$T/o" "$T/err" sign --passphrase-file "$T/two" "$T/pat.eml"
is "passphrase: two lines are refused: 78" "$rc" 78 "$T/err"
# a gpg that takes the part and then hangs: --timeout ends it, 75 and
# nothing written (attack-sign; killed gpg: tests/gpg-faults.sh)
mkdir "$T/hang"
cat >"$T/hang/gpg" <<WRAP
#!/bin/sh
case " \$* " in *" --sign "*) cat >/dev/null; exec sleep 30 ;; esac
exec $(command -v gpg) "\$@"
WRAP
chmod 755 "$T/hang/gpg"
PATH=$T/hang:$PATH ms "$T/o" "$T/err" sign --timeout 2 "$T/m.eml"
is "sign: a gpg that hangs mid-signature: 75 after --timeout, nothing written" \
    "$rc $(wc -c <"$T/o") $(grep -c 'timed out' "$T/err")" "75 0 1" "$T/err"
# LIMIT_PASSPHRASE (255): just under reaches gpg (a wrong passphrase),
# just over is refused before gpg runs
head -c 255 /dev/zero | tr '\0' x >"$T/p255"
head -c 256 /dev/zero | tr '\0' x >"$T/p256"
chmod 600 "$T/p255" "$T/p256"
ms "$T/o" "$T/err" sign --passphrase-file "$T/p255" "$T/pat.eml"
is "passphrase: 255 bytes reach gpg (wrong passphrase, 78)" \
    "$rc $(grep -c 'wrong passphrase' "$T/err")" "78 1" "$T/err"
ms "$T/o" "$T/err" sign --passphrase-file "$T/p256" "$T/pat.eml"
is "passphrase: 256 bytes are over LIMIT_PASSPHRASE (78)" \
    "$rc $(grep -c 'LIMIT_PASSPHRASE' "$T/err")" "78 1" "$T/err"
pat_home
ms "$T/o" "$T/err" encrypt --sign --passphrase-file "$T/pass" \
    -r bob@example.org "$T/pat.eml"
ms "$T/d" "$T/err" decrypt "$T/o"
expect "passphrase: encrypt --sign --passphrase-file: decrypt says good" "$T/d" \
    "X-Mailseal-Decryption: decrypted|X-Mailseal-Signature: good; signer=$P|"
ms "$T/o" "$T/err" encrypt --passphrase-file "$T/pass" -r bob@example.org \
    "$T/pat.eml"
is "passphrase: encrypt --passphrase-file without --sign: 64" "$rc" 64 "$T/err"

# ---- the gateway: signer_map, clear copies signed, encrypted copies signed
pat_home
gw_env
printf '%s\n' '# sender or domain, then the signing key' \
    "alice@example.org $A" "example.org $B" "dave@example.org $(fpr peggy)" \
    "pat@example.org pat@example.org" >"$T/signers"
chmod 600 "$T/pass"
conf gw 'sign = yes' "signer_map = $T/signers" "passphrase_file = $T/pass"
# gwmsg FROM FILE - a message from FROM to nokey@example.net (no key: clear)
gwmsg() {
	msg "$2" "From: $1" 'To: nokey@example.net, bob@example.org' \
	    'Subject: gw' 'Content-Type: text/plain' <"$T/text"
}
gwmsg 'Alice <alice@example.org>' "$T/g1.eml"
fm "$T/gw.conf" -f alice@example.org --stdout nokey@example.net <"$T/g1.eml"
is "gateway: a clear copy with sign = yes: exit 0" "$rc" 0 "$T/err"
ms "$T/d" "$T/err2" decrypt "$T/out"
expect "gateway: signer_map by address: the clear copy is signed by Alice, good" \
    "$T/d" "X-Mailseal-Decryption: not-encrypted|X-Mailseal-Signature: good; signer=$A|"
is "... multipart/signed, our marker first" \
    "$(head -n 1 "$T/out" | cut -d: -f1) $(field "$T/out" Content-Type | cut -d';' -f1)" \
    "X-Mailseal-Gateway multipart/signed"
fm "$T/gw.conf" -f alice@example.org --stdout bob@example.org <"$T/g1.eml"
ms "$T/d" "$T/err2" decrypt "$T/out"
expect "gateway: the encrypted copy is signed by Alice too, good" "$T/d" \
    "X-Mailseal-Decryption: decrypted|X-Mailseal-Signature: good; signer=$A|"
# a Bcc stays out of the signed clear copy (its readers are not told
# who got it hidden), and the signature is still good without it
msg "$T/g1b.eml" 'From: Alice <alice@example.org>' \
    'To: nokey@example.net' 'Bcc: carol@example.org' 'Subject: gw' \
    'Content-Type: text/plain' <"$T/text"
fm "$T/gw.conf" -f alice@example.org --stdout nokey@example.net <"$T/g1b.eml"
ms "$T/d" "$T/err2" decrypt "$T/out"
is "gateway: a signed clear copy leaves the Bcc field out, signature good" \
    "$rc $(grep -ci '^bcc:' "$T/out") $(verdicts "$T/d")" \
    "0 0 X-Mailseal-Decryption: not-encrypted|X-Mailseal-Signature: good; signer=$A|" \
    "$T/out"
# ... and from a message that is already signed or encrypted, which
# goes on as it came but for those fields, as it does without sign = yes
# (attack-sign)
ms "$T/pre.eml" "$T/err2" sign "$T/m.eml"
ms "$T/pre2.eml" "$T/err2" encrypt -r bob@example.org "$T/m.eml"
sed -i '1a\
Bcc: carol@example.org' "$T/pre2.eml"
for pre in pre pre2; do
	fm "$T/gw.conf" -f alice@example.org --stdout nokey@example.net \
	    <"$T/$pre.eml"
	grep -vi '^bcc:' "$T/$pre.eml" >"$T/$pre.nobcc"
	tail -n +2 "$T/out" >"$T/$pre.got"
	is "gateway: sign = yes, $pre.eml (Bcc, already signed or encrypted): as it came, but no Bcc field" \
	    "$rc $(grep -c '^Bcc:' "$T/$pre.eml") $(grep -ci '^bcc:' "$T/out") $(cmp -s "$T/$pre.got" "$T/$pre.nobcc" && echo same)" \
	    "0 1 0 same" "$T/err" "$T/out"
done
# the From field is the client's to write: a signer_map entry signs
# only for the envelope sender it names, never for another user of the
# gateway who writes that From (attack-sign)
fm "$T/gw.conf" -f mallory@example.org --stdout nokey@example.net <"$T/g1.eml"
ms "$T/d" "$T/err2" decrypt "$T/out"
is "gateway: From alice, envelope sender mallory: not signed by Alice, logged" \
    "$rc $(verdicts "$T/d") $(grep -c 'envelope sender is mallory@example.org: not used' "$T/err")" \
    "0 X-Mailseal-Decryption: not-encrypted|X-Mailseal-Signature: none| 1" \
    "$T/err" "$T/d"
fm "$T/gw.conf" -f mallory@example.org --stdout bob@example.org <"$T/g1.eml"
ms "$T/d" "$T/err2" decrypt "$T/out"
is "gateway: ... nor is the encrypted copy" "$rc $(verdicts "$T/d")" \
    "0 X-Mailseal-Decryption: decrypted|X-Mailseal-Signature: none|" "$T/err" "$T/d"
fm "$T/gw.conf" --stdout nokey@example.net <"$T/g1.eml"
ms "$T/d" "$T/err2" decrypt "$T/out"
is "gateway: From alice without -f: not signed by Alice, logged" \
    "$rc $(verdicts "$T/d") $(grep -c 'not given (no -f): not used' "$T/err")" \
    "0 X-Mailseal-Decryption: not-encrypted|X-Mailseal-Signature: none| 1" "$T/err"
fm "$T/gw.conf" -f '<>' --stdout nokey@example.net <"$T/g1.eml"
ms "$T/d" "$T/err2" decrypt "$T/out"
is "gateway: From alice, null envelope sender: not signed by Alice" \
    "$rc $(verdicts "$T/d")" \
    "0 X-Mailseal-Decryption: not-encrypted|X-Mailseal-Signature: none|" "$T/err"
fm "$T/gw.conf" -f Alice+lists@Example.ORG --stdout nokey@example.net <"$T/g1.eml"
ms "$T/d" "$T/err2" decrypt "$T/out"
expect "gateway: envelope sender alice+tag in another case: Alice's entry, good" \
    "$T/d" "X-Mailseal-Decryption: not-encrypted|X-Mailseal-Signature: good; signer=$A|"
gwmsg 'Xavier <xavier@example.org>' "$T/g2.eml"
fm "$T/gw.conf" -f xavier@example.org --stdout nokey@example.net <"$T/g2.eml"
ms "$T/d" "$T/err2" decrypt "$T/out"
expect "gateway: signer_map by domain: example.org's key (Bob's) signs" "$T/d" \
    "X-Mailseal-Decryption: not-encrypted|X-Mailseal-Signature: mismatch; signer=$B|"
gwmsg 'pat@example.org' "$T/g3.eml"
fm "$T/gw.conf" -f pat@example.org --stdout nokey@example.net <"$T/g3.eml"
ms "$T/d" "$T/err2" decrypt "$T/out"
expect "gateway: a protected key with passphrase_file signs, good" "$T/d" \
    "X-Mailseal-Decryption: not-encrypted|X-Mailseal-Signature: good; signer=$P|"
gwmsg 'dave@example.org' "$T/g4.eml"
fm "$T/gw.conf" -f dave@example.org --stdout nokey@example.net <"$T/g4.eml"
is "gateway: a signer that cannot sign defers (75), nothing written" \
    "$rc $(wc -c <"$T/out")" "75 0" "$T/err"
gwmsg 'someone@other.test' "$T/g5.eml"
fm "$T/gw.conf" --stdout nokey@example.net <"$T/g5.eml"
ms "$T/d" "$T/err2" decrypt "$T/out"
is "gateway: a sender neither the map nor signer names: sent unsigned, logged" \
    "$rc $(verdicts "$T/d") $(grep -c 'sent unsigned' "$T/err")" \
    "0 X-Mailseal-Decryption: not-encrypted|X-Mailseal-Signature: none| 1" "$T/err"
conf gw2 'sign = yes' "signer_map = $T/signers" "signer = $A"
fm "$T/gw2.conf" --stdout nokey@example.net <"$T/g5.eml"
ms "$T/d" "$T/err2" decrypt "$T/out"
expect "gateway: ... and with signer set, the default signer signs it" "$T/d" \
    "X-Mailseal-Decryption: not-encrypted|X-Mailseal-Signature: mismatch; signer=$A|"
conf gw3 'sign = no' "signer_map = $T/signers"
fm "$T/gw3.conf" -f alice@example.org --stdout nokey@example.net <"$T/g1.eml"
ms "$T/d" "$T/err2" decrypt "$T/out"
is "gateway: sign = no signs nothing" "$(verdicts "$T/d")" \
    "X-Mailseal-Decryption: not-encrypted|X-Mailseal-Signature: none|"
chmod 644 "$T/pass"
fm "$T/gw.conf" --stdout nokey@example.net <"$T/g1.eml"
is "gateway: a passphrase_file others can read: 78 at load, says why" \
    "$rc $(grep -c 'chmod 600' "$T/err")" "78 1" "$T/err"
chmod 600 "$T/pass"
echo 'example.org' >>"$T/signers"
fm "$T/gw.conf" --stdout nokey@example.net <"$T/g1.eml"
is "gateway: a signer_map line without a key: 78 with FILE:LINE" \
    "$rc $(grep -c "signers:6:" "$T/err")" "78 1" "$T/err"

# a key the map or signer names by anything but a full fingerprint or an
# address matches no key exactly: every message of its senders waited in
# the queue until it bounced; now 78 at load, naming it (attack-sign)
sed -i '$d' "$T/signers"
for v in Alice 0x1234ABCD '<alice@example.org>' "$(echo "$A" | cut -c1-39)"; do
	printf 'erin@example.org %s\n' "$v" >>"$T/signers"
	fm "$T/gw.conf" -f alice@example.org --stdout nokey@example.net <"$T/g1.eml"
	is "gateway: signer_map names a key as '$v': 78 at load, FILE:LINE" \
	    "$rc $(grep -c "signers:6: \"$v\" is not a full fingerprint or an address" "$T/err") $(wc -c <"$T/out")" \
	    "78 1 0" "$T/err"
	sed -i '$d' "$T/signers"
done
conf gw4 'sign = yes' 'signer = Alice'
fm "$T/gw4.conf" -f alice@example.org --stdout nokey@example.net <"$T/g1.eml"
is "gateway: signer = Alice: 78 at load" \
    "$rc $(grep -c 'signer "Alice" is not a full fingerprint' "$T/err")" "78 1" "$T/err"
printf 'erin@example.org %s\n' "$(echo "$A" | tr 'A-F' 'a-f')" >>"$T/signers"
fm "$T/gw.conf" -f alice@example.org --stdout nokey@example.net <"$T/g1.eml"
is "gateway: ... a fingerprint in lower case is one" "$rc" 0 "$T/err"

done_testing
