#!/bin/sh
# encrypt-errors.sh - exit codes and "nothing written" of mailseal
# encrypt: bad input and every input limit (just under and just over),
# bad command lines, missing files, GnuPG trouble, -o failures; and
# already-encrypted messages, which pass through byte for byte, next to
# look-alikes that must be encrypted.
. "${MAILSEAL_SRCDIR:-$(dirname "$0")/..}/tests/lib.sh"

ms_home
export HOME="$T/home"
mkdir -p "$HOME"
I=$T/in
mkdir "$I"

# ---- inputs.  The large ones are written by Python in one go.
"$PYTHON" - "$I" <<'EOF'
import os, sys
d = sys.argv[1]
H = b"From: Alice <alice@example.org>\nTo: bob@example.org\nSubject: limits\n"
B = b"\nbody\n"
def w(name, data):
    with open(os.path.join(d, name), "wb") as fp:
        fp.write(data)
def line(total):                       # one field line of total bytes, LF included
    return b"X-Long: " + b"a" * (total - 9) + b"\n"
def folded(total):                     # one field of total bytes, lines of 1000
    out = b"X-Fold: a\n"
    while len(out) + 1000 <= total:
        out += b" " + b"b" * 998 + b"\n"
    rest = total - len(out)
    if rest:
        assert rest >= 2
        out += b" " + b"c" * (rest - 2) + b"\n"
    assert len(out) == total
    return out
w("line-65000", H + line(65000) + B)
w("line-65536", H + line(65536) + B)
w("line-65537", H + line(65537) + B)
w("line-70000", H + line(70000) + B)
w("field-262144", H + folded(262144) + B)
w("field-262145", H + folded(262145) + B)
w("field-300000", H + folded(300000) + B)
w("fields-2000", H + b"".join(b"X-N: %d\n" % i for i in range(1997)) + B)
w("fields-2001", H + b"".join(b"X-N: %d\n" % i for i in range(1998)) + B)
w("block-1000000", H + folded(250000) * 3 + folded(249000) + B)
w("block-1100000", H + folded(250000) * 4 + folded(100000) + B)
w("nul", H + b"X-Nul: a\0b\n" + B)
w("nul-name", H + b"X-N\0ul: ab\n" + B)
w("deep-32", b"From: Alice <alice@example.org>\nTo: bob@example.org "
  + b"(" * 32 + b"c" + b")" * 32 + b"\nSubject: deep\n" + B)
w("deep-40", b"From: Alice <alice@example.org>\nTo: bob@example.org "
  + b"(" * 40 + b"c" + b")" * 40 + b"\nSubject: deep\n" + B)
EOF
printf '' >"$I/empty"
printf '\n' >"$I/blank"
printf '\r\n' >"$I/blank-crlf"
printf 'hello world\n' >"$I/noheader"
printf 'hello world' >"$I/noheader-nonl"
printf ' To: bob@example.org\nSubject: x\n\nbody\n' >"$I/contfirst"
printf 'From alice@example.org Sun Nov 22 10:00:00 2026\n' >"$I/fromline-only"
printf 'From alice@example.org Sun Nov 22 10:00:00 2026\n\nbody\n' \
    >"$I/fromline-blank"
hdr() { printf 'From: Alice <alice@example.org>\n%s\nSubject: x\n\nbody\n' "$1"; }
hdr 'To: <<<' >"$I/to-malformed"
hdr 'To: bob' >"$I/to-noat"
hdr 'To: bob@' >"$I/to-nodomain"
hdr 'To: @example.org' >"$I/to-nolocal"
hdr 'To: Bob <bob@example.org' >"$I/to-unclosed"
printf 'From: Alice <alice@example.org>\nTo: bob@example.org\nCc: carol@@example.org\nSubject: x\n\nbody\n' \
    >"$I/cc-malformed"
printf 'From: Alice <alice@example.org>\nTo: bob@example.org\nBcc: <<<\nSubject: x\n\nbody\n' \
    >"$I/bcc-malformed"
