// The vid shared library: module magic and initialisation.
#include "boundary.hpp"

extern "C" {
#include "miscadmin.h"
}

#include "rules_cache.hpp"
#include "shared_state.hpp"

extern "C" {
PG_MODULE_MAGIC;

void _PG_init(void);
}

namespace vid_pg {
void register_launcher();
}

// Loaded per backend, or once in the postmaster through shared_preload_libraries: then the
// refill worker's shared memory and its launcher are set up as well.
extern "C" void _PG_init(void) {
    vid_pg::define_settings();
    vid_pg::register_rules_cache_callbacks();
    if (process_shared_preload_libraries_in_progress) {
        vid_pg::install_shared_state_hooks();
        vid_pg::register_launcher();
    }
}
