#!/usr/bin/python3
"""genaddrs.py N [EXTRA...] - a message whose To fields hold N distinct
short addresses ("abc@d", folded, at most 1000 a field: addr.c's
LIMIT_RECIPIENTS per field), the EXTRA addresses last; on stdout.

N = 155700 gives a header of just under 1 MiB (LIMIT_HEADER_BLOCK less
the room the filter keeps for its own fields): issue 8 item 16."""
import itertools
import string
import sys


def addrs(n):
    chars = string.ascii_lowercase + string.digits
    doms = string.ascii_lowercase
    k = 0
    for length in (1, 2, 3, 4):
        for local in itertools.product(chars, repeat=length):
            for d in doms:
                if k == n:
                    return
                yield "%s@%s" % ("".join(local), d)
                k += 1


def main():
    n = int(sys.argv[1])
    extra = sys.argv[2:]
    all_ = list(addrs(n)) + extra
    out = ["From: alice@example.org\n"]
    for i in range(0, len(all_), 1000):
        chunk = all_[i:i + 1000]
        lines = [",".join(chunk[j:j + 100]) for j in range(0, len(chunk), 100)]
        out.append("To: " + ",\n ".join(lines) + "\n")
    out.append("Subject: many\n\nthe key is under the mat\n")
    sys.stdout.write("".join(out))


main()
