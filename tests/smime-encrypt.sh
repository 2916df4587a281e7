#!/bin/sh
# smime-encrypt.sh - mailseal encrypt writing S/MIME (RFC 8551 3.3), read
# back by independent readers: openssl cms -decrypt with the recipient's
# key and gpgsm on a home of its own give the exact inner entity; the
# outer fields; --smime with a recipient whose certificate is missing,
# expired, revoked, untrusted or sign-only is 67 with the reason; the
# automatic choice (certificates only where no OpenPGP key is usable, no
# gpgsm run at all when every recipient has one, a mixed list refused);
# gpgsm missing or dying is 75 with nothing written; LF and CRLF input,
# the From_ line.  The certificates are tests/mkcerts.sh's.  TAP.
. "${MAILSEAL_SRCDIR:-.}/tests/lib.sh"

require_tools openssl
ms_both_home
PARTS="$MAILSEAL_SRCDIR/tests/smime_parts.py"

printf '%s\n' 'From: alice@example.org' 'To: victor@example.org' \
    'Subject: the plan' 'Date: Mon, 7 Dec 2026 10:00:00 +0000' \
    'Message-ID: <p1@example.org>' 'MIME-Version: 1.0' \
    'Content-Type: text/plain; charset=utf-8' \
    'Content-Transfer-Encoding: 8bit' '' 'line one' 'caf\303\251' \
    '' 'last line' >"$T/m.eml"
# the inner entity without header protection: the Content-* fields and
# the body, line ends CRLF (RFC 8551 3.1.1)
printf '%s\r\n' 'Content-Type: text/plain; charset=utf-8' \
    'Content-Transfer-Encoding: 8bit' '' 'line one' 'caf\303\251' '' \
    'last line' >"$T/want.inner"

# env_der OUT - OUT's body decoded (smime_parts.py: 76-column base64
# lines with the message's line ends) into OUT.der
env_der() {
	"$PYTHON" "$PARTS" enveloped "$1" "$1.der" 2>"$1.parts"
}

# gpgsm on a home of its own: the certificates' home, not the gateway's
ms_certs_home
SEP=$GNUPGHOME
ms_both_home
sep_dec() {
	gpgsm --homedir "$SEP" --batch --no-tty --pinentry-mode loopback \
	    --passphrase '' --decrypt "$1" >"$2" 2>"$2.err"
}

# --- --smime to a certificate-only recipient, no header protection
ms "$T/o1" "$T/e1" encrypt --smime --no-protect-headers -r victor@example.org \
    "$T/m.eml"
is "--smime: exit 0" "$rc" 0 "$T/e1"
is "outer Content-Type" "$(field "$T/o1" Content-Type)" \
    'application/pkcs7-mime; smime-type=enveloped-data; name="smime.p7m"'
is "outer Content-Transfer-Encoding" \
    "$(field "$T/o1" Content-Transfer-Encoding)" base64
is "outer Content-Disposition" "$(field "$T/o1" Content-Disposition)" \
    'attachment; filename="smime.p7m"'
is "From, To, Subject, Date, Message-ID and MIME-Version kept, in order" \
    "$(sed '/^$/q' "$T/o1" | sed -n 's/^\([A-Za-z-]*\):.*/\1/p' |
    tr '\n' ' ')" "From To Subject Date Message-ID MIME-Version Content-Type Content-Transfer-Encoding Content-Disposition "
check "base64 in 76-column LF lines" env_der "$T/o1"
check "openssl cms -decrypt with victor's key" \
    cms_dec victor "$T/o1.der" "$T/o1.inner"
check "openssl reads the exact inner entity" cmp "$T/o1.inner" "$T/want.inner"
check "gpgsm on a home of its own reads the same" sep_dec "$T/o1.der" \
    "$T/o1.gpgsm"
check "gpgsm's plaintext is the exact inner entity" \
    cmp "$T/o1.gpgsm" "$T/want.inner"
