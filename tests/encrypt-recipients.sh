#!/bin/sh
# encrypt-recipients.sh - which keys mailseal encrypt chooses.
#
# The keys are those of tests/mkkeys.sh.  For every success the set of
# public-key encrypted session key packets in the output must be exactly
# the encryption subkeys of the expected keys; for every refusal the
# exit code, an empty standard output and one stderr line naming the
# recipient are checked.  Signing is checked with gpg (and sqop).
. "${MAILSEAL_SRCDIR:-$(dirname "$0")/..}/tests/lib.sh"

ms_home
export HOME="$T/home"
mkdir -p "$HOME"

# mkmsg NAME FIELD... - $T/NAME.eml from Alice (unless a From field is
# given) with the given header fields and a short body
mkmsg() {
	_f=$T/$1.eml
	_n=$1
	shift
	{
		case "$*" in
		*From:*) ;;
		*) printf 'From: Alice <alice@example.org>\n' ;;
		esac
		for _h in "$@"; do printf '%s\n' "$_h"; done
		printf 'Subject: recipients: %s\n' "$_n"
		printf 'Date: Sun, 22 Nov 2026 11:00:00 +0000\n'
		printf 'Message-ID: <%s@test.example.org>\n' "$_n"
		printf 'Content-Type: text/plain; charset=us-ascii\n\n'
		printf 'Secret text of %s.\n' "$_n"
	} >"$_f"
}

# enc NAME [OPTION...] - encrypt $T/NAME.eml; $rc, $T/NAME.{out,err,asc}
enc() {
	_n=$1
	shift
	ms "$T/$_n.out" "$T/$_n.err" encrypt "$@" "$T/$_n.eml"
	: >"$T/$_n.asc"
	[ "$rc" -eq 0 ] && "$PYTHON" "$CHECK_PGPMIME" armor "$T/$_n.out" \
	    >"$T/$_n.asc" 2>>"$T/$_n.err"
}

# want_keys DESC NAME KEY... - exit 0, and the message is encrypted to
# exactly the encryption subkeys of KEY...
want_keys() {
	_d=$1 _n=$2
	shift 2
	for _k in "$@"; do subkey_ids "$_k"; done | sort -u >"$T/$_n.want"
	pkesk_keyids "$T/$_n.asc" | sort >"$T/$_n.got"
	if [ "$rc" -eq 0 ] && [ -s "$T/$_n.want" ] &&
	    cmp -s "$T/$_n.want" "$T/$_n.got"; then
		ok "$_d"
	else
		echo "exit $rc; wanted key IDs ($*) then got:" >"$T/$_n.why"
		not_ok "$_d" "$T/$_n.why" "$T/$_n.want" "$T/$_n.got" "$T/$_n.err"
	fi
}

# want_fail DESC NAME CODE [MENTION [NOT-MENTION]] - exit CODE, nothing
# on stdout, one "mailseal:" line on stderr that names MENTION (and not
# NOT-MENTION)
want_fail() {
	_d=$1 _n=$2 _code=$3 _m=${4:-} _nm=${5:-}
	_why=
	[ "$rc" -eq "$_code" ] || _why="exit $rc, not $_code"
	[ -s "$T/$_n.out" ] && _why="$_why; standard output is not empty"
	one_line "$T/$_n.err" || _why="$_why; stderr is not one mailseal: line"
	[ -z "$_m" ] || grep -qiF -- "$_m" "$T/$_n.err" ||
	    _why="$_why; stderr does not name $_m"
	[ -z "$_nm" ] || ! grep -qiF -- "$_nm" "$T/$_n.err" ||
	    _why="$_why; stderr names $_nm"
	if [ -z "$_why" ]; then
		ok "$_d"
	else
		echo "$_why" >"$T/$_n.why"
		not_ok "$_d" "$T/$_n.why" "$T/$_n.err"
	fi
}

# ---- exact, case-insensitive matching
mkmsg case 'To: BOB@Example.ORG'
enc case
want_keys "To BOB@Example.ORG: bob's key (case-insensitive)" case bob

