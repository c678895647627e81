-- Upgrade: install the oldest version, fill it, ALTER EXTENSION vid UPDATE, and check that data
-- and behaviour are intact and the result equals a fresh install of the current version.
CREATE EXTENSION vid VERSION '0.1.0';
SELECT extversion FROM pg_extension WHERE extname = 'vid';
SELECT vid_generate_pool(500);
CREATE TEMP TABLE old_handed AS SELECT vid_allocate() AS v FROM generate_series(1, 30);
SELECT count(*) FILTER (WHERE vid_revoke(v)) AS revoked FROM (SELECT v FROM old_handed ORDER BY v LIMIT 10) s;
SET client_min_messages = warning;  -- 0.1.0 NOTICEs the (random) count of withdrawn pool VIDs
INSERT INTO vid.restricted_number VALUES ('1947');
RESET client_min_messages;
CREATE TEMP TABLE before AS SELECT vid, status::text, expiry, created_at, assigned_at, revoked_at FROM vid.vid
    WHERE status <> 'AVAILABLE';
CREATE TEMP TABLE before_pool AS SELECT vid FROM vid.vid WHERE status = 'AVAILABLE';

ALTER EXTENSION vid UPDATE;
SELECT extversion FROM pg_extension WHERE extname = 'vid';

-- Data intact: handed-out VIDs stay in vid.vid, the pool moved to vid.pool (0.3.0).
SELECT count(*) AS changed FROM (
    (SELECT vid, status::text, expiry, created_at, assigned_at, revoked_at FROM vid.vid EXCEPT SELECT * FROM before)
    UNION ALL
    (SELECT * FROM before EXCEPT SELECT vid, status::text, expiry, created_at, assigned_at, revoked_at FROM vid.vid)) d;
SELECT count(*) AS pool_changed FROM (
    (SELECT vid FROM vid.pool EXCEPT SELECT vid FROM before_pool)
    UNION ALL (SELECT vid FROM before_pool EXCEPT SELECT vid FROM vid.pool)) d;
SELECT count(*) > 0 AS pool_kept FROM vid.pool;
SELECT number FROM vid.restricted_number ORDER BY number;
-- Behaviour intact: old VIDs keep their status and can be revoked; new ones are audited.
SELECT count(*) FILTER (WHERE vid_status(v) = 'ASSIGNED') AS assigned, count(*) FILTER (WHERE vid_status(v) = 'EXPIRED') AS expired
FROM old_handed;
SELECT vid_revoke(v) AS revoked_after_upgrade FROM (SELECT v FROM old_handed WHERE vid_status(v) = 'ASSIGNED' ORDER BY v LIMIT 1) s;
SELECT vid_allocate() AS new_vid \gset
SELECT event, by FROM vid_audit(:'new_vid');
SELECT available > 0 AS pool_status_works FROM vid.pool_status;

-- The upgraded extension has exactly the objects and columns of a fresh install.
CREATE TEMP TABLE upgraded_objects AS
    SELECT pg_describe_object(classid, objid, 0) AS object FROM pg_depend
    WHERE refobjid = (SELECT oid FROM pg_extension WHERE extname = 'vid') AND deptype = 'e';
CREATE TEMP TABLE upgraded_columns AS
    SELECT attnum, attname, format_type(atttypid, atttypmod) AS type, attnotnull
    FROM pg_attribute WHERE attrelid = 'vid.vid'::regclass AND attnum > 0 AND NOT attisdropped;
CREATE TEMP TABLE upgraded_indexes AS SELECT indexdef FROM pg_indexes WHERE schemaname = 'vid';
DROP TABLE before, before_pool, old_handed;
DROP EXTENSION vid;
CREATE EXTENSION vid;
SELECT count(*) AS object_differences FROM (
    (SELECT pg_describe_object(classid, objid, 0) FROM pg_depend
     WHERE refobjid = (SELECT oid FROM pg_extension WHERE extname = 'vid') AND deptype = 'e'
     EXCEPT SELECT object FROM upgraded_objects)
    UNION ALL
    (SELECT object FROM upgraded_objects EXCEPT
     SELECT pg_describe_object(classid, objid, 0) FROM pg_depend
     WHERE refobjid = (SELECT oid FROM pg_extension WHERE extname = 'vid') AND deptype = 'e')) d;
SELECT count(*) AS column_differences FROM (
    (SELECT attnum, attname, format_type(atttypid, atttypmod), attnotnull FROM pg_attribute
     WHERE attrelid = 'vid.vid'::regclass AND attnum > 0 AND NOT attisdropped EXCEPT SELECT * FROM upgraded_columns)
    UNION ALL
    (SELECT * FROM upgraded_columns EXCEPT SELECT attnum, attname, format_type(atttypid, atttypmod), attnotnull
     FROM pg_attribute WHERE attrelid = 'vid.vid'::regclass AND attnum > 0 AND NOT attisdropped)) d;
SELECT count(*) AS index_differences FROM (
    (SELECT indexdef FROM pg_indexes WHERE schemaname = 'vid' EXCEPT SELECT * FROM upgraded_indexes)
    UNION ALL (SELECT * FROM upgraded_indexes EXCEPT SELECT indexdef FROM pg_indexes WHERE schemaname = 'vid')) d;
DROP EXTENSION vid;
