#!/usr/bin/env bash
# PostgreSQL 15 for the project: uses the server in DATABASE_URL when reachable; otherwise starts
# Debian's cluster (as root, installing postgresql when missing) or a project-local cluster.
# Creates the role and databases the project uses (local defaults, overridable by env).
# Usage: scripts/postgres.sh install|start|stop|status
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

PG_VERSION="${PG_VERSION:-15}"
PG_CLUSTER="${PG_CLUSTER:-main}"  # a second cluster on another port serves outage tests
LOCAL_DIR="$RUN_DIR/postgres/$PG_CLUSTER"
MARK="$RUN_DIR/postgres-$PG_CLUSTER.started-by-project"

pg_bin() { echo "/usr/lib/postgresql/$PG_VERSION/bin/$1"; }
server_ready() { pg_isready -q -h "$PGHOST_DEFAULT" -p "$PGPORT_DEFAULT" 2>/dev/null; }

install() {
  [ -x "$(pg_bin postgres)" ] && command -v psql >/dev/null && return 0
  [ "$(id -u)" = 0 ] || die "PostgreSQL $PG_VERSION is missing: sudo apt-get install -y postgresql-$PG_VERSION" postgres
  say postgres "installing postgresql-$PG_VERSION from Debian"
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "postgresql-$PG_VERSION" >"$LOG_DIR/postgres-apt.log" 2>&1 \
    || die "apt-get install postgresql-$PG_VERSION failed; see $LOG_DIR/postgres-apt.log" postgres
}

# Runs SQL as a superuser over the local socket.
as_super() {
  if [ "$(id -u)" = 0 ]; then su postgres -c "psql -X -q -v ON_ERROR_STOP=1 -p $PGPORT_DEFAULT -d postgres" ;
  else psql -X -q -v ON_ERROR_STOP=1 -h "$LOCAL_DIR" -p "$PGPORT_DEFAULT" -d postgres; fi
}

provision() {
  as_super <<SQL
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$ANALYTICS_DB_USER') THEN
    CREATE ROLE "$ANALYTICS_DB_USER" LOGIN PASSWORD '$ANALYTICS_DB_PASSWORD' CREATEROLE CREATEDB;
  END IF;
  -- The query API's login; migration 015 makes it a read-only member of analytics_reader.
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'analytics_api') THEN
    CREATE ROLE analytics_api LOGIN PASSWORD '$API_DB_PASSWORD';
  ELSE
    ALTER ROLE analytics_api LOGIN PASSWORD '$API_DB_PASSWORD';
  END IF;
END \$\$;
SELECT format('CREATE DATABASE %I OWNER %I', d, '$ANALYTICS_DB_USER')
  FROM unnest(ARRAY['$ANALYTICS_DB_NAME', '$ANALYTICS_TEST_DB_NAME']) AS d
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = d) \gexec
SQL
}

# Memory settings sized to this machine, as timescaledb-tune sizes them for the Docker image:
# shared_buffers a quarter of RAM (at most 2 GB, at least the 128 MB default) and
# effective_cache_size three quarters. The default 128 MB holds a few percent of a month's
# indexes, so every report re-copied its index pages from the OS cache, evicting the loader's.
# PG_SHARED_BUFFERS / PG_EFFECTIVE_CACHE_SIZE (e.g. 512MB) override them.
memory_settings() {
  local mem_mb shared cache
  mem_mb=$(( $(awk '/^MemTotal:/ {print $2}' /proc/meminfo) / 1024 ))
  shared=$(( mem_mb / 4 )); [ "$shared" -gt 2048 ] && shared=2048; [ "$shared" -lt 128 ] && shared=128
  cache=$(( mem_mb * 3 / 4 )); [ "$cache" -lt 512 ] && cache=512
  echo "shared_buffers=${PG_SHARED_BUFFERS:-${shared}MB} effective_cache_size=${PG_EFFECTIVE_CACHE_SIZE:-${cache}MB}"
}

# Huge pages for the shared server's shared memory (PostgreSQL docs § 19.4.5, huge_pages = try,
# the default). With 4 kB pages every new backend and every parallel worker faults in each page of
# shared_buffers it touches: on 2 GB that cost a parallel worker ~0.35 s per query for a month's
# funnel index range, more than the scan itself (bench/HISTORY.md § 26). Reserves the pages the
# server will ask for (postgres -C shared_memory_size_in_huge_pages) when /proc/sys/vm/nr_hugepages
# is writable (root) and fewer are free; the reservation stays after a stop, for the next start.
# If the kernel gives fewer, PostgreSQL starts with ordinary pages. PG_HUGE_PAGES=off skips it.
reserve_huge_pages() {
  [ "${PG_HUGE_PAGES:-try}" = off ] && { pg_conftool "$PG_VERSION" "$PG_CLUSTER" set huge_pages off; return 0; }
  pg_conftool "$PG_VERSION" "$PG_CLUSTER" set huge_pages try
  [ -w /proc/sys/vm/nr_hugepages ] || return 0
  local need total free
  need=$(su postgres -c "$(pg_bin postgres) -D /var/lib/postgresql/$PG_VERSION/$PG_CLUSTER -c config_file=/etc/postgresql/$PG_VERSION/$PG_CLUSTER/postgresql.conf -C shared_memory_size_in_huge_pages" 2>/dev/null) || return 0
  total=$(awk '/^HugePages_Total:/ {print $2}' /proc/meminfo)
  free=$(free_huge_pages)
  [ -n "$need" ] && [ "$need" -gt 0 ] && [ "$free" -lt "$need" ] || return 0
  echo $(( total + need - free )) > /proc/sys/vm/nr_hugepages || return 0
  say postgres "reserved $(( $(free_huge_pages) - free )) huge pages for shared_buffers (vm.nr_hugepages $(cat /proc/sys/vm/nr_hugepages); 'echo 0 > /proc/sys/vm/nr_hugepages' after a stop returns them)"
}

