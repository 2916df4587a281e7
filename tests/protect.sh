#!/bin/sh
# protect.sh - header protection in mailseal encrypt (RFC 9788
# hp="cipher", and protected-headers="v1" for Thunderbird): the outer
# Subject reads "[...]" and every other outer field stays; the inner
# entity carries the original fields byte for byte.  Proved by reading
# the result back: mailseal decrypt (the Subject back exactly: RFC 2047,
# raw UTF-8, folded), gpg, sqop and rnp (the inner part they print),
# notmuch (indexes and shows the protected Subject), and the
# protected-headers draft's vectors (../shared/corpus), which our own
# output must read like.  --no-protect-headers gives the old form.  TAP.
. "${MAILSEAL_SRCDIR:-$(dirname "$0")/..}/tests/lib.sh"

ms_home
export HOME="$T/home"	# rnp and notmuch must not touch the real one
mkdir -p "$HOME"
SHOWN='from|to|cc|subject|date|message-id'

# raw FILE [NAMES] - the header fields NAMES (a regular expression of
# lower-case names; default: the ones a reader shows) of FILE, exact
# bytes (Python's repr), sorted
raw() {
	"$PYTHON" "$CHECK_PGPMIME" header "$1" |
	    awk -F '\t' -v re="^(${2:-$SHOWN})\$" 'tolower($1) ~ re' | sort
}

# sealed NAME [ARG...] - encrypt $T/NAME.eml to bob into $T/NAME.out;
# $T/NAME.asc is its armor
sealed() {
	_n=$1
	shift
	ms "$T/$_n.out" "$T/$_n.err" encrypt -r bob@example.org "$@" \
	    "$T/$_n.eml"
	"$PYTHON" "$CHECK_PGPMIME" armor "$T/$_n.out" >"$T/$_n.asc" 2>&1
}

# ---- the messages: the Subject in every form a writer uses
hdr() {
	printf '%s\n' 'From: Alice <alice@example.org>' \
	    'To: Bob <bob@example.org>' 'Cc: carol@example.org' \
	    'Date: Sun, 06 Dec 2026 10:00:00 +0000' \
	    "Message-ID: <$1@example.org>"
}
{ hdr ascii; echo 'Subject: Quarterly figures'; echo
  echo 'The numbers are in.'; } >"$T/ascii.eml"
{ hdr rfc2047; echo 'Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe_aus_K=C3=B6ln?='
  echo 'MIME-Version: 1.0'; echo 'Content-Type: text/plain; charset=utf-8'
  echo; echo 'Hallo.'; } >"$T/rfc2047.eml"
{ hdr utf8; printf 'Subject: Gr\303\274\303\237e aus K\303\266ln, \303\207a va?\n'
  echo; echo 'raw UTF-8 in the header (RFC 6532)'; } >"$T/utf8.eml"
{ hdr folded
  echo 'Subject: a long subject line that a mail writer folded because it'
  echo ' would not fit on one line of seventy-eight characters, and then'
  printf '\t=?UTF-8?B?ZW5jb2RlZCBLw7ZsbiE=?=\n'
  echo 'References: <a@example.org>'; echo '  <b@example.org>'
  echo; echo 'Folded.'; } >"$T/folded.eml"
{ hdr crlf; echo 'Subject: CRLF lines'; echo; echo 'CRLF body'; } |
    sed 's/$/\r/' >"$T/crlf.eml"
{ hdr nosubject; echo; echo 'No subject at all.'; } >"$T/nosubject.eml"
# a message mailseal decrypted once: its Content-Type has our marks
{ hdr again; echo 'Subject: once more'; echo 'MIME-Version: 1.0'
  echo 'Content-Type: text/plain; charset=us-ascii;'
  printf '\thp="cipher"; protected-headers="v1"\n'
  echo; echo 'Forwarded.'; } >"$T/again.eml"

