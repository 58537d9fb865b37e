#!/usr/bin/env bash
# test/soak.sh -- `make soak`: a mixed workload (submits, replaces, patches,
# status changes, deletes, queue reads, archives, and calls that provoke a
# documented error on purpose) with pgbench at SOAK_CLIENTS clients for
# SOAK_SECONDS on a private cluster, beside writers that log every submit
# they saw acknowledged; with SOAK_CRASH=1, kill -9 of the postmaster in the
# middle and a restart.  Then:
#   - every call's outcome, by operation and SQLSTATE (the error mix), is
#     printed and must be one soak.expected allows (test/soak/setup.sql), no
#     more often than it allows: an error from a call that is allowed on
#     valid input, or a provocation without its documented error, fails;
#   - every acknowledged submit is present;
#   - every invariant of test/soak/invariants.sql holds, and every one of
#     them ran (one result line each, psql without error).
# Prints TAP lines and "soak: N checks, M failed"; exits non-zero on any
# failure.
#
#   SOAK_SECONDS (default 60), SOAK_CLIENTS (default 16), SOAK_CRASH (default 1)
#   SOAK_SETUP, SOAK_WORKLOAD, SOAK_INVARIANTS: other files instead of
#   test/soak/setup.sql, workload.sql and invariants.sql (the self-test
#   passes broken ones)
#
# Sourced (by test/selftest.sh), it only defines the soak_* functions, which
# report on the database of the environment (PGHOST, PGDATABASE...).

set -u

n=0		# checks reported
failed=0	# checks that failed

# soak_check STATUS NAME [DIAGNOSTICS-FILE]: a TAP line; on failure the
# file's first lines follow as TAP comments.
soak_check() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		failed=$((failed + 1))
		if [ -n "${3:-}" ] && [ -s "$3" ]; then
			head -n 40 "$3" | sed 's/^/#   /'
		fi
	fi
}

# soak_error_mix WORKDIR: print every (operation, outcome) of soak.outcomes
# with its count and verdict, and every required outcome never seen; one
# check, that all of them are allowed.
soak_error_mix() {
	local work="$1" mix_rc calls bad
	psql -qXAt -v ON_ERROR_STOP=1 -F '|' >"$work/mix" 2>&1 <<'SQL'
WITH seen AS (SELECT op, outcome, count(*) AS n, min(message) AS message FROM soak.outcomes GROUP BY 1, 2),
     total AS (SELECT op, sum(n) AS calls FROM seen GROUP BY op)
SELECT COALESCE(s.op, e.op), COALESCE(s.outcome, e.outcome), COALESCE(s.n, 0), COALESCE(t.calls, 0),
       CASE WHEN e.op IS NULL THEN 'UNEXPECTED'
            WHEN s.op IS NULL THEN 'NEVER SEEN (required)'
            WHEN s.n > e.max_share * t.calls THEN format('TOO OFTEN (at most %s%%)', round((e.max_share * 100)::numeric, 1))
            ELSE 'ok' END,
       COALESCE(s.message, '')
  FROM seen s
  FULL JOIN soak.expected e ON e.op = s.op AND e.outcome = s.outcome
  LEFT JOIN total t ON t.op = COALESCE(s.op, e.op)
 WHERE s.op IS NOT NULL OR e.required
 ORDER BY 1, 2;
SQL
	mix_rc=$?
	echo "   the error mix (operation, outcome, calls / all calls of the operation, verdict):"
	awk -F'|' 'NF >= 5 { printf "   %-28s %-6s %7d / %-7d %s%s\n", $1, $2, $3, $4, $5, ($5 != "ok" && $6 != "" ? "  (" $6 ")" : "") }
	           NF < 5 { print "   " $0 }' "$work/mix"
	calls=$(awk -F'|' 'NF >= 5 { k += $3 } END { print k + 0 }' "$work/mix")
	bad=$(awk -F'|' 'NF >= 5 && $5 != "ok"' "$work/mix" | wc -l)
	[ "$mix_rc" -eq 0 ] && [ "$calls" -gt 0 ] && [ "$bad" -eq 0 ]
	soak_check $? "every call's outcome is one its operation allows, within its bounds ($calls calls, $bad outcome(s) not allowed)"
}

