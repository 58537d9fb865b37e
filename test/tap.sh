# test/tap.sh -- TAP reporting shared by the shell tests (test/dump.sh,
# test/upgrade.sh): a plan of named checks, "ok"/"not ok" lines, and on exit
# a "not ok" for every planned check that did not run, so a script that
# stops early can never pass.  Source it, add the checks with plan, print
# "1..$planned", then report each check in order.  A script may define
# cleanup, which runs on exit.

n=0		# checks reported so far
planned=0	# checks planned so far
failed=0	# checks that did not pass
names=()	# the name of every planned check, by number

# plan NAME...: add checks to the plan.
plan() {
	local name
	for name in "$@"; do
		planned=$((planned + 1))
		names[$planned]="$name"
	done
}

# report STATUS [DIAGNOSTICS-FILE]: the next planned check passed (STATUS
# 0) or failed; on failure the file's first lines follow as TAP comments.
report() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n - ${names[$n]}"
	else
		failed=$((failed + 1))
		echo "not ok $n - ${names[$n]}"
		if [ -n "${2:-}" ] && [ -s "$2" ]; then
			head -n 80 "$2" | sed 's/^/#   /'
		fi
	fi
}

# skip_to LAST REASON: every planned check up to LAST that has not been
# reported fails, saying why.
skip_to() {
	while [ "$n" -lt "$1" ]; do
		n=$((n + 1))
		failed=$((failed + 1))
		echo "not ok $n - ${names[$n]} # $2"
	done
}

# On exit: the checks that never ran fail, cleanup runs, and the exit
# status says whether anything failed.
tap_finish() {
	local rc=$?
	skip_to "$planned" "not run: the script stopped early"
	if declare -F cleanup >/dev/null; then
		cleanup
	fi
	if [ "$failed" -gt 0 ] || [ "$rc" -ne 0 ]; then
		exit 1
	fi
	exit 0
}
trap tap_finish EXIT

# Notices (extensions installed by CASCADE, objects that do not exist yet)
# are not part of what is checked.
export PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning"

# psql on database $1, stopping at the first error.
q() {
	local db="$1"
	shift
	psql -qXAt -v ON_ERROR_STOP=1 -d "$db" "$@"
}
