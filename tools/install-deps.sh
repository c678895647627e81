#!/usr/bin/env bash
# Installs what building, the demo and the tests need on Debian 12 (apt-get update once, only
# when something is missing).
set -euo pipefail
SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"
packages=(
    postgresql-15 postgresql-server-dev-15 postgresql-15-pgtap postgresql-15-cron
    libtap-parser-sourcehandler-pgtap-perl libipc-run-perl
    make g++ cmake libgtest-dev libssl-dev clang-14 libclang-rt-14-dev
)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "== installing: ${missing[*]}"
    $SUDO apt-get update -q
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q "${missing[@]}"
fi
# Debian starts a default cluster on installation; the tests never use it.
