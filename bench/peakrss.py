#!/usr/bin/env python3
"""peakrss.py - run a command, report its wall time and the peak RSS of
its whole process tree.

usage: peakrss.py [options] [--] COMMAND [ARG]...

  -i, --interval SEC   polling interval (default 0.005)
  --no-poll            do not poll /proc: time only (no peak RSS figure);
                       use this for timing runs so polling costs nothing
  --stdin FILE         the command's standard input is FILE
  --pipe-from FILE     the command's standard input is a pipe fed by
                       `cat FILE` (cat is started first, before the clock;
                       it is not counted in the RSS sum)
  --stdout FILE        the command's standard output goes to FILE
                       (truncated), else it is inherited
  --report FILE        append the result line to FILE (default: stderr)

The result is one line of key=value fields:

  wall_s          wall-clock seconds from spawning the command (and cat)
                  until the command exited
  exit            the command's exit status (-N: killed by signal N)
  peak_rss_mib    the largest sum, over all samples, of VmRSS (from
                  /proc/PID/status) of the command and every process
                  descended from it, in MiB (1048576 bytes); "-" with
                  --no-poll
  peak_procs      how many processes made up that largest sample
  peak_parts      that sample broken down by process name (comm)
  max_by_comm     the largest VmRSS seen for one process of each name
  max_hwm_by_comm the largest VmHWM (the kernel's own high-water mark of
                  the process since its exec) of one process of each
                  name, as last read before it exited (it can only miss
                  growth in the last interval): a cross-check that
                  sampling did not miss a short peak
  self_maxrss_mib the command's own ru_maxrss (wait4), in MiB
  children_maxrss_mib
                  ru_maxrss of RUSAGE_CHILDREN: the largest single
                  process among everything this script reaped, which
                  includes the command's grandchildren (see below)

                  Caveat: Linux keeps ru_maxrss across execve(), and a
                  child's memory before its exec is the forking
                  parent's (copied on fork, or shared with vfork and
                  posix_spawn).  So ru_maxrss of anything started from
                  Python is at least Python's own RSS (about 14 MiB),
                  and a gpg forked by mailseal starts from mailseal's.
                  VmHWM has no such floor.
  self_cpu_s      the command's own user+system CPU seconds
  tree_cpu_s      user+system CPU seconds of everything reaped here:
                  the command and its descendants (gpg included, thanks
                  to the subreaper), and the cat of --pipe-from
  tree_user_s, tree_sys_s
                  the same, split into user and system time
  samples         number of /proc samples taken

Descendants that double-fork (GPGME spawns gpg that way, so gpg's parent
is not mailseal) would be reparented to init and lost.  So this script
makes itself a child subreaper (prctl PR_SET_CHILD_SUBREAPER): orphans of
the tree are reparented to it, stay in the walk (every process descended
from this script, except the cat of --pipe-from, is counted) and are
reaped here, which also brings their ru_maxrss into RUSAGE_CHILDREN.

Sampling misses peaks shorter than the interval; ru_maxrss is the exact
per-process high-water mark, but not a sum.  RSS counts resident pages
mapped by the processes; page cache used by temporary files is not RSS.

Exit status: 0 when the command could be run and measured (whatever its
own exit status, which is reported), 2 on a usage error or when the
command could not be started.
"""
import ctypes
import os
import resource
import subprocess
import sys
import time

PR_SET_CHILD_SUBREAPER = 36


def usage(msg=None):
    if msg:
        sys.stderr.write("peakrss.py: %s\n" % msg)
    sys.stderr.write(__doc__.split("\n\n")[1] + "\n")
    sys.exit(2)


def set_subreaper():
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0:
            return True
    except (OSError, AttributeError):
        pass
    sys.stderr.write("peakrss.py: warning: cannot become a child "
                     "subreaper; double-forked descendants are missed\n")
    return False


def proc_table():
    """{pid: (ppid, comm)} for every process now in /proc"""
    table = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % name, "rb") as f:
                data = f.read()
        except OSError:
            continue
        lp, rp = data.find(b"("), data.rfind(b")")
        if lp < 0 or rp < 0:
            continue
        rest = data[rp + 2:].split()
        try:
            table[int(name)] = (int(rest[1]),
                                data[lp + 1:rp].decode("utf-8", "replace"))
        except (IndexError, ValueError):
            continue
    return table


