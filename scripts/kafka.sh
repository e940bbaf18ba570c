#!/usr/bin/env bash
# Single-node Apache Kafka (KRaft, broker + controller in one JVM) from Maven Central jars.
# Usage: scripts/kafka.sh install|start|stop|status|create-topics
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

KAFKA_DIR="$RUN_DIR/kafka"
PIDFILE="$KAFKA_DIR/kafka.pid"
PROPS="$KAFKA_DIR/server.properties"
BROKER_LOG="$LOG_DIR/kafka.log"

require_java() {
  command -v java >/dev/null || die "Java 17+ is required: apt-get install -y openjdk-17-jre-headless" kafka
  command -v mvn >/dev/null || die "Maven is required to fetch Kafka: apt-get install -y maven" kafka
  local major
  major=$(java -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2}')
  [ "${major%%.*}" -ge 17 ] 2>/dev/null || die "Kafka 4 needs Java 17+, found $major: apt-get install -y openjdk-17-jre-headless" kafka
}

install() {
  require_java
  # The jar set is keyed by the pom's content, so a version bump refetches.
  local stamp; stamp=$(sha256sum "$ROOT/kafka/pom.xml" | cut -c1-16)
  if [ -f "$KAFKA_LIB/.stamp" ] && [ "$(cat "$KAFKA_LIB/.stamp")" = "$stamp" ]; then return 0; fi
  say kafka "fetching Kafka jars from Maven Central"
  rm -rf "$KAFKA_LIB"
  mvn -q -B -f "$ROOT/kafka/pom.xml" dependency:copy-dependencies \
    -DoutputDirectory="$KAFKA_LIB" -DincludeScope=runtime >"$LOG_DIR/kafka-mvn.log" 2>&1 \
    || die "mvn could not fetch the Kafka jars; see $LOG_DIR/kafka-mvn.log" kafka
  echo "$stamp" >"$KAFKA_LIB/.stamp"
}

write_props() {
  mkdir -p "$KAFKA_DIR/data"
  cat >"$PROPS" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=$KAFKA_HOST:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://$KAFKA_HOST:$KAFKA_PORT,CONTROLLER://$KAFKA_HOST:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://$KAFKA_HOST:$KAFKA_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$KAFKA_DIR/data
num.partitions=$KAFKA_PARTITIONS
offsets.topic.replication.factor=1
offsets.topic.num.partitions=3
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
default.replication.factor=1
min.insync.replicas=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
log.retention.hours=168
PROPS
}

java_run() { # java_run LOG4J_CONFIG MAIN ARGS...
  local cfg=$1; shift
  java $KAFKA_HEAP_OPTS -XX:+UseG1GC -XX:TieredStopAtLevel=1 -Xshare:auto \
    -Dlog4j2.configurationFile="$cfg" -Dkafka.logs.file="$BROKER_LOG" \
    -cp "$KAFKA_LIB/*" "$@"
}

tool() { # tool MAIN ARGS...: a console tool with quiet logging
  java -Xms64m -Xmx256m -XX:TieredStopAtLevel=1 -Dlog4j2.configurationFile="$ROOT/kafka/log4j2-tools.xml" \
    -cp "$KAFKA_LIB/*" "$@"
}

format() {
  [ -f "$KAFKA_DIR/data/meta.properties" ] && return 0
  local id; id=$(tool kafka.tools.StorageTool random-uuid)
  tool kafka.tools.StorageTool format --standalone -t "$id" -c "$PROPS" -g >"$LOG_DIR/kafka-format.log" 2>&1 \
    || die "formatting Kafka storage failed; see $LOG_DIR/kafka-format.log" kafka
}

broker_ready() { port_open "$KAFKA_HOST" "$KAFKA_PORT"; }

create_topics() {
  local t
  for t in "$KAFKA_TOPIC" "$KAFKA_DLQ_TOPIC"; do
    tool org.apache.kafka.tools.TopicCommand --bootstrap-server "$KAFKA_HOST:$KAFKA_PORT" \
      --create --if-not-exists --topic "$t" --partitions "$KAFKA_PARTITIONS" --replication-factor 1 >/dev/null
  done
}

# The log file of the broker listening on the port when another checkout or run dir started it:
# the -Dkafka.logs.file of its process, when this user may read its command line.
listener_log() {
  local pid file=""
  pid=$(ss -ltnpH "sport = :$KAFKA_PORT" 2>/dev/null | grep -o 'pid=[0-9]*' | head -n1 | cut -d= -f2 || true)
  [ -n "$pid" ] && file=$(tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null | sed -n 's/^-Dkafka\.logs\.file=//p' | head -n1 || true)
  echo "${file:-unknown, not started by the project scripts or owned by another user}"
}

start() {
  if pid_alive "$PIDFILE" && broker_ready; then say kafka "already running (pid $(cat "$PIDFILE"))"; return 0; fi
  if broker_ready; then say kafka "a broker already listens on $KAFKA_HOST:$KAFKA_PORT; using it (its log: $(listener_log))"; create_topics; return 0; fi
  install
  write_props
  format
  : >"$BROKER_LOG"
  nohup java $KAFKA_HEAP_OPTS -XX:+UseG1GC -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$ROOT/kafka/log4j2.xml" -Dkafka.logs.file="$BROKER_LOG" \
    -cp "$KAFKA_LIB/*" kafka.Kafka "$PROPS" >"$LOG_DIR/kafka.out" 2>&1 &
  echo $! >"$PIDFILE"
  touch "$KAFKA_DIR/started-by-project"
  wait_for 60 broker_ready || die "Kafka did not open $KAFKA_HOST:$KAFKA_PORT within 60 s; see $BROKER_LOG" kafka
  create_topics
  say kafka "ready on $KAFKA_HOST:$KAFKA_PORT (pid $(cat "$PIDFILE"), log $BROKER_LOG)"
}

stop() {
  if pid_alive "$PIDFILE"; then
    stop_pidfile "$PIDFILE" 30
    wait_for 10 bash -c "! (exec 3<>/dev/tcp/$KAFKA_HOST/$KAFKA_PORT) 2>/dev/null" || true
    say kafka "stopped"
  fi
  rm -f "$PIDFILE" "$KAFKA_DIR/started-by-project"
}

status() {
  if broker_ready; then say kafka "up on $KAFKA_HOST:$KAFKA_PORT"; else say kafka "down"; return 1; fi
}

case "${1:-}" in
  install) install ;;
  start) start ;;
  stop) stop ;;
  status) status ;;
  create-topics) create_topics ;;
  tool) shift; install; tool "$@" ;;
  *) echo "usage: $0 install|start|stop|status|create-topics|tool MAIN ARGS" >&2; exit 2 ;;
esac
