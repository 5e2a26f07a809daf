#!/usr/bin/env bash
# Builds the libFuzzer harnesses in Fuzz/ into .build-fuzz/<target> (Swift -sanitize=fuzzer,address).
# Codec and Gzip harnesses are compiled together with their module's sources, as one module.
# The App pipeline harness (infer) links against the App library and its dependencies, built
# by SwiftPM with the same instrumentation into .build-fuzz-app (objects only: no executable,
# whose main would clash with libFuzzer's). Usage: Fuzz/build.sh [target ...] (default: all).
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=.build-fuzz
mkdir -p "$OUT"
SWIFTC=${SWIFTC:-swiftc}
FLAGS=(-parse-as-library -swift-version 6 -sanitize=fuzzer,address -O -g)

targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(json npy oip accept-encoding gzip infer)

build() {  # name module harness sources... [-- extra flags]
    local name=$1 module=$2 harness=$3; shift 3
    echo "building $OUT/$name"
    # ld.gold warns once per ASan helper symbol ("Cannot export local symbol"): noise, filtered.
    "$SWIFTC" "${FLAGS[@]}" -module-name "$module" "$@" "Fuzz/$harness" -o "$OUT/$name" \
        2> >(grep -v "Cannot export local symbol" >&2)
}

for t in "${targets[@]}"; do
    case $t in
        json)            build json Codecs JSONFuzz.swift Sources/Codecs/*.swift ;;
        npy)             build npy Codecs NPYFuzz.swift Sources/Codecs/*.swift ;;
        oip)             build oip Codecs OIPFuzz.swift Sources/Codecs/*.swift ;;
        accept-encoding) build accept-encoding Gzip AcceptEncodingFuzz.swift Sources/Gzip/*.swift -I Sources/CZlib -lz ;;
        gzip)            build gzip Gzip GzipFuzz.swift Sources/Gzip/*.swift -I Sources/CZlib -lz ;;
        infer)
            echo "building .build-fuzz-app (App and dependencies, instrumented)"
            swift build -c release --target App --scratch-path .build-fuzz-app -Xswiftc -sanitize=fuzzer,address
            mapfile -t objects < <(find .build-fuzz-app/release/ -path '*.build/*.o' \
                ! -path '*/ActivationService.build/*' ! -path '*Tests.build/*' ! -path '*ArgumentParser*' | sort)
            echo "building $OUT/infer"
            "$SWIFTC" "${FLAGS[@]}" -module-name InferFuzz -I .build-fuzz-app/release/Modules \
                -Xcc -fmodule-map-file=Sources/CMicroHTTPD/module.modulemap -Xcc -fmodule-map-file=Sources/CZlib/module.modulemap \
                -Xcc -fmodule-map-file=.build-fuzz-app/checkouts/swift-atomics/Sources/_AtomicsShims/include/module.modulemap \
                Fuzz/InferFuzz.swift "${objects[@]}" -lmicrohttpd -lz -o "$OUT/infer" \
                2> >(grep -v "Cannot export local symbol" >&2)
            ;;
        *) echo "unknown fuzz target '$t' (json npy oip accept-encoding gzip infer)" >&2; exit 2 ;;
    esac
done
