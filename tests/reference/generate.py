#!/usr/bin/env python3
"""Generates tests/reference/activations.json: high-precision reference values for every catalog
entry, its derivatives and parameter derivatives, and its adversarial counterpart.

Everything is computed with mpmath at DPS significant digits from the defining formulas of
docs/ACTIVATIONS.md and rounded to double only when written. The run is deterministic: the random
points and parameter sets come from a seeded generator. Run with `make reference` (or
`python3 tests/reference/generate.py [output]`); `make test` only reads the committed output.

File shape: {"about": str, "cases": [case, ...]}; a case holds activation, params, adversarial,
x, y, dydx and, where the entry has numeric parameters, dparams {name: [...]} (DiTAC:
dvelocities, one row per x). Non-finite values are the strings "NaN", "Infinity", "-Infinity";
null marks a point without a single-valued derivative (DiTAC at a and b).

Derivatives of smooth functions are taken by mpmath's numerical differentiation at raised
precision (independent of the closed forms the service implements); kinks follow the PyTorch
conventions of docs/ACTIVATIONS.md (e.g. relu'(0) = 0, elu'(0) = alpha, hardswish'(3) = 1.5).
Random inputs and parameters are float32 values, so the references are exact for what a float32
kernel receives.
"""
import json
import math
import random
import struct
import sys
import os

import mpmath
from mpmath import mp, mpf

DPS = 50
mp.dps = DPS
SEED = 20260502

HERE = os.path.dirname(os.path.abspath(__file__))
OUTPUT = os.path.join(HERE, "activations.json")

SELU_ALPHA = mpf("1.6732632423543772848170429916717")
SELU_LAMBDA = mpf("1.0507009873554804934193349852946")
GELU_K = mp.sqrt(2 / mp.pi)
GELU_C = mpf("0.044715")
QUICK = mpf("1.702")

# ---------------------------------------------------------------------------------------------
# Plain activations: f(x, p) for smooth pieces; kinks handled in `derivative`.


def sigmoid(z):
    return 1 / (1 + mp.exp(-z))


def softplus(z):
    return mp.log1p(mp.exp(z)) if z < 0 else z + mp.log1p(mp.exp(-z))


def forward(name, x, p):
    if name == "relu":
        return x if x > 0 else mpf(0)
    if name in ("leaky_relu", "prelu"):
        s = p["negative_slope" if name == "leaky_relu" else "weight"]
        return x if x > 0 else s * x
    if name == "elu":
        return x if x > 0 else p["alpha"] * mp.expm1(x)
    if name == "selu":
        return SELU_LAMBDA * (x if x > 0 else SELU_ALPHA * mp.expm1(x))
    if name == "celu":
        a = p["alpha"]
        return x if x > 0 else a * mp.expm1(x / a)
    if name == "softplus":
        b = p["beta"]
        return softplus(b * x) / b
    if name == "silu":
        return x * sigmoid(p["beta"] * x)
    if name == "mish":
        return x * mp.tanh(softplus(x))
    if name == "sigmoid":
        return sigmoid(x)
    if name == "tanh":
        return mp.tanh(x)
    if name == "hardsigmoid":
        return min(max(x + 3, mpf(0)), mpf(6)) / 6
    if name == "hardswish":
        return x * min(max(x + 3, mpf(0)), mpf(6)) / 6
    if name == "softsign":
        return x / (1 + abs(x))
    if name == "gelu":
        return x * gelu_gate(x, p["approximate"])
    if name == "golu":
        return x * golu_gate(x, p)
    if name == "sqish":
        return x * sqish_gate(x, p)
    raise KeyError(name)


def gelu_gate(x, approximate):
    if approximate == "none":
        return mp.ncdf(x)
    if approximate == "tanh":
        return sigmoid(2 * GELU_K * (x + GELU_C * x ** 3))
    return sigmoid(QUICK * x)


