-- The end of the number space: a tiny space runs out with a clear error, never loops forever,
-- and the counts stay consistent.
CREATE EXTENSION vid;
CREATE FUNCTION pg_temp.try(q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE q;
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || regexp_replace(SQLERRM, '[0-9]+', 'N', 'g');
END $$;

-- 5-digit VIDs: the whole space is small enough to count exactly.
SELECT vid_configure(length => 5);
SELECT valid_vids, exact, generated, available, used_share FROM vid_space();
SELECT valid_vids AS space FROM vid_space() \gset

-- Asking for more than exists fails at once and adds nothing.
SELECT pg_temp.try(format('SELECT vid_generate_pool(%s)', :space + 1)) AS more_than_the_space;
SELECT count(*) AS rows_after_failure FROM vid.all_vids;

-- The whole space can be generated, exactly once.
SELECT vid_generate_pool(:space) = :space AS whole_space_generated;
SELECT count(*) = :space AS rows, count(DISTINCT vid) = :space AS distinct_rows,
       bool_and(vid_is_valid(lpad(vid::text, 5, '0'))) AS all_valid FROM vid.all_vids;
SELECT exact, generated = :space AS all_generated, used_share FROM vid_space();

-- Then one more is refused; allocation still drains the pool, and then fails clearly.
SELECT pg_temp.try('SELECT vid_generate_pool(1)') AS one_more;
CREATE TEMP TABLE drained AS SELECT vid_allocate() AS v FROM generate_series(1, :space);
SELECT count(DISTINCT v) = :space AS drained_distinct FROM drained;
SELECT pg_temp.try('SELECT vid_allocate()') AS allocate_from_exhausted_space;
SELECT status, count(*) = :space AS all_of_them FROM vid.all_vids GROUP BY status;

-- vid_refill() logs a warning instead of failing, and keeps what it could add.
SET client_min_messages = warning;
SELECT vid_refill() AS refilled;
RESET client_min_messages;
DROP TABLE drained;
DROP EXTENSION vid;

-- Small batches into a half-full space: the plain INSERT meets existing numbers, falls back to
-- ON CONFLICT, and still adds exactly what was asked, never a number twice.
CREATE EXTENSION vid;
SELECT vid_configure(length => 7);
SELECT valid_vids AS space7 FROM vid_space() \gset
SELECT vid_generate_pool((:space7 / 2)::int) = (:space7 / 2)::int AS half_full;
SELECT sum(vid_generate_pool(10)) AS added_in_small_batches FROM generate_series(1, 30);
SELECT count(*) = (:space7 / 2)::int + 300 AS exact_total, count(*) = count(DISTINCT vid) AS all_distinct FROM vid.all_vids;
DROP EXTENSION vid;
