-- Operability (0.2.0): the status view, the audit trail, handed-out VIDs with a new restricted number.
CREATE EXTENSION vid;
SELECT extversion FROM pg_extension WHERE extname = 'vid';

SELECT vid_generate_pool(300);
CREATE TEMP TABLE handed AS SELECT vid_allocate() AS v FROM generate_series(1, 20);
SELECT vid_revoke(v) FROM (SELECT v FROM handed ORDER BY v LIMIT 5) s;
ANALYZE vid.vid;  -- the estimates come from planner statistics (exact on a table this small)

-- Status at a glance.
SELECT available, assigned_estimate, expired_estimate, withdrawn_estimate, total_estimate,
       estimates_as_of IS NOT NULL AS has_statistics, refill_threshold, refill_target, refill_worker,
       worker_pid, space_valid_vids > 1e12 AS space_is_large, space_exact, space_used_share < 1e-6 AS tiny_share
FROM vid.pool_status;

-- Audit: the role (SET ROLE included) and application_name of the session that allocated and revoked.
CREATE ROLE vid_regress_app;
GRANT EXECUTE ON FUNCTION vid_allocate(timestamptz), vid_revoke(text), vid_status(text) TO vid_regress_app;
SET application_name = 'enrolment-service';
SET ROLE vid_regress_app;
SELECT vid_allocate() AS app_vid \gset
SET application_name = 'helpdesk';
SELECT vid_revoke(:'app_vid');
RESET ROLE;
RESET application_name;
SELECT event, at IS NOT NULL AS has_time, by, application FROM vid_audit(:'app_vid');
SELECT count(*) FILTER (WHERE event = 'ASSIGNED') AS assigned_events,
       count(*) FILTER (WHERE event = 'REVOKED') AS revoked_events
FROM vid_audit(now() - interval '1 hour', now() + interval '1 hour');
SELECT count(*) AS events_in_the_past FROM vid_audit('2000-01-01', '2001-01-01');
SELECT count(*) AS unknown_vid_events FROM vid_audit('5371843613598206');
SELECT count(*) AS malformed_vid_events FROM vid_audit('not a vid');
-- The application role sees none of it.
SET ROLE vid_regress_app;
SELECT has_function_privilege('vid_audit(text)', 'EXECUTE') AS app_can_audit,
       has_schema_privilege('vid', 'USAGE') AS app_can_see_schema_vid;
RESET ROLE;

-- A new restricted number found in handed-out VIDs: they are listed, not revoked.
SELECT v AS held FROM handed WHERE vid_status(v) = 'ASSIGNED' ORDER BY v LIMIT 1 \gset
SELECT substr(:'held', 5, 4) AS piece \gset
SET client_min_messages = warning;  -- the NOTICE counts withdrawn pool VIDs, which are random
INSERT INTO vid.restricted_number VALUES (:'piece');
RESET client_min_messages;
SELECT count(*) >= 1 AS listed FROM vid.restricted_in_use WHERE vid = :'held';
SELECT bool_and(vid_check(vid) = 'restricted') AS all_restricted FROM vid.restricted_in_use;
SELECT vid_status(:'held') AS still_works, vid_revoke(:'held') AS revoked;
SELECT count(*) AS listed_after_revoke FROM vid.restricted_in_use WHERE vid = :'held';
SELECT count(*) AS restricted_in_pool FROM vid.pool WHERE NOT vid.key_is_valid(vid);
DELETE FROM vid.restricted_number WHERE number = :'piece';
SELECT count(*) FILTER (WHERE status = 'WITHDRAWN') = (SELECT count(*) FROM vid.vid WHERE status = 'WITHDRAWN')
    AS withdrawn_stay_withdrawn FROM vid.vid;

-- Changing the rules once VIDs exist is refused with a hint that says what to do.
SELECT vid_configure(length => 18);

DROP TABLE handed;
DROP EXTENSION vid;
DROP OWNED BY vid_regress_app;
DROP ROLE vid_regress_app;
