#!/usr/bin/env bash
# Builds and installs the extension into the system PostgreSQL 15 (PGXS).
set -euo pipefail
cd "$(dirname "$0")/.."
SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"
make -s -j2 PG_CONFIG=/usr/lib/postgresql/15/bin/pg_config
$SUDO make -s install PG_CONFIG=/usr/lib/postgresql/15/bin/pg_config >/dev/null
