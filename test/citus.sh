#!/usr/bin/env bash
# test/citus.sh -- `make test-citus`, and the last part of `make test`.
#
# Where Citus is installed it starts a Citus cluster of three private
# throwaway servers on this machine (citus_cluster_start, test/harness.sh):
# a coordinator and two workers, Unix sockets only.  The coordinator holds
# no shards, so every statement on a tenant's rows, and every trigger, runs
# on a worker, in another server process than the API call.  Each suite
# gets a database of its own, on every node, with both workers registered:
#   - the regression suite and the pgTAP tests, with the tables distributed
#     by feedback.distribute (test/t/helpers/distribute.psql does it when
#     the database has Citus), against the same expected outputs;
#   - the isolation specs, all on the cluster with workers but notify.spec,
#     which runs on a single-node Citus database (docs/operations.md, "Scaling out",
#     says why);
#   - a check in the workers' logs that both workers stored feedback of the
#     tests, and in every node's log that every statement of the extension
#     was routed to one shard;
#   - change data capture: the publication on every node, and a submit
#     streamed from a worker's slot under the distributed table's name;
#   - the equivalence test (test/equivalence.sh): one scripted session on a
#     plain server and on the cluster must print the same.
# Where Citus is not installed it says SKIPPED.  Ends with "N passed, M failed".

source "$(dirname "$0")/harness.sh"
set +e

if [ ! -f "$("$PG_BIN/pg_config" --pkglibdir 2>/dev/null)/citus.so" ]; then
	echo "SKIPPED: Citus is not installed for PostgreSQL $PG_MAJOR, so the suites on Citus do not run"
	echo "0 passed, 0 failed"
	exit 0
fi
harness_setup >/dev/null || { echo "0 passed, 1 failed"; exit 1; }
# The workers' log lines name their database, for the check of where the
# tests' feedback went.  Change data capture is on, as docs/reference.md says to
# run it: logical WAL, and the setting that makes Citus report the shards'
# changes under their table's name.
CITUS_CONF="log_line_prefix = '%m [%p] %q%d '
wal_level = logical
citus.enable_change_data_capture = on" citus_cluster_start ||
	{ echo "could not start the Citus cluster"; echo "0 passed, 1 failed"; exit 1; }
cd "$TOP" || exit 1
source "$TOP/test/suites.sh"

# The isolation specs that cannot run on a cluster with workers (docs/operations.md,
# "Scaling out"): they run on a single-node Citus database instead.
SINGLE_NODE_SPECS="notify"

echo "== on Citus $(psql -qXAt -c "SELECT default_version FROM pg_available_extensions WHERE name = 'citus'"):" \
	"a coordinator and two workers (ports $CITUS_COORDINATOR_PORT, ${CITUS_WORKER_PORTS// /, })"
# Keep the differences of a failed pg_regress run, which the next run
# would remove: results/citus/NAME.diffs.
keep_diffs() {
	[ -f regression.diffs ] || return 0
	mkdir -p results/citus
	cp regression.diffs "results/citus/$1.diffs"
	echo "# the differences are in results/citus/$1.diffs"
}
rm -rf results/citus
database() {
	if citus_database "$@"; then
		return 0
	fi
	echo "not ok - could not create the Citus database $1"
	failed=$((failed + 1))
	return 1
}

database feedback_citus_regress && run_regress TEST_DB=feedback_citus_regress && keep_diffs regress
database feedback_citus_pgtap && run_pgtap feedback_citus_pgtap

