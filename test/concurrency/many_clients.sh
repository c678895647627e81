#!/usr/bin/env bash
# 16 clients make 50,000 allocations in all while 2 other clients revoke some of them and the
# refill worker keeps the pool (shared_preload_libraries = 'vid', own cluster). Every VID a
# client received is distinct and ASSIGNED or EXPIRED, the counts by status add up exactly, and no
# client saw an error.
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH=/usr/lib/postgresql/15/bin:$PATH
source test/lib/cluster.sh
WORK=$(mktemp -d /tmp/vid-many.XXXXXX)
chmod 755 "$WORK"
ok=0
trap 'cluster_stop "$WORK/pg" immediate; [ $ok = 1 ] && rm -rf "$WORK" || echo "kept $WORK"' EXIT
CLIENTS=16 TOTAL=50000
PER=$((TOTAL / CLIENTS))
cluster_new "$WORK/pg" "${VID_MANY_PORT:-55444}" "shared_preload_libraries = 'vid'" "max_connections = 60" \
    "vid.refill_threshold = 5000" "vid.refill_target = 15000" "vid.refill_naptime = 1" "vid.refill_batch = 2000"
q() { psql -XAtq -v ON_ERROR_STOP=1 -c "$1"; }
q "CREATE EXTENSION vid"
q "SELECT vid_refill()" >/dev/null
for c in $(seq $CLIENTS); do
    for i in $(seq $PER); do echo "SELECT vid_allocate();"; done >"$WORK/in.$c"
done
start=$(date +%s.%N)
pids=()
for c in $(seq $CLIENTS); do
    psql -XAtq -v ON_ERROR_STOP=1 -f "$WORK/in.$c" >"$WORK/out.$c" 2>"$WORK/err.$c" &
    pids+=($!)
done
# Two revokers, each following one allocating client's output: every 10th VID it has received
# (complete lines only) is revoked, once, while the allocators run.
revoker() {  # revoker ID FILE
    local id=$1 file=$2 done_lines=0 n alive
    while :; do
        alive=0
        for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
        n=$(wc -l <"$file")
        head -n "$n" "$file" | awk -v from="$done_lines" 'NR > from && NR % 10 == 0' >"$WORK/rv.$id.batch"
        if [ -s "$WORK/rv.$id.batch" ]; then
            sed "s/.*/SELECT vid_revoke('&');/" "$WORK/rv.$id.batch" | psql -XAtq -v ON_ERROR_STOP=1 >>"$WORK/rv.$id.out" 2>>"$WORK/rv.$id.err"
            cat "$WORK/rv.$id.batch" >>"$WORK/revoked.$id"
        fi
        done_lines=$n
        [ $alive = 0 ] && break
        sleep 0.5
    done
}
touch "$WORK/revoked.1" "$WORK/revoked.2"
revoker 1 "$WORK/out.1" &
r1=$!
revoker 2 "$WORK/out.2" &
r2=$!
failed=0
for p in "${pids[@]}"; do wait "$p" || failed=$((failed + 1)); done
wait $r1 $r2
end=$(date +%s.%N)

errors=$(cat "$WORK"/err.* "$WORK"/rv.*.err 2>/dev/null | wc -l)
[ "$failed" = 0 ] && [ "$errors" = 0 ] || { echo "FAILED: $failed clients failed, $errors error lines"; cat "$WORK"/err.* "$WORK"/rv.*.err; exit 1; }
echo "ok: no client saw an error"
cat "$WORK"/out.* >"$WORK/all"
total=$(wc -l <"$WORK/all")
distinct=$(sort -u "$WORK/all" | wc -l)
[ "$total" = $TOTAL ] && [ "$distinct" = $TOTAL ] || { echo "FAILED: $total received, $distinct distinct"; exit 1; }
echo "ok: $TOTAL VIDs received by $CLIENTS clients, all distinct"
cat "$WORK"/revoked.* >"$WORK/revoked"
revoked=$(wc -l <"$WORK/revoked")
trues=$(cat "$WORK"/rv.*.out 2>/dev/null | grep -c '^t$' || true)
[ "$trues" = "$revoked" ] || { echo "FAILED: $revoked revokes, $trues returned true"; exit 1; }
echo "ok: $revoked revokes, each returned true"
q "CREATE TABLE received (v bigint PRIMARY KEY)"
psql -XAtq -v ON_ERROR_STOP=1 -c "\\copy received FROM '$WORK/all'"
q "CREATE TABLE revoked (v bigint PRIMARY KEY)"
psql -XAtq -v ON_ERROR_STOP=1 -c "\\copy revoked FROM '$WORK/revoked'"
check() {
    local got
    got=$(q "$2")
    if [ "$got" = t ]; then echo "ok: $1"; else echo "FAILED: $1 (got '$got')"; exit 1; fi
}
check "every received VID is ASSIGNED, or EXPIRED exactly when revoked" \
    "SELECT bool_and(CASE WHEN x.v IS NULL THEN t.status = 'ASSIGNED' ELSE t.status = 'EXPIRED' END) AND count(t.vid) = $TOTAL
     FROM received r LEFT JOIN vid.vid t ON t.vid = r.v LEFT JOIN revoked x ON x.v = r.v"
check "vid.vid has exactly the received VIDs as ASSIGNED/EXPIRED" \
    "SELECT count(*) FILTER (WHERE status = 'ASSIGNED') = $TOTAL - $revoked AND count(*) FILTER (WHERE status = 'EXPIRED') = $revoked FROM vid.vid"
check "counts by status add up to all VIDs (vid.all_vids: vid.pool and vid.vid)" \
    "SELECT sum(n) = (SELECT count(*) FROM vid.all_vids) FROM (SELECT count(*) AS n FROM vid.all_vids GROUP BY status) s"
check "no duplicate keys across vid.pool and vid.vid" "SELECT count(*) = count(DISTINCT vid) FROM vid.all_vids"
python3 -c "import sys; s = float(sys.argv[2]) - float(sys.argv[1]); print(f'$CLIENTS clients, $TOTAL allocations, $revoked revokes in {s:.1f} s ({$TOTAL / s:.0f} allocations/s); worker log: ' + sys.argv[3])" \
    "$start" "$end" "$(grep -o 'refill added [0-9]*' "$WORK/pg/server.log" | awk '{s += $3} END {print s + 0}') VIDs added by the worker"
ok=1
echo "many_clients: all checks passed"
