// Shared memory of the refill worker (only with shared_preload_libraries = 'vid'): one slot per
// database, with the worker's latch and an estimate of the pool size that allocations decrement.
#pragma once

#include "boundary.hpp"

extern "C" {
#include "datatype/timestamp.h"
#include "port/atomics.h"
#include "storage/latch.h"
#include "storage/spin.h"
}

namespace vid_pg {

constexpr int kMaxDatabases = 64;

enum class WorkerState : int { None = 0, Starting, Idle, Refilling, NoExtension, SpaceExhausted, Failed };

struct DbSlot {
    Oid dboid;                      // InvalidOid: free slot
    int pid;                        // the database's worker, 0 when none runs
    Latch* latch;                   // its latch (valid while pid != 0)
    pg_atomic_uint64 available;     // pool size estimate: set by the worker, decremented by allocations
    pg_atomic_uint32 wake_pending;  // an allocation has already woken the worker
    WorkerState state;
    TimestampTz last_round;         // when the worker last looked at the pool
    TimestampTz last_refill;        // when it last added VIDs
    int64 last_added;               // how many it added then
    TimestampTz next_start;         // launcher: not before (databases without the extension)
};

struct SharedState {
    slock_t mutex;                  // protects the slots' non-atomic fields
    int launcher_pid;
    Latch* launcher_latch;
    DbSlot slots[kMaxDatabases];
};

// NULL unless loaded through shared_preload_libraries.
SharedState* shared_state();

// From _PG_init, while shared_preload_libraries is processed.
void install_shared_state_hooks();

// This database's slot (nullptr without shared memory or when the worker never started here).
DbSlot* my_db_slot();

// Called after a successful allocation: wakes the worker once the pool drops below the threshold.
void note_allocation();

// Asks the launcher to look at this database now (a worker may be due).
void wake_launcher();

// The same, once the current transaction commits (CREATE EXTENSION: the worker must see it).
void wake_launcher_at_commit();

// Called after VIDs were added to this database's pool.
void note_pool_growth(int64 added);

// The settings (vid.*), defined in _PG_init.
extern int refill_threshold;
extern int refill_target;
extern int refill_naptime;   // seconds
extern int refill_batch;
void define_settings();

}  // namespace vid_pg
