// vid_configure(): the admin changes the rule parameters while no VID exists.
#include "boundary.hpp"

#include <string>

extern "C" {
#include "catalog/dependency.h"
#include "catalog/objectaddress.h"
#include "catalog/pg_extension.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "commands/extension.h"
#include "executor/spi.h"
#include "storage/lmgr.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
}

#include "../core/generator.hpp"
#include "rules_cache.hpp"
#include "spi_util.hpp"

extern "C" {
PG_FUNCTION_INFO_V1(vid_configure);
}

namespace {

void run(const char* sql, int expected) {
    int rc = SPI_execute(sql, false, 0);
    if (rc != expected) elog(ERROR, "vid: \"%s\" failed: %s", sql, SPI_result_code_string(rc));
}

// Reads argument i (text[]) into out; NULL elements are refused.
void read_prefixes(FunctionCallInfo fcinfo, int i, char*** out, int* count) {
    ArrayType* arr = PG_GETARG_ARRAYTYPE_P(i);
    if (ARR_NDIM(arr) > 1)
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("not_start_with must be a one-dimensional array")));
    Datum* elems;
    bool* nulls;
    deconstruct_array(arr, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, count);
    *out = static_cast<char**>(palloc(sizeof(char*) * (*count + 1)));
    for (int k = 0; k < *count; ++k) {
        if (nulls[k])
            ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("not_start_with must not contain NULL")));
        (*out)[k] = TextDatumGetCString(elems[k]);
    }
}

// The rules in force also live in vid.rules_in_force(), a function that is NOT a member of the
// extension: pg_dump restores it with the schema, before any table data, so CHECK constraints
// (vid's own and the user's vid_is_valid) see the configured rules while data is restored, in
// any order (pg_restore -j too). vid.rule_set keeps the history. The function depends on the
// extension automatically: DROP EXTENSION removes it.
void publish_rules_in_force() {
    if (vid_pg::select_bool("SELECT to_regprocedure('vid.rules_in_force()') IS NOT NULL", false))
        run("DROP FUNCTION vid.rules_in_force()", SPI_OK_UTILITY);
    run("SELECT format('CREATE FUNCTION vid.rules_in_force(OUT length integer, OUT sequence_limit integer, "
        "OUT repeating_limit integer, OUT repeated_block_limit integer, OUT not_start_with text[]) "
        "LANGUAGE sql IMMUTABLE PARALLEL SAFE AS %L', format('SELECT %s, %s, %s, %s, %L::text[]', "
        "length, sequence_limit, repeating_limit, repeated_block_limit, not_start_with::text)) "
        "FROM vid.rule_set ORDER BY version DESC LIMIT 1",
        SPI_OK_SELECT);
    char* create = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
    run(create, SPI_OK_UTILITY);
    run("COMMENT ON FUNCTION vid.rules_in_force() IS 'the VID rule parameters in force, written by vid_configure() "
        "(restored before table data by pg_dump)'",
        SPI_OK_UTILITY);
    run("REVOKE ALL ON FUNCTION vid.rules_in_force() FROM PUBLIC", SPI_OK_UTILITY);
    ObjectAddress function, extension;
    ObjectAddressSet(function, ProcedureRelationId,
                     DatumGetObjectId(DirectFunctionCall1(to_regprocedure, CStringGetTextDatum("vid.rules_in_force()"))));
    ObjectAddressSet(extension, ExtensionRelationId, get_extension_oid("vid", false));
    recordDependencyOn(&function, &extension, DEPENDENCY_AUTO);
}

}  // namespace

// vid_configure(length, sequence_limit, repeating_limit, repeated_block_limit, not_start_with)
// -> void: NULL keeps a parameter; refused once any VID exists.
extern "C" Datum vid_configure(PG_FUNCTION_ARGS) {
    PreventCommandDuringRecovery("vid_configure()");
    // Build the new configuration from the current one and the non-NULL arguments.
    const vid::RuleConfig& now = vid_pg::current_rules().config();
    int ints[4] = {now.length, now.sequence_limit, now.repeating_limit, now.repeated_block_limit};
    for (int i = 0; i < 4; ++i)
        if (!PG_ARGISNULL(i)) ints[i] = PG_GETARG_INT32(i);
    char** prefixes = nullptr;
    int nprefixes = -1;  // -1: keep
    if (!PG_ARGISNULL(4)) read_prefixes(fcinfo, 4, &prefixes, &nprefixes);

    char why[512] = "";
    bool space_empty = false;
    vid_pg::core_call([&] {
        vid::RuleConfig c = vid_pg::current_rules().config();
        c.length = ints[0];
        c.sequence_limit = ints[1];
        c.repeating_limit = ints[2];
        c.repeated_block_limit = ints[3];
        if (nprefixes >= 0) c.not_start_with.assign(prefixes, prefixes + nprefixes);
        std::string e = vid::config_error(c);
        std::snprintf(why, sizeof why, "%s", e.c_str());
        if (e.empty()) {
            vid::Generator g(vid::RuleSet(c), vid::Generator::Method::Automaton, 100000);
            space_empty = g.method() == vid::Generator::Method::Automaton && g.body_count() == 0;
        }
    });
    if (why[0] != '\0') ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("%s", why)));
    if (space_empty)
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("no valid VID exists under these rules"),
                        errhint("Relax a limit or shorten the not_start_with list.")));

    // No generation can run while we hold this; then the pool must be empty.
    LockRelationOid(vid_pg::rule_set_relid(), ExclusiveLock);
    if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "vid: SPI_connect failed");
    if (vid_pg::select_bool(vid_pg::has_pool_table()
                                ? "SELECT EXISTS (SELECT FROM vid.vid) OR EXISTS (SELECT FROM vid.pool)"
                                : "SELECT EXISTS (SELECT FROM vid.vid)",
                            false))
        ereport(ERROR, (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
                        errmsg("the VID rules cannot change once VIDs exist"),
                        errdetail("Every existing VID, in the pool or handed out, was made under the current rules."),
                        errhint("Rules are fixed for the VIDs of a database: configure before the first VID. To "
                                "issue VIDs under other rules (say a longer length), create the extension in a new "
                                "database, call vid_configure() there first, and allocate from it; the VIDs issued "
                                "here keep working with vid_status() and vid_revoke().")));

    Oid types[5] = {INT4OID, INT4OID, INT4OID, INT4OID, TEXTARRAYOID};
    Datum values[5];
    char nulls[5] = {' ', ' ', ' ', ' ', nprefixes >= 0 ? ' ' : 'n'};
    for (int i = 0; i < 4; ++i) values[i] = Int32GetDatum(ints[i]);
    values[4] = nprefixes >= 0 ? PG_GETARG_DATUM(4) : (Datum)0;
    int rc = SPI_execute_with_args(
        "INSERT INTO vid.rule_set (version, length, sequence_limit, repeating_limit, repeated_block_limit, "
        "not_start_with) SELECT max(version) + 1, $1, $2, $3, $4, "
        "COALESCE($5, (SELECT not_start_with FROM vid.rule_set ORDER BY version DESC LIMIT 1)) FROM vid.rule_set",
        5, types, values, nulls, false, 0);
    if (rc != SPI_OK_INSERT) elog(ERROR, "vid: saving the rules failed: %s", SPI_result_code_string(rc));
    publish_rules_in_force();
    SPI_finish();
    PG_RETURN_VOID();
}
