-- Every error of the API, with its SQLSTATE; an error changes nothing.
CREATE EXTENSION vid;
CREATE FUNCTION pg_temp.try(q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE q;
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END $$;

SELECT vid_generate_pool(10);
SELECT vid_allocate() IS NOT NULL AS allocated;
CREATE TEMP TABLE before AS SELECT * FROM vid.vid;
CREATE TEMP TABLE before_pool AS SELECT * FROM vid.pool;

SELECT q, pg_temp.try(q) AS error FROM (VALUES
    ('SELECT vid_generate_pool(0)'),
    ('SELECT vid_generate_pool(-5)'),
    ('SELECT vid_generate_pool(NULL)'),
    ('SELECT vid_generate_pool(100000001)'),
    ($$SELECT vid_allocate(now() - interval '1 hour')$$),
    ($$SELECT vid_allocate(now())$$),
    ($$SELECT vid_allocate('infinity')$$),
    ($$SELECT vid_allocate('-infinity')$$),
    ('SELECT vid_revoke(NULL)'),
    ($$SELECT vid_revoke('')$$),
    ($$SELECT vid_revoke('53718436135982O6')$$),
    ($$SELECT vid_revoke(' 5371843613598206')$$),
    ($$SELECT vid_revoke(repeat('5', 1048576))$$),
    ($$SELECT vid_revoke('5371843613598206')$$),
    ($$SELECT vid_revoke(lpad((SELECT min(vid) FROM vid.pool)::text, 16, '0'))$$),
    ('SELECT vid_configure(length => 3)'),
    ('SELECT vid_configure(length => 19)'),
    ('SELECT vid_configure(sequence_limit => -1)'),
    ('SELECT vid_configure(length => 12)'),
    ($$INSERT INTO vid.restricted_number VALUES ('')$$),
    ($$INSERT INTO vid.restricted_number VALUES ('12a')$$),
    ($$INSERT INTO vid.restricted_number VALUES ('1234567890123456789')$$)
) AS t(q);

-- Nothing changed.
SELECT (SELECT count(*) FROM (
    (SELECT * FROM vid.vid EXCEPT SELECT * FROM before) UNION ALL (SELECT * FROM before EXCEPT SELECT * FROM vid.vid)) d)
  + (SELECT count(*) FROM (
    (SELECT vid FROM vid.pool EXCEPT SELECT vid FROM before_pool) UNION ALL (SELECT vid FROM before_pool EXCEPT SELECT vid FROM vid.pool)) p)
  AS changed;
DROP TABLE before, before_pool;
DROP EXTENSION vid;
