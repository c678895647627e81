#!/usr/bin/env bash
# Generation racing allocation in a small number space (length 6: 25,802 valid VIDs), where the
# generators keep drawing numbers that are in the pool while allocators move them out of it. A
# number handed out while a generator inserts it again (its pool row deleted by an allocation that
# committed during the insert) must not stay in the pool: no key may ever be in vid.pool and
# vid.vid at once, or twice anywhere. Two generators that each hold keys of earlier batches can
# wait for each other's keys: the deadlock costs the detecting one its current batch, never an
# error to the caller.
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH=/usr/lib/postgresql/15/bin:$PATH
source test/lib/cluster.sh
WORK=$(mktemp -d /tmp/vid-race.XXXXXX)
chmod 755 "$WORK"
ok=0
trap 'cluster_stop "$WORK/pg" immediate; [ $ok = 1 ] && rm -rf "$WORK" || echo "kept $WORK"' EXIT
cluster_new "$WORK/pg" "${VID_RACE_PORT:-55445}" "max_connections = 30"
q() { psql -XAtq -v ON_ERROR_STOP=1 -c "$1"; }
fail() { echo "FAILED: $*"; exit 1; }
check() {  # check WHAT SQL: the query must return t
    [ "$(q "$2")" = t ] && echo "ok: $1" || fail "$1 ($2 returned $(q "$2"))"
}
q "CREATE EXTENSION vid"
q "SELECT vid_configure(length => 6)"
q "SELECT vid_generate_pool(2000)" >/dev/null
echo "SELECT vid_allocate();" >"$WORK/alloc.sql"
echo "SELECT vid_generate_pool(20);" >"$WORK/gen.sql"
chmod 644 "$WORK"/*.sql
pgbench -n -c 4 -j 2 -t 2500 -f "$WORK/alloc.sql" >"$WORK/alloc.out" 2>&1 &
a=$!
pgbench -n -c 2 -j 1 -t 400 -f "$WORK/gen.sql" >"$WORK/gen.out" 2>&1 &
g=$!
wait $a || fail "allocators: $(tail -3 "$WORK/alloc.out")"
wait $g || fail "generators: $(tail -3 "$WORK/gen.out")"
grep -q "number of transactions actually processed: 10000/10000" "$WORK/alloc.out" || fail "allocators: $(grep -i 'processed\|error' "$WORK/alloc.out" | head -3)"
grep -q "number of transactions actually processed: 800/800" "$WORK/gen.out" || fail "generators: $(grep -i 'processed\|error' "$WORK/gen.out" | head -3)"
echo "ok: 10,000 allocations (4 clients) and 800 x vid_generate_pool(20) (2 clients), no error"
echo "   deadlocks between generators, each absorbed by drawing anew: $(grep -c 'deadlock detected' "$WORK/pg/server.log" || true)"
echo "   pool $(q "SELECT count(*) FROM vid.pool"), handed out $(q "SELECT count(*) FROM vid.vid"), space $(q "SELECT valid_vids FROM vid.space_size()")"
check "no key in vid.pool and vid.vid at once" "SELECT NOT EXISTS (SELECT FROM vid.pool p JOIN vid.vid v USING (vid))"
check "no key twice" "SELECT count(*) = count(DISTINCT vid) FROM vid.all_vids"
check "10,000 handed out, every one ASSIGNED" "SELECT count(*) = 10000 AND bool_and(status = 'ASSIGNED') FROM vid.vid"
check "generated: at least 2,000 + 16,000 (and inline batches when the pool ran dry)" \
    "SELECT count(*) >= 18000 AND count(*) <= 25802 FROM vid.all_vids"
check "every pooled VID is valid" "SELECT count(*) > 0 AND bool_and(vid_is_valid(lpad(vid::text, 6, '0'))) FROM vid.pool"
ok=1
