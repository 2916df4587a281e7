#!/bin/sh
# autocrypt.sh - Autocrypt (Level 1) in the gateway, as a recipient's
# mail reader sees it: the Autocrypt field on outgoing copies of mail
# from a sender the gateway signs for (one field, folded to 78
# characters, the message's line ends; its keydata a key with exactly
# the From user ID and an encryption subkey, which gpg, rnp and sqop
# take), and none for other senders, with autocrypt = no, or when the
# sender's mail reader wrote its own.  TAP.
. "${MAILSEAL_SRCDIR:-.}/tests/lib.sh"

ms_home
A=$(fpr alice)
gw_env
# two more user IDs on the signer's key: the field carries one of them
g --quick-add-uid "$A" 'Alice Two <alice2@example.org>' 2>/dev/null
g --quick-add-uid "$A" 'Alice at work <alice@work.example>' 2>/dev/null

conf ac "sign = yes" "signer = $A" "autocrypt = yes"
conf acmutual "sign = yes" "signer = $A" "autocrypt = yes" \
    "autocrypt_prefer_encrypt = mutual"
conf noac "sign = yes" "signer = $A"
conf nosign "signer = $A" "autocrypt = yes"

# send CONF FROM TO [FIELD...] - a message through the filter; the
# copies are $T/sm/N.msg
send() {
	_c=$1 _from=$2 _to=$3
	shift 3
	msg "$T/in" "From: $_from" "To: $_to" "Subject: hello" \
	    "Date: Sun, 06 Dec 2026 10:00:00 +0000" "$@" <<EOF
Hello.
EOF
	fm "$T/$_c.conf" -f "$_from" "$_to" <"$T/in"
}

# nfields FILE - how many Autocrypt fields the copy's header holds
nfields() {
	field "$1" Autocrypt | grep -c . || :
}

# keydata FILE OUT - the keydata of the copy's Autocrypt field, decoded
keydata() {
	field "$1" Autocrypt | sed -n 's/.*keydata=//p' | tr -d ' ' |
	    base64 -d >"$2" 2>/dev/null
}

# uids KEYFILE - the user IDs of the key in KEYFILE, as gpg shows them
# from an empty home
uids() {
	rm -rf "$T/empty"
	mkdir -m 700 "$T/empty"
	_ms_homes="$_ms_homes $T/empty"
	gpg --homedir "$T/empty" --batch --quiet --import "$1" 2>/dev/null
	gpg --homedir "$T/empty" --batch --with-colons --list-keys 2>/dev/null |
	    awk -F: '$1 == "uid" { print $10 } $1 == "sub" && $12 ~ /e/ {
	    print "sub:e" }'
}

# 1-4: the encrypted copy of Alice's mail carries the field
send ac alice@example.org bob@example.org
is "exit 0, one copy" "$rc:$(ls "$T/sm" | grep -c '\.msg$')" "0:1" "$T/err"
is "one Autocrypt field" "$(nfields "$T/sm/1.msg")" 1 "$T/sm/1.msg"
is "addr is the From, no prefer-encrypt" \
    "$(field "$T/sm/1.msg" Autocrypt | sed 's/; keydata=.*//')" \
    "addr=alice@example.org" "$T/sm/1.msg"
long=$(sed '/^$/q' "$T/sm/1.msg" | awk 'length > 78' | wc -l)
is "no header line over 78 characters" "$long" 0 "$T/sm/1.msg"
keydata "$T/sm/1.msg" "$T/k1"
is "its key: one user ID, the From's, and an encryption subkey" \
    "$(uids "$T/k1" | tr '\n' '|')" "Alice <alice@example.org>|sub:e|"
is "the same primary key" "$(gpg --homedir "$T/empty" --batch \
    --with-colons --list-keys 2>/dev/null | awk -F: '$1 == "fpr" {
    print $10; exit }')" "$A"