# glibc's malloc in every server process (GLIBC_TUNABLES; glibc manual, "Memory Allocation
# Tunables"). By default a backend gives the memory of each large sort, hash table or window
# buffer back to the kernel when the statement ends (glibc trims the free heap top and unmaps big
# blocks), and its next statement faults the same memory in again, 4 kB at a time: one part of
# the 3-step funnel faulted 28,000 pages (0.25 s of system time, 15 % of its CPU) on every run, in a
# connection it had used before (bench/HISTORY.md § 30). With up to 256 MB of free heap kept per
# backend and blocks up to 32 MB taken from the heap, a connection's later statements reuse it.
# The cost: a backend keeps the memory of its largest statement until its connection closes.
# PG_MALLOC_TUNABLES overrides the value; set it empty for glibc's defaults. (Alpine's musl, as in
# the TimescaleDB image of docker-compose.yml, has no such setting.)
MALLOC_TUNABLES="${PG_MALLOC_TUNABLES-glibc.malloc.trim_threshold=268435456:glibc.malloc.mmap_threshold=33554432}"

malloc_settings_debian() {
  if [ -n "$MALLOC_TUNABLES" ]; then pg_conftool "$PG_VERSION" "$PG_CLUSTER" environment set GLIBC_TUNABLES "$MALLOC_TUNABLES"
  else pg_conftool "$PG_VERSION" "$PG_CLUSTER" environment remove GLIBC_TUNABLES 2>/dev/null || true; fi
}

# Huge pages nobody holds: free ones minus those already promised to a running process (Rsvd).
free_huge_pages() { awk '/^HugePages_Free:/ {f = $2} /^HugePages_Rsvd:/ {r = $2} END {print f - r}' /proc/meminfo; }

start_debian_cluster() {
  install
  if ! pg_lsclusters -h 2>/dev/null | awk "{print \$1\" \"\$2}" | grep -q "^$PG_VERSION $PG_CLUSTER$"; then
    pg_createcluster "$PG_VERSION" "$PG_CLUSTER" -p "$PGPORT_DEFAULT" >/dev/null
  fi
  local setting
  for setting in $(memory_settings); do pg_conftool "$PG_VERSION" "$PG_CLUSTER" set "${setting%%=*}" "${setting#*=}"; done
  [ "$PG_CLUSTER" = main ] && reserve_huge_pages
  malloc_settings_debian
  pg_ctlcluster "$PG_VERSION" "$PG_CLUSTER" start
  touch "$MARK"
}

start_local_cluster() {
  install
  if [ ! -f "$LOCAL_DIR/data/PG_VERSION" ]; then
    mkdir -p "$LOCAL_DIR"
    "$(pg_bin initdb)" -D "$LOCAL_DIR/data" -U "$(id -un)" --auth=trust -E UTF8 >"$LOG_DIR/postgres-initdb.log"
  fi
  env ${MALLOC_TUNABLES:+GLIBC_TUNABLES="$MALLOC_TUNABLES"} "$(pg_bin pg_ctl)" -D "$LOCAL_DIR/data" -l "$LOG_DIR/postgres.log" -w \
    -o "-p $PGPORT_DEFAULT -k $LOCAL_DIR -c listen_addresses=$PGHOST_DEFAULT $(memory_settings | sed 's/[^ ]*/-c &/g')" start >/dev/null
  touch "$MARK"
}

start() {
  if server_ready; then
    say postgres "already running on $PGHOST_DEFAULT:$PGPORT_DEFAULT"
  elif [ "$(id -u)" = 0 ]; then
    start_debian_cluster
  else
    start_local_cluster
  fi
  wait_for 30 server_ready || die "PostgreSQL did not become ready on $PGHOST_DEFAULT:$PGPORT_DEFAULT" postgres
  # Provision only a server this machine owns; an external DATABASE_URL server is used as given.
  if [ "$(id -u)" = 0 ] || [ -d "$LOCAL_DIR/data" ]; then provision; fi
  say postgres "ready on $PGHOST_DEFAULT:$PGPORT_DEFAULT (psql -h $PGHOST_DEFAULT -U $ANALYTICS_DB_USER -d $ANALYTICS_DB_NAME)"
}

stop() {
  [ -f "$MARK" ] || return 0
  if [ -d "$LOCAL_DIR/data" ] && [ "$(id -u)" != 0 ]; then
    "$(pg_bin pg_ctl)" -D "$LOCAL_DIR/data" -m fast stop >/dev/null || true
  else
    pg_ctlcluster "$PG_VERSION" "$PG_CLUSTER" stop -m fast || true
  fi
  rm -f "$MARK"
  say postgres "stopped"
}


# Stops the server without forgetting that the project started it (outage tests use it).
stop_only() {
  if [ -d "$LOCAL_DIR/data" ] && [ "$(id -u)" != 0 ]; then "$(pg_bin pg_ctl)" -D "$LOCAL_DIR/data" -m fast stop >/dev/null
  else pg_ctlcluster "$PG_VERSION" "$PG_CLUSTER" stop -m fast; fi
}

status() { if server_ready; then say postgres "up on $PGHOST_DEFAULT:$PGPORT_DEFAULT"; else say postgres "down"; return 1; fi; }

case "${1:-}" in
  install) install ;;
  start) start ;;
  stop) stop ;;
  stop-server) stop_only ;;
  status) status ;;
  *) echo "usage: $0 install|start|stop|stop-server|status" >&2; exit 2 ;;
esac