if cms_dec bob "$T/o1.der" "$T/o1.bob"; then
	not_ok "bob's key does not decrypt what is for victor alone"
else
	ok "bob's key does not decrypt what is for victor alone"
fi

# --- header protection (on by default): the Subject inside, "[...]" out
ms "$T/o2" "$T/e2" encrypt --smime -r victor@example.org "$T/m.eml"
is "protected: exit 0" "$rc" 0 "$T/e2"
is "protected: outer Subject [...]" "$(field "$T/o2" Subject)" "[...]"
env_der "$T/o2" && cms_dec victor "$T/o2.der" "$T/o2.inner"
is "protected: the inner header has the Subject" \
    "$(field "$T/o2.inner" Subject)" "the plan"
is "protected: inner Content-Type marked hp=cipher" \
    "$(field "$T/o2.inner" Content-Type | grep -c 'hp="cipher"')" 1
is "protected: the body, CRLF" "$(sed '1,/^\r$/d' "$T/o2.inner" | od -c |
    md5sum)" "$(sed '1,/^\r$/d' "$T/want.inner" | od -c | md5sum)"

# --- CRLF input: CRLF out, the same inner entity; a From_ line kept
{ printf 'From alice@example.org Mon Dec  7 10:00:00 2026\n'
  sed 's/$/\r/' "$T/m.eml"; } >"$T/crlf.eml"
ms "$T/o3" "$T/e3" encrypt --smime --no-protect-headers \
    -r victor@example.org "$T/crlf.eml"
is "CRLF: exit 0" "$rc" 0 "$T/e3"
is "From_ line first, as it was" "$(head -n 1 "$T/o3")" \
    "From alice@example.org Mon Dec  7 10:00:00 2026"
is "CRLF: every line after it ends in CRLF" \
    "$(sed 1d "$T/o3" | grep -vc "$(printf '\r')\$")" 0
check "CRLF: base64 in 76-column CRLF lines" env_der "$T/o3"
cms_dec victor "$T/o3.der" "$T/o3.inner"
check "CRLF: the same inner entity" cmp "$T/o3.inner" "$T/want.inner"

# --- a larger message: streamed, whole
{ sed '/^$/q' "$T/m.eml"
  i=0; while [ $i -lt 20000 ]; do
	echo "line $i of a longer message, to pass many of gpgsm's buffers"
	i=$((i + 1))
  done; } >"$T/big.eml"
ms "$T/o4" "$T/e4" encrypt --smime --no-protect-headers \
    -r victor@example.org "$T/big.eml"
env_der "$T/o4" && cms_dec victor "$T/o4.der" "$T/o4.inner"
is "1.2 MB: openssl reads every line back" \
    "$(sed '1,/^\r$/d' "$T/o4.inner" | tr -d '\r' | md5sum)" \
    "$(sed '1,/^$/d' "$T/big.eml" | md5sum)"

# --- memory does not grow with the message: 1 MB and 24 MB bodies
# rss FILE - the peak resident set (KB) of encrypt --smime on FILE
rss() {
	/usr/bin/time -f %M -o "$T/rss" "$MAILSEAL" encrypt --smime \
	    -r victor@example.org -o "$T/rss.out" "$1" 2>/dev/null &&
	    tail -n 1 "$T/rss"
}
if [ -x /usr/bin/time ]; then
	{ sed '/^$/q' "$T/m.eml"
	  head -c 24000000 /dev/zero | tr '\0' 'x' | fold -w 75; } >"$T/huge.eml"
	small=$(rss "$T/big.eml") huge=$(rss "$T/huge.eml")
	if [ -n "$small" ] && [ -n "$huge" ] &&
	    [ "$huge" -lt $((small + 4096)) ]; then
		ok "24 MB costs no more memory than 1.2 MB ($huge KB, $small KB)"
	else
		not_ok "memory grows with the message: ${huge:-?} KB for 24 MB," \
		    "${small:-?} KB for 1.2 MB"
	fi
	rm -f "$T/huge.eml" "$T/rss.out"