# 7: the field is in the outer header, before the MIME prelude
head=$(sed '/^$/q' "$T/sm/1.msg" | grep -c '^Autocrypt: ')
body=$(sed '1,/^$/d' "$T/sm/1.msg" | grep -c '^Autocrypt: ')
is "in the outer header only" "$head:$body" "1:0"

# 8-9: rnp and sqop read the key
if have rnpkeys; then
	mkdir -m 700 "$T/rnp"
	if rnpkeys --homedir "$T/rnp" --import "$T/k1" >"$T/rnp.out" 2>&1 &&
	    rnpkeys --homedir "$T/rnp" --list-keys >"$T/rnp.list" 2>&1 &&
	    grep -q 'alice@example.org' "$T/rnp.list" &&
	    ! grep -q 'alice2@' "$T/rnp.list"; then
		ok "rnp imports the key: one user ID"
	else
		not_ok "rnp imports the key: one user ID" "$T/rnp.out" \
		    "$T/rnp.list"
	fi
else
	skip "rnp imports the key" "rnpkeys is not installed"
fi
if have sqop; then
	check "sqop encrypts to the key" sh -c "echo hi | sqop encrypt \
	    '$T/k1' >'$T/sq.asc' 2>'$T/sq.err'"
	gpg_dec_only alice "$T/sq.asc" "$T/sq.out"
	is "and Alice decrypts it" "$(cat "$T/sq.out" 2>/dev/null)" hi
else
	skip "sqop encrypts to the key" "sqop is not installed"
	skip "and Alice decrypts it" "sqop is not installed"
fi

# 11: another of the key's user IDs as From: that one alone
send ac 'Alice Two <alice2@example.org>' bob@example.org
keydata "$T/sm/1.msg" "$T/k2"
is "From alice2: the key carries alice2 alone" \
    "$(field "$T/sm/1.msg" Autocrypt | sed 's/; keydata=.*//'):$(uids \
    "$T/k2" | tr '\n' '|')" \
    "addr=alice2@example.org:Alice Two <alice2@example.org>|sub:e|" "$T/sm/1.msg"

# 12: a clear copy (no key for the recipient) carries it too
send ac alice@example.org nokey@example.org
is "the clear copy has the field too" "$rc:$(nfields "$T/sm/1.msg")" "0:1" \
    "$T/sm/1.msg"

# 13: prefer-encrypt=mutual
send acmutual alice@example.org bob@example.org
is "autocrypt_prefer_encrypt = mutual" \
    "$(field "$T/sm/1.msg" Autocrypt | sed 's/; keydata=.*//')" \
    "addr=alice@example.org; prefer-encrypt=mutual" "$T/sm/1.msg"

# 14-16: no field for a sender the key has no user ID for, with
# autocrypt = no, with sign = no
send ac bob@example.org nokey@example.org
is "a From the signer has no user ID for: none" "$rc:$(nfields \
    "$T/sm/1.msg")" "0:0" "$T/sm/1.msg"
send noac alice@example.org bob@example.org
is "autocrypt = no: none" "$rc:$(nfields "$T/sm/1.msg")" "0:0"
send nosign alice@example.org bob@example.org
is "sign = no: none" "$rc:$(nfields "$T/sm/1.msg")" "0:0" "$T/err"

# 17: the sender's own Autocrypt field is kept, and none added
send ac alice@example.org nokey@example.org \
    "Autocrypt: addr=alice@example.org; keydata=AQID"
is "the sender's own field kept, none added" "$(field "$T/sm/1.msg" \
    Autocrypt)" "addr=alice@example.org; keydata=AQID" "$T/sm/1.msg"

# 18: CRLF message: the field's lines end in CRLF
msg "$T/in" "From: alice@example.org" "To: nokey@example.org" \
    "Subject: crlf" </dev/null