printf 'From: Alice <alice@example.org>\nSubject: nobody\n\nbody\n' >"$I/norcpt"
hdr 'To: undisclosed-recipients:;' >"$I/norcpt-group"
hdr 'To: bob@example.org' >"$I/good"
hdr 'To: nobody@example.org' >"$I/nokey"

# ---- expect CODE DESC INPUT [OPTION...] - mailseal encrypt [OPTION...]
# reading INPUT on stdin: exit CODE, nothing on stdout, exactly one stderr
# line starting "mailseal: "; and the same again with -o FILE: FILE is
# not created, nothing is left in its directory
expect() {
	_code=$1 _d=$2 _in=$3
	shift 3
	rm -rf "$T/od"
	mkdir "$T/od"
	"$MAILSEAL" encrypt "$@" <"$_in" >"$T/x.out" 2>"$T/x.err"
	_rc=$?
	"$MAILSEAL" encrypt -o "$T/od/out.eml" "$@" <"$_in" >"$T/x2.out" \
	    2>"$T/x2.err"
	_rc2=$?
	_why=
	[ "$_rc" -eq "$_code" ] || _why="exit $_rc, not $_code"
	[ "$_rc2" -eq "$_code" ] || _why="$_why; with -o: exit $_rc2, not $_code"
	[ -s "$T/x.out" ] && _why="$_why; stdout not empty ($(wc -c <"$T/x.out") bytes)"
	[ -s "$T/x2.out" ] && _why="$_why; stdout not empty with -o"
	[ -n "$(ls -A "$T/od")" ] && _why="$_why; -o left: $(ls -A "$T/od")"
	one_line "$T/x.err" || _why="$_why; stderr is not one 'mailseal:' line"
	if [ -z "$_why" ]; then
		ok "$_d: exit $_code, nothing written, one stderr line"
	else
		echo "$_why" >"$T/x.why"
		not_ok "$_d: exit $_code, nothing written, one stderr line" \
		    "$T/x.why" "$T/x.err"
	fi
}

# succeed DESC INPUT [OPTION...] - exit 0 and a PGP/MIME message that gpg
# decrypts to the expected inner entity
succeed() {
	_d=$1 _in=$2
	shift 2
	"$MAILSEAL" encrypt "$@" <"$_in" >"$T/s.out" 2>"$T/s.err"
	_rc=$?
	if [ "$_rc" -eq 0 ] &&
	    "$PYTHON" "$CHECK_PGPMIME" structure "$T/s.out" "$_in" \
	    --save "$T/s" >"$T/s.why" 2>&1 &&
	    gpg_dec "$T/s.asc" "$T/s.dec" && cmp -s "$T/s.dec" "$T/s.inner"
	then
		ok "$_d: exit 0, PGP/MIME that decrypts to the original"
	else
		echo "exit $_rc" >>"$T/s.why"
		not_ok "$_d: exit 0, PGP/MIME that decrypts to the original" \
		    "$T/s.why" "$T/s.err" "$T/s.dec.err"
	fi
}

# ---- not a message
expect 65 "empty input" "$I/empty"
if : | "$MAILSEAL" encrypt >"$T/x.out" 2>"$T/x.err"; then rc=0; else rc=$?; fi
# (the pipe's status is mailseal's: it is the last command)
if [ "$rc" -eq 65 ] && [ ! -s "$T/x.out" ] && one_line "$T/x.err"; then
	ok "empty input from a pipe: exit 65, nothing written, one stderr line"
else
	not_ok "empty input from a pipe: exit 65, nothing written, one stderr line (exit $rc)" \
	    "$T/x.err"
fi
expect 65 "only an empty line" "$I/blank"
expect 65 "only an empty CRLF line" "$I/blank-crlf"
expect 65 "no header ('hello world')" "$I/noheader"
expect 65 "no header, no newline ('hello world')" "$I/noheader-nonl"
expect 65 "a continuation line first" "$I/contfirst"
expect 65 "an mbox From_ line and nothing else" "$I/fromline-only"
expect 65 "an mbox From_ line, then an empty line" "$I/fromline-blank"

