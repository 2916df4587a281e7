#!/bin/sh
# docs.sh - what README, the man pages and contrib/ tell a postmaster
# must be true of the tree they ship with (TAP).
#
#   - the package lists of README, mailseal-setup(7) and
#     contrib/quickstart are the same (the guide's apt-get line must be
#     enough for ./configure);
#   - every path of an installed mailseal file that the docs name exists
#     after "make install" of the default layout (prefix /usr/local),
#     contrib/'s examples are installed under the doc directory, and
#     "make uninstall" removes everything again;
#   - the man pages refer to contrib/ by its installed path, and to
#     Postfix's sendmail(1), not sendmail(8);
#   - the guide runs --check only after the configuration is installed,
#     and finds the fingerprint to certify with a command, not a literal;
#   - the claims the docs make about the program hold: a configuration
#     mistake defers (78, "4.3.5" first), so does a signer that cannot
#     sign (75, per message), an indented line that looks
#     like a setting is refused, --version works before and after a
#     command;
#   - mailseal.conf(5) documents exactly the parameters conf.c knows,
#     contrib/mailseal.conf names no other, and the smtpd settings the
#     guide shows load;
#   - every postconf command of mailseal-setup(7) runs as printed on a
#     scratch copy of Postfix's master.cf (postconf -c DIR, when Postfix
#     is installed) without a warning, and what it makes fits the guide's
#     mailseal.conf: the ports, process limits and timeouts agree;
#   - mailseal(1)'s smtpd options are the ones "mailseal smtpd --help"
#     shows.
#
# The install runs "make install DESTDIR=... prefix=/usr/local" in the
# build tree above $MAILSEAL (the GNU way to install another layout
# without reconfiguring); it is skipped without make or a Makefile.

. "$(dirname "$0")/lib.sh"

SRC=$MAILSEAL_SRCDIR
BUILD=$(cd "$(dirname "$MAILSEAL")/.." && pwd)
PREFIX=/usr/local
DOCDIR=$PREFIX/share/doc/mailseal
GUIDE=$SRC/man/mailseal-setup.7
MANS="$SRC/man/mailseal.1 $SRC/man/mailseal.conf.5 $GUIDE"

# words FILE... - the words of standard input, sorted, one a line, less
# apt-get, its options and line continuations
words() {
	tr ' \t' '\n\n' | sed 's/\\e$//; s/\\$//' | grep -v -e '^$' -e '^-' \
	    -e '^apt-get$' -e '^install$' -e '^sudo$' | sort -u
}

# none DESC FILE - ok when FILE is empty; else FILE is the diagnostic
none() {
	if [ -s "$2" ]; then not_ok "$1" "$2"; else ok "$1"; fi
}

# quickstart_pkgs - BUILD_PKGS of contrib/quickstart
quickstart_pkgs() {
	sed -n '/^BUILD_PKGS="/,/"$/p' "$SRC/contrib/quickstart" |
	    sed 's/^BUILD_PKGS="//; s/"$//' | words
}

# apt_lines FILE - the apt-get install command of FILE with its
# continuation lines (mdoc "\e" or shell "\")
apt_lines() {
	awk '/apt-get install/ { on = 1 }
	    on { print; if ($0 !~ /\\(e)?[ \t]*$/) exit }' "$1"
}

# ------------------------------------------------------------ packages

quickstart_pkgs >"$T/pkgs.quickstart"
for f in README man/mailseal-setup.7; do
	apt_lines "$SRC/$f" | words >"$T/pkgs.doc"
	if [ -s "$T/pkgs.doc" ] && cmp -s "$T/pkgs.quickstart" "$T/pkgs.doc"
	then
		ok "$f: apt-get installs quickstart's BUILD_PKGS"
	else
		diff "$T/pkgs.quickstart" "$T/pkgs.doc" >"$T/why"
		not_ok "$f: apt-get installs quickstart's BUILD_PKGS" "$T/why"
	fi