mkmsg judy 'To: judy@example.org'
enc judy
want_keys "To judy@example.org: the key whose user ID is JUDY@Example.ORG" \
    judy judy

mkmsg ob 'To: ob@example.org'
enc ob
want_fail "To ob@example.org: 67 naming it (xbob's key is not a match)" \
    ob 67 ob@example.org

mkmsg bobnet 'To: bob@example.net'
enc bobnet
want_fail "To bob@example.net: 67 (bob@example.org's key is not a match)" \
    bobnet 67 bob@example.net

mkmsg xbob 'To: xbob@example.org'
enc xbob
want_keys "To xbob@example.org: xbob's key only" xbob xbob

# ---- unusable keys and user IDs
for k in dave:expired erin:revoked frank:disabled grace:sign-only \
    heidi:'revoked user ID'; do
	name=${k%%:*} what=${k#*:}
	mkmsg "$name" "To: $name@example.org"
	enc "$name"
	want_fail "To $name@example.org ($what key): 67 naming it" \
	    "$name" 67 "$name@example.org"
done

mkmsg heidi2 'To: Heidi <heidi2@example.org>'
enc heidi2
want_keys "To heidi2@example.org (the valid user ID of a key with a revoked one)" \
    heidi2 heidi

mkmsg partial 'To: bob@example.org, dave@example.org'
enc partial
want_fail "To bob and dave (expired): 67 naming dave only; no partial encryption" \
    partial 67 dave@example.org bob@example.org

mkmsg nokey 'To: nobody@example.org'
enc nokey
want_fail "To nobody@example.org (no key at all): 67 naming it" \
    nokey 67 nobody@example.org

# ---- every matching key, and +tag addresses
mkmsg carol 'To: carol@example.org'
enc carol
want_keys "To carol@example.org: both of carol's keys" carol carol1 carol2
for k in carol1 carol2; do
	if have sqop; then
		if sqop decrypt "$KEYS/$k.sec.asc" <"$T/carol.asc" \
		    >"$T/carol.$k" 2>"$T/carol.$k.err" &&
		    grep -q 'Secret text of carol' "$T/carol.$k"; then
			ok "sqop decrypts the message to carol with $k's secret key alone"
		else
			not_ok "sqop decrypts the message to carol with $k's secret key alone" \
			    "$T/carol.$k.err"
		fi
	else
		skip "sqop decrypts the message to carol with $k's secret key alone" \
		    "sqop is not installed"
	fi
done

mkmsg tag 'To: bob+lists@example.org'
enc tag
want_keys "To bob+lists@example.org: falls back to bob's key (key ID visible, as for any To)" \
    tag bob
if ! have rnp; then
	skip "To bob+lists@example.org: rnp decrypts it with bob's key" \
	    "rnp is not installed"
elif [ "$rc" -eq 0 ] && rnp --keyfile "$KEYS/bob.sec.asc" --decrypt \
    --output - "$T/tag.asc" >"$T/tag.rnp" 2>"$T/tag.rnp.err" &&
    grep -q 'Secret text of tag' "$T/tag.rnp"; then
	ok "To bob+lists@example.org: rnp decrypts it with bob's key"
else
	not_ok "To bob+lists@example.org: rnp decrypts it with bob's key" \
	    "$T/tag.rnp.err"
fi
enc tag -r bob+lists@example.org
want_keys "-r bob+lists@example.org: bob's key, key ID visible" tag bob

mkmsg ivan 'To: ivan+work@example.org'
enc ivan
want_keys "To ivan+work@example.org: the key of ivan+work itself" ivan ivan

mkmsg ivan2 'To: ivan+home@example.org'
enc ivan2
want_fail "To ivan+home@example.org: 67 (neither it nor ivan@ has a key)" \
    ivan2 67 ivan+home@example.org

# ---- -r replaces the header recipients
mkmsg ropt 'To: bob@example.org' 'Cc: dave@example.org'
enc ropt -r carol@example.org
want_keys "-r carol: only carol's keys, To/Cc ignored (even an expired Cc)" \
    ropt carol1 carol2
enc ropt -r bob@example.org -r 'Carol <carol@example.org>'
want_keys "-r bob -r 'Carol <carol@...>': bob and both carol keys" \
    ropt bob carol1 carol2
enc ropt -r dave@example.org
want_fail "-r dave (expired): 67 naming dave" ropt 67 dave@example.org

# ---- Bcc: encrypted to, but gone from the output, and (since Bcc
# recipients are meant to stay unknown to the others) no key ID of a
# Bcc-only recipient in the clear
# can_decrypt DESC NAME KEY... - gpg holding only KEY's secret key
# decrypts $T/NAME.asc, for each KEY
can_decrypt() {
	_d=$1 _n=$2
	shift 2
	for _k in "$@"; do
		if [ "$rc" -eq 0 ] && gpg_dec_only "$_k" "$T/$_n.asc" \
		    "$T/$_n.$_k" && grep -q "Secret text of $_n" "$T/$_n.$_k"
		then
			ok "$_d: $_k's secret key alone decrypts it (gpg)"
		else
			not_ok "$_d: $_k's secret key alone decrypts it (gpg)" \
			    "$T/$_n.$_k.err" "$T/$_n.$_k.status"
		fi
	done
}
# npkesk NAME - the number of session key packets in $T/NAME.asc
npkesk() {
	pkesk_keyids "$T/$1.asc" | wc -l | tr -d ' '
}
# has_keyid NAME KEY - a key ID of KEY appears in $T/NAME.asc
has_keyid() {
	pkesk_keyids "$T/$1.asc" >"$T/$1.ids"
	subkey_ids "$2" | grep -qiFf - "$T/$1.ids"
}

mkmsg bcc 'To: bob@example.org' 'Bcc: Carol <carol@example.org>'
enc bcc
if [ "$rc" -eq 0 ] && [ "$(npkesk bcc)" -eq 3 ]; then
	ok "To bob, Bcc carol: three session key packets (bob, carol1, carol2)"
else
	not_ok "To bob, Bcc carol: three session key packets (bob, carol1, carol2) (exit $rc, $(npkesk bcc))" \
	    "$T/bcc.err"
fi
can_decrypt "To bob, Bcc carol" bcc bob carol1 carol2
if [ "$rc" -eq 0 ] && ! grep -qi '^bcc' "$T/bcc.out" &&
    ! grep -qi 'carol' "$T/bcc.out"; then
	ok "To bob, Bcc carol: no Bcc field and no trace of carol in the output"
else
	not_ok "To bob, Bcc carol: no Bcc field and no trace of carol in the output" \
	    "$T/bcc.out"
fi
if [ "$rc" -eq 0 ] && has_keyid bcc bob && ! has_keyid bcc carol1 &&
    ! has_keyid bcc carol2; then
	ok "To bob, Bcc carol: bob's key ID visible, carol's key IDs hidden"
else
	not_ok "To bob, Bcc carol: bob's key ID visible, carol's key IDs hidden" \
	    "$T/bcc.ids"
fi
# readers other than gpg, on hidden recipients: measured, not asserted
for r in sqop rnp; do
	have "$r" || continue
	for k in carol1 carol2; do
		case $r in
		sqop) sqop decrypt "$KEYS/$k.sec.asc" <"$T/bcc.asc" \
		    >/dev/null 2>&1 ;;
		rnp) rnp --keyfile "$KEYS/$k.sec.asc" --decrypt --output - \
		    "$T/bcc.asc" >/dev/null 2>&1 ;;
		esac && res=yes || res=no
		diag "interop: $r decrypts the Bcc copy with $k's key alone: $res"
	done
