#!/usr/bin/env bash
# An interrupted vid_generate_pool leaves nothing behind (one transaction), on a cluster of its
# own without the refill worker (so nothing else changes the tables):
#  1. kill -9 of the backend running vid_generate_pool(3000000) after ~2 s: the postmaster's
#     crash recovery runs, not one row of the aborted call remains (count of vid.all_vids as
#     before, the heap of vid.pool did grow meanwhile), no duplicate key across vid.pool and
#     vid.vid, the indexes of both match their heaps, vid_generate_pool and vid_allocate work again.
#  2. pg_cancel_backend of the same call: SQLSTATE 57014 within seconds, count unchanged, the
#     session goes on working.
#  3. statement_timeout = '1s': SQLSTATE 57014, count unchanged, the session goes on working.
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH=/usr/lib/postgresql/15/bin:$PATH
source test/lib/cluster.sh
source test/crash/lib.sh
WORK=$(mktemp -d /tmp/vid-crash-gen.XXXXXX)
chmod 755 "$WORK"
PORT=${VID_CRASH_GEN_PORT:-56500}
ok=0
trap 'cluster_stop "$WORK/pg" immediate; [ $ok = 1 ] && rm -rf "$WORK" || echo "kept $WORK"' EXIT

BIG=3000000
# autovacuum off: the heap's size shows that the interrupted calls did write (no truncation).
cluster_new "$WORK/pg" "$PORT" "restart_after_crash = on" "autovacuum = off"
create_extension vid
create_extension amcheck
q "SELECT vid_generate_pool(20000)" >/dev/null
for i in $(seq 50); do q "SELECT vid_allocate()"; done >"$WORK/assigned"

# base: VIDs (vid.pool and vid.vid) and ASSIGNED rows before an interrupted call
base=$(q "SELECT count(*) FROM vid.all_vids")
base_assigned=$(q "SELECT count(*) FROM vid.vid WHERE status = 'ASSIGNED'")
echo "before: $base VIDs, $base_assigned ASSIGNED"

# Starts `SELECT vid_generate_pool($BIG)` in the background (application_name $1, output in
# $WORK/$1.*, psql line $2 before it) and waits until it has run ~2 s; sets GEN_PID (the
# backend), GEN_AGE and CLIENT (psql). With $3 = nowait it only starts the client.
start_generate() {
    local name=$1 pre=${2:-}
    printf '%s\n\\set QUIET on\nSELECT vid_generate_pool(%d);\n\\echo sqlstate=:LAST_ERROR_SQLSTATE\n%s\n' \
        "$pre" "$BIG" "SELECT 'after=' || count(*) FROM vid.all_vids;" >"$WORK/$name.sql"
    PGAPPNAME=$name psql -XAt -f "$WORK/$name.sql" >"$WORK/$name.out" 2>"$WORK/$name.err" &
    CLIENT=$!
    [ "${3:-}" = nowait ] && return 0
    wait_for 20 "SELECT count(*) = 1 FROM pg_stat_activity WHERE application_name = '$name'
                 AND state = 'active' AND query LIKE '%vid_generate_pool%' AND now() - query_start > interval '2 s'" ||
        fail "no vid_generate_pool($BIG) running for 2 s ($name)"
    read -r GEN_PID GEN_AGE <<<"$(q "SELECT pid, round(extract(epoch FROM now() - query_start), 1)
        FROM pg_stat_activity WHERE application_name = '$name'" | tr '|' ' ')"
}
# The count of VIDs must be back to the base; the call must have been writing (vid.pool's heap grew).
check_unchanged() {
    local what=$1 size_before=$2 size_during=$3
    [ "$size_during" -gt "$size_before" ] ||
        fail "$what: the heap of vid.pool did not grow while vid_generate_pool ran ($size_before -> $size_during bytes)"
    check "$what: not one row of the aborted call remains ($base VIDs, vid.pool's heap had grown by $(((size_during - size_before) / 1024)) kB)" \
        "SELECT count(*) = $base FROM vid.all_vids"
    check "$what: the $base_assigned ASSIGNED VIDs are unchanged" \
        "SELECT count(*) = $base_assigned FROM vid.vid WHERE status = 'ASSIGNED'"
    check "$what: no duplicate key across vid.pool and vid.vid" "SELECT count(*) = count(DISTINCT vid) FROM vid.all_vids"
}

# 1. kill -9 of the backend.
size0=$(q "SELECT pg_relation_size('vid.pool')")
start_generate gen_kill
size1=$(q "SELECT pg_relation_size('vid.pool')")
kill -9 "$GEN_PID"
echo "killed backend $GEN_PID (kill -9) after $GEN_AGE s of vid_generate_pool($BIG)"
wait "$CLIENT" && fail "the killed call's client exited with 0" || true
grep -qE 'server closed the connection|connection to server was lost' "$WORK/gen_kill.err" ||
    { cat "$WORK/gen_kill.err"; fail "the killed call's client did not see its connection die"; }