# ---- limits (limit.h), just under and just over
succeed "header line of 65000 bytes" "$I/line-65000"
succeed "header line of 65536 bytes (the limit, LF included)" "$I/line-65536"
expect 65 "header line of 65537 bytes" "$I/line-65537"
expect 65 "header line of 70000 bytes" "$I/line-70000"
succeed "header field folded to 262144 bytes (the limit)" "$I/field-262144"
expect 65 "header field folded to 262145 bytes" "$I/field-262145"
expect 65 "header field folded to 300000 bytes" "$I/field-300000"
succeed "2000 header fields (the limit)" "$I/fields-2000"
expect 65 "2001 header fields" "$I/fields-2001"
succeed "header block of about 1000000 bytes" "$I/block-1000000"
expect 65 "header block of about 1100000 bytes (> 1 MiB)" "$I/block-1100000"
expect 65 "NUL in a header value" "$I/nul"
expect 65 "NUL in a header name" "$I/nul-name"
succeed "comments nested 32 deep in To" "$I/deep-32"
expect 65 "comments nested 40 deep in To" "$I/deep-40"

# ---- addresses and recipients
expect 65 "To: <<<" "$I/to-malformed"
expect 65 "To: bob (no @)" "$I/to-noat"
expect 65 "To: bob@ (no domain)" "$I/to-nodomain"
expect 65 "To: @example.org (no local part)" "$I/to-nolocal"
expect 65 "To: Bob <bob@example.org (unclosed)" "$I/to-unclosed"
expect 65 "Cc: carol@@example.org (To is fine)" "$I/cc-malformed"
expect 65 "Bcc: <<< (To is fine)" "$I/bcc-malformed"
expect 65 "no To, Cc or Bcc and no -r" "$I/norcpt"
expect 65 "only an empty group in To" "$I/norcpt-group"
expect 67 "recipient without a key" "$I/nokey"
succeed "the same message to bob (control)" "$I/good"

# ---- command line (64) and input file (66)
# usage64 DESC ARG... - exit 64, nothing on stdout, and stderr says who
# speaks: its first line starts with "mailseal:" or "usage: mailseal"
usage64() {
	_d=$1
	shift
	"$MAILSEAL" "$@" <"$I/good" >"$T/x.out" 2>"$T/x.err"
	_rc=$?
	if [ "$_rc" -eq 64 ] && [ ! -s "$T/x.out" ] &&
	    head -n 1 "$T/x.err" | grep -Eq '^(mailseal: |usage: mailseal )'
	then
		ok "$_d: exit 64, nothing on stdout, stderr names mailseal"
	else
		echo "exit $_rc" >"$T/x.why"
		not_ok "$_d: exit 64, nothing on stdout, stderr names mailseal" \
		    "$T/x.why" "$T/x.err" "$T/x.out"
	fi
}
usage64 "no command" 
usage64 "unknown command" frobnicate
usage64 "unknown option --frobnicate" encrypt --frobnicate
usage64 "unknown option -x" encrypt -x
usage64 "-r without its argument" encrypt -r
usage64 "--sign=3 (takes no argument)" encrypt --sign=3
usage64 "two FILE arguments" encrypt "$I/good" "$I/good"
usage64 "-r bob (not an address)" encrypt -r bob
usage64 "-r with two addresses" encrypt -r 'bob@example.org, carol@example.org'
usage64 "--signer without --sign" encrypt --signer alice@example.org
for a in --help --version; do
	"$MAILSEAL" $a >"$T/x.out" 2>"$T/x.err"
	_rc=$?
	if [ "$_rc" -eq 0 ] && [ -s "$T/x.out" ] && [ ! -s "$T/x.err" ]; then
		ok "mailseal $a: exit 0, text on stdout"
	else
		not_ok "mailseal $a: exit 0, text on stdout (exit $_rc)" "$T/x.err"
	fi
done

