#!/usr/bin/python3
"""smime_parts.py - read mailseal's S/MIME output as a mail reader would,
from the bytes, for tests/smime-encrypt.sh and tests/smime-sign.sh.

  smime_parts.py enveloped MSG DER
      MSG is one application/pkcs7-mime message: its body, every line
      base64 of at most 76 characters ending as the message's lines end
      (all CRLF or all LF), is decoded into DER.
  smime_parts.py signed MSG PART SIG
      MSG is a multipart/signed: PART gets the first part's bytes as a
      reader that turns LF into CRLF sees them (RFC 1847: from after the
      first delimiter line up to the line end before the next), SIG the
      decoded body of the second part.
Exit 0, or 1 with the reason on standard error.
"""
import base64
import re
import sys


def fail(why):
    sys.stderr.write("smime_parts: %s\n" % why)
    sys.exit(1)


def split(data):
    """header bytes, body bytes, line end"""
    crlf = data.find(b"\n") > 0 and data[data.find(b"\n") - 1:
                                         data.find(b"\n")] == b"\r"
    eol = b"\r\n" if crlf else b"\n"
    end = data.find(eol + eol)
    if end < 0:
        fail("no empty line after the header")
    return data[:end + len(eol)], data[end + 2 * len(eol):], eol


def b64_lines(body, eol):
    if not body.endswith(eol):
        fail("the base64 does not end with a line end")
    lines = body[:-len(eol)].split(eol)
    while lines and lines[-1] == b"":
        lines.pop()
    for i, line in enumerate(lines):
        if b"\r" in line or b"\n" in line:
            fail("line %d: mixed line ends" % (i + 1))
        if len(line) > 76 or (i < len(lines) - 1 and len(line) != 76):
            fail("line %d: %d characters" % (i + 1, len(line)))
        if not re.fullmatch(rb"[A-Za-z0-9+/=]*", line):
            fail("line %d: not base64" % (i + 1))
    return base64.b64decode(b"".join(lines), validate=True)


def enveloped(msg, der):
    data = open(msg, "rb").read()
    if data.startswith(b"From "):
        data = data[data.find(b"\n") + 1:]
    head, body, eol = split(data)
    open(der, "wb").write(b64_lines(body, eol))


def signed(msg, part, sig):
    data = open(msg, "rb").read()
    if data.startswith(b"From "):
        data = data[data.find(b"\n") + 1:]
    data = re.sub(rb"(?<!\r)\n", b"\r\n", data)
    head, body, eol = split(data)
    unfolded = re.sub(rb"\r\n[ \t]+", b" ", head)
    m = re.search(rb'(?im)^content-type:.*boundary="?([^";\r\n]+)"?', unfolded)
    if m is None:
        fail("no boundary")
    delim = b"--" + m.group(1)
    first = body.find(delim + b"\r\n")
    if first != 0 and body.find(b"\r\n" + delim + b"\r\n") < 0:
        fail("no first delimiter")
    if first != 0:
        first = body.find(b"\r\n" + delim + b"\r\n") + 2
    start = first + len(delim) + 2
    second = body.find(b"\r\n" + delim + b"\r\n", start)
    if second < 0:
        fail("no second delimiter")
    open(part, "wb").write(body[start:second])
    sigpart = body[second + 2 + len(delim) + 2:]
    close = sigpart.find(b"\r\n" + delim + b"--")
    if close < 0:
        fail("no closing delimiter")
    shead, sbody, _ = split(sigpart[:close + 2])
    if not re.search(rb"(?im)^content-type: application/pkcs7-signature",
                     shead):
        fail("the second part is not application/pkcs7-signature")
    open(sig, "wb").write(b64_lines(sbody, b"\r\n"))


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "enveloped":
        enveloped(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 5 and sys.argv[1] == "signed":
        signed(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        fail("usage: smime_parts.py enveloped MSG DER | "
             "signed MSG PART SIG")