done
grep -q libcriterion-dev "$T/pkgs.quickstart" &&
    grep -q 'Criterion not found' "$SRC/configure.ac"
check "... and that list has what configure requires (libcriterion-dev)" \
    test $? -eq 0

# ------------------------------------------------------------- install

ROOT=$T/root
if ! have make || [ ! -f "$BUILD/Makefile" ]; then
	skip "make install of the default layout" "no make or no Makefile"
else
	# a nested make: not the jobserver of the make running the tests
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C "$BUILD" install \
	    DESTDIR="$ROOT" prefix="$PREFIX" >"$T/install.out" 2>&1
	is "make install DESTDIR=... prefix=$PREFIX" "$?" 0 "$T/install.out"
	: >"$T/why"
	for f in mailseal.conf policy_map procmailrc.encrypt \
	    procmailrc.decrypt postfix/master.cf.snippet \
	    postfix/main.cf.snippet exim/transport.snippet \
	    mailseal-smtpd.service postfix/master.cf.smtpd \
	    postfix/master.cf.smtpd-proxy; do
		cmp "$SRC/contrib/$f" "$ROOT$DOCDIR/contrib/$f" >>"$T/why" 2>&1
	done
	none "contrib/'s examples are installed in $DOCDIR/contrib" "$T/why"

	# every installed path the docs name
	grep -o -h -E '/usr/[A-Za-z0-9_./-]*mailseal[A-Za-z0-9_./-]*' \
	    "$SRC/README" $MANS $(find "$SRC/contrib" -type f) |
	    sed 's/[.]*$//' | sort -u >"$T/paths"
	: >"$T/why"
	while read -r p; do
		[ -e "$ROOT$p" ] || echo "$p: not installed" >>"$T/why"
	done <"$T/paths"
	none "every mailseal path in README, man/ and contrib/ is installed" \
	    "$T/why"
	check "... the snippets run $PREFIX/bin/mailseal" \
	    grep -q "$PREFIX/bin/mailseal" "$T/paths"

	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C "$BUILD" uninstall \
	    DESTDIR="$ROOT" prefix="$PREFIX" >"$T/uninstall.out" 2>&1
	find "$ROOT" -type f >"$T/left"
	none "make uninstall removes every file again" "$T/left"
fi

# ----------------------------------------------------------- man pages

# (comment lines, such as "keep it in step with contrib/", aside)
awk '!/^\.\\"/ { while (match($0, /[^ ]*contrib\/[A-Za-z0-9_.\/-]*/)) {
	print FILENAME ":" FNR ":" substr($0, RSTART, RLENGTH)
	$0 = substr($0, RSTART + RLENGTH) } }' $MANS |
    grep -v ":$DOCDIR/contrib/" >"$T/why"
none "the man pages name contrib/ files by their installed path" "$T/why"
grep -n -E 'Xr sendmail 8|sendmail\(8\)' "$SRC/README" $MANS \
    $(find "$SRC/contrib" -type f) >"$T/why"
none "Postfix's sendmail is sendmail(1), not sendmail(8)" "$T/why"

# the guide: the first command with --check (in a literal block, not
# ".Fl -check" in the text) after "install ... mailseal.conf"
inst=$(grep -n 'install .*mailseal\.conf' "$GUIDE" | head -n 1 | cut -d: -f1)
chk=$(grep -n -e '--check' "$GUIDE" | head -n 1 | cut -d: -f1)
is "the guide installs the configuration (line $inst) before --check" \
    "$([ -n "$inst" ] && [ -n "$chk" ] && [ "$chk" -gt "$inst" ] &&
    echo yes)" yes

