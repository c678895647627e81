-- vid 0.1.0 -> 0.2.0: operability: audit, status at a glance, handed-out VIDs that contain a
-- restricted number. A fresh install of 0.2.0 runs 0.1.0 and then this file (see Makefile).
\echo Use "ALTER EXTENSION vid UPDATE TO '0.2.0'" to load this file. \quit

CREATE FUNCTION vid.key_to_text(bigint) RETURNS text
    AS 'MODULE_PATHNAME', 'vid_key_to_text' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION vid.key_to_text(bigint) IS 'a stored key as its VID text (zero-padded to the length in force)';

CREATE FUNCTION vid.worker_status(OUT state text, OUT pid integer, OUT last_round timestamptz,
                                  OUT last_refill timestamptz, OUT last_refill_added bigint)
    AS 'MODULE_PATHNAME', 'vid_worker_status' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION vid.worker_status() IS 'this database''s refill worker, from shared memory (''not loaded'' without shared_preload_libraries)';

CREATE FUNCTION vid.space_size(OUT valid_vids numeric, OUT exact boolean)
    AS 'MODULE_PATHNAME', 'vid_space_size' LANGUAGE C STABLE;
COMMENT ON FUNCTION vid.space_size() IS 'how many valid VIDs the rules allow (exact up to 8 digits, else estimated; cached per session)';

-- Audit: who handed out and who revoked each VID, from which application, and when.
ALTER TABLE vid.vid ADD COLUMN assigned_by text, ADD COLUMN assigned_app text,
                    ADD COLUMN revoked_by text, ADD COLUMN revoked_app text;
COMMENT ON COLUMN vid.vid.assigned_by IS 'the role that allocated the VID (the session''s role, SET ROLE included)';
COMMENT ON COLUMN vid.vid.assigned_app IS 'application_name of the allocating session';
COMMENT ON COLUMN vid.vid.revoked_by IS 'the role that revoked the VID (NULL when it expired by time)';
COMMENT ON COLUMN vid.vid.revoked_app IS 'application_name of the revoking session';
CREATE INDEX vid_assigned_at ON vid.vid (assigned_at) WHERE assigned_at IS NOT NULL;
CREATE INDEX vid_revoked_at ON vid.vid (revoked_at) WHERE revoked_at IS NOT NULL;

-- The events of one VID.
CREATE FUNCTION vid_audit(vid text)
    RETURNS TABLE (event text, at timestamptz, by text, application text)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT e.event, e.at, e.by, e.application
    FROM vid.vid v, LATERAL (VALUES ('ASSIGNED', v.assigned_at, v.assigned_by, v.assigned_app),
                                    ('REVOKED', v.revoked_at, v.revoked_by, v.revoked_app),
                                    ('EXPIRED', CASE WHEN v.revoked_at IS NULL AND v.expiry <= now() THEN v.expiry END,
                                     NULL, NULL)) AS e(event, at, by, application)
    WHERE v.vid = CASE WHEN vid_audit.vid ~ '^[0-9]{1,18}$' THEN vid_audit.vid::bigint END
      AND v.status <> 'AVAILABLE' AND v.status <> 'WITHDRAWN' AND e.at IS NOT NULL
    ORDER BY e.at
$$;
COMMENT ON FUNCTION vid_audit(text) IS 'who allocated and revoked a VID, from which application, and when';

-- The events in a time range (allocations and revocations; both indexed).
CREATE FUNCTION vid_audit(since timestamptz, until timestamptz)
    RETURNS TABLE (vid text, event text, at timestamptz, by text, application text)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT vid.key_to_text(v.vid), 'ASSIGNED', v.assigned_at, v.assigned_by, v.assigned_app
    FROM vid.vid v WHERE v.assigned_at >= since AND v.assigned_at < until
    UNION ALL
    SELECT vid.key_to_text(v.vid), 'REVOKED', v.revoked_at, v.revoked_by, v.revoked_app
    FROM vid.vid v WHERE v.revoked_at >= since AND v.revoked_at < until
    ORDER BY 3
$$;
COMMENT ON FUNCTION vid_audit(timestamptz, timestamptz) IS 'allocations and revocations in [since, until)';