# file66 DESC FILE - mailseal encrypt FILE: exit 66, nothing written
file66() {
	"$MAILSEAL" encrypt "$2" >"$T/x.out" 2>"$T/x.err"
	_rc=$?
	if [ "$_rc" -eq 66 ] && [ ! -s "$T/x.out" ] && one_line "$T/x.err" &&
	    grep -qF "$2" "$T/x.err"; then
		ok "$1: exit 66, nothing written, stderr names the file"
	else
		echo "exit $_rc" >"$T/x.why"
		not_ok "$1: exit 66, nothing written, stderr names the file" \
		    "$T/x.why" "$T/x.err"
	fi
}
file66 "FILE does not exist" "$T/no-such-file.eml"
file66 "FILE is a directory" "$T"
"$MAILSEAL" encrypt - <"$I/good" >"$T/s.out" 2>"$T/s.err"
_rc=$?
if [ "$_rc" -eq 0 ] &&
    "$PYTHON" "$CHECK_PGPMIME" structure "$T/s.out" "$I/good" >"$T/s.why"; then
	ok "FILE '-' reads standard input"
else
	not_ok "FILE '-' reads standard input (exit $_rc)" "$T/s.why" "$T/s.err"
fi

# ---- GnuPG trouble and output trouble: temporary (75)
touch "$T/notadir"
expect 75 "--homedir is a regular file" "$I/good" --homedir "$T/notadir"
expect 75 "--homedir does not exist" "$I/good" --homedir "$T/no-such-home"
# gpg-agent cannot start: signing must be retried later (75), not bounced
# as a configuration error (78).  (An agent that is down is what
# INTERFACE.md calls a temporary failure.)
ms_home
printf 'agent-program /bin/false\n' >>"$GNUPGHOME/gpg.conf"
expect 75 "--sign while gpg-agent cannot be started" "$I/good" --sign
ms_home

"$MAILSEAL" encrypt -o "$T/no-such-dir/out.eml" <"$I/good" >"$T/x.out" \
    2>"$T/x.err"
_rc=$?
if [ "$_rc" -eq 75 ] && [ ! -s "$T/x.out" ] && [ ! -e "$T/no-such-dir" ] &&
    one_line "$T/x.err"; then
	ok "-o into a missing directory: exit 75, nothing written"
else
	echo "exit $_rc" >"$T/x.why"
	not_ok "-o into a missing directory: exit 75, nothing written" \
	    "$T/x.why" "$T/x.err"
fi
# a failure leaves an existing -o FILE as it was
echo "previous content" >"$T/keep.eml"
"$MAILSEAL" encrypt -o "$T/keep.eml" <"$I/nokey" >"$T/x.out" 2>"$T/x.err"
_rc=$?
if [ "$_rc" -eq 67 ] && [ "$(cat "$T/keep.eml")" = "previous content" ] &&
    [ -z "$(find "$T" -maxdepth 1 -name 'keep.eml?*' -print)" ]; then
	ok "a failure (67) leaves an existing -o FILE untouched, no temporary file"
else
	not_ok "a failure (67) leaves an existing -o FILE untouched, no temporary file (exit $_rc)" \
	    "$T/x.err"
fi
if [ -w /dev/full ]; then
	"$MAILSEAL" encrypt <"$I/good" >/dev/full 2>"$T/x.err"
	_rc=$?
	if [ "$_rc" -eq 75 ] && one_line "$T/x.err"; then
		ok "standard output is full (/dev/full): exit 75, one stderr line"
	else
		echo "exit $_rc" >"$T/x.why"
		not_ok "standard output is full (/dev/full): exit 75, one stderr line" \
		    "$T/x.why" "$T/x.err"
	fi
else
	skip "standard output is full (/dev/full): exit 75" "no /dev/full"
fi

# ---- already encrypted: passed through unchanged, exit 0
bob=$(fpr bob)
printf 'Secret text, encrypted elsewhere.\n' >"$T/p.txt"
gpg --batch --quiet --yes --trust-model always --armor --encrypt \
    --recipient "$bob" --output "$T/p.asc" "$T/p.txt"
