#!/usr/bin/python3
# differential.py - does mailseal split a message the way mail readers do?
#
# usage: differential.py CLASSIFY_DUMP SRCDIR [CORPUS]
#
# For every message (the corpora, tests/data, hostile variants made here
# from the signed and encrypted ones, a seeded mutator's output, and
# tests/fuzz/regress plus $MAILSEAL_FUZZ_CORPUS), CLASSIFY_DUMP (built
# from tests/classify_dump.c) says what mailseal would verify or decrypt:
# the kind and the byte ranges.  Three readers parse the same bytes:
# Python's email package with policy compat32 and policy default, and
# GMime 3 (the parser of notmuch, astroid, balsa) through python3-gi.
# Where mailseal says signed, encrypted or inline, every reader must see
# the same structure: the root type and protocol, the boundary, the
# number and types of the parts, their transfer encodings, and the same
# bytes in the part mailseal verifies or decrypts (up to the line end
# before the delimiter, which belongs to the delimiter, RFC 2046 5.1.1).
# A part with headers is compared as the reader displays it: the reader's
# part, and the reader's parse of mailseal's bytes alone, must be the
# same tree of header fields and contents (preambles and epilogues are
# never displayed and are left out).  Where mailseal says plain, or
# refuses the header block, nothing is required.
#
# Prints TAP: one test per input group; each mismatch is a diagnostic
# "file: reader: reason".  Environment: MAILSEAL_DIFF_MUTANTS (how many
# mutants, default 2000), MAILSEAL_DIFF_SEED (default 8),
# MAILSEAL_FUZZ_CORPUS (a directory of more inputs), MAILSEAL_DIFF_KEEP
# (a directory to keep every mismatching input in).

import email
import email.policy
import email.utils
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile

import gi
gi.require_version("GMime", "3.0")
from gi.repository import GMime  # noqa: E402

GMime.init()

KINDS_CHECKED = ("signed", "pgpmime", "mangled", "inline", "clearsigned",
                 "smimesigned")
SIGNED_KINDS = ("signed", "smimesigned")
IDENTITY = ("", "7bit", "8bit", "binary")


def cte_code(name):
    """mailseal's enum mime_cte for a transfer encoding name"""
    name = (name or "").strip().lower()
    if name in IDENTITY:
        return 0
    return {"quoted-printable": 1, "base64": 2}.get(name, 3)


GMIME_CTE = {getattr(GMime.ContentEncoding, n): c for n, c in (
    ("DEFAULT", 0), ("7BIT", 0), ("8BIT", 0), ("BINARY", 0),
    ("QUOTEDPRINTABLE", 1), ("BASE64", 2))}


def strip_eol(b):
    """the bytes without the one line end that ends them"""
    if b.endswith(b"\r\n"):
        return b[:-2]
    if b.endswith(b"\n") or b.endswith(b"\r"):
        return b[:-1]
    return b


# ---------------------------------------------------------------- readers
#
# A reader's view of a message: a dict with the root's type, protocol,
# boundary, its subparts (type, transfer encoding, content bytes of a
# leaf, and a fingerprint of the whole part as displayed) or, for a leaf
# root, its content bytes and transfer encoding.  A fingerprint is the
# tree of header fields and leaf contents, as the reader keeps them.


def py_bytes(s):
    if isinstance(s, bytes):
        return s
    return s.encode("ascii", "surrogateescape")


def py_fp(m):
    """what a Python reader displays of a part: fields and contents"""
    hdrs = tuple((k, str(v)) for k, v in m._headers)
    p = m._payload
    if isinstance(p, list):
        return (hdrs, tuple(py_fp(x) for x in p))
    return (hdrs, py_bytes(p or ""))


