-- The lifecycle of a VID: AVAILABLE (pooled) -> ASSIGNED (vid_allocate) -> EXPIRED (vid_revoke or
-- past its expiry), as vid_status, vid_revoke and the row in vid.vid show it.
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION vid;
SELECT plan(49);

-- The error a statement raises: SQLSTATE, message and detail (to compare two errors exactly).
CREATE FUNCTION pg_temp.error_of(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    state text;
    message text;
    detail text;
BEGIN
    EXECUTE q;
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, message = MESSAGE_TEXT, detail = PG_EXCEPTION_DETAIL;
    RETURN state || ': ' || message || ' / ' || coalesce(detail, '');
END $$;

-- ---------------------------------------------------------------------------------------------
-- AVAILABLE: in the pool, not handed out.
SELECT is(vid_generate_pool(20), 20::bigint, 'vid_generate_pool(20) adds 20 VIDs');
SELECT results_eq('SELECT status::text, count(*) FROM vid.all_vids GROUP BY status',
    $$VALUES ('AVAILABLE', 20::bigint)$$, 'every new VID is AVAILABLE');
SELECT is((SELECT count(*) FROM vid.pool), 20::bigint, 'the 20 are rows of vid.pool');
SELECT is_empty('SELECT vid FROM vid.vid', 'pooled VIDs have no row in vid.vid (no assigned_at, revoked_at or expiry)');
SELECT is_empty('SELECT vid FROM vid.all_vids WHERE vid = 5371843613598206',
    'the "unknown" VID 5371843613598206 used below is not in the pool');

-- ---------------------------------------------------------------------------------------------
-- AVAILABLE -> ASSIGNED -> EXPIRED.
SELECT vid_allocate() AS v1 \gset
SELECT is(length(:'v1'), 16, 'vid_allocate returns 16 digits');
SELECT results_eq(format('SELECT status::text, expiry, assigned_at, revoked_at, created_at <= assigned_at
                          FROM vid.vid WHERE vid = %s', :'v1'),
    $$VALUES ('ASSIGNED', NULL::timestamptz, now(), NULL::timestamptz, true)$$,
    'allocated: the row is ASSIGNED, assigned_at = now(), no expiry, not revoked');
SELECT is(vid_status(:'v1'), 'ASSIGNED', 'allocated: vid_status is ASSIGNED');
SELECT is(vid_revoke(:'v1'), true, 'revoking an ASSIGNED VID returns true');
SELECT results_eq(format('SELECT status::text, expiry, assigned_at, revoked_at FROM vid.vid WHERE vid = %s', :'v1'),
    $$VALUES ('EXPIRED', NULL::timestamptz, now(), now())$$,
    'revoked: the row is EXPIRED, revoked_at = now(), assigned_at kept');
SELECT is(vid_status(:'v1'), 'EXPIRED', 'revoked: vid_status is EXPIRED');
SELECT is(vid_revoke(:'v1'), false, 'revoking twice returns false');
SELECT is(vid_revoke(:'v1'), false, 'revoking three times still returns false');
SELECT results_eq(format('SELECT status::text, revoked_at FROM vid.vid WHERE vid = %s', :'v1'),
    $$VALUES ('EXPIRED', now())$$, 'revoking again changes nothing');
SELECT is(vid_status(:'v1'), 'EXPIRED', 'revoked: vid_status stays EXPIRED');

-- ---------------------------------------------------------------------------------------------
-- Expiry: stored as given; past it the VID reads EXPIRED and cannot be revoked.
SELECT (now() + interval '1 day')::text AS exp2 \gset
SELECT vid_allocate(:'exp2') AS v2 \gset
SELECT results_eq(format('SELECT status::text, expiry, assigned_at, revoked_at FROM vid.vid WHERE vid = %s', :'v2'),
    format('VALUES (%L, %L::timestamptz, now(), NULL::timestamptz)', 'ASSIGNED', :'exp2'),
    'allocated with an expiry: the expiry is stored exactly');
SELECT is(vid_status(:'v2'), 'ASSIGNED', 'allocated with a future expiry: vid_status is ASSIGNED');
UPDATE vid.vid SET expiry = now() - interval '1 second' WHERE vid = :'v2'::bigint;
SELECT is(vid_status(:'v2'), 'EXPIRED', 'expiry in the past: vid_status is EXPIRED');
SELECT is(vid_revoke(:'v2'), false, 'expiry in the past: vid_revoke returns false (already expired)');
SELECT results_eq(format('SELECT status::text, revoked_at FROM vid.vid WHERE vid = %s', :'v2'),
    $$VALUES ('ASSIGNED', NULL::timestamptz)$$,
    'expiry in the past: revoking does not touch the row (expired by time, not revoked)');
SELECT is(vid_status(:'v2'), 'EXPIRED', 'expiry in the past: vid_status stays EXPIRED');

-- The boundary: expired at the expiry instant, still valid one microsecond before it.
SELECT vid_allocate(now() + interval '1 hour') AS v3 \gset
UPDATE vid.vid SET expiry = now() WHERE vid = :'v3'::bigint;
SELECT is(vid_status(:'v3'), 'EXPIRED', 'expiry = now(): vid_status is EXPIRED');
UPDATE vid.vid SET expiry = now() + interval '1 microsecond' WHERE vid = :'v3'::bigint;
SELECT is(vid_status(:'v3'), 'ASSIGNED', 'expiry = now() + 1 microsecond: vid_status is ASSIGNED');
SELECT is(vid_revoke(:'v3'), true, 'a VID not yet past its expiry can be revoked');
SELECT results_eq(format('SELECT status::text, expiry, revoked_at FROM vid.vid WHERE vid = %s', :'v3'),
    $$VALUES ('EXPIRED', now() + interval '1 microsecond', now())$$,
    'revoking a VID with an expiry keeps the expiry and sets revoked_at');

-- Expiries that are refused hand nothing out.
SELECT throws_ok($$SELECT vid_allocate(now() - interval '1 hour')$$, '22023', 'expiry must be in the future',
    'an expiry in the past is refused');
SELECT throws_ok($$SELECT vid_allocate('infinity')$$, '22023', 'expiry must be a finite time',
    'an infinite expiry is refused');
SELECT set_eq('SELECT status::text, count(*) FROM vid.all_vids GROUP BY status',
    $$VALUES ('AVAILABLE', 17::bigint), ('ASSIGNED', 1::bigint), ('EXPIRED', 2::bigint)$$,
    'counts by status: 17 AVAILABLE, 1 ASSIGNED (expired by time), 2 EXPIRED (revoked)');

-- ---------------------------------------------------------------------------------------------
-- Unknown and pooled VIDs look the same: NULL status, the same VD001 error.
SELECT lpad(min(vid)::text, 16, '0') AS pooled FROM vid.pool \gset
SELECT is(vid_status(:'pooled'), NULL, 'vid_status of a pooled (AVAILABLE) VID is NULL');
SELECT is(vid_status('5371843613598206'), NULL, 'vid_status of an unknown valid VID is NULL');
SELECT is(vid_status('0000000000000000'), NULL, 'vid_status of an unknown well-formed invalid VID is NULL');
SELECT throws_ok(format('SELECT vid_revoke(%L)', :'pooled'), 'VD001', 'VID not found',
    'vid_revoke of a pooled VID raises VD001 VID not found');
SELECT throws_ok($$SELECT vid_revoke('5371843613598206')$$, 'VD001', 'VID not found',
    'vid_revoke of an unknown VID raises VD001 VID not found');
SELECT throws_ok($$SELECT vid_revoke('0000000000000000')$$, 'VD001', 'VID not found',
    'vid_revoke of an unknown well-formed invalid VID raises VD001 VID not found');
SELECT is(pg_temp.error_of(format('SELECT vid_revoke(%L)', :'pooled')),
          pg_temp.error_of($$SELECT vid_revoke('5371843613598206')$$),
    'pooled and unknown VIDs raise the identical error (SQLSTATE, message, detail)');
SELECT results_eq(format('SELECT status::text FROM vid.all_vids WHERE vid = %s', :'pooled'),
    $$VALUES ('AVAILABLE'::text)$$,
    'a failed revoke leaves the pooled VID AVAILABLE');

-- Malformed input: NULL status; vid_revoke refuses it.
SELECT is(vid_status('abc'), NULL, 'vid_status of a non-numeric string is NULL');
SELECT is(vid_status(''), NULL, 'vid_status of an empty string is NULL');
SELECT is(vid_status(left(:'v1', 15)), NULL, 'vid_status of 15 digits is NULL');
SELECT is(vid_status(:'v1' || '0'), NULL, 'vid_status of 17 digits is NULL');
SELECT is(vid_status(' ' || :'v1'), NULL, 'vid_status of a revoked VID with a leading space is NULL');
SELECT is(vid_status(NULL), NULL, 'vid_status(NULL) is NULL');
SELECT throws_ok($$SELECT vid_revoke('abc')$$, '22P02', 'invalid VID: a VID is exactly 16 ASCII digits',
    'vid_revoke of a malformed VID raises 22P02');
SELECT throws_ok(format('SELECT vid_revoke(%L)', :'v1' || ' '), '22P02', 'invalid VID: a VID is exactly 16 ASCII digits',
    'vid_revoke of a VID with a trailing space raises 22P02');
SELECT throws_ok('SELECT vid_revoke(NULL)', '22004', 'vid must not be NULL', 'vid_revoke(NULL) raises 22004');

-- ---------------------------------------------------------------------------------------------
-- Every handed-out VID: ASSIGNED or EXPIRED with assigned_at; EXPIRED by revoke has revoked_at.
SELECT vid_allocate() AS v4 \gset
SELECT is(vid_status(:'v4'), 'ASSIGNED', 'a second plain allocation is ASSIGNED');
SELECT isnt(:'v4'::text, :'v1'::text, 'allocations hand out different VIDs');
SELECT is_empty($$SELECT vid FROM vid.vid WHERE status <> 'AVAILABLE' AND assigned_at IS NULL$$,
    'every handed-out VID has assigned_at');
SELECT is_empty($$SELECT vid FROM vid.vid WHERE (status = 'EXPIRED') <> (revoked_at IS NOT NULL)$$,
    'revoked_at is set exactly on the revoked VIDs');

SELECT * FROM finish();
ROLLBACK;