for n in ascii rfc2047 utf8 folded crlf nosubject again; do
	sealed "$n"
	if [ "$rc" -eq 0 ] && [ ! -s "$T/$n.err" ]; then
		ok "$n: encrypted, exit 0"
	else
		echo "exit $rc" >"$T/why"
		not_ok "$n: encrypted, exit 0" "$T/why" "$T/$n.err"
	fi
	check "$n: RFC 3156 structure; outer fields as they were, Subject [...]" \
	    "$PYTHON" "$CHECK_PGPMIME" structure "$T/$n.out" "$T/$n.eml"
	want='Subject: [...]'
	[ "$n" = nosubject ] && want=
	is "$n: the outer Subject is '$want'" \
	    "$(field "$T/$n.out" Subject)" "${want#Subject: }"
	is "$n: From, To, Cc, Date and Message-ID stay outside, exact" \
	    "$(raw "$T/$n.out" 'from|to|cc|date|message-id')" \
	    "$(raw "$T/$n.eml" 'from|to|cc|date|message-id')"
	gpg_dec "$T/$n.asc" "$T/$n.inner"
	"$PYTHON" "$CHECK_PGPMIME" inner "$T/$n.eml" >"$T/$n.want"
	check "$n: gpg decrypts to the protected entity, byte for byte" \
	    cmp "$T/$n.want" "$T/$n.inner"
	ms "$T/$n.dec" "$T/$n.derr" decrypt "$T/$n.out"
	is "$n: mailseal decrypt: exit 0, decrypted" \
	    "$rc|$(field "$T/$n.dec" X-Mailseal-Decryption)" "0|decrypted" \
	    "$T/$n.derr"
	is "$n: ... Subject, From, To, Cc, Date, Message-ID back exactly" \
	    "$(raw "$T/$n.dec")" "$(raw "$T/$n.eml")"
	is "$n: ... the body back" "$(body "$T/$n.dec")" "$(body "$T/$n.eml")"
done

# The marks are there once, even on a message that had them already.
for n in ascii again; do
	is "$n: the inner Content-Type has hp=\"cipher\" and protected-headers=\"v1\" once" \
	    "$(field "$T/$n.inner" Content-Type | grep -o 'hp=[^;]*\|protected-headers=[^;]*' | tr '\n' ' ')" \
	    'hp="cipher" protected-headers="v1" '
done
is "ascii: the inner header says what the outer one shows (HP-Outer)" \
    "$(field "$T/ascii.inner" HP-Outer | tr '\n' '|')" \
    "From: Alice <alice@example.org>|To: Bob <bob@example.org>|Cc: carol@example.org|Date: Sun, 06 Dec 2026 10:00:00 +0000|Message-ID: <ascii@example.org>|Subject: [...]|"

# ---- Bcc: in no header, outside or inside
{ hdr blind; echo 'Bcc: erin-hidden@example.org'; echo 'Subject: blind copy'
  echo; echo 'x'; } >"$T/bcc.eml"
sealed bcc
gpg_dec "$T/bcc.asc" "$T/bcc.inner"
if [ "$rc" -eq 0 ] && ! grep -qi '^bcc\|erin-hidden' "$T/bcc.out" \
    "$T/bcc.inner"; then
	ok "Bcc is neither in the outer header nor in the protected one"
else
	not_ok "Bcc is neither in the outer header nor in the protected one" \
	    "$T/bcc.err" "$T/bcc.inner"
fi

# ---- off: today's form exactly
for n in ascii crlf; do
	cp "$T/$n.eml" "$T/$n-off.eml"
	sealed "$n-off" --no-protect-headers
	n=$n-off
	check "$n, --no-protect-headers: structure with every field as it was" \
	    env CHECK_PGPMIME_PROTECT=0 "$PYTHON" "$CHECK_PGPMIME" structure \
	    "$T/$n.out" "$T/$n.eml"
	is "$n, --no-protect-headers: the outer Subject is the original" \
	    "$(raw "$T/$n.out" subject)" "$(raw "$T/$n.eml" subject)"
	gpg_dec "$T/$n.asc" "$T/$n.off"
	CHECK_PGPMIME_PROTECT=0 "$PYTHON" "$CHECK_PGPMIME" inner \
	    "$T/$n.eml" >"$T/$n.offwant"
	check "$n, --no-protect-headers: the inner entity is Content-* and body only" \
	    cmp "$T/$n.offwant" "$T/$n.off"
done
if grep -qi 'hp=\|protected-headers\|HP-Outer\|^Subject' "$T/ascii-off.off"; then
	not_ok "--no-protect-headers: no protected field, no mark inside" \
	    "$T/ascii-off.off"
else
	ok "--no-protect-headers: no protected field, no mark inside"
fi

# ---- header limits: the protected header must read within them too
# (LIMIT_HEADER_FIELD: an LF field gains a CR a line inside).  A To
# just over: only the Subject goes inside, marked v1 alone; a Subject
# just over: no protection, said on stderr, the Subject outside as it was.
"$PYTHON" - "$T" <<'EOF2'
import sys
LIMIT = 262144
def folded(name, total):
    out = name + b": a\n"
    while len(out) < total:
        k = min(1000, total - len(out))
        out += b" " + b"b" * (k - 2) + b"\n"
    return out
def crlf_len(f):
    return len(f) + f.count(b"\n")
t = LIMIT - 300
while crlf_len(folded(b"To", t)) < LIMIT:
    t += 1
