#!/usr/bin/env bash
# Concurrent allocation and revocation against a running cluster (uses the PG* environment).
#   1. 8 clients x 1250 autocommit vid_allocate() calls (2 clients with an expiry), from a pool
#      smaller than the demand, so the empty-pool inline generation runs concurrently too:
#      10000 distinct VIDs, every one ASSIGNED and valid, the counts add up.
#   2. 4 clients allocate while 2 clients revoke disjoint halves of scenario 1's VIDs: every
#      revoke returns t, the counts by status add up exactly.
#   3. 2 clients revoke the same VIDs at the same time (in opposite orders): exactly one t per VID.
# Exits non-zero on any failure (keeping the clients' input and output in the printed directory).
# Creates, and at the end drops, the database $VID_CONC_DB (default vid_conc).
set -euo pipefail

DB=${VID_CONC_DB:-vid_conc}
CLIENTS=8
PER_CLIENT=1250
EXPIRY_CLIENTS=2            # clients 1..EXPIRY_CLIENTS pass an expiry
POOL=3000                   # pre-filled pool, smaller than CLIENTS * PER_CLIENT
ALLOCATORS2=4               # scenario 2
PER_ALLOCATOR2=750
REVOKERS2=2
PER_REVOKER2=1500
SAME3=1000                  # scenario 3: VIDs revoked by two clients at once

WORK=$(mktemp -d /tmp/vid-conc.XXXXXX)
failures=0
cleanup() {
    local rc=$?
    dropdb --if-exists "$DB" >/dev/null 2>&1 || true
    if [ "$rc" = 0 ] && [ "$failures" = 0 ]; then rm -rf "$WORK"; else echo "allocate_many: files kept in $WORK"; fi
}
trap cleanup EXIT

fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
# check NAME EXPECTED ACTUAL
check() {
    if [ "$2" = "$3" ]; then echo "ok: $1 ($3)"; else fail "$1: expected $2, got $3"; fi
}
repeat_line() { awk -v line="$1" -v n="$2" 'BEGIN { for (i = 0; i < n; i++) print line }'; }
sql() { psql -X -At -q -v ON_ERROR_STOP=1 -d "$DB" "$@"; }

# run_clients PREFIX N: runs $WORK/PREFIX.K.sql (K = 1..N) concurrently, output to PREFIX.K.out,
# errors to PREFIX.K.err; prints the number of client errors: clients that exited non-zero plus
# lines any client wrote to stderr (with -q a healthy client writes none).
run_clients() {
    local prefix=$1 n=$2 k pids=() errors=0
    for k in $(seq 1 "$n"); do
        psql -XAtq -v ON_ERROR_STOP=1 -d "$DB" -f "$WORK/$prefix.$k.sql" \
            >"$WORK/$prefix.$k.out" 2>"$WORK/$prefix.$k.err" &
        pids+=($!)
    done
    for k in "${!pids[@]}"; do
        wait "${pids[$k]}" || errors=$((errors + 1))
    done
    errors=$((errors + $(cat "$WORK/$prefix".*.err | wc -l)))
    echo "$errors"
}

PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning" dropdb --if-exists "$DB"
createdb "$DB"
sql -c 'CREATE EXTENSION vid'
check "pool pre-filled" "$POOL" "$(sql -c "SELECT vid_generate_pool($POOL)")"

# ---------------------------------------------------------------------------------------------
# Scenario 1: 8 clients allocate concurrently.
for k in $(seq 1 "$CLIENTS"); do
    if [ "$k" -le "$EXPIRY_CLIENTS" ]; then
        stmt="SELECT vid_allocate(now() + interval '1 hour');"
    else
        stmt="SELECT vid_allocate();"
    fi
    repeat_line "$stmt" "$PER_CLIENT" >"$WORK/alloc.$k.sql"
done
start=$(date +%s.%N)
errors=$(run_clients alloc "$CLIENTS")
end=$(date +%s.%N)
check "scenario 1: client errors (failed clients + stderr lines)" 0 "$errors"
[ "$errors" = 0 ] || { grep -H . "$WORK"/alloc.*.err | head -n 20 || true; }
cat "$WORK"/alloc.*.out >"$WORK/all1.txt"
for k in $(seq 1 "$CLIENTS"); do
    check "scenario 1: client $k returned" "$PER_CLIENT" "$(grep -c . "$WORK/alloc.$k.out" || true)"
done
total=$((CLIENTS * PER_CLIENT))
returned=$(grep -c . "$WORK/all1.txt" || true)
distinct=$(sort -u "$WORK/all1.txt" | grep -c . || true)
check "scenario 1: VIDs returned" "$total" "$returned"
check "scenario 1: distinct VIDs returned" "$total" "$distinct"
check "scenario 1: duplicates (sort | uniq -d)" "" "$(sort "$WORK/all1.txt" | uniq -d)"
check "scenario 1: malformed returned values" 0 "$(grep -cvE '^[0-9]{16}$' "$WORK/all1.txt" || true)"
# client \t vid, for the expiry check
for k in $(seq 1 "$CLIENTS"); do sed "s/^/$k\t/" "$WORK/alloc.$k.out"; done >"$WORK/by_client1.tsv"

