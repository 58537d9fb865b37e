# test/suites.sh -- the regression, isolation and pgTAP suites, shared by
# `make test` (test/run.sh) and `make test-citus` (test/citus.sh).  Source it
# after harness.sh with a cluster running; each function adds to $passed and
# $failed.  Extra arguments go to make (a database to use, for instance).

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

# Count the "ok N" / "not ok N" lines of a TAP stream.
count_tap() {
	passed=$((passed + $(grep -cE '^ok [0-9]+' "$1")))
	failed=$((failed + $(grep -cE '^not ok [0-9]+' "$1")))
}

# The regression suite (test/sql, expected/).
run_regress() {
	local out rc
	out=$(mktemp)
	echo "== regression suite"
	make -s installcheck-regress PG_CONFIG="$PG_BIN/pg_config" "$@" 2>&1 | tee "$out"
	rc=${PIPESTATUS[0]}
	count_regress "$out" "$(ls test/sql/*.sql | wc -l)"
	[ "$rc" -ne 0 ] && show_diffs
	rm -f "$out"
}

# The isolation specs (test/specs).
run_isolation() {
	local out rc
	out=$(mktemp)
	echo "== isolation specs"
	make -s installcheck-isolation PG_CONFIG="$PG_BIN/pg_config" "$@" 2>&1 | tee "$out"
	rc=${PIPESTATUS[0]}
	count_regress "$out" "$(ls test/specs/*.spec | wc -l)"
	[ "$rc" -ne 0 ] && show_diffs
	rm -f "$out"
}

# The pgTAP tests (test/t) in database $1; a failed run without a failed
# test (a script that stopped) counts as one failure.
run_pgtap() {
	local db="$1" out rc bad
	out=$(mktemp)
	echo "== pgTAP"
	pg_prove --verbose -d "$db" test/t/*.sql 2>&1 | tee "$out"
	rc=${PIPESTATUS[0]}
	bad=$(grep -cE '^not ok [0-9]+' "$out")
	count_tap "$out"
	[ "$rc" -ne 0 ] && [ "$bad" -eq 0 ] && failed=$((failed + 1))
	rm -f "$out"
}
