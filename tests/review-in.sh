#!/bin/sh
# review-in.sh - an attacker's review of the incoming side (decrypt):
# what a mail reader shows must be what was verified, forged verdicts
# never survive, content gets a verdict.  Messages are made here with
# gpg.  TAP.
. "${MAILSEAL_SRCDIR:-.}/tests/lib.sh"

require_tools gpg
ms_home
A=$(fpr alice)

# cte_msg CTE FROM TO < ARMOR > EML - a text/plain message whose body
# is stdin in transfer encoding CTE, with the byte string FROM of the
# encoded body replaced by TO (Python escapes: \r)
cte_msg() {
	"$PYTHON" -c '
import base64, quopri, sys
data = sys.stdin.buffer.read()
cte, old, new = sys.argv[1], sys.argv[2], sys.argv[3]
if cte == "base64":
    body = base64.encodebytes(data)
else:
    body = quopri.encodestring(data)
old = old.encode().decode("unicode_escape").encode("latin-1")
new = new.encode().decode("unicode_escape").encode("latin-1")
if old and old not in body:
    sys.exit("no " + repr(old))
body = body.replace(old, new, 1)
sys.stdout.buffer.write(b"From: alice@example.org\nTo: bob@example.org\n"
    b"Subject: t\nMIME-Version: 1.0\n"
    b"Content-Type: text/plain; charset=us-ascii\n"
    b"Content-Transfer-Encoding: " + cte.encode() + b"\n\n" + body)
' "$@"
}

GOOD="X-Mailseal-Decryption: not-encrypted|X-Mailseal-Signature: good; signer=$A|"
NONE="X-Mailseal-Decryption: not-encrypted|X-Mailseal-Signature: none|"

# ---- clear-signed text in a transfer encoding readers decode otherwise
printf 'I will not\npay Mallory.\n' >"$T/p"
g --clearsign -u alice@example.org -o "$T/cs.asc" "$T/p"

cte_msg quoted-printable '' '' <"$T/cs.asc" >"$T/qp.eml"
ms "$T/o" "$T/err" decrypt "$T/qp.eml"
expect "clear-signed, plain quoted-printable: good" "$T/o" "$GOOD"
cte_msg base64 '' '' <"$T/cs.asc" >"$T/b64.eml"
ms "$T/o" "$T/err" decrypt "$T/b64.eml"
expect "clear-signed, plain base64: good" "$T/o" "$GOOD"

# "=" CR without LF: Python's email package drops the rest of the line
# (it shows "I will pay Mallory."), GMime shows the CR, mailseal read
# "n": Alice's signature was called good over what no reader shows
cte_msg quoted-printable 'I will not\n' 'I will =\r6Eot\n' <"$T/cs.asc" \
    >"$T/qpcr.eml"
ms "$T/o" "$T/err" decrypt "$T/qpcr.eml"
expect "quoted-printable '=' CR: readers disagree, not signed" "$T/o" "$NONE"
# "=" and white space: text to Python and GMime, a soft break to mutt
cte_msg quoted-printable 'I will not\n' 'I will= \n not\n' <"$T/cs.asc" \
    >"$T/qpsp.eml"
ms "$T/o" "$T/err" decrypt "$T/qpsp.eml"
expect "quoted-printable '=' space: readers disagree, not signed" "$T/o" \
    "$NONE"

# base64 with padding in the middle: Python and GMime stop there and
# show a truncated text, mailseal decoded on
"$PYTHON" -c '
import base64, sys
d = open(sys.argv[1], "rb").read()
cut = d.index(b"I will not") + len(b"I will")
sys.stdout.buffer.write(b"From: alice@example.org\nTo: bob@example.org\n"
    b"Subject: t\nMIME-Version: 1.0\nContent-Type: text/plain\n"
    b"Content-Transfer-Encoding: base64\n\n" +
    base64.encodebytes(d[:cut]) + base64.encodebytes(d[cut:]))
' "$T/cs.asc" >"$T/b64pad.eml"
if "$PYTHON" -c '
import email, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"))
sys.exit(b"not" in m.get_payload(decode=True))' "$T/b64pad.eml"; then
	ms "$T/o" "$T/err" decrypt "$T/b64pad.eml"
	expect "base64 padding mid-body: readers truncate, not signed" \
	    "$T/o" "$NONE"