def status_of(pid):
    """(comm, VmRSS KiB, VmHWM KiB) of a process, or None when it is gone;
    a zombie has no VmRSS and reads as 0"""
    comm, rss, hwm = "?", 0, 0
    try:
        with open("/proc/%d/status" % pid, "rb") as f:
            for line in f:
                if line.startswith(b"Name:"):
                    comm = line[5:].strip().decode("utf-8", "replace")
                elif line.startswith(b"VmHWM:"):
                    hwm = int(line.split()[1])
                elif line.startswith(b"VmRSS:"):
                    rss = int(line.split()[1])
                    break
    except (OSError, ValueError, IndexError):
        return None
    return comm, rss, hwm


def have_children_files():
    return os.path.exists("/proc/self/task/%d/children" % os.getpid())


def children_of(pid):
    """the children of every thread of pid (CONFIG_PROC_CHILDREN)"""
    out = []
    try:
        tids = os.listdir("/proc/%d/task" % pid)
    except OSError:
        return out
    for tid in tids:
        try:
            with open("/proc/%d/task/%s/children" % (pid, tid), "rb") as f:
                out.extend(int(x) for x in f.read().split())
        except (OSError, ValueError):
            continue
    return out


def descendants(root, exclude, table=None):
    """every process below root, except those in exclude (and their
    descendants).  Uses /proc/PID/task/TID/children when the kernel has
    it (a few reads per process), else one walk of /proc/*/stat."""
    if table is None and FAST:
        kids = children_of
    else:
        if table is None:
            table = proc_table()
        idx = {}
        for pid, (ppid, _) in table.items():
            idx.setdefault(ppid, []).append(pid)

        def kids(p):
            return idx.get(p, [])
    out, todo = [], list(kids(root))
    while todo:
        pid = todo.pop()
        if pid in exclude:
            continue
        out.append(pid)
        todo.extend(kids(pid))
    return out


FAST = have_children_files()


def sample(me, exclude):
    """[(pid, comm, VmRSS KiB, VmHWM KiB)] of every process below me"""
    parts = []
    for pid in descendants(me, exclude):
        st = status_of(pid)
        if st is not None:
            parts.append((pid,) + st)
    return parts


