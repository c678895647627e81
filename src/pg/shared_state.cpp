// Shared state, settings, and the allocation-side wake-up of the refill worker.
#include "shared_state.hpp"

extern "C" {
#include "access/xact.h"
#include "miscadmin.h"
#include "storage/ipc.h"
#include "storage/lwlock.h"
#include "storage/shmem.h"
#include "utils/guc.h"
}

namespace vid_pg {

int refill_threshold = 20000;
int refill_target = 50000;
int refill_naptime = 10;
int refill_batch = 10000;

namespace {

SharedState* state = nullptr;
shmem_request_hook_type prev_request_hook = nullptr;
shmem_startup_hook_type prev_startup_hook = nullptr;
DbSlot* cached_slot = nullptr;
Oid cached_slot_db = InvalidOid;
bool launcher_poked = false;

void request_shared_memory() {
    if (prev_request_hook) prev_request_hook();
    RequestAddinShmemSpace(MAXALIGN(sizeof(SharedState)));
}

void startup_shared_memory() {
    if (prev_startup_hook) prev_startup_hook();
    LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
    bool found;
    state = static_cast<SharedState*>(ShmemInitStruct("vid", sizeof(SharedState), &found));
    if (!found) {
        SpinLockInit(&state->mutex);
        state->launcher_pid = 0;
        state->launcher_latch = nullptr;
        for (DbSlot& s : state->slots) {
            s.dboid = InvalidOid;
            s.pid = 0;
            s.latch = nullptr;
            pg_atomic_init_u64(&s.available, 0);
            pg_atomic_init_u32(&s.wake_pending, 0);
            s.state = WorkerState::None;
            s.last_round = s.last_refill = s.next_start = 0;
            s.last_added = 0;
        }
    }
    LWLockRelease(AddinShmemInitLock);
}

}  // namespace

SharedState* shared_state() { return state; }

void install_shared_state_hooks() {
    prev_request_hook = shmem_request_hook;
    shmem_request_hook = request_shared_memory;
    prev_startup_hook = shmem_startup_hook;
    shmem_startup_hook = startup_shared_memory;
}

DbSlot* my_db_slot() {
    if (state == nullptr) return nullptr;
    if (cached_slot != nullptr && cached_slot_db == MyDatabaseId && cached_slot->dboid == MyDatabaseId)
        return cached_slot;
    cached_slot = nullptr;
    SpinLockAcquire(&state->mutex);
    for (DbSlot& s : state->slots)
        if (s.dboid == MyDatabaseId) cached_slot = &s;
    SpinLockRelease(&state->mutex);
    cached_slot_db = MyDatabaseId;
    return cached_slot;
}

void wake_launcher() {
    if (state == nullptr) return;
    SpinLockAcquire(&state->mutex);
    for (DbSlot& s : state->slots)
        if (s.dboid == MyDatabaseId) s.next_start = 0;
    Latch* latch = state->launcher_latch;
    SpinLockRelease(&state->mutex);
    if (latch != nullptr) SetLatch(latch);
}

namespace {
bool wake_at_commit = false;

void wake_on_commit(XactEvent event, void*) {
    if (!wake_at_commit) return;
    if (event == XACT_EVENT_COMMIT) wake_launcher();
    if (event == XACT_EVENT_COMMIT || event == XACT_EVENT_ABORT) wake_at_commit = false;
}
}  // namespace

void wake_launcher_at_commit() {
    static bool registered = false;
    if (state == nullptr) return;
    if (!registered) {
        RegisterXactCallback(wake_on_commit, nullptr);
        registered = true;
    }
    wake_at_commit = true;
}

void note_pool_growth(int64 added) {
    if (DbSlot* slot = my_db_slot()) pg_atomic_fetch_add_u64(&slot->available, static_cast<uint64>(added));
}

void note_allocation() {
    if (state == nullptr) return;
    DbSlot* slot = my_db_slot();
    if (slot == nullptr || slot->pid == 0) {
        // No worker serves this database right now: ask the launcher to look, once per session.
        if (!launcher_poked) {
            launcher_poked = true;
            wake_launcher();
        }
        return;
    }
    uint64 before = pg_atomic_read_u64(&slot->available);
    if (before > 0) before = pg_atomic_fetch_sub_u64(&slot->available, 1);
    if (before <= static_cast<uint64>(refill_threshold) && pg_atomic_exchange_u32(&slot->wake_pending, 1) == 0) {
        Latch* latch = slot->latch;
        if (slot->pid != 0 && latch != nullptr) SetLatch(latch);
    }
}

void define_settings() {
    DefineCustomIntVariable("vid.refill_threshold",
                            "The refill starts when fewer VIDs than this are AVAILABLE.", nullptr,
                            &refill_threshold, 20000, 0, 100000000, PGC_SIGHUP, 0, nullptr, nullptr, nullptr);
    DefineCustomIntVariable("vid.refill_target",
                            "A refill adds VIDs until this many are AVAILABLE (at least the threshold).",
                            nullptr, &refill_target, 50000, 1, 100000000, PGC_SIGHUP, 0, nullptr, nullptr, nullptr);
    DefineCustomIntVariable("vid.refill_naptime", "Seconds between two rounds of the refill worker.", nullptr,
                            &refill_naptime, 10, 1, 3600, PGC_SIGHUP, GUC_UNIT_S, nullptr, nullptr, nullptr);
    DefineCustomIntVariable("vid.refill_batch",
                            "VIDs added per transaction by the refill worker.", nullptr, &refill_batch, 10000,
                            100, 1000000, PGC_SIGHUP, 0, nullptr, nullptr, nullptr);
    MarkGUCPrefixReserved("vid");
}

}  // namespace vid_pg
