// What a DBA asks about the pool: vid_space() (how much of the number space is used) and the
// hook that tells the refill launcher about a new installation.
#include "boundary.hpp"

extern "C" {
#include "access/htup_details.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/numeric.h"
}

#include "rules_cache.hpp"
#include "shared_state.hpp"

extern "C" {
PG_FUNCTION_INFO_V1(vid_space);
PG_FUNCTION_INFO_V1(vid_wake_launcher);
}

// vid_space() -> (valid_vids, exact, generated, available, used_share): the size of the space of
// valid VIDs under the rules in force (exact up to 8 digits, else estimated) and how much of it
// this database has generated.
extern "C" Datum vid_space(PG_FUNCTION_ARGS) {
    TupleDesc desc;
    if (get_call_result_type(fcinfo, nullptr, &desc) != TYPEFUNC_COMPOSITE)
        elog(ERROR, "vid: vid_space must return a composite type");
    desc = BlessTupleDesc(desc);

    const vid::Generator& gen = vid_pg::current_generator();
    vid::Generator::SpaceSize size{0, false};
    vid_pg::core_call([&] { size = gen.space_size(vid_pg::rng()); });

    if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "vid: SPI_connect failed");
    int rc = SPI_execute("SELECT count(*), count(*) FILTER (WHERE status = 'AVAILABLE') FROM vid.vid", true, 1);
    if (rc != SPI_OK_SELECT || SPI_processed != 1) elog(ERROR, "vid: counting VIDs failed");
    bool isnull;
    int64 generated = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
    int64 available = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull));
    SPI_finish();

    char valid_text[64];
    snprintf(valid_text, sizeof valid_text, "%.0f", size.valid);
    Datum values[5] = {
        DirectFunctionCall3(numeric_in, CStringGetDatum(valid_text), ObjectIdGetDatum(InvalidOid), Int32GetDatum(-1)),
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