class PyReader:
    def __init__(self, name, policy):
        self.name = name
        self.policy = policy

    def parse(self, data):
        return email.message_from_bytes(data, policy=self.policy)

    def view(self, data):
        m = self.parse(data)
        v = {"type": m.get_content_type(),
             "protocol": (m.get_param("protocol") or None),
             "boundary": m.get_boundary(),
             "cte": cte_code(m.get("Content-Transfer-Encoding")),
             "parts": None, "body": None}
        if isinstance(v["protocol"], tuple):    # RFC 2231 form
            v["protocol"] = email.utils.collapse_rfc2231_value(v["protocol"])
        if m.is_multipart():
            v["parts"] = []
            for p in m.get_payload():
                leaf = not isinstance(p._payload, list)
                v["parts"].append({
                    "type": p.get_content_type(),
                    "cte": cte_code(p.get("Content-Transfer-Encoding")),
                    "body": py_bytes(p._payload) if leaf else None,
                    "fp": py_fp(p)})
        elif not isinstance(m._payload, list):
            v["body"] = py_bytes(m._payload or "")
        return v


def gm_stream_bytes(data, base, wrapper):
    s = wrapper.get_stream()
    if s.bound_end < 0:
        return data[s.bound_start - base:]
    return data[s.bound_start - base:s.bound_end - base]


def gm_text(get):
    """a string from GMime; 8-bit text that is no UTF-8 cannot cross the
    bindings, and is named so in the diagnostic"""
    try:
        return get()
    except UnicodeDecodeError:
        return "(8-bit text the GMime bindings cannot return)"


class GMimeReader:
    name = "gmime"

    def parse(self, data):
        # an mbox From_ line is the mailbox's, not the message's
        base = 0
        if data.startswith(b"From "):
            nl = data.find(b"\n")
            base = len(data) if nl < 0 else nl + 1
        st = GMime.StreamMem.new_with_buffer(data[base:])
        p = GMime.Parser.new_with_stream(st)
        p.set_format(GMime.Format.MESSAGE)
        m = p.construct_message(None)
        return m, base

    def ctype(self, o):
        ct = o.get_content_type()
        return ct.get_mime_type().lower() if ct is not None else "text/plain"

    def cte(self, o):
        if not isinstance(o, GMime.Part):
            return 0
        e = o.get_content_encoding()
        return GMIME_CTE.get(e, 3)

    def fp(self, o, data, base):
        # the fields as GMime keeps them, as bytes (8-bit text is no
        # UTF-8 string the bindings could hand over)
        ms = GMime.StreamMem.new()
        o.get_header_list().write_to_stream(None, ms)
        hdrs = bytes(ms.get_byte_array())
        if isinstance(o, GMime.Multipart):
            return (hdrs, tuple(self.fp(o.get_part(i), data, base)
                                for i in range(o.get_count())))
        if isinstance(o, GMime.MessagePart):
            m = o.get_message()
            return (hdrs, None if m is None else
                    self.fp(m.get_mime_part(), data, base))
        c = o.get_content() if isinstance(o, GMime.Part) else None
        return (hdrs, b"" if c is None else gm_stream_bytes(data, base, c))

    def view(self, data):
        m, base = self.parse(data)
        if m is None:
            raise ValueError("no message")
        root = m.get_mime_part()
        if root is None:
            return {"type": "text/plain", "protocol": None, "boundary": None,
                    "cte": 0, "parts": None, "body": b""}
        ct = root.get_content_type()
        v = {"type": self.ctype(root),
             "protocol": gm_text(lambda: ct.get_parameter("protocol")),
             "boundary": gm_text(lambda: ct.get_parameter("boundary")),
             "cte": self.cte(root), "parts": None, "body": None}
        if isinstance(root, GMime.Multipart):
            v["boundary"] = gm_text(root.get_boundary)
            v["parts"] = []
            for i in range(root.get_count()):
                p = root.get_part(i)
                leaf = isinstance(p, GMime.Part)
                c = p.get_content() if leaf else None
                v["parts"].append({
                    "type": self.ctype(p), "cte": self.cte(p),
                    "body": (b"" if c is None else
                             gm_stream_bytes(data[base:], 0, c))
                    if leaf else None,
                    "fp": self.fp(p, data[base:], 0)})
        elif isinstance(root, GMime.Part):
            c = root.get_content()
            v["body"] = b"" if c is None else gm_stream_bytes(data[base:], 0, c)
        return v


READERS = [PyReader("python-compat32", email.policy.compat32),
           PyReader("python-default", email.policy.default),
           GMimeReader()]


