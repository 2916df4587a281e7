#!/usr/bin/env python3
"""check_pgpmime.py - independent checks of mailseal encrypt's output.

  check_pgpmime.py structure OUT.eml ORIG.eml [--save PREFIX]
      OUT is an RFC 3156 PGP/MIME message made from ORIG: checked with
      Python's email module (compat32, parsing bytes) and a byte-level
      header reader of its own.  Exit 0, or 1 with a one-line reason.
      With --save, also write PREFIX.inner and PREFIX.asc (as "inner"
      and "armor" print them; .asc is empty when OUT has no armor):
      one interpreter start instead of three.
  check_pgpmime.py armor OUT.eml
      print the armored OpenPGP message of OUT's second part.
  check_pgpmime.py inner ORIG.eml
      print the entity mailseal must encrypt for ORIG: its Content-*
      fields (exact bytes), CRLF, its body; every bare LF made CRLF.
      With header protection (the default), the header is the
      protected one: see protected_head().
  check_pgpmime.py batch
      "structure --save" for many messages in one run: reads lines of
      OUT<TAB>ORIG<TAB>PREFIX on standard input and prints, for each,
      "ok" or "not ok: REASON" on a line of its own.
  check_pgpmime.py eol FILE
      print "crlf", "lf", "mixed" or "none": the line ends FILE uses.
  check_pgpmime.py header FILE
      print the header fields of FILE, one a line: NAME<TAB>repr(bytes).

CHECK_PGPMIME_PROTECT=0 in the environment: the output was made with
header protection off (--no-protect-headers, protect_headers = no).

The header reader follows the rules of the contract: an optional mbox
"From " first line; fields are NAME [WSP] ":" with continuation lines
starting with WSP; the block ends at an empty line, at a line that is
not a field (the body starts there), or at the end of the input.
"""

import email
import email.policy
import os
import re
import sys

BEGIN = b"-----BEGIN PGP MESSAGE-----"
END = b"-----END PGP MESSAGE-----"
BOUNDARY_RE = re.compile(rb'boundary="(mailseal=_[0-9A-Za-z]{32})"', re.I)


class Fail(Exception):
    pass


def lines_of(data):
    """Split bytes into lines, each keeping its LF (the last may lack one)."""
    out, start = [], 0
    while start < len(data):
        nl = data.find(b"\n", start)
        if nl < 0:
            out.append(data[start:])
            break
        out.append(data[start:nl + 1])
        start = nl + 1
    return out


def field_name(line):
    """The field name of a header line, or None when it is not a field."""
    i = 0
    while i < len(line) and line[i] != 0x3A and 33 <= line[i] <= 126:
        i += 1
    if i == 0:
        return None
    j = i
    while j < len(line) and line[j] in (0x20, 0x09):
        j += 1
    if j == len(line) or line[j] != 0x3A:
        return None
    return line[:i].decode("ascii")


class Header:
    """fromline (bytes or None), fields [(name, raw bytes)], body (bytes)."""

    def __init__(self, data):
        self.fromline = None
        self.fields = []
        self.body = b""
        self.separator = False
        pos = 0
        first = True
        for line in lines_of(data):
            if first and self.fromline is None and not self.fields \
                    and line.startswith(b"From "):
                self.fromline = line
                pos += len(line)
                continue
            if line[:1] in (b" ", b"\t") and self.fields:
                name, raw = self.fields[-1]
                self.fields[-1] = (name, raw + line)
                pos += len(line)
                continue
            if line in (b"\n", b"\r\n") and not first:
                self.separator = True
                pos += len(line)
                break
            name = field_name(line)
            if name is None:
                if first:
                    raise Fail("input has no header block")
                break
            self.fields.append((name, line))
            first = False
            pos += len(line)
        else:
            pos = len(data)
        if first:
            raise Fail("input has no header field")
        self.body = data[pos:]

    def named(self, name):
        return [raw for n, raw in self.fields if n.lower() == name.lower()]


def is_content(name):
    return name.lower().startswith("content-")


