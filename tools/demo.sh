#!/usr/bin/env bash
# The main job, on a throwaway cluster: build, install, create the extension, fill a pool of
# 100,000 VIDs, allocate with and without expiry, revoke one, print the counts by status.
# The cluster keeps running afterwards so you can look around; the last lines say how to stop it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install-deps.sh
echo "== build and install"
bash tools/build.sh
export PATH=/usr/lib/postgresql/15/bin:$PATH
source test/lib/cluster.sh

DIR=${VID_DEMO_DIR:-/tmp/vid-demo}
PORT=${VID_DEMO_PORT:-55433}
[ -d "$DIR/data" ] && cluster_stop "$DIR" immediate
rm -rf "$DIR"
echo "== throwaway cluster in $DIR (port $PORT)"
cluster_new "$DIR" "$PORT"

psql -X -v ON_ERROR_STOP=1 <<'SQL'
\set QUIET on
CREATE EXTENSION vid;
\set QUIET off
\echo '== the rules in force (vid.rule_set, vid.restricted_number)'
SELECT length, sequence_limit, repeating_limit, repeated_block_limit, not_start_with FROM vid.rule_set;
SELECT string_agg(number, ', ') AS restricted_numbers FROM vid.restricted_number;
\echo '== fill the pool with 100,000 VIDs'
\timing on
SELECT vid_generate_pool(100000) AS added;
\timing off
\echo '== allocate: three without expiry, two that expire in 30 days'
SELECT vid_allocate() AS vid FROM generate_series(1, 3);
SELECT vid_allocate(now() + interval '30 days') AS vid, now() + interval '30 days' AS expires FROM generate_series(1, 2);
\echo '== revoke one'
SELECT vid AS revoked_vid, vid_revoke(vid) AS revoked, vid_status(vid) AS status
FROM (SELECT vid_allocate() AS vid) s \gset
SELECT :'revoked_vid' AS vid, :'revoked' AS revoked, vid_status(:'revoked_vid') AS status_now;
\echo '== the validity check'
SELECT v, vid_is_valid(v) AS valid, vid_check(v) AS first_failing_rule
FROM (VALUES ('5371843613598206'), ('5371843613598205'), ('9508992154307342')) t(v);
\echo '== counts by status (vid.all_vids: the pool, vid.pool, and vid.vid)'
SELECT status, count(*) FROM vid.all_vids GROUP BY status ORDER BY status;
\echo '== the pool at a glance (vid.pool_status) and the audit of the revoked VID'
SELECT available, refill_worker, space_valid_vids, space_exact FROM vid.pool_status;
SELECT event, by, application FROM vid_audit(:'revoked_vid');
SQL

cat <<EOF

The cluster is still running.
  connect:  psql -h $DIR -p $PORT -U postgres
  stop:     $( [ "$(id -u)" = 0 ] && echo "runuser -u postgres -- " )/usr/lib/postgresql/15/bin/pg_ctl -D $DIR/data stop && rm -rf $DIR
EOF