else
	skip "memory does not grow with the message" "no /usr/bin/time"
fi

# --- two recipients: each decrypts
ms "$T/o5" "$T/e5" encrypt --smime -r victor@example.org -r bob@example.org \
    "$T/m.eml"
env_der "$T/o5"
if [ "$rc" -eq 0 ] && cms_dec victor "$T/o5.der" "$T/o5.v" &&
    cms_dec bob "$T/o5.der" "$T/o5.b" && cmp -s "$T/o5.v" "$T/o5.b"; then
	ok "--smime to victor and bob: both decrypt it"
else
	not_ok "--smime to victor and bob: both decrypt it (exit $rc)" "$T/e5"
fi

# --- recipients from the header: To, Cc; Bcc cannot be hidden
printf '%s\n' 'From: alice@example.org' 'To: victor@example.org' \
    'Bcc: bob@example.org' 'Subject: b' '' 'hi' >"$T/bcc.eml"
ms "$T/o6" "$T/e6" encrypt --smime "$T/bcc.eml"
if [ "$rc" -eq 69 ] && [ ! -s "$T/o6" ] && one_line "$T/e6" &&
    grep -q 'Bcc' "$T/e6"; then
	ok "a Bcc recipient in S/MIME: 69, nothing written, says why"
else
	not_ok "a Bcc recipient in S/MIME: 69 (exit $rc)" "$T/e6" "$T/o6"
fi

# --- --smime: each recipient without a usable certificate, and why
# refuse DESC ADDR REGEX - encrypt --smime -r ADDR: 67, nothing written,
# one line naming ADDR and matching REGEX
refuse() {
	ms "$T/r.out" "$T/r.err" encrypt --smime -r "$2" "$T/m.eml"
	if [ "$rc" -eq 67 ] && [ ! -s "$T/r.out" ] && one_line "$T/r.err" &&
	    grep -q "$2" "$T/r.err" && grep -Eqi "$3" "$T/r.err"; then
		ok "--smime, $1: 67 with the reason"
	else
		not_ok "--smime, $1: 67 with the reason (exit $rc)" "$T/r.err"
	fi
}
refuse "no certificate" nobody@example.org 'no certificate for the address'
refuse "OpenPGP key only" xbob@example.org 'no certificate for the address'
refuse "expired certificate" carol@example.org \
    "certificate $(cfpr carol) expired on 2021-01-01"
refuse "revoked certificate" dave@example.org \
    "certificate $(cfpr dave) is revoked"
refuse "untrusted root" mallory@example.org 'no valid chain to a trusted root'
refuse "sign-only certificate" erin@example.org 'key usage'
ms "$T/r.out" "$T/r.err" encrypt --smime -r victor@example.org \
    -r carol@example.org "$T/m.eml"
if [ "$rc" -eq 67 ] && [ ! -s "$T/r.out" ] && grep -q carol "$T/r.err" &&
    ! grep -q victor "$T/r.err"; then
	ok "--smime, one of two without: 67 naming that one"
else
	not_ok "--smime, one of two without: 67 naming that one" "$T/r.err"
fi

# --- the automatic choice, with a gpgsm that counts its runs
real=$(command -v gpgsm)
mkdir "$T/bin"
cat >"$T/bin/gpgsm" <<WRAP
#!/bin/sh
printf '%s\n' "\$*" >>"$T/gpgsm.runs"
exec "$real" "\$@"
WRAP
chmod 755 "$T/bin/gpgsm"
auto() {
	rm -f "$T/gpgsm.runs"
	PATH=$T/bin:$PATH "$MAILSEAL" encrypt "$@" >"$T/a.out" 2>"$T/a.err"
	rc=$?
}
auto -r alice@example.org -r bob@example.org "$T/m.eml"
is "key and certificate for all: PGP/MIME" \
    "$rc $(field "$T/a.out" Content-Type | grep -c 'multipart/encrypted')" \
    "0 1" "$T/a.err"
