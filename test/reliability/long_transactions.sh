#!/usr/bin/env bash
# Long transactions and row locks against vid_allocate, on its own cluster:
#  1. While one session keeps a transaction open with an xid (BEGIN; SELECT txid_current(); idle
#     in transaction), another one sleeps inside a transaction that has an xid (pg_sleep), and a
#     REPEATABLE READ transaction that read vid.pool and vid.vid stays open: 500 allocations from
#     another session (lock_timeout 2 s, all within 10 s) all succeed, distinct, ASSIGNED and
#     valid — more than the pool holds, so the inline refill runs under the old snapshot too.
#  2. While a session holds FOR UPDATE locks on rows of vid.pool (AVAILABLE VIDs): allocations
#     never return a locked VID and never wait (the whole unlocked pool is drained, then some more);
#     with every row of vid.pool locked an allocation still succeeds at once (a new VID made
#     inline); the locked VIDs stay AVAILABLE (in vid.pool, no row in vid.vid). Also with an
#     admin's open transaction that added a restricted number (and so withdrew pooled VIDs).
#  3. An allocation in a transaction that rolls back (ROLLBACK, ROLLBACK TO SAVEPOINT, a terminated
#     backend) leaves its VID AVAILABLE exactly as before (its key back in vid.pool, no row in
#     vid.vid; vid_status NULL, vid_revoke VD001), vid.vid and vid.pool as before, and the VID can
#     be handed out again later.
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH=/usr/lib/postgresql/15/bin:$PATH
source test/lib/cluster.sh
WORK=$(mktemp -d /tmp/vid-longtx.XXXXXX)
chmod 755 "$WORK"
PORT=${VID_LONGTX_PORT:-56602}
failures=0
declare -A FD PID
cleanup() {
    local name
    for name in "${!FD[@]}"; do
        eval "exec ${FD[$name]}>&-" 2>/dev/null || true
    done
    cluster_stop "$WORK/pg" immediate
    for name in "${!PID[@]}"; do wait "${PID[$name]}" 2>/dev/null || true; done
    if [ "$failures" = 0 ]; then rm -rf "$WORK"; else echo "kept $WORK"; fi
}
trap cleanup EXIT

cluster_new "$WORK/pg" "$PORT"
export PGDATABASE=lt
q() { psql -XAtq -v ON_ERROR_STOP=1 -c "$1"; }
fail() { echo "FAILED: $*"; failures=$((failures + 1)); }
check() {  # check DESCRIPTION SQL-returning-boolean
    local got
    got=$(q "$2" 2>&1) || true
    if [ "$got" = t ]; then echo "ok: $1"; else fail "$1 (got '$got')"; fi
}
wait_for() {  # wait_for SECONDS SQL-returning-boolean
    local deadline=$((SECONDS + $1))
    while [ $SECONDS -lt $deadline ]; do
        [ "$(q "$2" 2>/dev/null || true)" = t ] && return 0
        sleep 0.2
    done
    return 1
}
# A background session fed through a FIFO, so its transaction stays open as long as we want.
open_session() {  # open_session NAME
    local name=$1 fd
    mkfifo "$WORK/$name.fifo"
    # No ON_ERROR_STOP: psql must keep reading the FIFO after a cancelled or failed statement.
    # The other sessions' FIFO write ends must not leak into this psql (they would never see EOF).
    (
        for f in "${FD[@]}"; do eval "exec $f>&-"; done
        PGAPPNAME=$name exec psql -XAtq <"$WORK/$name.fifo" >"$WORK/$name.out" 2>"$WORK/$name.err"
    ) &
    PID[$name]=$!
    exec {fd}>"$WORK/$name.fifo"
    FD[$name]=$fd
}
send() {  # send NAME SQL (only while that psql is alive: a write without a reader would kill us)
    kill -0 "${PID[$1]}" 2>/dev/null || { fail "session $1 ended early: $(cat "$WORK/$1.err")"; return 1; }
    echo "$2" >&"${FD[$1]}"
}
close_session() {  # close_session NAME: ROLLBACK, end of input, wait for psql
    local name=$1
    send "$name" "ROLLBACK;" || true
    eval "exec ${FD[$name]}>&-"
    unset "FD[$name]"
    wait "${PID[$name]}" || true
    unset "PID[$name]"
}
# allocate N FILE [EXPIRY-EVERY]: N autocommit allocations in one new session, which must neither
# wait for a lock (lock_timeout 2 s) nor take more than 10 s; one VID per line in FILE.
allocate() {
    local n=$1 out=$2 every=${3:-0} i rc=0
    for i in $(seq "$n"); do
        if [ "$every" -gt 0 ] && [ $((i % every)) = 0 ]; then
            echo "SELECT vid_allocate(now() + interval '1 day');"
        else
            echo "SELECT vid_allocate();"
        fi
    done >"$WORK/alloc.sql"
    local t0=$SECONDS
    PGOPTIONS="-c lock_timeout=2s -c statement_timeout=5s" timeout 10 \
        psql -XAtq -v ON_ERROR_STOP=1 -f "$WORK/alloc.sql" >"$out" 2>"$out.err" || rc=$?
    ALLOC_SECONDS=$((SECONDS - t0))
    return $rc
}
load_keys() {  # load_keys FILE TABLE: VIDs (text) from a file into a new table of keys
    q "CREATE TABLE $2 (vid bigint PRIMARY KEY)"
    psql -XAtq -v ON_ERROR_STOP=1 -c "\\copy $2 FROM '$1'"
}

