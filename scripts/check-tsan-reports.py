#!/usr/bin/env python3
"""Classifies ThreadSanitizer reports in <dir>/tsan.* (TSAN_OPTIONS log_path) and fails on
any that is not a known false positive.

Known false positive (accepted, counted): a race report whose two accesses both happen inside
the body of `Synchronization.Mutex.withLock` — TSan cannot see that Mutex (PI futexes, see
scripts/test-tsan.sh). A `withLock` body is a non-escaping closure taking `inout sending State`
and returning `sending Result`; its mangled name carries `zYu…XEfU<n>_`, which is how frames are
recognised. Every other report (a race with an access outside a lock, use after free, lock
order inversion, signal-unsafe call, …) fails the check.
Usage: scripts/check-tsan-reports.py .build-tsan"""
import collections
import glob
import os
import re
import sys

LOCKED_FRAME = re.compile(r"zYu\w*?XEfU\d*_")
HEADER = re.compile(r"WARNING: ThreadSanitizer: (.+?) \(pid=\d+\)")
ACCESS = re.compile(r"^\s*(Previous )?(read|write|modifying access|atomic \w+|\w+ access|\w+)\b.* (by thread T\d+|by main thread)", re.I)
FRAME = re.compile(r"^\s*#\d+ (\S+)")


def reports(text):
    for chunk in text.split("==================\n"):
        m = HEADER.search(chunk)
        if m:
            yield m.group(1), chunk


def access_stacks(chunk):
    """The frames of each access ('Read of …' and 'Previous write of …')."""
    stacks, current = [], None
    for line in chunk.splitlines():
        if ACCESS.match(line) and ("of size" in line or "access" in line.lower()):
            current = []
            stacks.append(current)
        elif current is not None:
            f = FRAME.match(line)
            if f:
                current.append(f.group(1))
            elif not line.strip():
                current = None
    return stacks


def main(directory):
    files = sorted(glob.glob(os.path.join(directory, "tsan.*")))
    accepted, rejected = collections.Counter(), []
    for path in files:
        for kind, chunk in reports(open(path, errors="replace").read()):
            summary = next((l for l in chunk.splitlines() if l.startswith("SUMMARY:")), kind)
            stacks = access_stacks(chunk)
            if "race" in kind and len(stacks) >= 2 and all(any(LOCKED_FRAME.search(f) for f in s) for s in stacks[:2]):
                where = re.sub(r" in \S+$", "", summary.replace("SUMMARY: ThreadSanitizer: ", ""))
                accepted[where] += 1
            else:
                rejected.append((path, chunk))
    print(f"TSan: {len(files)} log file(s), {sum(accepted.values())} report(s) with both accesses inside Mutex.withLock (accepted), "
          f"{len(rejected)} other report(s)")
    for where, n in accepted.most_common():
        print(f"  accepted ×{n}: {where}")
    for path, chunk in rejected:
        print(f"=== REJECTED ({path})\n{chunk}")
    return 1 if rejected else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else ".build-tsan"))