gpg --batch --quiet --yes --local-user "$(fpr alice)" --clearsign \
    --output "$T/p.clear" "$T/p.txt"
[ -s "$T/p.asc" ] && [ -s "$T/p.clear" ] || diag "gpg could not make the inline samples"

"$MAILSEAL" encrypt <"$I/good" >"$I/pgpmime" 2>/dev/null
"$PYTHON" - "$T/p.asc" "$T/p.clear" "$I" <<'EOF'
import base64, os, quopri, sys
armor = open(sys.argv[1], "rb").read()
clear = open(sys.argv[2], "rb").read()
d = sys.argv[3]
def w(name, head, body):
    with open(os.path.join(d, name), "wb") as fp:
        fp.write(b"From: Alice <alice@example.org>\nTo: %s\n"
                 b"Subject: %s\nMessage-ID: <%s@example.org>\n" %
                 (b"bob@example.org", name.encode(), name.encode())
                 + head + b"\n" + body)
w("inline", b"", armor)
w("inline-ct", b"Content-Type: text/plain; charset=us-ascii\n", b"\n  \n" + armor + b"\n\n")
w("inline-qp", b"MIME-Version: 1.0\nContent-Type: text/plain; charset=us-ascii\n"
  b"Content-Transfer-Encoding: quoted-printable\n", quopri.encodestring(armor))
w("inline-b64", b"MIME-Version: 1.0\nContent-Type: text/plain\n"
  b"Content-Transfer-Encoding: base64\n", base64.encodebytes(armor))
w("inline-crlf", b"", armor.replace(b"\n", b"\r\n"))
# CMS ContentInfo: SEQUENCE { contentType OID, [0] content }, as the
# DER of real S/MIME starts (RFC 5652 3; RFC 5083 for authEnveloped),
# whole (indefinite lengths closed, definite ones adding up): only a
# whole one is passed through (smime_sealed)
cms_env = bytes.fromhex("3080" "06092a864886f70d010703" "a080" "04820100") + \
    bytes(range(256)) + bytes(4)
cms_auth = bytes.fromhex("30820111" "060b2a864886f70d0109100117" "a0820100") + bytes(range(256))
smime = base64.encodebytes(cms_env)
w("smime", b"MIME-Version: 1.0\nContent-Type: application/pkcs7-mime; "
  b"smime-type=enveloped-data; name=smime.p7m\nContent-Transfer-Encoding: base64\n"
  b"Content-Disposition: attachment; filename=smime.p7m\n", smime)
w("smime-x", b"MIME-Version: 1.0\nContent-Type: application/x-pkcs7-mime;\n"
  b" smime-type=\"enveloped-data\"; name=\"smime.p7m\"\nContent-Transfer-Encoding: base64\n", smime)
w("smime-auth", b"MIME-Version: 1.0\nContent-Type: application/pkcs7-mime; "
  b"smime-type=authEnveloped-data; name=smime.p7m\nContent-Transfer-Encoding: base64\n",
  base64.encodebytes(cms_auth))
# labelled enveloped-data, but the body is not CMS EnvelopedData
w("smime-fake", b"MIME-Version: 1.0\nContent-Type: application/pkcs7-mime; "
  b"smime-type=enveloped-data; name=smime.p7m\nContent-Transfer-Encoding: base64\n",
  base64.encodebytes(b"The merger closes Friday.\n" * 20))
# review findings: labels without the structure, text dressed as armor,
# text after base64 padding, CR-only line ends
w("mpenc-label-only", b"Content-Type: multipart/encrypted; boundary=b\n",
  b"--b\nContent-Type: text/plain\n\nThe merger closes Friday.\n--b--\n")
w("mpenc-no-protocol", b"Content-Type: multipart/encrypted; boundary=b\n",
  b"--b\nContent-Type: application/pgp-encrypted\n\nVersion: 1\n\n--b\n"
  b"Content-Type: application/octet-stream\n\n" + armor + b"--b--\n")