-- Counts by status without counting: planner statistics (refreshed by autovacuum/ANALYZE).
CREATE FUNCTION vid.status_estimates(OUT assigned bigint, OUT expired bigint, OUT withdrawn bigint,
                                     OUT total bigint, OUT as_of timestamptz)
    LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    WITH t AS (SELECT CASE WHEN c.reltuples >= 0 THEN c.reltuples END AS rows
               FROM pg_class c WHERE c.oid = 'vid.vid'::regclass),
         f AS (SELECT s.status, s.freq
               FROM pg_stats st, LATERAL unnest(st.most_common_vals::text::text[], st.most_common_freqs) AS s(status, freq)
               WHERE st.schemaname = 'vid' AND st.tablename = 'vid' AND st.attname = 'status')
    SELECT (SELECT round(t.rows * coalesce((SELECT freq FROM f WHERE status = 'ASSIGNED'), 0))::bigint FROM t),
           (SELECT round(t.rows * coalesce((SELECT freq FROM f WHERE status = 'EXPIRED'), 0))::bigint FROM t),
           (SELECT round(t.rows * coalesce((SELECT freq FROM f WHERE status = 'WITHDRAWN'), 0))::bigint FROM t),
           (SELECT round(t.rows)::bigint FROM t),
           (SELECT greatest(last_analyze, last_autoanalyze, last_vacuum, last_autovacuum)
            FROM pg_stat_user_tables WHERE relid = 'vid.vid'::regclass)
$$;
COMMENT ON FUNCTION vid.status_estimates() IS 'estimated VIDs by status from planner statistics';

-- The pool at a glance. AVAILABLE is counted exactly (its partial index holds only the pool);
-- the other counts are estimates, so the view answers in milliseconds on any table size.
CREATE VIEW vid.pool_status AS
SELECT (SELECT count(*) FROM vid.vid WHERE status = 'AVAILABLE') AS available,
       e.assigned AS assigned_estimate, e.expired AS expired_estimate, e.withdrawn AS withdrawn_estimate,
       e.total AS total_estimate, e.as_of AS estimates_as_of,
       current_setting('vid.refill_threshold', true)::bigint AS refill_threshold,
       current_setting('vid.refill_target', true)::bigint AS refill_target,
       w.state AS refill_worker, w.pid AS worker_pid, w.last_round, w.last_refill, w.last_refill_added,
       s.valid_vids AS space_valid_vids, s.exact AS space_exact,
       round(coalesce(e.total, 0) / nullif(s.valid_vids, 0), 6) AS space_used_share
FROM vid.worker_status() w, vid.status_estimates() e, vid.space_size() s;
COMMENT ON VIEW vid.pool_status IS 'the pool at a glance: AVAILABLE (exact), other statuses (estimates), refill settings, worker, number space';

-- Handed-out VIDs that contain a restricted number (added after they were handed out). They keep
-- working (vid_status, vid_revoke); this lists them for the admin to decide.
CREATE VIEW vid.restricted_in_use AS
SELECT vid.key_to_text(v.vid) AS vid, v.status, v.assigned_at, v.expiry
FROM vid.vid v
WHERE v.status = 'ASSIGNED' AND vid_check(vid.key_to_text(v.vid)) = 'restricted';
COMMENT ON VIEW vid.restricted_in_use IS 'ASSIGNED VIDs that contain a restricted number added after they were handed out';

CREATE OR REPLACE FUNCTION vid.withdraw_restricted() RETURNS trigger LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    withdrawn bigint;
BEGIN
    UPDATE vid.vid SET status = 'WITHDRAWN' WHERE status = 'AVAILABLE' AND NOT vid.key_is_valid(vid);
    GET DIAGNOSTICS withdrawn = ROW_COUNT;
    RAISE NOTICE 'vid: % VIDs in the pool contain a restricted number and were withdrawn', withdrawn
        USING HINT = 'Handed-out VIDs are not revoked: SELECT * FROM vid.restricted_in_use lists them.';
    RETURN NULL;
END $$;

REVOKE ALL ON FUNCTION vid.key_to_text(bigint), vid.worker_status(), vid.space_size(), vid.status_estimates(),
    vid_audit(text), vid_audit(timestamptz, timestamptz) FROM PUBLIC;
REVOKE ALL ON vid.pool_status, vid.restricted_in_use FROM PUBLIC;
