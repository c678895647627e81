#!/usr/bin/env bash
# Benchmarks of vid, each figure next to its reference measured in the same run (this machine
# is shared and noisy: read the ratios). Not part of the tests.
#   bash test/bench/bench.sh [--quick]
# Uses the installed extension (run tools/build.sh or the test command first) and a throwaway
# cluster; the PL/pgSQL peer comes from ../shared/bench/plpgsql_peer.sql.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
QUICK=0
[ "${1:-}" = "--quick" ] && QUICK=1
N=1000000 PEER_N=3000 CORE_SECONDS=2
[ $QUICK = 1 ] && N=200000 PEER_N=500 CORE_SECONDS=0.5
PEER_SQL=${VID_PEER_SQL:-$ROOT/../shared/bench/plpgsql_peer.sql}

export PATH=/usr/lib/postgresql/15/bin:$PATH
source test/lib/cluster.sh
WORK=$(mktemp -d /tmp/vid-bench.XXXXXX)
chmod 755 "$WORK"
trap 'cluster_stop "$WORK/pg" immediate; rm -rf "$WORK"' EXIT

cmake -S "$ROOT" -B "$ROOT/build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$ROOT/build" -j2 --target vid_core_bench >/dev/null
cluster_new "$WORK/pg" "${VID_BENCH_PORT:-55434}" "shared_buffers = 512MB" "max_wal_size = 4GB" "checkpoint_timeout = 30min"
createdb bench
export PGDATABASE=bench
q() { psql -XAtq -v ON_ERROR_STOP=1 -c "$1" >/dev/null; }
export PGOPTIONS="-c client_min_messages=warning"
now() { date +%s.%N; }
ratio() { python3 -c "import sys; print(f'{float(sys.argv[1]) / float(sys.argv[2]):.2f}')" "$1" "$2"; }

echo "| figure | vid | reference (same run) | ratio |"
echo "|---|---|---|---|"
"$ROOT/build/vid_core_bench" "$CORE_SECONDS"

q "CREATE EXTENSION vid"
# Reference: the same table shape, filled by INSERT ... SELECT of pre-computed sorted bigints.
q "CREATE TABLE ref (LIKE vid.vid INCLUDING DEFAULTS INCLUDING INDEXES)"
q "CREATE TABLE keys AS SELECT DISTINCT (2e15 + random() * 7.9e15)::bigint AS k FROM generate_series(1, $N)"
q "CHECKPOINT"
t0=$(now); q "INSERT INTO ref (vid) SELECT k FROM keys ORDER BY k"; t1=$(now)
ref_s=$(python3 -c "print($t1 - $t0)")
q "CHECKPOINT"
t0=$(now); q "SELECT vid_generate_pool($N)"; t1=$(now)
vid_s=$(python3 -c "print($t1 - $t0)")
printf "| vid_generate_pool(%d) wall time (s) | %.2f | INSERT ... SELECT of %d sorted bigints %.2f | %sx |\n" \
    "$N" "$vid_s" "$N" "$ref_s" "$(ratio "$vid_s" "$ref_s")"

if [ -f "$PEER_SQL" ]; then
    psql -XAtq -v ON_ERROR_STOP=1 -f "$PEER_SQL" >/dev/null
    t0=$(now); q "SELECT peer.generate_pool($PEER_N)"; t1=$(now)
    peer_s=$(python3 -c "print($t1 - $t0)")
    vid_us=$(python3 -c "print($vid_s / $N * 1e6)")
    peer_us=$(python3 -c "print($peer_s / $PEER_N * 1e6)")
    printf "| per VID generated (µs) | %.2f | peer.generate_pool(%d) %.1f | %sx faster |\n" \
        "$vid_us" "$PEER_N" "$peer_us" "$(ratio "$peer_us" "$vid_us")"
else
    echo "| per VID generated | - | peer SQL not found at $PEER_SQL | - |"
fi
