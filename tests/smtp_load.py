#!/usr/bin/python3
"""smtp_load.py - many test messages over SMTP at once, and what arrived.

  smtp_load.py send --port P --count N --clients C --dir D --tag TAG
          [--from ADDR] [--to ADDR[,ADDR...]] [--size BYTES]
      Write N messages D/1.eml ... D/N.eml (LF line ends; Message-ID
      <load.I.TAG@example.org>, a body token "token-TAG-I", padded with
      text to about BYTES, default 2048) and send them to 127.0.0.1:P from
      C client threads, each with one SMTP connection of its own that it
      uses for its messages in turn (a connection that breaks is made
      again, and the message tried again, up to 3 times).  Prints
      "sent S", "failed F", "seconds T", "rate R" lines; exit 0 when every
      message was accepted (250 to its DATA).
  smtp_load.py check --dir D --maildir M --gnupghome H
      For the messages D/*.eml: the copies in the Maildir M/new (by
      Message-ID), and whether each copy is multipart/encrypted and
      decrypts (gpg --homedir H) to the entity mailseal encrypts for the
      original (check_pgpmime.py's inner).  Prints "messages",
      "delivered" (distinct messages with at least one copy), "missing",
      "copies", "duplicates" (copies beyond the first), "clear" (copies
      not multipart/encrypted or holding the token in clear), "bad"
      (copies that do not decrypt to the original), and up to 5 "why"
      lines; exit 0.
  smtp_load.py count --dir D --maildir M
      Print how many distinct messages of D are in M/new (a quick poll).

Loopback only; it never connects anywhere else.
"""

import argparse
import os
import re
import smtplib
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import check_pgpmime  # noqa: E402

MSGID_RE = re.compile(rb"^Message-ID:\s*<([^>]*)>", re.I | re.M)
FILLER = ("The quick brown fox jumps over the lazy dog; "
          "pack my box with five dozen liquor jugs.\n")


def make(i, tag, sender, rcpts, size):
    head = ("From: Load <%s>\nTo: %s\nSubject: load %d\n"
            "Date: Sun, 22 Nov 2026 10:00:00 +0000\n"
            "Message-ID: <load.%d.%s@example.org>\nMIME-Version: 1.0\n"
            "Content-Type: text/plain; charset=us-ascii\n\n"
            % (sender, ", ".join(rcpts), i, i, tag))
    body = "Hello,\n\ntoken-%s-%d\n.a line that starts with a dot\n\n" \
        % (tag, i)
    while len(head) + len(body) + len(FILLER) <= size:
        body += FILLER
    return (head + body).encode("ascii")


