#!/usr/bin/env python3
"""numpy (one thread) and JAX-jit (one core) baselines for the element-wise kernels.

Same inputs as activation-bench (roughly N(0, 9)), float32, 1M and 16M elements, medians.
Pins BLAS/XLA to one thread so the figures compare with activation-bench's "1 thread" column.
Run: make bench-deps && python3 Benchmarks/kernels_numpy_jax.py [--quick]
"""
import os
import sys

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("XLA_FLAGS", "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1")
os.environ.setdefault("JAX_PLATFORMS", "cpu")

import time  # noqa: E402

import numpy as np  # noqa: E402

try:
    from scipy.special import erf as scipy_erf
except ImportError:  # pragma: no cover
    scipy_erf = None

QUICK = "--quick" in sys.argv
SIZES = [1 << 20] if QUICK else [1 << 20, 1 << 24]
K = np.float32(np.sqrt(2.0 / np.pi))


def median_seconds(fn, repeats):
    fn()
    samples = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t0)
    samples.sort()
    return samples[len(samples) // 2]


def numpy_cases():
    one, half = np.float32(1), np.float32(0.5)

    def sig(z):
        return one / (one + np.exp(-z))

    cases = {
        ("golu", "forward"): lambda x: x * np.exp(-np.exp(-x)),
        ("golu", "derivative"): lambda x: np.exp(-np.exp(-x)) * (one + x * np.exp(-x)),
        ("silu", "forward"): lambda x: x * sig(x),
        ("silu", "derivative"): lambda x: (lambda s: s * (one + x * (one - s)))(sig(x)),
        ("sqish", "forward"): lambda x: x * (np.float32(0.5) + np.float32(0.5) / np.sqrt(one + np.exp(-x))),
        ("gelu(tanh)", "forward"): lambda x: half * x * (one + np.tanh(K * (x + np.float32(0.044715) * x * x * x))),
        ("gelu(sigmoid)", "forward"): lambda x: x * sig(np.float32(1.702) * x),
    }
    if scipy_erf is not None:
        cases[("gelu(none)", "forward")] = lambda x: half * x * (one + scipy_erf(x * np.float32(0.7071067811865476)))
    return cases


def jax_cases():
    import jax
    import jax.numpy as jnp

    def golu(x):
        return x * jnp.exp(-jnp.exp(-x))

    def sqish(x):
        return x * (0.5 + 0.5 / jnp.sqrt(1 + jnp.exp(-x)))

    def d(f):
        return jax.jit(jax.vmap(jax.grad(f)))

    gelu_none = lambda x: jax.nn.gelu(x, approximate=False)  # noqa: E731
    gelu_tanh = lambda x: jax.nn.gelu(x, approximate=True)  # noqa: E731
    gelu_sig = lambda x: x * jax.nn.sigmoid(1.702 * x)  # noqa: E731
    fs = {"golu": golu, "silu": jax.nn.silu, "sqish": sqish, "gelu(none)": gelu_none,
          "gelu(tanh)": gelu_tanh, "gelu(sigmoid)": gelu_sig}
    cases = {}
    for name, f in fs.items():
        cases[(name, "forward")] = jax.jit(f)
        cases[(name, "derivative")] = d(f)
    return cases, jax


def sample(n):
    rng = np.random.default_rng(7)
    return (rng.standard_normal(n) * 3).astype(np.float32)


def main():
    print(f"numpy {np.__version__}, one thread (elements/s, medians)")
    try:
        jcases, jax = jax_cases()
        print(f"jax {jax.__version__} jit, one core, devices {jax.devices()}")
    except Exception as e:  # noqa: BLE001
        jcases, jax = {}, None
        print(f"JAX unavailable ({type(e).__name__}: {e}); numpy only")
    print(f"{'kernel':15}{'op':11}{'n':>5}{'numpy':>12}{'jax-jit':>12}")
    for n in SIZES:
        x = sample(n)
        label = "16M" if n >= 1 << 24 else "1M"
        repeats = 3 if n >= 1 << 24 else 9
        for kname in ["golu", "silu", "sqish", "gelu(none)", "gelu(tanh)", "gelu(sigmoid)"]:
            for op in ["forward", "derivative"]:
                f = numpy_cases().get((kname, op))
                np_rate = n / median_seconds(lambda: f(x), repeats) if f else None
                jf = jcases.get((kname, op))
                jx_rate = None
                if jf is not None:
                    xj = jax.numpy.asarray(x)
                    jx_rate = n / median_seconds(lambda: jf(xj).block_until_ready(), repeats)
                cell = lambda r: f"{r / 1e9:.3f} G" if r else "-"  # noqa: E731
                print(f"{kname:15}{op:11}{label:>5}{cell(np_rate):>12}{cell(jx_rate):>12}", flush=True)


if __name__ == "__main__":
    main()
