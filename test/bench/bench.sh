#!/usr/bin/env bash
# Benchmarks of vid, each figure next to its reference measured in the same run (this machine is
# shared and noisy: read the ratios). Not part of the tests.
#   bash test/bench/bench.sh [--quick]
# Uses the installed extension (run tools/build.sh or the test command first) on a throwaway
# cluster with shared_preload_libraries = 'vid'; the PL/pgSQL peer comes from
# ../shared/bench/plpgsql_peer.sql.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
QUICK=0
[ "${1:-}" = "--quick" ] && QUICK=1
N=1000000 PEER_N=3000 CORE_SECONDS=2 POOL=1000000 PGBENCH_SECONDS=20 SUSTAINED=1000000 VALID_N=1000000 BIG=10000000
[ $QUICK = 1 ] && N=200000 PEER_N=500 CORE_SECONDS=0.5 POOL=200000 PGBENCH_SECONDS=8 SUSTAINED=100000 VALID_N=200000 BIG=2000000
PEER_SQL=${VID_PEER_SQL:-$ROOT/../shared/bench/plpgsql_peer.sql}

export PATH=/usr/lib/postgresql/15/bin:$PATH
source test/lib/cluster.sh
WORK=$(mktemp -d /tmp/vid-bench.XXXXXX)
chmod 755 "$WORK"
trap 'cluster_stop "$WORK/pg" immediate; rm -rf "$WORK"' EXIT

cmake -S "$ROOT" -B "$ROOT/build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$ROOT/build" -j2 --target vid_core_bench >/dev/null
cluster_new "$WORK/pg" "${VID_BENCH_PORT:-55434}" "shared_buffers = 1GB" "max_wal_size = 8GB" \
    "checkpoint_timeout = 30min" "shared_preload_libraries = 'vid'" "vid.refill_threshold = 0"
createdb bench
export PGDATABASE=bench PGOPTIONS="-c client_min_messages=warning"
q() { psql -XAtq -v ON_ERROR_STOP=1 -c "$1"; }
now() { date +%s.%N; }
py() { python3 -c "import sys; print($1)" "${@:2}"; }
timed() { local t0 t1; t0=$(now); q "$1" >/dev/null; t1=$(now); py "f'{$t1 - $t0:.3f}'"; }
best_of_3() { py "min($(timed "$1"), $(timed "$1"), $(timed "$1"))"; }

echo "| figure | vid | reference (same run) | ratio | target |"
echo "|---|---|---|---|---|"
"$ROOT/build/vid_core_bench" "$CORE_SECONDS" | sed 's/ |$/ | ≥ 2,000,000 VIDs\/s, ≥ 10x |/' | head -1

q "CREATE EXTENSION vid"
# --- generation: vid_generate_pool vs INSERT ... SELECT of pre-computed sorted keys, same table shape.
q "CREATE TABLE ref (LIKE vid.pool INCLUDING DEFAULTS INCLUDING INDEXES)"
q "CREATE TABLE keys AS SELECT DISTINCT (2e15 + random() * 7.9e15)::bigint AS k FROM generate_series(1, $N)"
q "CHECKPOINT"
ref_s=$(timed "INSERT INTO ref (vid) SELECT k FROM keys ORDER BY k")
q "CHECKPOINT"
vid_s=$(timed "SELECT vid_generate_pool($N)")
echo "| vid_generate_pool($N) wall time (s) | $vid_s | INSERT ... SELECT of $N sorted bigints $ref_s | $(py "f'{$vid_s / $ref_s:.2f}'")x | ≤ 1.5x |"
if [ -f "$PEER_SQL" ]; then
    psql -XAtq -v ON_ERROR_STOP=1 -f "$PEER_SQL" >/dev/null 2>&1
    peer_s=$(timed "SELECT peer.generate_pool($PEER_N)")
    vid_us=$(py "f'{$vid_s / $N * 1e6:.2f}'")
    peer_us=$(py "f'{$peer_s / $PEER_N * 1e6:.1f}'")
    echo "| per VID generated (µs) | $vid_us | peer.generate_pool($PEER_N) $peer_us | $(py "f'{$peer_us / $vid_us:.0f}'")x faster | ≥ 300x |"
