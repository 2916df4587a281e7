#!/bin/sh
# attack-packets.sh - "already encrypted" means the OpenPGP framing of an
# encrypted message (issue 8 item 14), and anonymous recipients cannot
# make decrypt try every secret key without end (item 17).  The hostile
# messages are made here from messages gpg encrypts: packets are cut and
# joined, then armored or base64-encoded as the three forms need.  TAP.
. "${MAILSEAL_SRCDIR:-.}/tests/lib.sh"

ms_home
IS_DIAG=$T/err

printf 'secret text\n' >"$T/plain"
g -e -r bob@example.org -o "$T/bob.gpg" "$T/plain"
g -e -R bob@example.org -o "$T/hidden.gpg" "$T/plain"
[ -s "$T/bob.gpg" ] && [ -s "$T/hidden.gpg" ] ||
    skip_all "gpg cannot encrypt to the test keys"

# make NAME - NAME.pgpmime.eml, NAME.inline.eml and NAME.exchange.eml
# around the binary message $T/NAME.gpg
# the secret keys decrypt counts past LIMIT_ANON_KEYS anonymous recipients
nsec=$(g --list-secret-keys --with-colons | grep -c '^sec:')
budget=$((1024 / nsec))		# LIMIT_ANON_TRIES / secret keys
"$PYTHON" - "$T" "$budget" <<'PY'
import base64, sys
d = sys.argv[1]

def crc24(b):
    crc = 0xB704CE
    for c in b:
        crc ^= c << 16
        for _ in range(8):
            crc <<= 1
            if crc & 0x1000000:
                crc ^= 0x1864CFB
    return crc & 0xFFFFFF

def armor(b, crc=None):
    s = base64.b64encode(b).decode()
    c = crc24(b) if crc is None else crc
    return ("-----BEGIN PGP MESSAGE-----\n\n" +
            "".join(s[i:i + 64] + "\n" for i in range(0, len(s), 64)) +
            "=" + base64.b64encode(c.to_bytes(3, "big")).decode() +
            "\n-----END PGP MESSAGE-----\n").encode()

def packets(b):
    i, out = 0, []
    while i < len(b):
        t = b[i]
        if t & 0x40:
            o = b[i + 1]
            if o < 192:
                n, h = o, 2
            elif o < 224:
                n, h = ((o - 192) << 8) + b[i + 2] + 192, 3
            else:
                n, h = int.from_bytes(b[i + 2:i + 6], "big"), 6
        else:
            h = 1 + (1 << (t & 3))
            n = int.from_bytes(b[i + 1:i + h], "big")
        out.append(b[i:i + h + n])
        i += h + n
    return out

def literal(text):
    body = b"b\x00\x00\x00\x00\x00" + text
    return bytes([0xcb, len(body)]) + body

HDR = (b"From: Mallory <mallory@example.org>\nTo: nokey@example.org\n"
       b"Subject: %s\nMIME-Version: 1.0\n")

def forms(name, msg, arm=None):
    arm = armor(msg) if arm is None else arm
    with open("%s/%s.pgpmime.eml" % (d, name), "wb") as f:
        f.write(HDR % name.encode() +
                b'Content-Type: multipart/encrypted; '
                b'protocol="application/pgp-encrypted"; boundary="b1"\n\n'
                b"--b1\nContent-Type: application/pgp-encrypted\n\n"
                b"Version: 1\n\n--b1\nContent-Type: application/octet-stream\n\n"
                + arm + b"\n--b1--\n")
    with open("%s/%s.inline.eml" % (d, name), "wb") as f:
        f.write(HDR % name.encode() + b"Content-Type: text/plain\n\n" + arm)
    with open("%s/%s.exchange.eml" % (d, name), "wb") as f:
        f.write(HDR % name.encode() +
                b'Content-Type: multipart/mixed; boundary="b1"\n\n'
                b"--b1\nContent-Type: text/plain\n\n\n"
                b"--b1\nContent-Type: application/pgp-encrypted\n"
                b"Content-Transfer-Encoding: base64\n\n" +
                base64.encodebytes(b"Version: 1\n") +
                b"\n--b1\nContent-Type: application/octet-stream\n"
                b"Content-Transfer-Encoding: base64\n\n" +
                base64.encodebytes(msg) + b"\n--b1--\n")

