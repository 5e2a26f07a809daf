"""Every reference case of shared/reference/activations.json against the release binary.

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

HERE = os.path.dirname(os.path.abspath(__file__))
TILES = 37


def find_reference() -> str:
    directory = HERE
    while True:
        candidate = os.path.join(directory, "shared", "reference", "activations.json")
        if os.path.exists(candidate):
            return candidate
        parent = os.path.dirname(directory)
        if parent == directory:
            pytest.skip("shared/reference/activations.json not found above the tests")
        directory = parent


def number(v):
    if v is None:
        return None
    if isinstance(v, str):
        return {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}[v]
    return float(v)


def meets_accuracy(got, ref) -> bool:
    """ACTIVATIONS.md accuracy rule (the same as the Swift tests' meetsAccuracyRule)."""
    if ref is None:
        return True
    if math.isnan(ref):
        return math.isnan(got)
    if math.isnan(got):
        return False
    if abs(ref) > 3.4028234663852886e38:
        return got == math.copysign(math.inf, ref)
    if abs(ref) < 1.1754943508222875e-38 and got == 0:
        return True
    return math.isfinite(got) and abs(got - ref) <= 2e-6 * abs(ref) + 1e-7


def post(server, path, body):
    request = urllib.request.Request(server.url + path, data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


with open(find_reference()) as f:
    CASES = json.load(f)["cases"]


def label(case) -> str:
    return f"{case['activation']}-{json.dumps(case['params'], sort_keys=True)}-adv{int(case['adversarial'])}"


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