# ---------------------------------------------------------------- compare

EXPECT_PARTS = {
    "signed": (None, "application/pgp-signature"),
    "smimesigned": (None, ("application/pkcs7-signature",
                           "application/x-pkcs7-signature")),
    "pgpmime": ("application/pgp-encrypted", "application/octet-stream"),
    "mangled": ("text/plain", "application/pgp-encrypted",
                "application/octet-stream"),
}
EXPECT_ROOT = {"signed": "multipart/signed", "pgpmime": "multipart/encrypted",
               "smimesigned": "multipart/signed",
               "mangled": "multipart/mixed", "inline": "text/plain",
               "clearsigned": "text/plain"}
EXPECT_PROTOCOL = {"signed": ("application/pgp-signature",),
                   "pgpmime": ("application/pgp-encrypted",),
                   "smimesigned": ("application/pkcs7-signature",
                                   "application/x-pkcs7-signature")}


class Dump:
    """one line of classify_dump"""

    def __init__(self, line):
        f = line.rstrip("\n").split("\t")
        self.kind = f[0]
        if len(f) < 9:
            return
        (self.off, self.len, self.sigoff, self.siglen, self.cte,
         self.bodyoff, self.fromlen) = (int(x) for x in f[1:8])
        self.boundary = None if f[8] == "-" else bytes.fromhex(f[8])
        self.sigcte = int(f[9]) if len(f) > 9 else 0


def short(b, n=60):
    r = repr(b)
    return r if len(r) <= n else r[:n] + "..."


def refparse(reader, part, rest):
    """the reader's fingerprint of part alone, in the same place: the
    only part of a multipart, followed by the line end that followed it
    (readers treat a part at the end of the input differently)"""
    eol = b"\r\n" if rest.startswith(b"\r\n") else b"\n"
    z = b"=_differential_reference_0"
    while b"--" + z in part:
        z += b"0"
    wrap = (b"MIME-Version: 1.0" + eol + b"Content-Type: multipart/mixed; "
            b"boundary=\"" + z + b"\"" + eol + eol + b"--" + z + eol + part +
            eol + b"--" + z + b"--" + eol)
    v = reader.view(wrap)
    return v["parts"][0]["fp"] if v["parts"] else None


def compare(reader, data, d):
    """why the reader displays something else than mailseal verifies or
    decrypts, or None"""
    v = reader.view(data)
    if v["type"] != EXPECT_ROOT[d.kind]:
        return "root is %s, mailseal reads %s" % (v["type"], d.kind)
    if d.kind in ("inline", "clearsigned"):
        if v["body"] is None:
            return "no body"
        if v["cte"] != d.cte:
            return "transfer encoding %d, mailseal %d" % (v["cte"], d.cte)
        ms = data[d.off:d.off + d.len]
        if v["body"] != ms:
            return "body %s, mailseal %s" % (short(v["body"]), short(ms))
        return None
    proto = EXPECT_PROTOCOL.get(d.kind)
    if proto and (v["protocol"] or "").lower() not in proto:
        return "protocol %r" % (v["protocol"],)
    b = v["boundary"]
    b = b.encode("utf-8", "surrogateescape") if isinstance(b, str) else b
    if b != d.boundary:
        return "boundary %r, mailseal %r" % (b, d.boundary)
    want = EXPECT_PARTS[d.kind]
    parts = v["parts"] or []
    if len(parts) != len(want):
        return "%d parts, mailseal %d" % (len(parts), len(want))
    for i, (p, t) in enumerate(zip(parts, want)):
        if t is not None and p["type"] not in (
                t if isinstance(t, tuple) else (t,)):
            return "part %d is %s, mailseal %s" % (i + 1, p["type"], t)
    last = parts[-1]
    if d.kind == "smimesigned" and last["cte"] != d.sigcte:
        return "signature part transfer encoding %d, mailseal %d" % (
            last["cte"], d.sigcte)
    if d.kind in SIGNED_KINDS:
        ms = data[d.off:d.off + d.len]
        try:
            ref = refparse(reader, ms, data[d.off + d.len:])
        except Exception as e:  # noqa: BLE001 - a reader's own failure
            ref = "reader fails on mailseal's part: %s" % e
        if parts[0]["fp"] != ref:
            return "signed part %s, mailseal verifies %s" % (
                short(fp_text(parts[0]["fp"])), short(ms))
        lo, ln = d.sigoff, d.siglen
    else:
        lo, ln = d.off, d.len
        if last["cte"] != d.cte:
            return "data part transfer encoding %d, mailseal %d" % (
                last["cte"], d.cte)
    ms = strip_eol(data[lo:lo + ln])
    if last["body"] != ms:
        return "%s part %s, mailseal %s" % (
            "signature" if d.kind in SIGNED_KINDS else "data",
            short(last["body"]), short(ms))
    return None