bob = open(d + "/bob.gpg", "rb").read()
hidden = open(d + "/hidden.gpg", "rb").read()
pk = packets(bob)
clear = literal(b"The merger closes Friday.\n")
forms("good", bob)
forms("lit", pk[0] + clear)                    # item 14
forms("trail", bob + clear)                    # clear text after the data
forms("two", bob + pk[1])                      # a second data packet
forms("crc", bob, armor(bob, crc24(bob) ^ 1))  # a wrong checksum
# item 17: anonymous recipients nobody can use (a hidden recipient's
# packet with its ciphertext damaged: every secret key fails on it),
# in front of one for bob
anon = bytearray(packets(hidden)[0])
anon[20] ^= 0xff
anon[40] ^= 0xff
budget = int(sys.argv[2])
for n in (7, 8, budget - 1, budget, 2000):
    forms("anon%d" % n, bytes(anon) * n + hidden)
# session key packets for keys nobody has (another key ID)
other = bytearray(pk[0])
other[3] ^= 0x55
for n in (1999, 2000):
    forms("esk%d" % n, bytes(other) * n + bob)
PY

# the premise of item 14: gpg prints the clear text behind a session key
printf '%s' "$(sed -n '/BEGIN PGP/,/END PGP/p' "$T/lit.inline.eml")" \
    >"$T/lit.asc"
if gpg_dec "$T/lit.asc" "$T/lit.out" && grep -q merger "$T/lit.out"; then
	ok "premise: gpg shows a literal packet after a session key packet"
else
	skip "premise: gpg shows a literal packet after a session key packet" \
	    "this gpg refuses it"
fi

# ---- encrypt: only the real framing passes as already encrypted
for form in pgpmime inline exchange; do
	ms "$T/o" "$T/err" encrypt -r bob@example.org "$T/good.$form.eml"
	is "encrypt, gpg's message ($form): passed through unchanged" \
	    "$rc:$(cmp -s "$T/o" "$T/good.$form.eml" && echo same)" "0:same"
	# (the Exchange form is binary: no checksum to get wrong)
	for bad in lit trail two $([ $form = exchange ] || echo crc); do
		ms "$T/o" "$T/err" encrypt -r bob@example.org \
		    "$T/$bad.$form.eml"
		is "encrypt, $bad ($form): not already encrypted, encrypted" \
		    "$rc:$(cmp -s "$T/o" "$T/$bad.$form.eml" || echo changed):$(field "$T/o" Content-Type | cut -d';' -f1)" \
		    "0:changed:multipart/encrypted"
	done
done

# ---- filter: a require recipient without a key is refused (67)
cat >"$T/sendmail" <<EOF
#!/bin/sh
cat >"$T/sent"
EOF
chmod 755 "$T/sendmail"
printf '%s\n' "homedir = $GNUPGHOME" "sendmail = $T/sendmail" \
    "gateway_id = gw1.test" "log = stderr" "default_policy = require" \
    >"$T/req.conf"
filter() {
	rm -f "$T/sent"
	"$MAILSEAL" filter -c "$T/req.conf" -f mallory@example.org \
	    nokey@example.org <"$1" >"$T/out" 2>"$T/err"
	rc=$?
}
filter "$T/good.pgpmime.eml"
is "filter, require, no key, gpg's message: passed (0, sent)" \
    "$rc:$([ -e "$T/sent" ] && echo sent)" "0:sent"
for form in pgpmime inline exchange; do
	for bad in lit trail; do
		filter "$T/$bad.$form.eml"
		is "filter, require, no key, $bad ($form): refused, 67, not sent" \
		    "$rc:$([ -e "$T/sent" ] && echo sent)" "67:"
	done
done