else
	skip "base64 padding mid-body" "the cut fell on a group boundary"
fi

# ---- many signatures: gpg checks each (a public-key operation), and a
# compressed packet of a few kilobytes holds thousands.  Signed by Alice,
# encrypted to Bob: 1000 took 5 s and 20000 took 103 s of gpg per
# delivery attempt (past LIMIT_SECONDS: 75, retried forever).
printf 'Content-Type: text/plain\r\n\r\nhello\r\n' >"$T/lit"
g -u alice@example.org --compress-algo none -s -o "$T/s1.gpg" "$T/lit"
# manysigs N IN - one compressed packet: N one-pass signatures, the
# literal data, N signatures; or, N < 0, -N signatures before the data
# (old style: gpg collects them, in time quadratic in their number)
manysigs() {
	"$PYTHON" -c '
import sys, zlib
d = open(sys.argv[2], "rb").read()
pk, i = {}, 0
while i < len(d):
    h = d[i]
    if h & 0x40:
        tag, l = h & 0x3f, d[i + 1]
        if l < 192:
            hl, n = 2, l
        elif l < 224:
            hl, n = 3, ((l - 192) << 8) + d[i + 2] + 192
        else:
            hl, n = 6, int.from_bytes(d[i + 2:i + 6], "big")
    else:
        tag, hl = (h >> 2) & 15, [2, 3, 5][h & 3]
        n = int.from_bytes(d[i + 1:i + hl], "big")
    pk[tag] = d[i:i + hl + n]
    i += hl + n
n = int(sys.argv[1])
z = zlib.compressobj(9, zlib.DEFLATED, -15)
raw = pk[4] * n + pk[11] + pk[2] * n if n > 0 else pk[2] * -n + pk[11]
body = b"\x01" + z.compress(raw) + z.flush()
sys.stdout.buffer.write(b"\xc8\xff" + len(body).to_bytes(4, "big") + body)
' "$@"
}
manysigs 4000 "$T/s1.gpg" >"$T/many.gpg"
g -r bob@example.org --no-literal --compress-algo none -a -e \
    -o "$T/many.asc" "$T/many.gpg" 2>/dev/null
{
	printf 'From: alice@example.org\nTo: bob@example.org\nSubject: x\n'
	printf 'MIME-Version: 1.0\nContent-Type: multipart/encrypted; '
	printf 'protocol="application/pgp-encrypted"; boundary="B"\n\n'
	printf -- '--B\nContent-Type: application/pgp-encrypted\n\n'
	printf 'Version: 1\n\n--B\nContent-Type: application/octet-stream\n\n'
	cat "$T/many.asc"
	printf '\n--B--\n'
} >"$T/many.eml"
# encmsg ARMOR - a PGP/MIME message of the armored ciphertext
encmsg() {
	printf 'From: alice@example.org\nTo: bob@example.org\nSubject: x\n'
	printf 'MIME-Version: 1.0\nContent-Type: multipart/encrypted; '
	printf 'protocol="application/pgp-encrypted"; boundary="B"\n\n'
	printf -- '--B\nContent-Type: application/pgp-encrypted\n\n'
	printf 'Version: 1\n\n--B\nContent-Type: application/octet-stream\n\n'
	cat "$1"
	printf '\n--B--\n'
}
start=$(date +%s)
ms "$T/o" "$T/err" decrypt "$T/many.eml"
secs=$(($(date +%s) - start))
expect "4000 signatures in the ciphertext: a verdict" "$T/o" \
    "X-Mailseal-Decryption: failed; reason=too-many-signatures|X-Mailseal-Signature: none|"
is "... and gpg was stopped early (seconds, under 10)" \
    "$([ "$secs" -lt 10 ] && echo yes || echo "$secs")" yes

# ---- a forged verdict after a CRLF "empty" line in an LF message: the
# header ended there for mailseal (and Python), but procmail reads on
# past a line that holds a CR, and its ^X-Mailseal-Signature: good
# matched the sender's line
printf 'From: alice@example.org\nSubject: s\n\r\nX-Mailseal-Signature: good\n\nbody\n' \
    >"$T/crsep.eml"