def is_outer(name):
    """stays outside: not Content-*, Bcc, Resent-Bcc or decrypt's verdicts"""
    return not is_content(name) and name.lower() not in (
        "bcc", "resent-bcc", "x-mailseal-decryption", "x-mailseal-signature")


def canon(data):
    """Every LF not preceded by CR becomes CRLF; nothing else changes."""
    return re.sub(rb"(?<!\r)\n", b"\r\n", data)


PROTECT = os.environ.get("CHECK_PGPMIME_PROTECT", "1") != "0"
OUTER_SUBJECT = b"Subject: [...]"
# the fields whose text reads [...] outside: the Subject, and Outlook's
# copy of it
HIDDEN = {"subject": OUTER_SUBJECT, "thread-topic": b"Thread-Topic: [...]"}
OUR_PARAMS = b'hp="cipher"; protected-headers="v1"'
# what the protected header leaves out: structure (but MIME-Version, the
# author's, goes in), Bcc, trace and transport fields, mailseal's own
# (the rule of src/protect.c, written again here from its description,
# not from its code)
NOT_INSIDE = ("bcc", "received", "return-path",
              "dkim-signature", "authentication-results", "received-spf",
              "delivered-to", "x-original-to", "hp-outer")
NOT_INSIDE_PREFIX = ("content-", "resent-", "arc-", "x-mailseal-")
CFWS = rb"(?:[ \t\r\n]|\((?:[^()\\]|\\.)*\))*"


def inside(name):
    n = name.lower()
    return n not in NOT_INSIDE and not n.startswith(NOT_INSIDE_PREFIX)


def with_eol(raw, style=b"\r\n"):
    return raw if raw.endswith(b"\n") else raw + style


def split_params(value):
    """value split at each ';' outside quoted strings and comments"""
    parts, cur, quoted, depth, i = [], b"", False, 0, 0
    while i < len(value):
        c = value[i:i + 1]
        if (quoted or depth) and c == b"\\":
            cur += value[i:i + 2]
            i += 2
            continue
        if not depth and c == b'"':
            quoted = not quoted
        elif not quoted and c == b"(":
            depth += 1
        elif not quoted and depth and c == b")":
            depth -= 1
        elif not quoted and not depth and c == b";":
            parts.append(cur)
            cur = b""
            i += 1
            continue
        cur += c
        i += 1
    return parts + [cur]


def closers(value):
    """what closes the quoted pair, quoted string or comments value
    leaves open (b"" when none is)"""
    quoted, depth, i, out = False, 0, 0, b""
    while i < len(value):
        c = value[i:i + 1]
        if (quoted or depth) and c == b"\\":
            if i + 1 == len(value):
                out = b"\\"
            i += 2
            continue
        if not depth and c == b'"':
            quoted = not quoted
        elif not quoted and c == b"(":
            depth += 1
        elif not quoted and depth and c == b")":
            depth -= 1
        i += 1
    return out + (b'"' if quoted else b"") + b")" * depth


def blank(value):
    """nothing but white space and comments (nested, or left open)"""
    depth, i = 0, 0
    while i < len(value):
        c = value[i:i + 1]
        if depth and c == b"\\":
            i += 1
        elif c == b"(":
            depth += 1
        elif depth and c == b")":
            depth -= 1
        elif not depth and c not in (b" ", b"\t", b"\r", b"\n"):
            return False
        i += 1
    return True


def plain_name(raw):
    """the field with no white space between its name and its colon"""
    colon = raw.index(b":")
    return raw[:colon].rstrip(b" \t") + raw[colon:]


def marked_ctype(raw, params):
    """a Content-Type field without hp= and protected-headers= (and
    without empty parameters), params added on a line of their own"""
    raw = plain_name(raw)
    colon = raw.index(b":")
    value = raw[colon + 1:].rstrip(b" \t\r\n")
    parts = split_params(value)
    # no type at all (white space, comments): RFC 2045's default
    keep = [b" text/plain" if blank(parts[0]) else parts[0]]
    for p in parts[1:]:
        m = re.match(CFWS + rb"([^=* \t(\r\n]*)", p, re.S)
        if m.group(1).lower() in (b"hp", b"protected-headers"):
            continue
        if not m.group(1) and m.end() == len(p):
            continue
        keep.append(p)
    close = b"" if len(parts) == 1 and blank(value) else closers(value)
    return raw[:colon + 1] + b";".join(keep) + close + \
        b";\r\n\t" + params + b"\r\n"


