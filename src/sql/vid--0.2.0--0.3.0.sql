-- vid 0.2.0 -> 0.3.0: the pool moves to its own narrow table. An AVAILABLE VID is one row of
-- vid.pool (the key and nothing else: about 58 bytes with its index, against 116 in vid.vid,
-- whose rows carry the lifecycle and audit columns and a second, partial index). Handing a VID
-- out moves its row from vid.pool to vid.vid in the same transaction. A fresh install of 0.3.0
-- runs 0.1.0, 0.1.0--0.2.0 and then this file (see Makefile).
\echo Use "ALTER EXTENSION vid UPDATE TO '0.3.0'" to load this file. \quit

-- No allocation may move a VID between the copy to vid.pool and the delete below.
LOCK TABLE vid.vid IN EXCLUSIVE MODE;

CREATE TABLE vid.pool (
    vid bigint PRIMARY KEY,
    -- A pooled VID obeys the rules in force (a new restricted number withdraws the ones it breaks).
    CONSTRAINT pool_valid CHECK (vid.key_is_valid(vid))
);
COMMENT ON TABLE vid.pool IS 'the pool: every AVAILABLE VID, as its number; vid_allocate() moves one to vid.vid';
COMMENT ON COLUMN vid.pool.vid IS 'the VID as a number (text form: zero-padded to the length in force)';
SELECT pg_catalog.pg_extension_config_dump('vid.pool', '');
REVOKE ALL ON vid.pool FROM PUBLIC;

INSERT INTO vid.pool (vid) SELECT vid FROM vid.vid WHERE status = 'AVAILABLE' ORDER BY vid;
DELETE FROM vid.vid WHERE status = 'AVAILABLE';
DROP INDEX vid.vid_available;
ALTER TABLE vid.vid DROP CONSTRAINT vid_valid;
ALTER TABLE vid.vid ALTER COLUMN status DROP DEFAULT;
ALTER TABLE vid.vid ADD CONSTRAINT vid_not_pooled CHECK (status <> 'AVAILABLE');
COMMENT ON TABLE vid.vid IS 'every VID handed out (ASSIGNED, EXPIRED) or withdrawn from the pool (WITHDRAWN); rows are never deleted. The pool is vid.pool';

-- A new restricted number withdraws every pooled VID that contains it: the row moves to vid.vid
-- as WITHDRAWN, so the number is never generated again even if the restriction goes.
CREATE OR REPLACE FUNCTION vid.withdraw_restricted() RETURNS trigger LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    withdrawn bigint;
BEGIN
    WITH w AS (DELETE FROM vid.pool WHERE NOT vid.key_is_valid(vid) RETURNING vid)
    INSERT INTO vid.vid (vid, status) SELECT vid, 'WITHDRAWN' FROM w;
    GET DIAGNOSTICS withdrawn = ROW_COUNT;
    RAISE NOTICE 'vid: % VIDs in the pool contain a restricted number and were withdrawn', withdrawn
        USING HINT = 'Handed-out VIDs are not revoked: SELECT * FROM vid.restricted_in_use lists them.';
    RETURN NULL;
END $$;

-- The pool at a glance: AVAILABLE counted exactly (vid.pool's primary key), the other statuses
-- estimated from planner statistics of vid.vid.
CREATE OR REPLACE VIEW vid.pool_status AS
SELECT p.available,
       e.assigned AS assigned_estimate, e.expired AS expired_estimate, e.withdrawn AS withdrawn_estimate,
       coalesce(e.total, 0) + p.available AS total_estimate, e.as_of AS estimates_as_of,
       current_setting('vid.refill_threshold', true)::bigint AS refill_threshold,
       current_setting('vid.refill_target', true)::bigint AS refill_target,
       w.state AS refill_worker, w.pid AS worker_pid, w.last_round, w.last_refill, w.last_refill_added,
       s.valid_vids AS space_valid_vids, s.exact AS space_exact,
       round((coalesce(e.total, 0) + p.available) / nullif(s.valid_vids, 0), 6) AS space_used_share
FROM (SELECT count(*) AS available FROM vid.pool) p, vid.worker_status() w, vid.status_estimates() e,
     vid.space_size() s;

-- Every VID ever generated and its status, as vid.vid held them before 0.3.0.
CREATE VIEW vid.all_vids AS
SELECT vid, 'AVAILABLE'::vid.status AS status FROM vid.pool
UNION ALL
SELECT vid, status FROM vid.vid;
COMMENT ON VIEW vid.all_vids IS 'every VID ever generated and its status: the pool (AVAILABLE) and vid.vid';
REVOKE ALL ON vid.all_vids FROM PUBLIC;
