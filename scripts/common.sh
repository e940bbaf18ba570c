# Shared settings for the project's service scripts. Every value is a local default,
# overridable from the environment.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export ROOT
RUN_DIR="${ANALYTICS_RUN_DIR:-$ROOT/.run}"
CACHE_DIR="${ANALYTICS_CACHE_DIR:-$ROOT/.cache}"
LOG_DIR="$RUN_DIR/logs"
mkdir -p "$RUN_DIR" "$LOG_DIR" "$CACHE_DIR"

KAFKA_HOST="${KAFKA_HOST:-127.0.0.1}"
KAFKA_PORT="${KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
KAFKA_TOPIC="${KAFKA_TOPIC:-analytics-events}"
KAFKA_DLQ_TOPIC="${KAFKA_DLQ_TOPIC:-analytics-events-dlq}"
KAFKA_PARTITIONS="${KAFKA_PARTITIONS:-3}"
KAFKA_HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xms256m -Xmx512m}"
KAFKA_LIB="$CACHE_DIR/kafka/lib"

PGHOST_DEFAULT="${PGHOST:-127.0.0.1}"
PGPORT_DEFAULT="${PGPORT:-5432}"
ANALYTICS_DB_USER="${ANALYTICS_DB_USER:-analytics}"
ANALYTICS_DB_PASSWORD="${ANALYTICS_DB_PASSWORD:-analytics}"
# The query API's read-only login (member of analytics_reader by migration 015); local default.
API_DB_PASSWORD="${API_DB_PASSWORD:-analytics_api}"
ANALYTICS_DB_NAME="${ANALYTICS_DB_NAME:-analytics}"
ANALYTICS_TEST_DB_NAME="${ANALYTICS_TEST_DB_NAME:-analytics_test}"
export DATABASE_URL="${DATABASE_URL:-postgres://$ANALYTICS_DB_USER:$ANALYTICS_DB_PASSWORD@$PGHOST_DEFAULT:$PGPORT_DEFAULT/$ANALYTICS_DB_NAME}"

say() { printf '%-10s %s\n' "[$1]" "$2"; }
die() { say "${2:-error}" "$1" >&2; exit 1; }

# True when something accepts TCP connections on host:port.
port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

# wait_for SECONDS COMMAND...: polls COMMAND every 0.2 s until it succeeds.
wait_for() {
  local deadline=$(( $(date +%s%N) / 1000000 + $1 * 1000 )); shift
  until "$@"; do
    (( $(date +%s%N) / 1000000 < deadline )) || return 1
    sleep 0.2
  done
}

pid_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

# stop_pidfile FILE [SECONDS]: SIGTERM, wait, then SIGKILL; removes the file.
stop_pidfile() {
  local file=$1 secs=${2:-20}
  if pid_alive "$file"; then
    local pid; pid=$(cat "$file")
    kill -TERM "$pid" 2>/dev/null || true
    wait_for "$secs" bash -c "! kill -0 $pid 2>/dev/null" || kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$file"
}
