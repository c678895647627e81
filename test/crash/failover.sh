#!/usr/bin/env bash
# Failover to a synchronous standby loses no received VID. A primary (wal_level = replica,
# synchronous_standby_names = 'standby1', shared_preload_libraries = 'vid', threshold 2000, target
# 5000, naptime 1 s) and a standby made with pg_basebackup -R (application_name standby1), each in
# its own directory, on unix sockets only:
#  1. the standby is synchronous; no vid worker runs on it (its log shows no launcher either);
#     vid_status works there and vid_allocate fails cleanly (read-only, 25006);
#  2. 4 clients allocate on the primary (clients 1 and 2 with synchronous_commit = off), every
#     VID received recorded; after ~3 s the primary stops with -m immediate; the standby is
#     promoted (pg_ctl promote -w); a 5th, control client (plain INSERTs with synchronous_commit
#     = off, no vid) runs alongside: the acknowledged rows it loses are reported, not checked;
#  3. on the new primary: every received VID is ASSIGNED, none twice, no duplicate key across
#     vid.pool and vid.vid, the indexes of both tables match their heaps, 2000 new allocations
#     return none received before, and the refill worker starts within 20 s;
#  4. with synchronous_standby_names naming an absent standby, vid_allocate of a client with
#     synchronous_commit = off waits for it (wait_event SyncRep) while a plain INSERT does not.
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH=/usr/lib/postgresql/15/bin:$PATH
source test/lib/cluster.sh
source test/crash/lib.sh
WORK=$(mktemp -d /tmp/vid-crash-failover.XXXXXX)
chmod 755 "$WORK"
PORT1=${VID_CRASH_PRIMARY_PORT:-56502}
PORT2=${VID_CRASH_STANDBY_PORT:-56503}
P=$WORK/primary S=$WORK/standby
CLIENTS=4
ASYNC_CLIENTS="1 2"
LOAD_SECONDS=3
THRESHOLD=2000 TARGET=5000
ok=0
trap 'cluster_stop "$P" immediate; cluster_stop "$S" immediate; (wait_clients 30 >/dev/null 2>&1) || true
      [ $ok = 1 ] && rm -rf "$WORK" || echo "kept $WORK"' EXIT

# The primary. Nothing is written before the standby is there (every commit waits for it).
cluster_new "$P" "$PORT1" "wal_level = replica" "synchronous_standby_names = 'standby1'" \
    "shared_preload_libraries = 'vid'" "vid.refill_threshold = $THRESHOLD" "vid.refill_target = $TARGET" \
    "vid.refill_naptime = 1" "vid.refill_batch = 1000"
primary() { use_cluster "$P" "$PORT1"; }
standby() { use_cluster "$S" "$PORT2"; }

# The standby: a base backup over the primary's unix socket, as the postgres user.
mkdir -p "$S" && chown postgres: "$S"
as_owner "$PGBIN/pg_basebackup" -h "$P" -p "$PORT1" -U postgres -D "$S/data" -R -X stream -c fast >"$S/basebackup.log" 2>&1 ||
    { cat "$S/basebackup.log"; fail "pg_basebackup"; }
grep -qF "host=''$P''" "$S/data/postgresql.auto.conf" || fail "pg_basebackup -R wrote no primary_conninfo"
as_owner sed -i "s/^\(primary_conninfo = '.*\)'\$/\1 application_name=standby1'/" "$S/data/postgresql.auto.conf"
# Later lines win: the standby's own socket and port; once promoted it has no standby to wait for.
{
    echo "unix_socket_directories = '$S'"
    echo "port = $PORT2"
    echo "cluster_name = 'standby1'"
    echo "synchronous_standby_names = ''"
} | as_owner tee -a "$S/data/postgresql.conf" >/dev/null
[ -f "$S/data/standby.signal" ] || fail "pg_basebackup -R wrote no standby.signal"
cluster_start "$S" || { tail -20 "$S/server.log"; fail "the standby did not start"; }
primary
wait_for 30 "SELECT count(*) = 1 FROM pg_stat_replication WHERE application_name = 'standby1' AND sync_state = 'sync'" ||
    fail "standby1 is not a synchronous standby"
