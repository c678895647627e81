// The rules in force in this database, read from vid.rule_set and vid.restricted_number and
// cached per backend until a change to either table is committed (relcache invalidation).
#pragma once

#include "boundary.hpp"

extern "C" {
#include "postgres_ext.h"
}

#include "../core/generator.hpp"
#include "../core/random.hpp"
#include "../core/rules.hpp"

namespace vid_pg {

// The current rule set. The reference stays valid until the end of the transaction.
const vid::RuleSet& current_rules();

// The generator for the current rules (built on first use).
const vid::Generator& current_generator();

// The exact number of valid VIDs under the current rules when the length is short enough to
// enumerate them (cached with the rules), else -1.
double exact_space_size();

// The size of the valid space (exact up to 8 digits, else estimated), cached with the rules.
vid::Generator::SpaceSize space_size();

// This backend's CSPRNG.
vid::Csprng& rng();

// OIDs of the extension's tables (ERROR when the extension is not installed here).
Oid rule_set_relid();

// Whether vid.vid has the audit columns (0.2.0 and later; a database still at 0.1.0 keeps
// working with this library, without audit). Cached until vid.vid changes.
// Which version's tables are installed: audit columns in vid.vid (0.2.0), vid.pool (0.3.0).
struct Layout {
    bool audit;
    bool pool;
};
Layout layout();
bool has_audit_columns();
// vid.pool holds the AVAILABLE VIDs (0.3.0); before, they were rows of vid.vid.
bool has_pool_table();
Oid restricted_number_relid();

// Takes SHARE locks on both rule tables so the rules cannot change until the transaction ends;
// call before generating (the cache is refreshed by the lock's invalidation processing).
void lock_rules_shared();

// Registers the invalidation and end-of-transaction callbacks; from _PG_init.
void register_rules_cache_callbacks();

}  // namespace vid_pg