psql -XAtq -d postgres -c "CREATE DATABASE lt"
for i in $(seq 10); do q "CREATE EXTENSION vid" 2>"$WORK/ext.err" && break; sleep 3; done
[ "$(q "SELECT extname FROM pg_extension WHERE extname = 'vid'")" = vid ] || { cat "$WORK/ext.err"; exit 1; }
q "SELECT vid_generate_pool(300)" >/dev/null
q "CREATE SCHEMA t"

# ------------------------------------------------------------------------------------------------
# 1. Long transactions.
open_session xid_idle
send xid_idle "BEGIN; SELECT txid_current(); SELECT count(*) FROM vid.all_vids;"
open_session xid_sleep
send xid_sleep "BEGIN; SELECT txid_current(); SELECT pg_sleep(300);"
open_session rr
send rr "BEGIN ISOLATION LEVEL REPEATABLE READ; SELECT count(*) FROM vid.pool; SELECT vid FROM vid.pool ORDER BY vid LIMIT 1; SELECT count(*) FROM vid.vid;"
wait_for 10 "SELECT count(*) = 3 FROM pg_stat_activity
             WHERE (application_name = 'xid_idle' AND state = 'idle in transaction' AND backend_xid IS NOT NULL)
                OR (application_name = 'xid_sleep' AND state = 'active' AND query LIKE '%pg_sleep%' AND backend_xid IS NOT NULL)
                OR (application_name = 'rr' AND state = 'idle in transaction' AND backend_xmin IS NOT NULL)" ||
    { fail "the long transactions did not start"; exit 1; }
echo "ok: open: an idle transaction with an xid, a sleeping one with an xid, a REPEATABLE READ one that read vid.pool and vid.vid"
pooled_before=$(q "SELECT count(*) FROM vid.pool")
rc=0
allocate 500 "$WORK/long.out" 3 || rc=$?
if [ "$rc" = 0 ] && [ ! -s "$WORK/long.out.err" ]; then
    echo "ok: 500 allocations (every 3rd with an expiry; pool $pooled_before) succeeded in $ALLOC_SECONDS s beside the long transactions"
else
    fail "allocations beside long transactions: exit $rc (124 = the 10 s timeout): $(head -3 "$WORK/long.out.err")"
fi
load_keys "$WORK/long.out" t.long
check "the 500 VIDs are distinct, valid, ASSIGNED (166 with an expiry), and the pool was refilled inline" \
    "SELECT count(*) = 500 AND bool_and(vid_is_valid(lpad(l.vid::text, 16, '0'))) AND bool_and(v.status = 'ASSIGNED')
        AND count(v.expiry) = 166 AND (SELECT count(*) FROM vid.all_vids) > 500
     FROM t.long l JOIN vid.vid v USING (vid)"
