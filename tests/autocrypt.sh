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

done_testing
