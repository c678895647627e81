# Helpers for the crash and failover tests (source after test/lib/cluster.sh; set -euo pipefail).
# Clients use the PG* environment (cluster_new / use_cluster set it).

fail() { echo "FAILED: $*"; exit 1; }
q() { psql -XAtq -v ON_ERROR_STOP=1 -c "$1"; }
check() {  # check DESCRIPTION SQL-returning-boolean
    local got
    got=$(q "$2") || fail "$1 (the query failed)"
    if [ "$got" = t ]; then echo "ok: $1"; else fail "$1 (got '$got')"; fi
}
wait_for() {  # wait_for SECONDS SQL-returning-boolean
    local deadline=$((SECONDS + $1))
    while [ $SECONDS -lt $deadline ]; do
        [ "$(q "$2" 2>/dev/null || true)" = t ] && return 0
        sleep 0.3
    done
    return 1
}
use_cluster() { export PGHOST=$1 PGPORT=$2 PGUSER=postgres PGDATABASE=postgres; }

# CREATE EXTENSION, retried for a while (someone may be reinstalling the extension).
create_extension() {
    local i
    for i in $(seq 30); do
        q "CREATE EXTENSION IF NOT EXISTS $1" >/dev/null 2>&1 && return 0
        sleep 2
    done
    q "CREATE EXTENSION IF NOT EXISTS $1" >/dev/null
}

# A client script: reports its synchronous_commit, then LINES autocommit allocations.
make_client_script() {  # make_client_script FILE LINES
    { echo "SELECT 'synchronous_commit=' || current_setting('synchronous_commit');"
      awk -v n="$2" 'BEGIN { for (i = 0; i < n; i++) print "SELECT vid_allocate();" }'; } >"$1"
}

# start_client N SCRIPT OUTDIR [async]: psql runs SCRIPT in the background, one line of output
# per VID received, appended to OUTDIR/out.N (psql writes each result when it arrives and exits
# normally, flushing its output, when the server goes away). Sets CLIENT_PIDS[N].
declare -A CLIENT_PIDS=()
start_client() {
    local n=$1 script=$2 dir=$3 opts=""
    [ "${4:-}" = async ] && opts="-c synchronous_commit=off"
    PGOPTIONS="$opts" PGAPPNAME="crash-client-$n" \
        psql -XAtq -f "$script" >>"$dir/out.$n" 2>>"$dir/err.$n" &
    CLIENT_PIDS[$n]=$!
}
# wait_clients SECONDS: waits for every client; fails if one is still running after SECONDS.
wait_clients() {
    local deadline=$((SECONDS + $1)) n
    for n in "${!CLIENT_PIDS[@]}"; do
        while kill -0 "${CLIENT_PIDS[$n]}" 2>/dev/null; do
            [ $SECONDS -lt $deadline ] || fail "client $n still running $1 s after the server went away"
            sleep 0.2
        done
        wait "${CLIENT_PIDS[$n]}" || true  # the lost connection makes psql exit with 2
    done
    CLIENT_PIDS=()
}