grep -n -E 'lsign-key +[0-9A-Fa-f]{40}' "$GUIDE" >"$T/why"
none "the guide's lsign command takes no literal fingerprint" "$T/why"
# the guide's own command prints the fingerprint of the key file
ms_home
gpg --batch --armor --export "$(fpr bob)" >"$T/bob.asc" 2>/dev/null
cmd=$(grep -E 'show-keys .*with-colons' "$GUIDE" | head -n 1 |
    sed 's/^[ \t]*[a-z]*=\$(//; s/)[ \t]*$//')
if [ -z "$cmd" ]; then
	not_ok "the guide prints a key file's fingerprint" "$GUIDE"
else
	got=$(cd "$T" && sh -c "$cmd" 2>"$T/err")
	is "the guide's command prints bob.asc's fingerprint" "$got" \
	    "$(fpr bob)" "$T/err"
fi

# ------------------------------------------------- claims about the code

# a configuration mistake defers: 78, and "4.3.5" first for pipe(8)
printf 'homedr = /nonexistent\n' >"$T/bad.conf"
printf 'Subject: x\n\nx\n' |
    "$MAILSEAL" filter -c "$T/bad.conf" --stdout -- bob@example.org \
    >"$T/out" 2>"$T/err"
rc=$?
is "a configuration mistake: exit 78, 4.3.5 first (deferred)" \
    "$rc $(head -c 6 "$T/err")" "78 4.3.5 "
sed -n '/^# A mistake here/,/^#$/p' "$SRC/contrib/mailseal.conf" |
    tr '\n#' '  ' >"$T/claim"
check "... as contrib/mailseal.conf says (78, 4.3.5, defers)" \
    grep -q 'exit 78 with a "4.3.5" *line, and Postfix *defers' "$T/claim"

# a signer that cannot sign defers the message (75), as mailseal.conf(5)
# and mailseal(1) say; it is no configuration error (78) per message
printf 'homedir = %s\nsign = yes\nsigner = nosuch@example.org\n' \
    "$GNUPGHOME" >"$T/signer.conf"
printf 'From: alice@example.org\nTo: bob@example.org\nSubject: x\n\nx\n' |
    "$MAILSEAL" filter -c "$T/signer.conf" --stdout -- bob@example.org \
    >"$T/out" 2>"$T/err"
is "a signer that cannot sign: exit 75, nothing written" \
    "$? $(wc -c <"$T/out")" "75 0" "$T/err"

# an indented "name = value" is refused, naming its line
# (joined, "gw@example.org sign = yes" would be a signer, sign still no)
printf 'signer = gw@example.org\n  sign = yes\n' >"$T/indent.conf"
"$MAILSEAL" filter -c "$T/indent.conf" --check bob@example.org \
    >"$T/out" 2>"$T/err"
rc=$?
is "an indented setting: exit 78" "$rc" 78 "$T/err"
check "... naming the line" grep -q 'indent.conf:2:' "$T/err"
# a real continuation is joined, and --check checks the joined value
# (a signer is a fingerprint or an address: gwsign.c)
printf 'signer = Gateway\n  <gw@example.org>\n' >"$T/cont.conf"
"$MAILSEAL" filter -c "$T/cont.conf" --check bob@example.org \
    >"$T/out" 2>"$T/err"
check "a continuation line: --check checks the joined value" \
    grep -q 'signer "Gateway <gw@example.org>" is not' "$T/err"

"$MAILSEAL" --version >"$T/out" 2>"$T/err"
is "mailseal --version: exit 0" "$? $(cut -d' ' -f1 "$T/out")" "0 mailseal"
for c in encrypt decrypt filter smtpd; do
	"$MAILSEAL" "$c" --version >"$T/out" 2>"$T/err"
	is "mailseal $c --version: exit 0, as mailseal(1) says" \
	    "$? $(cut -d' ' -f1 "$T/out")" "0 mailseal" "$T/err"
done

# ------------------------------------------------------- configuration

