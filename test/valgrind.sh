#!/usr/bin/env bash
# test/valgrind.sh -- `make valgrind`: the regression and pgTAP suites
# against a server running under valgrind's memcheck.  A few minutes.
#
# The run fails, saying why, when:
#   - `valgrind --version` is not valgrind 3.x;
#   - the server under valgrind does not start, or its postmaster is not a
#     memcheck process;
#   - any test of the suites fails, or they report no test at all;
#   - valgrind's per-process logs are missing: the postmaster's and at least
#     one backend's must carry memcheck's header, and the postmaster's its
#     final error summary;
#   - any memcheck error has a frame in the extension (its library or one of
#     its source files).  Errors entirely inside the server are listed but
#     not counted: PostgreSQL is not built for valgrind here.  For the same
#     reason test/valgrind.supp suppresses definedness checks while the
#     server applies other backends' invalidation messages; the number
#     suppressed is printed.
# Ends with "N passed, M failed": the suites' tests and the checks above.
#
# Sourced (by test/selftest.sh), it only defines the vg_* functions.
#   VALGRIND_NO_SETUP=1: the extension is built and installed already
#   VALGRIND_START_TIMEOUT: seconds the server may take to start (300)

set -u

# vg_tool_check VALGRIND: that program is valgrind 3.x.
vg_tool_check() {
	local version
	version=$("$1" --version 2>/dev/null | head -n 1)
	if [[ ! "$version" =~ ^valgrind-3\.[0-9]+ ]]; then
		echo "valgrind: '$1 --version' says '${version:-nothing}', not valgrind-3.x"
		return 1
	fi
	echo "valgrind: $version"
}

# vg_process_check PID: the process is a memcheck process (valgrind runs
# its tool as the process's executable).
vg_process_check() {
	local exe
	exe=$(readlink "/proc/$1/exe" 2>/dev/null)
	if [[ "$(basename "${exe:-none}")" != memcheck-* ]]; then
		echo "valgrind: process $1 runs ${exe:-nothing}, not valgrind's memcheck: the server is not under valgrind"
		return 1
	fi
}

# vg_ours: an extended regular expression matching a stack frame in the
# extension: its library, or one of its source files (src/*.c of the
# checkout in $1).
vg_ours() {
	local names
	names=$(cd "$1/src" && ls -- *.c 2>/dev/null | sed 's/\.c$//' | paste -sd'|')
	echo "feedback\\.so|\\(src/[A-Za-z0-9_]+\\.c:[0-9]+\\)${names:+|\\(($names)\\.c:[0-9]+\\)}"
}

