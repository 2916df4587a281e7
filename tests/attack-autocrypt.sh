#!/bin/sh
# attack-autocrypt.sh - what a sender who holds no signing key of the
# From can teach mailseal decrypt --autocrypt-learn by replaying mail
# that someone else signed: the outer header and, in an encrypted
# message whose root is multipart/signed, the root's own header are
# outside the signature.  TAP.
. "${MAILSEAL_SRCDIR:-.}/tests/lib.sh"

ms_home
A=$(fpr alice)
AC=$T/ac
_ms_homes="$_ms_homes $AC"

# Mallory's key, made apart, with user IDs of other people's addresses
MH=$(mktemp -d /tmp/msk.XXXXXX)
_ms_homes="$_ms_homes $MH"
gpg --homedir "$MH" --batch --passphrase '' --quick-gen-key \
    'Not Alice <alice@example.org>' ed25519 sign never 2>/dev/null
M=$(gpg --homedir "$MH" --batch --with-colons --list-keys 2>/dev/null |
    awk -F: '$1 == "fpr" { print $10; exit }')
gpg --homedir "$MH" --batch --passphrase '' --quick-add-key "$M" \
    cv25519 encr never 2>/dev/null
gpg --homedir "$MH" --batch --passphrase '' --quick-add-uid "$M" \
    'Not Dave <dave@example.org>' 2>/dev/null
MK=$(gpg --homedir "$MH" --batch --export-options export-minimal \
    --export "$M" | base64 -w 0)

# learn FILE - decrypt FILE learning into $AC; $rc, $T/dec, $T/err
learn() {
	"$MAILSEAL" decrypt --autocrypt-learn --autocrypt-homedir "$AC" \
	    -o "$T/dec" "$1" 2>"$T/err"
	rc=$?
}

# peer ADDR [FILE] - the fingerprint learned for ADDR
peer() {
	awk -F '\t' -v a="$1" '$1 == a { print $4 }' \
	    "$AC/${2:-autocrypt.state}" 2>/dev/null
}

# sig FILE - the signature verdict's first word
sig() {
	verdicts "$1" | sed 's/.*Signature: //; s/[; |].*//'
}

# Alice's signed mail, as a list archive shows it to anyone
msg "$T/plain" "From: alice@example.org" "To: list@example.org" \
    "Subject: hello list" "Date: Sun, 06 Dec 2026 09:00:00 +0000" <<EOF
Hello list.
EOF
"$MAILSEAL" sign --signer "$A" -o "$T/signed" "$T/plain" 2>"$T/err"
is "Alice's signed mail" "$?" 0 "$T/err"

# 2: Mallory puts an Autocrypt field of his own and a new Date on it
{
	echo "Autocrypt: addr=alice@example.org; keydata=$MK"
	sed 's/^Date: .*/Date: Sun, 06 Dec 2026 11:00:00 +0000/' "$T/signed"
} >"$T/replay"
learn "$T/replay"
is "a replayed signature teaches no key but the signer's" \
    "$rc:$(sig "$T/dec"):$(peer alice@example.org | grep -c "$M")" \
    "0:good:0" "$T/err" "$T/dec"

AK=$(gpg --batch --export-options export-minimal --export "$A" |
    base64 -w 0)
{
	echo "Autocrypt: addr=alice@example.org; keydata=$AK"
	cat "$T/signed"
} >"$T/own"
learn "$T/own"
is "a field outside the signature still teaches the signing key" \
    "$rc:$(sig "$T/dec"):$(peer alice@example.org)" "0:good:$A" \
    "$T/err" "$T/dec"