# collect_received DIR ROUND CLIENTS: checks the clients' output of one round and appends
# "client<TAB>vid" to DIR/received.tsv. Every line must be a 16-digit VID (after the line that
# reports synchronous_commit, which must match the client's mode, async clients listed in
# $ASYNC_CLIENTS); stderr may only hold the loss of the connection, no ERROR.
collect_received() {
    local dir=$1 round=$2 clients=$3 n out mode want bad got
    for n in $(seq "$clients"); do
        out="$dir/out.$n"
        [ -f "$out" ] || fail "client $n wrote no output"
        mode=$(grep -m1 '^synchronous_commit=' "$out" || true)
        want=on
        [[ " $ASYNC_CLIENTS " == *" $n "* ]] && want=off
        [ "$mode" = "synchronous_commit=$want" ] || fail "client $n ran with '$mode', expected synchronous_commit=$want"
        bad=$(grep -v '^synchronous_commit=' "$out" | grep -cvE '^[2-9][0-9]{15}$' || true)
        [ "$bad" = 0 ] || { grep -v '^synchronous_commit=' "$out" | grep -vE '^[2-9][0-9]{15}$' | head -5; fail "client $n: $bad output lines are not VIDs"; }
        if grep -q 'ERROR' "$dir/err.$n"; then
            cat "$dir/err.$n"
            fail "client $n got an ERROR during the load"
        fi
        got=$(grep -cE '^[0-9]{16}$' "$out" || true)
        [ "$got" -gt 0 ] || fail "client $n received no VID in round $round"
        grep -E '^[0-9]{16}$' "$out" | awk -v c="$round.$n" '{ print c "\t" $0 }' >>"$dir/received.tsv"
        printf '  round %s client %s (synchronous_commit=%s): %s VIDs received\n' "$round" "$n" "$want" "$got"
        mv "$out" "$out.round$round"
        mv "$dir/err.$n" "$dir/err.$n.round$round"
    done
}

# verify_received DIR: every VID in DIR/received.tsv is ASSIGNED in vid.vid, none twice, no
# duplicate key across vid.pool and vid.vid (vid.all_vids: a key in both is a duplicate), the
# indexes of both tables agree with their heaps (amcheck). Sets LOST.
verify_received() {
    local dir=$1 res total distinct lost dup_table
    res=$(psql -XAtq -v ON_ERROR_STOP=1 <<SQL
CREATE TEMP TABLE received (client text, v text);
\copy received FROM '$dir/received.tsv'
SELECT count(*) || ' ' || count(DISTINCT v) FROM received;
SELECT count(*) FROM received r LEFT JOIN vid.vid t ON t.vid = r.v::bigint
 WHERE t.status IS DISTINCT FROM 'ASSIGNED';
SELECT count(*) - count(DISTINCT vid) FROM vid.all_vids;
SQL
    ) || fail "could not check the received VIDs"
    read -r total distinct <<<"$(sed -n 1p <<<"$res")"
    lost=$(sed -n 2p <<<"$res")
    dup_table=$(sed -n 3p <<<"$res")
    LOST=$lost
    echo "  received so far: $total VIDs ($distinct distinct); not ASSIGNED in vid.vid: $lost"
    [ "$total" -gt 0 ] || fail "no VID received"
    [ "$total" = "$distinct" ] && echo "ok: no VID was received twice ($total)" || fail "$((total - distinct)) VIDs were received twice"
    if [ "$lost" = 0 ]; then echo "ok: every received VID is ASSIGNED in vid.vid"; else
        psql -XAtq -v ON_ERROR_STOP=1 <<SQL || true
CREATE TEMP TABLE received (client text, v text);
\copy received FROM '$dir/received.tsv'
SELECT 'lost: client ' || r.client || ' VID ' || r.v || ' status ' || coalesce(t.status::text, 'no row')
  FROM received r LEFT JOIN vid.vid t ON t.vid = r.v::bigint
 WHERE t.status IS DISTINCT FROM 'ASSIGNED' LIMIT 10;
SQL
        fail "$lost received VIDs are not ASSIGNED in vid.vid (lost)"
    fi
    [ "$dup_table" = 0 ] && echo "ok: no duplicate key across vid.pool and vid.vid" ||
        fail "$dup_table duplicate keys across vid.pool and vid.vid"
    [ "$(q "SELECT count(bt_index_check(c.oid, true)) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
       WHERE i.indrelid IN ('vid.vid'::regclass, 'vid.pool'::regclass)")" -ge 2 ] ||
        fail "amcheck: an index of vid.vid or vid.pool disagrees with the heap (or was not checked)"
    echo "ok: amcheck: every index of vid.vid and vid.pool matches the heap"
}