def golu_gate(x, p):
    return p["alpha"] * mp.exp(-p["beta"] * mp.exp(-p["gamma"] * x))


def sqish_gate(x, p):
    a, b, g = p["alpha"], p["beta"], p["gamma"]
    z = (1 - a) * x
    return a + (1 - a) / mp.sqrt(1 + b * mp.exp(-2 * g * z))


SMOOTH = {"softplus", "silu", "mish", "sigmoid", "tanh", "softsign", "gelu", "golu", "sqish"}


def derivative(name, x, p):
    """f'(x) with PyTorch's kink conventions."""
    if name == "relu":
        return mpf(1) if x > 0 else mpf(0)
    if name in ("leaky_relu", "prelu"):
        return mpf(1) if x > 0 else p["negative_slope" if name == "leaky_relu" else "weight"]
    if name == "elu":
        return mpf(1) if x > 0 else p["alpha"] * mp.exp(x)
    if name == "selu":
        return SELU_LAMBDA * (1 if x > 0 else SELU_ALPHA * mp.exp(x))
    if name == "celu":
        return mpf(1) if x > 0 else mp.exp(x / p["alpha"])
    if name == "hardsigmoid":
        return mpf(1) / 6 if -3 < x < 3 else mpf(0)
    if name == "hardswish":
        if x < -3:
            return mpf(0)
        if x > 3:
            return mpf(1)
        return x / 3 + mpf(1) / 2
    return mp.diff(lambda t: forward(name, t, p), x)


def parameter_derivative(name, x, p, key):
    """∂f/∂key at x; None at x = 0 for the piecewise entries, where the one-sided parameter
    derivatives differ in general (the service may answer either side's value)."""
    if name in ("leaky_relu", "prelu", "elu", "celu") and x == 0:
        return None
    if name in ("leaky_relu", "prelu"):
        return x if x <= 0 else mpf(0)
    if name == "elu":
        return mp.expm1(x) if x <= 0 else mpf(0)
    if name == "celu":
        a = p["alpha"]
        return (mp.expm1(x / a) - (x / a) * mp.exp(x / a)) if x <= 0 else mpf(0)

    # Closed forms where f is dominated by a part that does not depend on the parameter (a
    # difference quotient would cancel: e.g. GoLU's ∂f/∂β ~ e^{−γx} next to f ~ αx).
    if name == "softplus":
        b = p["beta"]
        return -softplus(b * x) / b ** 2 + (x / b) * sigmoid(b * x)
    if name == "silu":
        b = p["beta"]
        return x * x * sigmoid(b * x) * sigmoid(-b * x)
    if name == "golu":
        a, b, g = p["alpha"], p["beta"], p["gamma"]
        u = mp.exp(-g * x)
        w = mp.exp(-g * x - b * u)
        return {"alpha": x * mp.exp(-b * u), "beta": -a * x * w, "gamma": a * b * x * x * w}[key]
    if name == "sqish":
        a, b, g = p["alpha"], p["beta"], p["gamma"]
        z = (1 - a) * x
        e = mp.exp(-2 * g * z)
        d = 1 + b * e
        gz = d ** mpf(-0.5)
        zgp = z * g * b * e * d ** mpf(-1.5)  # z·g'(z)
        return {"alpha": x * (1 - gz - zgp), "beta": -z * e / (2 * d ** mpf(1.5)),
                "gamma": z * z * b * e / d ** mpf(1.5)}[key]

    def along(v):
        q = dict(p)
    return mp.diff(along, p[key])


# ---------------------------------------------------------------------------------------------
# Adversarial counterparts (docs/ACTIVATIONS.md, "Adversarial counterparts and HD-FGD").

GLOBAL = {"sigmoid", "tanh", "softsign", "softplus", "elu", "selu", "celu", "leaky_relu", "prelu"}
SPLIT = {"silu", "gelu", "golu", "mish", "sqish"}