def send(a):
    rcpts = a.to.split(",")
    msgs = []
    for i in range(1, a.count + 1):
        m = make(i, a.tag, a.sender, rcpts, a.size)
        with open(os.path.join(a.dir, "%d.eml" % i), "wb") as f:
            f.write(m)
        msgs.append(m.replace(b"\n", b"\r\n"))
    lock = threading.Lock()
    state = {"next": 0, "sent": 0, "failed": 0}
    errors = []

    def take():
        with lock:
            i = state["next"]
            state["next"] += 1
        return i if i < len(msgs) else None

    def client():
        conn = None
        while True:
            i = take()
            if i is None:
                break
            for attempt in range(3):
                try:
                    if conn is None:
                        conn = smtplib.SMTP("127.0.0.1", a.port, timeout=120)
                        conn.ehlo("load.example.org")
                    conn.sendmail(a.sender, rcpts, msgs[i])
                    with lock:
                        state["sent"] += 1
                    break
                except (smtplib.SMTPException, OSError) as e:
                    try:
                        if conn is not None:
                            conn.close()
                    except OSError:
                        pass
                    conn = None
                    if attempt == 2:
                        with lock:
                            state["failed"] += 1
                            errors.append("%d: %s" % (i + 1, e))
        if conn is not None:
            try:
                conn.quit()
            except (smtplib.SMTPException, OSError):
                pass

    t0 = time.monotonic()
    threads = [threading.Thread(target=client) for _ in range(a.clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    dt = time.monotonic() - t0
    print("sent %d" % state["sent"])
    print("failed %d" % state["failed"])
    print("seconds %.2f" % dt)
    print("rate %.1f" % (state["sent"] / dt if dt > 0 else 0.0))
    for e in errors[:5]:
        print("error %s" % e)
    return 0 if state["failed"] == 0 else 1


def originals(d):
    """{Message-ID: (index, bytes)} of the messages in d."""
    out = {}
    for n in os.listdir(d):
        if n.endswith(".eml") and n[:-4].isdigit():
            with open(os.path.join(d, n), "rb") as f:
                data = f.read()
            m = MSGID_RE.search(data)
            if m:
                out[m.group(1)] = (int(n[:-4]), data)
    return out


def copies(maildir, known):
    """{Message-ID: [file, ...]} of the files in maildir/new."""
    out = {}
    new = os.path.join(maildir, "new")
    for n in sorted(os.listdir(new)) if os.path.isdir(new) else []:
        p = os.path.join(new, n)
        with open(p, "rb") as f:
            head = f.read(65536)
        m = MSGID_RE.search(head.split(b"\n\n", 1)[0])
        if m and m.group(1) in known:
            out.setdefault(m.group(1), []).append(p)
    return out


def decrypts(path, orig, home):
    """None when the copy at path is encrypted and decrypts to orig's
    inner entity, else why not."""
    with open(path, "rb") as f:
        data = f.read()
    ct = check_pgpmime.Header(data).named("Content-Type")
    if not ct or b"multipart/encrypted" not in ct[0].lower():
        return "clear: not multipart/encrypted"
    token = re.search(rb"token-[^\s]+", orig)
    if token and token.group(0) in data:
        return "clear: the token is in the copy"
    try:
        armor = check_pgpmime.armor_block(data)
    except check_pgpmime.Fail as e:
        return "bad: %s" % e
    p = subprocess.run(["gpg", "--homedir", home, "--batch", "--no-tty",
                        "--quiet", "--pinentry-mode", "loopback",
                        "--passphrase", "", "--decrypt"],
                       input=armor, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE)
    if p.returncode != 0:
        return "bad: gpg exit %d: %s" % (
            p.returncode, p.stderr.decode("utf-8", "replace").strip()[:200])
    if p.stdout != check_pgpmime.inner(orig):
        return "bad: decrypts to something else"
    return None


def check(a):
    orig = originals(a.dir)
    got = copies(a.maildir, orig)
    ncopies = sum(len(v) for v in got.values())
    clear = bad = 0
    why = []
    for mid, files in sorted(got.items()):
        for p in files:
            w = decrypts(p, orig[mid][1], a.gnupghome)
            if w is None:
                continue
            if w.startswith("clear"):
                clear += 1
            else:
                bad += 1
            why.append("%s %s: %s" % (mid.decode(), os.path.basename(p), w))
    print("messages %d" % len(orig))
    print("delivered %d" % len(got))
    print("missing %d" % (len(orig) - len(got)))
    print("copies %d" % ncopies)
    print("duplicates %d" % (ncopies - len(got)))
    print("clear %d" % clear)
    print("bad %d" % bad)
    for w in why[:5]:
        print("why %s" % w)
    missing = sorted(orig[m][0] for m in orig if m not in got)
    if missing:
        print("why missing: %s" % " ".join(map(str, missing[:20])))
    return 0


def count(a):
    print(len(copies(a.maildir, originals(a.dir))))
    return 0


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("send")
    s.add_argument("--port", type=int, required=True)
    s.add_argument("--count", type=int, required=True)
    s.add_argument("--clients", type=int, default=10)
    s.add_argument("--dir", required=True)
    s.add_argument("--tag", required=True)
    s.add_argument("--from", dest="sender", default="alice@example.org")
    s.add_argument("--to", default="bob@example.org")
    s.add_argument("--size", type=int, default=2048)
    c = sub.add_parser("check")
    c.add_argument("--dir", required=True)
    c.add_argument("--maildir", required=True)
    c.add_argument("--gnupghome", required=True)
    n = sub.add_parser("count")
    n.add_argument("--dir", required=True)
    n.add_argument("--maildir", required=True)
    a = ap.parse_args()
    return {"send": send, "check": check, "count": count}[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main())