done

mkmsg bcctoo 'To: bob@example.org' 'Bcc: bob@example.org, carol@example.org' \
    'Cc: carol@example.org'
enc bcctoo
if [ "$rc" -eq 0 ] && has_keyid bcctoo bob && has_keyid bcctoo carol1 &&
    has_keyid bcctoo carol2 && [ "$(npkesk bcctoo)" -eq 3 ]; then
	ok "Bcc addresses also in To/Cc: visible key IDs, one packet each"
else
	not_ok "Bcc addresses also in To/Cc: visible key IDs, one packet each" \
	    "$T/bcctoo.ids" "$T/bcctoo.err"
fi

mkmsg bcconly 'Bcc: bob@example.org'
enc bcconly
if [ "$rc" -eq 0 ] && [ "$(npkesk bcconly)" -eq 1 ] &&
    ! grep -qi '^bcc' "$T/bcconly.out"; then
	ok "Bcc only (no To/Cc): one session key packet, no Bcc field"
else
	not_ok "Bcc only (no To/Cc): one session key packet, no Bcc field" \
	    "$T/bcconly.err"
fi
can_decrypt "Bcc only (no To/Cc)" bcconly bob

mkmsg bcccase 'To: bob@example.org' 'bCC : carol@example.org'
enc bcccase
if [ "$rc" -eq 0 ] && [ "$(npkesk bcccase)" -eq 3 ] &&
    ! grep -qi '^bcc' "$T/bcccase.out" && ! grep -qi carol "$T/bcccase.out"
