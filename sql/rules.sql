-- vid_is_valid and vid_check: the rules of vid-rules.md under the default parameters.
CREATE EXTENSION vid;
SELECT v, vid_is_valid(v) AS valid, vid_check(v) AS first_failing_rule
FROM (VALUES ('5371843613598206'), ('5371843613598205'), ('8507529170342368'), ('9508992154307342'),
             ('7218813661106559'), ('4614301301342360'), ('6846972178647501'), ('1507529170342362'),
             ('850752917034236X')) AS examples(v);

-- NULL in, NULL out for the check; vid_check reports NULL as MOSIP does ("empty or null").
SELECT vid_is_valid(NULL) IS NULL AS null_is_null, vid_check(NULL) AS null_check, vid_check('') AS empty_check;

-- Length is counted as MOSIP (Java) counts it: a space, a sign, unicode digits.
SELECT label, vid_is_valid(v) AS valid, vid_check(v) AS first_failing_rule
FROM (VALUES ('leading space', ' 5371843613598206'), ('trailing space', '5371843613598206 '),
             ('plus sign', '+371843613598206'), ('minus sign', '-371843613598206'),
             ('arabic-indic digits', repeat(chr(1633), 16)), ('fullwidth digits', repeat(chr(65297), 16)),
             ('one short', '537184361359820'), ('one long', '53718436135982060'),
             ('1 MB', repeat('5', 1048576)), ('sql fragment', $$'; DROP TABLE vid.vid; --$$)) AS t(label, v);

-- Every single-digit change of a valid VID is caught (Verhoeff detects all of them).
SELECT count(*) AS variants, count(*) FILTER (WHERE vid_is_valid(v)) AS still_valid
FROM (SELECT overlay('5371843613598206' PLACING d::text FROM i FOR 1) AS v
      FROM generate_series(1, 16) i, generate_series(0, 9) d) t
WHERE v <> '5371843613598206';

-- Usable in the user's own CHECK constraints and domains.
CREATE DOMAIN user_vid AS text CHECK (vid_is_valid(VALUE));
CREATE TABLE person (id int PRIMARY KEY, vid text CHECK (vid_is_valid(vid)), alt user_vid);
INSERT INTO person VALUES (1, '5371843613598206', '8507529170342368');
INSERT INTO person VALUES (2, '5371843613598205', NULL);
INSERT INTO person VALUES (3, NULL, '9508992154307342');
SELECT id, vid, alt FROM person ORDER BY id;
DROP TABLE person;
DROP DOMAIN user_vid;
DROP EXTENSION vid;