def global_counterpart(name, x, p):
    """(g, g') of the global counterpart g = f(0) + ∫₀ˣ dt/f'(t) (closed forms)."""
    if name == "sigmoid":
        return mpf(1) / 2 + 2 * x + 2 * mp.sinh(x), 2 + 2 * mp.cosh(x)
    if name == "tanh":
        return x / 2 + mp.sinh(2 * x) / 4, mp.cosh(x) ** 2
    if name == "softsign":
        return x + x * abs(x) + x ** 3 / 3, (1 + abs(x)) ** 2
    if name == "softplus":
        b = p["beta"]
        return mp.log(2) / b + x - mp.expm1(-b * x) / b, 1 + mp.exp(-b * x)
    if name == "elu":
        a = p["alpha"]
        return (x, mpf(1)) if x > 0 else (-mp.expm1(-x) / a, mp.exp(-x) / a)
    if name == "selu":
        la = SELU_LAMBDA * SELU_ALPHA
        return (x / SELU_LAMBDA, 1 / SELU_LAMBDA) if x > 0 else (-mp.expm1(-x) / la, mp.exp(-x) / la)
    if name == "celu":
        a = p["alpha"]
        return (x, mpf(1)) if x >= 0 else (-a * mp.expm1(-x / a), mp.exp(-x / a))
    if name in ("leaky_relu", "prelu"):
        s = p["negative_slope" if name == "leaky_relu" else "weight"]
        return (x, mpf(1)) if x > 0 else (x / s, 1 / s)
    raise KeyError(name)


def split_gate(name, p):
    """(q, q') of a self-gated activation f = x·q(x) as functions of t."""
    if name == "silu" or (name == "gelu" and p["approximate"] == "sigmoid"):
        b = p["beta"] if name == "silu" else QUICK
        return (lambda t: sigmoid(b * t)), (lambda t: b * sigmoid(b * t) * sigmoid(-b * t))
    if name == "gelu" and p["approximate"] == "none":
        return mp.ncdf, mp.npdf
    if name == "gelu":
        def qp(t):
            u = 2 * GELU_K * (t + GELU_C * t ** 3)
            return sigmoid(u) * sigmoid(-u) * 2 * GELU_K * (1 + 3 * GELU_C * t ** 2)
        return (lambda t: gelu_gate(t, "tanh")), qp
    if name == "golu":
        a, b, g = p["alpha"], p["beta"], p["gamma"]
        return (lambda t: golu_gate(t, p)), (lambda t: a * b * g * mp.exp(-g * t - b * mp.exp(-g * t)))
    if name == "mish":
        def qp(t):
            return mp.sech(softplus(t)) ** 2 * sigmoid(t)
        return (lambda t: mp.tanh(softplus(t))), qp
    if name == "sqish":
        a, b, g = p["alpha"], p["beta"], p["gamma"]

        def qp(t):
            e = b * mp.exp(-2 * g * (1 - a) * t)
            return (1 - a) ** 2 * g * e * (1 + e) ** mpf(-1.5)
        return (lambda t: sqish_gate(t, p)), qp
    raise KeyError(name)


def gate_integral_closed(name, x, p):
    """∫₀ˣ dt/q'(t) in closed form where one exists, else None."""
    if name == "silu" or (name == "gelu" and p["approximate"] == "sigmoid"):
        b = p["beta"] if name == "silu" else QUICK
        return (2 * x + 2 * mp.sinh(b * x) / b) / b
    if name == "gelu" and p["approximate"] == "none":
        return mp.pi * mp.erfi(x / mp.sqrt(2))
    if name == "golu":
        # With v = β e^{−γt}: ∫ dt/q' = −(1/(αγ²)) ∫ e^v/v² dv and ∫ e^v/v² dv = Ei(v) − e^v/v.
        a, b, g = p["alpha"], p["beta"], p["gamma"]

        def F(v):
            if v > 200:
                # Ei(v) − e^v/v cancels to a relative 1/v: use its asymptotic series
                # e^v/v² · Σ (k+1)!/v^k instead (terms fall below 1e−60 long before they grow).
                total, term, k = mpf(0), mpf(1), 0
                while abs(term) > mpf(10) ** (-DPS - 10):
                    total += term
                    k += 1
                    term *= (k + 1) / v
                return mp.exp(v) / (v * v) * total
            with mp.workdps(DPS + 10):
                return mp.ei(v) - mp.exp(v) / v
        return (F(b) - F(b * mp.exp(-g * x))) / (a * g * g)
    return None


