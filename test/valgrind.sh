#!/usr/bin/env bash
# test/valgrind.sh -- `make valgrind`: the regression and pgTAP suites
# against a server running under valgrind's memcheck; any error whose stack
# involves the extension's code fails the run.  A few minutes.

source "$(dirname "$0")/harness.sh"
set +e

harness_setup valgrind || exit 1
REPORTS="$(mktemp -d /tmp/feedback-valgrind.XXXXXX)"
chmod 777 "$REPORTS"
CLUSTER_DIR="$(mktemp -d /tmp/feedback-cluster.XXXXXX)"
chmod 755 "$CLUSTER_DIR"
[ "$(id -u)" -eq 0 ] && { SERVER_USER="${SERVER_USER:-nobody}"; chown "$SERVER_USER" "$CLUSTER_DIR"; }
as_server_user "$PG_BIN/initdb" -D "$CLUSTER_DIR/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 \
	--no-sync >/dev/null || exit 1
cat >>"$CLUSTER_DIR/data/postgresql.conf" <<CONF
listen_addresses = ''
unix_socket_directories = '$CLUSTER_DIR'
fsync = off
max_parallel_workers_per_gather = 0
CONF
as_server_user valgrind --quiet --trace-children=yes --leak-check=no --error-limit=no \
	--num-callers=30 --log-file="$REPORTS/vg.%p" "$PG_BIN/postgres" -D "$CLUSTER_DIR/data" \
	>"$CLUSTER_DIR/server.log" 2>&1 &
export PGHOST="$CLUSTER_DIR" PGPORT=5432 PGUSER=postgres PGDATABASE=postgres
trap 'as_server_user "$PG_BIN/pg_ctl" -D "$CLUSTER_DIR/data" -m fast -w stop >/dev/null 2>&1; rm -rf "$CLUSTER_DIR"' EXIT
for _ in $(seq 1 120); do pg_isready -q && break; sleep 1; done
cd "$TOP"
make -s installcheck-regress PG_CONFIG="$PG_BIN/pg_config" 2>&1 | grep -E '\.\.\.'
psql -qX -c 'CREATE DATABASE feedback_tap' >/dev/null
pg_prove -d feedback_tap test/t/*.sql 2>&1 | tail -1
as_server_user "$PG_BIN/pg_ctl" -D "$CLUSTER_DIR/data" -m fast -w -t 300 stop >/dev/null 2>&1

# a frame in the extension: its library, or one of its source files
ours='feedback\.so|\((aggregate|args|body|feedback|feedback_api|golden|identity|ingest|json|object|privileges|queue|review|spi|triggers|types)\.c:[0-9]+\)'
errors=$(grep -lE "$ours" "$REPORTS"/vg.* 2>/dev/null | wc -l)
echo "valgrind: $(cat "$REPORTS"/vg.* 2>/dev/null | grep -c '^==[0-9]*== [A-Z]') error lines in all (the server's own), $errors report file(s) involving the extension"
grep -h '^==[0-9]*== [A-Z]' "$REPORTS"/vg.* 2>/dev/null | sed 's/^==[0-9]*== //' | sort | uniq -c | sort -rn | head -5
[ "$errors" -eq 0 ] || grep -hE -B5 -A25 "$ours" "$REPORTS"/vg.* | head -80
echo "the server's own, first frames of each (PostgreSQL is not built for valgrind here):"
grep -h -A6 -E '^==[0-9]*== (Invalid|Conditional|Use of|Source and)' "$REPORTS"/vg.* 2>/dev/null |
	sed 's/^==[0-9]*== //' | head -40
rm -rf "$REPORTS"
[ "$errors" -eq 0 ]
