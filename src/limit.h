/*
 * limit.h - every limit mailseal puts on untrusted input, in one place.
 *
 * Each limit has a test (tests/test_limits.c and tests/encrypt-errors.sh)
 * that feeds input just under and just over it.  Raising one is a design
 * decision: several of them keep libetpan 1.9.4 away from input that is
 * known to crash it or to cost it quadratic time (FACTS.md).
 */
#ifndef MAILSEAL_LIMIT_H
#define MAILSEAL_LIMIT_H

/* One physical header line, end of line included.  RFC 5322 2.1.1 says
 * 998; real mail breaks that, so we are generous but bounded. */
#define LIMIT_HEADER_LINE	65536

/* One header field, all its folded lines together. */
#define LIMIT_HEADER_FIELD	262144

/* The whole header block. */
#define LIMIT_HEADER_BLOCK	1048576

/* Number of header fields. */
#define LIMIT_HEADER_FIELDS	2000

/* Nesting of RFC 5322 comments in an address field.  libetpan parses
 * comments recursively and overflows the stack near a million levels. */
#define LIMIT_COMMENT_DEPTH	32

/* Length of one addr-spec (64 local + 255 domain, with room). */
#define LIMIT_ADDR_SPEC		512

/* Recipients of one message (addresses, before de-duplication). */
#define LIMIT_RECIPIENTS	1000

/* Entries of a policy_map file (mailseal.conf(5)); it is read for
 * every message, and a postmaster's list is far shorter. */
#define LIMIT_POLICY_ENTRIES	100000

/* Characters of mailseal.conf's recipient_delimiter (a set; Postfix
 * allows any number, but a longer set is a typo). */
#define LIMIT_DELIMITERS	32

/* Marker fields of this gateway a message may already carry when it
 * comes back to the filter: more is a mail loop (exit 75). */
#define LIMIT_GATEWAY_PASSES	5

/* Bytes of gateway_id (mailseal.conf(5)): the marker field carries it
 * into every copy, inside the room the gateway keeps in a header for
 * its fields (gateway.c); a host name has at most 253. */
#define LIMIT_GATEWAY_ID	255

/* Bytes of the MTA's queue ID (filter -q) that the marker field of each
 * copy carries; a longer one (or one with other characters than
 * letters, digits, '.', '_' and '-') is named in the log line only.
 * Postfix's long queue IDs have 15 to 17, Exim's message IDs 16 to 23. */
#define LIMIT_QUEUE_ID		64

/* Bytes of a signing key's passphrase in a passphrase file (its one
 * line, without the line end): gpg-agent takes no longer passphrase
 * (MAX_PASSPHRASE_LEN in agent/call-pinentry.c). */
#define LIMIT_PASSPHRASE	255

/* Keys returned by one key listing (protects against a pattern that
 * matches a whole keyring of thousands of keys). */
#define LIMIT_KEYS		10000

/* Bits of the RSA or Elgamal encryption subkey a key must have to be
 * encrypted to.  gpg 2.2 lists smaller ones as able to encrypt and
 * aborts ("can't encode a 256 bit key in a 300 bits frame") when the
 * session key does not fit; none that small protects anything. */
#define LIMIT_ENC_KEY_BITS	512

/* WKD lookups (gpg processes) of one message run at once: a message's
 * lookups take about ceil(n / LIMIT_WKD_PARALLEL) times wkd_timeout at
 * most, not n times. */
#define LIMIT_WKD_PARALLEL	16

/* Bytes of plaintext one decryption may produce (compression bombs):
 * beyond it the message is "failed; reason=too-large" and keeps its
 * ciphertext. */
#define LIMIT_DECRYPTED		268435456

/* Bytes of CMS data (an S/MIME root's base64 body, decoded) decrypt
 * hands to gpgsm, counted before gpgsm runs: CMS does not compress, so
 * no more plaintext can come of it than LIMIT_DECRYPTED.  More:
 * enveloped data is "failed; reason=too-large", signed data "bad". */
#define LIMIT_CMS		LIMIT_DECRYPTED

/* Bytes of a multipart/signed signature part (a signature is a few
 * hundred bytes; the part is copied aside to be read on its own).  A
 * longer one makes the signature verdict "bad". */
#define LIMIT_SIGNATURE		1048576

/* Signatures over one message that decrypt checks (each costs a key
 * listing); more make the signature verdict "bad".  gpg itself is
 * stopped at the one after (gpgsup.c counts its NEWSIG lines): inside
 * ciphertext that is "failed; reason=too-many-signatures". */
#define LIMIT_SIGNATURES	16

/* Certificates one S/MIME signature may carry (cmsscan.c): a mailer
 * sends the signer's and its chain, a handful.  gpgsm stores and looks
 * up each, in time that grows faster than their number (20000 kept it
 * past LIMIT_GPGSM_SECONDS: a 75 at every retry).  More: the signature
 * is bad, and gpgsm does not see it. */
#define LIMIT_CMS_CERTS		64