def gate_integrals(name, xs, p):
    """∫₀ˣ dt/q'(t) for every x (quadrature between consecutive points where no closed form)."""
    if gate_integral_closed(name, mpf(1), p) is not None:
        return [gate_integral_closed(name, x, p) for x in xs]
    _, qp = split_gate(name, p)
    out = {}
    for side in (1, -1):
        pts = sorted({x for x in xs if x * side > 0}, key=lambda v: abs(v))
        acc, last = mpf(0), mpf(0)
        for x in pts:
            # Pieces of length ≤ 1/4: the integrand changes by a bounded factor over each one.
            n = max(1, int(mp.ceil(abs(x - last) * 4)))
            nodes = [last + (x - last) * k / n for k in range(n + 1)]
            acc += mp.quad(lambda t: 1 / qp(t), nodes)
            out[x] = acc
            last = x
    out[mpf(0)] = mpf(0)
    return [out[x] for x in xs]


def split_counterpart(name, xs, p):
    q, qp = split_gate(name, p)
    q0 = q(mpf(0))
    ints = gate_integrals(name, xs, p)
    ys, ds = [], []
    for x, i in zip(xs, ints):
        qt = q0 + i
        ys.append(x * qt)
        ds.append(qt + x / qp(x))
    return ys, ds


# ---------------------------------------------------------------------------------------------
# DiTAC (docs/ACTIVATIONS.md, "DiTAC"): T(x)·Φ(x) on [a, b], x·Φ(x) outside, T the time-1 flow
# of the continuous piecewise-affine field with interior vertex velocities w on [0, 1].


def cpa_flow(u, w):
    """T01(u): closed-form integration of du/dt = v(u) cell by cell, time budget 1."""
    n = len(w) + 1
    vel = [mpf(0)] + list(w) + [mpf(0)]
    slopes = [(vel[c + 1] - vel[c]) * n for c in range(n)]
    icpt = [vel[c] - slopes[c] * mpf(c) / n for c in range(n)]
    c = min(int(mp.floor(u * n)), n - 1)
    t = mpf(1)
    while True:
        a, b = slopes[c], icpt[c]
        v = a * u + b
        if v == 0:
            return u
        boundary = mpf(c + 1) / n if v > 0 else mpf(c) / n
        vc = a * boundary + b
        if vc == 0 or (vc > 0) != (v > 0):
            hit = mp.inf
        elif a == 0:
            hit = (boundary - u) / b
        else:
            hit = mp.log(vc / v) / a
        if hit >= t:
            if a == 0:
                return u + t * b
            return mp.exp(t * a) * u + (b / a) * mp.expm1(t * a)
        t -= hit
        u = boundary
        c = c + 1 if v > 0 else c - 1


def ditac_forward(x, p, w=None):
    a, b = p["a"], p["b"]
    w = p["velocities"] if w is None else w
    if a <= x <= b:
        xt = a + (b - a) * cpa_flow((x - a) / (b - a), w)
    else:
        xt = x
    return xt * mp.ncdf(x)


