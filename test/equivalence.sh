#!/usr/bin/env bash
# test/equivalence.sh -- the equivalence test: test/equivalence.sql, one
# scripted session through the whole API (direct UPDATEs of
# feedback.feedback included), runs on a plain server and on a Citus
# cluster with workers, where its two tenants live on different workers
# (after feedback.distribute), and the two outputs must be the same, byte
# for byte, once the ids the extension generates (random uuids) are
# numbered placeholders, in order of first appearance, and every timestamp
# is one placeholder, and so is every cursor token.  Nothing else is
# normalised.
#
# test/citus.sh runs it on its cluster (CITUS_HOST and the ports in the
# environment, see citus_cluster_start in test/harness.sh); run alone
# (bash test/equivalence.sh) it starts a cluster of its own, or says SKIPPED
# where Citus is not installed.  The plain server is one more private
# server beside the cluster, without Citus.  The outputs, normalised
# outputs and their diff are kept in results/equivalence/.
# Prints "ok N - ..." / "not ok N - ..." and ends with "N passed, M failed".

source "$(dirname "$0")/harness.sh"
set +e

SECTIONS=14     # the "=== " lines of test/equivalence.sql, its end marker included
END_MARKER='=== end of the equivalence script'
WALK_MOVES=64   # the moves of its two transition-table sections (4 x 16 cells)
WALK_REFUSED=12 # of which illegal: to auto_approved from the three other states, 4 times
SHARDS=4        # as test/t/helpers/distribute.psql
TENANT_A=ea000000-0000-0000-0000-000000000001
TENANT_B=eb000000-0000-0000-0000-000000000001
DB=feedback_equivalence
PLAIN_PORT=5435

n=0
passed=0
failed=0
ok() {
	n=$((n + 1))
	passed=$((passed + 1))
	echo "ok $n - $1"
}
not_ok() {
	n=$((n + 1))
	failed=$((failed + 1))
	echo "not ok $n - $1"
}
# check DESCRIPTION COMMAND...: ok when the command succeeds.
check() {
	local what="$1"
	shift
	if "$@"; then ok "$what"; else not_ok "$what"; fi
}
finish() {
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ]
	exit
}

if [ -z "${CITUS_HOST:-}" ]; then
	if [ ! -f "$("$PG_BIN/pg_config" --pkglibdir 2>/dev/null)/citus.so" ]; then
		echo "SKIPPED: Citus is not installed for PostgreSQL $PG_MAJOR, so the equivalence test does not run"
		finish
	fi
	harness_setup >/dev/null || { not_ok "build and install the extension"; finish; }
	citus_cluster_start || { not_ok "start a Citus cluster"; finish; }
fi
cd "$TOP" || exit 1
PLAIN_DIR="$CITUS_HOST/plain"
OUT="$TOP/results/equivalence"
rm -rf "$OUT"
mkdir -p "$OUT"
cleanup() {
	node_stop "$PLAIN_DIR"
	rm -rf "$PLAIN_DIR"
	cluster_stop
}
trap cleanup EXIT

plain_psql() { psql -X -h "$CITUS_HOST" -p "$PLAIN_PORT" -U postgres "$@"; }
citus_psql() { psql -X -h "$CITUS_HOST" -p "$CITUS_COORDINATOR_PORT" -U postgres "$@"; }

# Replace each random (version 4) uuid by <uuid-N>, N counting distinct
# uuids in order of first appearance, every timestamp (RFC 3339 or
# PostgreSQL's text form) by <timestamp>, and every cursor token (which
# holds a timestamp and an id) by <token>.  The ids the script chooses have
# 0000 as their third group and stay as they are.
normalise() {
	perl -pe '
		s/\b([0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12})\b/$uuid{$1} \/\/= "<uuid-" . ++$uuids . ">"/ge;
		s/\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}(?::\d{2})?)?/<timestamp>/g;
		s/cursor=[A-Za-z0-9_-]+/cursor=<token>/g;
	' "$1"
}

# The positive controls of one output: not empty, every section, the end.
controls() {
	local name="$1" file="$2" sections
	check "the $name run printed something" test -s "$file"
	sections=$(grep -c '^=== ' "$file")
	check "the $name run printed all $SECTIONS sections (printed $sections)" test "$sections" -eq "$SECTIONS"
	check "the $name run reached the end of the script" test "$(tail -n 1 "$file")" = "$END_MARKER"
}

# The plain server: the reference.
echo "# the plain server"
if ! CLUSTER_CONF="" node_start "$PLAIN_DIR" "$PLAIN_PORT" "$CITUS_HOST"; then
	not_ok "start a plain server"
	finish
