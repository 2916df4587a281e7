#!/bin/sh
# decrypt-corpus.sh - mailseal decrypt on real OpenPGP mail from other
# projects ($MAILSEAL_CORPUS, ../shared/corpus; read in place, never
# copied), checked against a table of the verdicts each message must get.
# TAP, one test per message.
#
# The expected verdicts come from the corpus's own documentation
# (SOURCE.txt, upstream test names, memoryhole's .desc files), from gpg
# 2.2 run by hand on each root with the set's own keys, and from the
# contract in INTERFACE.md: only the root is decrypted or verified; an
# inline PGP root counts only when its whole decoded body is one armored
# block; the Exchange form of PGP/MIME (empty text/plain, pgp-encrypted,
# octet-stream) is repaired; protected headers (protected-headers="v1" or
# hp=) replace the outer ones and their From is the one the signature is
# checked against.  A message meant to fail passes when it fails the way
# its row says.  Never fill in a row from mailseal's own output.
#
# Each set gets a throwaway GnuPG home under $T made from its own key
# files (lib.sh kills the agents and removes them at exit), with this
# ownertrust:
#   kde   KDE mimetreeparser's gnupg_home (its trustdb: the three secret
#         keys ultimate)
#   tb    Thunderbird's alice and bob secret keys (ultimate), carol's
#         public key (no ownertrust: her signatures are good-untrusted)
#   nm    notmuch's test suite secret key (ultimate)
#   gm    GMime's no.user secret key, passphrase no.secret preset in the
#         agent (ultimate)
#   ph    protected-headers draft: bob's secret key, alice's public key
#         (both ultimate)
#   mh    memoryhole's julia, obrian and winston secret keys, passphrases
#         _julia_, _obrian_, _winston_ preset (all ultimate, as its
#         genkeys script does)
. "${MAILSEAL_SRCDIR:-$(dirname "$0")/..}/tests/lib.sh"

C=$MAILSEAL_CORPUS
[ -d "$C" ] || skip_all "no corpus at $C"

# signer names of the table, and their primary key fingerprints
fpr_of() {
	case $1 in
	kolab) echo 1BA323932B3FAA826132C79E8D9860C58F246DE6 ;;
	alice) echo EB85BB5FA33A75E15E944E63F231550C4F47E38E ;;
	bob) echo D1A66E1A23B182C9980F788CFBFCC82A015E7330 ;;
	carol) echo B8F2F6F4BD3AD3F82DC446833099FF1238852B9F ;;
	notmuch) echo 9A3AFE6C60065A148FD4B58A7E6ABE924645CC60 ;;
	gmime) echo DA26DAB7572A1C5F2AB1A74BB47760E95182C200 ;;
	julia) echo 2BC85B8EF240B7422E9C19F2E0D7563140A09310 ;;
	obrian) echo 9A9CC2E1546C7A04D23048641BC98889B8EA08B3 ;;
	winston) echo 5A7AD43844FB30BE7DB1B3FD15FB4EBC8E2D6CB7 ;;
	# S/MIME signers: certificate SHA-1 fingerprints, as gpgsm names them
	smimealice) echo 702BA4B157F1E2B7D16B0C6A5FFC8A7DE2057DEB ;;
	smimeapple) echo DB9402AE2ADF529785D072BC4A9142A81300F201 ;;
	smimedual) echo 33451E1A7616DE1A44C7E9C4B2AD941CFEF1C800 ;;
	smimeouter) echo DE114A2D2670C0985B3CFD9588C3AABBFCEB6E00 ;;
	*) echo "unknown signer name $1" >&2; echo - ;;
	esac
}

# set NAME - sets $dir (the set's folder in the corpus) and $keyring
set_of() {
	case $1 in
	kde) dir=kde-mimetreeparser/autotests/testdata keyring=kde ;;
	tb) dir=thunderbird-openpgp/mail/test/browser/openpgp/data/eml keyring=tb ;;
	tbx) dir=thunderbird-openpgp/extra-from-index keyring=tb ;;
	nm) dir=notmuch/test/corpora keyring=nm ;;
	gm) dir=gmime-tests/tests/data/pgp keyring=gm ;;
	ph) dir=protected-headers-draft keyring=ph ;;
	mh) dir=memoryhole/corpus keyring=mh ;;
	*) return 1 ;;
	esac
}

PRESET="$(gpgconf --list-dirs libexecdir 2>/dev/null)/gpg-preset-passphrase"

# g HOME ARG... - gpg in HOME, quiet
g() {
	_gh=$1
	shift
	gpg --homedir "$_gh" --batch --no-tty --quiet "$@" >/dev/null 2>&1
}

# trust HOME FPR... - ultimate ownertrust for each FPR
trust() {
	_th=$1
	shift
	for _f in "$@"; do
		echo "$_f:6:"
	done | gpg --homedir "$_th" --batch --import-ownertrust >/dev/null 2>&1
}

# preset HOME PASSPHRASE KEYFILE - import KEYFILE and put PASSPHRASE for
# each of its keys in the agent's cache (mailseal has no pinentry)
preset() {
	g "$1" --import "$3" || return 1
	for _grp in $(gpg --homedir "$1" --batch --with-colons --with-keygrip \
	    --show-keys "$3" 2>/dev/null | awk -F: '$1 == "grp" { print $10 }'); do
		GNUPGHOME=$1 "$PRESET" --preset -P "$2" "$_grp" || return 1
	done
}

