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
	# "test name ... ok" up to PostgreSQL 15, "ok N - name" (TAP) from 16 on
	ok=$(grep -cE '^((test )? *[A-Za-z0-9_-]+ +\.\.\. ok|ok [0-9]+ +[-+] +[A-Za-z0-9_-]+)' "$out")
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

# A script that prints TAP lines: title, then the command.  A script that
# exits non-zero without a "not ok" line, or prints no test line at all
# (it died first), counts as one failure.
run_tap_script() {
	local title="$1" out rc
	shift
	out=$(mktemp)
	echo "== $title"
	"$@" 2>&1 | tee "$out"
	rc=${PIPESTATUS[0]}
	count_tap "$out"
	if ! grep -qE '^(not )?ok [0-9]+' "$out"; then
		echo "not ok - $title: no test ran (exit status $rc)"
		failed=$((failed + 1))
	elif [ "$rc" -ne 0 ] && ! grep -qE '^not ok [0-9]+' "$out"; then
		echo "not ok - $title: exit status $rc"
		failed=$((failed + 1))
	fi
	rm -f "$out"
}

# A pg_regress suite through its make target: title, target, how many
# tests it has, then the arguments for make.
run_make_suite() {
	local title="$1" target="$2" total="$3" out rc
	shift 3
	out=$(mktemp)
	echo "== $title"
	make -s "$target" PG_CONFIG="$PG_BIN/pg_config" "$@" 2>&1 | tee "$out"
	rc=${PIPESTATUS[0]}
	count_regress "$out" "$total"
	[ "$rc" -ne 0 ] && show_diffs
	rm -f "$out"
}

# The regression suite and the isolation specs through make installcheck
# (each in a throwaway database).
run_installcheck() {
	run_make_suite "regression suite and isolation specs (make installcheck)" installcheck \
		"$(($(ls test/sql/*.sql | wc -l) + $(ls test/specs/*.spec | wc -l)))"
}

# The regression suite (test/sql, expected/).
run_regress() {
	run_make_suite "regression suite" installcheck-regress "$(ls test/sql/*.sql | wc -l)" "$@"
}

# The isolation specs (test/specs).
run_isolation() {
	run_make_suite "isolation specs" installcheck-isolation "$(ls test/specs/*.spec | wc -l)" "$@"
}

# Count a pgTAP run from its output file and exit status.  The tests a
# script planned but never ran (it stopped on an error) count as failures;
# a failed run without any failed or missing test counts as one.
count_pgtap() {
	local out="$1" rc="$2" bad missing
	missing=$(sed -nE 's/.*Bad plan\. +You planned ([0-9]+) tests? but ran ([0-9]+)\..*/\1 \2/p' "$out" |
		awk '$1 > $2 { k += $1 - $2 } END { print k + 0 }')
	bad=$(grep -cE '^not ok [0-9]+' "$out")
	count_tap "$out"
	failed=$((failed + missing))
	[ "$rc" -ne 0 ] && [ "$bad" -eq 0 ] && [ "$missing" -eq 0 ] && failed=$((failed + 1))
	return 0
}

# The pgTAP tests (test/t) in database $1.
run_pgtap() {
	local db="$1" out rc
	out=$(mktemp)
	echo "== pgTAP"
	pg_prove --verbose -d "$db" test/t/*.sql 2>&1 | tee "$out"
	rc=${PIPESTATUS[0]}
	count_pgtap "$out" "$rc"
	rm -f "$out"
}

# The pgTAP tests through make prove (each run in a throwaway database).
run_prove() {
	local out rc
	out=$(mktemp)
	echo "== pgTAP (make prove)"
	make -s prove PG_CONFIG="$PG_BIN/pg_config" 2>&1 | tee "$out"
	rc=${PIPESTATUS[0]}
	count_pgtap "$out" "$rc"
	rm -f "$out"
}
