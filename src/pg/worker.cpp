// The refill worker (shared_preload_libraries = 'vid'): a launcher that starts one worker per
// database, and the per-database worker that keeps the pool between threshold and target and
// sweeps expired VIDs. Databases without the extension are looked at again every minute (or at
// once when someone allocates there); nothing runs on a hot standby.
#include "boundary.hpp"

#include <algorithm>

extern "C" {
#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_database.h"
#include "commands/vacuum.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "parser/parse_node.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "tcop/tcopprot.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"
}

#include "refill.hpp"
#include "shared_state.hpp"

extern "C" {
PGDLLEXPORT void vid_launcher_main(Datum arg);
PGDLLEXPORT void vid_worker_main(Datum arg);
}

namespace vid_pg {
namespace {

constexpr int kRecheckSeconds = 60;  // databases without the extension
constexpr int kMaxDbsPerScan = kMaxDatabases;

void set_state(DbSlot* slot, WorkerState s) {
    SpinLockAcquire(&shared_state()->mutex);
    slot->state = s;
    SpinLockRelease(&shared_state()->mutex);
}

// Sleeps until the latch is set or the nap is over; handles SIGHUP and SIGTERM.
void nap(long ms) {
    (void)WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, ms, PG_WAIT_EXTENSION);
    ResetLatch(MyLatch);
    CHECK_FOR_INTERRUPTS();
    if (ConfigReloadPending) {
        ConfigReloadPending = false;
        ProcessConfigFile(PGC_SIGHUP);
    }
}

void begin_transaction(const char* activity) {
    SetCurrentStatementStartTimestamp();
    StartTransactionCommand();
    if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "vid: SPI_connect failed");
    PushActiveSnapshot(GetTransactionSnapshot());
    pgstat_report_activity(STATE_RUNNING, activity);
}

void end_transaction() {
    SPI_finish();
    PopActiveSnapshot();
    CommitTransactionCommand();
    pgstat_report_activity(STATE_IDLE, nullptr);
}

// Starts the worker of one database.
bool start_db_worker(Oid dboid) {
    BackgroundWorker w;
    memset(&w, 0, sizeof w);
    w.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
    w.bgw_start_time = BgWorkerStart_RecoveryFinished;
    w.bgw_restart_time = BGW_NEVER_RESTART;  // the launcher restarts it
    snprintf(w.bgw_library_name, BGW_MAXLEN, "vid");
    snprintf(w.bgw_function_name, BGW_MAXLEN, "vid_worker_main");
    snprintf(w.bgw_name, BGW_MAXLEN, "vid refill worker for database %u", dboid);
    snprintf(w.bgw_type, BGW_MAXLEN, "vid refill worker");
    w.bgw_main_arg = ObjectIdGetDatum(dboid);
    w.bgw_notify_pid = MyProcPid;
    BackgroundWorkerHandle* handle;
    return RegisterDynamicBackgroundWorker(&w, &handle);
}

// One look at pg_database: every connectable database gets a slot and, when due, a worker.
void launcher_scan() {
    Oid dbs[kMaxDbsPerScan];
    int ndbs = 0;
    SetCurrentStatementStartTimestamp();
    StartTransactionCommand();
    (void)GetTransactionSnapshot();
    Relation rel = table_open(DatabaseRelationId, AccessShareLock);
    TableScanDesc scan = table_beginscan_catalog(rel, 0, nullptr);
    HeapTuple tup;
    while ((tup = heap_getnext(scan, ForwardScanDirection)) != nullptr && ndbs < kMaxDbsPerScan) {
        Form_pg_database db = (Form_pg_database)GETSTRUCT(tup);
        if (db->datallowconn && !db->datistemplate) dbs[ndbs++] = db->oid;
    }
    table_endscan(scan);
    table_close(rel, AccessShareLock);
    CommitTransactionCommand();

    SharedState* st = shared_state();
    const TimestampTz now = GetCurrentTimestamp();
    for (int i = 0; i < ndbs; ++i) {
        DbSlot* slot = nullptr;
        bool due = false;
        SpinLockAcquire(&st->mutex);
        for (DbSlot& s : st->slots)
            if (s.dboid == dbs[i]) slot = &s;
        if (slot == nullptr)
            for (DbSlot& s : st->slots)
                if (s.dboid == InvalidOid && slot == nullptr) {
                    slot = &s;
                    s.dboid = dbs[i];
                    s.pid = 0;
                    s.state = WorkerState::None;
                    s.next_start = 0;
                }
        if (slot != nullptr && slot->pid == 0 && now >= slot->next_start) {
            due = true;
            slot->state = WorkerState::Starting;
            slot->next_start = TimestampTzPlusMilliseconds(now, kRecheckSeconds * 1000L);
        }
        SpinLockRelease(&st->mutex);
        if (slot == nullptr) {
            elog(WARNING, "vid: more than %d databases; database %u is not served by the refill worker",
                 kMaxDatabases, dbs[i]);
            continue;
        }
        if (due && !start_db_worker(dbs[i])) {
            elog(WARNING, "vid: could not start the refill worker for database %u", dbs[i]);
            errhint("Raise max_worker_processes.");
            set_state(slot, WorkerState::Failed);
        }
    }
    // Slots of dropped databases are freed.
    SpinLockAcquire(&st->mutex);
    for (DbSlot& s : st->slots) {
        bool present = false;
        for (int i = 0; i < ndbs; ++i) present = present || s.dboid == dbs[i];
        if (s.dboid != InvalidOid && !present && s.pid == 0) s.dboid = InvalidOid;
    }
    SpinLockRelease(&st->mutex);
}

