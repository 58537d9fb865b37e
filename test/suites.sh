# test/suites.sh -- the regression, isolation and pgTAP suites, shared by
# `make test` (test/run.sh) and `make test-citus` (test/citus.sh).  Source it
# after harness.sh with a cluster running; each function adds to $passed and
# $failed.  Extra arguments go to make (a database to use, for instance).
#
# Each suite prints one line, "ok - title (N passed)" or "not ok - title:
# N passed, M failed", and under a failure what shows why (indented): the
# failed tests with their diagnostics, the regression diffs, or the end of
# the output of a suite that died.  FEEDBACK_TEST_VERBOSE=1 prints each
# suite's whole output as well.

passed=0
failed=0

# The details shown under a failed suite, at most this many lines.
DETAIL_LINES=${DETAIL_LINES:-400}

# One suite's line: title, passed and failed in it, then on failure the
# file of details.
suite_line() {
	local title="$1" p="$2" f="$3" details="$4"
	if [ "$f" -eq 0 ]; then
		echo "ok - $title ($p passed)"
	else
		echo "not ok - $title: $p passed, $f failed"
		[ -s "$details" ] && head -n "$DETAIL_LINES" "$details" | sed 's/^/    /'
	fi
	return 0
}

# What explains a failure in a TAP stream: every failed test with the
# diagnostics under it, errors, and a plan that was not run; the end of
# the stream when none of these is there.
tap_details() {
	awk '/^not ok / { show = 1; print; next }
	     /^(ok |not ok |[0-9]+\.\.[0-9]+)/ { show = 0 }
	     show && /^#/ { print; next }
	     /ERROR:|FATAL:|Bad plan|Dubious|No subtests|No plan found|exit status/ { print }' "$1" >"$2"
	[ -s "$2" ] || tail -n 40 "$1" >"$2"
}

# Run a command quietly into $out; FEEDBACK_TEST_VERBOSE=1 also shows it.
run_quiet() {
	local out="$1"
	shift
	if [ -n "${FEEDBACK_TEST_VERBOSE:-}" ]; then
		"$@" 2>&1 | tee "$out"
		return "${PIPESTATUS[0]}"
	fi
	"$@" >"$out" 2>&1
}

# Count a pg_regress / pg_isolation_regress run: every test of the suite
# that did not report "ok" failed (a missing expected file, a crash...).
count_regress() {
	local out="$1" total="$2" ok
	# "test name ... ok" up to PostgreSQL 15, "ok N - name" (TAP) from 16 on
	ok=$(grep -cE '^((test )? *[A-Za-z0-9_-]+ +\.\.\. ok|ok [0-9]+ +[-+] +[A-Za-z0-9_-]+)' "$out")
	passed=$((passed + ok))
	failed=$((failed + total - ok))
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
	local title="$1" out details rc p0=$passed f0=$failed
	shift
	out=$(mktemp)
	details=$(mktemp)
	run_quiet "$out" "$@"
	rc=$?
	count_tap "$out"
	if ! grep -qE '^(not )?ok [0-9]+' "$out"; then
		echo "no test ran (exit status $rc)" >"$details"
		tail -n 40 "$out" >>"$details"
		failed=$((failed + 1))
	else
		if [ "$rc" -ne 0 ] && ! grep -qE '^not ok [0-9]+' "$out"; then
			echo "exit status $rc" >"$details"
			failed=$((failed + 1))
		fi
		tap_details "$out" "$details.tap"
		cat "$details.tap" >>"$details"
		rm -f "$details.tap"
	fi
	suite_line "$title" $((passed - p0)) $((failed - f0)) "$details"
	rm -f "$out" "$details"
}

# A pg_regress suite through its make target: title, target, how many
# tests it has, then the arguments for make.
run_make_suite() {
	local title="$1" target="$2" total="$3" out details rc p0=$passed f0=$failed
	shift 3
	out=$(mktemp)
	details=$(mktemp)
	rm -f regression.diffs
	run_quiet "$out" make -s "$target" PG_CONFIG="$PG_BIN/pg_config" "$@"
	rc=$?
	count_regress "$out" "$total"
	if [ "$rc" -ne 0 ] || [ $((failed - f0)) -ne 0 ]; then
		grep -vE '^((test )? *[A-Za-z0-9_-]+ +\.\.\. ok|ok [0-9]+ +[-+] +[A-Za-z0-9_-]+)|^=+$|^ *$|^\(using postmaster' "$out" >"$details"
		[ -f regression.diffs ] && cat regression.diffs >>"$details"
		[ "$rc" -ne 0 ] && [ $((failed - f0)) -eq 0 ] && failed=$((failed + 1))
	fi
	suite_line "$title" $((passed - p0)) $((failed - f0)) "$details"
	rm -f "$out" "$details"
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

# A pgTAP run: title, then the command.
run_pgtap_command() {
	local title="$1" out details rc p0=$passed f0=$failed
	shift
	out=$(mktemp)
	details=$(mktemp)
	run_quiet "$out" "$@"
	rc=$?
	count_pgtap "$out" "$rc"
	tap_details "$out" "$details"
	suite_line "$title" $((passed - p0)) $((failed - f0)) "$details"
	rm -f "$out" "$details"
}

# The pgTAP tests (test/t) in database $1.
run_pgtap() {
	run_pgtap_command "pgTAP" pg_prove --verbose -d "$1" test/t/*.sql
}

# The pgTAP tests through make prove (each run in a throwaway database).
run_prove() {
	run_pgtap_command "pgTAP (make prove)" make -s prove PG_CONFIG="$PG_BIN/pg_config"
}
