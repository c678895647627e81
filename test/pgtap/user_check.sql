-- vid_is_valid in the user's own CHECK constraints and DOMAINs, and what a new restricted number
-- does to them, to the pool and to VIDs already handed out.
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION vid;
SELECT plan(37);

CREATE DOMAIN vid_tap_vid AS text CHECK (vid_is_valid(VALUE));
CREATE TABLE vid_tap_person (
    id  integer PRIMARY KEY,
    vid text CONSTRAINT vid_tap_person_vid_valid CHECK (vid_is_valid(vid)),
    alt vid_tap_vid
);

-- ---------------------------------------------------------------------------------------------
-- Valid values in, invalid values out (23514), NULL allowed where the column is nullable.
SELECT lives_ok($$INSERT INTO vid_tap_person VALUES (1, '5371843613598206', '8507529170342368')$$,
    'valid VIDs pass the CHECK constraint and the domain');
SELECT throws_ok($$INSERT INTO vid_tap_person VALUES (2, '5371843613598205', NULL)$$, '23514',
    'new row for relation "vid_tap_person" violates check constraint "vid_tap_person_vid_valid"',
    'CHECK: a bad checksum is rejected with 23514');
SELECT throws_ok($$INSERT INTO vid_tap_person VALUES (2, '6846972178647501', NULL)$$, '23514', NULL,
    'CHECK: a restricted number (786) is rejected with 23514');
SELECT throws_ok($$INSERT INTO vid_tap_person VALUES (2, '1507529170342362', NULL)$$, '23514', NULL,
    'CHECK: a forbidden first digit is rejected with 23514');
SELECT throws_ok($$INSERT INTO vid_tap_person VALUES (2, '9508992154307342', NULL)$$, '23514', NULL,
    'CHECK: a sequence is rejected with 23514');
SELECT throws_ok($$INSERT INTO vid_tap_person VALUES (2, '537184361359820', NULL)$$, '23514', NULL,
    'CHECK: 15 digits are rejected with 23514');
SELECT throws_ok($$INSERT INTO vid_tap_person VALUES (2, '', NULL)$$, '23514', NULL,
    'CHECK: an empty string is rejected with 23514');
SELECT throws_ok($$INSERT INTO vid_tap_person VALUES (2, ' 5371843613598206', NULL)$$, '23514', NULL,
    'CHECK: a leading space is rejected with 23514');
SELECT throws_ok($$INSERT INTO vid_tap_person VALUES (3, NULL, '9508992154307342')$$, '23514',
    'value for domain vid_tap_vid violates check constraint "vid_tap_vid_check"',
    'DOMAIN: an invalid VID is rejected with 23514');
SELECT throws_ok($$SELECT '5371843613598205'::vid_tap_vid$$, '23514', NULL,
    'DOMAIN: a cast of an invalid VID is rejected with 23514');
SELECT lives_ok($$INSERT INTO vid_tap_person VALUES (4, NULL, NULL)$$,
    'NULL is accepted by the nullable CHECK column and the domain');
SELECT throws_ok($$UPDATE vid_tap_person SET vid = '5371843613598205' WHERE id = 1$$, '23514', NULL,
    'CHECK: an UPDATE to an invalid VID is rejected with 23514');
SELECT results_eq('SELECT id, vid, alt::text FROM vid_tap_person ORDER BY id',
    $$VALUES (1, '5371843613598206', '8507529170342368'), (4, NULL, NULL)$$,
    'only the valid rows and the NULL row were stored');

-- ---------------------------------------------------------------------------------------------
-- Whatever vid_allocate() returns fits such a table (here with an empty pool first, so the VIDs
-- come from inline generation, then from a generated pool).
SELECT lives_ok($$INSERT INTO vid_tap_person SELECT 100 + g, vid_allocate(), vid_allocate() FROM generate_series(1, 50) g$$,
    'VIDs from vid_allocate() (empty pool: inline generation) insert into the CHECK column and the domain');
SELECT is(vid_generate_pool(500), 500::bigint, 'a pool of 500 more');
SELECT lives_ok($$INSERT INTO vid_tap_person
                  SELECT 200 + g, vid_allocate(), vid_allocate(now() + interval '1 day') FROM generate_series(1, 50) g$$,
    'VIDs from vid_allocate() and vid_allocate(expiry) (from the pool) insert as well');
SELECT is((SELECT count(DISTINCT v) FROM vid_tap_person, LATERAL (VALUES (vid), (alt::text)) x(v) WHERE id > 100),
    200::bigint, 'the 200 allocated VIDs are distinct');

