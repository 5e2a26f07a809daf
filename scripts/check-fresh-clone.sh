#!/usr/bin/env bash
# Clones the committed HEAD into a fresh temporary directory (nothing beside it: no parent files)
# and runs the reference suites there, so the tests provably need nothing outside the repository.
# The clone is built in debug, sharing only the package-dependency cache of the user.
# Usage: scripts/check-fresh-clone.sh   (part of `make test`; SWIFT overrides the toolchain binary)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
swift="${SWIFT:-swift}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
git clone --quiet --no-hardlinks "$root" "$work/clone"
cd "$work/clone"
echo "fresh clone of $(git rev-parse --short HEAD) in $work/clone"
"$swift" test --filter 'ReferenceDataTests|ClosedFormReferenceTests|AdversarialTests|ditacReferenceCasesMatch|ReferenceThroughHTTPTests'