def unmarked_ctype(raw):
    """without a protected header, the Content-Type less any hp= and
    protected-headers= parameter (as it came when it has neither)"""
    value = raw[raw.index(b":") + 1:].rstrip(b" \t\r\n")
    parts = split_params(value)
    keep, ours = [b" text/plain" if blank(parts[0]) else parts[0]], False
    for p in parts[1:]:
        m = re.match(CFWS + rb"([^=* \t(\r\n]*)", p, re.S)
        if m.group(1).lower() in (b"hp", b"protected-headers"):
            ours = True
        elif m.group(1) or m.end() < len(p):
            keep.append(p)
    if not ours:
        return raw
    return raw[:raw.index(b":")].rstrip(b" \t") + b":" + \
        b";".join(keep) + b"\r\n"


# How much goes inside: the first of these levels whose header reads
# within mailseal's header limits (line, field, block, count); none:
# no header protection at all.
LEVELS = ("all", "fields", "shown", "subject")
SHOWN = ("subject", "from", "to", "cc", "reply-to", "date", "message-id",
         "thread-topic")
LIMITS = {"line": 65536, "field": 262144, "block": 1048576, "fields": 2000}


def takes(name, level):
    n = name.lower()
    if is_content(name):
        return True
    if level in ("all", "fields"):
        return inside(name)
    return n in SHOWN if level == "shown" else n in HIDDEN


def protected_head(h, level):
    """the header of the inner entity at a level: Content-* (Content-Type
    marked, or one added), the fields of the level, then (level "all")
    an HP-Outer field for each field inside; no empty line"""
    params = OUR_PARAMS if level in ("all", "fields") \
        else b'protected-headers="v1"'
    out = b""
    if not h.named("content-type"):
        out += b"Content-Type: text/plain; charset=us-ascii; " + params + \
            b"\r\n"
    for name, raw in h.fields:
        if name.lower() == "content-type":
            out += canon(marked_ctype(raw, params))
        elif takes(name, level):
            out += canon(with_eol(plain_name(raw)))
    for name, raw in h.fields:
        # no HP-Outer for MIME-Version: the outer one is the
        # multipart/encrypted's, whatever the author wrote
        if level == "all" and inside(name) and \
                name.lower() != "mime-version":
            out += b"HP-Outer: " + (HIDDEN[name.lower()] + b"\r\n"
                                    if name.lower() in HIDDEN
                                    else canon(with_eol(plain_name(raw))))
    return out


def fits(head):
    if len(head) > LIMITS["block"]:
        return False
    field = nfields = 0
    for ln in lines_of(head):
        if ln[:1] in (b" ", b"\t"):
            field += len(ln)
        else:
            field = len(ln)
            nfields += 1
        if len(ln) > LIMITS["line"] or field > LIMITS["field"] or \
                nfields > LIMITS["fields"]:
            return False
    return True


def protected(h):
    """the protected header mailseal writes for header h, or None"""
    for level in LEVELS:
        head = protected_head(h, level)
        if fits(head):
            return head
    return None


def inner(orig):
    h = Header(orig)
    head = protected(h) if PROTECT else None
    if head is not None:
        return head + b"\r\n" + canon(h.body)
    out = b""
    for name, raw in h.fields:
        if is_content(name):
            if name.lower() == "content-type":
                raw = unmarked_ctype(raw)
            raw = canon(raw)
            if not raw.endswith(b"\n"):
                raw += b"\r\n"
            out += raw
    return out + b"\r\n" + canon(h.body)


def eol(data):
    crlf = data.count(b"\r\n")
    lf = data.count(b"\n") - crlf
    if crlf and lf:
        return "mixed"
    return "crlf" if crlf else ("lf" if lf else "none")