def ditac_values(x, p):
    a, b = p["a"], p["b"]
    y = ditac_forward(x, p)
    if x == a or x == b:
        d = None
    else:
        d = mp.diff(lambda t: ditac_forward(t, p), x)
    rows = []
    for j in range(len(p["velocities"])):
        if a <= x <= b:
            def along(v, j=j):
                w = list(p["velocities"])
                w[j] = v
                return ditac_forward(x, p, w)
            rows.append(mp.diff(along, p["velocities"][j]))
        else:
            rows.append(mpf(0))
    return y, d, rows


# ---------------------------------------------------------------------------------------------
# Output


def to_json(v):
    if v is None:
        return None
    if isinstance(v, str):
        return v
    if mp.isnan(v):
        return "NaN"
    if mp.isinf(v):
        return "Infinity" if v > 0 else "-Infinity"
    f = float(v) if abs(v) < mpf("1.8e308") else (math.inf if v > 0 else -math.inf)
    if math.isinf(f):
        return "Infinity" if f > 0 else "-Infinity"
    return f


def f32(v):
    return struct.unpack("f", struct.pack("f", v))[0]


def plain_params_json(p):
    return {k: (v if isinstance(v, str) else ([float(t) for t in v] if isinstance(v, list) else float(v)))
            for k, v in p.items()}


def to_mp(p):
    out = {}
    for k, v in p.items():
        if isinstance(v, str):
            out[k] = v
        elif isinstance(v, list):
            out[k] = [mpf(t) for t in v]
        else:
            out[k] = mpf(v)
    return out


NUMERIC_PARAMS = {
    "leaky_relu": ["negative_slope"], "prelu": ["weight"], "elu": ["alpha"], "celu": ["alpha"],
    "softplus": ["beta"], "silu": ["beta"], "golu": ["alpha", "beta", "gamma"],
    "sqish": ["alpha", "beta", "gamma"],
}


def make_case(name, params, xs, adversarial):
    p = to_mp(params)
    mx = [mpf(x) for x in xs]
    case = {"activation": name, "params": plain_params_json(params), "adversarial": adversarial, "x": list(xs)}
    if adversarial:
        if name in GLOBAL:
            pairs = [global_counterpart(name, x, p) for x in mx]
            ys, ds = [g for g, _ in pairs], [d for _, d in pairs]
        else:
            ys, ds = split_counterpart(name, mx, p)
        case["y"] = [to_json(v) for v in ys]
        case["dydx"] = [to_json(v) for v in ds]
        return case
    if name == "ditac":
        vals = [ditac_values(x, p) for x in mx]
        case["y"] = [to_json(v[0]) for v in vals]
        case["dydx"] = [to_json(v[1]) for v in vals]
        if params["velocities"] and any(params["velocities"]):
            case["dvelocities"] = [[to_json(r) for r in v[2]] for v in vals]
        return case
    case["y"] = [to_json(forward(name, x, p)) for x in mx]
    case["dydx"] = [to_json(derivative(name, x, p)) for x in mx]
    keys = NUMERIC_PARAMS.get(name, [])
    if keys:
        case["dparams"] = {k: [to_json(parameter_derivative(name, x, p, k)) for x in mx] for k in keys}
    return case


# The fixed set: every catalog entry at its defaults (and GELU's three forms, GoLU with γ = 2) on
# the grid −8…8 (step 1/4) plus extremes; the counterparts on −6…6 (step 1/2); DiTAC's worked
# example (4 cells on [−1, 1]).
GRID = ([-10000.0, -100.0, -30.0] + [k / 4 for k in range(-32, 0)] + [-1e-30, 0.0, 1e-30]
        + [k / 4 for k in range(1, 33)] + [30.0, 100.0, 10000.0])
