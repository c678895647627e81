// Pool upkeep: refill below the threshold up to the target, and the expiry sweep.
#include "refill.hpp"

#include <algorithm>

extern "C" {
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/timestamp.h"
}

#include "pool.hpp"
#include "rules_cache.hpp"
#include "shared_state.hpp"
#include "spi_util.hpp"

extern "C" {
PG_FUNCTION_INFO_V1(vid_refill);
}

namespace vid_pg {
namespace {

// The refill lock: pg_try_advisory_xact_lock(7760228, 1) (7760228 is 'vid' in hex).
bool try_refill_lock() { return select_bool("SELECT pg_catalog.pg_try_advisory_xact_lock(7760228, 1)", false); }

int64 count_available() {
    return select_int64(has_pool_table() ? "SELECT count(*) FROM vid.pool"
                                         : "SELECT count(*) FROM vid.vid WHERE status = 'AVAILABLE'",
                        false);
}

}  // namespace

RefillStep refill_step(bool continuing, int64 max_batch) {
    RefillStep step{false, 0, 0, false};
    if (!try_refill_lock()) return step;
    step.locked = true;
    // The first step of a round counts the pool; the next ones (a refill that goes on, under load)
    // read the shared estimate, which allocations decrement and generation increments: counting a
    // pool of 100,000 rows per batch was a large share of the worker's time.
    DbSlot* slot = my_db_slot();
    step.available = continuing && slot != nullptr ? static_cast<int64>(pg_atomic_read_u64(&slot->available))
                                                   : count_available();
    const int64 target = std::max(refill_target, refill_threshold);
    const bool below = step.available < refill_threshold || (continuing && step.available < target);
    if (below) {
        const int64 want = std::min<int64>(max_batch, target - step.available);
        step.added = generate_into_pool(want, &step.exhausted);
    }
    if (slot != nullptr) {
        if (!continuing) pg_atomic_write_u64(&slot->available, static_cast<uint64>(step.available + step.added));
        pg_atomic_write_u32(&slot->wake_pending, 0);
    }
    return step;
}

int64 sweep_expired(int64 limit) {
    Oid types[1] = {INT8OID};
    Datum values[1] = {Int64GetDatum(limit)};
    int rc = SPI_execute_with_args(
        "UPDATE vid.vid SET status = 'EXPIRED' WHERE vid IN (SELECT vid FROM vid.vid "
        "WHERE status = 'ASSIGNED' AND expiry <= now() ORDER BY expiry LIMIT $1 FOR UPDATE SKIP LOCKED)",
        1, types, values, nullptr, false, 0);
    if (rc != SPI_OK_UPDATE) elog(ERROR, "vid: the expiry sweep failed: %s", SPI_result_code_string(rc));
    return static_cast<int64>(SPI_processed);
}

}  // namespace vid_pg

// vid_refill() -> bigint: one round (refill to the target when below the threshold, expiry
// sweep) in the caller's transaction; returns the VIDs added. A concurrent caller returns 0.
extern "C" Datum vid_refill(PG_FUNCTION_ARGS) {
    PreventCommandDuringRecovery("vid_refill()");
    if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "vid: SPI_connect failed");
    int64 added = 0;
    for (;;) {
        vid_pg::RefillStep step = vid_pg::refill_step(added > 0, vid_pg::kMaxGenerate);
        if (!step.locked) break;
        added += step.added;
        if (step.added == 0 || step.exhausted) break;
    }
    while (vid_pg::sweep_expired(100000) > 0) {
    }
    SPI_finish();
    PG_RETURN_INT64(added);
}