def fp_text(fp):
    """a fingerprint, flattened for a diagnostic"""
    if isinstance(fp, tuple) and len(fp) == 2:
        h, c = fp
        hs = "".join("%s:%s|" % (k, v) for k, v in h) if isinstance(
            h, tuple) else repr(h)
        if isinstance(c, bytes):
            return hs + repr(c)
        if isinstance(c, tuple):
            return hs + "[" + ",".join(fp_text(x) for x in c) + "]"
        return hs + str(c)
    return str(fp)


def check(data, d):
    """the mismatches of one message: [(reader, reason)]"""
    if d.kind not in KINDS_CHECKED:
        return []
    out = []
    for r in READERS:
        try:
            why = compare(r, data, d)
        except Exception as e:  # noqa: BLE001 - the reader cannot display it
            why = "reader fails: %s: %s" % (type(e).__name__, e)
        if why:
            out.append((r.name, why))
    return out


# ---------------------------------------------------------------- inputs

CT_FIELD = re.compile(rb"(?im)^content-type[ \t]*:(?:.*)(?:\r?\n[ \t].*)*")
BOUNDARY_PARAM = re.compile(rb'(?i)boundary[ \t]*=[ \t]*("(?:[^"\\\r\n]|\\.)*"|[^;\s]+)')
ATTACK = b"ATTACKER TEXT, NOT SIGNED BY ANYONE"


def eol_of(data):
    return b"\r\n" if b"\r\n" in data else b"\n"


def split_msg(data, d):
    return data[:d.bodyoff], data[d.bodyoff:]


def set_param(header, text):
    """the header with the root boundary parameter replaced by text"""
    m = CT_FIELD.search(header)
    if not m:
        return None
    field = m.group(0)
    nf, n = BOUNDARY_PARAM.subn(lambda _: text.replace(b"\\", b"\\\\"),
                                field, count=1)
    if n == 0:
        return None
    return header[:m.start()] + nf + header[m.end():]


def delims(body, b, nb):
    """body with every delimiter line of boundary b written with nb"""
    return re.sub(rb"(?m)^--" + re.escape(b) + rb"(?=--|[ \t]*\r?$)",
                  lambda _: b"--" + nb, body)


def attacker(body, b, nb, eol):
    """the structure of body under boundary nb, with attacker text at
    the start of every part's content"""
    out = delims(body, b, nb)
    # the blank line after each part's headers
    return re.sub(rb"(?m)(^--" + re.escape(nb) + rb"[ \t]*\r?\n(?:[^\r\n]+\r?\n)*?\r?\n)",
                  lambda m: m.group(1) + ATTACK + eol, out)


def q_word(b):
    return b"=?us-ascii?q?" + b"".join(
        bytes([c]) if (chr(c).isalnum()) else b"=%02X" % c for c in b) + b"?="


