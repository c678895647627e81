#!/usr/bin/env bash
# The refill worker on its own cluster (shared_preload_libraries = 'vid'):
#  1. 8 clients allocate 4x the target: no failure, all distinct, and the pool is back above
#     the threshold within seconds after the load stops; prints the refill rate under load.
#  2. A VID with a 1-second expiry reads EXPIRED in the table after the worker's next round.
#  3. kill -9 of the worker in the middle of a refill: the cluster recovers, the worker comes
#     back, no VID is duplicated and the pool keeps filling.
#  4. A database without the extension keeps no worker; SIGTERM (pg_ctl stop) is clean.
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH=/usr/lib/postgresql/15/bin:$PATH
source test/lib/cluster.sh
WORK=$(mktemp -d /tmp/vid-worker.XXXXXX)
chmod 755 "$WORK"
PORT=${VID_WORKER_PORT:-55442}
ok=0
trap 'cluster_stop "$WORK/pg" immediate; [ $ok = 1 ] && rm -rf "$WORK" || echo "kept $WORK"' EXIT

THRESHOLD=2000 TARGET=5000
cluster_new "$WORK/pg" "$PORT" "shared_preload_libraries = 'vid'" "vid.refill_threshold = $THRESHOLD" \
    "vid.refill_target = $TARGET" "vid.refill_naptime = 1" "vid.refill_batch = 1000"
q() { psql -XAtq -v ON_ERROR_STOP=1 -c "$1"; }
check() {  # check DESCRIPTION SQL-returning-boolean
    local got
    got=$(q "$2")
    if [ "$got" = t ]; then echo "ok: $1"; else echo "FAILED: $1 (got '$got')"; exit 1; fi
}
wait_for() {  # wait_for SECONDS SQL-returning-boolean
    local deadline=$((SECONDS + $1))
    while [ $SECONDS -lt $deadline ]; do
        [ "$(q "$2" 2>/dev/null || true)" = t ] && return 0
        sleep 0.3
    done
    return 1
}

q "CREATE EXTENSION vid"
q "ALTER TABLE vid.pool SET (autovacuum_enabled = false)"  # so that a vacuum seen below is the worker's
wait_for 20 "SELECT count(*) >= $TARGET FROM vid.pool" ||
    { echo "FAILED: the worker did not fill the new pool to the target"; exit 1; }
echo "ok: the worker filled the pool of a new installation to the target ($TARGET)"
check "the launcher and one worker run" \
    "SELECT count(*) FILTER (WHERE backend_type = 'vid launcher') = 1 AND count(*) FILTER (WHERE backend_type = 'vid refill worker') = 1 FROM pg_stat_activity"

# 1. Load: 8 clients x 2500 allocations = 4x the target.
for c in 1 2 3 4 5 6 7 8; do
    for i in $(seq 2500); do echo "SELECT vid_allocate();"; done >"$WORK/in.$c"
done
before=$(q "SELECT count(*) FROM vid.all_vids")
start=$(date +%s.%N)
pids=()
for c in 1 2 3 4 5 6 7 8; do
    psql -XAtq -v ON_ERROR_STOP=1 -f "$WORK/in.$c" >"$WORK/out.$c" 2>"$WORK/err.$c" &
    pids+=($!)
done
failed=0
for p in "${pids[@]}"; do wait "$p" || failed=$((failed + 1)); done
end=$(date +%s.%N)
after=$(q "SELECT count(*) FROM vid.all_vids")
errors=$(cat "$WORK"/err.* | wc -l)
cat "$WORK"/out.* >"$WORK/all"
total=$(wc -l <"$WORK/all")
distinct=$(sort -u "$WORK/all" | wc -l)
worker_added=$(grep -o 'refill added [0-9]*' "$WORK/pg/server.log" | awk '{s += $3} END {print s + 0}')
python3 - "$before" "$after" "$start" "$end" "$total" <<'PY'
import sys
before, after, start, end, total = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5])
s = end - start
print(f"load: 8 clients, {total} allocations in {s:.1f} s ({total / s:.0f}/s); "
      f"{after - before} VIDs generated meanwhile ({(after - before) / s:.0f} VIDs/s added)")
PY
[ "$failed" = 0 ] && [ "$errors" = 0 ] || { echo "FAILED: $failed clients failed, $errors error lines"; cat "$WORK"/err.*; exit 1; }
echo "ok: no allocation failed"
[ "$total" = 20000 ] && [ "$distinct" = 20000 ] || { echo "FAILED: $total allocations, $distinct distinct"; exit 1; }
echo "ok: 20000 allocations, all distinct"
q "CREATE TEMP TABLE x (v text)" >/dev/null
check "every allocated VID is ASSIGNED" \
    "SELECT count(*) = 20000 FROM vid.vid WHERE status = 'ASSIGNED'"