def main(argv):
    interval, poll = 0.005, True
    stdin_file = pipe_from = stdout_file = report = None
    i = 0
    while i < len(argv):
        a = argv[i]
        if a == "--":
            i += 1
            break
        if not a.startswith("-"):
            break
        if a in ("-i", "--interval", "--stdin", "--pipe-from", "--stdout",
                 "--report"):
            if i + 1 >= len(argv):
                usage("%s needs an argument" % a)
            v = argv[i + 1]
            if a in ("-i", "--interval"):
                try:
                    interval = float(v)
                except ValueError:
                    usage("bad interval %s" % v)
            elif a == "--stdin":
                stdin_file = v
            elif a == "--pipe-from":
                pipe_from = v
            elif a == "--stdout":
                stdout_file = v
            else:
                report = v
            i += 2
        elif a == "--no-poll":
            poll = False
            i += 1
        elif a in ("-h", "--help"):
            sys.stdout.write(__doc__)
            return 0
        else:
            usage("unknown option %s" % a)
    cmd = argv[i:]
    if not cmd:
        usage("no command")
    if stdin_file and pipe_from:
        usage("--stdin and --pipe-from exclude each other")

    set_subreaper()
    me = os.getpid()
    # Children this process reaped before it was us (a wrapper such as a
    # pyenv shim runs commands, then execs Python): not ours to count.
    base = resource.getrusage(resource.RUSAGE_CHILDREN)
    stdin = stdout = None
    cat = None
    try:
        if stdin_file:
            stdin = open(stdin_file, "rb")
        if stdout_file:
            stdout = open(stdout_file, "wb")
    except OSError as e:
        usage(str(e))

    t0 = time.monotonic()
    try:
        if pipe_from:
            cat = subprocess.Popen(["cat", "--", pipe_from],
                                   stdout=subprocess.PIPE)
            stdin = cat.stdout
        proc = subprocess.Popen(cmd, stdin=stdin, stdout=stdout)
    except OSError as e:
        sys.stderr.write("peakrss.py: %s: %s\n" % (cmd[0], e))
        return 2
    if cat is not None:
        cat.stdout.close()	# the command holds the read end now
    exclude = {cat.pid} if cat is not None else set()

    peak, peak_parts, samples = 0, [], 0
    max_by_comm = {}
    hwm = {}		# (pid, comm) -> last VmHWM seen
    status = ru = None
    t1 = None

    def reap(block_pid=None):
        """reap what has exited; returns True once the command has"""
        nonlocal status, ru, t1
        while True:
            try:
                if block_pid is not None:
                    pid, st, r = os.wait4(block_pid, 0)
                    block_pid = None
                else:
                    pid, st, r = os.wait4(-1, os.WNOHANG)
            except ChildProcessError:
                return status is not None
            if pid == 0:
                return status is not None
            if pid == proc.pid:
                t1 = time.monotonic()
                status, ru = st, r
            if status is not None and block_pid is None and not poll:
                # timing only: do not linger, the rest is reaped below
                return True

    if poll:
        while True:
            # below 64 KiB: a zombie, or a process inside execve()
            parts = [p for p in sample(me, exclude) if p[2] >= 64]
            samples += 1
            tot = sum(p[2] for p in parts)
            if tot > peak:
                peak, peak_parts = tot, [(p[1], p[2]) for p in parts]
            for pid, comm, kib, hw in parts:
                if kib > max_by_comm.get(comm, 0):
                    max_by_comm[comm] = kib
                if hw > hwm.get((pid, comm), 0):
                    hwm[(pid, comm)] = hw
            if reap():
                break
            time.sleep(interval)
    else:
        reap(block_pid=proc.pid)
    proc.returncode = 0		# we reaped it ourselves; keep Popen quiet

    # Reap what is left (cat; gpg orphans finishing after the command).
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            pid, _, _ = os.wait4(-1, os.WNOHANG)
        except ChildProcessError:
            break
        if pid == 0:
            left = descendants(me, set())
            if not left:
                break
            time.sleep(0.002)
    if cat is not None:
        cat.returncode = 0

    if os.WIFEXITED(status):
        code = os.WEXITSTATUS(status)
    else:
        code = -os.WTERMSIG(status)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    cu = children.ru_utime - base.ru_utime
    cs = children.ru_stime - base.ru_stime

    def mib(kib):
        return "%.1f" % (kib / 1024.0)

    def parts_str(parts):
        agg = {}
        for comm, kib in parts:
            agg[comm] = agg.get(comm, 0) + kib
        return ",".join("%s:%s" % (c, mib(k)) for c, k in
                        sorted(agg.items(), key=lambda x: -x[1])) or "-"

    def max_parts_str(h):
        agg = {}
        for (_, comm), kib in h.items():
            agg[comm] = max(agg.get(comm, 0), kib)
        return ",".join("%s:%s" % (c, mib(k)) for c, k in
                        sorted(agg.items(), key=lambda x: -x[1])) or "-"

    fields = [
        ("wall_s", "%.3f" % (t1 - t0)),
        ("exit", str(code)),
        ("peak_rss_mib", mib(peak) if poll else "-"),
        ("peak_procs", str(len(peak_parts)) if poll else "-"),
        ("peak_parts", parts_str(peak_parts) if poll else "-"),
        ("max_by_comm", parts_str(list(max_by_comm.items()))
         if poll else "-"),
        ("max_hwm_by_comm", max_parts_str(hwm) if poll else "-"),
        ("self_maxrss_mib", mib(ru.ru_maxrss)),
        ("children_maxrss_mib", mib(children.ru_maxrss)),
        ("self_cpu_s", "%.3f" % (ru.ru_utime + ru.ru_stime)),
        ("tree_cpu_s", "%.3f" % (cu + cs)),
        ("tree_user_s", "%.3f" % cu),
        ("tree_sys_s", "%.3f" % cs),
        ("samples", str(samples)),
    ]
    line = " ".join("%s=%s" % kv for kv in fields) + "\n"
    if report:
        with open(report, "a") as f:
            f.write(line)
    else:
        sys.stderr.write(line)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