then
	ok "'bCC :' (odd spelling): encrypted to carol, field removed"
else
	not_ok "'bCC :' (odd spelling): encrypted to carol, field removed" \
	    "$T/bcccase.err"
fi

mkmsg rbcc 'To: bob@example.org' 'Bcc: carol@example.org'
enc rbcc -r bob@example.org
want_keys "-r bob with Bcc carol in the header: bob only" rbcc bob

# ---- duplicates collapse to one recipient
mkmsg dup 'To: bob@example.org, Bob <BOB@example.org>' \
    'Cc: "Bob again" <bob@example.org>' 'Bcc: bob+x@example.org'
enc dup
want_keys "bob four times (To, Cc, Bcc +tag, case): bob's key" dup bob
if [ "$rc" -eq 0 ] && [ "$(npkesk dup)" -eq 1 ]; then
	ok "bob four times: exactly one session key packet"
else
	not_ok "bob four times: exactly one session key packet ($(npkesk dup))"
fi
enc dup -r bob@example.org -r BOB@EXAMPLE.ORG -r bob+y@example.org
if [ "$rc" -eq 0 ] && [ "$(npkesk dup)" -eq 1 ]; then
	ok "-r bob -r BOB -r bob+y: exactly one session key packet"
else
	not_ok "-r bob -r BOB -r bob+y: exactly one session key packet" "$T/dup.err"
fi

# ---- address syntax in the header
mkmsg group 'To: friends: bob@example.org, carol@example.org;'
enc group
want_keys "group syntax 'friends: bob, carol;': bob and both carol keys" \
    group bob carol1 carol2

mkmsg comment 'To: "Doe, Bob" <bob@example.org> (at work)' \
    'Cc: carol@example.org (Carol (the boss))'
enc comment
want_keys "quoted display name with a comma, comments: bob and carol" \
    comment bob carol1 carol2

mkmsg folded 'To: Bob' '	<bob@example.org>,' ' =?UTF-8?Q?Carol_=C3=9C?= <carol@example.org>'
enc folded
want_keys "folded To with an encoded word: bob and carol" \
    folded bob carol1 carol2

mkmsg route 'To: Bob <@relay.example.net:bob@example.org>'
enc route
want_keys "obsolete source route <@relay:bob@example.org>: bob" route bob

mkmsg emptygroup 'To: undisclosed-recipients:;' 'Cc: bob@example.org'
enc emptygroup
want_keys "empty group in To, bob in Cc: bob" emptygroup bob

# ---- --no-encrypt-to: the keyring's encrypt-to stays out
ms_home
printf 'encrypt-to %s\n' "$(fpr alice)" >>"$GNUPGHOME/gpg.conf"
mkmsg encto 'To: bob@example.org'
enc encto
want_keys "gpg.conf encrypt-to alice: bob and alice" encto bob alice
enc encto --no-encrypt-to
want_keys "--no-encrypt-to: bob only, despite gpg.conf encrypt-to" encto bob
ms_home

