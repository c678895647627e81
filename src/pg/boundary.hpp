// The C++/PostgreSQL boundary: PostgreSQL headers, vid's SQLSTATEs, and the guard that turns a
// core exception into an ereport() without ever longjmp'ing across a live C++ object.
#pragma once

extern "C" {
#include "postgres.h"

#include "fmgr.h"
#include "utils/elog.h"
}

#include <cstdio>
#include <new>

#include "../core/error.hpp"

// vid's own SQLSTATE class "VD" (documented in README.md, "Errors").
#define ERRCODE_VID_NOT_FOUND MAKE_SQLSTATE('V', 'D', '0', '0', '1')
#define ERRCODE_VID_SPACE_EXHAUSTED MAKE_SQLSTATE('V', 'D', '0', '0', '2')
#define ERRCODE_VID_RANDOM_FAILURE MAKE_SQLSTATE('V', 'D', '0', '0', '3')
#define ERRCODE_VID_INTERNAL MAKE_SQLSTATE('V', 'D', '0', '0', '0')

namespace vid_pg {

// Runs a core call `f` (which must not call PostgreSQL) and raises its exception, if any, as an
// ERROR with a specific SQLSTATE once the C++ exception is fully gone.
template <typename F>
void core_call(F&& f) {
    int sqlstate = 0;
    char message[512];
    try {
        f();
    } catch (const vid::Error& e) {
        switch (e.kind()) {
            case vid::ErrorKind::InvalidConfig: sqlstate = ERRCODE_INVALID_PARAMETER_VALUE; break;
            case vid::ErrorKind::SpaceExhausted: sqlstate = ERRCODE_VID_SPACE_EXHAUSTED; break;
            case vid::ErrorKind::Random: sqlstate = ERRCODE_VID_RANDOM_FAILURE; break;
        }
        std::snprintf(message, sizeof message, "%s", e.what());
    } catch (const std::bad_alloc&) {
        sqlstate = ERRCODE_OUT_OF_MEMORY;
        std::snprintf(message, sizeof message, "out of memory in the vid core");
    } catch (const std::exception& e) {
        sqlstate = ERRCODE_VID_INTERNAL;
        std::snprintf(message, sizeof message, "internal error in the vid core: %s", e.what());
    } catch (...) {
        sqlstate = ERRCODE_VID_INTERNAL;
        std::snprintf(message, sizeof message, "internal error in the vid core");
    }
    if (sqlstate != 0) ereport(ERROR, (errcode(sqlstate), errmsg("%s", message)));
}

}  // namespace vid_pg
