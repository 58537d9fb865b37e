# Makefile for the feedback extension (PGXS)

EXTENSION = feedback
EXTVERSION = $(shell grep -m 1 '^default_version' feedback.control | sed -E "s/.*'(.*)'.*/\1/")

MODULE_big = feedback
OBJS = $(patsubst %.c,%.o,$(sort $(wildcard src/*.c)))
HEADERS = $(wildcard src/*.h)

DATA = $(wildcard sql/feedback--*.sql)

REGRESS = $(sort $(patsubst test/sql/%.sql,%,$(wildcard test/sql/*.sql)))
REGRESS_OPTS = --inputdir=test
ISOLATION = $(sort $(patsubst test/specs/%.spec,%,$(wildcard test/specs/*.spec)))
ISOLATION_OPTS = --inputdir=test --outputdir=.

# installcheck is ours (test/check.sh): each suite in a throwaway database.
NO_INSTALLCHECK = 1

PG_CFLAGS += -Wall -Wextra -Werror -Wno-unused-parameter -Wno-missing-field-initializers
EXTRA_CLEAN = results regression.diffs regression.out output_iso tmp_check

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs 2>/dev/null)
ifneq ($(wildcard $(PGXS)),)
include $(PGXS)
endif

# Every object includes src/feedback.h: rebuild them all when a header changes.
$(OBJS): $(HEADERS)

# The two commands.  Both install what is missing, build, install the
# extension and run against a private throwaway cluster (see test/harness.sh).
.PHONY: test demo bench soak fuzz valgrind test-citus installcheck prove installcheck-regress installcheck-isolation print-version

test:
	@bash test/run.sh

demo:
	@bash test/demo.sh

# pgbench against a private cluster; BENCH_SCALE=0.1 for a quick run.
bench:
	@bash test/bench.sh

# 60 s of mixed load at 16 clients with a kill -9 half-way, then the invariants.
soak:
	@bash test/soak.sh

# A million random inputs through the C parsers (FUZZ_INPUTS to change it).
fuzz:
	@bash test/fuzz.sh

# The regression and pgTAP suites against a server under valgrind memcheck.
valgrind:
	@bash test/valgrind.sh

# Where Citus is installed: the suites on a Citus cluster of a coordinator and
# two workers, and the equivalence test (make test runs it too).
test-citus:
	@bash test/citus.sh

# For DBAs, against their own server with the extension installed (PGHOST,
# PGPORT, PGUSER as for psql): the regression and isolation suites, and the
# pgTAP suite, each in a throwaway database created and dropped for the run.
installcheck:
	@bash test/check.sh installcheck

prove:
	@bash test/check.sh prove

# The suites one by one, in the existing database TEST_DB (one with Citus,
# or a throwaway one of test/check.sh); without it pg_regress makes its own.
ifdef TEST_DB
USE_DB = --use-existing --dbname=$(TEST_DB)
endif

installcheck-regress:
	$(pg_regress_installcheck) $(REGRESS_OPTS) $(USE_DB) $(REGRESS)

installcheck-isolation:
	$(pg_isolation_regress_installcheck) $(ISOLATION_OPTS) $(USE_DB) $(ISOLATION)

print-version:
	@echo $(EXTVERSION)