void clear_launcher(int, Datum) {
    SharedState* st = shared_state();
    SpinLockAcquire(&st->mutex);
    st->launcher_pid = 0;
    st->launcher_latch = nullptr;
    SpinLockRelease(&st->mutex);
}

void clear_worker(int, Datum arg) {
    DbSlot* slot = reinterpret_cast<DbSlot*>(DatumGetPointer(arg));
    SpinLockAcquire(&shared_state()->mutex);
    slot->pid = 0;
    slot->latch = nullptr;
    SpinLockRelease(&shared_state()->mutex);
}

bool extension_installed() {
    int rc = SPI_execute("SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'vid'", true, 1);
    if (rc != SPI_OK_SELECT) elog(ERROR, "vid: reading pg_extension failed");
    return SPI_processed == 1;
}

// Every allocation deletes a row of vid.pool. Autovacuum visits a database once a minute by
// default; meanwhile a busy pool gathers dead rows by the hundred thousand, and each allocation
// walks past more of them from its random start point (measured: 5,000 -> 2,600 allocations/s
// within a minute). So the worker vacuums vid.pool itself, outside any transaction block, once a
// tenth of it (and at least 10,000 rows) is dead. (Before 0.3.0 there is no vid.pool: nothing to do.)
void vacuum_pool_if_needed() {
    static MemoryContext vacuum_context = nullptr;
    SetCurrentStatementStartTimestamp();
    StartTransactionCommand();
    const Oid nsp = get_namespace_oid("vid", true);
    const Oid relid = OidIsValid(nsp) ? get_relname_relid("pool", nsp) : InvalidOid;
    bool needed = false;
    if (OidIsValid(relid)) {
        PgStat_StatTabEntry* e = pgstat_fetch_stat_tabentry(relid);
        if (e != nullptr) {
            const double dead = static_cast<double>(e->n_dead_tuples);
            needed = dead >= std::max(10000.0, 0.1 * static_cast<double>(e->n_live_tuples));
        }
    }
    if (!needed) {
        CommitTransactionCommand();
        return;
    }
    if (vacuum_context == nullptr)
        vacuum_context = AllocSetContextCreate(TopMemoryContext, "vid vacuum", ALLOCSET_DEFAULT_SIZES);
    pgstat_report_activity(STATE_RUNNING, "vid: VACUUM vid.pool");
    VacuumStmt* stmt = makeNode(VacuumStmt);
    stmt->options = NIL;
    stmt->rels = list_make1(makeVacuumRelation(makeRangeVar(pstrdup("vid"), pstrdup("pool"), -1), relid, NIL));
    stmt->is_vacuumcmd = true;
    // VACUUM commits the transaction it is called in, runs its own, and leaves a new one open for
    // its caller to commit. It allocates under PortalContext, which a worker does not have.
    MemoryContext saved_portal = PortalContext;
    PortalContext = vacuum_context;
    ExecVacuum(make_parsestate(nullptr), stmt, true);
    PortalContext = saved_portal;
    CommitTransactionCommand();
    MemoryContextReset(vacuum_context);
    pgstat_report_activity(STATE_IDLE, nullptr);
}

