#!/bin/sh
# Prints the `swift build` flags for a CPU level, for the Makefile and the Dockerfile:
#
#   scripts/cpu-flags.sh [auto|x86-64|x86-64-v2|x86-64-v3|x86-64-v4|native|<clang cpu name>]
#
# auto (the default): x86-64-v3 when this is an x86-64 machine with AVX2, FMA and BMI2, else the
# toolchain's baseline. x86-64 (or "baseline"): no flags, runs on every x86-64 CPU.
# Every level with fused multiply-add also gets -D ACTIVATION_FMA, which makes the kernels use
# it (Sources/Activations/Numerics.swift); ACTIVATION_FMA=0/1 in the environment overrides.
# swiftc's clang importer does not know the x86-64-vN names, so they are spelled as the CPU
# that introduced the level (haswell = v3, skylake-avx512 = v4, nehalem = v2).
set -eu
level=${1:-auto}
if [ "$level" = auto ]; then
    level=x86-64
    if [ "$(uname -m)" = x86_64 ] && [ -r /proc/cpuinfo ]; then
        flags=$(grep -m1 '^flags' /proc/cpuinfo || true)
        case " $flags " in
            *" avx2 "*) case " $flags " in *" fma "*) case " $flags " in *" bmi2 "*) level=x86-64-v3 ;; esac ;; esac ;;
        esac
    fi
fi
case "$level" in
    x86-64 | baseline | "") exit 0 ;;
    x86-64-*) [ "$(uname -m)" = x86_64 ] || exit 0 ;;  # e.g. an arm64 image build: FMA is always there
esac
case "$level" in
    x86-64-v2) name=nehalem ;;
    x86-64-v3) name=haswell ;;
    x86-64-v4) name=skylake-avx512 ;;
    *) name=$level ;;
esac
case "$name" in
    core2 | penryn | nehalem | westmere | sandybridge | ivybridge | silvermont | goldmont | btver1 | btver2) fma=0 ;;
    *) fma=1 ;;
esac
fma=${ACTIVATION_FMA:-$fma}
printf '%s' "-Xswiftc -target-cpu -Xswiftc $name -Xcc -march=$name"
[ "$fma" = 1 ] && printf ' %s' "-Xswiftc -DACTIVATION_FMA"
echo
