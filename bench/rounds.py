#!/usr/bin/env python3
"""rounds.py - time several commands in interleaved rounds.

usage: rounds.py ROUNDS CASEFILE

CASEFILE has one case a line, fields separated by TAB:

  NAME <TAB> STDIN <TAB> STDOUT <TAB> COMMAND...

STDIN is a file name, "|FILE" for a pipe fed by `cat FILE` (cat starts
with the clock, as a shell pipe would), or "-" for /dev/null; STDOUT a
file name (truncated before each run) or "-" for /dev/null.  COMMAND is
split on TAB too (no shell).

Each round runs every case once, in the file's order, so that a slow
spell of a shared machine hits all of them alike.  The wall time of a run
is from just before the command (and cat) is spawned until the command
has exited.  The CPU time of a run is the user+system time of the
command and of everything below it: this script is a child subreaper,
so the gpg processes GPGME starts detached are reaped here and counted
(it waits up to 5 s after the command for them).  CPU time is much less
sensitive than wall time to other work on a shared machine, but it does
not show what runs in parallel on two cores.  Prints one line a case:

  NAME best_s median_s runs failures cpu_best_s cpu_median_s

A run whose exit status is not 0 counts as a failure (its time is kept
out); the exit status of this script is 1 when any run failed, else 0.
"""
import ctypes
import os
import resource
import statistics
import subprocess
import sys
import time


PR_SET_CHILD_SUBREAPER = 36


def reap_all(deadline):
    """reap every child (orphans included) until none is left"""
    while time.monotonic() < deadline:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            time.sleep(0.0005)


def cpu_children():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run_once(stdin, stdout, cmd):
    cat = None
    fin = fout = None
    if stdin == "-":
        fin = open(os.devnull, "rb")
    elif not stdin.startswith("|"):
        fin = open(stdin, "rb")
    fout = open(os.devnull if stdout == "-" else stdout, "wb")
    t0 = time.perf_counter()
    if stdin.startswith("|"):
        cat = subprocess.Popen(["cat", "--", stdin[1:]],
                               stdout=subprocess.PIPE)
        fin = cat.stdout
    p = subprocess.Popen(cmd, stdin=fin, stdout=fout)
    if cat is not None:
        cat.stdout.close()
    rc = p.wait()
    t1 = time.perf_counter()
    if cat is not None:
        cat.wait()
    elif fin is not None:
        fin.close()
    fout.close()
    return t1 - t0, rc


def run_cpu(stdin, stdout, cmd):
    """run_once, and the CPU seconds of the whole tree"""
    c0 = cpu_children()
    t, rc = run_once(stdin, stdout, cmd)
    reap_all(time.monotonic() + 5)
    c = cpu_children() - c0
    # with "|FILE" cat is counted too: the pipe is part of the case
    return t, rc, c


def main(argv):
    if len(argv) != 2:
        sys.stderr.write(__doc__.split("\n\n")[1] + "\n")
        return 2
    rounds = int(argv[0])
    cases = []
    with open(argv[1]) as f:
        for line in f:
            line = line.rstrip("\n")
            if not line:
                continue
            fields = line.split("\t")
            cases.append((fields[0], fields[1], fields[2], fields[3:]))
    try:
        ctypes.CDLL(None).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    except (OSError, AttributeError):
        pass
    times = {c[0]: [] for c in cases}
    cpus = {c[0]: [] for c in cases}
    fails = {c[0]: 0 for c in cases}
    for _ in range(rounds):
        for name, stdin, stdout, cmd in cases:
            t, rc, c = run_cpu(stdin, stdout, cmd)
            if rc != 0:
                fails[name] += 1
            else:
                times[name].append(t)
                cpus[name].append(c)
    bad = 0
    for name, _, _, _ in cases:
        ts = times[name]
        if ts:
            print("%s %.6f %.6f %d %d %.6f %.6f" % (name, min(ts),
                  statistics.median(ts), len(ts), fails[name],
                  min(cpus[name]), statistics.median(cpus[name])))
        else:
            print("%s - - 0 %d - -" % (name, fails[name]))
        bad += fails[name]
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