def hostile(data, d):
    """[(variant, bytes)]: the attacks of issue 8 section A on one
    signed or encrypted message"""
    B = d.boundary
    hdr, body = split_msg(data, d)
    eol = eol_of(data)
    out = []

    def add(name, h, bd):
        if h is not None:
            out.append((name, h + bd))

    def two(name, param, real, fake):
        h = set_param(hdr, param)
        add(name, h, attacker(body, B, fake, eol) + delims(body, B, real))
        add(name + "-rev", h, delims(body, B, real) +
            attacker(body, B, fake, eol))

    sw = B.swapcase()
    if sw != B:
        add("case-header", set_param(hdr, b'boundary="' + sw + b'"'), body)
        two("case-attack", b'boundary="' + B.upper() + b'"', B.lower(),
            B.upper())
        two("case-attack-lower", b'boundary="' + B.lower() + b'"',
            B.upper(), B.lower())
    if sw != B and re.fullmatch(rb"[!#$%&'*+.0-9A-Z^_`a-z{|}~-]+", B):
        # an unquoted token: RFC 2045 keeps its case like a quoted one
        add("case-header-unquoted", set_param(hdr, b"boundary=" + sw), body)
        two("case-attack-unquoted", b"boundary=" + B.upper(), B.lower(),
            B.upper())
        two("case-attack-unquoted-lower", b"boundary=" + B.lower(),
            B.upper(), B.lower())
    lines = re.compile(rb"(?m)^(--" + re.escape(B) + rb"(?:--)?)[ \t]*(\r?\n)")
    add("cr-after", hdr, lines.sub(lambda m: m.group(1) + b"\r", body))
    add("cr-before", hdr, re.sub(rb"\r?\n(--" + re.escape(B) + rb")",
                                 lambda m: b"\r" + m.group(1), body))
    fake = attacker(body, B, B, eol).replace(b"\r\n", b"\n").replace(
        b"\n", b"\r").rstrip(b"\r") + b"\n"
    add("cr-attack", hdr, fake + body)
    add("cr-attack-rev", hdr, body + eol + fake)
    two("encoded-word", b'boundary="' + q_word(B) + b'"', q_word(B), B)
    two("encoded-word-unquoted", b"boundary=" + q_word(B), q_word(B), B)
    two("unquoted-space", b"boundary=" + B + b" X", B, B + b" X")
    two("quoted-space", b'boundary="' + B + b' X"', B + b" X", B)
    two("duplicate", b'boundary="' + B + b'"; boundary="' + B + b'z"',
        B, B + b"z")
    two("duplicate-rev", b'boundary="' + B + b'z"; boundary="' + B + b'"',
        B, B + b"z")
    two("rfc2231-both", b'boundary="' + B + b'"; boundary*0="' + B +
        b'"; boundary*1="z"', B, B + b"z")
    two("rfc2231-only", b'boundary*0="' + B + b'"; boundary*1="z"',
        B, B + b"z")
    two("rfc2231-charset", b"boundary*=us-ascii''" + B + b"z; boundary=\"" +
        B + b'"', B, B + b"z")
    add("junk-after", hdr, lines.sub(lambda m: m.group(1) + b" junk" +
                                     m.group(2), body))
    add("junk-attack", hdr, lines.sub(lambda m: m.group(1) + b"junk" +
                                      m.group(2),
                                      attacker(body, B, B, eol)) + body)
    for name, nb in (("nested-prefix", B[:-1]), ("nested-longer", B + b"x"),
                     ("nested-same", B)):
        inner = (b"Content-Type: multipart/mixed; boundary=\"" + nb + b"\"" +
                 eol + eol + b"--" + nb + eol + b"Content-Type: text/plain" +
                 eol + eol + ATTACK + eol)
        add(name, hdr, re.sub(rb"(?m)^(--" + re.escape(B) + rb"\r?\n)",
                              lambda m: m.group(1) + inner, body, count=1))
    # the body right after the header block, without an empty line
    first = re.search(rb"(?m)^--" + re.escape(B) + rb"[ \t]*\r?\n", body)
    hdr1 = re.sub(rb"\r?\n\Z", b"", hdr)
    if first and hdr1 != hdr:
        add("no-separator", hdr1, body[first.start():])
        add("no-separator-junk", hdr1 + b"\xff" + eol, body[first.start():])
    second = first and re.compile(rb"(?m)^--" + re.escape(B) +
                                  rb"[ \t]*\r?\n").search(body, first.end())
    if second:
        # the first part empty: two delimiter lines in a row
        add("empty-part", hdr, body[:first.start()] +
            body[second.start():second.end()] + body[second.start():])
    add("cr-cr-lf", hdr, lines.sub(lambda m: m.group(1) + b"\r\r\n", body))
    add("cr-at-end", hdr, re.sub(rb"(--" + re.escape(B) + rb"--)[ \t]*\r?\n?"
                                 rb"\Z", lambda m: m.group(1) + b"\r", body))
    for name, c in (("8bit-boundary", b"\xe9"), ("utf8-boundary", b"\xc3\xa9")):
        add(name, set_param(hdr, b'boundary="' + B + c + b'"'),
            delims(body, B, B + c))
    # obs-syntax "Name :": Python's parsers end the header block there
    add("space-before-colon", b"X-Note : y" + eol + hdr, body)
    add("tab-before-colon", b"X-Note\t: y" + eol + hdr, body)
    add("quoted-junk", set_param(hdr, b'boundary="' + B + b'"x'), body)
    add("protocol-junk", re.sub(rb'(?i)(protocol[ \t]*=[ \t]*"[^"]*")',
                                lambda m: m.group(1) + b"x", hdr, count=1),
        body)
    add("no-semicolon", set_param(hdr, b'boundary="' + B + b'" x="y"'), body)
    lf = data.replace(b"\r\n", b"\n")
    add("all-crlf", b"", lf.replace(b"\n", b"\r\n"))
    add("all-lf", b"", lf)
    add("body-crlf", hdr, body.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))
    add("body-lf", hdr.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"),
        body.replace(b"\r\n", b"\n"))
    add("delims-toggled", hdr, lines.sub(
        lambda m: m.group(1) + (b"\n" if m.group(2) == b"\r\n" else b"\r\n"),
        body))
    add("nul-delim", hdr, lines.sub(lambda m: m.group(1) + b"\0" + m.group(2),
                                    body))
    add("nul-after", hdr, lines.sub(lambda m: m.group(0) + b"\0", body))
    add("nul-boundary", hdr, lines.sub(
        lambda m: m.group(1)[:3] + b"\0" + m.group(1)[3:] + m.group(2), body))
    return out