wait_for 60 "SELECT NOT pg_is_in_recovery()" || fail "the server did not come back after the crash"
grep -q "server process (PID $GEN_PID) was terminated by signal 9" "$WORK/pg/server.log" ||
    fail "the log does not show the backend killed by signal 9"
grep -q "database system was not properly shut down; automatic recovery in progress" "$WORK/pg/server.log" ||
    fail "no crash recovery in the log"
echo "ok: the postmaster ran crash recovery and accepts connections again"
check_unchanged "kill -9" "$size0" "$size1"
check "amcheck: every index of vid.vid and vid.pool matches the heap" \
    "SELECT bool_and(true) AND count(*) >= 2 FROM (SELECT bt_index_check(c.oid, true) FROM pg_index i JOIN pg_class c
     ON c.oid = i.indexrelid WHERE i.indrelid IN ('vid.vid'::regclass, 'vid.pool'::regclass)) s"
check "every VID allocated before the crash is still ASSIGNED" \
    "SELECT count(*) = 50 FROM vid.vid WHERE vid = ANY('{$(paste -sd, "$WORK/assigned")}'::bigint[]) AND status = 'ASSIGNED'"
[ "$(q "SELECT vid_generate_pool(5000)")" = 5000 ] || fail "vid_generate_pool(5000) after the crash"
check "vid_generate_pool(5000) works after the crash" "SELECT count(*) = $base + 5000 FROM vid.all_vids"
v=$(q "SELECT vid_allocate()")
check "vid_allocate works after the crash ($v)" \
    "SELECT vid_is_valid('$v') AND status = 'ASSIGNED' AND vid_status('$v') = 'ASSIGNED' FROM vid.vid WHERE vid = $v::bigint"
check "no duplicate key across vid.pool and vid.vid" "SELECT count(*) = count(DISTINCT vid) FROM vid.all_vids"
base=$(q "SELECT count(*) FROM vid.all_vids")
base_assigned=$(q "SELECT count(*) FROM vid.vid WHERE status = 'ASSIGNED'")

# 2. pg_cancel_backend, 3. statement_timeout: the client sees 57014 and goes on.
interrupted() {  # interrupted NAME HOW MESSAGE [psql line before the call]
    local name=$1 how=$2 message=$3 pre=${4:-} t0 ms
    size0=$(q "SELECT pg_relation_size('vid.pool')")
    t0=$(date +%s%N)
    if [ "$how" = cancel ]; then
        start_generate "$name" "$pre"
        [ "$(q "SELECT pg_cancel_backend($GEN_PID)")" = t ] || fail "$name: pg_cancel_backend($GEN_PID) failed"
        echo "cancelled backend $GEN_PID after $GEN_AGE s of vid_generate_pool($BIG)"
    else
        start_generate "$name" "$pre" nowait
    fi
    wait "$CLIENT" || { cat "$WORK/$name.err"; fail "$name: psql failed"; }
    ms=$((($(date +%s%N) - t0) / 1000000))
    size1=$(q "SELECT pg_relation_size('vid.pool')")  # autovacuum is off: no truncation
    grep -q "^sqlstate=57014$" "$WORK/$name.out" ||
        { cat "$WORK/$name.out" "$WORK/$name.err"; fail "$name: SQLSTATE is not 57014"; }
    grep -q "ERROR:  $message" "$WORK/$name.err" ||
        { cat "$WORK/$name.err"; fail "$name: the error is not '$message'"; }
    echo "ok: $name: ERROR 57014 '$message', $ms ms after the call started"
    [ "$ms" -lt 15000 ] || fail "$name: the call took $ms ms to stop"
    grep -q "^after=$base$" "$WORK/$name.out" ||
        { cat "$WORK/$name.out"; fail "$name: the same session does not go on (or sees a count other than $base)"; }
    echo "ok: $name: the same session goes on and counts $base VIDs"
    check_unchanged "$name" "$size0" "$size1"
}
interrupted gen_cancel cancel "canceling statement due to user request"
interrupted gen_timeout timeout "canceling statement due to statement timeout" "SET statement_timeout = '1s';"
[ "$(q "SELECT vid_generate_pool(1000)")" = 1000 ] || fail "vid_generate_pool(1000) after the cancels"
check "vid_generate_pool works after the cancels" "SELECT count(*) = $base + 1000 FROM vid.all_vids"
v=$(q "SELECT vid_allocate()")
check "vid_allocate works after the cancels ($v)" \
    "SELECT (SELECT count(*) = $base_assigned + 1 FROM vid.vid WHERE status = 'ASSIGNED')
        AND (SELECT status = 'ASSIGNED' FROM vid.vid WHERE vid = $v::bigint)"
check "amcheck: every index of vid.vid and vid.pool matches the heap" \
    "SELECT bool_and(true) AND count(*) >= 2 FROM (SELECT bt_index_check(c.oid, true) FROM pg_index i JOIN pg_class c
     ON c.oid = i.indexrelid WHERE i.indrelid IN ('vid.vid'::regclass, 'vid.pool'::regclass)) s"
ok=1
echo "kill_generate: all checks passed"
