#!/usr/bin/env bash
# test/upgrade.sh -- the upgrade path, whenever a newer version script
# exists: for each sql/feedback--A--B.sql, CREATE EXTENSION feedback
# VERSION 'A' then ALTER EXTENSION feedback UPDATE must give the same
# objects as a fresh install of the default version.  Run by test/run.sh
# against the private cluster; prints TAP lines.
set -uo pipefail
cd "$(dirname "$0")/.."

n=0
objects() {	# the extension's members, described, in a stable order
	psql -qXAt -d "$1" -c "SELECT pg_describe_object(classid, objid, objsubid) FROM pg_depend
	                        WHERE refclassid = 'pg_extension'::regclass AND deptype = 'e'
	                          AND refobjid = (SELECT oid FROM pg_extension WHERE extname = 'feedback')
	                        ORDER BY 1"
}

scripts=$(ls sql/feedback--*--*.sql 2>/dev/null)
if [ -z "$scripts" ]; then
	echo "# no upgrade script yet (only version $(make -s print-version)): no upgrade path to test"
	exit 0
fi
psql -qX -c 'DROP DATABASE IF EXISTS feedback_fresh' -c 'CREATE DATABASE feedback_fresh' >/dev/null
psql -qX -d feedback_fresh -c 'CREATE EXTENSION feedback CASCADE' >/dev/null 2>&1
objects feedback_fresh >/tmp/feedback-fresh.$$
for script in $scripts; do
	from=$(basename "$script" .sql | sed -E 's/^feedback--([^-]+)--.*/\1/')
	psql -qX -c 'DROP DATABASE IF EXISTS feedback_upgrade' -c 'CREATE DATABASE feedback_upgrade' >/dev/null
	n=$((n + 1))
	if psql -qX -v ON_ERROR_STOP=1 -d feedback_upgrade -c "CREATE EXTENSION feedback VERSION '$from' CASCADE" \
		-c 'ALTER EXTENSION feedback UPDATE' >/dev/null 2>&1 &&
		objects feedback_upgrade | diff -u /tmp/feedback-fresh.$$ -; then
		echo "ok $n - from $from, ALTER EXTENSION feedback UPDATE gives the objects of a fresh install"
	else
		echo "not ok $n - from $from, ALTER EXTENSION feedback UPDATE gives the objects of a fresh install"
	fi
done
rm -f /tmp/feedback-fresh.$$