ADV_GRID = [k / 2 for k in range(-12, 13)]
DEFAULTS = [
    ("relu", {}), ("leaky_relu", {"negative_slope": 0.01}), ("prelu", {"weight": 0.25}),
    ("elu", {"alpha": 1.0}), ("selu", {}), ("celu", {"alpha": 1.0}), ("softplus", {"beta": 1.0}),
    ("silu", {"beta": 1.0}), ("mish", {}), ("sigmoid", {}), ("tanh", {}), ("hardsigmoid", {}),
    ("hardswish", {}), ("softsign", {}), ("gelu", {"approximate": "none"}),
    ("golu", {"alpha": 1.0, "beta": 1.0, "gamma": 1.0}), ("sqish", {"alpha": 0.01, "beta": 1.0, "gamma": 1.0}),
]
FIXED_EXTRA = [("gelu", {"approximate": "tanh"}), ("gelu", {"approximate": "sigmoid"}),
               ("golu", {"alpha": 1.0, "beta": 1.0, "gamma": 2.0})]
DITAC_DEFAULT = {"a": -0.5, "b": 2.0, "velocities": [0.0] * 9}
DITAC_EXAMPLE = ({"a": -1.0, "b": 1.0, "velocities": [0.3, -0.2, 0.4]},
                 [-1.2, -0.9, -0.5, -0.25, 0.0, 0.3, 0.8, 1.5])
# Entries without a counterpart (the service answers 422): recorded so every consumer checks that.
UNSUPPORTED = ["relu", "hardswish", "hardsigmoid"]
ADV_FIXED = ["celu", "elu", "gelu", "golu", "leaky_relu", "mish", "prelu", "selu", "sigmoid", "silu",
             "softplus", "softsign", "sqish", "tanh"]


