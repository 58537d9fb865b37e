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
		runuser -u "${SERVER_USER:-nobody}" -- "$@"
	else
		"$@"
	fi
}

# A temporary directory for a private cluster, owned by the server user.
cluster_dir_make() {
	local dir
	dir="$(mktemp -d /tmp/feedback-cluster.XXXXXX)" || return 1
	chmod 755 "$dir"
	if [ "$(id -u)" -eq 0 ]; then
		SERVER_USER="${SERVER_USER:-nobody}"
		chown "$SERVER_USER" "$dir"
	fi
	echo "$dir"
}

# initdb in directory $1 (made if missing, in a directory of cluster_dir_make)
# and start a server there on port $2, its Unix socket in directory $3 and
# no TCP at all; its log is $1/server.log.  CLUSTER_CONF is added to its
# postgresql.conf.
node_start() {
	local dir="$1" port="$2" sockets="$3"
	if [ "$(id -u)" -eq 0 ]; then
		SERVER_USER="${SERVER_USER:-nobody}"
	fi
	if [ ! -d "$dir" ]; then
		mkdir -p "$dir" && chmod 755 "$dir" || return 1
		if [ "$(id -u)" -eq 0 ]; then
			chown "$SERVER_USER" "$dir" || return 1
		fi
	fi
	as_server_user "$PG_BIN/initdb" -D "$dir/data" -U postgres -A trust \
		-E UTF8 --locale=C.UTF-8 --no-sync >"$dir/initdb.log" 2>&1 ||
		{ cat "$dir/initdb.log" >&2; return 1; }
	cat >>"$dir/data/postgresql.conf" <<CONF
listen_addresses = ''
unix_socket_directories = '$sockets'
port = $port
fsync = ${CLUSTER_FSYNC:-off}
max_connections = 100
max_prepared_transactions = 10
log_min_messages = warning
${CLUSTER_CONF:-}
CONF
	as_server_user "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" \
		-w -t 60 start >/dev/null ||
		{ cat "$dir/server.log" >&2; return 1; }
}

# initdb in a temporary directory and start the server on a Unix socket only.
# Exports PGHOST, PGPORT, PGUSER and PGDATABASE for the clients.
cluster_start() {
	CLUSTER_DIR="$(cluster_dir_make)" || return 1
	trap cluster_stop EXIT
	node_start "$CLUSTER_DIR" 5432 "$CLUSTER_DIR" || return 1
	export PGHOST="$CLUSTER_DIR" PGPORT=5432 PGUSER=postgres PGDATABASE=postgres
}

# Stop the server of directory $1 (one node_start made).
node_stop() {
	[ -f "$1/data/postmaster.pid" ] || return 0
	as_server_user "$PG_BIN/pg_ctl" -D "$1/data" -m fast -w stop >/dev/null 2>&1 || true
}

# Stop every server under CLUSTER_DIR (the one of cluster_start, or those
# node_start made in its subdirectories) and remove it all.
cluster_stop() {
	[ -n "${CLUSTER_DIR:-}" ] || return 0
	local node
	for node in "$CLUSTER_DIR" "$CLUSTER_DIR"/*/; do
		node_stop "${node%/}"
	done
	rm -rf "$CLUSTER_DIR"
	CLUSTER_DIR=
}

# A Citus cluster of three private servers: a coordinator and two workers,
# in directories coordinator, worker1 and worker2 of a new CLUSTER_DIR,
# which also holds their Unix sockets (Citus reaches every node by that
# directory as host, and a port).  Every node logs the statements Citus
# runs on several shards; the workers also log every write.  CITUS_CONF is
# added to every node's configuration.  Exports what cluster_start does,
# for the coordinator, and CITUS_HOST, CITUS_COORDINATOR_PORT and
# CITUS_WORKER_PORTS for citus_database.
citus_cluster_start() {
	local conf port i=0
	CITUS_COORDINATOR_PORT=5432
	CITUS_WORKER_PORTS="5433 5434"
	CLUSTER_DIR="$(cluster_dir_make)" || return 1
	trap cluster_stop EXIT
	conf="shared_preload_libraries = 'citus'
citus.enable_unsafe_triggers = on
citus.local_hostname = '$CLUSTER_DIR'
citus.multi_task_query_log_level = log
max_prepared_transactions = 50
${CITUS_CONF:-}"
	CLUSTER_CONF="$conf" node_start "$CLUSTER_DIR/coordinator" "$CITUS_COORDINATOR_PORT" "$CLUSTER_DIR" ||
		return 1
	for port in $CITUS_WORKER_PORTS; do
		i=$((i + 1))
		CLUSTER_CONF="$conf
log_statement = 'mod'" node_start "$CLUSTER_DIR/worker$i" "$port" "$CLUSTER_DIR" || return 1
	done
	CITUS_HOST="$CLUSTER_DIR"
	export CITUS_HOST CITUS_COORDINATOR_PORT CITUS_WORKER_PORTS
	export PGHOST="$CLUSTER_DIR" PGPORT="$CITUS_COORDINATOR_PORT" PGUSER=postgres PGDATABASE=postgres
}

# Database $1 on every node of the cluster of citus_cluster_start, with
# Citus in it and, on the coordinator, the coordinator and both workers
# registered.  The coordinator holds no shards of distributed tables (its
# default), so every statement on a tenant's rows runs on a worker.
# CREATE EXTENSION feedback on the coordinator then reaches the workers.
# With "single" as $2: a single-node Citus database instead, on the
# coordinator alone, which then holds the shards.
citus_database() {
	local db="$1" mode="${2:-workers}" port ports
	ports="$CITUS_COORDINATOR_PORT"
	[ "$mode" = single ] || ports="$ports $CITUS_WORKER_PORTS"
	for port in $ports; do
		psql -qX -h "$CITUS_HOST" -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 \
			-c "CREATE DATABASE $db" >/dev/null || return 1
		psql -qX -h "$CITUS_HOST" -p "$port" -U postgres -d "$db" -v ON_ERROR_STOP=1 \
			-c 'SET client_min_messages = warning' -c 'CREATE EXTENSION citus' >/dev/null || return 1
	done
	{
		echo "SET client_min_messages = warning;"
		echo "SELECT pg_catalog.citus_set_coordinator_host('$CITUS_HOST', $CITUS_COORDINATOR_PORT);"
		if [ "$mode" = single ]; then
			echo "SELECT pg_catalog.citus_set_node_property('$CITUS_HOST', $CITUS_COORDINATOR_PORT, 'shouldhaveshards', true);"
		else
			for port in $CITUS_WORKER_PORTS; do
				echo "SELECT pg_catalog.citus_add_node('$CITUS_HOST', $port);"
			done
		fi
	} | psql -qX -h "$CITUS_HOST" -p "$CITUS_COORDINATOR_PORT" -U postgres -d "$db" -v ON_ERROR_STOP=1 >/dev/null
}
