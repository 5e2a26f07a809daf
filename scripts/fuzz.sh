#!/usr/bin/env bash
# Builds the libFuzzer harnesses (Fuzz/build.sh) and runs each for FUZZ_SECONDS (default 60),
# starting from the committed seeds in Fuzz/corpus/<target>/ (new inputs go to
# .build-fuzz/corpus/<target>/, crash/leak/timeout reproducers to fuzz-artifacts/<target>/).
# Exits non-zero if any target crashes, leaks, times out or runs out of memory.
# Usage: scripts/fuzz.sh [target ...]   (targets: json npy oip accept-encoding gzip infer)
set -uo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_TARGET=${FUZZ_SECONDS:-60}
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(json npy oip accept-encoding gzip infer)

Fuzz/build.sh "${targets[@]}" || exit 1

summary=.build-fuzz/summary.txt
: > "$summary"
failed=()
for t in "${targets[@]}"; do
    work=.build-fuzz/corpus/$t
    artifacts=fuzz-artifacts/$t
    mkdir -p "$work" "$artifacts"
    dict=()
    [ -f "Fuzz/$t.dict" ] && dict=(-dict="Fuzz/$t.dict")
    log=.build-fuzz/$t.log
    echo "== fuzzing $t for ${SECONDS_PER_TARGET}s (log: $log)"
    ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} \
        ".build-fuzz/$t" "$work" "Fuzz/corpus/$t" "${dict[@]}" \
        -max_total_time="$SECONDS_PER_TARGET" -timeout=10 -rss_limit_mb=2048 -detect_leaks=1 \
        -print_final_stats=1 -artifact_prefix="$artifacts/" > "$log" 2>&1
    status=$?
    units=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
    rate=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
    line="$t: exit $status, ${units:-?} executions, ${rate:-?}/s, ${cov:-cov: ?}, corpus $(ls "$work" | wc -l) files"
    echo "$line" | tee -a "$summary"
    if [ $status -ne 0 ]; then
        failed+=("$t")
        grep -E "ERROR|SUMMARY|Fatal error|Test unit written" "$log" | head -20
    fi
done
echo "== summary (also in $summary)"
cat "$summary"
if [ ${#failed[@]} -gt 0 ]; then
    echo "FAILED: ${failed[*]} — reproducers in fuzz-artifacts/; replay with .build-fuzz/<target> <file>" >&2
    exit 1
fi