# vg_reports_check DIR PID TOP: the memcheck logs DIR/vg.<pid> of a server
# whose postmaster was PID, from the checkout TOP.  Fails when valgrind did
# not write them (the postmaster's and at least one more, each with
# memcheck's header; the postmaster's ended with its error summary) or when
# an error has a frame in the extension.  Prints what it found.
vg_reports_check() {
	local dir="$1" pmpid="$2" top="$3" header='Memcheck, a memory error detector'
	local logs=() f processes=0 ours errors total status=0
	shopt -s nullglob
	logs=("$dir"/vg.*)
	shopt -u nullglob
	for f in "${logs[@]}"; do
		grep -q "$header" "$f" && processes=$((processes + 1))
	done
	echo "valgrind: ${#logs[@]} log file(s), $processes with memcheck's header"
	if ! grep -qs "$header" "$dir/vg.$pmpid"; then
		echo "valgrind: no memcheck log of the postmaster ($dir/vg.$pmpid): valgrind did not run the server"
		status=1
	elif ! grep -qs 'ERROR SUMMARY:' "$dir/vg.$pmpid"; then
		echo "valgrind: the postmaster's memcheck log has no final error summary: it did not end under valgrind"
		status=1
	fi
	if [ "$processes" -lt 2 ]; then
		echo "valgrind: memcheck logged fewer than two processes (the postmaster and a backend at least)"
		status=1
	fi
	[ ${#logs[@]} -gt 0 ] || return 1

	# The error records: blocks of a log between lines that hold only the
	# "==pid==" prefix, with at least one stack frame.
	ours=$(vg_ours "$top")
	OURS="$ours" awk -v out="$dir/ours.txt" -v theirs="$dir/theirs.txt" -v summary="$dir/ours-summary.txt" \
		-v invalid="$dir/theirs-invalid.txt" '
		function flush() {
			if (block != "" && frames) {
				total++
				if (mine) { errors++; print block > out; print kind " -- " where > summary }
				else {
					print kind > theirs
					if (kind ~ /^(Invalid|Mismatched)/) print block > invalid
				}
			}
			block = ""; kind = ""; where = ""; frames = 0; mine = 0
		}
		FNR == 1 { flush() }
		/^==[0-9]+== *$/ { flush(); next }
		/^==[0-9]+== / {
			if (block == "") { kind = $0; sub(/^==[0-9]+== /, "", kind) }
			block = block $0 "\n"
			if ($0 ~ /^==[0-9]+== +(at|by) 0x/) {
				frames++
				if ($0 ~ ENVIRON["OURS"] && !mine) { mine = 1; where = $0; sub(/^.*: /, "", where) }
			}
		}
		END { flush(); printf "%d %d\n", errors + 0, total + 0 }
	' "${logs[@]}" >"$dir/counts.txt"
	read -r errors total <"$dir/counts.txt"
	echo "valgrind: $total error record(s) in all, $errors with a frame in the extension"
	echo "valgrind: $(sed -nE 's/.*ERROR SUMMARY:.*\(suppressed: ([0-9]+) from.*/\1/p' "${logs[@]}" |
		awk '{ n += $1 } END { print n + 0 }') suppressed by test/valgrind.supp (the server's invalidation processing)"
	if [ "$total" -gt "$errors" ]; then
		echo "valgrind: the server's own, by kind (PostgreSQL is not built for valgrind here):"
		sort "$dir/theirs.txt" | uniq -c | sort -rn | head -8
		if [ -s "$dir/theirs-invalid.txt" ]; then
			echo "valgrind: the first invalid access among them, in full (not counted):"
			sed -E 's/^==[0-9]+== //' "$dir/theirs-invalid.txt" | head -60
		fi
	fi
	if [ "$errors" -gt 0 ]; then
		echo "valgrind: the errors with a frame in the extension, by kind and first such frame:"
		sort "$dir/ours-summary.txt" | uniq -c | sort -rn
		echo "valgrind: the first of them in full:"
		sed -E 's/^==[0-9]+== //' "$dir/ours.txt" | head -100
		status=1
	fi
	return "$status"
}

# vg_summary PASSED FAILED: the final line; fails on any failure or when
# nothing passed.
vg_summary() {
	echo "$1 passed, $2 failed"
	[ "$2" -eq 0 ] && [ "$1" -gt 0 ]
}

# Sourced: the functions only.
[ "${BASH_SOURCE[0]}" = "$0" ] || return 0

source "$(dirname "$0")/harness.sh"
set +e
set -u

if [ "${VALGRIND_NO_SETUP:-0}" != 1 ]; then
	harness_setup valgrind || { echo "valgrind: the setup failed"; vg_summary 0 1; exit 1; }
fi
VALGRIND="$(command -v valgrind)" || { echo "valgrind: no valgrind on the PATH"; vg_summary 0 1; exit 1; }
vg_tool_check "$VALGRIND" || { vg_summary 0 1; exit 1; }

CLUSTER_DIR="$(mktemp -d /tmp/feedback-cluster.XXXXXX)" || exit 1
chmod 755 "$CLUSTER_DIR"
if [ "$(id -u)" -eq 0 ]; then
	SERVER_USER="${SERVER_USER:-nobody}"
	chown "$SERVER_USER" "$CLUSTER_DIR"
fi
REPORTS="$CLUSTER_DIR/memcheck"
server=

# Stop the server (by its pid if pg_ctl cannot) and remove everything.
cleanup() {
	if [ -f "$CLUSTER_DIR/data/postmaster.pid" ]; then
		as_server_user "$PG_BIN/pg_ctl" -D "$CLUSTER_DIR/data" -m immediate -w -t 120 stop >/dev/null 2>&1
	fi
	if [ -n "$server" ] && kill -0 "$server" 2>/dev/null; then
		kill "$server" 2>/dev/null
		wait "$server" 2>/dev/null
	fi
	rm -rf "$CLUSTER_DIR"
}
trap cleanup EXIT

if ! as_server_user mkdir "$REPORTS" ||
	! as_server_user "$PG_BIN/initdb" -D "$CLUSTER_DIR/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 \
		--no-sync >"$CLUSTER_DIR/initdb.log" 2>&1; then
	echo "valgrind: the cluster could not be made"
	cat "$CLUSTER_DIR/initdb.log" 2>/dev/null
	vg_summary 0 1
	exit 1
fi
cat >>"$CLUSTER_DIR/data/postgresql.conf" <<CONF
listen_addresses = ''
unix_socket_directories = '$CLUSTER_DIR'
fsync = off
max_parallel_workers_per_gather = 0
jit = off
CONF
as_server_user "$VALGRIND" --trace-children=yes --leak-check=no --error-limit=no \
	--suppressions="$TOP/test/valgrind.supp" \
	--num-callers=50 --fullpath-after="$TOP/" --log-file="$REPORTS/vg.%p" \
	"$PG_BIN/postgres" -D "$CLUSTER_DIR/data" >"$CLUSTER_DIR/server.log" 2>&1 &
server=$!
export PGHOST="$CLUSTER_DIR" PGPORT=5432 PGUSER=postgres PGDATABASE=postgres

started=0
for _ in $(seq 1 "${VALGRIND_START_TIMEOUT:-300}"); do
	if pg_isready -q; then
		started=1
		break
	fi
	kill -0 "$server" 2>/dev/null || break
	sleep 1
done
if [ "$started" != 1 ]; then
	echo "valgrind: the server under valgrind did not start; its log:"
	tail -n 30 "$CLUSTER_DIR/server.log"
	vg_summary 0 1
	exit 1
fi
pmpid=$(head -n 1 "$CLUSTER_DIR/data/postmaster.pid")
if ! vg_process_check "$pmpid"; then
	vg_summary 0 1
	exit 1
fi
echo "valgrind: the server runs under memcheck (postmaster $pmpid)"

cd "$TOP" || exit 1
source "$TOP/test/suites.sh"
for suite in run_regress run_prove; do
	if declare -F "$suite" >/dev/null; then
		"$suite"
	else
		echo "valgrind: test/suites.sh has no $suite: that suite did not run"
		failed=$((failed + 1))
	fi
done
echo "valgrind: the suites: $passed passed, $failed failed"
[ "$passed" -gt 0 ] || { echo "valgrind: the suites reported no test"; failed=$((failed + 1)); }

# memcheck writes each process's error summary as it exits
if as_server_user "$PG_BIN/pg_ctl" -D "$CLUSTER_DIR/data" -m fast -w -t 600 stop >/dev/null 2>&1; then
	wait "$server" 2>/dev/null
	server=
	passed=$((passed + 1))
else
	echo "valgrind: the server under valgrind did not stop"
	failed=$((failed + 1))
fi
if vg_reports_check "$REPORTS" "$pmpid" "$TOP"; then
	passed=$((passed + 1))
else
	failed=$((failed + 1))
fi
vg_summary "$passed" "$failed"