is "key for all: gpgsm never runs" "$(cat "$T/gpgsm.runs" 2>/dev/null |
    grep -vc -- '--version')" 0 "$T/gpgsm.runs"
auto -r victor@example.org "$T/m.eml"
is "certificate only: S/MIME" "$rc $(field "$T/a.out" Content-Type |
    grep -c 'application/pkcs7-mime')" "0 1" "$T/a.err"
[ -s "$T/gpgsm.runs" ] || diag "the wrapper was not used: gpgsm not from PATH"
env_der "$T/a.out" && cms_dec victor "$T/a.out.der" "$T/a.inner"
is "certificate only: victor reads it" "$(field "$T/a.inner" Subject)" \
    "the plan"
auto -r victor@example.org -r bob@example.org "$T/m.eml"
is "bob has both, victor a certificate: S/MIME to both" "$rc $(field \
    "$T/a.out" Content-Type | grep -c 'application/pkcs7-mime')" "0 1" \
    "$T/a.err"
env_der "$T/a.out"
check "... bob decrypts it with his certificate's key" \
    cms_dec bob "$T/a.out.der" "$T/a.b"
auto -r xbob@example.org -r victor@example.org "$T/m.eml"
if [ "$rc" -eq 67 ] && [ ! -s "$T/a.out" ] && one_line "$T/a.err" &&
    grep -q 'xbob@example.org' "$T/a.err" &&
    grep -q 'victor@example.org' "$T/a.err" &&
    grep -q 'one copy per format' "$T/a.err"; then
	ok "key-only and certificate-only recipients: 67 naming who has what"
else
	not_ok "mixed recipients: 67 naming who has what (exit $rc)" \
	    "$T/a.err"
fi
auto -r nobody@example.org -r victor@example.org "$T/m.eml"
if [ "$rc" -eq 67 ] && [ ! -s "$T/a.out" ] && one_line "$T/a.err" &&
    grep -q 'nobody@example.org (no key for the address; no certificate' \
    "$T/a.err" && ! grep -q 'victor@example.org' "$T/a.err"; then
	ok "a recipient with neither: 67 naming that one, and why"
else
	not_ok "a recipient with neither: 67 naming that one (exit $rc)" \
	    "$T/a.err"
fi

# --- --sign: signed (multipart/signed, pkcs7-signature), then enveloped
ms "$T/s" "$T/se" encrypt --smime --sign -r victor@example.org "$T/m.eml"
is "--smime --sign: exit 0" "$rc" 0 "$T/se"
is "--smime --sign: outer Subject [...]" "$(field "$T/s" Subject)" "[...]"
env_der "$T/s" && cms_dec victor "$T/s.der" "$T/s.inner"
is "... the entity inside is a pkcs7-signature multipart/signed" \
    "$(field "$T/s.inner" Content-Type | sed 's/boundary="[^"]*"/B/')" \
    'multipart/signed; micalg=sha-256; protocol="application/pkcs7-signature"; B'
check "... openssl cms -verify accepts the signature (alice's)" \
    openssl cms -verify -in "$T/s.inner" -CAfile "$CERTS/ca.crt" \
    -purpose any -signer "$T/s.signer" -out "$T/s.content"
is "... signed by alice's certificate" "$(openssl x509 -in "$T/s.signer" \
    -noout -fingerprint -sha1 2>/dev/null | sed 's/.*=//; s/://g')" \
    "$(cfpr alice)"
is "... the protected Subject is in the signed part" \
    "$(field "$T/s.content" Subject)" "the plan"
is "... and the body" "$(sed '1,/^\r*$/d' "$T/s.content" | tr -d '\r' |
    md5sum)" "$(sed '1,/^$/d' "$T/m.eml" | md5sum)"
printf '%s\n' 'From: xbob@example.org' 'To: victor@example.org' \
    'Subject: s' '' 'hi' >"$T/xs.eml"