# make_home NAME - the GnuPG home of key set NAME, made once, in $home;
# returns 1 when the set's keys cannot be set up, 2 when this system
# lacks gpg-preset-passphrase, which the set needs
make_home() {
	home=$T/$1
	[ -f "$home/.made" ] && return 0
	case $1 in
	gm|mh) [ -x "$PRESET" ] || return 2 ;;
	esac
	[ -d "$home" ] && return 1
	mkdir -m 700 "$home" || return 1
	_ms_homes="$_ms_homes $home"
	case $1 in
	kde)
		_k=$C/kde-mimetreeparser/autotests/gnupg_home
		# gpg 2.2 moves secring.gpg into the agent on first use
		cp -R "$_k/pubring.gpg" "$_k/secring.gpg" "$_k/trustdb.gpg" \
		    "$_k/private-keys-v1.d" "$home/" &&
		    chmod -R u+w,go-rwx "$home" &&
		    g "$home" --list-secret-keys || return 1
		;;
	tb)
		_k=$C/thunderbird-openpgp/mail/test/browser/openpgp/data/keys
		g "$home" --import \
		    "$_k/alice@openpgp.example-0xf231550c4f47e38e-secret.asc" \
		    "$_k/bob@openpgp.example-0xfbfcc82a015e7330-secret.asc" \
		    "$_k/carol@example.com-0x3099ff1238852b9f-pub.asc" &&
		    trust "$home" "$(fpr_of alice)" "$(fpr_of bob)" || return 1
		;;
	nm)
		g "$home" --import "$C/notmuch/test/openpgp4-secret-key.asc" &&
		    trust "$home" "$(fpr_of notmuch)" || return 1
		;;
	gm)
		echo allow-preset-passphrase >"$home/gpg-agent.conf"
		gpgconf --homedir "$home" --launch gpg-agent &&
		    preset "$home" no.secret "$C/gmime-tests/tests/data/pgp/gmime.gpg.sec" &&
		    trust "$home" "$(fpr_of gmime)" || return 1
		;;
	ph)
		g "$home" --import "$C/protected-headers-draft/bob@openpgp.example.sec.asc" \
		    "$C/protected-headers-draft/alice@openpgp.example.pub.asc" &&
		    trust "$home" "$(fpr_of alice)" "$(fpr_of bob)" || return 1
		;;
	mh)
		echo allow-preset-passphrase >"$home/gpg-agent.conf"
		gpgconf --homedir "$home" --launch gpg-agent || return 1
		for _n in julia obrian winston; do
			preset "$home" "_${_n}_" "$C/memoryhole/corpus/OpenPGP/$_n.key" ||
			    return 1
		done
		trust "$home" "$(fpr_of julia)" "$(fpr_of obrian)" "$(fpr_of winston)" ||
		    return 1
		;;
	esac
	# started here, once: not by the parallel runs below all at once
	gpgconf --homedir "$home" --launch gpg-agent || return 1
	: >"$home/.made"
}