# soak_invariants FILE TENANT WORKDIR: a check for each invariant of FILE,
# and one that every invariant ran: one result line for each statement of
# FILE that begins a line with SELECT, and psql without error.
soak_invariants() {
	local file="$1" tenant="$2" work="$3" expected_lines got_lines inv_rc label violations
	expected_lines=$(grep -c '^SELECT ' "$file")
	psql -qXAt -v ON_ERROR_STOP=1 -v t="$tenant" -f "$file" >"$work/invariants" 2>"$work/invariants.err"
	inv_rc=$?
	while IFS='|' read -r label violations; do
		[ "$violations" = 0 ]
		soak_check $? "$label ($violations violations)"
	done <"$work/invariants"
	got_lines=$(grep -c . "$work/invariants")
	[ "$inv_rc" -eq 0 ] && [ "$expected_lines" -gt 0 ] && [ "$got_lines" -eq "$expected_lines" ]
	soak_check $? "every invariant ran ($got_lines result lines of $expected_lines invariants, psql exit $inv_rc)" \
		"$work/invariants.err"
}

# Sourced: the functions only.
[ "${BASH_SOURCE[0]}" = "$0" ] || return 0

source "$(dirname "$0")/harness.sh"
set +e
set -u

SECONDS_TOTAL="${SOAK_SECONDS:-60}"
CLIENTS="${SOAK_CLIENTS:-16}"
CRASH="${SOAK_CRASH:-1}"
SETUP="$(realpath "${SOAK_SETUP:-$TOP/test/soak/setup.sql}")"
WORKLOAD="$(realpath "${SOAK_WORKLOAD:-$TOP/test/soak/workload.sql}")"
INVARIANTS="$(realpath "${SOAK_INVARIANTS:-$TOP/test/soak/invariants.sql}")"
WORK="$(mktemp -d /tmp/feedback-soak.XXXXXX)" || exit 1
chmod 755 "$WORK"
trap 'rm -rf "$WORK"' EXIT

# abort NAME [DIAGNOSTICS-FILE]: a failed check that ends the soak.
abort() {
	soak_check 1 "$1" "${2:-}"
	echo "soak: $n checks, $failed failed"
	exit 1
}

harness_setup || abort "the extension builds and installs"
CLUSTER_FSYNC=on CLUSTER_CONF="max_connections = 60" cluster_start || abort "a private cluster starts"
# cluster_start set its own trap: stop the cluster and remove ours too
trap 'cluster_stop; rm -rf "$WORK"' EXIT
cd "$TOP" || abort "the checkout is there"
export PGDATABASE=feedback_soak
T=7e000000-0000-4000-8000-00000000500a

psql -qX -d postgres -c 'CREATE DATABASE feedback_soak' >/dev/null || abort "the soak's database is created"
psql -qX -v ON_ERROR_STOP=1 -v t="$T" -f "$SETUP" >/dev/null 2>"$WORK/setup.err" ||
	abort "the soak's setup runs ($SETUP)" "$WORK/setup.err"

# Writers: each submits ungrouped feedback with its own client ids, one
# statement at a time, and prints a line for every acknowledged commit.
# Its errors go to errors.<writer>.
writer() {
	local w=$1 i=0 end=$((SECONDS + $2))
	while [ "$SECONDS" -lt "$end" ]; do
		i=$((i + 1))
		printf "SELECT 'ack', '%s' FROM feedback.submit('%s', NULL, comment => 'acknowledged %s', client_feedback_id => '%s');\n" \
			"$(printf 'ac000000-0000-4000-8000-%06d%06d' "$w" "$i")" "$T" "$w.$i" \
			"$(printf 'ac000000-0000-4000-8000-%06d%06d' "$w" "$i")"
	done | PGOPTIONS="-c feedback.user_id=00000000-0000-4000-8000-000000000001" \
		psql -qXAt -v ON_ERROR_STOP=1 >"$WORK/acks.$w" 2>"$WORK/errors.$w"
}

