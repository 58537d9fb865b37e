#!/usr/bin/env bash
# test/citus.sh -- `make test-citus`, and the last part of `make test`: where
# Citus is installed, a single-node Citus cluster (the coordinator holds the
# shards) runs the regression, isolation and pgTAP suites with the tables
# distributed by feedback.distribute (test/t/helpers/distribute.psql and the
# specs' setup do it when the database has Citus), then checks in the
# server log that every statement of the extension ran on one shard.
# Where Citus is not installed it says so and skips.  Ends with "N passed, M failed".

source "$(dirname "$0")/harness.sh"
set +e

if [ ! -f "$("$PG_BIN/pg_config" --pkglibdir)/citus.so" ]; then
	echo "Citus is not installed for PostgreSQL $PG_MAJOR: skipping the suites on Citus"
	echo "0 passed, 0 failed"
	exit 0
fi
harness_setup >/dev/null || { echo "0 passed, 1 failed"; exit 1; }
CLUSTER_CONF="shared_preload_libraries = 'citus'
citus.enable_unsafe_triggers = on
citus.multi_task_query_log_level = log" cluster_start || { echo "0 passed, 1 failed"; exit 1; }
cd "$TOP"
source "$TOP/test/suites.sh"

# A database with Citus whose coordinator also holds shards.
citus_database() {
	psql -qX -c "CREATE DATABASE $1" >/dev/null 2>&1 &&
		psql -qX -d "$1" -v ON_ERROR_STOP=1 >/dev/null <<SQL
SET client_min_messages = warning;
CREATE EXTENSION citus;
SELECT pg_catalog.citus_set_coordinator_host('$PGHOST', $PGPORT);
SELECT pg_catalog.citus_set_node_property('$PGHOST', $PGPORT, 'shouldhaveshards', true);
SQL
}

echo "== on Citus $(psql -qXAt -c "SELECT default_version FROM pg_available_extensions WHERE name = 'citus'")"
for suite in regress isolation pgtap; do
	if ! citus_database "feedback_citus_$suite"; then
		echo "could not create a Citus database for the $suite suite"
		failed=$((failed + 1))
		continue
	fi
	case $suite in
		regress) run_regress TEST_DB=feedback_citus_regress ;;
		isolation) run_isolation TEST_DB=feedback_citus_isolation ;;
		pgtap) run_pgtap feedback_citus_pgtap ;;
	esac
done
# Every statement of the extension's C code (they alone spell operators
# OPERATOR(pg_catalog.=)) ran on one shard, but the two lookups of the
# row-level security policies, which read memberships by user.
echo "== every query of the extension routed to one shard"
stray=$(grep -A3 'LOG:  multi-task query about to be executed' "$CLUSTER_DIR/server.log" |
	grep 'CONTEXT:  SQL statement .*OPERATOR(pg_catalog\.' |
	grep -v 'SQL statement "SELECT pg_catalog.array_agg([A-Z ]*[a-z]\.[a-z_]*) FROM feedback.memberships' |
	sed 's/.*CONTEXT:  //' | sort -u)
if [ -z "$stray" ]; then
	passed=$((passed + 1))
	echo "ok - no statement of the extension ran on several shards"
else
	failed=$((failed + 1))
	echo "not ok - statements of the extension ran on several shards:"
	echo "$stray"
fi

echo
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