check "the long transactions are still open" \
    "SELECT count(*) = 3 FROM pg_stat_activity WHERE application_name IN ('xid_idle', 'xid_sleep', 'rr') AND xact_start IS NOT NULL"
# Revocation works beside them too.
v=$(head -1 "$WORK/long.out")
check "vid_revoke beside the long transactions" "SELECT vid_revoke('$v')"
check "vid_status beside the long transactions" "SELECT vid_status('$v') = 'EXPIRED'"
# The REPEATABLE READ transaction still reads its snapshot: none of the new rows (vid.pool and vid.vid).
send rr "SELECT 'rr-count', count(*) FROM vid.all_vids;"
send rr "SELECT 'rr-status', vid_status('$v') IS NULL;"
sleep 0.5
if grep -qx "rr-count|300" "$WORK/rr.out" && grep -qx "rr-status|t" "$WORK/rr.out"; then
    echo "ok: the REPEATABLE READ transaction still sees its snapshot (300 VIDs; the new VID unknown to vid_status)"
else
    fail "the REPEATABLE READ transaction: $(tail -3 "$WORK/rr.out" | tr '\n' ' ') $(cat "$WORK/rr.err")"
fi
for s in xid_idle xid_sleep rr; do
    [ "$s" = xid_sleep ] && q "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE application_name = 'xid_sleep'" >/dev/null
    close_session "$s"
done
for s in xid_idle rr; do
    [ ! -s "$WORK/$s.err" ] || fail "$s session: $(cat "$WORK/$s.err")"
done
grep -qv "canceling statement due to user request" "$WORK/xid_sleep.err" &&
    fail "xid_sleep session: $(cat "$WORK/xid_sleep.err")"

# ------------------------------------------------------------------------------------------------
# 2. Row locks on the pool's rows (AVAILABLE VIDs, in vid.pool).
q "SELECT vid_generate_pool(400)" >/dev/null
q "CREATE TABLE t.locked AS SELECT vid FROM vid.pool ORDER BY random() LIMIT 100"
open_session locker
send locker "BEGIN; SELECT count(*) FROM (SELECT vid FROM vid.pool WHERE vid IN (SELECT vid FROM t.locked) FOR UPDATE) s;"
wait_for 10 "SELECT count(*) = 1 FROM pg_stat_activity WHERE application_name = 'locker' AND state = 'idle in transaction'" ||
    { fail "the locker did not lock"; exit 1; }
grep -qx 100 "$WORK/locker.out" || { fail "the locker locked $(cat "$WORK/locker.out") rows"; exit 1; }
unlocked=$(q "SELECT count(*) FROM vid.pool WHERE vid NOT IN (SELECT vid FROM t.locked)")
echo "ok: a session holds FOR UPDATE locks on 100 rows of vid.pool ($unlocked others in the pool)"
n=$((unlocked + 50))
rc=0
allocate "$n" "$WORK/locked.out" 4 || rc=$?
if [ "$rc" = 0 ] && [ ! -s "$WORK/locked.out.err" ]; then
    echo "ok: $n allocations (the whole unlocked pool and 50 more) succeeded in $ALLOC_SECONDS s without waiting"
else
    fail "allocations beside row locks: exit $rc: $(head -3 "$WORK/locked.out.err")"
fi
load_keys "$WORK/locked.out" t.got
check "no allocation returned a locked VID; all $n distinct and ASSIGNED" \
    "SELECT (SELECT count(*) FROM t.got WHERE vid IN (SELECT vid FROM t.locked)) = 0
        AND (SELECT count(*) FROM t.got g JOIN vid.vid v USING (vid) WHERE v.status = 'ASSIGNED') = $n"
