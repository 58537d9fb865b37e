#!/usr/bin/env bash
# test/check.sh -- `make installcheck` and `make prove`: the suites against
# any reachable server that has the extension installed (PGHOST, PGPORT,
# PGUSER as for psql; a superuser, since the tests create roles), each in a
# throwaway database made for the run and dropped after it, so no existing
# database is touched.
#   bash test/check.sh installcheck   the regression suite and the isolation specs
#   bash test/check.sh prove          the pgTAP tests, through pg_prove
# Exits non-zero when a suite fails or does not run.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1

PG_CONFIG="${PG_CONFIG:-pg_config}"
rc=0
dbs=()

drop_all() {
	local db
	for db in "${dbs[@]}"; do
		psql -qX -d postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1
	done
}
trap drop_all EXIT

# A database of its own for one suite, feedback_<suite>_<pid>, in $db.
throwaway() {
	db="feedback_$1_$$"
	psql -qX -d postgres -v ON_ERROR_STOP=1 -c "CREATE DATABASE $db" >/dev/null || return 1
	dbs+=("$db")
}

case "${1:-}" in
installcheck)
	for suite in regress isolation; do
		throwaway "$suite" || { echo "could not create a database for the $suite suite" >&2; exit 1; }
		make -s "installcheck-$suite" PG_CONFIG="$PG_CONFIG" TEST_DB="$db" || rc=1
	done
	;;
prove)
	command -v pg_prove >/dev/null || { echo "pg_prove is not installed (Debian: libtap-parser-sourcehandler-pgtap-perl)" >&2; exit 1; }
	throwaway prove || { echo "could not create a database for the pgTAP suite" >&2; exit 1; }
	pg_prove --verbose -d "$db" test/t/*.sql || rc=1
	;;
*)
	echo "usage: bash test/check.sh installcheck | prove" >&2
	exit 2
	;;
esac
exit "$rc"
