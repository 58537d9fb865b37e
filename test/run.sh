#!/usr/bin/env bash
# test/run.sh -- `make test`: the regression suite (test/sql, expected/),
# the isolation specs (test/specs) and the pgTAP tests (test/t) against a
# private throwaway cluster.  Ends with "N passed, M failed"; exits non-zero
# on any failure.

source "$(dirname "$0")/harness.sh"
set +e

harness_setup || exit 1
cluster_start || exit 1
cd "$TOP"

passed=0
failed=0

# Count a pg_regress / pg_isolation_regress run: every test of the suite
# that did not report "ok" failed (a missing expected file, a crash...).
count_regress() {
	local out="$1" total="$2" ok
	ok=$(grep -cE '^(test )? *[A-Za-z0-9_-]+ +\.\.\. ok' "$out")
	passed=$((passed + ok))
	failed=$((failed + total - ok))
}

show_diffs() {
	[ -f regression.diffs ] && [ -n "${CI:-}" ] && cat regression.diffs
	return 0
}

echo "== regression suite"
make -s installcheck-regress PG_CONFIG="$PG_BIN/pg_config" 2>&1 | tee /tmp/feedback-regress.$$
rc=${PIPESTATUS[0]}
count_regress /tmp/feedback-regress.$$ "$(ls test/sql/*.sql | wc -l)"
[ "$rc" -ne 0 ] && show_diffs

echo "== isolation specs"
make -s installcheck-isolation PG_CONFIG="$PG_BIN/pg_config" 2>&1 | tee /tmp/feedback-iso.$$
rc=${PIPESTATUS[0]}
count_regress /tmp/feedback-iso.$$ "$(ls test/specs/*.spec | wc -l)"
[ "$rc" -ne 0 ] && show_diffs

echo "== dump and restore"
bash test/dump.sh 2>&1 | tee /tmp/feedback-dump.$$
passed=$((passed + $(grep -cE '^ok [0-9]+' /tmp/feedback-dump.$$)))
failed=$((failed + $(grep -cE '^not ok [0-9]+' /tmp/feedback-dump.$$)))

echo "== upgrade path"
bash test/upgrade.sh 2>&1 | tee /tmp/feedback-upgrade.$$
passed=$((passed + $(grep -cE '^ok [0-9]+' /tmp/feedback-upgrade.$$)))
failed=$((failed + $(grep -cE '^not ok [0-9]+' /tmp/feedback-upgrade.$$)))

echo "== fuzz (bounded: ${FUZZ_INPUTS:-20000} inputs)"
psql -qX -c 'CREATE DATABASE feedback_fuzz' >/dev/null
if psql -qXAt -v ON_ERROR_STOP=1 -v seed=0.42 -d feedback_fuzz -c "SET fuzz.inputs = ${FUZZ_INPUTS:-20000}" \
	-f test/fuzz.sql >/tmp/feedback-fuzz.$$ 2>&1; then
	passed=$((passed + 1))
	echo "ok - $(grep -c . /tmp/feedback-fuzz.$$) outcome lines, no crash and no undocumented error"
else
	failed=$((failed + 1))
	cat /tmp/feedback-fuzz.$$
fi

echo "== pgTAP"
psql -qX -c 'CREATE DATABASE feedback_tap' >/dev/null
pg_prove --verbose -d feedback_tap test/t/*.sql 2>&1 | tee /tmp/feedback-tap.$$
rc=${PIPESTATUS[0]}
ok=$(grep -cE '^ok [0-9]+' /tmp/feedback-tap.$$)
bad=$(grep -cE '^not ok [0-9]+' /tmp/feedback-tap.$$)
[ "$rc" -ne 0 ] && [ "$bad" -eq 0 ] && bad=1
passed=$((passed + ok))
failed=$((failed + bad))

cluster_stop
echo "== soak and crash (short: ${SOAK_SECONDS:-6}s)"
SOAK_SECONDS="${SOAK_SECONDS:-6}" SOAK_CLIENTS="${SOAK_CLIENTS:-8}" bash test/soak.sh 2>&1 | tee /tmp/feedback-soak.$$
passed=$((passed + $(grep -cE '^ok [0-9]+' /tmp/feedback-soak.$$)))
failed=$((failed + $(grep -cE '^not ok [0-9]+' /tmp/feedback-soak.$$)))
grep -q '^soak: ' /tmp/feedback-soak.$$ || failed=$((failed + 1))

rm -f /tmp/feedback-regress.$$ /tmp/feedback-iso.$$ /tmp/feedback-dump.$$ /tmp/feedback-tap.$$ \
	/tmp/feedback-fuzz.$$ /tmp/feedback-soak.$$ /tmp/feedback-upgrade.$$
echo
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