# ------------------------------------------------------------ the table
#
# set | path in the set's folder | decryption | signature | Subject | why
#
# decryption: decrypted | not-encrypted | failed:REASON[,REASON...] | reject
#   (reject: not a message; exit 65 and nothing written); ALT/ALT where
#   either verdict is true
# signature: VERDICT or VERDICT:SIGNER (then signer= must be SIGNER's
#   fingerprint; see fpr_of)
# Subject: "-" (not checked), "=inner" (the first Subject of the set's
#   .inner file: the decrypted truth), or the exact unfolded value the
#   output's one Subject field must have
cat >"$T/table" <<'EOF'
# ---- KDE mimetreeparser autotests (KMail, Thunderbird, Enigmail, Apple Mail, Outlook)
kde | 8bitencoded.mbox | not-encrypted | none | - | plain newsletter, 8bit
kde | alternative-notext.mbox | not-encrypted | none | - | plain
kde | alternative.mbox | not-encrypted | none | - | plain
kde | applehtmlwithattachments.mbox | not-encrypted | none | - | plain
kde | applehtmlwithattachmentsmixed.mbox | not-encrypted | none | - | plain
kde | attachment.mbox | not-encrypted | none | - | plain
kde | attachment2.mbox | not-encrypted | none | - | plain
kde | cid-links-forwarded-inline.mbox | not-encrypted | none | - | plain
kde | cid-links.mbox | not-encrypted | none | - | plain
kde | combined.mbox | not-encrypted | none | - | three plain mbox messages in one file, read as one
kde | crlf-encrypted-with-signature-multipart.mbox | decrypted | none | OpenPGP encrypted | PGP/MIME, CRLF; the signature is an e-mail signature block, not OpenPGP
kde | crlf-encrypted-with-signature.mbox | decrypted | none | OpenPGP encrypted | inline, CRLF, the whole body is one armored block
kde | empty.mbox | reject | - | - | empty file: not a message
kde | encapsulated-with-attachment.mbox | not-encrypted | none | - | plain forward
kde | forward-openpgp-signed-encrypted-no-from.mbox | not-encrypted | none | - | encrypted message forwarded as message/rfc822: not the root
kde | forward-openpgp-signed-encrypted.mbox | not-encrypted | none | - | encrypted message forwarded as message/rfc822: not the root
kde | gmail-invitation.mbox | not-encrypted | none | - | plain
kde | html.mbox | not-encrypted | none | - | plain
kde | htmlonly.mbox | not-encrypted | none | - | plain
kde | htmlonlyexternal.mbox | not-encrypted | none | - | plain
kde | inlinepgpencrypted-appendix.mbox | not-encrypted | none | - | inline block followed by a mailing-list footer: text around it
kde | inlinepgpencrypted-error.mbox | failed:no-secret-key | none | - | inline, encrypted only to 553D4262DA4BADF2 and F6E6A3D126C630E0 (upstream: no secret key)
kde | inlinepgpencrypted.mbox | decrypted | none | - | inline, the whole body is one armored block
kde | inlinepgpgencrypted-error.mbox | failed:no-secret-key | none | - | inline, encrypted only to keys not in the keyring
kde | internal-pgpencrypted-mime.mbox | not-encrypted | none | - | GpgOL: a PGP/MIME message inside an octet-stream attachment, no pgp-encrypted part: not the Exchange form
kde | invitation.mbox | not-encrypted | none | - | plain
kde | listmessage.mbox | not-encrypted | none | - | plain
kde | multipart-mixed-alternative-inline-pgp.mbox | not-encrypted | none | - | inline block in a text/plain nested in mixed/related/alternative: not the root
kde | multirecipients.mbox | not-encrypted | none | - | plain
kde | no-content-type.mbox | not-encrypted | none | - | plain, no Content-Type
kde | openpgp-encoded.mbox | not-encrypted | none | - | armored message that is only signed, not clear-signed (gpg: by E68031D299A6527C, no key): mailseal(1) leaves that form unverified
kde | openpgp-encrypted+signed.mbox | decrypted | good:kolab | - | signed and encrypted in one OpenPGP message (RFC 3156 6.2), From test@kolab.org
kde | openpgp-encrypted-ambiguous-mime.mbox | not-encrypted | none | - | looks Exchange-mangled, but its text/plain part is not empty: not repaired, not decrypted
kde | openpgp-encrypted-applemail.mbox | decrypted | none | - | Exchange form (empty text/plain, pgp-encrypted, octet-stream, all base64): repaired
kde | openpgp-encrypted-attachment-and-non-encrypted-attachment.mbox | not-encrypted | none | - | multipart/encrypted beside a png in mixed: not the root
kde | openpgp-encrypted-attachment.mbox | decrypted | good:kolab | - | decrypts to multipart/signed by test@kolab.org, From test@kolab.org
kde | openpgp-encrypted-enigmail1.6.mbox | decrypted | none | - | Enigmail 1.6, to you@you.com
kde | openpgp-encrypted-memoryhole.mbox | decrypted | none | OpenPGP encrypted | inner header fields without protected-headers: the outer Subject stays
kde | openpgp-encrypted-memoryhole2.mbox | decrypted | none | This is the subject | protected-headers v1: the inner Subject replaces the outer one
kde | openpgp-encrypted-noData.mbox | failed:bad-data/not-encrypted | none | - | multipart/encrypted without its data part: nothing to decrypt, either verdict is true (upstream: noData error)
kde | openpgp-encrypted-non-encrypted-attachment.mbox | not-encrypted | none | - | multipart/encrypted beside a png in mixed: not the root
kde | openpgp-encrypted-partially-signed-attachments.mbox | not-encrypted | none | - | two multipart/encrypted parts in mixed: not the root
kde | openpgp-encrypted-signed-thunderbird.mbox | decrypted | good:kolab | Encrypted and Signed with unittest key | Thunderbird 78: signed, then encrypted, protected headers v1, From test@kolab.org
kde | openpgp-encrypted-two-attachments.mbox | decrypted | none | - | decrypts to mixed with two attachments
kde | openpgp-encrypted.mbox | decrypted | none | OpenPGP encrypted | KMail PGP/MIME
kde | openpgp-inline-charset-encrypted.mbox | decrypted | mismatch:kolab | - | inline, signed by test@kolab.org, From test@example.com
kde | openpgp-inline-encrypted+nonenc.mbox | not-encrypted | none | - | two armored blocks with clear text around them
kde | openpgp-inline-signed-broken.mbox | not-encrypted | bad:kolab | - | clear-signed whole body, text altered (gpg: BADSIG)
kde | openpgp-inline-signed-broken2.mbox | not-encrypted | none | - | clear-signed block whose armor is QP-mangled (=3D in a 7bit body): gpg finds no signature in it
kde | openpgp-inline-signed.mbox | not-encrypted | none | - | unsigned text before the clear-signed block
kde | openpgp-inline-wrong-charset-encrypted.mbox | decrypted | mismatch:kolab | - | inline, signed by test@kolab.org, From t.glaser@tarent.de
kde | openpgp-multipart-embedded-signed.mbox | decrypted | unknown-key | enc+signed | signed by 2E3B7787B1B75920, not in the keyring; protected headers v1
kde | openpgp-multipart-embedded.mbox | decrypted | none | foobar | protected headers v1 with a legacy text/rfc822-headers part
kde | openpgp-signed-and-unsigned-attachments-and-parts.mbox | not-encrypted | none | - | signed part beside unsigned parts in mixed: not the root
kde | openpgp-signed-apple.mbox | not-encrypted | bad:kolab | - | GPGMail message with rewritten boundaries: BADSIG in every line-end form
kde | openpgp-signed-base64-mailman-footer.mbox | not-encrypted | none | - | mailman footer: the signed part is nested in mixed
kde | openpgp-signed-encrypted-two-attachments.mbox | decrypted | mismatch:kolab | - | signed by test@kolab.org, From firstname.lastname@example.com
kde | openpgp-signed-encrypted.mbox | decrypted | good:kolab | - | signed, then encrypted, From test@kolab.org
kde | openpgp-signed-mailinglist+additional-children.mbox | not-encrypted | none | - | signed part nested in mixed
kde | openpgp-signed-mailinglist+old.mbox | not-encrypted | none | - | old mailman digest: a signed message inside a text/plain body
kde | openpgp-signed-mailinglist.mbox | not-encrypted | none | - | signed part nested in mixed
kde | openpgp-signed-no-protocol.mbox | not-encrypted | none | - | multipart/signed with protocol application/broken-signature: not RFC 3156
kde | openpgp-signed-sender-mismatch.mbox | not-encrypted | mismatch:kolab | - | signed by test@kolab.org, From (outer and protected) bcc@bcc.org
kde | openpgp-signed-two-attachments.mbox | not-encrypted | mismatch:kolab | - | signed by test@kolab.org, From firstname.lastname@example.com
kde | outlook.mbox | not-encrypted | none | - | plain
kde | plaintext.mbox | not-encrypted | none | - | plain
kde | plaintextattachment.mbox | not-encrypted | none | - | plain
kde | signed-forward-openpgp-signed-encrypted.mbox | not-encrypted | good:kolab | - | signed root by test@kolab.org; the forwarded encrypted message inside stays encrypted
kde | smime-cert.mbox | not-encrypted | none | - | S/MIME certs-only: nothing encrypted or signed
kde | smime-encrypted-ambiguous-mime.mbox | not-encrypted | none | - | S/MIME part inside mixed: not the root
kde | smime-encrypted-not-so-ambiguous-mime.mbox | not-encrypted | none | - | S/MIME part inside mixed: not the root
kde | smime-encrypted-octet-stream.mbox | not-encrypted | none | - | S/MIME enveloped-data labelled application/octet-stream: the root is not pkcs7-mime, so not taken as encrypted (kept as it is)
kde | smime-encrypted.mbox | failed:no-secret-key | none | - | S/MIME enveloped-data, given to gpgsm: this home has no key of its certificate, kept as it is (tests/smime-decrypt.sh decrypts the protected-headers ones with bob.p12)
kde | smime-opaque-enc+sign.mbox | failed:no-secret-key | none | - | S/MIME enveloped-data, given to gpgsm: this home has no key of its certificate, kept as it is (tests/smime-decrypt.sh decrypts the protected-headers ones with bob.p12)
kde | smime-opaque-sign.mbox | not-encrypted | unknown-key | - | S/MIME signed-data without its certificate (gpgsm: verify.findkey): the content shown, signer unknown
kde | smime-opaque-signed-encrypted-attachment.mbox | failed:no-secret-key | none | - | S/MIME enveloped-data, given to gpgsm: this home has no key of its certificate, kept as it is (tests/smime-decrypt.sh decrypts the protected-headers ones with bob.p12)
kde | smime-signed-apple.mbox | not-encrypted | bad:smimeapple | - | S/MIME multipart/signed whose signature does not verify over the part (openssl cms -verify agrees)
kde | smime-signed-charset.mbox | not-encrypted | unknown-key | - | S/MIME multipart/signed without the signer's certificate
kde | smime-signed-encrypted.mbox | failed:no-secret-key | none | - | S/MIME enveloped-data, given to gpgsm: this home has no key of its certificate, kept as it is (tests/smime-decrypt.sh decrypts the protected-headers ones with bob.p12)
kde | text+html-maillinglist.mbox | not-encrypted | none | - | plain
# ---- Thunderbird OpenPGP browser tests (RNP)
tb | alice-broken-exchange.eml | decrypted | none | - | Exchange form of PGP/MIME (Thunderbird's repair test): repaired
tb | alice-signed.eml | not-encrypted | good:alice | - | clear-signed whole body by alice, From alice
tb | alice-utf.eml | not-encrypted | good:alice | - | clear-signed UTF-8 whole body by alice, From alice
tb | bob-enc-html-nbsp.eml | not-encrypted | none | - | armored block inside text/html in mixed: not an inline text/plain root
tb | bob-enc-inline-nbsp-qp.eml | decrypted | none | - | QP inline block with an NBSP in its blank line: gpg decrypts it, the upstream test expects it decrypted
tb | bob-to-alice-signed-damaged-signature.eml | not-encrypted | bad | - | damaged signature packet (gpg: invalid packet): does not verify
tb | dual-signed-uncommon-content-type.eml | not-encrypted | bad:smimedual | - | S/MIME multipart/signed root whose signature does not verify (openssl cms -verify agrees); the OpenPGP signature is nested
tb | enc-to-carol@pgp.icu-revoked.eml | failed:no-secret-key | none | - | encrypted only to carol@pgp.icu keys
tb | encrypted-and-signed-alice-to-bob-nonascii.eml | decrypted | good:alice | =?UTF-8?B?UmU6IGtvZCBibMOl?= | signed, then encrypted to bob and alice; protected headers v1
tb | encrypted-to-alice-as-hidden-recipient.eml | decrypted | none | - | hidden recipient (wildcard key ID)
tb | eve-duplicate.eml | not-encrypted | none | - | plain, keys attached
tb | forwarded-eml-signed-by-alice.eml | not-encrypted | none | - | signed message forwarded as an attachment: not the root
tb | fwd-signed.eml | not-encrypted | none | - | signed message forwarded as an attachment: not the root
tb | fwd-unsigned-encrypted.eml | not-encrypted | none | - | encrypted message forwarded as an attachment: never decrypted
tb | inline-signed-latin1.eml | not-encrypted | unknown-key | - | clear-signed by 0E27928F241B4D20, not in the keyring
tb | inline-signed-utf8.eml | not-encrypted | unknown-key | - | clear-signed by 0E27928F241B4D20, not in the keyring
tb | inner-smime-sig-in-pgp-encrypted.eml | decrypted | none | - | decrypts to mixed holding an S/MIME multipart/signed: no OpenPGP signature over the root
tb | multiple-signatures.eml | not-encrypted | none | - | mailing-list digest of signed messages
tb | openpgp__stripped_sig.eml | not-encrypted | none | - | multipart/signed without its signature part: nothing to verify
tb | outer-pgp-sig-inner-pgp-enc-sig.eml | not-encrypted | bad:carol | - | multipart/signed around multipart/encrypted: not the root; signed over LF-only text, BADSIG over the RFC 3156 CRLF form
tb | outer-pgp-sig-inner-pgp-enc-with-mixed.eml | not-encrypted | bad:carol | - | encrypted part nested under the signature: not decrypted; BADSIG in every line-end form
tb | outer-pgp-sig-inner-pgp-enc.eml | not-encrypted | bad:carol | - | multipart/signed around multipart/encrypted: not the root; signed over LF-only text, BADSIG over the RFC 3156 CRLF form
tb | outer-smime-bad-sig-inner-pgp-enc-sig-with-mixed.eml | not-encrypted | bad:smimeouter | - | S/MIME signed root, its signature bad (as the name says); the encrypted part inside is not decrypted
tb | outer-smime-bad-sig-inner-pgp-enc-sig.eml | not-encrypted | bad:smimeouter | - | S/MIME signed root, its signature bad (as the name says); the encrypted part inside is not decrypted
tb | outer-smime-bad-sig-inner-pgp-enc.eml | not-encrypted | bad:smimeouter | - | S/MIME signed root, its signature bad (as the name says); the encrypted part inside is not decrypted
tb | partial-encrypt-for-alice-html.eml | not-encrypted | none | - | inline block in html parts of mixed
tb | partial-encrypt-for-alice-plaintext.eml | not-encrypted | none | - | clear text around the inline block
tb | partial-encrypt-for-carol-html.eml | not-encrypted | none | - | inline block in html parts of mixed
tb | partial-encrypt-for-carol-plaintext.eml | not-encrypted | none | - | clear text around the inline block
tb | signed-by-0x3099ff1238852b9f-encrypted-to-0xf231550c4f47e38e-with-key.eml | decrypted | good-untrusted:carol | Signed Encrypted With Key | signed by carol, whose key has no ownertrust here
tb | signed-by-0x3099ff1238852b9f-encrypted-to-0xf231550c4f47e38e.eml | decrypted | good-untrusted:carol | Signed Encrypted | signed by carol, whose key has no ownertrust here
tb | signed-by-0x3099ff1238852b9f-to-0xf231550c4f47e38e-unencrypted-with-key.eml | not-encrypted | good-untrusted:carol | - | signed by carol, whose key has no ownertrust here
tb | signed-by-0x3099ff1238852b9f-to-0xf231550c4f47e38e-unencrypted.eml | not-encrypted | good-untrusted:carol | - | signed by carol, whose key has no ownertrust here
tb | signed-by-0xfbfcc82a015e7330-encrypted-to-0xf231550c4f47e38e-multi-from.eml | decrypted | good:bob | Signed Encrypted | two outer From fields (eve, bob); the protected From (bob) replaces them
tb | signed-by-0xfbfcc82a015e7330-encrypted-to-0xf231550c4f47e38e-with-key.eml | decrypted | good:bob | Signed Encrypted With Key | signed by bob, then encrypted
tb | signed-by-0xfbfcc82a015e7330-encrypted-to-0xf231550c4f47e38e.eml | decrypted | good:bob | Signed Encrypted | signed by bob, then encrypted
tb | signed-by-0xfbfcc82a015e7330-to-0xf231550c4f47e38e-unencrypted-in-mixed.eml | not-encrypted | none | - | signed part nested in mixed: not the root
tb | signed-by-0xfbfcc82a015e7330-to-0xf231550c4f47e38e-unencrypted-with-key.eml | not-encrypted | good:bob | - | signed by bob, From bob
tb | signed-by-0xfbfcc82a015e7330-to-0xf231550c4f47e38e-unencrypted.eml | not-encrypted | good:bob | - | signed by bob, From bob
tb | signed-encrypted-autocrypt-gossip.eml | decrypted | good:bob | Compose Signed Encrypted Message | signed and encrypted in one OpenPGP message, From bob
tb | signed-inline-indented.eml | not-encrypted | good:alice | - | clear-signed text with indented lines
tb | signed-mismatch-email-date.eml | not-encrypted | good:bob | - | Date differs from the signature time: not part of the verdict
tb | signed-with-mailman-footer.eml | not-encrypted | none | - | mailman footer: the signed part is nested in mixed
tb | sigspoof-git-commit.eml | failed:bad-data/not-encrypted | none | - | multipart/encrypted holding a clear-signed git commit, nothing encrypted: neither decrypted nor signed
tb | unob-signed-by-0x3099ff1238852b9f-to-0xf231550c4f47e38e.eml | not-encrypted | none | - | unobtrusive-signature draft (Sig: field in a part): not RFC 3156
tb | unrelated-and-fake-keys-attached.eml | not-encrypted | none | - | plain, keys attached
tb | unsigned-encrypted-to-0xf231550c4f47e38e-from-0x3099ff1238852b9f-with-key.eml | decrypted | none | Unsigned Encrypted With Key | protected headers v1
tb | unsigned-encrypted-to-0xf231550c4f47e38e-from-0x3099ff1238852b9f.eml | decrypted | none | Unsigned Encrypted | protected headers v1
tb | unsigned-encrypted-to-0xf231550c4f47e38e-from-0xfbfcc82a015e7330-with-key.eml | decrypted | none | Unsigned Encrypted With Key | protected headers v1
tb | unsigned-encrypted-to-0xf231550c4f47e38e-from-0xfbfcc82a015e7330.eml | decrypted | none | Unsigned Encrypted | protected headers v1
tb | unsigned-unencrypted-0x3099ff1238852b9f-autocrypt.eml | not-encrypted | none | - | plain, Autocrypt header
tb | unsigned-unencrypted-from-bob-to-alice.eml | not-encrypted | none | - | plain
tb | unsigned-unencrypted-key-0x1f10171bfb881b1c-attached.eml | not-encrypted | none | - | plain, key attached
tbx | alice-partially-encrypted.eml | not-encrypted | none | - | clear text around the inline block
tbx | rc-openpgp-aead.eml | decrypted | none | - | OCB AEAD packet: integrity-protected (upstream ALLOW)
tbx | rc-openpgp-mdc-tampered.eml | failed:bad-data,integrity | none | - | tampered ciphertext, gpg stops in zlib before the MDC (upstream BLOCK): either reason refuses it
tbx | rc-openpgp-mdc.eml | decrypted | none | - | integrity-protected (upstream ALLOW)
tbx | rc-openpgp-mixed-subpart.eml | not-encrypted | none | - | valid PGP/MIME as the 2nd part of an attacker's mixed, EFAIL direct exfiltration (upstream BLOCK): never decrypted
tbx | rc-openpgp-nomdc.eml | failed:integrity | none | - | CAST5 without MDC: EFAIL refusal (upstream BLOCK)
tbx | rc-openpgp-sigwrap-nomdc.eml | not-encrypted | bad:bob | - | multipart/signed around a no-MDC multipart/encrypted: not the root, never decrypted; BADSIG over the RFC 3156 CRLF form
# ---- notmuch test corpora
nm | crypto/basic-encrypted.eml | decrypted | none | Here is the password | PGP/MIME
nm | crypto/encrypted-rfc822-attachment | decrypted | none | - | decrypts to mixed with a forwarded message
nm | crypto/encrypted-signed.eml | decrypted | good:notmuch | - | signed and encrypted in one OpenPGP message, From the test suite key
nm | crypto/simple-encrypted | failed:no-secret-key | none | - | encrypted to 3B7AA7F014E69B5A (upstream opens it only with a stored session key)
nm | mangling/mixed-up.eml | decrypted | none | - | Exchange form (upstream T351 mixed-up): repaired
nm | pkcs7/smime-onepart-signed.eml | not-encrypted | good-untrusted:smimealice | - | S/MIME signed-data by Alice's certificate, carried in it only: a valid signature, From one of the certificate's addresses (read on the verifying gpgsm), its CA not trusted in this home: good-untrusted, the content shown
nm | protected-headers/double-wrapped-with-phony-protected-header.eml | decrypted | none | Subject Unavailable | decrypts to another multipart/encrypted (to a key not here); the Subject on its data part is no protected header
nm | protected-headers/encrypted-message-with-forwarded-attachment.eml | decrypted | none | This is the cryptographic envelope subject | the protected Subject, not the forwarded message's
nm | protected-headers/encrypted-signed-not-masked.eml | decrypted | good:notmuch | Rhinoceros dinner | signed and encrypted, protected Subject equals the outer
nm | protected-headers/encrypted-signed.eml | decrypted | good:notmuch | Rhinoceros dinner | protected Subject replaces Subject Unavailable
nm | protected-headers/misplaced-protected-header.eml | decrypted | none | Subject Unavailable | protected-headers on a part inside alternative, not on the root: ignored
nm | protected-headers/nested-rfc822-message.eml | decrypted | none | Subject Unavailable | decrypts to message/rfc822 without protected-headers: ignored
nm | protected-headers/no-protected-header-attribute.eml | decrypted | none | Subject Unavailable | inner Subject without protected-headers: ignored
nm | protected-headers/phony-protected-header-bad-encryption.eml | failed:bad-data | none | Subject Unavailable | RFC 3156 structure, damaged OpenPGP data (gpg: no valid OpenPGP data)
nm | protected-headers/protected-header.eml | decrypted | none | This is a protected header | protected headers v1
nm | protected-headers/protected-with-legacy-display.eml | decrypted | good:notmuch | Interrupting Cow | protected headers v1 with a legacy display part
nm | protected-headers/signed-protected-header.eml | not-encrypted | good:notmuch | This is a signed message | signed, protected headers v1
nm | protected-headers/simple-signed-mail.eml | not-encrypted | good:notmuch | This is a signed message | signed
nm | protected-headers/smime-enc+legacy-disp.eml | failed:no-secret-key | none | - | S/MIME enveloped-data, given to gpgsm: this home has no key of its certificate, kept as it is (tests/smime-decrypt.sh decrypts the protected-headers ones with bob.p12)
nm | protected-headers/smime-multipart-signed.eml | not-encrypted | good-untrusted:smimealice | - | S/MIME multipart/signed by Alice's certificate, carried in it only: From one of its addresses, its CA not trusted in this home: good-untrusted
nm | protected-headers/smime-onepart-signed.eml | not-encrypted | good-untrusted:smimealice | - | S/MIME signed-data by Alice's certificate, carried in it only: a valid signature, From one of the certificate's addresses (read on the verifying gpgsm), its CA not trusted in this home: good-untrusted, the content shown
nm | protected-headers/smime-sign+enc+legacy-disp.eml | failed:no-secret-key | none | - | S/MIME enveloped-data, given to gpgsm: this home has no key of its certificate, kept as it is (tests/smime-decrypt.sh decrypts the protected-headers ones with bob.p12)
nm | protected-headers/smime-sign+enc.eml | failed:no-secret-key | none | - | S/MIME enveloped-data, given to gpgsm: this home has no key of its certificate, kept as it is (tests/smime-decrypt.sh decrypts the protected-headers ones with bob.p12)
nm | protected-headers/subjectless-protected-header.eml | decrypted | none | This is a protected header | no outer Subject; the protected one is added
nm | protected-headers/wrapped-protected-header.eml | not-encrypted | none | [mailing-list] Subject Unavailable | a list wrapped the encrypted message in mixed: not the root
# ---- GMime
gm | encrypted-message.txt | not-encrypted | none | - | armored block followed by an e-mail signature: text around it
gm | signed-message.txt | not-encrypted | none | - | clear-signed block followed by an e-mail signature: text around it
# ---- protected headers draft (draft-autocrypt-lamps-protected-headers vectors)
ph | pgpmime-enc+legacy-disp.eml | decrypted | none | =inner | encrypted, protected headers with legacy display
ph | pgpmime-layered+legacy-disp.eml | decrypted | good:alice | =inner | signed, then encrypted; legacy display
ph | pgpmime-layered.eml | decrypted | good:alice | =inner | signed, then encrypted
ph | pgpmime-sign+enc+legacy-disp.eml | decrypted | good:alice | =inner | signed and encrypted in one; legacy display
ph | pgpmime-sign+enc.eml | decrypted | good:alice | =inner | signed and encrypted in one
ph | pgpmime-signed.eml | not-encrypted | good:alice | The FooCorp contract | signed, protected headers equal the outer
ph | smime-enc+legacy-disp.eml | failed:no-secret-key | none | - | S/MIME enveloped-data, given to gpgsm: this home has no key of its certificate, kept as it is (tests/smime-decrypt.sh decrypts the protected-headers ones with bob.p12)
ph | smime-multipart-signed.eml | not-encrypted | good-untrusted:smimealice | - | S/MIME multipart/signed by Alice's certificate, carried in it only: From one of its addresses, its CA not trusted in this home: good-untrusted
ph | smime-onepart-signed.eml | not-encrypted | good-untrusted:smimealice | - | S/MIME signed-data by Alice's certificate, carried in it only: a valid signature, From one of the certificate's addresses (read on the verifying gpgsm), its CA not trusted in this home: good-untrusted, the content shown
ph | smime-sign+enc+legacy-disp.eml | failed:no-secret-key | none | - | S/MIME enveloped-data, given to gpgsm: this home has no key of its certificate, kept as it is (tests/smime-decrypt.sh decrypts the protected-headers ones with bob.p12)
ph | smime-sign+enc.eml | failed:no-secret-key | none | - | S/MIME enveloped-data, given to gpgsm: this home has no key of its certificate, kept as it is (tests/smime-decrypt.sh decrypts the protected-headers ones with bob.p12)
ph | unfortunately-complex.eml | decrypted | good:alice | =inner | signed, then encrypted, deeply nested
# ---- memoryhole (.desc files)
mh | A.eml | not-encrypted | good:winston | - | signed by winston, embedded text/rfc822-headers part
mh | B.eml | not-encrypted | none | - | unsigned
mh | C.eml | not-encrypted | good:winston | - | outer Subject changed in transit; the signature covers the body only (no protected-headers), so it verifies
mh | D.eml | decrypted | none | - | encrypted to julia and winston, unsigned
mh | E.eml | decrypted | good:winston | - | encrypted and signed by winston
mh | F.eml | not-encrypted | good:winston | - | signed, headers in the signed text/plain
mh | G.eml | not-encrypted | good:winston | - | signed, headers in the signed alternative
mh | H.eml | not-encrypted | mismatch:winston | - | outer From changed to eve; the signed From has no protected-headers, so the outer From counts
EOF

# the one decrypted message whose plaintext is itself PGP/MIME (to a key we
# lack): an armored block in its output is right
armor_inside="nm:protected-headers/double-wrapped-with-phony-protected-header.eml"

# ------------------------------------------------------------ helpers

trim() {
	_t=$1
	_t=${_t#"${_t%%[! ]*}"}
	_t=${_t%"${_t##*[! ]}"}
}

# run_one K HOME FILE - mailseal decrypt FILE into $T/r/K.{out,err,rc}
run_one() {
	"$MAILSEAL" decrypt --homedir "$2" "$3" >"$T/r/$1.out" 2>"$T/r/$1.err" \
	    </dev/null
	echo $? >"$T/r/$1.rc"
}

# check_rows - check every run row of $T/rows against mailseal's output,
# in one interpreter (a dozen tools a row cost more than mailseal itself);
# each row's failures go to $T/r/K.why, one a line, empty when it passed
check_rows() {
	"$PYTHON" - "$T/rows" "$T/r" "$C" "$armor_inside" <<'PY'
import re
import sys

rows, rdir, corpus, armor_inside = sys.argv[1:5]
BEGIN = b"-----BEGIN PGP MESSAGE-----"


def lines(data):
    return [l.rstrip(b"\r") for l in data.split(b"\n")]


def header(data, anywhere=False):
    """The unfolded fields of the top header (after a From_ line), or
    with anywhere: of every header-looking line in the file."""
    ls = lines(data)
    if ls and ls[0].startswith(b"From "):
        ls = ls[1:]
    fields = []
    for l in ls:
        if not l:
            if anywhere:
                continue
            break
        if l[:1] in (b" ", b"\t") and fields:
            fields[-1] += l
        else:
            fields.append(l)
    return fields


def subjects(data, anywhere=False):
    got = []
    for f in header(data, anywhere):
        name, sep, value = f.partition(b":")
        if sep and name.strip().lower() == b"subject":
            got.append(value.lstrip(b" \t").decode("utf-8", "replace"))
    return got[:1] if anywhere else got


def first_data_line(data):
    state = 0
    for l in lines(data):
        if state == 0 and l == BEGIN:
            state = 1
        elif state == 1 and not l:
            state = 2
        elif state == 2 and l.strip():
            return l
    return None


def unchanged(out, inp):
    ol = out.split(b"\n")
    if inp.startswith(b"From "):
        ol = ol[:1] + ol[3:]
    else:
        ol = ol[2:]
    return b"\n".join(ol) == inp


def value(field, name):
    m = re.search(r";\s*%s=([^;\s]*)" % name, field)
    return m.group(1) if m else ""


def check(k, sset, sdir, path, dec, sig, fpr, subj):
    why = []
    path_in = "%s/%s/%s" % (corpus, sdir, path)
    inp = open(path_in, "rb").read()
    out = open("%s/%s.out" % (rdir, k), "rb").read()
    rc = int(open("%s/%s.rc" % (rdir, k)).read())
    if dec == "reject":
        if rc != 65:
            why.append("exit %d, want 65" % rc)
        if out:
            why.append("wrote output for a non-message")
        return why
    if rc != 0:
        why.append("exit %d, want 0" % rc)
    ls = lines(out)
    if ls and ls[0].startswith(b"From "):
        ls = ls[1:]
    ls = [l.decode("utf-8", "replace") for l in ls[:2]] + ["", ""]
    dpre, spre = "X-Mailseal-Decryption: ", "X-Mailseal-Signature: "
    if not ls[0].startswith(dpre) or not ls[1].startswith(spre):
        return why + ["no verdict fields at the top"]
    dv, sv = ls[0][len(dpre):], ls[1][len(spre):]
    dt, st = dv.split(";")[0].strip(), sv.split(";")[0].strip()
    alts = dec.split("/")
    if not any(dt == a or (a.startswith("failed:") and dt == "failed" and
                           value(dv, "reason") in a[7:].split(","))
               for a in alts):
        why.append("decryption: got '%s', want %s" % (
            dv, " or ".join(a.replace(":", "; reason=") for a in alts)))
    if st != sig.split(":")[0]:
        why.append("signature: got '%s', want %s" % (sv, sig))
    if fpr != "-" and value(sv, "signer") != fpr:
        why.append("signer: got '%s', want %s" % (value(sv, "signer"), fpr))
    if dec == "decrypted":
        l = first_data_line(inp)
        if l and l in out:
            why.append("decrypted, but the root's ciphertext is still there")
        if out.count(BEGIN) and "%s:%s" % (sset, path) not in armor_inside.split():
            why.append("decrypted, but the output holds a PGP message")
    else:
        if out.count(BEGIN) != inp.count(BEGIN):
            why.append("%s, but the armored PGP messages changed (%d in, %d out)"
                       % (dec, inp.count(BEGIN), out.count(BEGIN)))
        if (dt == "failed" or sig == "none") and not unchanged(out, inp):
            why.append("%s, %s, but the output is not the input plus two "
                       "verdict fields" % (dec, sig))
    if subj != "-":
        if subj == "=inner":
            want = subjects(open(re.sub(r"\.eml$", ".inner", path_in), "rb").read(), True)
        else:
            want = [subj]
        got = subjects(out)
        if got != want:
            why.append("Subject: got %s, want %s" % (got, want))
    return why


for row in open(rows, encoding="utf-8"):
    k, st, sset, sdir, path, dec, sig, fpr, subj = row.rstrip("\n").split("|")[:9]
    if st != "run":
        continue
    try:
        why = check(k, sset, sdir, path, dec, sig, fpr, subj)
    except Exception as e:
        why = ["cannot check: %r" % e]
    with open("%s/%s.why" % (rdir, k), "w", encoding="utf-8") as w:
        w.writelines(l + "\n" for l in why)
PY
}

# phase 1: parse the table, make the key sets, and run mailseal on every
# row, JOBS at a time; phase 2: check the results in table order
JOBS=4
mkdir "$T/r"
: >"$T/rows"
k=0 n_rows=0
while IFS='|' read -r c_set c_path c_dec c_sig c_subj c_why; do
	trim "$c_set"
	c_set=$_t
	case $c_set in
	''|'#'*) continue ;;
	esac
	for v in c_path c_dec c_sig c_subj c_why; do
		eval "trim \"\$$v\""
		eval "$v=\$_t"
	done
	k=$((k + 1))
	n_rows=$k
	st=run
	if ! set_of "$c_set"; then
		st=badset
	elif [ ! -d "$C/$dir" ]; then
		st=noset
	elif [ ! -f "$C/$dir/$c_path" ]; then
		st=nofile
	elif make_home "$keyring"; then
		st=run
	elif [ $? -eq 2 ]; then
		st=nopreset
	else
		st=nokeys
	fi
	if [ "$st" = run ]; then
		run_one "$k" "$home" "$C/$dir/$c_path" &
		[ $((k % JOBS)) -eq 0 ] && wait
	fi
	case $c_sig in
	*:*) c_fpr=$(fpr_of "${c_sig#*:}") ;;
	*) c_fpr=- ;;
	esac
	printf '%s|%s|%s|%s|%s|%s|%s|%s|%s|%s\n' "$k" "$st" "$c_set" "$dir" \
	    "$c_path" "$c_dec" "$c_sig" "$c_fpr" "$c_subj" "$c_why" >>"$T/rows"