ms "$T/o" "$T/err" decrypt "$T/crsep.eml"
expect "CRLF empty line in an LF message: verdicts" "$T/o" "$NONE"
is "... the body is kept" "$(sed '1,/^$/d' "$T/o")" \
    "$(printf 'X-Mailseal-Signature: good\n\nbody')"
if have procmail; then
	printf 'VERBOSE=no\nDEFAULT=%s\n:0\n* ^X-Mailseal-Signature: good\n%s\n' \
	    "$T/deliv.none" "$T/deliv.good" >"$T/rc"
	procmail -m "$T/rc" <"$T/o"
	is "... and procmail does not see a good signature" \
	    "$(ls "$T" | grep '^deliv\.')" deliv.none
else
	skip "procmail and the forged verdict" "no procmail"
fi

# 40000 signatures before the data: gpg works quadratically before its
# first NEWSIG (9 s here; 200000 in a 150 KB message: hours, then 75).
# Under a CPU limit of ours lower than LIMIT_GPG_CPU (120 s), gpg gets
# that one: 2 s
manysigs -40000 "$T/s1.gpg" >"$T/old.gpg"
g -r bob@example.org --no-literal --compress-algo none -a -e \
    -o "$T/old.asc" "$T/old.gpg" 2>/dev/null
encmsg "$T/old.asc" >"$T/old.eml"
(ulimit -S -t 2; "$MAILSEAL" decrypt "$T/old.eml" >"$T/o" 2>"$T/err")
rc=$?
expect "signatures before the data, gpg at its CPU limit: a verdict" "$T/o" \
    "X-Mailseal-Decryption: failed; reason=too-costly|X-Mailseal-Signature: none|"

# ---- mailseal out of time (--timeout, 75) or killed: its gpg went on
# working on the message for as long as the message made it (here 9 s;
# hours for some), once more on every retry
sups() {
	_s=$(readlink -f "$(dirname "$MAILSEAL")/mailseal-gpg")
	# this test's own (other tests may run beside it): same GnuPG home
	for _p in /proc/[0-9]*; do
		[ "$(readlink "$_p/exe" 2>/dev/null)" = "$_s" ] &&
		    tr '\0' '\n' <"$_p/environ" 2>/dev/null |
		    grep -qxF "GNUPGHOME=$GNUPGHOME" && echo "${_p#/proc/}"
	done
}
before=$(sups | wc -l)
ms "$T/o" "$T/err" decrypt --timeout 1 "$T/old.eml"
sleep 2
is "out of time: 75, and no gpg left working" "$rc $(sups | wc -l)" \
    "75 $before"

# ---- a multipart/signed signature part that is no detached signature:
# a compressed packet of many signatures (or of signatures and literal
# data) kept gpg verifying until its CPU limit (LIMIT_GPG_CPU) killed it,
# and GPGME then spun on the text pipe until --timeout: 75 on every
# retry.  It is read before gpg is run: only signature packets (at most
# LIMIT_SIGNATURES), the armor checksum right; anything else is bad.
# (the signed text larger than a pipe holds: gpg dies before it has
# read it all)
"$PYTHON" -c '
import sys
sys.stdout.buffer.write(b"Content-Type: text/plain\r\n\r\n" +
    b"".join(b"line %06d of the signed text\r\n" % i for i in range(8000)))
