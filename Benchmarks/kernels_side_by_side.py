#!/usr/bin/env python3
"""The service's kernels, numpy, JAX-jit and the vectorised C reference in one table of ratios.

Runs `activation-bench --only kernels` (ours, one thread and all cores, plus the C reference
timed alternately with ours) and `kernels_numpy_jax.py` (numpy one thread, JAX jit one core)
alternately for ROUNDS rounds (default 2), so that a change in machine load hits every column
alike, and prints the median of the rounds for each row with its ratios to the other columns.

    python3 Benchmarks/kernels_side_by_side.py [--quick] [--rounds N] [--bench PATH]

`make bench-compare` builds activation-bench for ACTIVATION_CPU (default: this machine's level)
and runs this script.
"""
import argparse
import os
import re
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
TARGET = {"forward": 1.0e9, "derivative": 0.8e9}

OURS = re.compile(r"^(\S+)\s+(forward|derivative)\s+(1M|16M)\s+([\d.]+) G\s+([\d.]+) G(.*)$")
C_REF = re.compile(r"C ref ([\d.]+) G")
THEIRS = re.compile(r"^(\S+)\s+(forward|derivative)\s+(1M|16M)\s+(\S+(?: G)?)\s+(\S+(?: G)?)\s*$")


def giga(cell):
    return float(cell.split()[0]) * 1e9 if cell and cell != "-" else None


def run_ours(bench, quick):
    out = subprocess.run([bench, "--only", "kernels"] + (["--quick"] if quick else []),
                         check=True, capture_output=True, text=True).stdout
    rows = {}
    for line in out.splitlines():
        m = OURS.match(line)
        if m:
            c = C_REF.search(m.group(6))
            rows[m.group(1, 2, 3)] = (float(m.group(4)) * 1e9, float(m.group(5)) * 1e9,
                                      float(c.group(1)) * 1e9 if c else None)
    return rows


def run_theirs(quick):
    out = subprocess.run([sys.executable, os.path.join(HERE, "kernels_numpy_jax.py")] + (["--quick"] if quick else []),
                         check=True, capture_output=True, text=True).stdout
    rows, versions = {}, [line for line in out.splitlines()[:2]]
    for line in out.splitlines():
        m = THEIRS.match(line)
        if m and m.group(1) != "kernel":
            rows[m.group(1, 2, 3)] = (giga(m.group(4)), giga(m.group(5)))
    return rows, versions


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def ratio(a, b):
    return f"{a / b:.2f}" if a and b else "–"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="1M elements only")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--bench", default=os.path.join(ROOT, ".build", "release", "activation-bench"))
    args = parser.parse_args()

    ours, theirs, versions = [], [], []
    for _ in range(args.rounds):
        ours.append(run_ours(args.bench, args.quick))
        rows, versions = run_theirs(args.quick)
        theirs.append(rows)

    print(f"{args.rounds} alternating rounds, medians; " + "; ".join(versions))
    print("| kernel | op | n | ours 1 thread | ours all cores | numpy | JAX jit | C ref | ours/numpy | ours/JAX | C/ours | target |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for key in ours[0]:
        one = median([r[key][0] for r in ours if key in r])
        many = median([r[key][1] for r in ours if key in r])
        c = median([r[key][2] for r in ours if key in r])
        numpy_rate = median([r.get(key, (None, None))[0] for r in theirs])
        jax_rate = median([r.get(key, (None, None))[1] for r in theirs])
        cell = lambda v: f"{v / 1e9:.3f} G" if v else "–"  # noqa: E731
        met = "met" if one >= TARGET[key[1]] else "MISS"
        print(f"| {key[0]} | {key[1]} | {key[2]} | {cell(one)} | {cell(many)} | {cell(numpy_rate)} | {cell(jax_rate)} "
              f"| {cell(c)} | {ratio(one, numpy_rate)} | {ratio(one, jax_rate)} | {ratio(c, one)} | {met} |")


if __name__ == "__main__":
    main()