TOKENS = [b"\r", b"\n", b"\r\n", b"\0", b" ", b"\t", b"--", b'"', b";",
          b"=?us-ascii?q?", b"?=", b"boundary=", b"boundary*0=", b"\xff",
          b"Content-Type: multipart/mixed; boundary=",
          b"Content-Type: text/plain", b"Content-Transfer-Encoding: base64"]


def mutate(rnd, data, B):
    """one seeded mutation of data (1-3 edits, most near delimiters)"""
    toks = TOKENS + ([B, B.upper(), B.lower(), b"--" + B, b"--" + B + b"--"]
                     if B else [])
    hot = [m.start() for m in re.finditer(re.escape(b"--" + B), data)] \
        if B else []
    b = bytearray(data)
    for _ in range(rnd.randint(1, 3)):
        if not b:
            break
        if hot and rnd.random() < 0.6:
            pos = min(len(b), max(0, rnd.choice(hot) + rnd.randint(-3, 3 +
                                                                   len(B))))
        else:
            pos = rnd.randrange(len(b) + 1)
        op = rnd.randrange(6)
        if op == 0:
            b[pos:pos] = rnd.choice(toks)
        elif op == 1:
            del b[pos:pos + rnd.randint(1, 8)]
        elif op == 2 and pos < len(b):
            b[pos] = rnd.randrange(256)
        elif op == 3:   # a line duplicated or dropped
            s = b.rfind(b"\n", 0, pos) + 1
            e = b.find(b"\n", pos)
            e = len(b) if e < 0 else e + 1
            if rnd.random() < 0.5:
                b[s:s] = b[s:e]
            else:
                del b[s:e]
        elif op == 4:
            w = bytes(b[pos:pos + rnd.randint(1, 12)]).swapcase()
            b[pos:pos + len(w)] = w
        else:
            e = b.find(b"\n", pos)
            if e >= 0:
                b[e:e + 1] = rnd.choice([b"\r", b"\r\n", b"\n\r", b""])
    return bytes(b)