# ---- decrypt: framing that is no encrypted message.  Inside the RFC 3156
# structure or one whole armored block it is damaged ciphertext; the
# Exchange form without its data is no Exchange form
for bad in lit trail two crc; do
	for form in pgpmime inline; do
		ms "$T/o" "$T/err" decrypt "$T/$bad.$form.eml"
		is "decrypt, $bad ($form): failed; reason=bad-data" \
		    "$rc:$(verdicts "$T/o")" \
		    "0:X-Mailseal-Decryption: failed; reason=bad-data|X-Mailseal-Signature: none|"
		check "... the original kept, not a word of clear text added" \
		    sh -c "sed 1,2d '$T/o' | cmp -s - '$T/$bad.$form.eml' &&
		    ! grep -q merger '$T/o'"
	done
	[ $bad = crc ] && continue
	ms "$T/o" "$T/err" decrypt "$T/$bad.exchange.eml"
	is "decrypt, $bad (exchange): not encrypted, body as it came" \
	    "$rc:$(verdicts "$T/o")" \
	    "0:X-Mailseal-Decryption: not-encrypted|X-Mailseal-Signature: none|"
done
for form in pgpmime inline exchange; do
	ms "$T/o" "$T/err" decrypt "$T/good.$form.eml"
	is "decrypt, gpg's message ($form): decrypted" "$rc:$(verdicts "$T/o")" \
	    "0:X-Mailseal-Decryption: decrypted|X-Mailseal-Signature: none|"
done

# ---- item 17: anonymous recipients, LIMIT_ANON_KEYS (8) and over:
# past 8, the secret keys are counted and LIMIT_ANON_TRIES (1024)
# trials allowed in all ($nsec keys here: $budget anonymous recipients)
for form in pgpmime inline exchange; do
	ms "$T/o" "$T/err" decrypt "$T/anon7.$form.eml"
	is "decrypt, 8 anonymous recipients ($form): decrypted" \
	    "$rc:$(verdicts "$T/o")" \
	    "0:X-Mailseal-Decryption: decrypted|X-Mailseal-Signature: none|"
	ms "$T/o" "$T/err" decrypt "$T/anon8.$form.eml"
	is "decrypt, 9 anonymous recipients ($form): decrypted (within the trials)" \
	    "$rc:$(verdicts "$T/o")" \
	    "0:X-Mailseal-Decryption: decrypted|X-Mailseal-Signature: none|"
done
ms "$T/o" "$T/err" decrypt "$T/anon$((budget - 1)).pgpmime.eml"
is "decrypt, $budget anonymous recipients x $nsec secret keys: decrypted" \
    "$rc:$(verdicts "$T/o")" \
    "0:X-Mailseal-Decryption: decrypted|X-Mailseal-Signature: none|"
ms "$T/o" "$T/err" decrypt "$T/anon$budget.pgpmime.eml"
is "decrypt, $((budget + 1)) anonymous recipients x $nsec secret keys: failed, too many" \
    "$rc:$(verdicts "$T/o")" \
    "0:X-Mailseal-Decryption: failed; reason=too-many-recipients|X-Mailseal-Signature: none|"
t0=$(date +%s)
ms "$T/o" "$T/err" decrypt --timeout 60 "$T/anon2000.pgpmime.eml"
t1=$(date +%s)
is "decrypt, 2001 anonymous recipients: failed at once (< 5 s)" \
    "$rc:$(verdicts "$T/o"):$([ $((t1 - t0)) -lt 5 ] && echo fast)" \
    "0:X-Mailseal-Decryption: failed; reason=too-many-recipients|X-Mailseal-Signature: none|:fast"
ms "$T/o" "$T/err" encrypt -r bob@example.org "$T/anon2000.pgpmime.eml"
is "encrypt, 2001 anonymous recipients: still already encrypted" \
    "$rc:$(cmp -s "$T/o" "$T/anon2000.pgpmime.eml" && echo same)" "0:same"

# ---- LIMIT_SESSION_KEYS (2000) session key packets, and one more
ms "$T/o" "$T/err" decrypt "$T/esk1999.pgpmime.eml"
is "decrypt, 2000 session key packets: decrypted" "$rc:$(verdicts "$T/o")" \
    "0:X-Mailseal-Decryption: decrypted|X-Mailseal-Signature: none|"
ms "$T/o" "$T/err" decrypt "$T/esk2000.pgpmime.eml"
is "decrypt, 2001 session key packets: failed, too many" \
    "$rc:$(verdicts "$T/o")" \
    "0:X-Mailseal-Decryption: failed; reason=too-many-recipients|X-Mailseal-Signature: none|"

done_testing