def armor_block(out):
    msg = email.message_from_bytes(out, policy=email.policy.compat32)
    if not msg.is_multipart():
        # see structure(): an obsolete field name hides the MIME fields
        h = Header(out)
        mime = b"".join(raw for n, raw in h.fields
                        if n.lower() in ("mime-version", "content-type"))
        msg = email.message_from_bytes(mime + b"\n" + h.body,
                                       policy=email.policy.compat32)
    if not msg.is_multipart():
        raise Fail("output is not multipart")
    parts = msg.get_payload()
    if len(parts) != 2:
        raise Fail("output has %d parts, not 2" % len(parts))
    payload = parts[1].get_payload(decode=True)
    if payload is None:
        raise Fail("second part has no payload")
    body = payload.strip()
    if not body.startswith(BEGIN):
        raise Fail("second part does not start with " + BEGIN.decode())
    if not body.endswith(END):
        raise Fail("second part does not end with " + END.decode())
    if body.count(BEGIN) != 1 or body.count(END) != 1:
        raise Fail("second part holds more than one armored block")
    return body + b"\n"


def structure(out, orig):
    oh = Header(orig)
    h = Header(out)
    # the mbox From_ line stays first, exact
    if oh.fromline != h.fromline:
        raise Fail("From_ line changed: %r -> %r" % (oh.fromline, h.fromline))
    if oh.fromline is not None and not out.startswith(oh.fromline):
        raise Fail("From_ line is not first")
    if not h.separator:
        raise Fail("output header does not end with an empty line")
    # outer header: the original fields, exact and in order, then ours
    want = [(n, raw) for n, raw in oh.fields if is_outer(n)]
    style = b"\r\n" if (oh.fields and oh.fields[0][1].endswith(b"\r\n")) \
        else b"\n"
    if PROTECT and protected(oh) is not None:
        want = [(n, HIDDEN[n.lower()] + style if n.lower() in HIDDEN
                 else raw) for n, raw in want]
    got = h.fields
    for i, (n, raw) in enumerate(want):
        if i >= len(got):
            raise Fail("output header lacks original field %s" % n)
        if not raw.endswith(b"\n"):
            raw += style
        if got[i][1] != raw:
            raise Fail("original field %s changed or moved: %r -> %r"
                       % (n, raw[:80], got[i][1][:80]))
    added = got[len(want):]
    names = [n.lower() for n, _ in added]
    had_mv = any(n.lower() == "mime-version" for n, _ in want)
    if names != (["content-type"] if had_mv
                 else ["mime-version", "content-type"]):
        raise Fail("fields after the original ones: %r" % names)
    if not had_mv and added[0][1] != b"MIME-Version: 1.0" + style:
        raise Fail("added MIME-Version is %r" % added[0][1])
    for n, raw in added:
        for ln in lines_of(raw):
            if not ln.endswith(style) or (style == b"\n"
                                          and ln.endswith(b"\r\n")):
                raise Fail("added field %s does not end lines with %r"
                           % (n, style))
    if h.named("bcc") or h.named("resent-bcc"):
        raise Fail("output still has a Bcc field")
    ctraw = h.named("content-type")
    if len(ctraw) != 1:
        raise Fail("output has %d Content-Type fields" % len(ctraw))
    m = BOUNDARY_RE.search(ctraw[0])
    if not m:
        raise Fail("boundary is not a quoted mailseal=_<32 alnum>: %r"
                   % ctraw[0])
    boundary = m.group(1).decode()
    # one MIME-Version, or as many as the original had (all kept)
    if len(h.named("mime-version")) != max(1, len(oh.named("mime-version"))):
        raise Fail("output has %d MIME-Version fields"
                   % len(h.named("mime-version")))
    # the MIME structure, as a reader's email library sees it.  Python's
    # parser stops the header at an obsolete "Name :" field (RFC 5322
    # 4.5.3 allows it, and mailseal copies it as it is), so when it does
    # not see every field we read, it is given the MIME fields alone.
    msg = email.message_from_bytes(out, policy=email.policy.compat32)
    if len(msg.keys()) != len(h.fields):
        mime = b"".join(raw for n, raw in h.fields
                        if n.lower() in ("mime-version", "content-type"))
        msg = email.message_from_bytes(mime + style + h.body,
                                       policy=email.policy.compat32)
    if msg.get_content_type() != "multipart/encrypted":
        raise Fail("top type is %s" % msg.get_content_type())
    if (msg.get_param("protocol") or "").lower() != \
            "application/pgp-encrypted":
        raise Fail("protocol is %r" % msg.get_param("protocol"))
    if msg.get_boundary() != boundary:
        raise Fail("email module sees boundary %r" % msg.get_boundary())
    if msg.defects:
        raise Fail("email module defects: %r" % msg.defects)
    parts = msg.get_payload()
    if not isinstance(parts, list) or len(parts) != 2:
        raise Fail("multipart/encrypted must have exactly 2 parts")
    p1, p2 = parts
    if p1.get_content_type() != "application/pgp-encrypted":
        raise Fail("part 1 is %s" % p1.get_content_type())
    v = p1.get_payload(decode=True) or b""
    if not re.search(rb"^Version: 1\r?$", v, re.M):
        raise Fail("part 1 lacks 'Version: 1': %r" % v[:80])
    if p2.get_content_type() != "application/octet-stream":
        raise Fail("part 2 is %s" % p2.get_content_type())
    armor_block(out)
    # the closing boundary is the last line
    last = out.rstrip(b"\r\n").rsplit(b"\n", 1)[-1].rstrip(b"\r")
    if last != b"--" + m.group(1) + b"--":
        raise Fail("output does not end with the closing boundary: %r"
                   % last[:80])
    # the boundary must not occur inside the encrypted part
    if out.count(b"--" + m.group(1)) != 3:
        raise Fail("boundary occurs %d times, not 3"
                   % out.count(b"--" + m.group(1)))
    # line ends: a consistent input gives the same style everywhere
    style_in = eol(orig)
    if style_in in ("crlf", "lf") and eol(out) != style_in:
        raise Fail("input line ends are %s, output's are %s"
                   % (style_in, eol(out)))