assert crlf_len(folded(b"To", t)) == LIMIT
for name, body in (("to-at", folded(b"To", t) + b"Subject: big To\n"),
                   ("to-over", folded(b"To", t + 1) + b"Subject: big To\n"),
                   ("subj-at", b"To: bob@example.org\n" + folded(b"Subject", t)),
                   ("subj-over", b"To: bob@example.org\n" + folded(b"Subject", t + 1))):
    with open("%s/%s.eml" % (sys.argv[1], name), "wb") as fp:
        fp.write(b"From: alice@example.org\n" + body + b"\nbody\n")
EOF2
for n in to-at to-over subj-at subj-over; do
	sealed "$n"
	case $n in
	subj-over) want_err=yes want='a b' ;;
	*) want_err=no want='[...]' ;;
	esac
	got_err=no
	grep -q '^mailseal: header too large to protect' "$T/$n.err" &&
	    got_err=yes
	is "$n: exit 0, outer Subject '$want...', a warning: $want_err" \
	    "$rc|$(field "$T/$n.out" Subject | cut -c 1-3)|$got_err" \
	    "0|$(echo "$want" | cut -c 1-3)|$want_err" "$T/$n.err"
	check "$n: the structure and the inner entity are right" \
	    sh -c '"$1" "$2" structure "$3" "$4" --save "$5" &&
	    gpg_dec() { gpg --batch --quiet --pinentry-mode loopback \
	    --passphrase "" --output "$2" --decrypt "$1"; } &&
	    gpg_dec "$5.asc" "$5.dec" 2>/dev/null && cmp "$5.inner" "$5.dec"' - \
	    "$PYTHON" "$CHECK_PGPMIME" "$T/$n.out" "$T/$n.eml" "$T/$n.chk"
	ms "$T/$n.dec" "$T/$n.derr" decrypt "$T/$n.out"
	is "$n: mailseal decrypt gives back Subject, From and To exactly" \
	    "$rc|$(raw "$T/$n.dec" 'from|to|subject')" \
	    "0|$(raw "$T/$n.eml" 'from|to|subject')" "$T/$n.derr"
done

# ---- the gateway (filter; smtpd shares its code): protect_headers
gw_env
# the filter's copy is the message with the gateway's marker first
{ echo 'X-Mailseal-Gateway: gw1.test'; cat "$T/ascii.eml"; } >"$T/gw.want"
for v in default yes no; do
	if [ "$v" = default ]; then conf "gw$v"; else
		conf "gw$v" "protect_headers = $v"; fi
	fm "$T/gw$v.conf" -f alice@example.org bob@example.org <"$T/ascii.eml"
	want='[...]'
	[ "$v" = no ] && want='Quarterly figures'
	is "filter, protect_headers $v: exit 0, one copy, outer Subject '$want'" \
	    "$rc|$(ls "$T/sm" | grep -c 'msg$')|$(field "$T/sm/1.msg" Subject)" \
	    "0|1|$want" "$T/err"
	"$PYTHON" "$CHECK_PGPMIME" armor "$T/sm/1.msg" >"$T/gw$v.asc" 2>&1
	gpg_dec "$T/gw$v.asc" "$T/gw$v.inner"
	[ "$v" = no ] && export CHECK_PGPMIME_PROTECT=0
	"$PYTHON" "$CHECK_PGPMIME" inner "$T/gw.want" >"$T/gw$v.iwant"
	check "filter, protect_headers $v: the structure and the inner entity are right" \
	    sh -c '"$1" "$2" structure "$3" "$4" && cmp "$5" "$6"' - \
	    "$PYTHON" "$CHECK_PGPMIME" "$T/sm/1.msg" "$T/gw.want" \
	    "$T/gw$v.iwant" "$T/gw$v.inner"
	unset CHECK_PGPMIME_PROTECT
done

# ---- other readers print the inner part with the original fields
# inner_reads READER FILE - FILE (what READER decrypted) has the
# original fields and both marks
inner_reads() {
	if [ "$(raw "$2")" = "$(raw "$T/ascii.eml" | sed "s/\\\\n'\$/\\\\r\\\\n'/")" ] &&
	    [ "$(field "$2" Content-Type)" = \
	    'text/plain; charset=us-ascii; hp="cipher"; protected-headers="v1"' ]
	then
		ok "$1 decrypts it: Subject, From, To, Cc, Date, Message-ID and the marks inside"
	else
		raw "$2" >"$T/why"
		not_ok "$1 decrypts it: Subject, From, To, Cc, Date, Message-ID and the marks inside" \
		    "$T/why" "$2" "$2.err"
	fi
}
inner_reads gpg "$T/ascii.inner"
if have sqop; then
	sqop decrypt "$KEYS/bob.sec.asc" <"$T/ascii.asc" >"$T/sqop.inner" \
	    2>"$T/sqop.inner.err"
	inner_reads sqop "$T/sqop.inner"