printf 'Hello.\n' >>"$T/in"
sed 's/$/\r/' "$T/in" >"$T/in.crlf"
fm "$T/ac.conf" nokey@example.org <"$T/in.crlf"
bare=$(sed '/^\r$/q' "$T/sm/1.msg" | grep -vc "$(printf '\r')\$" || :)
is "CRLF message: every header line ends in CRLF" "$rc:$bare:$(nfields \
    "$T/sm/1.msg")" "0:0:1" "$T/sm/1.msg"

# a signer_map: each sender's own signing key gives its field (Bob's
# key signs bob@ mail: Bob's field; example.org's other senders are
# signed by Bob's key too, which has no user ID for them: none)
B=$(fpr bob)
printf '%s\n' "alice@example.org $A" "example.org $B" >"$T/signers"
chmod 600 "$T/signers"
conf smap "sign = yes" "signer_map = $T/signers" "autocrypt = yes"
send smap bob@example.org nokey@example.org
is "signer_map: Bob's key signs Bob's mail: his field" "$rc:$(field \
    "$T/sm/1.msg" Autocrypt | sed 's/; keydata=.*//')" \
    "0:addr=bob@example.org" "$T/err" "$T/sm/1.msg"
send smap alice@example.org nokey@example.org
is "signer_map: Alice's key for Alice's mail: hers" "$rc:$(field \
    "$T/sm/1.msg" Autocrypt | sed 's/; keydata=.*//')" \
    "0:addr=alice@example.org" "$T/err"
send smap carol@example.org nokey@example.org
is "signer_map: Bob's key signs Carol's mail: no field" \
    "$rc:$(nfields "$T/sm/1.msg")" "0:0" "$T/err"

# ------------------------------------------------------------ learning
# mailseal decrypt --autocrypt-learn in Bob's home (the test home has
# every secret key) into $T/ac.  A learned peer is a line of
# $T/ac/autocrypt.state: ADDR, LAST_SEEN, TIMESTAMP, FINGERPRINT, PREFER.
C1=$(fpr carol1)
G=$(fpr grace)
AC=$T/ac
_ms_homes="$_ms_homes $AC"

# ackey FPR [HOME] - an Autocrypt keydata value: the minimal export
ackey() {
	gpg ${2:+--homedir "$2"} --batch --export-options export-minimal \
	    --export "$1" | base64 -w 0
}

# sealed OUT FROM DATE SIGNER [FIELD...] - a message from FROM, signed
# by SIGNER and encrypted to Bob by mailseal encrypt --sign
sealed() {
	_o=$1 _f=$2 _d=$3 _s=$4
	shift 4
	msg "$T/plain" "From: $_f" "To: bob@example.org" "Subject: s" \
	    "Date: $_d" "$@" <<EOF
Hello Bob.
EOF
	"$MAILSEAL" encrypt --sign --signer "$_s" -r bob@example.org \
	    -o "$_o" "$T/plain" 2>"$T/enc.err"
}

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

AK=$(ackey "$A")
D1="Sun, 06 Dec 2026 09:00:00 +0000"
D2="Sun, 06 Dec 2026 10:00:00 +0000"

# a good signature for the From, and its Autocrypt field: learned
sealed "$T/m1" alice@example.org "$D1" "$A" \
    "Autocrypt: addr=alice@example.org; prefer-encrypt=mutual; keydata=$AK"
learn "$T/m1"
is "signed by the From with an Autocrypt field: learned" \
    "$rc:$(sig "$T/dec"):$(peer alice@example.org)" "0:good:$A" \
    "$T/err" "$T/dec"
is "prefer-encrypt=mutual kept" "$(awk -F '\t' \
    '$1 == "alice@example.org" { print $5 }' "$AC/autocrypt.state")" mutual
is "the Autocrypt home is 0700" "$(stat -c %a "$AC")" 700
is "its key: one user ID, the From's" "$(gpg --homedir "$AC" --batch \
    --with-colons --list-keys "$A" 2>/dev/null | awk -F: '$1 == "uid" {
    print $10 }')" "Alice <alice@example.org>"