fi
plain_psql -q -c "CREATE DATABASE $DB" >/dev/null &&
	plain_psql -q -d "$DB" -v ON_ERROR_STOP=1 -c 'SET client_min_messages = warning' \
		-c 'CREATE EXTENSION feedback CASCADE' >/dev/null
check "CREATE EXTENSION feedback on the plain server" test $? -eq 0
plain_psql -q -d "$DB" -f test/equivalence.sql >"$OUT/plain.out" 2>&1
controls plain "$OUT/plain.out"
# The walks of the transition table ran to their end, and the plain server
# refused exactly the illegal moves.
walk=$(sed -n '/^=== 6 /,/^=== 8 /p' "$OUT/plain.out")
moves=$(grep -c '^sqlstate ' <<<"$walk")
refused=$(grep -c '^sqlstate PT409$' <<<"$walk")
check "the plain run made the $WALK_MOVES moves of the transition table (made $moves)" test "$moves" -eq "$WALK_MOVES"
check "the plain server refused the $WALK_REFUSED illegal moves with PT409 (refused $refused)" \
	test "$refused" -eq "$WALK_REFUSED"

# The cluster: both workers registered, the tables distributed as the test
# suites do, each tenant on a worker of its own, nothing on the coordinator.
echo "# the Citus cluster: a coordinator and two workers"
citus_database "$DB" &&
	citus_psql -q -d "$DB" -v ON_ERROR_STOP=1 -c 'SET client_min_messages = warning' \
		-c 'CREATE EXTENSION feedback CASCADE' -c "SELECT feedback.distribute($SHARDS)" >/dev/null
check "CREATE EXTENSION feedback and feedback.distribute($SHARDS) on the cluster" test $? -eq 0
placement=$(citus_psql -qAt -F ' ' -d "$DB" <<SQL
SELECT t.name, n.nodeport, n.groupid
  FROM (VALUES ('A', '$TENANT_A'::uuid), ('B', '$TENANT_B'::uuid)) AS t(name, id),
       pg_catalog.pg_dist_placement p JOIN pg_catalog.pg_dist_node n USING (groupid)
 WHERE p.shardid = pg_catalog.get_shard_id_for_distribution_column('feedback.feedback', t.id)
 ORDER BY t.name;
SQL
)
echo "$placement" | sed 's/^/# tenant /; s/ \([0-9]*\) [0-9]*$/ on the node of port \1/'
port_a=$(awk '$1 == "A" { print $2 }' <<<"$placement")
port_b=$(awk '$1 == "B" { print $2 }' <<<"$placement")
group_a=$(awk '$1 == "A" { print $3 }' <<<"$placement")
group_b=$(awk '$1 == "B" { print $3 }' <<<"$placement")
check "tenants A and B live on two different workers" \
	test -n "$port_a" -a -n "$port_b" -a "$port_a" != "$port_b" -a "${group_a:-0}" != 0 -a "${group_b:-0}" != 0
on_coordinator=$(citus_psql -qAt -d "$DB" -c "
	SELECT count(*) FROM pg_catalog.pg_dist_placement p
	  JOIN pg_catalog.pg_dist_shard s USING (shardid)
	  JOIN pg_catalog.pg_dist_partition d USING (logicalrelid)
	 WHERE d.partmethod = 'h' AND p.groupid = 0")
check "no shard of a distributed table is on the coordinator" test "$on_coordinator" = 0
citus_psql -q -d "$DB" -f test/equivalence.sql >"$OUT/citus.out" 2>&1
controls Citus "$OUT/citus.out"
# The script's feedback really is on the workers.
stored=$(citus_psql -qAt -F ' ' -d "$DB" -c "
	SELECT nodeport, sum(result::bigint) FROM pg_catalog.run_command_on_placements('feedback.feedback',
	       'SELECT count(*) FROM %s') GROUP BY nodeport ORDER BY nodeport")
echo "$stored" | sed 's/^\([0-9]*\) \([0-9]*\)$/# the node of port \1 holds \2 feedback/'
check "the feedback of both tenants is stored on the two workers" \
	test "$(awk '$2 > 0 { k++ } END { print k + 0 }' <<<"$stored")" -eq 2 -a -z "$(awk '$1 == '"$CITUS_COORDINATOR_PORT"'' <<<"$stored")"

# The comparison.
normalise "$OUT/plain.out" >"$OUT/plain.normalised"
normalise "$OUT/citus.out" >"$OUT/citus.normalised"
if diff -u --label plain --label citus "$OUT/plain.normalised" "$OUT/citus.normalised" >"$OUT/diff"; then
	ok "the plain server and the Citus cluster printed the same ($(wc -l <"$OUT/plain.out") lines)"
else
	not_ok "the plain server and the Citus cluster printed differently: $(grep -c '^[-+][^-+]' "$OUT/diff") lines differ"
	sed 's/^/# /' "$OUT/diff"
fi
finish
