-- The pool: generate, allocate, revoke, status. VIDs are random, so the output shows properties.
CREATE EXTENSION vid;
SELECT vid_generate_pool(1000) AS added;
SELECT status, count(*) FROM vid.all_vids GROUP BY status ORDER BY status;
-- Every pooled VID obeys the rules and has the configured length.
SELECT count(*) FILTER (WHERE NOT vid_is_valid(lpad(vid::text, 16, '0'))) AS invalid FROM vid.all_vids;

CREATE TEMP TABLE handed (v text, expiry timestamptz);
INSERT INTO handed SELECT vid_allocate(), NULL FROM generate_series(1, 20);
INSERT INTO handed SELECT vid_allocate(now() + interval '1 day'), now() + interval '1 day' FROM generate_series(1, 5);
SELECT count(*) AS handed, count(DISTINCT v) AS distinct_vids, bool_and(vid_is_valid(v)) AS all_valid,
       bool_and(length(v) = 16) AS all_16_digits FROM handed;
-- The table agrees: ASSIGNED, with the expiry asked for.
SELECT t.status, count(*), count(t.expiry) AS with_expiry, bool_and(t.assigned_at IS NOT NULL) AS assigned_at_set
FROM handed h JOIN vid.vid t ON t.vid = h.v::bigint GROUP BY t.status;
SELECT status, count(*) FROM vid.all_vids GROUP BY status ORDER BY status;

-- Not handed out in index order: the VIDs of consecutive allocations are not increasing.
SELECT count(*) FILTER (WHERE next_v > v) BETWEEN 1 AND 23 AS not_in_index_order
FROM (SELECT v, lead(v) OVER (ORDER BY ctid) AS next_v FROM handed) s WHERE next_v IS NOT NULL;

-- Status and revoke.
SELECT v AS first_vid FROM handed WHERE expiry IS NULL ORDER BY v LIMIT 1 \gset
SELECT vid_status(:'first_vid') AS status_before;
SELECT vid_revoke(:'first_vid') AS revoked;
SELECT vid_status(:'first_vid') AS status_after;
SELECT vid_revoke(:'first_vid') AS revoked_again;
SELECT status, revoked_at IS NOT NULL AS revoked_at_set FROM vid.vid WHERE vid = :'first_vid'::bigint;
SELECT status, count(*) FROM vid.all_vids GROUP BY status ORDER BY status;

-- A VID whose expiry has passed reads EXPIRED and cannot be revoked again.
UPDATE vid.vid SET expiry = now() - interval '1 second'
WHERE vid = (SELECT v::bigint FROM handed WHERE expiry IS NOT NULL ORDER BY v LIMIT 1);
SELECT vid_status(v) AS status, vid_revoke(v) AS revoked
FROM (SELECT v FROM handed WHERE expiry IS NOT NULL ORDER BY v LIMIT 1) s;

-- Unknown, pooled and malformed VIDs say nothing about the pool.
SELECT vid_status('5371843613598206') AS unknown,
       vid_status((SELECT lpad(vid::text, 16, '0') FROM vid.pool LIMIT 1)) AS pooled,
       vid_status('abc') AS malformed, vid_status(NULL) AS null_vid;

-- An empty pool does not fail an allocation: a batch is generated inline.
CREATE TEMP TABLE drained AS SELECT vid_allocate() AS v FROM generate_series(1, 975);
SELECT count(*) AS available FROM vid.pool;
SELECT vid_allocate() IS NOT NULL AS allocated_from_empty_pool;
SELECT count(*) > 0 AS pool_refilled_inline FROM vid.pool;
SELECT count(*) = count(DISTINCT vid) AS keys_distinct FROM vid.all_vids;

-- An allocation in a transaction that rolls back hands nothing out.
SELECT count(*) AS assigned_before FROM vid.vid WHERE status = 'ASSIGNED' \gset
BEGIN;
SELECT vid_allocate() IS NOT NULL AS allocated;
ROLLBACK;
SELECT count(*) = :assigned_before AS assigned_unchanged FROM vid.vid WHERE status = 'ASSIGNED';

-- A client with synchronous_commit = off still gets a durable commit for its allocation.
SET synchronous_commit = off;
BEGIN;
SELECT vid_allocate() IS NOT NULL AS allocated;
SHOW synchronous_commit;
COMMIT;
SHOW synchronous_commit;
RESET synchronous_commit;
DROP EXTENSION vid;