# ---- signing
# signed_by NAME KEY - $T/NAME.asc decrypts (gpg) with a good signature
# whose primary key is KEY
signed_by() {
	gpg_dec "$T/$1.asc" "$T/$1.dec" "$T/$1.status" &&
	    grep -q '^\[GNUPG:\] GOODSIG ' "$T/$1.status" &&
	    grep -q "^\[GNUPG:\] VALIDSIG .* $(fpr "$2")\$" "$T/$1.status" &&
	    grep -q "Secret text of $1" "$T/$1.dec"
}

mkmsg sign 'To: bob@example.org'
enc sign --sign
want_keys "--sign (From alice): encrypted to bob" sign bob
if [ "$rc" -eq 0 ] && signed_by sign alice; then
	ok "--sign (From alice): gpg reports GOODSIG by alice's key"
else
	not_ok "--sign (From alice): gpg reports GOODSIG by alice's key" \
	    "$T/sign.err" "$T/sign.status" "$T/sign.dec.err"
fi
if ! have sqop; then
	skip "--sign (From alice): sqop verifies alice's signature" \
	    "sqop is not installed"
elif [ "$rc" -eq 0 ] && sqop decrypt --verifications-out="$T/sign.verif" \
    --verify-with="$KEYS/alice.pub.asc" "$KEYS/bob.sec.asc" \
    <"$T/sign.asc" >"$T/sign.sqop" 2>"$T/sign.sqop.err" &&
    grep -q " $(fpr alice)\$" "$T/sign.verif"; then
	ok "--sign (From alice): sqop verifies alice's signature"
else
	not_ok "--sign (From alice): sqop verifies alice's signature" \
	    "$T/sign.sqop.err" "$T/sign.verif"
fi

enc sign --sign --signer grace@example.org
if [ "$rc" -eq 0 ] && signed_by sign grace; then
	ok "--sign --signer grace (sign-only key): GOODSIG by grace"
else
	not_ok "--sign --signer grace (sign-only key): GOODSIG by grace" \
	    "$T/sign.err" "$T/sign.status"
fi
enc sign --sign --signer "$(fpr grace)"
if [ "$rc" -eq 0 ] && signed_by sign grace; then
	ok "--sign --signer <grace's fingerprint>: GOODSIG by grace"
else
	not_ok "--sign --signer <grace's fingerprint>: GOODSIG by grace" \
	    "$T/sign.err" "$T/sign.status"
fi
enc sign
if [ "$rc" -eq 0 ] && gpg_dec "$T/sign.asc" "$T/sign.dec" "$T/sign.status" &&
    ! grep -q 'SIG ' "$T/sign.status"; then
	ok "without --sign: no signature"
else
	not_ok "without --sign: no signature" "$T/sign.status"
fi

mkmsg mallory 'From: Mallory <mallory@example.org>' 'To: bob@example.org'
enc mallory --sign
want_fail "--sign, From has no key at all: 78" mallory 78
mkmsg peggy 'From: Peggy <peggy@example.org>' 'To: bob@example.org'
enc peggy --sign
want_fail "--sign, From has a public key but no secret key: 78" peggy 78
enc sign --sign --signer dave@example.org
want_fail "--sign --signer dave (expired): 78" sign 78 dave@example.org
enc sign --sign --signer erin@example.org
want_fail "--sign --signer erin (revoked): 78" sign 78 erin@example.org
enc sign --sign --signer carol@example.org
want_fail "--sign --signer carol (two secret keys): 78, not a guess" \
    sign 78 carol@example.org
mkmsg twofrom 'From: alice@example.org, bob@example.org' 'To: bob@example.org'
enc twofrom --sign
want_fail "--sign, From with two mailboxes and no --signer: 78" twofrom 78
enc sign --signer alice@example.org
want_fail "--signer without --sign: 64" sign 64

done_testing
