# activation-service — `make run` and `make test` do all the set-up on a fresh Debian machine.
SWIFT      ?= swift
PORT       ?= 8080
HOST       ?= 0.0.0.0
RELEASE_BIN = .build/release/activation-service
PYTEST      = python3 -m pytest -q

.PHONY: deps deps-python embed build release run test test-swift test-python clean fuzz fuzz-build soak test-tsan test-asan bench bench-deps bench-kernels bench-python bench-compare bench-http

deps:
	@scripts/install-deps.sh

deps-python:
	@scripts/install-deps.sh --python

embed:
	@scripts/embed-openapi.sh

build: deps embed
	$(SWIFT) build

# CPU level of release builds (docs/PERFORMANCE.md, "Build flags"): auto = x86-64-v3 (AVX2, FMA,
# BMI2: the kernels use fused multiply-adds, ~2x faster) when this machine has it, else the
# toolchain's baseline. ACTIVATION_CPU=x86-64 builds a binary that runs on any x86-64 CPU; a v3
# binary refuses to start on a CPU without AVX2/FMA (it says so) instead of dying with SIGILL.
# Other values: x86-64-v4, native, or a clang CPU name (scripts/cpu-flags.sh).
ACTIVATION_CPU ?= auto
CPU_FLAGS   := $(shell scripts/cpu-flags.sh $(ACTIVATION_CPU))

release: deps embed
	$(SWIFT) build -c release $(CPU_FLAGS) --product activation-service

run: release
	HOST=$(HOST) PORT=$(PORT) $(RELEASE_BIN)

test: deps-python embed
	$(SWIFT) build -c release $(CPU_FLAGS) --product activation-service
	$(SWIFT) test
	ACTIVATION_SERVICE_BIN=$(RELEASE_BIN) $(PYTEST) tests/python

test-swift: deps embed
	$(SWIFT) test

test-python: deps-python release
	ACTIVATION_SERVICE_BIN=$(RELEASE_BIN) $(PYTEST) tests/python

clean:
	rm -rf .build

# --- Reliability (docs/RELIABILITY.md); none of these is part of `make test`. ---
FUZZ_SECONDS ?= 60
SOAK_SECONDS ?= 600

# libFuzzer harnesses (Fuzz/): build, then run each target FUZZ_SECONDS; fails on crash/leak/timeout.
fuzz-build: deps
	@Fuzz/build.sh

fuzz: deps
	FUZZ_SECONDS=$(FUZZ_SECONDS) scripts/fuzz.sh

# Mixed wrk load against the release binary for SOAK_SECONDS; fails on errors or RSS growth.
soak: deps release
	SOAK_SECONDS=$(SOAK_SECONDS) ACTIVATION_SERVICE_BIN=$(RELEASE_BIN) scripts/soak.sh

# Swift tests under ThreadSanitizer (scratch .build-tsan); reports checked by scripts/check-tsan-reports.py.
test-tsan: deps embed
	scripts/test-tsan.sh

# The service under AddressSanitizer + LeakSanitizer, driven by the Python HTTP tests.
test-asan: deps-python embed
	scripts/test-asan.sh

# ---- benchmarks (docs/PERFORMANCE.md); never part of `make test` ----
BENCH_PIP = fastapi "uvicorn[standard]" orjson numpy scipy "jax[cpu]"

bench-deps: deps
	python3 -m pip install -q $(BENCH_PIP) || python3 -m pip install -q fastapi "uvicorn[standard]" orjson numpy scipy

bench-kernels: embed
	$(SWIFT) build -c release $(CPU_FLAGS) --product activation-bench
	.build/release/activation-bench $(BENCH_ARGS)

bench-python:
	python3 Benchmarks/kernels_numpy_jax.py $(BENCH_ARGS)

# The kernels, numpy, JAX and the C reference alternately, one table of ratios (ROUNDS=2).
bench-compare: embed
	$(SWIFT) build -c release $(CPU_FLAGS) --product activation-bench
	python3 Benchmarks/kernels_side_by_side.py --rounds $(or $(ROUNDS),2) $(BENCH_ARGS)

bench-http: release
	ACTIVATION_SERVICE_BIN=$(RELEASE_BIN) scripts/bench-http.sh

bench: bench-kernels bench-compare bench-http
