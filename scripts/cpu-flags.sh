#!/bin/sh
# Prints the `swift build` flags for a CPU level, for the Makefile and the Dockerfile:
#
#   scripts/cpu-flags.sh [auto|x86-64|x86-64-v2|x86-64-v3|x86-64-v4|native|<clang cpu name>]
#
# auto (the default): the highest x86-64 micro-architecture level this machine has — v4 (AVX-512
# F/BW/CD/DQ/VL) or v3 (AVX2, FMA, BMI2) — else the toolchain's baseline: for binaries run where
# they are built (make run, make test, benchmarks). Images and binaries that travel should name a
# level (the Dockerfile uses x86-64-v3). x86-64 (or "baseline"): no flags, runs on every x86-64.
# Every level with fused multiply-add also gets -D ACTIVATION_FMA, which makes the kernels use
# it (Sources/Activations/Numerics.swift); ACTIVATION_FMA=0/1 in the environment overrides.
# x86-64-v3/v4 also define ACTIVATION_X86_64_V3/V4, which the binary's start-up check reads
# (Sources/App/CPUSupport.swift).
# swiftc's clang importer does not know the x86-64-vN names, so they are spelled as the CPU
# that introduced the level (haswell = v3, skylake-avx512 = v4, nehalem = v2).
set -eu
level=${1:-auto}
if [ "$level" = auto ]; then
    level=x86-64
    if [ "$(uname -m)" = x86_64 ] && [ -r /proc/cpuinfo ]; then
        flags=$(grep -m1 '^flags' /proc/cpuinfo || true)
        has() { for f in "$@"; do case " $flags " in *" $f "*) ;; *) return 1 ;; esac; done; }
        if has avx2 fma bmi2; then level=x86-64-v3; fi
        if has avx2 fma bmi2 avx512f avx512bw avx512cd avx512dq avx512vl; then level=x86-64-v4; fi
    fi
fi
case "$level" in
    x86-64 | baseline | "") exit 0 ;;
    x86-64-*) [ "$(uname -m)" = x86_64 ] || exit 0 ;;  # e.g. an arm64 image build: FMA is always there
esac
define=""
case "$level" in
    x86-64-v2) name=nehalem ;;
    x86-64-v3) name=haswell define=ACTIVATION_X86_64_V3 ;;
    x86-64-v4) name=skylake-avx512 define=ACTIVATION_X86_64_V4 ;;  # + full-width vectors, below
    *) name=$level ;;
esac
case "$name" in
    core2 | penryn | nehalem | westmere | sandybridge | ivybridge | silvermont | goldmont | btver1 | btver2) fma=0 ;;
    *) fma=1 ;;
esac
fma=${ACTIVATION_FMA:-$fma}
printf '%s' "-Xswiftc -target-cpu -Xswiftc $name -Xcc -march=$name"
[ "$fma" = 1 ] && printf ' %s' "-Xswiftc -DACTIVATION_FMA"
[ -n "$define" ] && printf ' %s' "-Xswiftc -D$define"
# skylake-avx512 is tuned to prefer 256-bit vectors (Skylake-SP lowered its clock for 512-bit
# work); the kernels measured 1.3-1.5x faster with 512-bit vectors (docs/PERFORMANCE.md).
[ "$level" = x86-64-v4 ] && printf ' %s' "-Xcc -Xclang -Xcc -target-feature -Xcc -Xclang -Xcc -prefer-256-bit"
echo
