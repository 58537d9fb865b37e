#!/usr/bin/env bash
# test/run.sh -- `make test`: the regression suite (test/sql, expected/)
# and the isolation specs (test/specs) through `make installcheck`, the
# pgTAP tests (test/t) through `make prove`, the dump, upgrade, fuzz and
# soak tests, against a private throwaway cluster, then the same suites on
# Citus where it is installed (test/citus.sh).  One line per suite (see
# test/suites.sh: the details of a failure under it), then "N passed, M
# failed"; exits non-zero on any failure.

source "$(dirname "$0")/harness.sh"
set +e
source "$TOP/test/suites.sh"

# The build (warnings are errors) and the install, quiet unless they fail.
if run_quiet /tmp/feedback-build.$$ harness_setup; then
	passed=$((passed + 1))
	echo "ok - feedback $(make -s -C "$TOP" print-version) builds with -Werror and installs"
	rm -f /tmp/feedback-build.$$
else
	echo "not ok - the extension builds and installs"
	tail -n 60 /tmp/feedback-build.$$ | sed 's/^/    /'
	rm -f /tmp/feedback-build.$$
	echo "$passed passed, 1 failed"
	exit 1
fi
# wal_level = logical: test/t/changes.sql reads changes through logical slots
CLUSTER_CONF="wal_level = logical" cluster_start || exit 1
cd "$TOP"

if [ "$(psql -qXAt -c 'SHOW wal_level')" = logical ]; then
	passed=$((passed + 1))
	echo "ok - the private cluster runs with wal_level = logical: the change-stream checks run, not skip"
else
	failed=$((failed + 1))
	echo "not ok - the private cluster does not run with wal_level = logical: the change-stream checks would skip"
fi
run_installcheck

run_tap_script "dump and restore" bash test/dump.sh
run_tap_script "upgrade path" bash test/upgrade.sh
run_tap_script "the reference's enrichment worker" bash test/worker.sh
run_tap_script "docs/reference.md against the installed functions" bash test/reference.sh
run_tap_script "the SQL of the README and docs/, run top to bottom" bash test/doctest.sh
run_tap_script "databases that are not UTF-8 (LATIN1, EUC_JP, SQL_ASCII)" bash test/encodings.sh

psql -qX -c 'CREATE DATABASE feedback_fuzz' >/dev/null
if psql -qXAt -v ON_ERROR_STOP=1 -v seed=0.42 -d feedback_fuzz -c "SET fuzz.inputs = ${FUZZ_INPUTS:-20000}" \
	-f test/fuzz.sql >/tmp/feedback-fuzz.$$ 2>&1; then
	passed=$((passed + 1))
	echo "ok - fuzz (bounded: ${FUZZ_INPUTS:-20000} inputs): $(grep -c . /tmp/feedback-fuzz.$$) outcome lines, no crash and no undocumented error"
else
	failed=$((failed + 1))
	echo "not ok - fuzz (bounded: ${FUZZ_INPUTS:-20000} inputs)"
	tail -n 40 /tmp/feedback-fuzz.$$ | sed 's/^/    /'
fi

run_prove

cluster_stop
run_tap_script "soak and crash (short: ${SOAK_SECONDS:-6}s)" \
	env SOAK_SECONDS="${SOAK_SECONDS:-6}" SOAK_CLIENTS="${SOAK_CLIENTS:-8}" bash test/soak.sh
run_tap_script "self-test of the runners: each fails on a broken input" bash test/selftest.sh

run_quiet /tmp/feedback-citus.$$ bash test/citus.sh
if grep -q '^SKIPPED' /tmp/feedback-citus.$$; then
	echo "ok - the suites on Citus (make test-citus): $(sed -n 's/^SKIPPED: //p' /tmp/feedback-citus.$$)"
elif summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' /tmp/feedback-citus.$$ | tail -1) && [ -n "$summary" ]; then
	citus_passed=${summary%% passed*}
	summary=${summary#*, }
	citus_failed=${summary%% failed}
	passed=$((passed + citus_passed))
	failed=$((failed + citus_failed))
	grep -E '^(    |not ok|#)' /tmp/feedback-citus.$$ >/tmp/feedback-citus-details.$$
	suite_line "the suites on Citus (make test-citus)" "$citus_passed" "$citus_failed" /tmp/feedback-citus-details.$$
else
	failed=$((failed + 1))
	tail -n 40 /tmp/feedback-citus.$$ >/tmp/feedback-citus-details.$$
	suite_line "the suites on Citus (make test-citus): no summary" 0 1 /tmp/feedback-citus-details.$$
fi

rm -f /tmp/feedback-citus.$$ /tmp/feedback-citus-details.$$ /tmp/feedback-fuzz.$$
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
