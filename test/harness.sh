# test/harness.sh -- shared by `make test`, `make demo` (and later targets).
#
# Installs what is missing with apt-get, builds and installs the extension,
# and runs a private throwaway PostgreSQL cluster: initdb in a temporary
# directory, Unix socket only, owned by an unprivileged user (initdb refuses
# root).  The system cluster is never used or changed.
#
# Source it, then call: harness_setup; cluster_start; ...; cluster_stop.

set -euo pipefail

PG_MAJOR="${PG_MAJOR:-15}"
PG_BIN="/usr/lib/postgresql/${PG_MAJOR}/bin"
TOP="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# Run a command as root: directly when we are root, else through sudo.
as_root() {
	if [ "$(id -u)" -eq 0 ]; then
		"$@"
	elif command -v sudo >/dev/null 2>&1; then
		sudo "$@"
	else
		echo "error: '$*' needs root; run as root or install sudo" >&2
		return 1
	fi
}

# Install the Debian packages the build and the tests need, once.
ensure_packages() {
	local pkgs=(
		"postgresql-${PG_MAJOR}"
		"postgresql-server-dev-${PG_MAJOR}"
		"postgresql-${PG_MAJOR}-pgtap"
		libtap-parser-sourcehandler-pgtap-perl
		"$@"
	)
	local missing=()
	local p
	for p in "${pkgs[@]}"; do
		[ -n "$p" ] || continue
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
			missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	echo "== installing ${missing[*]}"
	as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		--no-install-recommends "${missing[@]}" >/dev/null
}

# Build with warnings as errors and install into the server's directories.
build_and_install() {
	echo "== building feedback $(make -s -C "$TOP" print-version)"
	make -s -C "$TOP" PG_CONFIG="${PG_BIN}/pg_config" >/dev/null
	as_root make -s -C "$TOP" PG_CONFIG="${PG_BIN}/pg_config" install >/dev/null
}

harness_setup() {
	ensure_packages "$@"
	build_and_install
}

# Run a command as the unprivileged owner of the private cluster.
as_server_user() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u "$SERVER_USER" -- "$@"
	else
		"$@"
	fi
}

# initdb in a temporary directory and start the server on a Unix socket only.
# Exports PGHOST, PGPORT, PGUSER and PGDATABASE for the clients.
cluster_start() {
	CLUSTER_DIR="$(mktemp -d /tmp/feedback-cluster.XXXXXX)"
	chmod 755 "$CLUSTER_DIR"
	if [ "$(id -u)" -eq 0 ]; then
		SERVER_USER="${SERVER_USER:-nobody}"
		chown "$SERVER_USER" "$CLUSTER_DIR"
	fi
	as_server_user "$PG_BIN/initdb" -D "$CLUSTER_DIR/data" -U postgres -A trust \
		-E UTF8 --locale=C.UTF-8 --no-sync >"$CLUSTER_DIR/initdb.log" 2>&1 ||
		{ cat "$CLUSTER_DIR/initdb.log" >&2; return 1; }
	cat >>"$CLUSTER_DIR/data/postgresql.conf" <<CONF
listen_addresses = ''
unix_socket_directories = '$CLUSTER_DIR'
port = 5432
fsync = ${CLUSTER_FSYNC:-off}
max_connections = 100
max_prepared_transactions = 10
log_min_messages = warning
${CLUSTER_CONF:-}
CONF
	as_server_user "$PG_BIN/pg_ctl" -D "$CLUSTER_DIR/data" -l "$CLUSTER_DIR/server.log" \
		-w -t 60 start >/dev/null ||
		{ cat "$CLUSTER_DIR/server.log" >&2; return 1; }
	export PGHOST="$CLUSTER_DIR" PGPORT=5432 PGUSER=postgres PGDATABASE=postgres
	trap cluster_stop EXIT
}

cluster_stop() {
	[ -n "${CLUSTER_DIR:-}" ] || return 0
	as_server_user "$PG_BIN/pg_ctl" -D "$CLUSTER_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
	rm -rf "$CLUSTER_DIR"
	CLUSTER_DIR=
}
