// Loads the rules with SPI as the owner of the rule tables (so PUBLIC can call vid_is_valid
// without any privilege on them) and keeps them until a committed change invalidates them.
#include "rules_cache.hpp"

#include <vector>

extern "C" {
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "storage/lmgr.h"
#include "storage/proc.h"
#include "utils/guc.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"
}

namespace vid_pg {
namespace {

struct CachedRules {
    explicit CachedRules(vid::RuleConfig config) : rules(std::move(config)) {}
    vid::RuleSet rules;
    vid::Generator* generator = nullptr;
    vid::Generator::SpaceSize space{-1, false};  // valid < 0: not computed yet
    ~CachedRules() { delete generator; }
};

CachedRules* current = nullptr;
bool stale = true;
// Rules read inside a parallel operation (no fresh snapshot there) serve only that transaction.
LocalTransactionId only_in_lxid = InvalidLocalTransactionId;
// Replaced rule sets stay alive until the transaction ends: callers may still hold them.
std::vector<CachedRules*>* retired = nullptr;
Oid cached_rule_set_oid = InvalidOid;
Oid cached_vid_oid = InvalidOid;
int cached_audit = -1;  // vid.vid has the 0.2.0 audit columns: -1 unknown, 0 no, 1 yes
int cached_pool = -1;   // the 0.3.0 table vid.pool exists: -1 unknown, 0 no, 1 yes
Oid cached_restricted_oid = InvalidOid;
vid::Csprng* the_rng = nullptr;

void on_relcache_invalidation(Datum, Oid relid) {
    if (relid == InvalidOid || relid == cached_vid_oid) {
        cached_audit = -1;
        cached_pool = -1;
        cached_vid_oid = InvalidOid;
    }
    if (relid == InvalidOid || relid == cached_rule_set_oid || relid == cached_restricted_oid) {
        stale = true;
        cached_rule_set_oid = cached_restricted_oid = InvalidOid;
    }
}

// vid.rules_in_force() is (re)created by vid_configure() and by a restore.
void on_function_change(Datum, int, uint32) { stale = true; }

void on_xact_end(XactEvent event, void*) {
    if (event != XACT_EVENT_COMMIT && event != XACT_EVENT_ABORT &&
        event != XACT_EVENT_PARALLEL_COMMIT && event != XACT_EVENT_PARALLEL_ABORT)
        return;
    if (retired == nullptr) return;
    for (CachedRules* r : *retired) delete r;
    retired->clear();
}

Oid vid_table_oid(const char* name) {
    Oid nsp = get_namespace_oid("vid", true);
    Oid rel = OidIsValid(nsp) ? get_relname_relid(name, nsp) : InvalidOid;
    if (!OidIsValid(rel))
        ereport(ERROR, (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
                        errmsg("the vid extension's table vid.%s does not exist", name),
                        errhint("Run CREATE EXTENSION vid in this database.")));
    return rel;
}

// Runs a read-only query with a fresh snapshot (or the active one inside a parallel operation).
void run_query(const char* sql) {
    SPIPlanPtr plan = SPI_prepare(sql, 0, nullptr);
    if (plan == nullptr) elog(ERROR, "vid: SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
    Snapshot snap = IsInParallelMode() ? GetActiveSnapshot() : GetLatestSnapshot();
    int rc = SPI_execute_snapshot(plan, nullptr, nullptr, snap, InvalidSnapshot, true, false, 0);
    if (rc != SPI_OK_SELECT) elog(ERROR, "vid: reading the rules failed: %s", SPI_result_code_string(rc));
}

struct RawRules {
    int ints[4];
    char** prefixes;
    int nprefixes;
    char** restricted;
    int nrestricted;
};

// Copies column 1 of the last result into `out` (allocated in the caller's context).
char** copy_column(MemoryContext into, int* count) {
    *count = static_cast<int>(SPI_processed);
    char** out = static_cast<char**>(MemoryContextAlloc(into, sizeof(char*) * (*count + 1)));
    for (int i = 0; i < *count; ++i) {
        char* v = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1);
        out[i] = MemoryContextStrdup(into, v ? v : "");
    }
    return out;
}

void read_rules(RawRules* raw) {
    MemoryContext caller = CurrentMemoryContext;
    HeapTuple tuple = SearchSysCache1(RELOID, ObjectIdGetDatum(cached_rule_set_oid));
    if (!HeapTupleIsValid(tuple)) elog(ERROR, "vid: cache lookup failed for relation %u", cached_rule_set_oid);
    Oid owner = ((Form_pg_class)GETSTRUCT(tuple))->relowner;
    ReleaseSysCache(tuple);
    Oid saved_user;
    int saved_context;
    GetUserIdAndSecContext(&saved_user, &saved_context);
    // Read as the tables' owner, confined: a fixed query, a pinned search_path, no user code.
    SetUserIdAndSecContext(owner,
                           saved_context | SECURITY_LOCAL_USERID_CHANGE | SECURITY_RESTRICTED_OPERATION);
    int nest = NewGUCNestLevel();
    (void)set_config_option("search_path", "pg_catalog, pg_temp", PGC_USERSET, PGC_S_SESSION,
                            GUC_ACTION_SAVE, true, 0, false);
    if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "vid: SPI_connect failed");
    // vid_configure() publishes the rules in force as vid.rules_in_force() (restored before any
    // table data); without it, the install script's defaults in vid.rule_set are in force.
    run_query("SELECT to_regprocedure('vid.rules_in_force()') IS NOT NULL");
    bool isnull;
    const bool configured = DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
    const char* source = configured ? "vid.rules_in_force()"
                                    : "(SELECT * FROM vid.rule_set ORDER BY version DESC LIMIT 1) r";
    char sql[256];
    snprintf(sql, sizeof sql,
             "SELECT length, sequence_limit, repeating_limit, repeated_block_limit FROM %s", source);
    run_query(sql);
    if (SPI_processed != 1)
        ereport(ERROR, (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
                        errmsg("vid.rule_set is empty"),
                        errhint("Reinstall the extension or call vid_configure().")));
    for (int i = 0; i < 4; ++i) {
        Datum d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, i + 1, &isnull);
        raw->ints[i] = isnull ? 0 : DatumGetInt32(d);
    }
    snprintf(sql, sizeof sql, "SELECT unnest(not_start_with) FROM %s", source);
    run_query(sql);
    raw->prefixes = copy_column(caller, &raw->nprefixes);
    run_query("SELECT number FROM vid.restricted_number");
    raw->restricted = copy_column(caller, &raw->nrestricted);
    SPI_finish();
    AtEOXact_GUC(true, nest);
    SetUserIdAndSecContext(saved_user, saved_context);
}

