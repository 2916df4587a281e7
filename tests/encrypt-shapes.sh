#!/bin/sh
# encrypt-shapes.sh - mailseal encrypt on messages of many shapes, each
# result checked for RFC 3156 structure and decrypted by three
# independent OpenPGP implementations (gpg, Sequoia's sqop, rnp), whose
# plaintext must be exactly the expected inner entity.  Also: notmuch
# reads the result, line ends follow the input, -o FILE, boundaries.
. "${MAILSEAL_SRCDIR:-$(dirname "$0")/..}/tests/lib.sh"

ms_home
export HOME="$T/home"	# rnp and notmuch must not touch the real one
mkdir -p "$HOME"

readers="gpg"
for r in sqop rnp notmuch; do
	if have "$r"; then readers="$readers $r"; else diag "$r is not installed: its tests are skipped"; fi
done
diag "readers: $readers"

# decrypt_with READER ARMOR OUT - plaintext of ARMOR, as READER sees it
decrypt_with() {
	case $1 in
	gpg)	gpg_dec "$2" "$3" ;;
	sqop)	sqop decrypt "$KEYS/bob.sec.asc" <"$2" >"$3" 2>"$3.err" ;;
	rnp)	rnp --keyfile "$KEYS/bob.sec.asc" --decrypt --output - "$2" \
		    >"$3" 2>"$3.err" ;;
	esac
}

i=0
for eml in "$DATA"/encrypt/*.eml; do
	n=$(basename "$eml" .eml)
	o=$T/$n
	# alternate the ways the message arrives: a FILE argument, standard
	# input from a regular file, standard input from a pipe (spooled)
	case $((i % 3)) in
	0)	how="FILE";  ms "$o.out" "$o.err" encrypt "$eml" ;;
	1)	how="stdin"; ms "$o.out" "$o.err" encrypt <"$eml" ;;
	2)	how="pipe";  cat "$eml" | { ms "$o.out" "$o.err" encrypt; \
		    echo "$rc" >"$o.rc"; }; rc=$(cat "$o.rc") ;;
	esac
	i=$((i + 1))

	if [ "$rc" -eq 0 ] && [ -s "$o.out" ] && [ ! -s "$o.err" ]; then
		ok "$n: exit 0, output written, nothing on stderr ($how)"
	else
		echo "exit $rc" >"$o.rc"
		not_ok "$n: exit 0, output written, nothing on stderr ($how)" \
		    "$o.rc" "$o.err"
	fi
	check "$n: RFC 3156 structure, original header fields kept exactly" \
	    "$PYTHON" "$CHECK_PGPMIME" structure "$o.out" "$eml" --save "$o"

	for r in gpg sqop rnp; do
		case " $readers " in
		*" $r "*) ;;
		*) skip "$n: $r decrypts to the exact inner entity" \
		    "$r is not installed"; continue ;;
		esac
		if decrypt_with "$r" "$o.asc" "$o.$r" && cmp -s "$o.$r" "$o.inner"
		then
			ok "$n: $r decrypts to the exact inner entity"
		else
			cmp "$o.$r" "$o.inner" >"$o.$r.cmp" 2>&1
			not_ok "$n: $r decrypts to the exact inner entity" \
			    "$o.$r.err" "$o.$r.cmp" "$o.asc"
		fi
	done
done

# ---- line ends of what we add follow the input's first header line
for pair in crlf:crlf ascii:lf mbox-from:lf crlf-mbox-qp:crlf; do
	n=${pair%%:*} want=${pair#*:}
	got=$("$PYTHON" "$CHECK_PGPMIME" eol "$T/$n.out")
	if [ "$got" = "$want" ]; then
		ok "$n: every output line ends in $want, like the input"
	else
		not_ok "$n: every output line ends in $want, like the input (got $got)"
	fi
done

# ---- -o FILE: the same message as on standard output
eml=$DATA/encrypt/dkim.eml
mkdir "$T/odir"
ofile=$T/odir/msg.eml
ms "$T/o.stdout" "$T/o.err" encrypt -o "$ofile" "$eml"
if [ "$rc" -eq 0 ] && [ ! -s "$T/o.stdout" ] && [ -s "$ofile" ]; then
	ok "-o FILE: exit 0, FILE written, standard output empty"
else
	not_ok "-o FILE: exit 0, FILE written, standard output empty (exit $rc)" \
	    "$T/o.err"
fi
check "-o FILE: RFC 3156 structure" \
    "$PYTHON" "$CHECK_PGPMIME" structure "$ofile" "$eml"
# outside the boundary and the ciphertext, -o and stdout write the same bytes
mask() {
	sed -e 's/mailseal=_[0-9A-Za-z]\{32\}/BOUNDARY/g' \
	    -e '/^-----BEGIN PGP MESSAGE-----/,/^-----END PGP MESSAGE-----/d' "$1"
}
mask "$ofile" >"$T/o.file.masked"
mask "$T/dkim.out" >"$T/o.stdout.masked"
if [ -s "$T/o.file.masked" ] && cmp -s "$T/o.file.masked" "$T/o.stdout.masked"; then
	ok "-o FILE: same bytes as standard output but for boundary and ciphertext"
else
	diff "$T/o.stdout.masked" "$T/o.file.masked" >"$T/o.diff" 2>&1
	not_ok "-o FILE: same bytes as standard output but for boundary and ciphertext" \
	    "$T/o.diff"
fi
"$PYTHON" "$CHECK_PGPMIME" armor "$ofile" >"$T/o.asc" 2>&1
if gpg_dec "$T/o.asc" "$T/o.dec" && cmp -s "$T/o.dec" "$T/dkim.inner"; then
	ok "-o FILE: gpg decrypts it to the exact inner entity"
else
	not_ok "-o FILE: gpg decrypts it to the exact inner entity" "$T/o.dec.err"
fi
echo stale >"$ofile"
ms "$T/o.stdout" "$T/o.err" encrypt -o "$ofile" "$eml"
if [ "$rc" -eq 0 ] && ! grep -q stale "$ofile" &&
    "$PYTHON" "$CHECK_PGPMIME" structure "$ofile" "$eml" >"$T/o.st" 2>&1
then
	ok "-o FILE replaces an existing FILE with the whole message"
else
	not_ok "-o FILE replaces an existing FILE with the whole message" \
	    "$T/o.err" "$T/o.st"
fi
if [ "$(ls -A "$T/odir")" = "msg.eml" ]; then
	ok "-o FILE leaves no temporary file beside FILE"
else
	not_ok "-o FILE leaves no temporary file beside FILE"
	ls -A "$T/odir" | sed 's/^/#   /'
fi

# ---- boundaries are random: two runs of the same input differ
b() { sed -n 's/.*boundary="\(mailseal=_[0-9A-Za-z]*\)".*/\1/p' "$1"; }
b1=$(b "$T/dkim.out") b2=$(b "$ofile")
if [ -n "$b1" ] && [ -n "$b2" ] && [ "$b1" != "$b2" ]; then
	ok "two runs on the same message use different boundaries"