echo "ok: standby1 streams from the primary with sync_state = sync"

create_extension vid
create_extension amcheck
wait_for 20 "SELECT count(*) >= $TARGET FROM vid.pool" ||
    fail "the worker did not fill the primary's pool to the target"
echo "ok: the worker filled the primary's pool to the target ($TARGET)"
check "the launcher and a refill worker run on the primary" \
    "SELECT count(*) FILTER (WHERE backend_type = 'vid launcher') = 1 AND count(*) FILTER (WHERE backend_type = 'vid refill worker') = 1 FROM pg_stat_activity"
v=$(q "SELECT vid_allocate()")

# 1. The standby.
standby
check "the standby is in recovery" "SELECT pg_is_in_recovery()"
wait_for 20 "SELECT vid_status('$v') IS NOT DISTINCT FROM 'ASSIGNED'" ||
    fail "vid_status on the standby does not see a VID allocated on the primary"
echo "ok: vid_status works on the standby (a VID allocated on the primary reads ASSIGNED)"
sleep 3  # three naptimes: time enough for a worker that should not start
check "no vid launcher or worker runs on the standby" \
    "SELECT count(*) = 0 FROM pg_stat_activity WHERE backend_type LIKE 'vid%'"
! grep -q "vid: launcher started" "$S/server.log" || fail "the standby's log shows a vid launcher"
echo "ok: the standby's log shows no vid launcher"
err=$(psql -XAtq -c "\\set VERBOSITY verbose" -c "SELECT vid_allocate()" 2>&1 >/dev/null || true)
grep -q "ERROR:  25006" <<<"$err" || fail "vid_allocate on the standby: expected 25006, got: $err"
echo "ok: vid_allocate on the standby fails cleanly (25006 read-only transaction)"

# 2. Load on the primary, immediate stop, promotion.
primary
: >"$WORK/received.tsv"
echo "$v" | awk '{ print "before-load\t" $0 }' >>"$WORK/received.tsv"
make_client_script "$WORK/client.sql" 200000
setup_control "$WORK" 200000
for n in $(seq $CLIENTS); do
    mode=""
    [[ " $ASYNC_CLIENTS " == *" $n "* ]] && mode=async
    start_client "$n" "$WORK/client.sql" "$WORK" $mode
done
start_control "$WORK"
sleep "$LOAD_SECONDS"
running=$(q "SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'crash-client-%'")
[ "$running" = $CLIENTS ] || fail "only $running of $CLIENTS clients are connected under load"
check "standby1 is still synchronous under load" \
    "SELECT sync_state = 'sync' FROM pg_stat_replication WHERE application_name = 'standby1'"
assigned_before=$(q "SELECT count(*) FROM vid.vid WHERE status = 'ASSIGNED'")
cluster_stop "$P" immediate
echo "stopped the primary with -m immediate under the load of $CLIENTS clients"
wait_clients 30
collect_received "$WORK" 1 $CLIENTS
echo "  $(grep -c '^1\.' "$WORK/received.tsv") VIDs received by $CLIENTS clients under load"
t0=$SECONDS
as_owner "$PGBIN/pg_ctl" -D "$S/data" promote -w -t 60 >/dev/null || { tail -20 "$S/server.log"; fail "pg_ctl promote"; }
standby
check "the standby is promoted" "SELECT NOT pg_is_in_recovery()"
echo "ok: the standby is promoted ($((SECONDS - t0)) s)"

# 3. The new primary.
verify_received "$WORK"
report_control "$WORK"
[ "$(q "SELECT count(*) FROM vid.vid WHERE status = 'ASSIGNED'")" -ge "$assigned_before" ] ||
    fail "fewer ASSIGNED VIDs on the new primary than seen on the old one under load ($assigned_before)"
