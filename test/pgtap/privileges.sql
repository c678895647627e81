-- Privileges: PUBLIC may only check validity; the documented application grant is enough to
-- allocate, check and revoke; the SECURITY DEFINER functions and the rules cache cannot be
-- hijacked through the caller's search_path.
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION vid;
SELECT plan(82);

-- A role with no grants at all, a role with USAGE on schema vid only (so table privileges are
-- tested, not just the schema's), and an application role with the documented grant.
CREATE ROLE vid_tap_nobody;
CREATE ROLE vid_tap_usage;
GRANT USAGE ON SCHEMA vid TO vid_tap_usage;
CREATE ROLE vid_tap_app;
GRANT EXECUTE ON FUNCTION vid_allocate(timestamptz), vid_revoke(text), vid_status(text) TO vid_tap_app;

-- ---------------------------------------------------------------------------------------------
-- The catalog: what PUBLIC (seen through a fresh role) may do.
SELECT function_privs_are('public', 'vid_is_valid', ARRAY['text'], 'vid_tap_nobody', ARRAY['EXECUTE'],
    'PUBLIC can execute vid_is_valid(text)');
SELECT function_privs_are('public', 'vid_check', ARRAY['text'], 'vid_tap_nobody', ARRAY['EXECUTE'],
    'PUBLIC can execute vid_check(text)');
SELECT function_privs_are('public', 'vid_generate_pool', ARRAY['integer'], 'vid_tap_nobody', ARRAY[]::name[],
    'PUBLIC cannot execute vid_generate_pool(integer)');
SELECT function_privs_are('public', 'vid_allocate', ARRAY['timestamptz'], 'vid_tap_nobody', ARRAY[]::name[],
    'PUBLIC cannot execute vid_allocate(timestamptz)');
SELECT function_privs_are('public', 'vid_revoke', ARRAY['text'], 'vid_tap_nobody', ARRAY[]::name[],
    'PUBLIC cannot execute vid_revoke(text)');
SELECT function_privs_are('public', 'vid_status', ARRAY['text'], 'vid_tap_nobody', ARRAY[]::name[],
    'PUBLIC cannot execute vid_status(text)');
SELECT function_privs_are('public', 'vid_configure', ARRAY['integer', 'integer', 'integer', 'integer', 'text[]'],
    'vid_tap_nobody', ARRAY[]::name[], 'PUBLIC cannot execute vid_configure(...)');
SELECT ok(NOT has_function_privilege('vid_tap_nobody', 'vid.key_is_valid(bigint)', 'EXECUTE')
          AND NOT has_function_privilege('vid_tap_nobody', 'vid.pattern_error(text)', 'EXECUTE')
          AND NOT has_function_privilege('vid_tap_nobody', 'vid.rules_changed()', 'EXECUTE'),
    'PUBLIC cannot execute the internal helpers vid.key_is_valid, vid.pattern_error, vid.rules_changed');
SELECT schema_privs_are('vid', 'vid_tap_nobody', ARRAY[]::name[], 'PUBLIC has no privilege on schema vid');
SELECT table_privs_are('vid', 'vid', 'vid_tap_nobody', ARRAY[]::name[], 'PUBLIC has no privilege on vid.vid');
SELECT table_privs_are('vid', 'pool', 'vid_tap_nobody', ARRAY[]::name[], 'PUBLIC has no privilege on vid.pool');
SELECT is(has_table_privilege('vid_tap_nobody', 'vid.all_vids', 'SELECT'), false, 'PUBLIC cannot read vid.all_vids');
SELECT table_privs_are('vid', 'rule_set', 'vid_tap_nobody', ARRAY[]::name[], 'PUBLIC has no privilege on vid.rule_set');
SELECT table_privs_are('vid', 'restricted_number', 'vid_tap_nobody', ARRAY[]::name[],
    'PUBLIC has no privilege on vid.restricted_number');
-- The application grant adds exactly EXECUTE on the three functions.
SELECT function_privs_are('public', 'vid_allocate', ARRAY['timestamptz'], 'vid_tap_app', ARRAY['EXECUTE'],
    'the app grant gives EXECUTE on vid_allocate');
SELECT function_privs_are('public', 'vid_generate_pool', ARRAY['integer'], 'vid_tap_app', ARRAY[]::name[],
    'the app grant does not give vid_generate_pool');
SELECT function_privs_are('public', 'vid_configure', ARRAY['integer', 'integer', 'integer', 'integer', 'text[]'],
    'vid_tap_app', ARRAY[]::name[], 'the app grant does not give vid_configure');
SELECT table_privs_are('vid', 'vid', 'vid_tap_app', ARRAY[]::name[], 'the app grant gives no privilege on vid.vid');
SELECT schema_privs_are('vid', 'vid_tap_app', ARRAY[]::name[], 'the app grant gives no USAGE on schema vid');

-- ---------------------------------------------------------------------------------------------
-- A role with no grants: what it actually gets when it tries.
SET ROLE vid_tap_nobody;
SELECT throws_ok('SELECT vid_generate_pool(10)', '42501', 'permission denied for function vid_generate_pool',
    'PUBLIC: vid_generate_pool is denied');
SELECT throws_ok('SELECT vid_allocate()', '42501', 'permission denied for function vid_allocate',
    'PUBLIC: vid_allocate() is denied');
SELECT throws_ok($$SELECT vid_allocate(now() + interval '1 day')$$, '42501',
    'permission denied for function vid_allocate', 'PUBLIC: vid_allocate(expiry) is denied');
SELECT throws_ok($$SELECT vid_revoke('5371843613598206')$$, '42501', 'permission denied for function vid_revoke',
    'PUBLIC: vid_revoke is denied');
SELECT throws_ok($$SELECT vid_status('5371843613598206')$$, '42501', 'permission denied for function vid_status',
    'PUBLIC: vid_status is denied');
SELECT throws_ok('SELECT vid_configure(length => 10)', '42501', 'permission denied for function vid_configure',
    'PUBLIC: vid_configure is denied');
SELECT throws_ok('SELECT * FROM vid.vid', '42501', 'permission denied for schema vid',
    'PUBLIC: SELECT on vid.vid is denied (no USAGE on schema vid)');
SELECT throws_ok('SELECT count(*) FROM vid.vid', '42501', 'permission denied for schema vid',
    'PUBLIC: counting vid.vid is denied');
SELECT throws_ok('INSERT INTO vid.vid (vid) VALUES (5371843613598206)', '42501', 'permission denied for schema vid',
    'PUBLIC: INSERT into vid.vid is denied');
SELECT throws_ok($$UPDATE vid.vid SET status = 'EXPIRED'$$, '42501', 'permission denied for schema vid',
    'PUBLIC: UPDATE of vid.vid is denied');
SELECT throws_ok('DELETE FROM vid.vid', '42501', 'permission denied for schema vid',
    'PUBLIC: DELETE from vid.vid is denied');
SELECT throws_ok('SELECT * FROM vid.rule_set', '42501', 'permission denied for schema vid',
    'PUBLIC: SELECT on vid.rule_set is denied');
SELECT throws_ok('SELECT * FROM vid.restricted_number', '42501', 'permission denied for schema vid',
    'PUBLIC: SELECT on vid.restricted_number is denied');
SELECT throws_ok($$INSERT INTO vid.restricted_number VALUES ('4750')$$, '42501', 'permission denied for schema vid',
    'PUBLIC: INSERT into vid.restricted_number is denied');
SELECT throws_ok('SELECT vid.key_is_valid(5371843613598206)', '42501', 'permission denied for schema vid',
    'PUBLIC: the internal vid.key_is_valid is denied');
RESET ROLE;

-- USAGE on the schema alone still gives nothing on the tables.
SET ROLE vid_tap_usage;
SELECT throws_ok('SELECT * FROM vid.vid', '42501', 'permission denied for table vid',
    'USAGE only: SELECT on vid.vid is denied');
SELECT throws_ok('SELECT count(*) FROM vid.vid', '42501', 'permission denied for table vid',
    'USAGE only: counting vid.vid is denied');
SELECT throws_ok('INSERT INTO vid.vid (vid) VALUES (5371843613598206)', '42501', 'permission denied for table vid',
    'USAGE only: INSERT into vid.vid is denied');
SELECT throws_ok($$UPDATE vid.vid SET status = 'EXPIRED'$$, '42501', 'permission denied for table vid',
    'USAGE only: UPDATE of vid.vid is denied');
SELECT throws_ok('DELETE FROM vid.vid', '42501', 'permission denied for table vid',
    'USAGE only: DELETE from vid.vid is denied');
SELECT throws_ok('TRUNCATE vid.vid', '42501', 'permission denied for table vid',
    'USAGE only: TRUNCATE of vid.vid is denied');
SELECT throws_ok('SELECT * FROM vid.rule_set', '42501', 'permission denied for table rule_set',
    'USAGE only: SELECT on vid.rule_set is denied');
SELECT throws_ok('INSERT INTO vid.rule_set SELECT 2, 10, 3, 2, 2, ARRAY[''0'']', '42501',
    'permission denied for table rule_set', 'USAGE only: INSERT into vid.rule_set is denied');
SELECT throws_ok('UPDATE vid.rule_set SET length = 10', '42501', 'permission denied for table rule_set',
    'USAGE only: UPDATE of vid.rule_set is denied');
SELECT throws_ok('DELETE FROM vid.rule_set', '42501', 'permission denied for table rule_set',
    'USAGE only: DELETE from vid.rule_set is denied');
SELECT throws_ok('SELECT count(*) FROM vid.restricted_number', '42501', 'permission denied for table restricted_number',
    'USAGE only: counting vid.restricted_number is denied');
SELECT throws_ok($$INSERT INTO vid.restricted_number VALUES ('4750')$$, '42501',
    'permission denied for table restricted_number', 'USAGE only: INSERT into vid.restricted_number is denied');
SELECT throws_ok($$UPDATE vid.restricted_number SET number = '4750'$$, '42501',
    'permission denied for table restricted_number', 'USAGE only: UPDATE of vid.restricted_number is denied');
SELECT throws_ok('DELETE FROM vid.restricted_number', '42501', 'permission denied for table restricted_number',
    'USAGE only: DELETE from vid.restricted_number is denied');
RESET ROLE;

-- ---------------------------------------------------------------------------------------------
-- vid_is_valid / vid_check for a role without any privilege read the rules correctly. Each rule
-- change below invalidates the session's cached rules, so the next call re-reads them as that role.
SET ROLE vid_tap_nobody;
SELECT is(vid_is_valid('5371843613598206'), true, 'unprivileged: a valid VID is valid');
SELECT is(vid_check('5371843613598205'), 'checksum', 'unprivileged: a bad checksum is reported');
SELECT is(vid_check('6846972178647501'), 'restricted', 'unprivileged: the default restricted number 786 is read');
SELECT is(vid_check('1507529170342362'), 'not-start-with', 'unprivileged: the default not_start_with is read');
RESET ROLE;
INSERT INTO vid.restricted_number VALUES ('8436');
SET ROLE vid_tap_nobody;
SELECT is(vid_check('5371843613598206'), 'restricted', 'unprivileged: a new restricted number is read at once');
RESET ROLE;
DELETE FROM vid.restricted_number WHERE number = '8436';
SELECT vid_configure(not_start_with => '{0,1,5}') IS NULL AS configured \gset
SET ROLE vid_tap_nobody;
SELECT is(vid_check('5371843613598206'), 'not-start-with', 'unprivileged: a new not_start_with is read at once');
RESET ROLE;
SELECT vid_configure(not_start_with => '{0,1}') IS NULL AS configured \gset
SET ROLE vid_tap_nobody;
SELECT is(vid_is_valid('5371843613598206'), true, 'unprivileged: the restored rules are read');
RESET ROLE;

-- ---------------------------------------------------------------------------------------------
-- search_path hijack. An application role owns a schema of look-alikes of everything the
-- extension's SQL could resolve through search_path: now(), unnest(), the bigint and timestamptz
-- comparison operators, and tables named vid, rule_set, restricted_number with misleading
-- contents. Each look-alike records that it ran in a log table (and otherwise behaves correctly).
CREATE ROLE vid_tap_evil;
GRANT EXECUTE ON FUNCTION vid_allocate(timestamptz), vid_revoke(text), vid_status(text) TO vid_tap_evil;
CREATE SCHEMA vid_tap_evil AUTHORIZATION vid_tap_evil;
SET ROLE vid_tap_evil;
CREATE TABLE vid_tap_evil.hits (what text);
GRANT INSERT ON vid_tap_evil.hits TO PUBLIC;
CREATE FUNCTION vid_tap_evil.now() RETURNS timestamptz LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    INSERT INTO vid_tap_evil.hits VALUES ('now()');
    RETURN pg_catalog.now();
END $$;
CREATE FUNCTION vid_tap_evil.unnest(bigint[]) RETURNS SETOF bigint LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    INSERT INTO vid_tap_evil.hits VALUES ('unnest()');
    RETURN QUERY SELECT pg_catalog.unnest($1);
END $$;
CREATE FUNCTION vid_tap_evil.spy(a bigint, b bigint, op text) RETURNS boolean LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    INSERT INTO vid_tap_evil.hits VALUES (op || ' bigint');
    RETURN CASE op WHEN '=' THEN a OPERATOR(pg_catalog.=) b WHEN '>=' THEN a OPERATOR(pg_catalog.>=) b END;
END $$;
CREATE FUNCTION vid_tap_evil.eq8(bigint, bigint) RETURNS boolean LANGUAGE sql VOLATILE
    AS $$ SELECT vid_tap_evil.spy($1, $2, '=') $$;
CREATE FUNCTION vid_tap_evil.ge8(bigint, bigint) RETURNS boolean LANGUAGE sql VOLATILE
    AS $$ SELECT vid_tap_evil.spy($1, $2, '>=') $$;
CREATE OPERATOR vid_tap_evil.= (LEFTARG = bigint, RIGHTARG = bigint, FUNCTION = vid_tap_evil.eq8);
CREATE OPERATOR vid_tap_evil.>= (LEFTARG = bigint, RIGHTARG = bigint, FUNCTION = vid_tap_evil.ge8);
CREATE FUNCTION vid_tap_evil.spy_ts(a timestamptz, b timestamptz, op text) RETURNS boolean LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    INSERT INTO vid_tap_evil.hits VALUES (op || ' timestamptz');
    RETURN CASE op WHEN '<=' THEN a OPERATOR(pg_catalog.<=) b WHEN '>' THEN a OPERATOR(pg_catalog.>) b END;
END $$;
CREATE FUNCTION vid_tap_evil.le_ts(timestamptz, timestamptz) RETURNS boolean LANGUAGE sql VOLATILE
    AS $$ SELECT vid_tap_evil.spy_ts($1, $2, '<=') $$;
CREATE FUNCTION vid_tap_evil.gt_ts(timestamptz, timestamptz) RETURNS boolean LANGUAGE sql VOLATILE
    AS $$ SELECT vid_tap_evil.spy_ts($1, $2, '>') $$;
CREATE OPERATOR vid_tap_evil.<= (LEFTARG = timestamptz, RIGHTARG = timestamptz, FUNCTION = vid_tap_evil.le_ts);
CREATE OPERATOR vid_tap_evil.> (LEFTARG = timestamptz, RIGHTARG = timestamptz, FUNCTION = vid_tap_evil.gt_ts);
-- Look-alike tables: if the extension read these, validity and statuses would come out wrong.
CREATE TABLE vid_tap_evil.vid (vid bigint, status text, expiry timestamptz, created_at timestamptz,
                               assigned_at timestamptz, revoked_at timestamptz);
CREATE TABLE vid_tap_evil.rule_set (version integer, length integer, sequence_limit integer, repeating_limit integer,
                                    repeated_block_limit integer, not_start_with text[]);
INSERT INTO vid_tap_evil.rule_set VALUES (99, 10, 0, 0, 0, '{9}');
CREATE TABLE vid_tap_evil.restricted_number (number text);
INSERT INTO vid_tap_evil.restricted_number VALUES ('0752');  -- in 8507529170342368
-- The trap is armed: the role's own SQL does hit the look-alikes under this search_path.
SET search_path = vid_tap_evil, pg_catalog, public;
SELECT 1::bigint = 1::bigint AS armed_eq, now() IS NOT NULL AS armed_now \gset
RESET search_path;
RESET ROLE;
SELECT set_eq('SELECT what FROM vid_tap_evil.hits', ARRAY['= bigint', 'now()'],
    'the look-alikes are armed: unqualified SQL under the hijacked search_path runs them');
DELETE FROM vid_tap_evil.hits;

-- The superuser with the hijacked search_path: configure (while no VID exists) and generate.
-- A rule change makes every later call re-read the rules under that search_path.
INSERT INTO vid.restricted_number VALUES ('5982');  -- in 5371843613598206
SELECT max(version) AS version_before FROM vid.rule_set \gset
SET search_path = vid_tap_evil, pg_catalog, public;
SELECT vid_configure(repeating_limit => 2) IS NULL AS hijack_configured \gset
SELECT vid_generate_pool(300) AS hijack_generated \gset
SELECT vid_check('5371843613598206') AS hijack_check, vid_is_valid('8507529170342368') AS hijack_valid \gset
RESET search_path;
SELECT is(:hijack_generated::bigint, 300::bigint, 'hijacked search_path: vid_generate_pool(300) added 300');
SELECT is((SELECT count(*) FROM vid.pool), 300::bigint,
    'hijacked search_path: the 300 are in vid.pool, not in a look-alike table');
SELECT is(:'hijack_check'::text, 'restricted', 'hijacked search_path: vid_check reads vid.restricted_number');
SELECT is(:'hijack_valid'::boolean, true, 'hijacked search_path: vid_is_valid reads vid.rule_set (length 16)');
SELECT is((SELECT max(version) FROM vid.rule_set), :version_before + 1, 'hijacked search_path: vid_configure wrote vid.rule_set');

-- The application role with the hijacked search_path: allocate, status, revoke, validity.
SELECT (now() + interval '1 day')::text AS hijack_expiry \gset
DELETE FROM vid.restricted_number WHERE number = '5982';
SET ROLE vid_tap_evil;
SET search_path = vid_tap_evil, pg_catalog, public;
SELECT vid_allocate() AS h1 \gset
SELECT vid_allocate(:'hijack_expiry') AS h2 \gset
SELECT vid_status(:'h1') AS h1_before \gset
SELECT vid_revoke(:'h1') AS h1_revoked \gset
SELECT vid_status(:'h1') AS h1_after \gset
SELECT vid_revoke(:'h1') AS h1_revoked_again \gset
SELECT vid_status(:'h2') AS h2_status \gset
SELECT vid_is_valid(:'h1') AS h1_valid, vid_check('5371843613598206') IS NULL AS known_valid \gset
RESET search_path;
RESET ROLE;
SELECT is(:'h1_before'::text, 'ASSIGNED', 'hijacked search_path: vid_status of an allocated VID is ASSIGNED');
SELECT is(:'h1_revoked'::boolean, true, 'hijacked search_path: vid_revoke returns true');
SELECT is(:'h1_after'::text, 'EXPIRED', 'hijacked search_path: vid_status after revoking is EXPIRED');
SELECT is(:'h1_revoked_again'::boolean, false, 'hijacked search_path: revoking again returns false');
SELECT is(:'h2_status'::text, 'ASSIGNED', 'hijacked search_path: a VID with an expiry is ASSIGNED');
SELECT ok(:'h1_valid'::boolean AND :'known_valid'::boolean,
    'hijacked search_path: vid_is_valid and vid_check give the right answers (rules re-read)');
SELECT results_eq(
    format($$SELECT status::text, expiry = %L::timestamptz, revoked_at IS NOT NULL FROM vid.vid WHERE vid = %s$$,
           :'hijack_expiry', :'h2'),
    $$VALUES ('ASSIGNED', true, false)$$,
    'hijacked search_path: vid.vid holds the allocation with its expiry');
SELECT is((SELECT count(*) FROM vid_tap_evil.vid), 0::bigint, 'the look-alike table vid was never written');
SELECT is_empty('SELECT DISTINCT what FROM vid_tap_evil.hits', 'no look-alike function or operator ever ran');

-- ---------------------------------------------------------------------------------------------
-- The application role with the documented grant.
SET ROLE vid_tap_app;
SELECT vid_allocate() AS app_vid \gset
SELECT ok(vid_is_valid(:'app_vid'), 'app: vid_allocate() returns a valid VID');
SELECT is(vid_status(:'app_vid'), 'ASSIGNED', 'app: vid_status reads ASSIGNED');
SELECT is(vid_revoke(:'app_vid'), true, 'app: vid_revoke returns true');
SELECT is(vid_status(:'app_vid'), 'EXPIRED', 'app: vid_status reads EXPIRED after revoking');
SELECT is(vid_revoke(:'app_vid'), false, 'app: revoking again returns false');
SELECT ok(vid_is_valid(vid_allocate(now() + interval '1 hour')), 'app: vid_allocate(expiry) returns a valid VID');
SELECT throws_ok($$SELECT vid_revoke('5371843613598206')$$, 'VD001', 'VID not found',
    'app: revoking an unknown VID raises VD001');
SELECT throws_ok('SELECT * FROM vid.vid', '42501', 'permission denied for schema vid', 'app: cannot read vid.vid');
SELECT throws_ok('SELECT count(*) FROM vid.vid', '42501', 'permission denied for schema vid', 'app: cannot count vid.vid');
SELECT throws_ok('SELECT vid_generate_pool(10)', '42501', 'permission denied for function vid_generate_pool',
    'app: cannot call vid_generate_pool');
SELECT throws_ok('SELECT vid_configure(length => 10)', '42501', 'permission denied for function vid_configure',
    'app: cannot call vid_configure');
RESET ROLE;
SELECT results_eq(
    format('SELECT status::text, assigned_at IS NOT NULL, revoked_at IS NOT NULL FROM vid.vid WHERE vid = %s', :'app_vid'),
    $$VALUES ('EXPIRED', true, true)$$,
    'app: the VID the app revoked is EXPIRED in vid.vid');

SELECT * FROM finish();
ROLLBACK;
