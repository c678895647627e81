// One round of pool upkeep, shared by vid_refill() (pg_cron, by hand) and the refill worker.
#pragma once

#include "boundary.hpp"

namespace vid_pg {

struct RefillStep {
    bool locked;        // false: another session is refilling right now
    int64 available;    // AVAILABLE VIDs before this step
    int64 added;        // VIDs added by this step
    bool exhausted;     // the number space ran out (a WARNING was logged)
};

// Inside a transaction and an SPI connection: takes the refill lock (transaction-scoped advisory
// lock), counts the pool and, when it is below the threshold (or `continuing` a refill that
// started below it) and below the target, adds at most `max_batch` VIDs.
RefillStep refill_step(bool continuing, int64 max_batch);

// Moves at most `limit` ASSIGNED VIDs whose expiry has passed to EXPIRED; returns how many.
int64 sweep_expired(int64 limit);

}  // namespace vid_pg
