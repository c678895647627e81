-- vid: MOSIP-style Virtual IDs inside PostgreSQL. The single source of the install script.
\echo Use "CREATE EXTENSION vid" to load this file. \quit

-- The extension's own schema: its tables and internal helpers. The public API functions
-- (vid_*) are created in the schema of CREATE EXTENSION (public by default).
CREATE SCHEMA vid;
COMMENT ON SCHEMA vid IS 'vid extension: the VID pool, the rules in force and internal helpers';

CREATE TYPE vid.status AS ENUM ('AVAILABLE', 'ASSIGNED', 'EXPIRED', 'WITHDRAWN');
COMMENT ON TYPE vid.status IS 'AVAILABLE (in the pool) -> ASSIGNED (handed out) -> EXPIRED (revoked or past expiry); AVAILABLE -> WITHDRAWN (broke a new restricted number, never handed out)';

-- Internal helpers (C, the core's rules; never re-implemented in SQL).
CREATE FUNCTION vid.pattern_error(text) RETURNS text
    AS 'MODULE_PATHNAME', 'vid_pattern_error' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION vid.pattern_error(text) IS 'why a restricted number is refused; NULL when acceptable';

CREATE FUNCTION vid.key_is_valid(bigint) RETURNS boolean
    AS 'MODULE_PATHNAME', 'vid_key_is_valid' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION vid.key_is_valid(bigint) IS 'a stored VID key is valid under the rules in force';

CREATE FUNCTION vid.rules_changed() RETURNS trigger
    AS 'MODULE_PATHNAME', 'vid_rules_changed' LANGUAGE C;
COMMENT ON FUNCTION vid.rules_changed() IS 'makes every session reload the rules after a committed change';

-- The rule parameters. The row with the highest version is in force; vid_configure() adds one.
CREATE TABLE vid.rule_set (
    version              integer PRIMARY KEY,
    length               integer NOT NULL,
    sequence_limit       integer NOT NULL,
    repeating_limit      integer NOT NULL,
    repeated_block_limit integer NOT NULL,
    not_start_with       text[]  NOT NULL,
    created_at           timestamptz NOT NULL DEFAULT now(),
    created_by           name NOT NULL DEFAULT current_user
);
COMMENT ON TABLE vid.rule_set IS 'VID rule parameters by version; the highest version is in force (change with vid_configure)';
INSERT INTO vid.rule_set (version, length, sequence_limit, repeating_limit, repeated_block_limit, not_start_with)
VALUES (1, 16, 3, 2, 2, '{0,1}');

-- Strings that must not appear anywhere in a VID (MOSIP's defaults: 786 and 666).
CREATE TABLE vid.restricted_number (
    number text PRIMARY KEY CONSTRAINT restricted_number_digits CHECK (vid.pattern_error(number) IS NULL)
);
COMMENT ON TABLE vid.restricted_number IS 'admin-defined digit strings that no VID may contain';
INSERT INTO vid.restricted_number VALUES ('786'), ('666');

CREATE TRIGGER rules_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON vid.rule_set
    FOR EACH STATEMENT EXECUTE FUNCTION vid.rules_changed();
CREATE TRIGGER rules_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON vid.restricted_number
    FOR EACH STATEMENT EXECUTE FUNCTION vid.rules_changed();

-- Every VID ever generated. Rows are never deleted: a number that existed is never made again.
-- The key is the VID's numeric value; its text form is that number zero-padded to the length.
CREATE TABLE vid.vid (
    vid         bigint PRIMARY KEY,
    status      vid.status NOT NULL DEFAULT 'AVAILABLE',
    expiry      timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now(),
    assigned_at timestamptz,
    revoked_at  timestamptz,
    -- A VID in the pool obeys the rules in force. Handed-out VIDs were valid when made and are
    -- not re-checked, so revoking still works after a new restricted number, and a dump restores.
    CONSTRAINT vid_valid CHECK (status <> 'AVAILABLE' OR vid.key_is_valid(vid)),
    CONSTRAINT vid_lifecycle CHECK (CASE status
        WHEN 'AVAILABLE' THEN assigned_at IS NULL AND revoked_at IS NULL AND expiry IS NULL
        WHEN 'ASSIGNED'  THEN assigned_at IS NOT NULL AND revoked_at IS NULL
        WHEN 'EXPIRED'   THEN assigned_at IS NOT NULL
        ELSE assigned_at IS NULL END)
);
COMMENT ON TABLE vid.vid IS 'every VID ever generated: the pool (AVAILABLE) and the handed-out ones';
COMMENT ON COLUMN vid.vid.vid IS 'the VID as a number (text form: zero-padded to the length in force)';
CREATE INDEX vid_available ON vid.vid (vid) WHERE status = 'AVAILABLE';
CREATE INDEX vid_expiry ON vid.vid (expiry) WHERE status = 'ASSIGNED' AND expiry IS NOT NULL;

-- A new restricted number withdraws every pooled VID that contains it (it can never be handed
-- out). The rows stay, so the number is never generated again even if the restriction goes.
-- Handed-out VIDs are left as they are.
CREATE FUNCTION vid.withdraw_restricted() RETURNS trigger LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    withdrawn bigint;
BEGIN
    UPDATE vid.vid SET status = 'WITHDRAWN' WHERE status = 'AVAILABLE' AND NOT vid.key_is_valid(vid);
    GET DIAGNOSTICS withdrawn = ROW_COUNT;
    IF withdrawn > 0 THEN
        RAISE NOTICE 'vid: % VIDs in the pool break the new restriction and were withdrawn', withdrawn;
    END IF;
    RETURN NULL;
END $$;
COMMENT ON FUNCTION vid.withdraw_restricted() IS 'withdraws pooled VIDs that a new restricted number makes invalid';
REVOKE ALL ON FUNCTION vid.withdraw_restricted() FROM PUBLIC;
-- Fires after rules_changed (triggers fire in name order), so the new rules are in force.
CREATE TRIGGER withdraw_restricted AFTER INSERT OR UPDATE ON vid.restricted_number
    FOR EACH STATEMENT EXECUTE FUNCTION vid.withdraw_restricted();

-- pg_dump keeps the rows (the install script's own rows are left to CREATE EXTENSION).
SELECT pg_catalog.pg_extension_config_dump('vid.rule_set', 'WHERE version > 1');
SELECT pg_catalog.pg_extension_config_dump('vid.restricted_number', $$WHERE number NOT IN ('786', '666')$$);
SELECT pg_catalog.pg_extension_config_dump('vid.vid', '');

-- The public API.
CREATE FUNCTION vid_is_valid(vid text) RETURNS boolean
    AS 'MODULE_PATHNAME', 'vid_is_valid' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION vid_is_valid(text) IS 'true iff the string is a valid VID under the rules in force';

CREATE FUNCTION vid_check(vid text) RETURNS text
    AS 'MODULE_PATHNAME', 'vid_check' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION vid_check(text) IS 'NULL when valid, else the first failing rule (empty, length, non-digit, sequence, repeating, repeated-block, not-start-with, restricted, checksum)';

CREATE FUNCTION vid_generate_pool(n integer) RETURNS bigint
    AS 'MODULE_PATHNAME', 'vid_generate_pool' LANGUAGE C VOLATILE
    SECURITY DEFINER SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION vid_generate_pool(integer) IS 'adds exactly n new AVAILABLE VIDs, uniformly random and never seen before';

CREATE FUNCTION vid_allocate(expiry timestamptz DEFAULT NULL) RETURNS text
    AS 'MODULE_PATHNAME', 'vid_allocate' LANGUAGE C VOLATILE
    SECURITY DEFINER SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION vid_allocate(timestamptz) IS 'hands out one AVAILABLE VID as ASSIGNED (NULL expiry: never expires)';

CREATE FUNCTION vid_revoke(vid text) RETURNS boolean
    AS 'MODULE_PATHNAME', 'vid_revoke' LANGUAGE C VOLATILE
    SECURITY DEFINER SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION vid_revoke(text) IS 'ASSIGNED -> EXPIRED (true); false when already EXPIRED; VD001 when never handed out';

CREATE FUNCTION vid_status(vid text) RETURNS text
    AS 'MODULE_PATHNAME', 'vid_status' LANGUAGE C STABLE STRICT
    SECURITY DEFINER SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION vid_status(text) IS '''ASSIGNED'' or ''EXPIRED'' for a handed-out VID, NULL for anything else';

CREATE FUNCTION vid_configure(length integer DEFAULT NULL, sequence_limit integer DEFAULT NULL,
                              repeating_limit integer DEFAULT NULL, repeated_block_limit integer DEFAULT NULL,
                              not_start_with text[] DEFAULT NULL) RETURNS void
    AS 'MODULE_PATHNAME', 'vid_configure' LANGUAGE C VOLATILE
    SECURITY DEFINER SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION vid_configure(integer, integer, integer, integer, text[]) IS 'changes the rule parameters (NULL keeps one); only while no VID exists';

CREATE FUNCTION vid_refill() RETURNS bigint
    AS 'MODULE_PATHNAME', 'vid_refill' LANGUAGE C VOLATILE
    SECURITY DEFINER SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION vid_refill() IS 'one round of upkeep: refill to vid.refill_target when below vid.refill_threshold, expire VIDs past their expiry; returns the VIDs added';

CREATE FUNCTION vid_space(OUT valid_vids numeric, OUT exact boolean, OUT generated bigint,
                          OUT available bigint, OUT used_share double precision)
    AS 'MODULE_PATHNAME', 'vid_space' LANGUAGE C STABLE
    SECURITY DEFINER SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION vid_space() IS 'how many valid VIDs the rules allow (exact up to 8 digits, else estimated) and the share generated so far';

CREATE FUNCTION vid.wake_launcher() RETURNS void
    AS 'MODULE_PATHNAME', 'vid_wake_launcher' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION vid.wake_launcher() IS 'asks the refill launcher (shared_preload_libraries) to serve this database now';
SELECT vid.wake_launcher();

-- PUBLIC may only check validity; everything else is granted by the DBA (README, "Privileges").
REVOKE ALL ON SCHEMA vid FROM PUBLIC;
REVOKE ALL ON ALL TABLES IN SCHEMA vid FROM PUBLIC;
REVOKE ALL ON FUNCTION vid.pattern_error(text), vid.key_is_valid(bigint), vid.rules_changed() FROM PUBLIC;
REVOKE ALL ON FUNCTION vid_generate_pool(integer), vid_allocate(timestamptz), vid_revoke(text), vid_status(text),
    vid_configure(integer, integer, integer, integer, text[]), vid_refill(), vid_space(),
    vid.wake_launcher() FROM PUBLIC;
