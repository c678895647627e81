// Compile-time fence: the core must build and unit-test without PostgreSQL.
#pragma once
#if defined(PG_VERSION_NUM) || defined(POSTGRES_H)
#error "src/core must not include PostgreSQL headers"
#endif
