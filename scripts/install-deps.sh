#!/usr/bin/env bash
# Installs what a fresh Debian machine with the Swift toolchain lacks: the C libraries the
# service links, pkg-config, wrk for the HTTP benchmarks, and the Python test clients.
set -euo pipefail

packages=(libmicrohttpd-dev zlib1g-dev pkg-config wrk binutils)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "installing system packages: ${missing[*]}"
    SUDO=""
    [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if [ "${1:-}" = "--python" ]; then
    python3 - <<'PY' 2>/dev/null || python3 -m pip install -q -r "$(dirname "$0")/../tests/python/requirements.txt"
import numpy, requests, pytest, yaml, schemathesis, tritonclient.http  # noqa: F401
PY
fi
