#!/usr/bin/env bash
# Builds the service with AddressSanitizer into .build-asan and runs the Python HTTP tests
# against it with LeakSanitizer on. Reports are written to .build-asan/asan.<pid> (a server
# the tests kill cannot fail a test, so the logs are checked at the end). test_deploy.py is
# skipped: it checks the release binary's shared libraries, which ASan changes.
set -euo pipefail
cd "$(dirname "$0")/.."
SWIFT=${SWIFT:-swift}
"$SWIFT" build -c release --product activation-service --sanitize=address --scratch-path .build-asan
rm -f .build-asan/asan.*
export ASAN_OPTIONS="detect_leaks=1:halt_on_error=1:log_path=$PWD/.build-asan/asan${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export LSAN_OPTIONS="suppressions=$PWD/scripts/lsan.supp:print_suppressions=0"
status=0
ACTIVATION_SERVICE_BIN=.build-asan/release/activation-service python3 -m pytest -q tests/python \
    --ignore=tests/python/test_deploy.py "$@" || status=$?
scripts/check-asan-logs.sh .build-asan || status=1
exit $status