def save(out, orig, prefix):
    """PREFIX.inner: the expected inner entity; PREFIX.asc: the armor
    (empty when there is none)."""
    with open(prefix + ".inner", "wb") as fp:
        fp.write(inner(orig))
    with open(prefix + ".asc", "wb") as fp:
        try:
            fp.write(armor_block(out))
        except Fail:
            pass


def batch():
    for line in sys.stdin:
        out, orig, prefix = line.rstrip("\n").split("\t")
        try:
            with open(out, "rb") as fp:
                o = fp.read()
            with open(orig, "rb") as fp:
                i = fp.read()
            save(o, i, prefix)
            structure(o, i)
            print("ok")
        except (Fail, OSError) as e:
            print("not ok: %s" % e)
        sys.stdout.flush()
    return 0


def main(argv):
    if len(argv) < 2 or (len(argv) < 3 and argv[1] != "batch"):
        print(__doc__.strip().split("\n\n")[0], file=sys.stderr)
        return 2
    cmd = argv[1]
    try:
        if cmd == "batch" and len(argv) == 2:
            return batch()
        with open(argv[2], "rb") as fp:
            first = fp.read()
        if cmd == "structure" and len(argv) in (4, 6) and \
                (len(argv) == 4 or argv[4] == "--save"):
            with open(argv[3], "rb") as fp:
                orig = fp.read()
            if len(argv) == 6:
                save(first, orig, argv[5])
            structure(first, orig)
        elif cmd == "armor" and len(argv) == 3:
            sys.stdout.buffer.write(armor_block(first))
        elif cmd == "inner" and len(argv) == 3:
            sys.stdout.buffer.write(inner(first))
        elif cmd == "eol" and len(argv) == 3:
            print(eol(first))
        elif cmd == "header" and len(argv) == 3:
            for n, raw in Header(first).fields:
                print("%s\t%r" % (n, raw))
        else:
            print("check_pgpmime.py: bad usage", file=sys.stderr)
            return 2
    except Fail as e:
        print("check_pgpmime.py %s: %s" % (cmd, e))
        return 1
    except OSError as e:
        print("check_pgpmime.py %s: %s" % (cmd, e))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