else
	not_ok "two runs on the same message use different boundaries ($b1, $b2)"
fi
bs=$(for f in "$T"/*.out; do b "$f"; done | sort | uniq -d)
if [ -z "$bs" ]; then
	ok "no boundary repeats across all outputs"
else
	not_ok "no boundary repeats across all outputs: $bs"
fi

# ---- notmuch (GMime + GPGME) finds the decrypted text
if case " $readers " in *" notmuch "*) false ;; *) true ;; esac; then
	skip "notmuch shows the decrypted text" "notmuch is not installed"
	skip "notmuch shows the decrypted attachment" "notmuch is not installed"
else
	md=$T/Maildir
	mkdir -p "$md/new" "$md/cur" "$md/tmp"
	cp "$T/utf8-8bit.out" "$md/new/1.mailseal:2,"
	cp "$T/base64-attachment.out" "$md/new/2.mailseal:2,"
	cat >"$T/notmuch-config" <<EOF
[database]
path=$md
[user]
name=Bob
primary_email=bob@example.org
[new]
tags=inbox;unread;
[maildir]
synchronize_flags=false
EOF
	NOTMUCH_CONFIG=$T/notmuch-config
	export NOTMUCH_CONFIG
	notmuch new >"$T/nm.new" 2>&1
	nmshow() {
		notmuch show --decrypt=true --format=json "id:$1" >"$T/nm.json" \
		    2>"$T/nm.err" &&
		"$PYTHON" - "$T/nm.json" "$2" <<'EOF'
import json, sys
doc = json.load(open(sys.argv[1]))
want = sys.argv[2]
found, decrypted = [], []
def walk(x):
    if isinstance(x, dict):
        if x.get("crypto", {}).get("decrypted", {}).get("status") == "full":
            decrypted.append(1)
        for k, v in x.items():
            if k == "content" and isinstance(v, str) and want in v:
                found.append(1)
            if k == "filename" and v == want:
                found.append(1)
            walk(v)
    elif isinstance(x, list):
        for v in x:
            walk(v)
walk(doc)
if not decrypted:
    sys.exit("notmuch did not decrypt the message (crypto.decrypted)")
if not found:
    sys.exit("decrypted message lacks %r" % want)
EOF
	}
	if nmshow utf8.1@example.org 'Grüße aus Köln! Ça va?' >"$T/nm.out" 2>&1
	then
		ok "notmuch shows the decrypted text"
	else
		not_ok "notmuch shows the decrypted text" "$T/nm.new" \
		    "$T/nm.err" "$T/nm.out"
	fi
	if nmshow b64.1@example.org 'bytes.bin' >"$T/nm.out" 2>&1; then
		ok "notmuch shows the decrypted attachment"
	else
		not_ok "notmuch shows the decrypted attachment" "$T/nm.err" \
		    "$T/nm.out"
	fi
fi

done_testing