else
	skip "sqop decrypts it" "sqop is not installed"
fi
if have rnp && have rnpkeys; then
	mkdir -m 700 "$T/rnphome"
	rnpkeys --homedir "$T/rnphome" --import "$KEYS/bob.sec.asc" \
	    >/dev/null 2>&1
	rnp --homedir "$T/rnphome" --decrypt --output "$T/rnp.inner" \
	    "$T/ascii.asc" >/dev/null 2>"$T/rnp.inner.err"
	inner_reads rnp "$T/rnp.inner"
else
	skip "rnp decrypts it" "rnp is not installed"
fi

# ---- notmuch indexes the protected Subject and shows it
if have notmuch; then
	md=$T/Maildir
	mkdir -p "$md/new" "$md/cur" "$md/tmp"
	cp "$T/utf8.out" "$md/new/1.mailseal:2,"
	cat >"$T/notmuch-config" <<EOF
[database]
path=$md
[user]
name=Bob
primary_email=bob@example.org
[new]
tags=inbox;
[index]
decrypt=true
EOF
	NOTMUCH_CONFIG=$T/notmuch-config
	export NOTMUCH_CONFIG
	notmuch new --decrypt=true >"$T/nm.new" 2>&1
	is "notmuch (index.decrypt) finds it by a word of the protected Subject" \
	    "$(notmuch search --output=messages 'subject:Köln' 2>&1)" \
	    "id:utf8@example.org" "$T/nm.new"
	notmuch show --decrypt=true --format=json id:utf8@example.org \
	    >"$T/nm.json" 2>"$T/nm.err"
	is "notmuch show: the Subject is the protected one, [...] was outside" \
	    "$("$PYTHON" - "$T/nm.json" <<'EOF'
import json, sys
m = json.load(open(sys.argv[1]))[0][0][0]
mask = m.get("crypto", {}).get("decrypted", {}).get("header-mask", {})
print("%s|%s" % (m["headers"]["Subject"], mask.get("Subject")))
EOF
)" "Grüße aus Köln, Ça va?|[...]" "$T/nm.json" "$T/nm.err"
else
	skip "notmuch finds the protected Subject" "notmuch is not installed"
	skip "notmuch shows the protected Subject" "notmuch is not installed"
fi

# ---- the protected-headers draft's vectors, and ours beside them
PH=$MAILSEAL_CORPUS/protected-headers-draft
if [ ! -d "$PH" ]; then
	skip "the protected-headers vectors" "no corpus at $PH"
	done_testing
fi
export GNUPGHOME="$T/ph"
mkdir -m 700 "$GNUPGHOME"
_ms_homes="$_ms_homes $GNUPGHOME"
g --import "$PH/bob@openpgp.example.sec.asc" \
    "$PH/alice@openpgp.example.pub.asc" >/dev/null 2>&1
for v in "$PH"/pgpmime-*.eml; do
	n=$(basename "$v" .eml)
	[ -f "$PH/$n.inner" ] || continue
	# its Subject: the .inner's, or (layered) its signed part's
	subj=$(sed -n 's/^Subject: //p' "$PH/$n.inner" | head -n 1)
	outer='[...]'
	[ -n "$(field "$PH/$n.inner" Subject)" ] || outer=
	ms "$T/v-$n.dec" "$T/v-$n.err" decrypt "$v"
	is "$n: mailseal decrypt: decrypted, the Subject of its .inner" \
	    "$rc|$(field "$T/v-$n.dec" X-Mailseal-Decryption)|$(field "$T/v-$n.dec" Subject)" \
	    "0|decrypted|$subj" "$T/v-$n.err"
	# the vector's cleartext, sealed by us to the same key, decrypted
	# by us: the same fields a reader sees
	ms "$T/o-$n.out" "$T/o-$n.err" encrypt -r bob@openpgp.example \
	    "$PH/$n.inner"
	ms "$T/o-$n.dec" "$T/o-$n.derr" decrypt "$T/o-$n.out"
	is "$n: our output of its cleartext reads the same (Subject '$outer' outside)" \
	    "$(field "$T/o-$n.out" Subject)|$(field "$T/o-$n.dec" X-Mailseal-Decryption)|$(raw "$T/o-$n.dec" 'from|to|cc|subject|date|message-id|reply-to')" \
	    "$outer|decrypted|$(raw "$T/v-$n.dec" 'from|to|cc|subject|date|message-id|reply-to')" \
	    "$T/o-$n.err" "$T/o-$n.derr"
done

done_testing