done <"$T/table"
wait
check_rows

skipped_sets=" "
while IFS='|' read -r k st c_set dir c_path c_dec c_sig c_fpr c_subj c_why; do
	desc="$dir/$c_path: $c_dec, $c_sig ($c_why)"
	case $st in
	badset)
		not_ok "table row with an unknown set: $c_set $c_path"
		continue
		;;
	noset|nopreset)
		case $skipped_sets in
		*" $c_set "*) ;;
		*)
			skipped_sets="$skipped_sets$c_set "
			if [ "$st" = noset ]; then
				skip "every message of $dir" "not in this corpus"
			else
				skip "every message of $dir" "no $PRESET"
			fi
			;;
		esac
		continue
		;;
	nofile)
		not_ok "$desc: no such file (table out of date?)"
		continue
		;;
	nokeys)
		not_ok "$desc: cannot set up the keys of $c_set"
		continue
		;;
	esac
	if [ ! -f "$T/r/$k.why" ] || [ -s "$T/r/$k.why" ]; then
		{
			cat "$T/r/$k.why" 2>/dev/null
			echo "output starts:"
			head -n 3 "$T/r/$k.out" | cut -c 1-160
		} >"$T/diag"
		not_ok "$desc" "$T/diag" "$T/r/$k.err"
	else
		ok "$desc"
	fi
done <"$T/rows"

diag "corpus: $n_rows table rows"
done_testing
