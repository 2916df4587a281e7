#!/usr/bin/env python3
"""signed.py - take RFC 3156 5 multipart/signed messages apart, and make
them, independently of mailseal.

  signed.py split MSG PART SIG
      MSG's line ends made CRLF (as a reader does before it verifies),
      then the bytes between the first delimiter line and the CRLF before
      the second one (the signed data) into PART, the body of the second
      part (the armored signature) into SIG.  Exit 1 with a reason when
      MSG is not multipart/signed with exactly two parts.
  signed.py micalg MSG
      print the micalg parameter of MSG's Content-Type.
  signed.py build PART SIG MICALG HEADER...
      print a multipart/signed message (CRLF line ends) of the header
      lines, PART (canonical CRLF text) and the armored signature SIG.
"""
import email
import email.policy
import re
import sys


def crlf(data):
    return re.sub(rb"(?<!\r)\n", b"\r\n", data)


def ctype(data):
    m = email.message_from_bytes(data, policy=email.policy.compat32)
    return m


def split(path, part, sig):
    data = crlf(open(path, "rb").read())
    m = ctype(data)
    if m.get_content_type() != "multipart/signed":
        sys.exit("not multipart/signed: %s" % m.get_content_type())
    b = m.get_param("boundary").encode()
    delim = b"\r\n--" + b
    start = data.index(b"\r\n\r\n") + 2  # the body starts after the blank line
    body = data[start:]
    first = (b"\r\n" + body).index(delim + b"\r\n")
    pieces = (b"\r\n" + body)[first:].split(delim)
    # pieces: '', part1, part2, '--...'
    if len(pieces) != 4 or not pieces[3].startswith(b"--"):
        sys.exit("not two parts: %d pieces" % len(pieces))
    open(part, "wb").write(pieces[1][2:])
    p2 = pieces[2][2:]
    open(sig, "wb").write(p2[p2.index(b"\r\n\r\n") + 4:])


def build(part, sig, micalg, headers):
    b = b"signed.py=_0123456789"
    out = b"".join(h.encode() + b"\r\n" for h in headers)
    out += (b"MIME-Version: 1.0\r\nContent-Type: multipart/signed; micalg=" +
            micalg.encode() + b";\r\n\tprotocol=\"application/pgp-signature\";"
            b"\r\n\tboundary=\"" + b + b"\"\r\n\r\n--" + b + b"\r\n")
    out += open(part, "rb").read()
    out += (b"\r\n--" + b + b"\r\nContent-Type: application/pgp-signature\r\n"
            b"\r\n" + crlf(open(sig, "rb").read()) + b"\r\n--" + b +
            b"--\r\n")
    sys.stdout.buffer.write(out)


def main(argv):
    if argv[1] == "split":
        split(argv[2], argv[3], argv[4])
    elif argv[1] == "micalg":
        print(ctype(open(argv[2], "rb").read()).get_param("micalg"))
    elif argv[1] == "build":
        build(argv[2], argv[3], argv[4], argv[5:])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
