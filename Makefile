# vid: PGXS build (make && make install), pg_regress tests (make installcheck).
EXTENSION = vid
EXTVERSION = 0.3.0

MODULE_big = vid
OBJS = \
	src/core/rules.o src/core/pattern_scan.o src/core/pattern_scan_lanes.o src/core/verhoeff.o src/core/random.o src/core/generator.o \
	src/pg/module.o src/pg/rules_cache.o src/pg/text_input.o src/pg/check_functions.o \
	src/pg/pool_functions.o src/pg/configure.o \
	src/pg/shared_state.o src/pg/refill.o src/pg/worker.o src/pg/status_functions.o src/pg/spi_util.o

# SQL: the first release's script, then one upgrade script per release. The install script of
# the current version is their concatenation, so a fresh install and an upgraded one are the same.
SQL_CHAIN = src/sql/vid--0.1.0.sql src/sql/vid--0.1.0--0.2.0.sql src/sql/vid--0.2.0--0.3.0.sql
DATA = $(SQL_CHAIN)
DATA_built = vid--$(EXTVERSION).sql
EXTRA_CLEAN = vid--$(EXTVERSION).sql

REGRESS = rules pool errors configure exhaustion operability upgrade

PG_CPPFLAGS = -I$(srcdir)/src
VID_CXXFLAGS = -std=c++17 -Wall -Wno-missing-field-initializers -Wno-register -Werror
PG_CXXFLAGS = $(VID_CXXFLAGS) -MMD -MP   # -MMD: rebuild when an included header changes
SHLIB_LINK = -lcrypto -lstdc++

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# PGXS does not track headers: the .d files written by -MMD do.
EXTRA_CLEAN += $(OBJS:.o=.d)
-include $(OBJS:.o=.d)

# Debian's PGXS compiles C++ to LLVM bitcode without PG_CXXFLAGS.
COMPILE.cxx.bc += $(VID_CXXFLAGS) $(PG_CPPFLAGS)

vid--$(EXTVERSION).sql: $(SQL_CHAIN)
	{ cat src/sql/vid--0.1.0.sql; for f in $(filter-out src/sql/vid--0.1.0.sql,$(SQL_CHAIN)); do \
	    echo; grep -v '^\\echo Use ' $$f; done; } > $@

# The archive PGXN takes: make dist
dist:
	git archive --format zip --prefix=vid-$(EXTVERSION)/ -o vid-$(EXTVERSION).zip HEAD
