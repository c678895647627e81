// Fence: the core builds and unit-tests without PostgreSQL. CMake compiles it with
// VID_CORE_ONLY and no PostgreSQL include path, so a PostgreSQL header in src/core fails there.
#pragma once
#if defined(VID_CORE_ONLY) && (defined(PG_VERSION_NUM) || defined(POSTGRES_H))
#error "src/core must not include PostgreSQL headers"
#endif