class Sampler:
    def __init__(self, seed):
        self.rng = random.Random(seed)

    def log_uniform(self, lo, hi):
        return f32(math.exp(self.rng.uniform(math.log(lo), math.log(hi))))

    def uniform(self, lo, hi):
        return f32(self.rng.uniform(lo, hi))

    def points(self, count, wide, spread):
        """Uniform on [−wide, wide] and log-uniform magnitudes in [1e−4, spread], float32, sorted."""
        xs = {self.uniform(-wide, wide) for _ in range(count * 2 // 3)}
        while len(xs) < count:
            xs.add(f32(self.rng.choice((-1, 1)) * math.exp(self.rng.uniform(math.log(1e-4), math.log(spread)))))
        return sorted(xs)

    def gate_points(self, name, p):
        """Points where a double-exponential gate is most sensitive to its inner exponent:
        E = β·e^{−γx} (GoLU) or E = β·e^{−2γ(1−α)x} (Sqish) log-uniform over [1e−2, 1e3]."""
        if name == "golu" and p["beta"] > 0 and p["gamma"] > 0:
            rate = p["gamma"]
        elif name == "sqish":
            rate = 2 * p["gamma"] * (1 - p["alpha"])
        else:
            return []
        out = set()
        for _ in range(12):
            e = math.exp(self.rng.uniform(math.log(1e-2), math.log(1e3)))
            out.add(f32((math.log(p["beta"]) - math.log(e)) / rate))
        return sorted(out)

    def positive(self):
        """A positive parameter: log-uniform over [1e−2, 1e2] (the catalog bounds none of them above)."""
        return self.log_uniform(1e-2, 1e2)

    def params(self, name, adversarial):
        r = self.rng
        if name in ("leaky_relu", "prelu"):
            key = "negative_slope" if name == "leaky_relu" else "weight"
            return {key: self.positive() if adversarial else self.uniform(-3, 3)}
        if name == "elu":
            return {"alpha": self.positive() if adversarial else self.uniform(-5, 5)}
        if name in ("celu", "softplus"):
            return {("alpha" if name == "celu" else "beta"): self.positive()}
        if name == "silu":
            return {"beta": 0.0 if (not adversarial and r.random() < 0.1) else self.positive()}
        if name == "gelu":
            return {"approximate": r.choice(["none", "tanh", "sigmoid"])}
        if name == "golu":
            def maybe_zero():
                return 0.0 if (not adversarial and r.random() < 0.1) else self.positive()
            return {"alpha": self.positive(), "beta": maybe_zero(), "gamma": maybe_zero()}
        if name == "sqish":
            alpha = 0.0 if r.random() < 0.1 else self.uniform(0, 0.999)
            return {"alpha": alpha, "beta": self.positive(), "gamma": self.positive()}
        return {}


PARAMETERISED = ["leaky_relu", "prelu", "elu", "celu", "softplus", "silu", "gelu", "golu", "sqish"]
FIXED_FORM = ["relu", "selu", "mish", "sigmoid", "tanh", "hardsigmoid", "hardswish", "softsign"]


def random_cases(sampler):
    cases = []
    for name in PARAMETERISED:
        for _ in range(16 if name in ("golu", "sqish") else 10):
            params = sampler.params(name, False)
            xs = sampler.points(32, 12, 1e4)
            cases.append((name, params, sorted(set(xs) | set(sampler.gate_points(name, params))), False))
    for name in FIXED_FORM:
        cases.append((name, {}, sampler.points(64, 12, 1e4), False))
    for name in sorted(GLOBAL | SPLIT):
        sets = 10 if name in ("golu", "sqish") else (6 if name in NUMERIC_PARAMS or name == "gelu" else 1)
        for _ in range(sets):
            params = sampler.params(name, True)
            xs = sampler.points(24, 8, 40)
            cases.append((name, params, sorted(set(xs) | set(sampler.gate_points(name, params))), True))
    for _ in range(12):
        a = sampler.uniform(-5, 1)
        b = f32(a + sampler.log_uniform(0.1, 10))
        cells = sampler.rng.randint(2, 16)
        scale = sampler.log_uniform(0.05, 3)
        w = [f32(sampler.rng.gauss(0, scale)) for _ in range(cells - 1)]
        xs = sorted(set(sampler.points(20, 6, 100)) | {sampler.uniform(a, b) for _ in range(12)} | {a, b})
        cases.append(("ditac", {"a": a, "b": b, "velocities": w}, xs, False))
    return cases


def main():
    out_path = sys.argv[1] if len(sys.argv) > 1 else OUTPUT
    cases = []
    for name, params in DEFAULTS:
        cases.append(make_case(name, params, GRID, False))
    cases.append(make_case("ditac", DITAC_DEFAULT, [x for x in GRID if x not in (-0.5, 2.0)], False))
    for name, params in FIXED_EXTRA:
        cases.append(make_case(name, params, GRID, False))
    cases.append(make_case("ditac", DITAC_EXAMPLE[0], DITAC_EXAMPLE[1], False))
    defaults = dict(DEFAULTS)
    for name in ADV_FIXED:
        cases.append(make_case(name, defaults[name], ADV_GRID, True))
    for name in UNSUPPORTED:
        cases.append({"activation": name, "params": {}, "adversarial": True, "unsupported": True})
    for name, params, xs, adversarial in random_cases(Sampler(SEED)):
        cases.append(make_case(name, params, xs, adversarial))
    about = (
        "Reference values for the activation catalog: y = f(x), dydx = f'(x), dparams = df/dparam "
        "(dvelocities for DiTAC), and the same for the adversarial counterparts (adversarial: true). "
        f"Computed by tests/reference/generate.py with mpmath at {DPS} digits from the definitions in "
        "docs/ACTIVATIONS.md and rounded to double. A fixed set (every entry at its defaults on a grid "
        "plus extremes) is followed by seeded random float32 points and parameter sets across every "
        f"parameter's range (seed {SEED}). Non-finite values are the strings NaN, Infinity, -Infinity; "
        "null marks a point with no single-valued derivative."
    )
    with open(out_path, "w") as f:
        json.dump({"about": about, "cases": cases}, f, separators=(",", ":"))
        f.write("\n")
    print(f"{out_path}: {len(cases)} cases, {sum(len(c.get('x', [])) for c in cases)} points")


if __name__ == "__main__":
    main()