def synthetic():
    """seeds of our own, for a tree without the corpus"""
    sig = (b"-----BEGIN PGP SIGNATURE-----\n\niAgEAAEIAQIDBA==\n=ynlO\n"
           b"-----END PGP SIGNATURE-----\n")
    msg = (b"-----BEGIN PGP MESSAGE-----\n\nhAwDAQIDBAUGBwgJCgvSBQEBAgME\n=B8PW\n"
           b"-----END PGP MESSAGE-----\n")
    s = (b"From: a@example.org\nTo: b@example.org\nSubject: s\n"
         b"MIME-Version: 1.0\nContent-Type: multipart/signed; "
         b"micalg=pgp-sha256;\n protocol=\"application/pgp-signature\"; "
         b"boundary=\"sig-Ab3\"\n\nThis is an OpenPGP/MIME signed message.\n"
         b"--sig-Ab3\nContent-Type: text/plain; charset=us-ascii\n\n"
         b"Signed text.\n--sig-Ab3\nContent-Type: application/pgp-signature;"
         b" name=\"signature.asc\"\n\n" + sig + b"--sig-Ab3--\n")
    e = (b"From: a@example.org\nTo: b@example.org\nSubject: e\n"
         b"MIME-Version: 1.0\nContent-Type: multipart/encrypted;\n "
         b"protocol=\"application/pgp-encrypted\"; boundary=\"enc-Xy9\"\n\n"
         b"--enc-Xy9\nContent-Type: application/pgp-encrypted\n\n"
         b"Version: 1\n\n--enc-Xy9\nContent-Type: application/octet-stream;"
         b" name=\"encrypted.asc\"\n\n" + msg + b"\n--enc-Xy9--\n")
    return [("synthetic-signed", s), ("synthetic-signed-crlf",
             s.replace(b"\n", b"\r\n")), ("synthetic-encrypted", e),
            ("synthetic-encrypted-crlf", e.replace(b"\n", b"\r\n"))]


# ---------------------------------------------------------------- driver

def files_under(top, exts=None):
    out = []
    for dp, dn, fn in os.walk(top):
        dn.sort()
        for f in sorted(fn):
            if exts is None or f.endswith(exts):
                out.append(os.path.join(dp, f))
    return out


def corpus_inputs(corpus):
    idx = os.path.join(corpus, "INDEX.tsv")
    out = []
    with open(idx, encoding="utf-8") as fp:
        next(fp)
        for line in fp:
            c, p = line.rstrip("\n").split("\t")[:2]
            path = os.path.join(corpus, c, p)
            with open(path, "rb") as f:
                out.append(("%s/%s" % (c, p), f.read()))
    return out


def read_all(paths, root):
    out = []
    for p in paths:
        with open(p, "rb") as f:
            out.append((os.path.relpath(p, root), f.read()))
    return out


class Run:
    def __init__(self, dump, tmp):
        self.dump = dump
        self.tmp = tmp
        self.n = 0

    def classify(self, msgs):
        """classify_dump's line for each (label, bytes)"""
        if not msgs:
            return []
        paths = []
        for _, data in msgs:
            self.n += 1
            p = os.path.join(self.tmp, "m%06d" % self.n)
            with open(p, "wb") as f:
                f.write(data)
            paths.append(p)
        r = subprocess.run([self.dump], input="\n".join(paths) + "\n",
                           capture_output=True, text=True, check=True)
        lines = r.stdout.splitlines()
        for p in paths:
            os.unlink(p)
        if len(lines) != len(msgs):
            raise RuntimeError("classify_dump gave %d lines for %d messages"
                               % (len(lines), len(msgs)))
        return [Dump(x) for x in lines]