# 4: Mallory wraps Alice's signed mail in an encryption to Bob, with
# Autocrypt-Gossip in the multipart/signed root's header, which the
# signature does not cover
ct=$(field "$T/signed" Content-Type)
{
	echo "Content-Type: $ct"
	echo "Autocrypt-Gossip: addr=dave@example.org; keydata=$MK"
	echo
	body "$T/signed"
} >"$T/inner"
gpg --batch --quiet --trust-model always -r bob@example.org --armor \
    --encrypt -o "$T/inner.asc" "$T/inner" 2>/dev/null
{
	printf '%s\n' "From: alice@example.org" \
	    "To: bob@example.org, dave@example.org" "Subject: hello list" \
	    "Date: Sun, 06 Dec 2026 11:00:00 +0000" "MIME-Version: 1.0" \
	    'Content-Type: multipart/encrypted; protocol="application/pgp-encrypted"; boundary="b1"' \
	    "" "--b1" "Content-Type: application/pgp-encrypted" "" \
	    "Version: 1" "" "--b1" "Content-Type: application/octet-stream" ""
	cat "$T/inner.asc"
	printf '%s\n' "--b1--"
} >"$T/wrapped"
learn "$T/wrapped"
is "gossip outside the signature teaches nothing" \
    "$rc:$(sig "$T/dec"):$(peer dave@example.org gossip.state)" \
    "0:good:" "$T/err" "$T/dec"

# 5-6: an address whose canonical form (IDNA A-labels: "é" is
# "xn--9ca") is longer than it is written, gossiped by Alice: the
# state file must stay readable, or nothing is learned any more and the
# gateway defers every opportunistic recipient without a key
L=$(printf '%0414d' 0 | tr 0 l)
D=$(i=0; while [ $i -lt 30 ]; do printf '\303\251.'; i=$((i+1)); done)
LA="$L@${D}example"
gpg --homedir "$MH" --batch --passphrase '' --quick-add-uid "$M" \
    "<$LA>" 2>/dev/null
LK=$(gpg --homedir "$MH" --batch --export-options export-minimal \
    --export "$M" | base64 -w 0)
msg "$T/plain" "From: alice@example.org" "To: bob@example.org, $LA" \
    "Subject: s" "Date: Sun, 06 Dec 2026 12:00:00 +0000" \
    "Autocrypt-Gossip: addr=$LA; keydata=$LK" <<EOF
Hello.
EOF
"$MAILSEAL" encrypt --sign --signer "$A" -r bob@example.org \
    -o "$T/long" "$T/plain" 2>"$T/err"
learn "$T/long"
learn "$T/own"
is "a long canonical address leaves the state readable" \
    "$rc:$(grep -c 'nothing learned' "$T/err")" "0:0" "$T/err"
gw_env
conf gw "decrypt = yes" "autocrypt_learn = yes" "autocrypt_homedir = $AC"
msg "$T/clear" "From: alice@example.org" "To: nokey@example.org" \
    "Subject: s" <<EOF
Hello.
EOF
fm "$T/gw.conf" -f alice@example.org nokey@example.org <"$T/clear"
is "the gateway still delivers to a recipient without a key" "$rc" 0 \
    "$T/err"

# 7-8: LIMIT_AUTOCRYPT_GOSSIP (100) Autocrypt-Gossip fields are read,
# the 101st is not: each costs two gpg runs
i=1 to= gos=
while [ $i -le 101 ]; do
	gpg --homedir "$MH" --batch --passphrase '' --quick-add-uid "$M" \
	    "<g$i@example.net>" 2>/dev/null
	to="$to, g$i@example.net"
	i=$((i + 1))
done
i=1
set --
while [ $i -le 101 ]; do
	set -- "$@" "Autocrypt-Gossip: addr=g$i@example.net; keydata=$(gpg \
	    --homedir "$MH" --batch --export-options export-minimal \
	    --export-filter "keep-uid=mbox = g$i@example.net" --export "$M" |
	    base64 -w 0)"
	i=$((i + 1))
done
msg "$T/plain" "From: alice@example.org" "To: bob@example.org$to" \
    "Subject: s" "Date: Sun, 06 Dec 2026 12:00:00 +0000" "$@" <<EOF
Hello.
EOF
"$MAILSEAL" encrypt --sign --signer "$A" -r bob@example.org \
    -o "$T/many" "$T/plain" 2>"$T/err"
learn "$T/many"
is "gossip: the first LIMIT_AUTOCRYPT_GOSSIP fields learned" \
    "$rc:$(peer g100@example.net gossip.state)" "0:$M" "$T/err"
is "gossip past the limit left out, said once" \
    "$(peer g101@example.net gossip.state):$(grep -c \
    LIMIT_AUTOCRYPT_GOSSIP "$T/err")" ":1" "$T/err"

