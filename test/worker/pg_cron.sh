#!/usr/bin/env bash
# The pg_cron path against Debian's pg_cron 1.4.2 (minute granularity): the documented
# one-line schedule really runs vid_refill() within its minute and refills the pool.
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH=/usr/lib/postgresql/15/bin:$PATH
source test/lib/cluster.sh
WORK=$(mktemp -d /tmp/vid-cron.XXXXXX)
chmod 755 "$WORK"
PORT=${VID_CRON_PORT:-55443}
ok=0
trap 'cluster_stop "$WORK/pg" immediate; [ $ok = 1 ] && rm -rf "$WORK" || echo "kept $WORK"' EXIT

# vid is NOT preloaded here: pg_cron drives the refill; vid.* settings are read when vid loads.
cluster_new "$WORK/pg" "$PORT" "shared_preload_libraries = 'pg_cron'" "cron.database_name = 'postgres'" \
    "cron.host = '$WORK/pg'" "vid.refill_threshold = 1000" "vid.refill_target = 3000"
q() { psql -XAtq -v ON_ERROR_STOP=1 -c "$1"; }
q "CREATE EXTENSION pg_cron" >/dev/null
q "CREATE EXTENSION vid" >/dev/null
check() {
    local got
    got=$(q "$2")
    if [ "$got" = t ]; then echo "ok: $1"; else echo "FAILED: $1 (got '$got')"; exit 1; fi
}
check "no worker without shared_preload_libraries" \
    "SELECT count(*) = 0 FROM pg_stat_activity WHERE backend_type LIKE 'vid%'"
check "vid_refill() by hand fills an empty pool to the target" "SELECT vid_refill() = 3000"
check "a second call has nothing to do" "SELECT vid_refill() = 0"
# Drain below the threshold, then let pg_cron refill.
q "SELECT count(vid_allocate()) FROM generate_series(1, 2500)" >/dev/null
check "the pool is below the threshold" "SELECT count(*) < 1000 FROM vid.pool"
q "SELECT cron.schedule('vid-refill', '* * * * *', \$\$SELECT vid_refill()\$\$)" >/dev/null
echo "scheduled; waiting for the next minute..."
deadline=$((SECONDS + 80))
until [ "$(q "SELECT count(*) > 0 FROM cron.job_run_details WHERE status = 'succeeded'")" = t ]; do
    [ $SECONDS -lt $deadline ] || { echo "FAILED: the job did not run within 80 s"; q "SELECT * FROM cron.job_run_details"; exit 1; }
    sleep 2
done
q "SELECT 'job ran: ' || status || ', ' || return_message FROM cron.job_run_details ORDER BY start_time DESC LIMIT 1"
check "the scheduled vid_refill() refilled the pool to the target" \
    "SELECT count(*) = 3000 FROM vid.pool"
check "nothing duplicated across vid.pool and vid.vid" "SELECT count(*) = count(DISTINCT vid) FROM vid.all_vids"
ok=1
echo "pg_cron: all checks passed"
