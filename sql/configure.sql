-- vid_configure: the rule parameters, only while no VID exists.
CREATE EXTENSION vid;
CREATE FUNCTION pg_temp.try(q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE q;
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END $$;

SELECT length, sequence_limit, repeating_limit, repeated_block_limit, not_start_with
FROM vid.rule_set ORDER BY version DESC LIMIT 1;

-- Refused values change nothing.
SELECT q, pg_temp.try(q) AS error FROM (VALUES
    ('SELECT vid_configure(length => 3)'),
    ('SELECT vid_configure(length => 19)'),
    ('SELECT vid_configure(repeating_limit => -1)'),
    ('SELECT vid_configure(repeated_block_limit => 101)'),
    ($$SELECT vid_configure(not_start_with => '{1a}')$$),
    ($$SELECT vid_configure(not_start_with => '{""}')$$),
    ($$SELECT vid_configure(not_start_with => '{NULL}')$$),
    ($$SELECT vid_configure(not_start_with => '{{1},{2}}')$$),
    ($$SELECT vid_configure(length => 4, not_start_with => '{0,1,2,3,4,5,6,7,8,9}')$$)
) AS t(q);
SELECT count(*) AS versions FROM vid.rule_set;

-- A 10-digit VID, no sequence rule, not starting with 9.
SELECT vid_configure(length => 10, sequence_limit => 0, not_start_with => '{9}');
SELECT length, sequence_limit, repeating_limit, repeated_block_limit, not_start_with
FROM vid.rule_set ORDER BY version DESC LIMIT 1;
SELECT vid_is_valid('5371843613598206') AS old_16_digits_valid, vid_check('5371843613598206');
SELECT vid_generate_pool(500) AS added;
SELECT count(*) AS pooled, bool_and(vid_is_valid(lpad(vid::text, 10, '0'))) AS all_valid,
       bool_and(left(lpad(vid::text, 10, '0'), 1) <> '9') AS none_start_with_9,
       count(*) FILTER (WHERE lpad(vid::text, 10, '0') LIKE '0%') > 0 AS some_start_with_0
FROM vid.pool;
SELECT length(vid_allocate()) AS allocated_length;

-- Once VIDs exist the rules are fixed.
SELECT pg_temp.try('SELECT vid_configure(length => 12)') AS error;

-- A new restricted number is in force at once for the validity check, in every session.
SELECT vid_check('2847501204') AS before;
SET client_min_messages = warning;  -- the NOTICE counts withdrawn VIDs, which are random
INSERT INTO vid.restricted_number VALUES ('4750');
RESET client_min_messages;
SELECT vid_check('2847501204') AS after;
-- Pooled VIDs that contain it were withdrawn; none is left in the pool.
SELECT count(*) AS available_with_4750 FROM vid.pool
WHERE lpad(vid::text, 10, '0') LIKE '%4750%';
SELECT count(*) FILTER (WHERE status = 'WITHDRAWN') = count(*) FILTER (WHERE lpad(vid::text, 10, '0') LIKE '%4750%' AND status <> 'ASSIGNED')
    AS withdrawn_are_those FROM vid.all_vids;
DELETE FROM vid.restricted_number WHERE number = '4750';
SELECT vid_check('2847501204') AS removed;
DROP EXTENSION vid;