w("mpenc-third-part", b"Content-Type: multipart/encrypted; "
  b"protocol=\"application/pgp-encrypted\"; boundary=b\n",
  b"--b\nContent-Type: application/pgp-encrypted\n\nVersion: 1\n\n--b\n"
  b"Content-Type: application/octet-stream\n\n" + armor +
  b"--b\nContent-Type: text/plain\n\nThe merger closes Friday.\n--b--\n")
w("mpenc-clearsigned", b"Content-Type: multipart/encrypted; "
  b"protocol=\"application/pgp-encrypted\"; boundary=b\n",
  b"--b\nContent-Type: application/pgp-encrypted\n\nVersion: 1\n\n--b\n"
  b"Content-Type: application/octet-stream\n\n-----BEGIN PGP SIGNED MESSAGE-----\n"
  b"Hash: SHA256\n\nThe merger closes Friday.\n-----BEGIN PGP SIGNATURE-----\n\n"
  b"iQEzBAEBCAAdFiEE\n=abcd\n-----END PGP SIGNATURE-----\n--b--\n")
w("two-ctypes", b"Content-Type: multipart/encrypted; "
  b"protocol=\"application/pgp-encrypted\"; boundary=b\nContent-Type: text/plain\n",
  b"The merger closes Friday.\n")
w("inline-fake-armor", b"Content-Type: text/plain\n",
  b"-----BEGIN PGP MESSAGE-----\n\nThe merger closes Friday at 9.\n-----END PGP MESSAGE-----\n")
w("inline-b64-after-pad", b"Content-Type: text/plain\n"
  b"Content-Transfer-Encoding: base64\n",
  base64.encodebytes(armor) + b"====\n" + base64.encodebytes(b"The merger closes Friday.\n"))
with open(os.path.join(d, "cr-only"), "wb") as fp:
    fp.write(b"From: a@example.org\rTo: bob@example.org\rSubject: hi\r\rTOP SECRET BODY\r")
# look-alikes that are NOT encrypted and must be encrypted
w("inline-around", b"", b"Hi Bob, the secret is below.\n\n" + armor + b"\nBye, Alice\n")
w("inline-after", b"", armor + b"\nPS: this line is clear text.\n")
w("inline-two", b"", armor + b"\n" + armor)
w("inline-html", b"Content-Type: text/html\n", armor)
w("inline-in-mixed", b"MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"b\"\n",
  b"--b\nContent-Type: text/plain\n\n" + armor + b"\n--b--\n")
w("clearsigned", b"", clear)
w("smime-notype", b"MIME-Version: 1.0\nContent-Type: application/pkcs7-mime; name=smime.p7m\n"
  b"Content-Transfer-Encoding: base64\n", smime)
w("smime-signed", b"MIME-Version: 1.0\nContent-Type: application/pkcs7-mime; "
  b"smime-type=signed-data; name=smime.p7m\nContent-Transfer-Encoding: base64\n", smime)
w("inline-truncated", b"", armor[:armor.index(b"-----END")])
EOF

# passthrough DESC INPUT [OPTION...] - exit 0, output == input
passthrough() {
	_d=$1 _in=$2
	shift 2
	"$MAILSEAL" encrypt "$@" <"$_in" >"$T/p.out" 2>"$T/p.err"
	_rc=$?
	if [ "$_rc" -eq 0 ] && [ -s "$_in" ] && cmp -s "$_in" "$T/p.out"; then
		ok "$_d: passed through byte for byte, exit 0"
	else
		echo "exit $_rc" >"$T/p.why"
		cmp "$_in" "$T/p.out" >>"$T/p.why" 2>&1
		not_ok "$_d: passed through byte for byte, exit 0" "$T/p.why" \
		    "$T/p.err"
	fi
}
passthrough "PGP/MIME (mailseal's own output)" "$I/pgpmime"
# Where the output goes fails: 75 and one line, never a signal or 0.
"$MAILSEAL" encrypt -r bob@example.org "$I/good" >&- 2>"$T/c.err"
_rc=$?
if [ "$_rc" -eq 75 ] && [ "$(wc -l <"$T/c.err")" -eq 1 ] &&
    grep -q '^mailseal: standard output is closed' "$T/c.err"; then
	ok "standard output closed: exit 75, one line"