ms "$T/xs" "$T/xse" encrypt --smime --sign "$T/xs.eml"
if [ "$rc" -eq 78 ] && [ ! -s "$T/xs" ] && one_line "$T/xse"; then
	ok "--smime --sign, no certificate to sign with: 78, nothing written"
else
	not_ok "--smime --sign, no certificate to sign with: 78 (exit $rc)" \
	    "$T/xse"
fi

# --- already encrypted: passed through unchanged
ms "$T/p" "$T/pe" encrypt --smime -r victor@example.org "$T/o1"
check "S/MIME input passes through unchanged" cmp "$T/p" "$T/o1"
is "... exit 0" "$rc" 0 "$T/pe"
auto -r victor@example.org "$T/o1"
check "... without --smime too" cmp "$T/a.out" "$T/o1"

# --- gpgsm missing, failing or dying: 75, nothing written
# bad DESC MODE - gpgsm misbehaves (tests/gpgsm_proxy.py MODE) at the
# ENCRYPT command; MODE "exit": every gpgsm run but --version exits 2
bad() {
	if [ "$2" = exit ]; then
		_run='exit 2'
	else
		_run="exec \"$PYTHON\" \"$MAILSEAL_SRCDIR/tests/gpgsm_proxy.py\" $2 ENCRYPT \"$real\" \"\$@\""
	fi
	cat >"$T/bin/gpgsm" <<WRAP
#!/bin/sh
case " \$* " in *" --version "*) exec "$real" "\$@" ;; esac
$_run
WRAP
	chmod 755 "$T/bin/gpgsm"
	rm -f "$T/b.out"
	PATH=$T/bin:$PATH "$MAILSEAL" encrypt --smime -r victor@example.org \
	    -o "$T/b.out" "$T/m.eml" 2>"$T/b.err"
	rc=$?
	if [ "$rc" -eq 75 ] && [ ! -e "$T/b.out" ] && one_line "$T/b.err"; then
		ok "gpgsm $1: 75, no output file"
	else
		not_ok "gpgsm $1: 75, no output file (exit $rc)" "$T/b.err"
	fi
}
bad "exits 2" exit
bad "killed while encrypting" kill
bad "gone at ENCRYPT" eof
bad "claims success, writes nothing" ok
rm -f "$T/bin/gpgsm"
mkdir "$T/nobin"
for t in gpg gpgconf gpg-agent; do
	ln -s "$(command -v $t)" "$T/nobin/$t"
done
PATH=$T/nobin "$MAILSEAL" encrypt --smime -r victor@example.org \
    -o "$T/n.out" "$T/m.eml" 2>"$T/n.err"
rc=$?
if [ "$rc" -eq 69 ] && [ ! -e "$T/n.out" ] && grep -q 'no gpgsm' "$T/n.err"; then
	ok "no gpgsm installed, --smime: 69 (unavailable: no retry installs it), said, no output file"
else
	not_ok "no gpgsm installed, --smime: 69, no output file (exit $rc)" "$T/n.err"
fi
# the automatic choice on a machine without gpgsm: as before S/MIME, a
# recipient without an OpenPGP key has no usable key (67), not a retry
PATH=$T/nobin "$MAILSEAL" encrypt -r victor@example.org -o "$T/n.out" \
    "$T/m.eml" 2>"$T/n.err"
rc=$?
if [ "$rc" -eq 67 ] && [ ! -e "$T/n.out" ] && grep -q 'no gpgsm' "$T/n.err"; then
	ok "no gpgsm installed, automatic choice: 67 for a recipient without a key, said"
else
	not_ok "no gpgsm installed, automatic choice: 67 (exit $rc)" "$T/n.err"
fi
PATH=$T/nobin "$MAILSEAL" encrypt -r bob@example.org -o "$T/n.out" \
    "$T/m.eml" 2>"$T/n.err"
rc=$?
check "no gpgsm installed, every recipient with a key: PGP/MIME as ever" \
    sh -c "[ $rc -eq 0 ] && grep -q 'multipart/encrypted' '$T/n.out'"
done_testing
