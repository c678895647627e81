# vid: PGXS build (make && make install), pg_regress tests (make installcheck).
EXTENSION = vid
EXTVERSION = 0.1.0

MODULE_big = vid
OBJS = \
	src/core/rules.o src/core/verhoeff.o src/core/random.o src/core/generator.o \
	src/pg/module.o src/pg/rules_cache.o src/pg/text_input.o src/pg/check_functions.o \
	src/pg/pool_functions.o src/pg/configure.o \
	src/pg/shared_state.o src/pg/refill.o src/pg/worker.o src/pg/status_functions.o

DATA_built = vid--$(EXTVERSION).sql
EXTRA_CLEAN = vid--$(EXTVERSION).sql

REGRESS = rules pool errors configure exhaustion

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

# One hand-edited SQL source; the install script of this version is built from it.
vid--$(EXTVERSION).sql: src/vid.sql
	cp $< $@