else
	not_ok "standard output closed: exit 75, one line (exit $_rc)" "$T/c.err"
fi
# a reader that stops early: EPIPE is a write error (75), not SIGPIPE,
# also on the pass-through path, which never starts gpg
{ printf 'To: bob@example.org\nContent-Type: multipart/encrypted\n\n'
  head -c 2000000 /dev/zero | tr '\0' 'x'; } >"$T/bigenc.eml"
_rc=$( { "$MAILSEAL" encrypt "$T/bigenc.eml" 2>"$T/p2.err"; echo $? >"$T/p2.rc"; } | head -c 10 >/dev/null; cat "$T/p2.rc")
if [ "$_rc" = 75 ] && grep -q 'Broken pipe' "$T/p2.err"; then
	ok "reader closes the pipe early: exit 75"
else
	not_ok "reader closes the pipe early: exit 75 (exit $_rc)" "$T/p2.err"
fi

passthrough "PGP/MIME to a recipient without a key" "$I/pgpmime" -r nobody@example.org
"$MAILSEAL" encrypt -o "$T/pass.eml" <"$I/pgpmime" >"$T/p.out" 2>"$T/p.err"
_rc=$?
if [ "$_rc" -eq 0 ] && [ ! -s "$T/p.out" ] && cmp -s "$I/pgpmime" "$T/pass.eml"
then
	ok "PGP/MIME, -o FILE: FILE is the input, byte for byte, exit 0"
else
	not_ok "PGP/MIME, -o FILE: FILE is the input, byte for byte, exit 0 (exit $_rc)" \
	    "$T/p.err"
fi
passthrough "inline PGP, no Content-Type" "$I/inline"
passthrough "inline PGP, text/plain, white space around" "$I/inline-ct"
passthrough "inline PGP, quoted-printable" "$I/inline-qp"
passthrough "inline PGP, base64" "$I/inline-b64"
passthrough "inline PGP, CRLF body" "$I/inline-crlf"
passthrough "S/MIME application/pkcs7-mime enveloped-data" "$I/smime"
passthrough "S/MIME application/x-pkcs7-mime \"enveloped-data\", folded" "$I/smime-x"
passthrough "S/MIME authEnveloped-data" "$I/smime-auth"
# no smime-type, as Outlook and older clients send it (name=smime.p7m):
# the DER is EnvelopedData, so encrypted (VIOLATIONS.md, reading S/MIME)
passthrough "application/pkcs7-mime without smime-type, EnvelopedData" \
    "$I/smime-notype"

succeed "inline PGP with text around the block" "$I/inline-around"
succeed "inline PGP with clear text after the block" "$I/inline-after"
succeed "two inline PGP blocks" "$I/inline-two"
succeed "inline PGP block in text/html" "$I/inline-html"
succeed "inline PGP block inside multipart/mixed" "$I/inline-in-mixed"
succeed "clear-signed message" "$I/clearsigned"
succeed "application/pkcs7-mime signed-data" "$I/smime-signed"
succeed "inline PGP block without its END line" "$I/inline-truncated"
succeed "pkcs7-mime enveloped-data label on a body that is not CMS" "$I/smime-fake"
succeed "multipart/encrypted label around clear text" "$I/mpenc-label-only"
succeed "multipart/encrypted without protocol=" "$I/mpenc-no-protocol"
succeed "multipart/encrypted with a clear third part" "$I/mpenc-third-part"
succeed "multipart/encrypted holding a clear-signed text" "$I/mpenc-clearsigned"
succeed "two Content-Type fields, multipart/encrypted first" "$I/two-ctypes"
succeed "text dressed up as an armored message" "$I/inline-fake-armor"
succeed "base64 armor, then clear text after the padding" "$I/inline-b64-after-pad"
expect 65 "CR-only line ends (the body would be read as a header)" "$I/cr-only"

done_testing
