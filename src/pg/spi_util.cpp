// SPI helpers: one-value SELECTs and numeric results.
#include "spi_util.hpp"

#include <cstdio>

extern "C" {
#include "executor/spi.h"
#include "utils/builtins.h"
#include "utils/numeric.h"
}

namespace vid_pg {
namespace {

Datum select_one(const char* sql, bool read_only) {
    int rc = SPI_execute(sql, read_only, 1);
    if (rc != SPI_OK_SELECT || SPI_processed != 1) elog(ERROR, "vid: \"%s\" failed: %s", sql, SPI_result_code_string(rc));
    bool isnull;
    Datum d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
    if (isnull) elog(ERROR, "vid: \"%s\" returned NULL", sql);
    return d;
}

}  // namespace

int64 select_int64(const char* sql, bool read_only) { return DatumGetInt64(select_one(sql, read_only)); }

bool select_bool(const char* sql, bool read_only) { return DatumGetBool(select_one(sql, read_only)); }

Datum numeric_from_double(double value) {
    char text[64];
    std::snprintf(text, sizeof text, "%.0f", value);
    return DirectFunctionCall3(numeric_in, CStringGetDatum(text), ObjectIdGetDatum(InvalidOid), Int32GetDatum(-1));
}

}  // namespace vid_pg
