// Filling the pool, shared by vid_generate_pool, vid_allocate (empty pool) and the refill path.
#pragma once

#include "boundary.hpp"

namespace vid_pg {

// Upper bound of n for one vid_generate_pool call.
constexpr int kMaxGenerate = 100000000;

// Adds exactly n new AVAILABLE VIDs (inside an SPI connection); ERROR when the space is exhausted.
int64 generate_into_pool(int64 n);

}  // namespace vid_pg