is "the operator's keyring untouched" "$(gpg --batch --with-colons \
    --list-keys "$A" 2>/dev/null | grep -c '^uid')" 3

# unsigned, a signature by another key, an addr that is not the From
msg "$T/m2" "From: alice@example.org" "To: bob@example.org" \
    "Date: $D2" "Autocrypt: addr=alice@example.org; keydata=$(ackey \
    "$C1")" </dev/null
learn "$T/m2"
is "unsigned: not learned" "$rc:$(peer alice@example.org)" "0:$A" "$T/err"
sealed "$T/m3" carol@example.org "$D2" "$A" \
    "Autocrypt: addr=carol@example.org; keydata=$(ackey "$C1")"
learn "$T/m3"
is "signed by a key not the From's (mismatch): not learned" \
    "$rc:$(sig "$T/dec"):$(peer carol@example.org)" "0:mismatch:" "$T/err"
sealed "$T/m4" alice@example.org "$D2" "$A" \
    "Autocrypt: addr=carol@example.org; keydata=$(ackey "$C1")"
learn "$T/m4"
is "addr not the From: not learned" "$rc:$(peer carol@example.org)" "0:" \
    "$T/err"

# a new key for Alice, made apart: older mail does not replace the
# key, newer mail does
K2H=$(mktemp -d /tmp/msk.XXXXXX)
_ms_homes="$_ms_homes $K2H"
gpg --homedir "$K2H" --batch --passphrase '' --quick-gen-key \
    'Alice New <alice@example.org>' ed25519 sign never 2>/dev/null
K2=$(gpg --homedir "$K2H" --batch --with-colons --list-keys 2>/dev/null |
    awk -F: '$1 == "fpr" { print $10; exit }')
gpg --homedir "$K2H" --batch --passphrase '' --quick-add-key "$K2" \
    cv25519 encr never 2>/dev/null
K2K=$(ackey "$K2" "$K2H")
sealed "$T/m5" alice@example.org "Sun, 06 Dec 2026 08:00:00 +0000" "$A" \
    "Autocrypt: addr=alice@example.org; keydata=$K2K"
learn "$T/m5"
is "older mail with another key: the key stays" \
    "$rc:$(peer alice@example.org)" "0:$A" "$T/err"
sealed "$T/m6" alice@example.org "$D2" "$A" \
    "Autocrypt: addr=alice@example.org; keydata=$K2K"
learn "$T/m6"
is "newer mail with another key: replaced" "$rc:$(peer alice@example.org)" \
    "0:$K2" "$T/err"
sealed "$T/m7" alice@example.org "Tue, 06 Dec 2095 10:00:00 +0000" "$A" \
    "Autocrypt: addr=alice@example.org; keydata=$AK"
learn "$T/m7"
ts=$(awk -F '\t' '$1 == "alice@example.org" { print $3 }' \
    "$AC/autocrypt.state")
now=$(date +%s)
is "a Date in the future counts as now" "$rc:$(peer alice@example.org):$(
    [ "$ts" -le "$now" ] && echo clamped)" "0:$A:clamped" "$T/err"
# the state is replaced whole, from a nameless file: no temporary name
# is left beside it (a kill while writing leaves none either)
is "the state replaced three times: no temporary file left in the home" \
    "$(ls -A "$AC" | grep -c 'autocrypt\.state.')" 0 "$T/err"

# keys gpg cannot use: a version 6 key, no encryption subkey
V6=$(printf '\306\006\006\000\000\000\000\033' | base64 -w 0)
sealed "$T/m8" bob@example.org "$D2" "$B" \
    "Autocrypt: addr=bob@example.org; keydata=$V6"
learn "$T/m8"
is "a version 6 key: not learned, said, verdicts as ever" \
    "$rc:$(peer bob@example.org):$(grep -c 'not a version 4 key' \
    "$T/err"):$(sig "$T/dec")" "0::1:good" "$T/err"
sealed "$T/m9" grace@example.org "$D2" "$G" \
    "Autocrypt: addr=grace@example.org; keydata=$(ackey "$G")"
