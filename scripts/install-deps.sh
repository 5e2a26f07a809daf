#!/usr/bin/env bash
# Installs what a fresh Debian machine with the Swift toolchain lacks, and nothing more than the
# target asked for:
#   scripts/install-deps.sh           the C libraries the service links (and pkg-config)
#   scripts/install-deps.sh --test    + what the test suites need: binutils (readelf) and the
#                                     Python test environment .venv from tests/python/requirements.txt
#   scripts/install-deps.sh --bench   + wrk and the benchmark peers (Benchmarks/requirements.txt)
# Python packages go into the project's virtual environment .venv, never into the system's.
set -euo pipefail
cd "$(dirname "$0")/.."

mode="${1:-build}"
packages=(libmicrohttpd-dev zlib1g-dev pkg-config)
case "$mode" in
    build) ;;
    --test) packages+=(binutils) ;;
    --bench) packages+=(wrk binutils) ;;
    *) echo "usage: $0 [--test|--bench]" >&2; exit 2 ;;
esac

# Debian's python3 needs python3-venv for `python3 -m venv`; a python3 that has it already is used as it is.
if [ "$mode" != build ] && ! python3 -c 'import ensurepip, venv' 2>/dev/null; then
    packages+=(python3-venv)
fi

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

# The virtual environment is rebuilt only when a requirements file changes (its hash is kept in
# .venv/requirements.sha256).
venv_install() {
    local requirements=("$@")
    local stamp=.venv/requirements.sha256
    local want
    want=$(cat "${requirements[@]}" | sha256sum | cut -d' ' -f1)
    if [ -x .venv/bin/python ] && [ -f "$stamp" ] && grep -qx "$want" "$stamp"; then
        return
    fi
    [ -x .venv/bin/python ] || python3 -m venv .venv
    echo "installing Python packages into .venv: ${requirements[*]}"
    .venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip
    local args=()
    for r in "${requirements[@]}"; do args+=(-r "$r"); done
    .venv/bin/python -m pip install -q --disable-pip-version-check "${args[@]}"
    echo "$want" > "$stamp"
}

case "$mode" in
    --test) venv_install tests/python/requirements.txt ;;
    --bench)
        venv_install tests/python/requirements.txt Benchmarks/requirements.txt
        .venv/bin/python -c 'import jax' 2>/dev/null \
            || .venv/bin/python -m pip install -q --disable-pip-version-check -r Benchmarks/requirements-jax.txt \
            || echo "JAX is not installable here: the kernel benchmarks compare with numpy only"
        ;;
esac