# Now lock every row of vid.pool: an allocation still succeeds at once with a new VID.
send locker "SELECT 'all', count(*) FROM (SELECT vid FROM vid.pool FOR UPDATE) s;"
wait_for 10 "SELECT count(*) = 1 FROM pg_stat_activity WHERE application_name = 'locker' AND state = 'idle in transaction' AND query LIKE '%''all''%'" ||
    { fail "the locker did not lock the whole pool"; exit 1; }
q "CREATE TABLE t.all_locked AS SELECT vid FROM vid.pool"
echo "ok: the session now locks all $(q "SELECT count(*) FROM t.all_locked") rows of vid.pool"
rc=0
allocate 20 "$WORK/all.out" || rc=$?
if [ "$rc" = 0 ] && [ ! -s "$WORK/all.out.err" ]; then
    echo "ok: 20 allocations with every pooled row locked succeeded in $ALLOC_SECONDS s without waiting"
else
    fail "allocations with the whole pool locked: exit $rc: $(head -3 "$WORK/all.out.err")"
fi
load_keys "$WORK/all.out" t.got_all
check "none of them is a locked VID; they are new rows, ASSIGNED" \
    "SELECT (SELECT count(*) FROM t.got_all WHERE vid IN (SELECT vid FROM t.all_locked)) = 0
        AND (SELECT count(*) FROM t.got_all g JOIN vid.vid v USING (vid) WHERE v.status = 'ASSIGNED') = 20"
close_session locker
[ ! -s "$WORK/locker.err" ] || fail "locker session: $(cat "$WORK/locker.err")"
check "the VIDs that were locked are still AVAILABLE, untouched (all in vid.pool, none in vid.vid)" \
    "SELECT count(*) > 0 AND count(*) = (SELECT count(*) FROM vid.pool WHERE vid IN (SELECT vid FROM t.all_locked))
        AND NOT EXISTS (SELECT FROM vid.vid WHERE vid IN (SELECT vid FROM t.all_locked))
     FROM t.all_locked"

# An admin's open transaction that added a restricted number (it withdrew pooled VIDs: their rows
# of vid.pool are deleted, so locked, by it) does not stop allocations either.
restricted=$(q "SELECT substr(lpad(vid::text, 16, '0'), 6, 3) FROM vid.pool ORDER BY vid LIMIT 1")
open_session admin
send admin "SET client_min_messages = warning; BEGIN; INSERT INTO vid.restricted_number VALUES ('$restricted');"
wait_for 10 "SELECT count(*) = 1 FROM pg_stat_activity WHERE application_name = 'admin' AND state = 'idle in transaction' AND query LIKE 'INSERT%'" ||
    { fail "the admin transaction did not start: $(cat "$WORK/admin.err")"; exit 1; }
rc=0
allocate 100 "$WORK/admin_alloc.out" || rc=$?
if [ "$rc" = 0 ] && [ ! -s "$WORK/admin_alloc.out.err" ]; then
    echo "ok: 100 allocations beside an open transaction that added restricted number $restricted: no wait ($ALLOC_SECONDS s)"
else
    fail "allocations beside an open restricted-number insert: exit $rc: $(head -3 "$WORK/admin_alloc.out.err")"
fi
close_session admin
check "the rolled-back restriction left no trace" \
    "SELECT count(*) = 0 FROM vid.vid WHERE status = 'WITHDRAWN'"

# ------------------------------------------------------------------------------------------------
# 3. Allocations that roll back.
q "CREATE TABLE t.before AS SELECT * FROM vid.vid"
q "CREATE TABLE t.pool_before AS SELECT vid FROM vid.pool"
assigned_before=$(q "SELECT count(*) FROM vid.vid WHERE status = 'ASSIGNED'")
rb=$(psql -XAtq -v ON_ERROR_STOP=1 <<'SQL'
BEGIN;
SELECT vid_allocate(now() + interval '1 day') AS v \gset
SELECT :'v' || '|' || (SELECT status FROM vid.vid WHERE vid = :'v'::bigint) || '|' || vid_status(:'v');
ROLLBACK;
SQL
)
v_rb=${rb%%|*}
[ "$rb" = "$v_rb|ASSIGNED|ASSIGNED" ] && echo "ok: inside the transaction the allocated VID $v_rb is ASSIGNED" ||
    fail "inside the transaction: '$rb'"
