#!/usr/bin/env bash
# A long vid_generate_pool shows its progress to another session (pg_stat_activity.query starts
# with "/* vid: X of N VIDs added */") and can be cancelled, leaving nothing behind.
set -euo pipefail
q() { psql -XAtq -v ON_ERROR_STOP=1 -d vid_progress -c "$1"; }
psql -XAtq -c "DROP DATABASE IF EXISTS vid_progress" -c "CREATE DATABASE vid_progress" >/dev/null 2>&1
q "CREATE EXTENSION vid"
before=$(q "SELECT count(*) FROM vid.all_vids")
out=$(mktemp)
psql -XAtq -d vid_progress -c "SELECT vid_generate_pool(5000000)" >"$out" 2>&1 &
client=$!
seen=""
for _ in $(seq 100); do
    seen=$(q "SELECT substring(query from '^/\* vid: [0-9]+ of 5000000 VIDs added \*/') FROM pg_stat_activity WHERE query LIKE '%vid_generate_pool(5000000)%' AND pid <> pg_backend_pid()")
    [ -n "$seen" ] && break
    sleep 0.2
done
[ -n "$seen" ] || { echo "FAILED: no progress in pg_stat_activity"; kill "$client"; exit 1; }
echo "ok: another session sees the progress: $seen"
q "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE query LIKE '%vid_generate_pool(5000000)%' AND pid <> pg_backend_pid()" >/dev/null
wait "$client" || true
grep -q "canceling statement due to user request" "$out" || { echo "FAILED: not cancelled:"; cat "$out"; exit 1; }
echo "ok: cancelled"
after=$(q "SELECT count(*) FROM vid.all_vids")
[ "$before" = "$after" ] || { echo "FAILED: $before VIDs before, $after after the cancel"; exit 1; }
echo "ok: nothing left behind by the cancelled generation ($after VIDs in vid.pool and vid.vid)"
psql -XAtq -c "DROP DATABASE vid_progress" >/dev/null
rm -f "$out"
echo "progress: all checks passed"