/* Anonymous recipients ("hidden recipients", key ID 0: RFC 9580 5.1)
 * in one encrypted message that decrypt hands to gpg without counting
 * its secret keys.  gpg tries every secret key on each of them (about
 * 2 ms per key and packet: 23 ms with 12 keys), so a megabyte of them
 * costs minutes per delivery attempt.  A sender hides Bcc recipients
 * (and a gateway the envelope recipients not in To or Cc) this way, one
 * packet each: past 8, decrypt lists the secret keys and allows
 * LIMIT_ANON_TRIES trials in all. */
#define LIMIT_ANON_KEYS		8

/* Trials gpg may make on anonymous recipients: their number times the
 * keys with a secret part (about 6 ms each here, so about 6 s at most).
 * More make the decryption "failed; reason=too-many-recipients". */
#define LIMIT_ANON_TRIES	1024

/* Session key packets (one per recipient) in one encrypted message
 * that decrypt hands to gpg: twice LIMIT_RECIPIENTS, so a message
 * mailseal encrypted to its most recipients (and encrypt-to keys) still
 * decrypts.  More: "failed; reason=too-many-recipients". */
#define LIMIT_SESSION_KEYS	2000

/* CPU seconds one gpg that decrypts or verifies may use (gpgsup.c);
 * decrypting LIMIT_DECRYPTED bytes takes a few.  More: the message
 * gets a verdict ("failed; reason=too-costly", or a "bad" signature),
 * never 75: CPU time is the message's doing, not the machine's load. */
#define LIMIT_GPG_CPU		120

/* Wall-clock seconds one gpgsm run (one CMS operation: a listing with
 * its CRL checks, an encryption, a decryption...) may take before the
 * supervisor kills it and the operation is a retry (75): dirmngr
 * fetching a CRL from a server that does not answer must not hold a
 * message for LIMIT_SECONDS.  gpg_deadline() may change it. */
#define LIMIT_GPGSM_SECONDS	120

/* Seconds a long-lived process (smtpd) keeps its certificate listing
 * (keycache_new_cms) when no watched file changed and no certificate
 * expired: a revocation that reaches dirmngr by itself (a CRL fetched
 * or due for its next update) is seen within this time. */
#define LIMIT_CERTCACHE_SECONDS	300

/* Seconds one message may take before mailseal gives up with 75
 * (--timeout).  GPGME 1.18 can wait forever on a gpg that died while
 * being fed; 100 MB take about 2 s, so this only ends real hangs. */
#define LIMIT_SECONDS		900

/* Bytes of gpg's status lines the gpg supervisor (gpgsup.c) holds back
 * until gpg has ended, so that its exit line comes first: GPGME stops
 * reading at some lines.  Beyond it the lines go on as they come, and
 * a GPGME that stopped early then means a retry (75), not a verdict.
 * A key listing or a message of a few MB writes a few KB. */
#define LIMIT_GPG_STATUS	16777216

/* Bytes of gpg's diagnostics (GPGME_AUDITLOG_DIAG) gpg.c reads after a
 * WKD lookup to learn why it found nothing ("via WKD: No data").  One
 * lookup writes a few lines; a reason not within them is no answer: a
 * retry (75), never "no key". */
#define LIMIT_GPG_DIAG		16384

/* Length of a MIME boundary (RFC 2046 5.1.1 says 70). */
#define LIMIT_BOUNDARY		70

/* Days `mailseal keys --expiring DAYS` looks ahead: a hundred years,
 * beyond any key's expiry that matters. */
#define LIMIT_EXPIRING_DAYS	36500

/* Blobs of a keybox (pubring.kbx) gpghome_keyring_empty() reads to
 * find an OpenPGP key, five bytes each, for every message: a keybox
 * holds a header and its keys, and gpg compacts away deleted blobs.
 * Past them it is in doubt and says "not empty" (no warning). */
#define LIMIT_KBX_BLOBS		1024

/* One key listing pattern (an address or fingerprint and a prefix). */
#define LIMIT_PAT		(LIMIT_ADDR_SPEC + 2)

/* --- mailseal smtpd (smtpio.c, smtpd.c, smtpc.c, serve.c) --- */

/* Bytes of one SMTP command line, CRLF included.  RFC 5321 4.5.3.1.4
 * says 512; SMTPUTF8 addresses, MAIL parameters and XFORWARD's
 * attributes (Postfix sends up to about 600 bytes) need more; Postfix's
 * own line_length_limit is 2048.  A longer line: 500 5.5.2. */
#define LIMIT_SMTP_LINE		2048

/* Bytes of one reply line the re-injection server may send, and lines
 * of one multi-line reply (EHLO's); beyond them the hop is broken: 451. */
#define LIMIT_SMTP_REPLY_LINE	2048
#define LIMIT_SMTP_REPLY_LINES	100

/* Errors (5xx/4xx replies to bad commands) one connection may earn
 * before it is closed with 421 4.7.0 (Postfix's smtpd_hard_error_limit
 * is 20). */
#define LIMIT_SMTP_ERRORS	20

/* Commands that move no mail (NOOP, RSET, HELO/EHLO, VRFY, unknown)
 * one connection may send in a row before 421 4.7.0: a client that
 * only talks holds a worker (Postfix's smtpd_junk_command_limit: 100). */