result=$(sql <<EOF
CREATE TEMP TABLE returned (client int, v text);
\copy returned FROM '$WORK/by_client1.tsv'
SELECT concat_ws(' ',
    (SELECT count(*) FROM returned r JOIN vid.vid t ON t.vid = r.v::bigint WHERE t.status = 'ASSIGNED'),
    (SELECT count(*) FROM vid.vid WHERE status = 'ASSIGNED'),
    (SELECT count(*) FROM vid.all_vids) = (SELECT count(*) FILTER (WHERE status IN ('AVAILABLE', 'ASSIGNED', 'EXPIRED')) FROM vid.all_vids),
    (SELECT count(*) - count(DISTINCT vid) FROM vid.all_vids),
    (SELECT count(*) FROM returned WHERE NOT vid_is_valid(v)),
    (SELECT count(*) FROM returned r JOIN vid.vid t ON t.vid = r.v::bigint
      WHERE (r.client <= $EXPIRY_CLIENTS) <> (t.expiry IS NOT NULL)),
    (SELECT count(*) FROM returned r JOIN vid.vid t ON t.vid = r.v::bigint
      WHERE t.assigned_at IS NULL OR t.revoked_at IS NOT NULL),
    (SELECT count(*) FROM vid.all_vids) > $total,
    (SELECT count(*) FROM vid.all_vids) - $POOL);
EOF
)
read -r joined assigned sums dup_keys invalid wrong_expiry bad_times enough refilled <<<"$result"
check "scenario 1: returned VIDs ASSIGNED in vid.vid" "$total" "$joined"
check "scenario 1: ASSIGNED rows in vid.vid" "$total" "$assigned"
check "scenario 1: all VIDs = AVAILABLE + ASSIGNED + EXPIRED (vid.all_vids)" t "$sums"
check "scenario 1: duplicate keys in vid.pool and vid.vid (vid.all_vids)" 0 "$dup_keys"
check "scenario 1: returned VIDs failing vid_is_valid" 0 "$invalid"
check "scenario 1: VIDs whose expiry does not match their client" 0 "$wrong_expiry"
check "scenario 1: VIDs without assigned_at or with revoked_at" 0 "$bad_times"
check "scenario 1: more VIDs than allocations (the pool was refilled inline)" t "$enough"
echo "   ($refilled VIDs generated inline by vid_allocate on an empty pool)"
seconds=$(echo "$start $end" | awk '{ printf "%.2f", $2 - $1 }')
rate=$(echo "$returned $start $end" | awk '{ printf "%.0f", $1 / ($3 - $2) }')
summary="scenario 1: clients=$CLIENTS allocations=$returned distinct=$distinct seconds=$seconds allocations/s=$rate"

# ---------------------------------------------------------------------------------------------
# Scenario 2: 4 clients allocate while 2 clients revoke disjoint halves of scenario 1's VIDs.
shuf -n $((REVOKERS2 * PER_REVOKER2 + SAME3)) "$WORK/all1.txt" >"$WORK/pick.txt"
head -n $((REVOKERS2 * PER_REVOKER2)) "$WORK/pick.txt" >"$WORK/revoke2.txt"
tail -n "$SAME3" "$WORK/pick.txt" >"$WORK/same3.txt"
split -n "l/$REVOKERS2" -d -a 1 "$WORK/revoke2.txt" "$WORK/revoke2.part."
for k in $(seq 1 "$REVOKERS2"); do
    sed "s/.*/SELECT vid_revoke('&');/" "$WORK/revoke2.part.$((k - 1))" >"$WORK/rev.$k.sql"
done
for k in $(seq 1 "$ALLOCATORS2"); do
    repeat_line "SELECT vid_allocate();" "$PER_ALLOCATOR2" >"$WORK/alloc2.$k.sql"