echo "ok: at least the $assigned_before ASSIGNED VIDs seen on the old primary under load"
wait_for 20 "SELECT count(*) FILTER (WHERE backend_type = 'vid launcher') = 1 AND count(*) FILTER (WHERE backend_type = 'vid refill worker') = 1 FROM pg_stat_activity" ||
    fail "no vid refill worker on the new primary within 20 s of the promotion"
echo "ok: the launcher and the refill worker run on the new primary ($((SECONDS - t0)) s after the promotion began)"
allocate_fresh "$WORK" 2000 after-failover
wait_for 15 "SELECT count(*) >= $THRESHOLD FROM vid.pool" ||
    fail "the new primary's pool is not back above the threshold"
echo "ok: the new primary's pool is back above the threshold"

# 4. The forced synchronous commit, seen deterministically: with synchronous_standby_names naming
#    a standby that is not there, a plain INSERT of a synchronous_commit = off client returns at
#    once, while vid_allocate of such a client waits for the standby (wait_event SyncRep) and
#    hands out nothing; once the setting is cleared it receives its VID.
q "ALTER SYSTEM SET synchronous_standby_names = 'absent'" >/dev/null
q "SELECT pg_reload_conf()" >/dev/null
wait_for 10 "SELECT current_setting('synchronous_standby_names') = 'absent'" || fail "reload"
PGOPTIONS="-c synchronous_commit=off" timeout 10 psql -XAtq -v ON_ERROR_STOP=1 \
    -c "INSERT INTO crash_control DEFAULT VALUES" || fail "a plain INSERT with synchronous_commit = off waited"
echo "ok: with an absent synchronous standby, a plain INSERT with synchronous_commit = off returns at once"
PGOPTIONS="-c synchronous_commit=off" PGAPPNAME=sync-probe psql -XAtq -v ON_ERROR_STOP=1 \
    -c "SELECT vid_allocate()" >"$WORK/sync-probe.out" 2>"$WORK/sync-probe.err" &
probe=$!
wait_for 10 "SELECT count(*) = 1 FROM pg_stat_activity WHERE application_name = 'sync-probe' AND wait_event = 'SyncRep'" ||
    fail "vid_allocate with synchronous_commit = off does not wait for the synchronous standby"
sleep 1
kill -0 "$probe" 2>/dev/null && [ ! -s "$WORK/sync-probe.out" ] || fail "vid_allocate returned before the standby confirmed"
echo "ok: vid_allocate with synchronous_commit = off waits for the synchronous standby (wait_event SyncRep) and returns nothing meanwhile"
q "ALTER SYSTEM RESET synchronous_standby_names" >/dev/null
q "SELECT pg_reload_conf()" >/dev/null
wait "$probe" || { cat "$WORK/sync-probe.err"; fail "the waiting vid_allocate failed once released"; }
grep -qE '^[2-9][0-9]{15}$' "$WORK/sync-probe.out" || fail "the released vid_allocate returned no VID"
awk '{ print "sync-probe\t" $0 }' "$WORK/sync-probe.out" >>"$WORK/received.tsv"
echo "ok: released, it receives its VID ($(cat "$WORK/sync-probe.out"))"

verify_received "$WORK"
total=$(wc -l <"$WORK/received.tsv")
under_load=$(grep -c '^1\.' "$WORK/received.tsv")
unseen=$(( $(q "SELECT count(*) FROM vid.vid WHERE status = 'ASSIGNED'") - total ))
echo "figures: $CLIENTS clients (2 with synchronous_commit = off), $under_load VIDs received under load," \
    "$((total - under_load)) otherwise, ASSIGNED but never received: $unseen, VIDs lost: 0" \
    "(control client without vid: $CONTROL_LOST of $CONTROL_RECEIVED acknowledged async rows lost)"
ok=1
echo "failover: all checks passed"