sp=$(psql -XAtq -v ON_ERROR_STOP=1 <<'SQL'
BEGIN;
SAVEPOINT a;
SELECT vid_allocate() AS v \gset
ROLLBACK TO SAVEPOINT a;
COMMIT;
SELECT :'v';
SQL
)
# A backend terminated in the middle of its transaction.
open_session victim
send victim "BEGIN; SELECT vid_allocate();"
wait_for 10 "SELECT count(*) = 1 FROM pg_stat_activity WHERE application_name = 'victim' AND state = 'idle in transaction'" ||
    { fail "the victim transaction did not start"; exit 1; }
sleep 0.3
v_kill=$(head -1 "$WORK/victim.out")
q "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'victim'" >/dev/null
close_session victim
for pair in "ROLLBACK:$v_rb" "ROLLBACK TO SAVEPOINT:$sp" "terminated backend:$v_kill"; do
    how=${pair%%:*}
    v=${pair#*:}
    [ -n "$v" ] || { fail "$how: no VID recorded"; continue; }
    check "$how: $v is AVAILABLE again, exactly as before the transaction (back in vid.pool, no row in vid.vid)" \
        "SELECT EXISTS (SELECT FROM vid.pool WHERE vid = '$v'::bigint)
            AND NOT EXISTS (SELECT FROM vid.vid WHERE vid = '$v'::bigint)
            AND EXISTS (SELECT FROM t.pool_before WHERE vid = '$v'::bigint)
            AND NOT EXISTS (SELECT FROM t.before WHERE vid = '$v'::bigint)"
    out=$(psql -XAtq -c "SELECT vid_status('$v') IS NULL" -c "SELECT vid_revoke('$v')" 2>&1 || true)
    if grep -qx t <<<"$out" && grep -q "VID not found" <<<"$out"; then
        echo "ok: $how: vid_status is NULL and vid_revoke says VID not found (VD001)"
    else
        fail "$how: vid_status/vid_revoke: $out"
    fi
done
check "no VID changed by the rolled-back allocations (same ASSIGNED count, vid.vid and vid.pool equal)" \
    "SELECT count(*) FILTER (WHERE status = 'ASSIGNED') = $assigned_before
        AND NOT EXISTS ((TABLE vid.vid EXCEPT ALL TABLE t.before) UNION ALL (TABLE t.before EXCEPT ALL TABLE vid.vid))
        AND NOT EXISTS ((TABLE vid.pool EXCEPT ALL TABLE t.pool_before) UNION ALL (TABLE t.pool_before EXCEPT ALL TABLE vid.pool))
     FROM vid.vid"
# Draining the pool hands the rolled-back VIDs out again.
pool=$(q "SELECT count(*) FROM vid.pool")
rc=0
allocate "$pool" "$WORK/drain.out" || rc=$?
[ "$rc" = 0 ] || fail "draining the pool: exit $rc: $(head -3 "$WORK/drain.out.err")"
if grep -qx "$v_rb" "$WORK/drain.out" && grep -qx "$sp" "$WORK/drain.out" && grep -qx "$v_kill" "$WORK/drain.out"; then
    echo "ok: draining the pool ($pool allocations) hands the three rolled-back VIDs out again"
else
    fail "the rolled-back VIDs were not handed out when the pool was drained"
fi
check "every key distinct across vid.pool and vid.vid, every allocation ASSIGNED once" \
    "SELECT count(*) = count(DISTINCT vid) FROM vid.all_vids"

cluster_stop "$WORK/pg" fast
if grep -qE "terminated by signal|PANIC" "$WORK/pg/server.log"; then
    fail "the server log shows a crash:"; grep -E "terminated by signal|PANIC" "$WORK/pg/server.log"
fi
if [ "$failures" -gt 0 ]; then
    echo "long_transactions: $failures checks FAILED"
    exit 1
fi
echo "long_transactions: all checks passed"