# One phase of load: writers $2 and $2+1 and the pgbench clients for $1
# seconds; pgbench logs to pgbench.$2.log.
start_load() {
	writer "$2" "$1" &
	writer "$(($2 + 1))" "$1" &
	PGOPTIONS="-c feedback.user_id=00000000-0000-4000-8000-000000000001" \
		pgbench -n -c "$CLIENTS" -j "$CLIENTS" -T "$1" -f "$WORKLOAD" >"$WORK/pgbench.$2.log" 2>&1 &
	bench=$!
}

transactions() {
	sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' "$1"
}

if [ "$CRASH" = 1 ]; then
	half=$((SECONDS_TOTAL / 2))
	echo "== soak: $CLIENTS clients for ${SECONDS_TOTAL}s, kill -9 of the postmaster after ${half}s"
	start_load "$SECONDS_TOTAL" 1
	sleep "$half"
	pid=$(head -1 "$CLUSTER_DIR/data/postmaster.pid")
	kill -9 "$pid"
	echo "   killed the postmaster ($pid) under load"
	wait 2>/dev/null	# the clients and writers are cut off
	# its backends exit when they notice; until then the old shared memory is in use
	for _ in $(seq 1 60); do
		sleep 1
		as_server_user "$PG_BIN/pg_ctl" -D "$CLUSTER_DIR/data" -l "$CLUSTER_DIR/server.log" \
			-w -t 120 start >/dev/null 2>&1 && break
	done
	psql -qXAt -c 'SELECT 1' >/dev/null 2>&1
	soak_check $? "the cluster restarts and recovers after kill -9 of the postmaster"
	echo "   before the crash: $(grep -c 'aborted' "$WORK/pgbench.1.log") clients cut off"
	phase=3
else
	echo "== soak: $CLIENTS clients for ${SECONDS_TOTAL}s"
	phase=1
fi
start_load "$((SECONDS_TOTAL - ${half:-0}))" "$phase"
wait "$bench"
rc=$?
wait 2>/dev/null
log="$WORK/pgbench.$phase.log"
done_tx=$(transactions "$log")
cat "$WORK/errors.$phase" "$WORK/errors.$((phase + 1))" >"$WORK/writer-errors"
grep -E 'error|abort' "$log" | head -20 >"$WORK/pgbench-errors"
[ "$rc" -eq 0 ] && ! grep -q 'aborted' "$log" && [ "${done_tx:-0}" -gt 0 ] && [ ! -s "$WORK/writer-errors" ]
status=$?
cat "$WORK/writer-errors" >>"$WORK/pgbench-errors"
after=
[ "$CRASH" = 1 ] && after=" on after the restart"
soak_check "$status" "the workload ran$after with no client cut off (${done_tx:-no} transactions, writers without error)" \
	"$WORK/pgbench-errors"

soak_error_mix "$WORK"

# Every submit a writer saw acknowledged is there.
cat "$WORK"/acks.* | cut -d'|' -f2 | sort -u >"$WORK/acked"
acked=$(wc -l <"$WORK/acked")
psql -qXAt -c "SELECT client_feedback_id FROM feedback.feedback WHERE tenant_id = '$T'
               AND client_feedback_id IS NOT NULL" | sort -u >"$WORK/present"
missing=$(comm -23 "$WORK/acked" "$WORK/present" | wc -l)
[ "$acked" -gt 0 ] && [ "$missing" -eq 0 ]
soak_check $? "every acknowledged submit is present ($acked acknowledged, $missing missing)"

# The invariants, from scratch.
soak_invariants "$INVARIANTS" "$T" "$WORK"

echo "soak: $n checks, $failed failed"
[ "$failed" -eq 0 ]
