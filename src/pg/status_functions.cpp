// What a DBA asks about the pool: vid_space() (how much of the number space is used) and the
// hook that tells the refill launcher about a new installation.
#include "boundary.hpp"

extern "C" {
#include "access/htup_details.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/numeric.h"
#include "utils/timestamp.h"
}

#include "rules_cache.hpp"
#include "shared_state.hpp"
#include "spi_util.hpp"
#include "text_input.hpp"

extern "C" {
PG_FUNCTION_INFO_V1(vid_space);
PG_FUNCTION_INFO_V1(vid_wake_launcher);
PG_FUNCTION_INFO_V1(vid_worker_status);
PG_FUNCTION_INFO_V1(vid_key_to_text);
PG_FUNCTION_INFO_V1(vid_space_size);
}

// vid.space_size() -> (valid_vids, exact): the valid space, cached per session with the rules.
extern "C" Datum vid_space_size(PG_FUNCTION_ARGS) {
    TupleDesc desc;
    if (get_call_result_type(fcinfo, nullptr, &desc) != TYPEFUNC_COMPOSITE)
        elog(ERROR, "vid: space_size must return a composite type");
    desc = BlessTupleDesc(desc);
    const vid::Generator::SpaceSize size = vid_pg::space_size();
    Datum values[2] = {vid_pg::numeric_from_double(size.valid), BoolGetDatum(size.exact)};
    bool nulls[2] = {false, false};
    PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(desc, values, nulls)));
}

namespace {

const char* state_name(vid_pg::WorkerState s) {
    switch (s) {
        case vid_pg::WorkerState::None: return "not started";
        case vid_pg::WorkerState::Starting: return "starting";
        case vid_pg::WorkerState::Idle: return "idle";
        case vid_pg::WorkerState::Refilling: return "refilling";
        case vid_pg::WorkerState::NoExtension: return "no extension";
        case vid_pg::WorkerState::SpaceExhausted: return "space exhausted";
        case vid_pg::WorkerState::Failed: return "failed to start";
    }
    return "unknown";
}

}  // namespace

// vid.worker_status() -> (state, pid, last_round, last_refill, last_added): this database's
// refill worker as the shared memory sees it; state 'not loaded' without shared_preload_libraries.
extern "C" Datum vid_worker_status(PG_FUNCTION_ARGS) {
    TupleDesc desc;
    if (get_call_result_type(fcinfo, nullptr, &desc) != TYPEFUNC_COMPOSITE)
        elog(ERROR, "vid: worker_status must return a composite type");
    desc = BlessTupleDesc(desc);
    Datum values[5] = {0, 0, 0, 0, 0};
    bool nulls[5] = {false, true, true, true, true};
    vid_pg::SharedState* st = vid_pg::shared_state();
    vid_pg::DbSlot* slot = vid_pg::my_db_slot();
    if (st == nullptr) {
        values[0] = CStringGetTextDatum("not loaded");
    } else if (slot == nullptr) {
        values[0] = CStringGetTextDatum(st->launcher_pid != 0 ? "not started" : "no launcher");
    } else {
        SpinLockAcquire(&st->mutex);
        const vid_pg::WorkerState state = slot->state;
        const int pid = slot->pid;
        const TimestampTz round = slot->last_round, refill = slot->last_refill;
        const int64 added = slot->last_added;
        SpinLockRelease(&st->mutex);
        values[0] = CStringGetTextDatum(pid != 0 ? state_name(state) : (state == vid_pg::WorkerState::Starting ? "starting" : "not running"));
        if (pid != 0) { values[1] = Int32GetDatum(pid); nulls[1] = false; }
        if (round != 0) { values[2] = TimestampTzGetDatum(round); nulls[2] = false; }
        if (refill != 0) {
            values[3] = TimestampTzGetDatum(refill);
            values[4] = Int64GetDatum(added);
            nulls[3] = nulls[4] = false;
        }
    }
    PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(desc, values, nulls)));
}

// vid.key_to_text(bigint) -> text: a stored key as the VID its holder sees (zero-padded).
extern "C" Datum vid_key_to_text(PG_FUNCTION_ARGS) {
    const int64 key = PG_GETARG_INT64(0);
    if (key < 0) PG_RETURN_NULL();
    PG_RETURN_TEXT_P(vid_pg::vid_to_text(static_cast<uint64_t>(key), vid_pg::current_rules().config().length));
}

// vid_space() -> (valid_vids, exact, generated, available, used_share): the size of the space of
// valid VIDs under the rules in force (exact up to 8 digits, else estimated) and how much of it
// this database has generated.
extern "C" Datum vid_space(PG_FUNCTION_ARGS) {
    TupleDesc desc;
    if (get_call_result_type(fcinfo, nullptr, &desc) != TYPEFUNC_COMPOSITE)
        elog(ERROR, "vid: vid_space must return a composite type");
    desc = BlessTupleDesc(desc);

    const vid::Generator::SpaceSize size = vid_pg::space_size();

    if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "vid: SPI_connect failed");
    const bool pool = vid_pg::has_pool_table();
    const int64 available = vid_pg::select_int64(
        pool ? "SELECT count(*) FROM vid.pool" : "SELECT count(*) FROM vid.vid WHERE status = 'AVAILABLE'", true);
    const int64 generated =
        vid_pg::select_int64("SELECT count(*) FROM vid.vid", true) + (pool ? available : 0);
    SPI_finish();

    Datum values[5] = {
        vid_pg::numeric_from_double(size.valid),
        BoolGetDatum(size.exact),
        Int64GetDatum(generated),
        Int64GetDatum(available),
        Float8GetDatum(size.valid > 0 ? static_cast<double>(generated) / size.valid : 1.0),
    };
    bool nulls[5] = {false, false, false, false, false};
    PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(desc, values, nulls)));
}

// vid.wake_launcher() -> void: the refill launcher looks at this database at commit (called by
// CREATE EXTENSION; does nothing without shared_preload_libraries).
extern "C" Datum vid_wake_launcher(PG_FUNCTION_ARGS) {
    vid_pg::wake_launcher_at_commit();
    PG_RETURN_VOID();
}
