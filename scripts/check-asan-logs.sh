#!/usr/bin/env bash
# Fails if AddressSanitizer/LeakSanitizer wrote any report into <dir>/asan.* (ASAN_OPTIONS
# log_path): a server killed by a test (SIGKILL) cannot fail the test itself, so its report
# is only found here. Usage: scripts/check-asan-logs.sh .build-asan
set -euo pipefail
dir=${1:-.build-asan}
shopt -s nullglob
reports=("$dir"/asan.*)
if [ ${#reports[@]} -eq 0 ]; then
    echo "ASan/LSan: no reports in $dir"
    exit 0
fi
for f in "${reports[@]}"; do
    echo "=== $f"
    grep -E "ERROR: (Address|Leak)Sanitizer|SUMMARY" "$f" || true
    head -60 "$f"
done
echo "ASan/LSan: ${#reports[@]} report(s) — see above" >&2
exit 1