# 9: a signer whose minimal export is over LIMIT_AUTOCRYPT_EXPORT (a
# 1.1 MB photo ID): its mail goes out without the field, not deferred
{
	printf '\377\330\377\340\000\020JFIF\000'
	head -c 1100000 /dev/zero
} >"$T/photo.jpg"
printf 'addphoto\n%s\ny\nsave\n' "$T/photo.jpg" | g --command-fd 0 \
    --pinentry-mode loopback --passphrase '' --edit-key "$A" >/dev/null 2>&1
conf sign "sign = yes" "signer = $A" "autocrypt = yes"
fm "$T/sign.conf" -f alice@example.org nokey@example.org <"$T/clear"
is "a signer over LIMIT_AUTOCRYPT_EXPORT: sent, without the field" \
    "$rc:$(ls "$T/sm" | grep -c '\.msg$'):$(field "$T/sm/1.msg" \
    Autocrypt | grep -c .)" "0:1:0" "$T/err"

# 10: the gateway reads the state files once a message, not once a
# recipient: 1000 recipients without a key against two files of 10000
# peers took seconds
/usr/bin/python3 - "$AC" <<'EOF'
import sys
for f in ("autocrypt.state", "gossip.state"):
    with open(sys.argv[1] + "/" + f, "w") as o:
        o.write("# mailseal autocrypt state 1\n")
        for i in range(10000):
            o.write("p%d@example.org\t1\t1\t"
                    "82883A9E2197043C24A07BF079ABAEE40FFFA611\t"
                    "nopreference\n" % i)
EOF
set --
i=0
while [ $i -lt 1000 ]; do
	set -- "$@" "n$i@example.net"
	i=$((i + 1))
done
# counted, not timed (speed lives in bench/): -v logs each state file
# read; two files for the message, whatever the number of recipients
fm "$T/gw.conf" -v -f alice@example.org "$@" <"$T/clear"
is "1000 recipients, 20000 peers: the two state files read once each" \
    "$rc:$(grep -c 'Autocrypt: state .* read$' "$T/err")" "0:2" "$T/err"

# 11: the date a key is learned from is never after the signature's:
# Alice's new key, learned from newer mail, is not rolled back by her
# older signed mail replayed under a fresh Date (and a field with her
# old key, which is public)
K2H=$(mktemp -d /tmp/msk.XXXXXX)
_ms_homes="$_ms_homes $K2H"
gpg --homedir "$K2H" --batch --passphrase '' --quick-gen-key \
    'Alice New <alice@example.org>' ed25519 sign never 2>/dev/null
K2=$(gpg --homedir "$K2H" --batch --with-colons --list-keys 2>/dev/null |
    awk -F: '$1 == "fpr" { print $10; exit }')
gpg --homedir "$K2H" --batch --passphrase '' --quick-add-key "$K2" \
    cv25519 encr never 2>/dev/null
K2K=$(gpg --homedir "$K2H" --batch --export-options export-minimal \
    --export "$K2" | base64 -w 0)
rm -f "$AC/autocrypt.state" "$AC/gossip.state"
msg "$T/plain" "From: alice@example.org" "To: list@example.org" \
    "Subject: old" "Date: $(date -R)" <<EOF
Old mail.
EOF
"$MAILSEAL" sign --signer "$A" -o "$T/old" "$T/plain" 2>"$T/err"
sleep 2
msg "$T/plain" "From: alice@example.org" "To: bob@example.org" \
    "Subject: new key" "Date: $(date -R)" \
    "Autocrypt: addr=alice@example.org; keydata=$K2K" <<EOF
New key.
EOF
"$MAILSEAL" encrypt --sign --signer "$A" -r bob@example.org \
    -o "$T/new" "$T/plain" 2>"$T/err"
learn "$T/new"
is "the new key learned" "$rc:$(peer alice@example.org)" "0:$K2" "$T/err"
sleep 2
{
	echo "Autocrypt: addr=alice@example.org; keydata=$AK"
	sed "s/^Date: .*/Date: $(date -R)/" "$T/old"
} >"$T/replay2"
learn "$T/replay2"
is "old signed mail under a fresh Date: the new key stays" \
    "$rc:$(sig "$T/dec"):$(peer alice@example.org)" "0:good:$K2" \
    "$T/err" "$T/dec"

done_testing