// One round in this database: refill in batches, each committed on its own, then sweep.
// Returns false when the extension is not installed here.
bool worker_round(DbSlot* slot) {
    pg_atomic_write_u32(&slot->wake_pending, 0);
    int64 added = 0;
    bool exhausted = false;
    for (;;) {
        begin_transaction("vid: refill");
        if (!extension_installed()) {
            end_transaction();
            return false;
        }
        RefillStep step = refill_step(added > 0, refill_batch);
        end_transaction();
        vacuum_pool_if_needed();  // under steady load this loop is where the worker stays
        if (step.added > 0) {
            set_state(slot, WorkerState::Refilling);
            added += step.added;
            SpinLockAcquire(&shared_state()->mutex);
            slot->last_refill = GetCurrentTimestamp();
            slot->last_added = added;
            SpinLockRelease(&shared_state()->mutex);
        }
        exhausted = step.exhausted;
        if (!step.locked || step.added == 0 || step.exhausted) break;
        CHECK_FOR_INTERRUPTS();
    }
    int64 swept;
    do {
        begin_transaction("vid: expiry sweep");
        swept = sweep_expired(10000);
        end_transaction();
        CHECK_FOR_INTERRUPTS();
    } while (swept > 0);
    vacuum_pool_if_needed();
    if (added > 0) elog(LOG, "vid: refill added " INT64_FORMAT " VIDs", added);
    SpinLockAcquire(&shared_state()->mutex);
    slot->last_round = GetCurrentTimestamp();
    slot->state = exhausted ? WorkerState::SpaceExhausted : WorkerState::Idle;
    SpinLockRelease(&shared_state()->mutex);
    return true;
}

}  // namespace
}  // namespace vid_pg

using namespace vid_pg;

extern "C" void vid_launcher_main(Datum) {
    pqsignal(SIGHUP, SignalHandlerForConfigReload);
    pqsignal(SIGTERM, die);
    BackgroundWorkerUnblockSignals();
    BackgroundWorkerInitializeConnection(nullptr, nullptr, 0);
    SharedState* st = shared_state();
    SpinLockAcquire(&st->mutex);
    st->launcher_pid = MyProcPid;
    st->launcher_latch = MyLatch;
    SpinLockRelease(&st->mutex);
    before_shmem_exit(clear_launcher, (Datum)0);
    elog(LOG, "vid: launcher started");
    for (;;) {
        launcher_scan();
        nap(static_cast<long>(refill_naptime) * 1000L);
    }
}

extern "C" void vid_worker_main(Datum arg) {
    const Oid dboid = DatumGetObjectId(arg);
    pqsignal(SIGHUP, SignalHandlerForConfigReload);
    pqsignal(SIGTERM, die);
    BackgroundWorkerUnblockSignals();
    BackgroundWorkerInitializeConnectionByOid(dboid, InvalidOid, 0);
    SharedState* st = shared_state();
    DbSlot* slot = nullptr;
    SpinLockAcquire(&st->mutex);
    for (DbSlot& s : st->slots)
        if (s.dboid == dboid) slot = &s;
    if (slot != nullptr) {
        slot->pid = MyProcPid;
        slot->latch = MyLatch;
    }
    SpinLockRelease(&st->mutex);
    if (slot == nullptr) proc_exit(0);
    before_shmem_exit(clear_worker, PointerGetDatum(slot));
    for (;;) {
        if (!worker_round(slot)) {
            set_state(slot, WorkerState::NoExtension);
            proc_exit(0);  // the launcher looks again in a minute
        }
        nap(static_cast<long>(refill_naptime) * 1000L);
    }
}

namespace vid_pg {

// Registers the launcher; from _PG_init under shared_preload_libraries.
void register_launcher() {
    BackgroundWorker w;
    memset(&w, 0, sizeof w);
    w.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
    w.bgw_start_time = BgWorkerStart_RecoveryFinished;
    w.bgw_restart_time = 10;
    snprintf(w.bgw_library_name, BGW_MAXLEN, "vid");
    snprintf(w.bgw_function_name, BGW_MAXLEN, "vid_launcher_main");
    snprintf(w.bgw_name, BGW_MAXLEN, "vid launcher");
    snprintf(w.bgw_type, BGW_MAXLEN, "vid launcher");
    RegisterBackgroundWorker(&w);
}

}  // namespace vid_pg