# conf_names - the parameter names of conf.c's table, sorted
conf_names() {
	sed -n '/^static const struct cparam cparams\[\]/,/^};/p' \
	    "$SRC/src/conf.c" | sed -n 's/^[ \t]*{ "\([a-z_]*\)",.*/\1/p' |
	    sort -u
}

conf_names >"$T/names.conf"
# the parameters of mailseal.conf(5): ".It Cm NAME Pq default: ..."
sed -n '/^\.Sh PARAMETERS/,/^\.Sh /p' "$SRC/man/mailseal.conf.5" |
    sed -n 's/^\.It Cm \([a-z_]*\) Pq default.*/\1/p' | sort -u \
    >"$T/names.man"
if [ -s "$T/names.conf" ] && cmp -s "$T/names.conf" "$T/names.man"; then
	ok "mailseal.conf(5) documents every parameter conf.c knows, no other"
else
	diff "$T/names.conf" "$T/names.man" >"$T/why"
	not_ok "mailseal.conf(5) documents every parameter conf.c knows, no other" \
	    "$T/why"
fi
# contrib/mailseal.conf, commented settings included
sed -n 's/^#\{0,1\}\([a-z_][a-z_]*\) *=.*/\1/p' "$SRC/contrib/mailseal.conf" |
    sort -u | comm -23 - "$T/names.conf" >"$T/why"
none "contrib/mailseal.conf names only parameters conf.c knows" "$T/why"

# the guide's settings for smtpd load, and --check shows them
ms_home
{
	printf 'homedir = %s\n' "$GNUPGHOME"
	awk '/^\.Bd -literal/ { lit = 1; next } /^\.Ed/ { lit = 0 }
	    lit && /^(listen|reinject|smtpd_[a-z_]*|message_size_limit|timeout) = /' \
	    "$GUIDE"
} >"$T/smtpd.conf"
"$MAILSEAL" filter -c "$T/smtpd.conf" --check bob@example.org \
    >"$T/out" 2>"$T/err"
rc=$?
is "the guide's smtpd settings (listen, reinject, smtpd_user...) load" \
    "$rc $(grep -c -E '^(listen|reinject|smtpd_user|smtpd_workers) ' \
    "$T/smtpd.conf")" "0 4" "$T/err"
sort -u "$T/out" >"$T/out.sorted"
sed 1d "$T/smtpd.conf" | sort -u | comm -23 - "$T/out.sorted" >"$T/why"
none "... and --check shows each as the guide writes it" "$T/why"

# ---------------------------------------------------------- Postfix lines

# guide_cmds WORD [SECTION] - the commands of the guide's literal blocks
# (in its subsection SECTION only, when given) that start with WORD,
# mdoc escapes undone (\e, \&), continuation lines joined, one a line
guide_cmds() {
	awk -v w="$1" -v sec="${2:-}" '
	    /^\.S[sh] / { insec = sec == "" || substr($0, 5) == sec }
	    sec != "" && !insec { next }
	    /^\.Bd -literal/ { lit = 1; next } /^\.Ed/ { lit = 0 }
	    !lit { next }
	    { gsub(/\\e/, "\\"); gsub(/\\&/, ""); sub(/^[ \t]+/, "") }
	    cont { line = line " " $0 }
	    !cont && index($0, w " ") == 1 { line = $0 }
	    line != "" { if (line ~ /\\$/) { sub(/[ \t]*\\$/, "", line); cont = 1 }
		else { print line; line = ""; cont = 0 } }' "$GUIDE"
}

if ! have postconf; then
	skip "the guide's postconf commands run on a scratch master.cf" \
	    "no postconf (Postfix is not installed)"
