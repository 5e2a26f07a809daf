# activation-service — `make run` and `make test` do all the set-up on a fresh Debian machine.
SWIFT      ?= swift
PORT       ?= 8080
HOST       ?= 0.0.0.0
RELEASE_BIN = .build/release/activation-service
# Python tools run from the project's virtual environment (scripts/install-deps.sh creates it);
# scripts that call `python3` get it first on PATH.
VENV        = .venv
PYTHON      = $(VENV)/bin/python
PYTEST      = $(PYTHON) -m pytest -q
VENV_PATH   = PATH="$(CURDIR)/$(VENV)/bin:$$PATH"

.PHONY: deps deps-python build release run test test-swift test-python reference clean fuzz fuzz-build soak test-tsan test-asan bench bench-deps bench-kernels bench-python bench-compare bench-http

deps:
	@scripts/install-deps.sh

deps-python:
	@scripts/install-deps.sh --test

build: deps
	$(SWIFT) build

# CPU level of release builds (docs/PERFORMANCE.md, "Build flags"): auto = x86-64-v3 (AVX2, FMA,
# BMI2: the kernels use fused multiply-adds, ~2x faster) when this machine has it, else the
# toolchain's baseline. ACTIVATION_CPU=x86-64 builds a binary that runs on any x86-64 CPU; a v3
# binary refuses to start on a CPU without AVX2/FMA (it says so) instead of dying with SIGILL.
# Other values: x86-64-v4, native, or a clang CPU name (scripts/cpu-flags.sh).
ACTIVATION_CPU ?= auto
CPU_FLAGS   := $(shell scripts/cpu-flags.sh $(ACTIVATION_CPU))

release: deps
	$(SWIFT) build -c release $(CPU_FLAGS) --product activation-service

run: release
	HOST=$(HOST) PORT=$(PORT) $(RELEASE_BIN)

test: deps-python
	$(SWIFT) build -c release $(CPU_FLAGS) --product activation-service
	$(SWIFT) test
	ACTIVATION_SERVICE_BIN=$(RELEASE_BIN) $(PYTEST) tests/python
	SWIFT=$(SWIFT) scripts/check-fresh-clone.sh

test-swift: deps
	$(SWIFT) test

test-python: deps-python release
	ACTIVATION_SERVICE_BIN=$(RELEASE_BIN) $(PYTEST) tests/python

# Regenerates tests/reference/activations.json (mpmath, seeded; ~1 minute). Not part of `make test`,
# which reads the committed file.
reference: deps-python
	$(PYTHON) tests/reference/generate.py

clean:
	rm -rf .build $(VENV)

# --- Reliability (docs/RELIABILITY.md); none of these is part of `make test`. ---
FUZZ_SECONDS ?= 60
SOAK_SECONDS ?= 600

# libFuzzer harnesses (Fuzz/): build, then run each target FUZZ_SECONDS; fails on crash/leak/timeout.
fuzz-build: deps
	@Fuzz/build.sh

fuzz: deps
	FUZZ_SECONDS=$(FUZZ_SECONDS) scripts/fuzz.sh

# Mixed wrk load against the release binary for SOAK_SECONDS; fails on errors or RSS growth.
soak: deps-python bench-deps release
	SOAK_SECONDS=$(SOAK_SECONDS) ACTIVATION_SERVICE_BIN=$(RELEASE_BIN) $(VENV_PATH) scripts/soak.sh

# Swift tests under ThreadSanitizer (scratch .build-tsan); reports checked by scripts/check-tsan-reports.py.
test-tsan: deps
	scripts/test-tsan.sh

# The service under AddressSanitizer + LeakSanitizer, driven by the Python HTTP tests.
test-asan: deps-python
	$(VENV_PATH) scripts/test-asan.sh

# ---- benchmarks (docs/PERFORMANCE.md); never part of `make test`. Their tools (wrk, the
# FastAPI peer, SciPy, JAX) are installed here, by the benchmark targets, from
# Benchmarks/requirements*.txt. ----
bench-deps:
	@scripts/install-deps.sh --bench

bench-kernels: deps
	$(SWIFT) build -c release $(CPU_FLAGS) --product activation-bench
	.build/release/activation-bench $(BENCH_ARGS)

bench-python: bench-deps
	$(PYTHON) Benchmarks/kernels_numpy_jax.py $(BENCH_ARGS)

# The kernels, numpy, JAX and the C reference alternately, one table of ratios (ROUNDS=2).
bench-compare: bench-deps
	$(SWIFT) build -c release $(CPU_FLAGS) --product activation-bench
	$(PYTHON) Benchmarks/kernels_side_by_side.py --rounds $(or $(ROUNDS),2) $(BENCH_ARGS)

bench-http: bench-deps release
	ACTIVATION_SERVICE_BIN=$(RELEASE_BIN) $(VENV_PATH) scripts/bench-http.sh

bench: bench-kernels bench-compare bench-http