done
before=$(sql -c "SELECT count(*) FILTER (WHERE status = 'AVAILABLE') || ' ' || count(*) FROM vid.all_vids")
start2=$(date +%s.%N)
run_clients rev "$REVOKERS2" >"$WORK/rev.errors" &
rev_pid=$!
alloc_errors=$(run_clients alloc2 "$ALLOCATORS2")
wait "$rev_pid" || true
end2=$(date +%s.%N)
check "scenario 2: allocating client errors" 0 "$alloc_errors"
check "scenario 2: revoking client errors" 0 "$(cat "$WORK/rev.errors")"
cat "$WORK"/rev.*.out >"$WORK/rev_results.txt"
check "scenario 2: revokes returning t" $((REVOKERS2 * PER_REVOKER2)) "$(grep -cx t "$WORK/rev_results.txt" || true)"
check "scenario 2: revokes returning anything else" 0 "$(grep -cvx t "$WORK/rev_results.txt" || true)"
cat "$WORK"/alloc2.*.out >"$WORK/all2.txt"
total2=$((ALLOCATORS2 * PER_ALLOCATOR2))
check "scenario 2: VIDs returned" "$total2" "$(grep -c . "$WORK/all2.txt" || true)"
check "scenario 2: distinct VIDs returned, also from scenario 1" $((total + total2)) \
    "$(cat "$WORK/all1.txt" "$WORK/all2.txt" | sort -u | grep -c . || true)"
result=$(sql <<EOF
CREATE TEMP TABLE revoked (v text);
\copy revoked FROM '$WORK/revoke2.txt'
CREATE TEMP TABLE allocated2 (v text);
\copy allocated2 FROM '$WORK/all2.txt'
SELECT concat_ws(' ',
    (SELECT count(*) FROM revoked r JOIN vid.vid t ON t.vid = r.v::bigint
      WHERE t.status = 'EXPIRED' AND t.revoked_at IS NOT NULL),
    (SELECT count(*) FROM allocated2 a JOIN vid.vid t ON t.vid = a.v::bigint WHERE t.status = 'ASSIGNED'),
    (SELECT count(*) FROM vid.vid WHERE status = 'ASSIGNED'),
    (SELECT count(*) FROM vid.vid WHERE status = 'EXPIRED'),
    (SELECT count(*) FROM vid.pool),
    (SELECT count(*) FROM vid.all_vids),
    (SELECT count(*) - count(DISTINCT vid) FROM vid.all_vids),
    (SELECT count(*) FROM allocated2 WHERE NOT vid_is_valid(v)));
EOF
)
read -r rev_expired alloc2_assigned n_assigned n_expired n_available n_rows dup_keys2 invalid2 <<<"$result"
read -r available_before rows_before <<<"$before"
check "scenario 2: revoked VIDs EXPIRED with revoked_at" $((REVOKERS2 * PER_REVOKER2)) "$rev_expired"
check "scenario 2: newly allocated VIDs ASSIGNED" "$total2" "$alloc2_assigned"
check "scenario 2: ASSIGNED = 10000 + allocated - revoked" $((total + total2 - REVOKERS2 * PER_REVOKER2)) "$n_assigned"
check "scenario 2: EXPIRED = revoked" $((REVOKERS2 * PER_REVOKER2)) "$n_expired"
check "scenario 2: AVAILABLE (vid.pool) + ASSIGNED + EXPIRED = all VIDs" "$n_rows" $((n_available + n_assigned + n_expired))
check "scenario 2: VIDs = VIDs before + generated inline, AVAILABLE = before + generated - allocated" \
    "$((n_rows - rows_before))" "$((n_available - available_before + total2))"
check "scenario 2: duplicate keys in vid.pool and vid.vid (vid.all_vids)" 0 "$dup_keys2"
check "scenario 2: new VIDs failing vid_is_valid" 0 "$invalid2"
seconds2=$(echo "$start2 $end2" | awk '{ printf "%.2f", $2 - $1 }')

# ---------------------------------------------------------------------------------------------
# Scenario 3: two clients revoke the same VIDs at once, in opposite orders: exactly one t each.
sed "s/.*/SELECT '&', vid_revoke('&');/" "$WORK/same3.txt" >"$WORK/same.1.sql"
tac "$WORK/same.1.sql" >"$WORK/same.2.sql"
errors3=$(run_clients same 2)
check "scenario 3: client errors" 0 "$errors3"
cat "$WORK"/same.*.out >"$WORK/same_results.txt"
check "scenario 3: results" $((2 * SAME3)) "$(grep -c . "$WORK/same_results.txt" || true)"
check "scenario 3: VIDs revoked exactly once (one t, one f)" "$SAME3" \
    "$(sort "$WORK/same_results.txt" | awk -F'|' '{ s[$1] = s[$1] $2 } END { for (v in s) if (s[v] == "ft") n++; print n + 0 }')"
check "scenario 3: EXPIRED = all revoked" $((REVOKERS2 * PER_REVOKER2 + SAME3)) \
    "$(sql -c "SELECT count(*) FROM vid.vid WHERE status = 'EXPIRED'")"

echo "$summary"
echo "scenario 2: allocators=$ALLOCATORS2 allocations=$total2 revokers=$REVOKERS2 revokes=$((REVOKERS2 * PER_REVOKER2)) seconds=$seconds2"
if [ "$failures" != 0 ]; then
    echo "allocate_many: $failures check(s) FAILED"
    exit 1
fi
echo "allocate_many: all checks passed"