' >"$T/big"
g -u alice@example.org -b -o "$T/d1.sig" "$T/big"
# sigmsg KIND - a multipart/signed message of $T/big whose signature part
# is Alice's signature ($T/d1.sig) armored (good), armored with a wrong
# checksum (badcrc), in a compressed packet 40000 times
# (many), 2000 times and the literal data (before), followed by a
# literal packet (literal), or N times (a number)
sigmsg() {
	"$PYTHON" -c '
import base64, sys, zlib
kind, sig, lit = sys.argv[1], open(sys.argv[2], "rb").read(), \
    open(sys.argv[3], "rb").read()
def pkt(tag, body):
    return bytes([0xc0 | tag, 0xff]) + len(body).to_bytes(4, "big") + body
def comp(raw):
    z = zlib.compressobj(9, zlib.DEFLATED, -15)
    return pkt(8, b"\x01" + z.compress(raw) + z.flush())
def crc24(d):
    c = 0xB704CE
    for b in d:
        c ^= b << 16
        for _ in range(8):
            c <<= 1
            if c & 0x1000000:
                c ^= 0x1864CFB
    return c & 0xFFFFFF
litpkt = pkt(11, b"b\x00\x00\x00\x00\x00" + lit)
data = {"many": comp(sig * 40000), "before": comp(sig * 2000 + litpkt),
    "literal": sig + litpkt}.get(kind, sig)
if kind.isdigit():
    data = sig * int(kind)
crc = crc24(data) ^ (1 if kind == "badcrc" else 0)
part = (b"-----BEGIN PGP SIGNATURE-----\n\n" + base64.encodebytes(data) +
    b"=" + base64.b64encode(crc.to_bytes(3, "big")) +
    b"\n-----END PGP SIGNATURE-----\n")
sys.stdout.buffer.write(b"From: alice@example.org\nTo: bob@example.org\n"
    b"Subject: s\nMIME-Version: 1.0\nContent-Type: multipart/signed; "
    b"micalg=pgp-sha256; protocol=\"application/pgp-signature\"; "
    b"boundary=\"S\"\n\n--S\r\n" + lit + b"\r\n--S\r\n"
    b"Content-Type: application/pgp-signature\r\n\r\n" + part +
    b"\r\n--S--\r\n")
' "$1" "$T/d1.sig" "$T/big"
}
BAD="X-Mailseal-Decryption: not-encrypted|X-Mailseal-Signature: bad|"
for k in good 16; do
	sigmsg $k >"$T/sig-$k.eml"
	ms "$T/o" "$T/err" decrypt "$T/sig-$k.eml"
	expect "detached signature part ($k): good" "$T/o" "$GOOD"
done
for k in many before literal badcrc 17; do
	sigmsg $k >"$T/sig-$k.eml"
	start=$(date +%s)
	# a CPU limit of ours (2 s) is gpg's too (as above): reached by
	# gpg on 40000 signatures before this check
	(ulimit -S -t 2; "$MAILSEAL" decrypt --timeout 10 "$T/sig-$k.eml" \
	    >"$T/o" 2>"$T/err")
	rc=$?
	secs=$(($(date +%s) - start))
	expect "signature part that is no detached signature ($k): bad" \
	    "$T/o" "$BAD"
	is "... at once (seconds, under 5)" \
	    "$([ "$secs" -lt 5 ] && echo yes || echo "$secs")" yes
done

# ---- the supervisor (gpgsup.c) on a fake gpg: it stops gpg at the
# NEWSIG past LIMIT_SIGNATURES (16), and a gpg that decrypts or verifies
# at its CPU limit (LIMIT_GPG_CPU, or a lower one of ours: here 1 s)
SUP=$(dirname "$MAILSEAL")/mailseal-gpg
cat >"$T/fakegpg" <<'EOF2'
#!/bin/sh
i=0
while [ "$i" -lt "$FAKE_SIGS" ]; do
	echo '[GNUPG:] NEWSIG' >&3
	i=$((i + 1))
done
[ "$1" = --decrypt ] && while :; do :; done
exit 0
EOF2
chmod 755 "$T/fakegpg"
# sup NAME SIGS [ARG] - the supervisor's first status line
sup() {
	MAILSEAL_GPG_SUPERVISE=$T/fakegpg FAKE_SIGS=$2 \
	    "$SUP" ${3:-} --status-fd 3 3>"$T/$1" </dev/null >/dev/null 2>&1
	head -n 1 "$T/$1" | cut -d' ' -f2-
}
if [ -x "$SUP" ]; then
	is "supervisor: LIMIT_SIGNATURES NEWSIG lines pass, one more stops gpg" \
	    "$(sup s16 16) / $(sup s17 17)" \
	    "MAILSEAL_GPG_EXIT 0 / MAILSEAL_GPG_EXIT signatures 17"
	is "supervisor: a decrypting gpg at its CPU limit is reported as such" \
	    "$(ulimit -S -t 1; sup cpu 0 --decrypt)" "MAILSEAL_GPG_EXIT cpu 1"
else
	skip "supervisor on a fake gpg" "no mailseal-gpg beside $MAILSEAL"
	skip "supervisor on a fake gpg" "no mailseal-gpg beside $MAILSEAL"
fi

done_testing
