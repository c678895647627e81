// Filling the pool, shared by vid_generate_pool, vid_allocate (empty pool) and the refill path.
#pragma once

#include "boundary.hpp"

namespace vid_pg {

// Upper bound of n for one vid_generate_pool call.
constexpr int kMaxGenerate = 100000000;

// Adds exactly n new AVAILABLE VIDs (inside an SPI connection). When the number space runs
// out: ERROR (VD002), or, with `exhausted` given, a WARNING, *exhausted = true and the count
// added so far (kept: the caller commits them).
int64 generate_into_pool(int64 n, bool* exhausted = nullptr);

}  // namespace vid_pg