specs_all=$(for spec in test/specs/*.spec; do basename "$spec" .spec; done)
specs_workers=$(grep -vxF -f <(tr ' ' '\n' <<<"$SINGLE_NODE_SPECS") <<<"$specs_all" | tr '\n' ' ')
if database feedback_citus_isolation; then
	# The isolation tester asks whether a session waits for a lock; on a
	# cluster the wait is in a worker's backend, which only Citus's version
	# of that function sees.
	psql -qXAt -d feedback_citus_isolation -c 'SELECT citus_internal.replace_isolation_tester_func()' >/dev/null
	run_make_suite "isolation specs, on the cluster with workers" installcheck-isolation \
		"$(wc -w <<<"$specs_workers")" TEST_DB=feedback_citus_isolation ISOLATION="$specs_workers"
	keep_diffs isolation
fi
if database feedback_citus_isolation_single single; then
	run_make_suite "isolation specs, on a single-node Citus database: $SINGLE_NODE_SPECS" installcheck-isolation \
		"$(wc -w <<<"$SINGLE_NODE_SPECS")" TEST_DB=feedback_citus_isolation_single ISOLATION="$SINGLE_NODE_SPECS"
	keep_diffs isolation-single-node
fi

# Both workers stored feedback of the tests: the writes of a shard of
# feedback.feedback in each worker's log, by suite.
echo "== the tests' tenants on both workers"
i=0
empty=0
for port in $CITUS_WORKER_PORTS; do
	i=$((i + 1))
	total=0
	for db in feedback_citus_regress feedback_citus_pgtap; do
		writes=$(grep -cE "\] $db LOG:  (statement|execute [^:]*): (INSERT INTO|UPDATE|DELETE FROM) feedback\.feedback_[0-9]+ " \
			"$CITUS_HOST/worker$i/server.log")
		echo "# worker $i (port $port): $writes writes of feedback in $db"
		total=$((total + writes))
	done
	[ "$total" -gt 0 ] || empty=$((empty + 1))
done
if [ "$empty" -eq 0 ]; then
	passed=$((passed + 1))
	echo "ok - both workers stored feedback of the regression and pgTAP suites"
else
	failed=$((failed + 1))
	echo "not ok - $empty worker(s) stored no feedback of the regression and pgTAP suites"
fi

# Every statement of the extension's C code (they alone spell operators
# OPERATOR(pg_catalog.=)), on the coordinator or in a trigger on a worker,
# ran on one shard, but the two lookups of the row-level security
# policies, which read memberships by user, and the statements that say
# in a leading comment that they read every shard (erase_user's, and
# claim_suggestions' without a tenant).
echo "== every query of the extension routed to one shard"
multi=$(cat "$CITUS_HOST"/coordinator/server.log "$CITUS_HOST"/worker*/server.log |
	grep -A3 'LOG:  multi-task query about to be executed' |
	grep 'CONTEXT:  SQL statement .*OPERATOR(pg_catalog\.')
policy='SQL statement "SELECT pg_catalog.array_agg([A-Z ]*[a-z]\.[a-z_]*) AS ids FROM feedback.memberships'
erasure='SQL statement "/\* every shard \*/ '
stray=$(grep -v -e "$policy" -e "$erasure" <<<"$multi" | sed 's/.*CONTEXT:  //' | sort -u)
# The positive controls: the policy lookups and the erasures, which do read
# every shard, were logged and recognised, so the log and its reading work.
if ! grep -q "$policy" <<<"$multi" || ! grep -q "$erasure" <<<"$multi"; then
	failed=$((failed + 1))
	echo "not ok - the log shows no row-level security lookup or no erasure on several shards: the check cannot see"
elif [ -z "$stray" ]; then
	passed=$((passed + 1))
	echo "ok - no statement of the extension ran on several shards"
else
	failed=$((failed + 1))
	echo "not ok - statements of the extension ran on several shards:"
	echo "$stray"
fi

# Change data capture: create_publication on the coordinator reaches the
# workers, and a slot on a worker streams a submit's changes under the
# distributed table's name, never a shard's.
echo "== change data capture: a submit streamed from the workers"
if database feedback_citus_cdc; then
	cdc=$(mktemp)
	worker_sql() { psql -qXAt -h "$CITUS_HOST" -p "$1" -U postgres -d feedback_citus_cdc -v ON_ERROR_STOP=1 "${@:2}"; }
	psql -qXAt -d feedback_citus_cdc -v ON_ERROR_STOP=1 >"$cdc" 2>&1 <<'SQL'