def tap_group(t, name, msgs, run, keep):
    """one TAP test over a group of messages; returns the checked ones"""
    dumps = run.classify(msgs)
    bad, kinds, variants = [], {}, {}
    for (label, data), d in zip(msgs, dumps):
        k = "refused" if d.kind.startswith("header:") else d.kind
        kinds[k] = kinds.get(k, 0) + 1
        found = check(data, d)
        if found and "~" in label:
            v = re.sub(r"[0-9]+$", "", label.rsplit("~", 1)[1])
            variants[v] = variants.get(v, 0) + 1
        for reader, why in found:
            bad.append("%s (%s): %s: %s" % (label, d.kind, reader, why))
            if keep:
                fn = re.sub(r"[^A-Za-z0-9._-]", "_", label)[-120:]
                with open(os.path.join(keep, fn), "wb") as f:
                    f.write(data)
    t[0] += 1
    summary = ", ".join("%s %d" % kv for kv in sorted(kinds.items()))
    print("%s %d - %s: %d messages (%s): %d disagreements with a reader" %
          ("not ok" if bad else "ok", t[0], name, len(msgs), summary,
           len(bad)))
    if variants:
        print("# messages with a disagreement, by variant: " + ", ".join(
            "%s %d" % kv for kv in sorted(variants.items())))
    limit = int(os.environ.get("MAILSEAL_DIFF_SHOW", "60"))
    for line in bad[:limit]:
        print("# " + line.replace("\n", "\\n"))
    if len(bad) > limit:
        print("# ... and %d more (MAILSEAL_DIFF_SHOW)" % (len(bad) - limit))
    sys.stdout.flush()
    t[1] += bool(bad)
    return [(label, data, d) for (label, data), d in zip(msgs, dumps)]


def main():
    dump, srcdir = sys.argv[1], sys.argv[2]
    corpus = sys.argv[3] if len(sys.argv) > 3 else ""
    nmut = int(os.environ.get("MAILSEAL_DIFF_MUTANTS", "2000"))
    seed = int(os.environ.get("MAILSEAL_DIFF_SEED", "8"))
    keep = os.environ.get("MAILSEAL_DIFF_KEEP")
    tmp = tempfile.mkdtemp(prefix="mailseal-diff.")
    run = Run(dump, tmp)
    t = [0, 0]
    seeds = []
    try:
        have_corpus = corpus and os.path.isfile(
            os.path.join(corpus, "INDEX.tsv"))
        if have_corpus:
            seeds += tap_group(t, "corpus", corpus_inputs(corpus), run, keep)
        else:
            t[0] += 1
            print("ok %d # SKIP corpus: no %s/INDEX.tsv" % (t[0], corpus))
        data = os.path.join(srcdir, "tests", "data")
        seeds += tap_group(t, "tests/data", read_all(files_under(data),
                                                     srcdir), run, keep)
        seeds += tap_group(t, "synthetic", synthetic(), run, keep)
        regress = files_under(os.path.join(srcdir, "tests", "fuzz",
                                           "regress"))
        fc = os.environ.get("MAILSEAL_FUZZ_CORPUS")
        if fc and os.path.isdir(fc):
            regress += files_under(fc)
        if regress:
            tap_group(t, "fuzz regress and corpus", read_all(regress, "/"),
                      run, keep)
        else:
            t[0] += 1
            print("ok %d # SKIP fuzz: no tests/fuzz/regress, "
                  "no MAILSEAL_FUZZ_CORPUS" % t[0])
        # the attacks, on every signed or encrypted message small enough
        parents = [(lb, dt, d) for lb, dt, d in seeds
                   if d.kind in SIGNED_KINDS + ("pgpmime", "mangled") and
                   d.boundary and len(dt) <= 32768]
        host = []
        for lb, dt, d in parents:
            host += [("%s~%s" % (lb, v), b) for v, b in hostile(dt, d)]
        tap_group(t, "hostile variants", host, run, keep)
        rnd = random.Random(seed)
        pool = [(lb, dt, d.boundary) for lb, dt, d in parents] + [
            (lb, dt, None) for lb, dt, d in seeds
            if d.kind in ("inline", "clearsigned") and len(dt) <= 32768]
        mut = []
        for i in range(nmut if pool else 0):
            lb, dt, b = rnd.choice(pool)
            mut.append(("%s~mutant%d" % (lb, i), mutate(rnd, dt, b)))
        tap_group(t, "mutants (seed %d)" % seed, mut, run, keep)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("1..%d" % t[0])
    print("# differential.py: %d groups, %d with disagreements" % tuple(t))
    return 0


if __name__ == "__main__":
    sys.exit(main())