CachedRules& load() {
    if (current != nullptr && !stale &&
        (only_in_lxid == InvalidLocalTransactionId || only_in_lxid == MyProc->lxid))
        return *current;
    cached_rule_set_oid = vid_table_oid("rule_set");
    cached_restricted_oid = vid_table_oid("restricted_number");
    stale = false;  // an invalidation that arrives while we read sets it again
    RawRules raw;
    read_rules(&raw);
    CachedRules* fresh = nullptr;
    char why[512] = "";
    core_call([&] {
        vid::RuleConfig c;
        c.length = raw.ints[0];
        c.sequence_limit = raw.ints[1];
        c.repeating_limit = raw.ints[2];
        c.repeated_block_limit = raw.ints[3];
        c.not_start_with.assign(raw.prefixes, raw.prefixes + raw.nprefixes);
        c.restricted.assign(raw.restricted, raw.restricted + raw.nrestricted);
        std::string error = vid::config_error(c);
        std::snprintf(why, sizeof why, "%s", error.c_str());
        if (error.empty()) {
            fresh = new CachedRules(std::move(c));
            if (retired == nullptr) retired = new std::vector<CachedRules*>();
            if (current != nullptr) retired->push_back(current);
        }
    });
    if (fresh == nullptr)
        ereport(ERROR, (errcode(ERRCODE_DATA_CORRUPTED), errmsg("the stored VID rules are invalid: %s", why),
                        errhint("Fix them with vid_configure().")));
    current = fresh;
    only_in_lxid = IsInParallelMode() ? MyProc->lxid : InvalidLocalTransactionId;
    return *current;
}

}  // namespace

const vid::RuleSet& current_rules() { return load().rules; }

const vid::Generator& current_generator() {
    CachedRules& c = load();
    if (c.generator == nullptr)
        core_call([&] { c.generator = new vid::Generator(c.rules, vid::Generator::Method::Automaton, 100000); });
    return *c.generator;
}

vid::Generator::SpaceSize space_size() {
    const vid::Generator& gen = current_generator();
    CachedRules& c = load();
    if (c.space.valid < 0) core_call([&] { c.space = gen.space_size(rng(), 100000); });
    return c.space;
}

double exact_space_size() {
    const vid::Generator& gen = current_generator();
    if (gen.length() > vid::Generator::kExactSpaceMaxLength) return -1;
    return space_size().valid;
}

vid::Csprng& rng() {
    if (the_rng == nullptr) core_call([] { the_rng = new vid::Csprng(); });
    return *the_rng;
}

Oid rule_set_relid() { return vid_table_oid("rule_set"); }

// The layout of the installed extension version (the library serves every version's SQL until
// ALTER EXTENSION vid UPDATE): read once, again after any change to vid.vid (an upgrade alters it).
// The catalog lookups may process invalidations, whose callback resets the cache: so both answers
// are computed into locals first and stored together, and callers get them from one call.
Layout layout() {
    if (cached_audit >= 0 && cached_pool >= 0) return Layout{cached_audit == 1, cached_pool == 1};
    const Oid vid = vid_table_oid("vid");
    const bool audit = get_attnum(vid, "assigned_by") != InvalidAttrNumber;
    const bool pool = OidIsValid(get_relname_relid("pool", get_rel_namespace(vid)));
    cached_vid_oid = vid;
    cached_audit = audit ? 1 : 0;
    cached_pool = pool ? 1 : 0;
    return Layout{audit, pool};
}

bool has_audit_columns() { return layout().audit; }
bool has_pool_table() { return layout().pool; }
Oid restricted_number_relid() { return vid_table_oid("restricted_number"); }

void lock_rules_shared() {
    LockRelationOid(rule_set_relid(), ShareLock);
    LockRelationOid(restricted_number_relid(), ShareLock);
}

void register_rules_cache_callbacks() {
    CacheRegisterRelcacheCallback(on_relcache_invalidation, (Datum)0);
    CacheRegisterSyscacheCallback(PROCOID, on_function_change, (Datum)0);
    RegisterXactCallback(on_xact_end, nullptr);
}

}  // namespace vid_pg
