#!/usr/bin/env bash
# A client with synchronous_commit = off that allocates through its own function with a
# SET synchronous_commit clause still gets a VID that survives a crash (the clause must not undo
# vid_allocate's forced synchronous commit). Direct calls are checked the same way.
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH=/usr/lib/postgresql/15/bin:$PATH
source test/lib/cluster.sh
W=$(mktemp -d /tmp/vid-wrapper.XXXXXX)
chmod 755 "$W"
trap 'cluster_stop "$W/pg" immediate; rm -rf "$W"' EXIT
cluster_new "$W/pg" "${VID_WRAPPER_PORT:-56515}" "wal_writer_delay = 10000"  # async commits reach disk only every 10 s
q() { psql -XAtq -v ON_ERROR_STOP=1 -c "$1"; }
q "CREATE EXTENSION vid"
q "SELECT vid_generate_pool(1000)" >/dev/null
q "CHECKPOINT"
q "CREATE FUNCTION app_allocate() RETURNS text LANGUAGE sql SET synchronous_commit = on AS 'SELECT vid_allocate()'"
q "CREATE FUNCTION app_allocate_off() RETURNS text LANGUAGE sql SET synchronous_commit = off AS 'SELECT vid_allocate()'"
a=$(PGOPTIONS='-c synchronous_commit=off' q "SELECT vid_allocate()")
b=$(PGOPTIONS='-c synchronous_commit=off' q "SELECT app_allocate()")
c=$(PGOPTIONS='-c synchronous_commit=off' q "SELECT app_allocate_off()")
cluster_stop "$W/pg" immediate
cluster_start "$W/pg"
for v in "$a" "$b" "$c"; do
    s=$(q "SELECT coalesce(vid_status('$v'), 'LOST')")
    [ "$s" = ASSIGNED ] || { echo "FAILED: $v received by a synchronous_commit=off client is $s after the crash"; exit 1; }
done
echo "ok: direct, wrapper(SET synchronous_commit = on) and wrapper(= off) allocations all survived the crash"
echo "wrapper_sync_commit: all checks passed"