-- ---------------------------------------------------------------------------------------------
-- A new restricted number, taken from a VID that is ASSIGNED (and stored in the user's table).
SELECT vid AS held FROM vid_tap_person WHERE id = 101 \gset
SELECT sub AS new_restricted
FROM (SELECT substr(:'held', i, 4) AS sub, i FROM generate_series(1, 13) i) s
WHERE sub NOT IN (SELECT number FROM vid.restricted_number) AND sub NOT LIKE '%786%' AND sub NOT LIKE '%666%'
ORDER BY i LIMIT 1 \gset
SELECT is(vid_status(:'held'), 'ASSIGNED', 'the held VID is ASSIGNED');
SELECT is(vid_is_valid(:'held'), true, 'the held VID is valid before the new restricted number');
INSERT INTO vid.restricted_number VALUES (:'new_restricted');
SELECT is(vid_is_valid(:'held'), false, 'in the same transaction, the held VID is no longer valid');
SELECT is(vid_check(:'held'), 'restricted', 'vid_check names the rule: restricted');
SELECT throws_ok(format('INSERT INTO vid_tap_person VALUES (9, %L, NULL)', :'held'), '23514', NULL,
    'the held VID can no longer be inserted into the CHECK column');
SELECT throws_ok(format('SELECT %L::vid_tap_vid', :'held'), '23514', NULL,
    'the held VID no longer passes the domain');
SELECT is((SELECT count(*) FROM vid_tap_person WHERE vid = :'held'), 1::bigint,
    'the existing row holding it is kept (CHECK constraints are not re-validated)');
-- Revoking the handed-out VID that now contains a restricted number still works.
SELECT is(vid_revoke(:'held'), true, 'vid_revoke of the ASSIGNED VID containing the new restricted number returns true');
SELECT is(vid_status(:'held'), 'EXPIRED', 'and its status is EXPIRED');
SELECT is(vid_revoke(:'held'), false, 'and revoking it again returns false');
-- Newly generated VIDs obey the new rule.
CREATE TEMP TABLE vid_tap_before AS SELECT vid FROM vid.all_vids;
SELECT is(vid_generate_pool(300), 300::bigint, 'a pool of 300 generated under the new rule');
SELECT is_empty(format($$SELECT vid FROM vid.all_vids WHERE vid NOT IN (SELECT vid FROM vid_tap_before)
                         AND (lpad(vid::text, 16, '0') LIKE '%%' || %L || '%%' OR NOT vid_is_valid(lpad(vid::text, 16, '0')))$$,
                       :'new_restricted'),
    'no newly generated VID contains the new restricted number, all are valid');
-- Removing it makes the VID valid again, in the same transaction.
DELETE FROM vid.restricted_number WHERE number = :'new_restricted';
SELECT is(vid_is_valid(:'held'), true, 'after deleting the restricted number the VID is valid again');
-- A restricted number added in a subtransaction that rolls back is gone again.
SAVEPOINT vid_tap_sp;
INSERT INTO vid.restricted_number VALUES (:'new_restricted');
SELECT is(vid_is_valid(:'held'), false, 'restricted again inside a savepoint');
ROLLBACK TO SAVEPOINT vid_tap_sp;
SELECT is(vid_is_valid(:'held'), true, 'after ROLLBACK TO SAVEPOINT the VID is valid again');

-- ---------------------------------------------------------------------------------------------
-- A new restricted number taken from a VID still in the pool: vid_allocate must not hand out a
-- VID that vid_is_valid rejects (it would then fail the user's CHECK constraint).
SELECT lpad(vid::text, 16, '0') AS pooled FROM vid.pool ORDER BY vid LIMIT 1 \gset
SELECT sub AS pool_restricted
FROM (SELECT substr(:'pooled', i, 4) AS sub, i FROM generate_series(1, 13) i) s
WHERE sub NOT IN (SELECT number FROM vid.restricted_number) AND sub NOT LIKE '%786%' AND sub NOT LIKE '%666%'
ORDER BY i LIMIT 1 \gset
INSERT INTO vid.restricted_number VALUES (:'pool_restricted');
SELECT is(vid_is_valid(:'pooled'), false, 'a pooled VID containing the new restricted number is no longer valid');
SELECT count(*) AS available FROM vid.pool \gset
CREATE TEMP TABLE vid_tap_drained AS SELECT vid_allocate() AS v FROM generate_series(1, :available);
SELECT is((SELECT count(DISTINCT v) FROM vid_tap_drained), :available::bigint,
    'draining the pool hands out distinct VIDs');
SELECT is((SELECT status::text FROM vid.vid WHERE vid = :'pooled'::bigint), 'WITHDRAWN',
    'the pooled VID containing the new restricted number was withdrawn from the pool');
SELECT is_empty('SELECT v FROM vid_tap_drained WHERE NOT vid_is_valid(v)',
    'every VID handed out after the new restricted number is valid');
SELECT lives_ok('INSERT INTO vid_tap_person SELECT 1000 + row_number() OVER (), v, NULL FROM vid_tap_drained',
    'every VID handed out after the new restricted number fits the CHECK column');

SELECT * FROM finish();
ROLLBACK;
