#!/bin/sh
# encrypt-corpus.sh - mailseal encrypt on real mail from other projects
# ($MAILSEAL_CORPUS, ../shared/corpus; read in place, never copied).
#
# Every message of INDEX.tsv that is neither PGP/MIME encrypted nor holds
# an armored PGP message (plain and signed mail) is encrypted to bob.
# Allowed outcomes: exit 0 with a PGP/MIME message that gpg decrypts to
# exactly the expected inner entity; exit 0 with the input unchanged when
# it is S/MIME (application/pkcs7-mime at the top) or the multipart/mixed
# Exchange and Outlook rewrite PGP/MIME into (already encrypted: the empty
# text/plain, application/pgp-encrypted, application/octet-stream parts,
# which Python's email package checks here); exit 65 with one
# "mailseal:" line on stderr (the message is not one we can process).
# Anything else (another exit code, a signal, a hang) fails.
. "${MAILSEAL_SRCDIR:-$(dirname "$0")/..}/tests/lib.sh"

C=$MAILSEAL_CORPUS
[ -r "$C/INDEX.tsv" ] || skip_all "no corpus at $C"
have timeout || skip_all "timeout(1) is not installed"

ms_home

# exchange_form FILE - is FILE Exchange's rewrite of a PGP/MIME message?
exchange_form() {
	"$PYTHON" - "$1" <<'PY'
import email, email.policy, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"),
                                   policy=email.policy.compat32)
p = m.get_payload() if m.get_content_type() == "multipart/mixed" else []
ok = (len(p) == 3 and p[0].get_content_type() == "text/plain"
      and p[0].get_payload(decode=True).strip() == b""
      and p[1].get_content_type() == "application/pgp-encrypted"
      and p[2].get_content_type() == "application/octet-stream")
data = p[2].get_payload(decode=True) if ok else b""
# armored, or a binary public-key encrypted session key packet first
ok = ok and (data.lstrip().startswith(b"-----BEGIN PGP MESSAGE-----")
             or data[:1] in (b"\x84", b"\x85", b"\xc1"))
sys.exit(0 if ok else 1)
PY
}

# the selection: corpus<TAB>path<TAB>top content type, by column name
awk -F'\t' '
NR == 1 {
	for (i = 1; i <= NF; i++)
		col[$i] = i
	if (!("corpus" in col) || !("path" in col) ||
	    !("n_multipart_encrypted" in col) || !("n_pgp_message_blocks" in col))
		exit 3
	next
}
$col["n_multipart_encrypted"] == 0 && $col["n_pgp_message_blocks"] == 0 {
	print $col["corpus"] "\t" $col["path"] "\t" \
	    ("top_content_type" in col ? $col["top_content_type"] : "?")
}' "$C/INDEX.tsv" >"$T/list" || skip_all "INDEX.tsv lacks the expected columns"
[ -s "$T/list" ] || skip_all "INDEX.tsv selects no message"

# phase 1: encrypt every message
k=0
: >"$T/batch"
while IFS='	' read -r corpus path ctype; do
	k=$((k + 1))
	f=$C/$corpus/$path
	timeout 60 "$MAILSEAL" encrypt -r bob@example.org "$f" >"$T/$k.out" \
	    2>"$T/$k.err" </dev/null
	echo $? >"$T/$k.rc"
	if [ "$(cat "$T/$k.rc")" -eq 0 ] && ! cmp -s "$f" "$T/$k.out"; then
		printf '%s\t%s\t%s\n' "$T/$k.out" "$f" "$T/$k" >>"$T/batch"
	fi
done <"$T/list"

# phase 2: structure of every PGP/MIME result, in one interpreter
"$PYTHON" "$CHECK_PGPMIME" batch <"$T/batch" >"$T/batch.res"
paste "$T/batch" "$T/batch.res" | while IFS='	' read -r out orig prefix res; do
	printf '%s\n' "$res" >"$prefix.st"
done

# phase 3: decrypt, compare, report
n_enc=0 n_pass=0 n_65=0 n_bad=0
k=0
while IFS='	' read -r corpus path ctype; do
	k=$((k + 1))
	f=$C/$corpus/$path
	d="$corpus/$path"
	rc=$(cat "$T/$k.rc")
	case $rc in
	0)
		if cmp -s "$f" "$T/$k.out"; then
			# only S/MIME and Exchange's rewrite of PGP/MIME can
			# be "already encrypted" in this selection: anything
			# else is clear text let through
			case $ctype in
			application/pkcs7-mime|application/x-pkcs7-mime)
				n_pass=$((n_pass + 1))
				ok "$d: S/MIME passed through unchanged, exit 0"
				diag "  passed through: $d" ;;
			multipart/mixed)
				if exchange_form "$f"; then
					n_pass=$((n_pass + 1))
					ok "$d: PGP/MIME rewritten by Exchange passed through unchanged, exit 0"
				else
					n_bad=$((n_bad + 1))
					not_ok "$d: $ctype message passed through in clear"
				fi ;;
			*)
				n_bad=$((n_bad + 1))
				not_ok "$d: $ctype message passed through in clear" ;;
			esac
		elif [ "$(cat "$T/$k.st" 2>/dev/null)" != ok ]; then
			n_bad=$((n_bad + 1))
			not_ok "$d: exit 0 and RFC 3156 structure" "$T/$k.st" \
			    "$T/$k.err"
		elif gpg_dec "$T/$k.asc" "$T/$k.dec" &&
		    cmp -s "$T/$k.dec" "$T/$k.inner"; then
			n_enc=$((n_enc + 1))
			ok "$d: exit 0, PGP/MIME that gpg decrypts to the exact inner entity"
		else
			n_bad=$((n_bad + 1))
			cmp "$T/$k.dec" "$T/$k.inner" >"$T/$k.cmp" 2>&1
			not_ok "$d: exit 0, PGP/MIME that gpg decrypts to the exact inner entity" \
			    "$T/$k.dec.err" "$T/$k.cmp"
		fi
		;;
	65)
		if one_line "$T/$k.err" && [ ! -s "$T/$k.out" ]; then
			n_65=$((n_65 + 1))
			ok "$d: refused as bad input (65), one stderr line, nothing written"
			diag "  65: $d: $(cat "$T/$k.err")"
		else
			n_bad=$((n_bad + 1))
			not_ok "$d: refused as bad input (65), one stderr line, nothing written" \
			    "$T/$k.err"
		fi
		;;
	*)
		n_bad=$((n_bad + 1))
		echo "exit $rc (124: timeout; > 128: signal)" >"$T/$k.why"
		not_ok "$d: exit 0 or 65, got $rc" "$T/$k.why" "$T/$k.err"
		;;
	esac
done <"$T/list"

diag "corpus: $k messages: $n_enc encrypted and verified, $n_pass passed" \
    "through, $n_65 refused (65), $n_bad wrong"
done_testing