learn "$T/m9"
is "no encryption subkey: not learned, said" \
    "$rc:$(peer grace@example.org):$(grep -c 'no encryption subkey' \
    "$T/err")" "0::1" "$T/err"

# the Autocrypt home cannot be made: the message is decrypted as ever
"$MAILSEAL" decrypt --autocrypt-learn --autocrypt-homedir /proc/x/ac \
    -o "$T/dec" "$T/m1" 2>"$T/err"
rc=$?
is "learning fails: exit 0, verdicts as ever, said" "$rc:$(sig \
    "$T/dec"):$(grep -c 'nothing learned' "$T/err")" "0:good:1" "$T/err"

# a gpg killed while it imports: nothing learned, the message as ever
real=$(command -v gpg)
mkdir "$T/fbin"
cat >"$T/fbin/gpg" <<EOF
#!/bin/sh
case " \$* " in *" --import "*) kill -9 \$\$ ;; esac
exec "$real" "\$@"
EOF
chmod 755 "$T/fbin/gpg"
PATH=$T/fbin:$PATH "$MAILSEAL" decrypt --autocrypt-learn \
    --autocrypt-homedir "$T/ackill" -o "$T/dec" "$T/m1" 2>"$T/err"
rc=$?
_ms_homes="$_ms_homes $T/ackill"
is "gpg killed while importing: not learned, said, verdicts as ever" \
    "$rc:$(sig "$T/dec"):$(grep -c 'not learned' "$T/err"):$(cat \
    "$T/ackill/autocrypt.state" 2>/dev/null | grep -c example)" \
    "0:good:1:0" "$T/err"

# gossip: Autocrypt-Gossip in the decrypted header, for a recipient
# (Carol, in Cc) learned into gossip.state; for one not named, not
gossip() {
	{
		printf 'Content-Type: text/plain\n'
		printf 'Autocrypt-Gossip: addr=carol@example.org; keydata=%s\n' \
		    "$(ackey "$C1")"
		printf 'Autocrypt-Gossip: addr=erin2@example.org; keydata=%s\n' \
		    "$(ackey "$C1")"
		printf '\nHello Bob and Carol.\n'
	} >"$T/inner"
	g --armor --sign --encrypt --local-user "$A" --recipient "$B" \
	    --output "$T/ct.asc" "$T/inner"
	{
		printf 'From: alice@example.org\nTo: bob@example.org\n'
		printf 'Cc: carol@example.org\nDate: %s\n' "$D2"
		printf 'MIME-Version: 1.0\n'
		printf 'Content-Type: multipart/encrypted; '
		printf 'protocol="application/pgp-encrypted"; boundary="b1"\n\n'
		printf -- '--b1\nContent-Type: application/pgp-encrypted\n\n'
		printf 'Version: 1\n\n--b1\n'
		printf 'Content-Type: application/octet-stream\n\n'
		cat "$T/ct.asc"
		printf -- '--b1--\n'
	} >"$1"
}
gossip "$T/m10"
learn "$T/m10"
is "gossip for a recipient: learned apart" "$rc:$(peer carol@example.org \
    gossip.state):$(peer carol@example.org)" "0:$C1:" "$T/err" "$T/dec"
is "gossip for an address not among the recipients: not learned" \
    "$(peer erin2@example.org gossip.state)" ""

# usage errors: 64 and one line
"$MAILSEAL" decrypt --autocrypt-homedir "$T/x" </dev/null >/dev/null \
    2>"$T/err"
rc=$?
is "--autocrypt-homedir without --autocrypt-learn: 64, one line" \
    "$rc:$(one_line "$T/err" && echo one)" "64:one" "$T/err"
env -u HOME -u GNUPGHOME "$MAILSEAL" decrypt --autocrypt-learn </dev/null \
    >/dev/null 2>"$T/err"