SET client_min_messages = warning;
CREATE EXTENSION feedback CASCADE;
SELECT feedback.distribute(4) IS NOT NULL AS distributed \gset
SELECT feedback.create_publication() IS NOT NULL AS published \gset
SELECT count(*) FROM (VALUES
    (feedback.put_user('00000000-0000-0000-0000-0000000000a1', 'alice@example.com')),
    (feedback.put_member('7e000000-0000-0000-0000-000000000001', '00000000-0000-0000-0000-0000000000a1')),
    (feedback.put_conversation('7e000000-0000-0000-0000-000000000001', 'c0000000-0000-0000-0000-000000000001')),
    (feedback.put_message('7e000000-0000-0000-0000-000000000001', 'a0000000-0000-0000-0000-000000000001',
                          'c0000000-0000-0000-0000-000000000001', 'assistant', 'An answer.'))) v \gset
SQL
	published=0
	for port in $CITUS_WORKER_PORTS; do
		[ "$(worker_sql "$port" -c "SELECT count(*) FROM pg_publication WHERE pubname = 'feedback_changes'" 2>>"$cdc")" = 1 ] &&
			published=$((published + 1))
		worker_sql "$port" -c "SELECT pg_create_logical_replication_slot('feedback_cdc', 'pgoutput')" >/dev/null 2>>"$cdc"
	done
	psql -qXAt -d feedback_citus_cdc -v ON_ERROR_STOP=1 \
		-c "SET feedback.user_id = '00000000-0000-0000-0000-0000000000a1'" \
		-c "SELECT feedback.submit('7e000000-0000-0000-0000-000000000001', 'a0000000-0000-0000-0000-000000000001', 'up', 'Streamed') IS NOT NULL" \
		>/dev/null 2>>"$cdc"
	named=0
	shards=0
	for port in $CITUS_WORKER_PORTS; do
		read -r n s < <(worker_sql "$port" -F ' ' -c "
			WITH m AS (SELECT data FROM pg_logical_slot_get_binary_changes('feedback_cdc', NULL, NULL,
			               'proto_version', '1', 'publication_names', 'feedback_changes')
			            WHERE get_byte(data, 0) = ascii('R'))
			SELECT count(*) FILTER (WHERE position(convert_to('feedback', 'UTF8') || '\\x00'::bytea
			                                       || convert_to('feedback', 'UTF8') || '\\x00'::bytea IN data) > 0),
			       count(*) FILTER (WHERE encode(data, 'escape') ~ '[a-z_]+_[0-9]{6}')
			  FROM m" 2>>"$cdc")
		named=$((named + ${n:-0}))
		shards=$((shards + ${s:-0}))
		worker_sql "$port" -c "SELECT pg_drop_replication_slot('feedback_cdc')" >/dev/null 2>>"$cdc"
	done
	if [ "$published" -eq 2 ]; then
		passed=$((passed + 1))
		echo "ok - create_publication on the coordinator made the publication on both workers"
	else
		failed=$((failed + 1))
		echo "not ok - the publication reached $published of the two workers"
	fi
	if [ "$named" -gt 0 ] && [ "$shards" -eq 0 ] && [ ! -s "$cdc" ]; then
		passed=$((passed + 1))
		echo "ok - a worker's slot streamed the submit under feedback.feedback, no shard name"
	else
		failed=$((failed + 1))
		echo "not ok - the workers' slots named feedback.feedback $named times and a shard $shards times"
		sed 's/^/# /' "$cdc"
	fi
	rm -f "$cdc"
fi

echo "== equivalence: the same session on a plain server and on the cluster"
out=$(mktemp)
bash test/equivalence.sh 2>&1 | tee "$out"
count_tap "$out"
grep -qE '^[0-9]+ passed, [0-9]+ failed$' "$out" || failed=$((failed + 1))
rm -f "$out"

echo
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