#define LIMIT_SMTP_JUNK		100

/* Transactions (MAIL FROM) on one connection before 421 4.7.0 closes
 * it, so one client cannot keep a worker for ever; Postfix's smtp(8)
 * client reuses a connection for far fewer (smtp_connection_reuse_count
 * 100, and 300 s). */
#define LIMIT_SMTP_TRANSACTIONS	1000

/* RCPT commands one transaction may send beyond LIMIT_RECIPIENTS (each
 * answered 452 4.5.3, or refused by policy) before every further one
 * counts as an error (Postfix's smtpd_recipient_overshoot_limit): a
 * client cannot keep a worker busy with recipients it never gets. */
#define LIMIT_SMTP_RCPT_OVERSHOOT	1000

/* Bytes per second a client must keep up while it sends DATA, after
 * the first smtpd_timeout seconds (each byte received extends the
 * deadline by 1/LIMIT_SMTP_MIN_RATE s, as Postfix's smtpd_min_data_rate
 * does); a slower client gets 421 4.4.2 and the message is not taken. */
#define LIMIT_SMTP_MIN_RATE	500

/* Seconds from its connect during which a connection may send commands
 * (smtpd_conf.session; 0 means this): the command after them, or a
 * wait for one that reaches them, gets 421 4.7.0.  A message whose DATA
 * began in time is finished under LIMIT_SMTP_MIN_RATE and answered
 * first.  Without it, the per-command timeout times the counted limits
 * (LIMIT_SMTP_TRANSACTIONS transactions of LIMIT_RECIPIENTS +
 * LIMIT_SMTP_RCPT_OVERSHOOT RCPTs, each just within smtpd_timeout) let a
 * slow client keep a worker for some 19 years.  Postfix's smtp(8)
 * starts no transaction on a connection older than
 * smtp_connection_reuse_time_limit (300 s) and its before-queue proxy
 * opens one per transaction, so only a client that drags on purpose
 * meets it (and a 421 is a retry). */
#define LIMIT_SMTP_SESSION	3600

/* Attributes XFORWARD may carry, in bytes each (Postfix's are a name,
 * an address, a HELO name, a queue ID: far shorter). */
#define LIMIT_XFORWARD_ATTR	255

/* Workers smtpd may be told to run (smtpd_workers); each serves one
 * connection at a time. */
#define LIMIT_SMTPD_WORKERS	1000

/* Bytes of one message smtpd may be told to accept
 * (message_size_limit; the default is 100 MiB): its spool and copies
 * take about three times this on disk while it is processed. */
#define LIMIT_SMTPD_MESSAGE	4294967296ULL

/* Autocrypt (autocrypt.c, autocrypt_key.c).  Bytes of one key's
 * keydata, decoded: the most we send and the most we read from an
 * Autocrypt or Autocrypt-Gossip field.  A minimal key (one user ID, one
 * encryption subkey) is some 350 bytes for Ed25519/Cv25519 and 2.3 KB
 * for RSA 4096; 16 KiB leaves room for several subkeys while the field
 * (4/3 of it in base64, about 22 KB) stays far under
 * LIMIT_HEADER_FIELD.  A larger key is not sent, and not learned. */
#define LIMIT_AUTOCRYPT_KEYDATA	16384

/* Bytes of gpg's minimal export of our signing key before autocrypt_key.c
 * keeps one user ID of it: every user ID with its newest self-signature
 * and every subkey; a key with hundreds of user IDs is not sent. */
#define LIMIT_AUTOCRYPT_EXPORT	1048576

/* Encryption subkeys one Autocrypt key may carry (autocrypt_key.c); more
 * are left out. */
#define LIMIT_AUTOCRYPT_SUBKEYS	16

/* Peers an Autocrypt state file may hold (autocrypt_state.c), each a
 * line of at most LIMIT_ADDR_SPEC + 127 bytes; a file with more is
 * not read (nothing is learned, nothing used) and a new peer past it
 * is not learned.  Every learning reads and writes the whole file:
 * 10000 lines are about 1 MB. */
#define LIMIT_AUTOCRYPT_PEERS	10000

/* Autocrypt-Gossip fields one message may teach from
 * (autocrypt_learn.c): each costs a key import and a listing (two gpg
 * runs) and a look through To and Cc; the header could hold thousands
 * (LIMIT_HEADER_FIELDS), half a minute of gpg for one message, and a
 * few messages would fill LIMIT_AUTOCRYPT_PEERS.  Later ones are left
 * out (logged once). */
#define LIMIT_AUTOCRYPT_GOSSIP	100

/* Nesting of indefinite-length BER elements smime.c's walk follows
 * (smime_ber_feed): in gpgsm's output (EnvelopedData nests 5 deep), and
 * in an S/MIME root that encrypt and sign would pass on as already
 * encrypted or signed (smime_body_whole).  Deeper is not whole: gpgsm's
 * output is refused (75), a root is encrypted or signed (again). */
#define LIMIT_SMIME_BER_DEPTH	32

#endif
