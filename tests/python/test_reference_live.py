"""Every case of tests/reference/activations.json against the release binary.

The Swift tests check the same cases in a debug build (no -target-cpu, no FMA); this file checks
the binary `make test` builds and `make run` serves, whose kernels are compiled for the CPU level
chosen in the Makefile (x86-64-v3 with fused multiply-adds on AVX2 hosts). Each case's points
are sent tiled 37 times, so every point is evaluated in every vector lane position and in the
scalar remainder loop.
"""
import json
import math
import os
import urllib.error
import urllib.request

import pytest

# The repository's own reference file (tests/python/../reference), never one outside the clone.
REFERENCE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                         "reference", "activations.json")
TILES = 37
FLT_MAX = 3.4028234663852886e38
FLT_MIN_NORMAL = 1.1754943508222875e-38
OVERFLOW_THRESHOLD = 2.0 ** 128 - 2.0 ** 103  # smallest |r| that rounds to ±inf in float32


def load_cases():
    try:
        with open(REFERENCE) as f:
            return json.load(f)["cases"], None
    except (OSError, ValueError, KeyError) as e:
        return [], f"cannot read {REFERENCE}: {e} (part of the repository; `make reference` regenerates it)"


CASES, LOAD_ERROR = load_cases()


def test_reference_file_loads():
    assert LOAD_ERROR is None, LOAD_ERROR
    assert CASES


def number(v):
    if v is None:
        return None
    if isinstance(v, str):
        return {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}[v]
    return float(v)


def meets_accuracy(got, ref) -> bool:
    """The accuracy rule of docs/ACTIVATIONS.md, as Tests/TestSupport/AccuracyRule.swift states it."""
    if ref is None:
        return True
    if math.isnan(ref) or math.isnan(got):
        return math.isnan(ref) and math.isnan(got)
    if abs(ref) >= OVERFLOW_THRESHOLD:
        return got == math.copysign(math.inf, ref)
    if math.isinf(got):
        return (got > 0) == (ref > 0) and FLT_MAX <= abs(ref) * (1 + 2e-6)
    if abs(ref) < FLT_MIN_NORMAL and got == 0:
        return True
    return abs(got - ref) <= 2e-6 * abs(ref) + 1e-7


def post(server, path, body):
    request = urllib.request.Request(server.url + path, data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def label(case) -> str:
    return f"{case['activation']}{'-adversarial' if case['adversarial'] else ''}"


def check_values(name, xs, got, refs, failures):
    assert len(got) == TILES * len(xs), f"{name}: {len(got)} values for {TILES * len(xs)} inputs"
    for tile in range(TILES):
        for i, (x, ref) in enumerate(zip(xs, refs)):
            g = number(got[tile * len(xs) + i])
            if not meets_accuracy(g, number(ref)):
                failures.append(f"{name}({x}) = {g}, reference {ref} (tile {tile})")


@pytest.mark.parametrize("case", CASES, ids=label)
def test_reference_case_through_release_binary(server, case):
    path = f"/v1/activations/{case['activation']}"
    if case.get("unsupported"):
        status, problem = post(server, path + "/forward", {"x": [0.5], "adversarial": True})
        assert status == 422 and problem.get("detail")
        return
    xs = case["x"]
    body = {"x": xs * TILES, "params": case["params"], "adversarial": case["adversarial"]}
    failures = []
    status, forward = post(server, path + "/forward", body)
    assert status == 200, forward
    check_values("y", xs, forward["y"], case["y"], failures)

    wants_params = bool(case.get("dparams")) or "dvelocities" in case
    status, gradient = post(server, path + "/gradient", dict(body, param_gradients=wants_params))
    assert status == 200, gradient
    check_values("dydx", xs, gradient["dydx"], case["dydx"], failures)
    for name, refs in (case.get("dparams") or {}).items():
        check_values(f"d/d{name}", xs, gradient["dparams"][name], refs, failures)
    if "dvelocities" in case:
        rows = gradient["dparams"]["velocities"]
        width = len(case["dvelocities"][0])
        for j in range(width):
            column = [row[j] for row in rows]
            check_values(f"d/dvelocities[{j}]", xs, column, [r[j] for r in case["dvelocities"]], failures)
    assert not failures, f"{len(failures)} points outside the accuracy rule:\n" + "\n".join(failures[:20])
