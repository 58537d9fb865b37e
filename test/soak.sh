#!/usr/bin/env bash
# test/soak.sh -- `make soak`: a mixed workload (submits, replaces, patches,
# status changes, deletes, queue reads, archives) with pgbench at
# SOAK_CLIENTS clients for SOAK_SECONDS on a private cluster, beside writers
# that log every submit they saw acknowledged; then, with SOAK_CRASH=1,
# kill -9 of the postmaster in the middle, a restart, and the invariants
# checked from scratch.  Prints TAP lines; exits non-zero on a violation.
#
#   SOAK_SECONDS (default 60), SOAK_CLIENTS (default 16), SOAK_CRASH (default 1)

source "$(dirname "$0")/harness.sh"
set +e

SECONDS_TOTAL="${SOAK_SECONDS:-60}"
CLIENTS="${SOAK_CLIENTS:-16}"
CRASH="${SOAK_CRASH:-1}"
WORK="$(mktemp -d /tmp/feedback-soak.XXXXXX)"
chmod 755 "$WORK"

harness_setup || exit 1
CLUSTER_FSYNC=on CLUSTER_CONF="max_connections = 60" cluster_start || exit 1
cd "$TOP"
export PGDATABASE=feedback_soak
T=7e000000-0000-4000-8000-00000000500a

n=0
failed=0
check() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=$((failed + 1)); fi
}

psql -qX -d postgres -c 'CREATE DATABASE feedback_soak' >/dev/null
psql -qX -v ON_ERROR_STOP=1 -v t="$T" -f test/soak/setup.sql >/dev/null 2>"$WORK/setup.err" ||
	{ cat "$WORK/setup.err" >&2; exit 1; }

# Writers: each submits ungrouped feedback with its own client ids, one
# statement at a time, and prints a line for every acknowledged commit.
writer() {
	local w=$1 i=0 end=$((SECONDS + $2))
	while [ "$SECONDS" -lt "$end" ]; do
		i=$((i + 1))
		printf "SELECT 'ack', '%s' FROM feedback.submit('%s', NULL, comment => 'acknowledged %s', client_feedback_id => '%s');\n" \
			"$(printf 'ac000000-0000-4000-8000-%06d%06d' "$w" "$i")" "$T" "$w.$i" \
			"$(printf 'ac000000-0000-4000-8000-%06d%06d' "$w" "$i")"
	done | PGOPTIONS="-c feedback.user_id=00000000-0000-4000-8000-000000000001" \
		psql -qXAt -v ON_ERROR_STOP=1 >"$WORK/acks.$w" 2>/dev/null
}

# One phase of load: two writers and the pgbench clients for $1 seconds.
start_load() {
	writer "$2" "$1" &
	writer "$(($2 + 1))" "$1" &
	PGOPTIONS="-c feedback.user_id=00000000-0000-4000-8000-000000000001" \
		pgbench -n -c "$CLIENTS" -j "$CLIENTS" -T "$1" -f test/soak/workload.sql >"$WORK/pgbench.$2.log" 2>&1 &
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
	check $? "the cluster restarts and recovers after kill -9 of the postmaster"
	echo "   before the crash: $(grep -c 'aborted' "$WORK/pgbench.1.log") clients cut off"
	start_load "$((SECONDS_TOTAL - half))" 3
	wait "$bench"
	rc=$?
	wait 2>/dev/null
	log="$WORK/pgbench.3.log"
else
	echo "== soak: $CLIENTS clients for ${SECONDS_TOTAL}s"
	start_load "$SECONDS_TOTAL" 1
	wait "$bench"
	rc=$?
	wait 2>/dev/null
	log="$WORK/pgbench.1.log"
fi
[ "$rc" -eq 0 ] && ! grep -q 'aborted' "$log"
check $? "the workload ran$([ "$CRASH" = 1 ] && echo " on after the restart") without an undocumented error ($(transactions "$log") transactions)"

# Every submit a writer saw acknowledged is there.
cat "$WORK"/acks.* | cut -d'|' -f2 | sort -u >"$WORK/acked"
acked=$(wc -l <"$WORK/acked")
psql -qXAt -c "SELECT client_feedback_id FROM feedback.feedback WHERE tenant_id = '$T'
               AND client_feedback_id IS NOT NULL" | sort -u >"$WORK/present"
missing=$(comm -23 "$WORK/acked" "$WORK/present" | wc -l)
[ "$acked" -gt 0 ] && [ "$missing" -eq 0 ]
check $? "every acknowledged submit is present ($acked acknowledged, $missing missing)"

# The invariants, from scratch.
while IFS='|' read -r label violations; do
	[ "$violations" = 0 ]
	check $? "$label ($violations violations)"
done < <(psql -qXAt -v t="$T" -f test/soak/invariants.sql)

[ "$failed" -eq 0 ] || cat "$WORK"/pgbench.*.log | grep -E "error|abort" | head -20
rm -rf "$WORK"
echo "soak: $n checks, $failed failed"
[ "$failed" -eq 0 ]
