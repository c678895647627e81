// Small SPI helpers shared by the boundary (inside an SPI connection).
#pragma once

#include "boundary.hpp"

namespace vid_pg {

// The first column of the single row of a SELECT, as int64 / bool (ERROR otherwise).
int64 select_int64(const char* sql, bool read_only);
bool select_bool(const char* sql, bool read_only);

// A numeric Datum for a whole number held in a double (counts of VIDs beyond int64 precision).
Datum numeric_from_double(double value);

}  // namespace vid_pg