fi
q "DROP TABLE ref, keys"

# --- allocation throughput: pgbench, 8 clients, pool of POOL, vs a minimal SKIP LOCKED function.
have=$(q "SELECT count(*) FROM vid.pool")
[ "$have" -lt "$POOL" ] && q "SELECT vid_generate_pool($((POOL - have)))" >/dev/null
q "CREATE TABLE plain_pool (id bigint PRIMARY KEY, status smallint NOT NULL DEFAULT 0, expiry timestamptz)"
q "INSERT INTO plain_pool (id) SELECT g FROM generate_series(1, $POOL) g"
q "CREATE FUNCTION plain_allocate() RETURNS bigint LANGUAGE sql AS
   \$\$UPDATE plain_pool SET status = 1 WHERE id = (SELECT id FROM plain_pool WHERE status = 0 LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING id\$\$"
q "VACUUM ANALYZE"
echo "SELECT vid_allocate();" >"$WORK/vid.sql"
echo "SELECT plain_allocate();" >"$WORK/plain.sql"
tps() { pgbench -n -c 8 -j 2 -T "$PGBENCH_SECONDS" -f "$1" 2>/dev/null | sed -n 's/^tps = \([0-9.]*\).*/\1/p'; }
plain_tps=$(tps "$WORK/plain.sql")
vid_tps=$(tps "$WORK/vid.sql")
echo "| vid_allocate() tps, pgbench 8 clients, pool of $POOL | $vid_tps | SKIP LOCKED SQL function on a plain table $plain_tps | $(py "f'{$vid_tps / $plain_tps:.2f}'")x | ≥ 1.0x |"

# --- the audit's cost: two fresh databases with the same pool, one at 0.2.0 (audit) and one at
# 0.1.0 (no audit columns), alternating runs.
for db in audit_on audit_off; do
    createdb $db
    if [ $db = audit_on ]; then PGDATABASE=$db q "CREATE EXTENSION vid VERSION '0.2.0'"; else PGDATABASE=$db q "CREATE EXTENSION vid VERSION '0.1.0'"; fi
    PGDATABASE=$db q "SELECT vid_generate_pool($POOL)" >/dev/null
    PGDATABASE=$db q "VACUUM ANALYZE"
done
on=0 off=0
for round in 1 2; do
    off=$(py "$off + float(sys.argv[1])" "$(PGDATABASE=audit_off tps "$WORK/vid.sql")")
    on=$(py "$on + float(sys.argv[1])" "$(PGDATABASE=audit_on tps "$WORK/vid.sql")")
done
echo "| vid_allocate() tps with audit (0.2.0), fresh pools, 2 alternating runs | $(py "f'{$on / 2:.0f}'") | without audit (0.1.0 schema) $(py "f'{$off / 2:.0f}'") | $(py "f'{$on / $off:.2f}'")x | ≥ 0.9x |"
dropdb --force audit_on
dropdb --force audit_off

# --- sustained allocation with the worker refilling: tps of the first vs the last 10%.
q "ALTER SYSTEM SET vid.refill_threshold = 50000"
q "ALTER SYSTEM SET vid.refill_target = 100000"
q "ALTER SYSTEM SET vid.refill_naptime = 1"
q "SELECT pg_reload_conf()" >/dev/null
per_client=$((SUSTAINED / 8))
pgbench -n -c 8 -j 2 -t "$per_client" -P 1 -f "$WORK/vid.sql" >"$WORK/sustained.out" 2>"$WORK/sustained.err" || true
python3 - "$WORK/sustained.err" "$WORK/sustained.out" "$SUSTAINED" <<'PY'
import re, sys
tps = [float(m.group(1)) for m in re.finditer(r'progress: [0-9.]+ s, ([0-9.]+) tps', open(sys.argv[1]).read())]
out = open(sys.argv[2]).read()
failed = re.search(r'number of failed transactions: (\d+)', out)
failed = int(failed.group(1)) if failed else (0 if 'transactions actually processed' in out else -1)
k = max(1, len(tps) // 10)
first, last = sum(tps[:k]) / k, sum(tps[-k - 1:-1] or tps[-k:]) / k
print(f"| sustained: {int(sys.argv[3])} allocations, worker refilling (tps) | last 10% {last:.0f} | first 10% {first:.0f} | {last / first:.2f}x, {failed} failed | ≥ 0.8x, 0 failed |")
PY

# The worker stops refilling from here on: the figures below measure one statement alone.
q "ALTER SYSTEM SET vid.refill_threshold = 0"
q "SELECT pg_reload_conf()" >/dev/null
sleep 2

# --- the validity check over stored strings vs a trivial predicate on the same table.
q "CREATE TABLE strings AS SELECT vid.key_to_text(vid) AS v FROM vid.all_vids LIMIT $VALID_N"
q "VACUUM ANALYZE strings"
# Both serial (each psql is a new session: the setting goes in PGOPTIONS), best of three.
serial="$PGOPTIONS -c max_parallel_workers_per_gather=0"
q "SELECT count(*) FROM strings WHERE length(v) = 16" >/dev/null  # warm
len_s=$(PGOPTIONS=$serial best_of_3 "SELECT count(*) FROM strings WHERE length(v) = 16")
valid_s=$(PGOPTIONS=$serial best_of_3 "SELECT count(*) FROM strings WHERE vid_is_valid(v)")
echo "| count(*) WHERE vid_is_valid(v), $(q "SELECT count(*) FROM strings") strings (s) | $valid_s | WHERE length(v) = 16: $len_s | $(py "f'{$valid_s / $len_s:.2f}'")x | ≤ 1.3x |"

# --- disk per pooled VID.
q "TRUNCATE vid.pool, vid.vid"
q "SELECT vid_generate_pool($POOL)" >/dev/null
q "VACUUM ANALYZE vid.pool"
# Everything the extension stores for its pool: vid.pool (heap + primary key) and the (here empty)
# vid.vid with its indexes.
bytes=$(q "SELECT round((pg_total_relation_size('vid.pool') + pg_total_relation_size('vid.vid'))::numeric / count(*), 1) FROM vid.pool")
detail=$(q "SELECT 'vid.pool heap ' || round(pg_relation_size('vid.pool')::numeric / count(*), 1) || ' + primary key ' || round(pg_indexes_size('vid.pool')::numeric / count(*), 1) || ', empty vid.vid ' || round(pg_total_relation_size('vid.vid')::numeric / count(*), 2) FROM vid.pool")
echo "| disk per pooled VID after VACUUM (bytes, tables + indexes) | $bytes | $detail | - | ≤ 64 |"

# --- peak private memory of the backend during a big generation, and its progress.
q "TRUNCATE vid.pool, vid.vid"
psql -XAtq -c "SELECT pg_backend_pid()" -c "SELECT vid_generate_pool($BIG)" >"$WORK/big.out" 2>&1 &
client=$!
sleep 0.5
pid=$(q "SELECT pid FROM pg_stat_activity WHERE query LIKE '%vid_generate_pool($BIG)%' AND pid <> pg_backend_pid()")
peak=0 progress=""
while kill -0 "$client" 2>/dev/null; do
    kb=$(awk '/^(Private_Clean|Private_Dirty):/ {s += $2} END {print s + 0}' /proc/"$pid"/smaps_rollup 2>/dev/null || echo 0)
    [ "$kb" -gt "$peak" ] && peak=$kb
    p=$(q "SELECT substring(query from '^/\* vid: [0-9]+ of [0-9]+ VIDs added \*/') FROM pg_stat_activity WHERE pid = $pid" 2>/dev/null || true)
    [ -n "$p" ] && progress=$p
    sleep 0.5
done
echo "| peak private memory of the backend, vid_generate_pool($BIG) (MB) | $((peak / 1024)) | last progress seen: ${progress:-none} | - | ≤ 256 MB, progress visible |"
