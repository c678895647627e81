// The vid shared library: module magic and initialisation.
#include "boundary.hpp"

#include "rules_cache.hpp"

extern "C" {
PG_MODULE_MAGIC;

void _PG_init(void);
}

// Loaded per backend (or once in the postmaster through shared_preload_libraries).
extern "C" void _PG_init(void) {
    vid_pg::register_rules_cache_callbacks();
}