# allocate_fresh DIR N LABEL: N autocommit allocations; none may be a VID received before, none
# twice; all ASSIGNED. They are added to DIR/received.tsv.
allocate_fresh() {
    local dir=$1 n=$2 label=$3 res
    awk -v n="$n" 'BEGIN { for (i = 0; i < n; i++) print "SELECT vid_allocate();" }' >"$dir/fresh.sql"
    psql -XAtq -v ON_ERROR_STOP=1 -f "$dir/fresh.sql" >"$dir/fresh.out" 2>"$dir/fresh.err" ||
        { cat "$dir/fresh.err"; fail "new allocations failed ($label)"; }
    [ "$(grep -cE '^[2-9][0-9]{15}$' "$dir/fresh.out")" = "$n" ] || fail "$n new allocations did not return $n VIDs"
    res=$(psql -XAtq -v ON_ERROR_STOP=1 <<SQL
CREATE TEMP TABLE received (client text, v text);
\copy received FROM '$dir/received.tsv'
CREATE TEMP TABLE fresh (v text);
\copy fresh FROM '$dir/fresh.out'
SELECT count(DISTINCT v) FROM fresh;
SELECT count(*) FROM fresh f WHERE EXISTS (SELECT FROM received r WHERE r.v = f.v);
SELECT count(*) FROM fresh f JOIN vid.vid t ON t.vid = f.v::bigint AND t.status = 'ASSIGNED';
SQL
    ) || fail "could not check the new allocations"
    [ "$(sed -n 1p <<<"$res")" = "$n" ] || fail "new allocations: only $(sed -n 1p <<<"$res") of $n distinct"
    [ "$(sed -n 2p <<<"$res")" = 0 ] || fail "new allocations returned $(sed -n 2p <<<"$res") VIDs received before the crash"
    [ "$(sed -n 3p <<<"$res")" = "$n" ] || fail "new allocations: only $(sed -n 3p <<<"$res") of $n ASSIGNED"
    echo "ok: $n new allocations ($label): all distinct, ASSIGNED, none received before"
    awk -v c="$label" '{ print c "\t" $0 }' "$dir/fresh.out" >>"$dir/received.tsv"
}

# The control client (informational): plain autocommit INSERTs with synchronous_commit = off,
# the same load without vid. Acknowledged rows it loses show that the stop really drops commits
# that were not flushed (or not replicated); vid_allocate must lose none in the same crash.
setup_control() {  # setup_control DIR LINES (on the current cluster)
    q "CREATE TABLE crash_control (id bigserial PRIMARY KEY)" >/dev/null
    awk -v n="$2" 'BEGIN { for (i = 0; i < n; i++) print "INSERT INTO crash_control DEFAULT VALUES RETURNING id;" }' \
        >"$1/control.sql"
}
start_control() {  # start_control DIR
    PGOPTIONS="-c synchronous_commit=off" PGAPPNAME=crash-control \
        psql -XAtq -f "$1/control.sql" >"$1/control.out" 2>"$1/control.err" &
    CLIENT_PIDS[control]=$!
}
report_control() {  # report_control DIR: after the restart, before the control runs again
    local res received lost
    grep -E '^[0-9]+$' "$1/control.out" >"$1/control.ids" || true
    res=$(psql -XAtq -v ON_ERROR_STOP=1 <<SQL
CREATE TEMP TABLE r (id text);
\copy r FROM '$1/control.ids'
SELECT count(*) || ' ' || count(*) FILTER (WHERE NOT EXISTS (SELECT FROM crash_control c WHERE c.id = r.id::bigint)) FROM r;
SQL
    ) || fail "could not check the control client"
    read -r received lost <<<"$res"
    CONTROL_RECEIVED=$((${CONTROL_RECEIVED:-0} + received))
    CONTROL_LOST=$((${CONTROL_LOST:-0} + lost))
    echo "  control (plain INSERT, synchronous_commit = off, no vid): $lost of $received acknowledged rows lost"
}