rc=$?
is "--autocrypt-learn without any home: 64, one line" \
    "$rc:$(one_line "$T/err" && echo one)" "64:one" "$T/err"

# the Autocrypt spec's own example (../shared/corpus/autocrypt-spec):
# Alice's encrypted, signed mail to Bob and Carol with her Autocrypt
# field and gossip for both; its keys expired in 2021, so gpg runs at
# a faked time in Bob's home and in the Autocrypt home
SPEC=$MAILSEAL_CORPUS/autocrypt-spec/doc/appendix
if [ -r "$SPEC/example-gossip.eml" ]; then
	SH=$(mktemp -d /tmp/msa.XXXXXX)
	_ms_homes="$_ms_homes $SH $SH/autocrypt"
	echo 'faked-system-time 20190201T000000' >"$SH/gpg.conf"
	gpg --homedir "$SH" --batch --quiet --import \
	    "$SPEC/bob@autocrypt.example.sec.asc" \
	    "$SPEC/alice@autocrypt.example.pub.asc" 2>/dev/null
	mkdir -m 700 "$SH/autocrypt"
	cp "$SH/gpg.conf" "$SH/autocrypt/"
	"$MAILSEAL" decrypt --homedir "$SH" --autocrypt-learn \
	    -o "$T/spec.out" "$SPEC/example-gossip.eml" 2>"$T/err"
	rc=$?
	is "the spec's gossip example: Alice learned, mutual; Bob and Carol \
gossiped" "$rc:$(sig "$T/spec.out"):$(awk -F '\t' 'NR > 1 { print $1 \
    " " $5 }' "$SH/autocrypt/autocrypt.state" | tr '\n' ','):$(awk \
    -F '\t' 'NR > 1 { print $1 }' "$SH/autocrypt/gossip.state" | sort |
    tr '\n' ',')" "0:good-untrusted:alice@autocrypt.example mutual,:\
bob@autocrypt.example,carol@autocrypt.example," "$T/err"
	"$MAILSEAL" decrypt --homedir "$SH" --autocrypt-learn \
	    --autocrypt-homedir "$T/acspec" -o "$T/spec.out" \
	    "$SPEC/example-simple-autocrypt.eml" 2>"$T/err"
	rc=$?
	is "the spec's simple example (unsigned): nothing learned" \
	    "$rc:$(ls "$T/acspec" 2>/dev/null | grep -c state)" "0:0" "$T/err"
else
	skip "the spec's gossip example" "no ../shared/corpus/autocrypt-spec"
	skip "the spec's simple example" "no ../shared/corpus/autocrypt-spec"
fi

# the gateway learns too (decrypt = yes, autocrypt_learn = yes)
conf learn "decrypt = yes" "autocrypt_learn = yes" \
    "autocrypt_homedir = $T/acgw"
_ms_homes="$_ms_homes $T/acgw"
fm "$T/learn.conf" -f alice@example.org bob@example.org <"$T/m1"
is "filter with autocrypt_learn = yes learns" \
    "$rc:$(awk -F '\t' '$1 == "alice@example.org" { print $4 }' \
    "$T/acgw/autocrypt.state" 2>/dev/null)" "0:$A" "$T/err"