else
	PF=$T/pf
	mkdir -p "$PF"
	for f in /usr/share/postfix/master.cf.dist /etc/postfix/master.cf.proto; do
		[ -f "$f" ] && { cp "$f" "$PF/master.cf"; break; }
	done
	[ -f "$PF/master.cf" ] ||
	    printf 'smtp inet n - y - - smtpd\npickup unix n - y 60 1 pickup\n' \
	    >"$PF/master.cf"
	cp "$PF/master.cf" "$PF/master.cf.orig"
	: >"$PF/main.cf"
	guide_cmds postconf >"$T/postconf.cmds"
	: >"$T/why"
	n=0
	while IFS= read -r cmd; do
		n=$((n + 1))
		# postconf -c DIR ... in place of postconf ...
		c="postconf -c '$PF'${cmd#postconf}"
		if ! sh -c "$c" >"$T/pc.out" 2>&1 || [ -s "$T/pc.out" ]; then
			{ echo "$cmd"; cat "$T/pc.out"; } >>"$T/why"
		fi
	done <"$T/postconf.cmds"
	is "the guide's postconf commands: found" \
	    "$([ "$n" -ge 10 ] && echo yes)" yes "$T/postconf.cmds"
	none "... each runs as printed (postconf -c scratch), no warning" \
	    "$T/why"
	{ postconf -c "$PF" -n; postconf -c "$PF" -M; postconf -c "$PF" -P; } \
	    >/dev/null 2>"$T/why"
	none "... and main.cf, master.cf read back without a warning" "$T/why"

	# what they made agrees with the guide's mailseal.conf
	val() {	# val NAME - NAME's value in the guide's smtpd settings
		sed -n "s/^$1 = //p" "$T/smtpd.conf" | tail -n 1
	}
	listen=$(val listen) reinject=$(val reinject)
	workers=$(val smtpd_workers) tmo=$(val timeout)
	postconf -c "$PF" -M "$reinject/inet" >"$T/reinj" 2>&1
	rlimit=$(awk '{ print $7 }' "$T/reinj")
	slimit=$(postconf -c "$PF" -M mailseal-smtp/unix 2>/dev/null |
	    awk '{ print $7 }')
	cf=$(grep -h -o "content_filter=mailseal-smtp:[^' ]*" \
	    "$T/postconf.cmds" | head -n 1)
	pf=$(grep -h -o "smtpd_proxy_filter=[^' ]*" "$T/postconf.cmds" |
	    head -n 1)
	is "... content_filter and smtpd_proxy_filter point at listen" \
	    "$cf $pf" "content_filter=mailseal-smtp:[${listen%:*}]:${listen##*:} smtpd_proxy_filter=$listen"
	is "... reinject is a listener of the guide's (no content filter)" \
	    "$(postconf -c "$PF" -Ph "$reinject/inet/content_filter" 2>&1)" ""
	check "... process limits: transport $slimit <= smtpd_workers $workers <= reinject listener's $rlimit" \
	    test "$slimit" -le "$workers" -a "$workers" -le "$rlimit"
	done_t=$(postconf -c "$PF" -Ph mailseal-smtp/unix/smtp_data_done_timeout |
	    tr -d s)
	check "... smtp_data_done_timeout ${done_t}s > timeout (default 900)" \
	    test "${done_t:-0}" -gt 900
	proxy_t=$(postconf -c "$PF" -Ph smtp/inet/smtpd_proxy_timeout | tr -d s)
	check "... smtpd_proxy_timeout ${proxy_t}s > the guide's timeout $tmo" \
	    test "${proxy_t:-0}" -gt "${tmo:-900}"
	plimit=$(postconf -c "$PF" -M smtp/inet | awk '{ print $7 }')
	check "... the proxied listener's process limit $plimit <= smtpd_workers" \
	    test "$plimit" -le "$workers"
fi

