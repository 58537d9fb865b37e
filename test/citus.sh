#!/usr/bin/env bash
# test/citus.sh -- `make test-citus`: where Citus is installed, a
# single-node Citus cluster (the coordinator holds the shards), the pgTAP
# suites run with their tables distributed by feedback.distribute (pg_prove
# --set citus=1).  Where Citus is not installed it says so and skips.
# Work in progress: not part of make test yet (see README, Scaling out).

source "$(dirname "$0")/harness.sh"
set +e

if [ ! -f "$("$PG_BIN/pg_config" --pkglibdir)/citus.so" ]; then
	echo "Citus is not installed for PostgreSQL $PG_MAJOR: skipping make test-citus"
	exit 0
fi
harness_setup || exit 1
CLUSTER_CONF="shared_preload_libraries = 'citus'
citus.enable_unsafe_triggers = on" cluster_start || exit 1
cd "$TOP"
psql -qX -c 'CREATE DATABASE feedback_citus' >/dev/null
psql -qX -d feedback_citus -v ON_ERROR_STOP=1 >/dev/null <<SQL || exit 1
CREATE EXTENSION citus;
SELECT citus_set_coordinator_host('$PGHOST', $PGPORT);
SELECT citus_set_node_property('$PGHOST', $PGPORT, 'shouldhaveshards', true);
SQL
pg_prove --verbose --set citus=1 -d feedback_citus $(ls test/t/*.sql | grep -v distribute.sql) \
	>/tmp/feedback-citus.$$ 2>&1
passed=$(grep -cE '^ok [0-9]+' /tmp/feedback-citus.$$)
failed=$(grep -cE '^not ok [0-9]+' /tmp/feedback-citus.$$)
grep -E '^not ok|ERROR' /tmp/feedback-citus.$$ | head -40
tail -3 /tmp/feedback-citus.$$
rm -f /tmp/feedback-citus.$$
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
