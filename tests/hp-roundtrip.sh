#!/bin/sh
# hp-roundtrip.sh - header protection is consumed on the way back: what
# mailseal encrypt seals (hp="cipher", protected-headers="v1", the
# author's fields inside), mailseal decrypt gives back as the author
# wrote it, byte for byte, but for our two X-Mailseal-* fields: the
# marks come off the Content-Type (with the fold encrypt made),
# MIME-Version is back in its place (or not there, when the author
# wrote none), trace fields an MTA prepended stay on top.  LF and CRLF
# messages, single part and multipart, a From_ line, a message without
# any MIME field, the README demo's sample.  TAP.
. "${MAILSEAL_SRCDIR:-$(dirname "$0")/..}/tests/lib.sh"

ms_home

# roundtrip NAME [WANT] - encrypt $T/NAME.eml to bob, decrypt it, compare
# with $T/WANT.eml (default: NAME.eml)
roundtrip() {
	ms "$T/$1.enc" "$T/$1.err" encrypt -r bob@example.org "$T/$1.eml"
	if [ "$rc" -ne 0 ]; then
		not_ok "$1: encrypt exits 0 (got $rc)" "$T/$1.err"
		return
	fi
	if grep -q 'hp="cipher"' "$T/$1.enc"; then
		not_ok "$1: the marks are inside, not outside" "$T/$1.enc"
		return
	fi
	ms "$T/$1.dec" "$T/$1.err" decrypt "$T/$1.enc"
	is "$1: decrypt exits 0" "$rc" 0 "$T/$1.err"
	is "$1: decrypted" "$(field "$T/$1.dec" X-Mailseal-Decryption)" \
	    decrypted
	grep -av '^X-Mailseal-' "$T/$1.dec" >"$T/$1.back"
	if cmp -s "$T/$1.back" "$T/${2:-$1}.eml"; then
		ok "$1: the original comes back byte for byte"
	else
		diff "$T/${2:-$1}.eml" "$T/$1.back" >"$T/$1.diff" 2>&1
		not_ok "$1: the original comes back byte for byte" \
		    "$T/$1.diff"
	fi
}

hdr() {
	printf '%s\n' 'From: Alice <alice@example.org>' \
	    'To: Bob <bob@example.org>' 'Cc: carol@example.org' \
	    "Subject: $1" 'Date: Sun, 06 Dec 2026 10:00:00 +0000' \
	    "Message-ID: <$1@example.org>"
}

# the README demo's message (multipart/mixed, MIME-Version after the
# author's fields), as it is and with CRLF lines
cp "$MAILSEAL_SRCDIR/contrib/sample.eml" "$T/sample.eml"
sed 's/$/\r/' "$T/sample.eml" >"$T/sample-crlf.eml"

# an mbox From_ line and trace fields on top, a folded Content-Type
{ echo 'From alice@example.org Sun Dec  6 10:00:01 2026'
  echo 'Return-Path: <alice@example.org>'
  echo 'Received: from mx.example.org (mx.example.org [192.0.2.1])'
  echo '	by mail.example.org; Sun, 06 Dec 2026 10:00:01 +0000'
  hdr traced; echo 'MIME-Version: 1.0'
  echo 'Content-Type: multipart/alternative;'
  echo ' boundary="alt-1"'
  echo; echo '--alt-1'; echo 'Content-Type: text/plain; charset=utf-8'
  echo 'Content-Transfer-Encoding: quoted-printable'; echo
  echo 'Gr=C3=BC=C3=9Fe'; echo '--alt-1'
  echo 'Content-Type: text/html; charset=utf-8'; echo
  echo '<p>Hello</p>'; echo '--alt-1--'; } >"$T/traced.eml"
sed 's/$/\r/' "$T/traced.eml" >"$T/traced-crlf.eml"

# MIME-Version first, as some writers put it
{ echo 'MIME-Version: 1.0'; hdr mimefirst
  printf 'Content-Type: text/plain; charset="utf-8"\n'
  echo 'Content-Transfer-Encoding: 8bit'; echo
  printf 'Gr\303\274\303\237e\n'; } >"$T/mimefirst.eml"

# no MIME field at all (RFC 5322 alone), LF and CRLF
{ hdr plain; echo; echo 'Just text.'; } >"$T/plain.eml"
sed 's/$/\r/' "$T/plain.eml" >"$T/plain-crlf.eml"

for m in sample sample-crlf traced traced-crlf mimefirst plain plain-crlf; do
	roundtrip "$m"
done

# a Content-Type but no MIME-Version (a sloppy writer): decrypt cannot
# tell it from an RFC 9788 writer that leaves MIME-Version outside, so
# the outer one stays (on top, before the protected fields), as
# decrypt adds one to every MIME entity it writes; nothing else changes
{ hdr nomimever; echo 'Content-Type: text/plain; charset=utf-8'; echo
  echo 'No MIME-Version.'; } >"$T/nomimever.eml"
{ echo 'MIME-Version: 1.0'; cat "$T/nomimever.eml"; } >"$T/nomimever-want.eml"
roundtrip nomimever nomimever-want

# the marks are consumed even when they are not exactly ours (another
# writer's v1 on a line of its own): the rest of the field stays
{ hdr foreign; echo 'MIME-Version: 1.0'
  echo 'Content-Type: text/plain; charset=utf-8'; echo; echo 'Foreign.'; } \
    >"$T/foreign.eml"
ms "$T/foreign.enc" "$T/foreign.err" encrypt -r bob@example.org \
    "$T/foreign.eml"
ms "$T/foreign.dec" "$T/foreign.err" decrypt "$T/foreign.enc"
if grep -Eqi 'hp=|protected-headers' "$T/foreign.dec"; then
	not_ok "no mark left in what decrypt writes" "$T/foreign.dec"
else
	ok "no mark left in what decrypt writes"
fi

done_testing
