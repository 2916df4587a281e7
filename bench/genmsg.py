#!/usr/bin/env python3
"""genmsg.py - write a large test message for encrypt-bench.sh.

usage: genmsg.py text|attach SIZE_MB > MESSAGE

  text    an RFC 5322 message with a text/plain; charset=utf-8 body of
          varied prose-like lines (words drawn from a fixed pseudo-word
          vocabulary with a Zipf-like frequency, so it compresses about
          like real text, not like one repeated line)
  attach  a multipart/mixed message: a short text part and a base64
          application/octet-stream part of random bytes

SIZE_MB is in MiB (1 MiB = 1048576 bytes); the message is that size to
within one line.  Line ends are LF.  Deterministic for the text body
(fixed seed); the attachment is os.urandom data.
"""
import base64
import os
import random
import sys

MIB = 1 << 20


def header(subject, ctype, extra=b""):
    return (b"From: Alice <alice@example.org>\n"
            b"To: Bob <bob@example.org>\n"
            b"Subject: " + subject.encode() + b"\n"
            b"Date: Sat, 22 Nov 2025 10:00:00 +0000\n"
            b"Message-ID: <bench." + subject.split()[0].encode() +
            b"@example.org>\n"
            b"MIME-Version: 1.0\n"
            b"Content-Type: " + ctype.encode() + b"\n" + extra + b"\n")


def vocabulary(rng, n=6000):
    syl = ["ka", "to", "ri", "men", "sa", "lo", "ver", "in", "de", "al",
           "mar", "es", "qu", "un", "pe", "ti", "na", "gor", "bel", "ost",
           "ch", "th", "ra", "ne", "fu", "wi", "ly", "ber", "zu", "ho"]
    words = set()
    while len(words) < n:
        w = "".join(rng.choice(syl) for _ in range(rng.randint(1, 4)))
        words.add(w)
    words = sorted(words)
    rng.shuffle(words)
    # a few non-ASCII words: the body is declared utf-8
    words[7] = "café"
    words[19] = "naïve"
    words[31] = "Grüße"
    return words


def text_body(out, size):
    rng = random.Random(20251122)
    words = vocabulary(rng)
    cum, t = [], 0.0
    for i in range(len(words)):
        t += 1.0 / (i + 1)
        cum.append(t)
    written = 0
    while written < size:
        # one batch of lines, about 1 MiB
        ws = rng.choices(words, cum_weights=cum, k=160000)
        lines, i = [], 0
        while i < len(ws):
            k = rng.randint(6, 13)
            line = " ".join(ws[i:i + k])
            i += k
            if rng.random() < 0.08:
                line += ".\n"		# end of paragraph: a blank line
            else:
                line += "," if rng.random() < 0.2 else ""
            lines.append(line[:1].upper() + line[1:])
        chunk = ("\n".join(lines) + "\n").encode("utf-8")
        if written + len(chunk) > size:
            cut = chunk.rfind(b"\n", 0, size - written)
            chunk = chunk[:cut + 1] if cut >= 0 else b""
            if not chunk:
                break
        out.write(chunk)
        written += len(chunk)
    return written


def attach_body(out, size):
    b = b"mixed-boundary-bench-0123456789"
    head = (b"This is a multi-part message in MIME format.\n\n"
            b"--" + b + b"\n"
            b"Content-Type: text/plain; charset=utf-8\n"
            b"Content-Transfer-Encoding: 8bit\n\n"
            b"Hello Bob,\n\nthe data you asked for is attached.\n\nAlice\n\n"
            b"--" + b + b"\n"
            b"Content-Type: application/octet-stream; name=\"data.bin\"\n"
            b"Content-Transfer-Encoding: base64\n"
            b"Content-Disposition: attachment; filename=\"data.bin\"\n\n")
    tail = b"\n--" + b + b"--\n"
    out.write(head)
    written = len(head)
    # base64.encodebytes: 76-character lines (57 input bytes) + LF
    room = size - written - len(tail)
    raw = room // 77 * 57
    step = 57 * 18000		# about 1.3 MiB of base64 per write
    while raw > 0:
        n = min(step, raw)
        out.write(base64.encodebytes(os.urandom(n)))
        raw -= n
    out.write(tail)
    return b


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("text", "attach"):
        sys.exit(__doc__)
    size = int(float(sys.argv[2]) * MIB)
    out = sys.stdout.buffer
    if sys.argv[1] == "text":
        h = header("text message for mailseal encrypt-bench",
                   "text/plain; charset=utf-8",
                   b"Content-Transfer-Encoding: 8bit\n")
        out.write(h)
        text_body(out, size - len(h))
    else:
        b = b"mixed-boundary-bench-0123456789"
        out.write(header("attach message for mailseal encrypt-bench",
                         'multipart/mixed; boundary="' + b.decode() + '"'))
        attach_body(out, size - 400)
    out.flush()


if __name__ == "__main__":
    main()