# contrib/postfix's master.cf entries for smtpd are the guide's lines
# (they are installed for pasting; tests/smtpd-postfix.sh runs them)
snip_vs_guide() {	# snip_vs_guide SNIPPET SECTION SERVICE...
	_s=$SRC/contrib/postfix/$1 _sec=$2
	shift 2
	if ! have postconf || [ ! -f "$_s" ]; then
		skip "contrib/postfix/${_s##*/} is the guide's $_sec" \
		    "no postconf or no snippet"
		return
	fi
	rm -rf "$T/pa" "$T/pb"
	mkdir "$T/pa" "$T/pb"
	cp "$PF/master.cf.orig" "$T/pa/master.cf"
	cp "$PF/master.cf.orig" "$T/pb/master.cf"
	: >"$T/pa/main.cf"
	: >"$T/pb/main.cf"
	guide_cmds postconf "$_sec" | while IFS= read -r _c; do
		sh -c "postconf -c '$T/pa'${_c#postconf}" >/dev/null 2>&1
	done
	# the snippet's entries replace those of the same name
	for _svc in "$@"; do
		postconf -c "$T/pb" -MX "$_svc" >/dev/null 2>&1
	done
	grep -v '^#' "$_s" >>"$T/pb/master.cf"
	: >"$T/why"
	for _svc in "$@"; do
		postconf -c "$T/pa" -M "$_svc" >"$T/ma" 2>&1
		postconf -c "$T/pb" -M "$_svc" >"$T/mb" 2>&1
		postconf -c "$T/pa" -P "$_svc" >>"$T/ma" 2>&1
		postconf -c "$T/pb" -P "$_svc" >>"$T/mb" 2>&1
		diff "$T/ma" "$T/mb" >>"$T/why"
	done
	none "contrib/postfix/${_s##*/} has the guide's $_sec lines ($*)" \
	    "$T/why"
}
if have postconf; then
	snip_vs_guide master.cf.smtpd "After the queue" mailseal-smtp/unix \
	    127.0.0.1:10026/inet
	snip_vs_guide master.cf.smtpd-proxy "Before the queue" smtp/inet
fi

# the guide's list of queue IDs still bound for the pipe service reads
# postqueue -j's lines as Postfix writes them (showq_json.c)
cmd=$(guide_cmds postqueue | grep 'postqueue -j' | head -n 1 |
    sed 's/^postqueue -j | //; s/ *|.*//')
printf '%s\n' '{"queue_name": "deferred", "queue_id": "2CD7A1040EA", "arrival_time": 1, "message_size": 2, "forced_expire": false, "sender": "a@example.org", "recipients": [{"address": "b@example.org", "delay_reason": "x \"queue_id\": \"Z\""}]}' \
    '{"queue_name": "active", "queue_id": "5F0A21040F3", "arrival_time": 1, "message_size": 2, "forced_expire": false, "sender": "", "recipients": []}' \
    >"$T/showq.json"
got=$(sh -c "$cmd" <"$T/showq.json" 2>&1 | tr '\n' ' ')
is "the guide's postqueue -j filter yields the queue IDs" "$got" \
    "2CD7A1040EA 5F0A21040F3 "

# --------------------------------------------------------------- smtpd

# mailseal(1)'s synopsis of smtpd against its usage
sed -n '/^\.Cm smtpd$/,/^\.Nm$/p' "$SRC/man/mailseal.1" |
    sed -n 's/^\.Op Fl \([-a-z]*\).*/\1/p' >"$T/opts.man"
"$MAILSEAL" smtpd --help >"$T/usage" 2>&1
if [ ! -s "$T/opts.man" ]; then
	not_ok "mailseal(1) has a synopsis for smtpd" "$SRC/man/mailseal.1"
elif ! grep -q -e '--pidfile' "$T/usage"; then
	skip "mailseal(1)'s smtpd options are smtpd's" "no smtpd usage yet"
else
	: >"$T/why"
	while read -r o; do
		grep -q -e "[[ ]-$o\\b" "$T/usage" ||
		    echo "-$o: not in mailseal smtpd --help" >>"$T/why"
	done <"$T/opts.man"
	none "mailseal(1)'s smtpd options are all in mailseal smtpd --help" \
	    "$T/why"
fi

done_testing