t0=$SECONDS
wait_for 15 "SELECT count(*) >= $THRESHOLD FROM vid.pool" ||
    { echo "FAILED: pool not back above the threshold within 15 s"; exit 1; }
echo "ok: pool back above the threshold $((SECONDS - t0)) s after the load (worker log: $worker_added added so far)"
check "no duplicate keys across vid.pool and vid.vid" "SELECT count(*) = count(DISTINCT vid) FROM vid.all_vids"
# 20,000 allocations left 20,000 dead rows in vid.pool: the worker vacuums it itself (a manual
# VACUUM in the statistics: last_vacuum, not last_autovacuum; autovacuum is off for vid.pool here).
wait_for 15 "SELECT last_vacuum IS NOT NULL FROM pg_stat_user_tables WHERE relid = 'vid.pool'::regclass" ||
    { echo "FAILED: the worker did not vacuum vid.pool ($(q "SELECT n_dead_tup FROM pg_stat_user_tables WHERE relid = 'vid.pool'::regclass") dead rows)"; exit 1; }
echo "ok: the worker vacuumed vid.pool after the load (dead rows now $(q "SELECT n_dead_tup FROM pg_stat_user_tables WHERE relid = 'vid.pool'::regclass"))"

# 2. Expiry sweep.
v=$(q "SELECT vid_allocate(clock_timestamp() + interval '1 second')")
wait_for 10 "SELECT status = 'EXPIRED' FROM vid.vid WHERE vid = $v::bigint" ||
    { echo "FAILED: VID with a 1 s expiry not EXPIRED in the table"; exit 1; }
echo "ok: a VID with a 1-second expiry reads EXPIRED in the table after the worker's round"

# 3. kill -9 mid-refill: a big target makes the refill last.
q "ALTER SYSTEM SET vid.refill_target = 400000" >/dev/null
q "ALTER SYSTEM SET vid.refill_threshold = 300000" >/dev/null
q "SELECT pg_reload_conf()" >/dev/null
wait_for 20 "SELECT count(*) > 0 FROM pg_stat_activity WHERE backend_type = 'vid refill worker' AND query = 'vid: refill' AND state = 'active'" ||
    { echo "FAILED: no refill in progress to kill"; exit 1; }
wpid=$(q "SELECT pid FROM pg_stat_activity WHERE backend_type = 'vid refill worker'")
before_kill=$(q "SELECT count(*) FROM vid.all_vids")
kill -9 "$wpid"
echo "killed worker $wpid mid-refill at $before_kill VIDs"
sleep 1
wait_for 30 "SELECT count(*) = 1 FROM pg_stat_activity WHERE backend_type = 'vid refill worker'" ||
    { echo "FAILED: the worker did not come back after kill -9"; exit 1; }
echo "ok: the cluster recovered and the worker is back"
check "no duplicate keys across vid.pool and vid.vid after the crash" "SELECT count(*) = count(DISTINCT vid) FROM vid.all_vids"
check "every allocated VID is still ASSIGNED" "SELECT count(*) >= 20000 FROM vid.vid WHERE status = 'ASSIGNED'"
after_kill=$(q "SELECT count(*) FROM vid.pool")
wait_for 30 "SELECT count(*) > $after_kill FROM vid.pool" || { echo "FAILED: the pool stopped filling"; exit 1; }
echo "ok: the pool keeps filling after the crash ($after_kill -> $(q "SELECT count(*) FROM vid.pool") VIDs in vid.pool)"
q "ALTER SYSTEM RESET ALL" >/dev/null
q "SELECT pg_reload_conf()" >/dev/null

# 4. A database without the extension; clean shutdown.
q "CREATE DATABASE plain" >/dev/null
sleep 3
check "no worker stays in a database without the extension" \
    "SELECT count(*) = 0 FROM pg_stat_activity WHERE datname = 'plain'"
cluster_stop "$WORK/pg" fast
if grep -E "terminated by signal|exited with exit code [^01]" "$WORK/pg/server.log" | grep -v "PID $wpid" | grep -q .; then
    echo "FAILED: unclean exits:"; grep -E "terminated by signal|exited with exit code" "$WORK/pg/server.log"; exit 1
fi
echo "ok: SIGTERM stops the launcher and the worker cleanly"
ok=1
echo "refill_worker: all checks passed"