# ------------------------------------------------------------ use
# Keys the operator's keyring does not hold, made apart: Zed's, and
# another key for Bob.  Alice gossips both in mail to Bob, Cc Zed.
newkey() {
	gpg --homedir "$K2H" --batch --passphrase '' --quick-gen-key \
	    "$1" ed25519 sign never 2>/dev/null
	_k=$(gpg --homedir "$K2H" --batch --with-colons --list-keys "$1" \
	    2>/dev/null | awk -F: '$1 == "fpr" { print $10; exit }')
	gpg --homedir "$K2H" --batch --passphrase '' --quick-add-key "$_k" \
	    cv25519 encr never 2>/dev/null
	echo "$_k"
}
Z=$(newkey 'Zed <zed@example.org>')
B2=$(newkey 'Bob Other <bob@example.org>')
{
	printf 'Content-Type: text/plain\n'
	printf 'Autocrypt-Gossip: addr=zed@example.org; keydata=%s\n' \
	    "$(ackey "$Z" "$K2H")"
	printf 'Autocrypt-Gossip: addr=bob@example.org; keydata=%s\n' \
	    "$(ackey "$B2" "$K2H")"
	printf '\nHello Bob and Zed.\n'
} >"$T/inner"
g --armor --sign --encrypt --local-user "$A" --recipient "$B" \
    --output "$T/ct.asc" "$T/inner"
{
	printf 'From: alice@example.org\nTo: bob@example.org\n'
	printf 'Cc: zed@example.org\nDate: %s\n' "$D2"
	printf 'MIME-Version: 1.0\n'
	printf 'Content-Type: multipart/encrypted; '
	printf 'protocol="application/pgp-encrypted"; boundary="b1"\n\n'
	printf -- '--b1\nContent-Type: application/pgp-encrypted\n\n'
	printf 'Version: 1\n\n--b1\n'
	printf 'Content-Type: application/octet-stream\n\n'
	cat "$T/ct.asc"
	printf -- '--b1--\n'
} >"$T/m11"
fm "$T/learn.conf" -f alice@example.org bob@example.org <"$T/m11"
is "gossip learned by the gateway: Zed's key, and another Bob's" \
    "$rc:$(awk -F '\t' 'NR > 1 { print $1 "=" $4 }' "$T/acgw/gossip.state" |
    sort | tr '\n' ' ')" "0:bob@example.org=$B2 zed@example.org=$Z " \
    "$T/err"

ZID=$(echo "$Z" | cut -c 25-40)
BID=$(echo "$B" | cut -c 25-40)
printf 'zed@example.org require\n' >"$T/map"
conf use "decrypt = yes" "autocrypt_learn = yes" \
    "autocrypt_homedir = $T/acgw"
conf usereq "decrypt = yes" "autocrypt_learn = yes" \
    "autocrypt_homedir = $T/acgw" "policy_map = $T/map"
conf nouse "decrypt = yes" "autocrypt_homedir = $T/acgw"

# an opportunistic recipient with only an Autocrypt key: encrypted to
# it, the log says so, Zed's key alone decrypts it
send use alice@example.org zed@example.org
is "opportunistic, only an Autocrypt key: encrypted, key from Autocrypt" \
    "$rc:$(logline | grep -o "to=<zed@example.org> key=$ZID source=autocrypt")" \
    "0:to=<zed@example.org> key=$ZID source=autocrypt" "$T/err"
sed -n '/^-----BEGIN PGP MESSAGE/,/^-----END PGP MESSAGE/p' "$T/sm/1.msg" \
    >"$T/zed.asc"
gpg --homedir "$K2H" --batch --quiet --pinentry-mode loopback \
    --passphrase '' --decrypt "$T/zed.asc" >"$T/zed.out" 2>"$T/zed.err"
is "Zed decrypts his copy" "$(grep -c 'Hello\.' "$T/zed.out")" 1 \
    "$T/zed.err" "$T/sm/1.msg"

# require: an Autocrypt key does not count; refused as before
send usereq alice@example.org zed@example.org
is "require, only an Autocrypt key: refused (67)" "$rc:$(ls "$T/sm" |
    grep -c '\.msg$')" "67:0" "$T/err"

# the operator's key for Bob wins over the gossiped one
send use alice@example.org bob@example.org
is "the operator's key wins" "$rc:$(logline | grep -o \
    "to=<bob@example.org> key=[0-9A-F]*[^ ]*" | head -n 1)" \
    "0:to=<bob@example.org> key=$BID" "$T/err"

# without autocrypt_learn, the learned keys are not used
send nouse alice@example.org zed@example.org
is "autocrypt_learn = no: clear text, no key" "$rc:$(logline |
    grep -c "source=autocrypt")" "0:0" "$T/err"

done_testing
