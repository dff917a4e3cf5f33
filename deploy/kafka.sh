#!/usr/bin/env bash
# Runs a single-node Apache Kafka broker (KRaft, broker+controller) on 127.0.0.1 without Docker.
#
#   deploy/kafka.sh fetch            fetch the broker's jars from Maven Central (cached outside the repo)
#   deploy/kafka.sh start            format storage if new, start in the background, wait until it answers
#   deploy/kafka.sh stop             stop it cleanly (SIGTERM, then wait)
#   deploy/kafka.sh status           exit 0 when the broker answers
#
# Environment: KAFKA_PORT (9092), KAFKA_CONTROLLER_PORT (KAFKA_PORT+1), KAFKA_HOME (state dir,
# default ~/.cache/thidua/kafka-run-$KAFKA_PORT), KAFKA_CACHE (jar cache, default ~/.cache/thidua),
# KAFKA_START_TIMEOUT seconds (90).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
kafka_version=$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$here/kafka/pom.xml")
port=${KAFKA_PORT:-9092}
controller_port=${KAFKA_CONTROLLER_PORT:-$((port + 1))}
cache=${KAFKA_CACHE:-$HOME/.cache/thidua}
libs="$cache/kafka-$kafka_version/libs"
home=${KAFKA_HOME:-$cache/kafka-run-$port}
timeout=${KAFKA_START_TIMEOUT:-90}
pidfile="$home/broker.pid"

log() { echo "kafka.sh: $*" >&2; }

fetch() {
  if [ -f "$libs/.complete" ]; then return 0; fi
  log "fetching Apache Kafka $kafka_version jars with Maven into $libs"
  mkdir -p "$libs"
  mvn -q -B -f "$here/kafka/pom.xml" dependency:copy-dependencies \
    -DoutputDirectory="$libs" -DincludeScope=runtime
  touch "$libs/.complete"
}

java_args() {
  printf '%s\n' -Xms256m -Xmx768m -XX:+UseG1GC -Djava.awt.headless=true \
    "-Dlog4j2.configurationFile=$here/kafka/log4j2.yaml" -cp "$libs/*"
}

java_cmd() {
  local args; mapfile -t args < <(java_args)
  java "${args[@]}" "$@"
}

answers() {
  # The port must accept connections and the broker must have logged that it finished starting.
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || return 1
  grep -q "Kafka Server started" "$home/broker.out" 2>/dev/null
}

running() { [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; }

start() {
  fetch
  if running; then log "already running on 127.0.0.1:$port"; return 0; fi
  mkdir -p "$home/data"
  cat > "$home/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$controller_port
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$controller_port
advertised.listeners=PLAINTEXT://127.0.0.1:$port
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs=$home/data
num.partitions=3
offsets.topic.replication.factor=1
offsets.topic.num.partitions=6
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
log.retention.ms=-1
PROPS
  if [ ! -f "$home/data/meta.properties" ]; then
    java_cmd kafka.tools.StorageTool format -t "$(java_cmd kafka.tools.StorageTool random-uuid)" \
      -c "$home/server.properties" >/dev/null
  fi
  : > "$home/broker.out"
  local args; mapfile -t args < <(java_args)
  nohup java "${args[@]}" kafka.Kafka "$home/server.properties" >>"$home/broker.out" 2>&1 &
  echo $! > "$pidfile"
  local deadline=$((SECONDS + timeout))
  until answers; do
    if ! running; then log "broker exited; see $home/broker.out"; tail -n 30 "$home/broker.out" >&2; return 1; fi
    if [ $SECONDS -ge $deadline ]; then log "no answer within ${timeout}s"; tail -n 30 "$home/broker.out" >&2; return 1; fi
    sleep 0.5
  done
  log "broker $kafka_version up on 127.0.0.1:$port (pid $(cat "$pidfile"))"
}

stop() {
  if ! running; then rm -f "$pidfile"; return 0; fi
  local pid; pid=$(cat "$pidfile")
  kill -TERM "$pid"
  local deadline=$((SECONDS + 60))
  while kill -0 "$pid" 2>/dev/null; do
    if [ $SECONDS -ge $deadline ]; then log "broker did not stop; killing"; kill -KILL "$pid"; break; fi
    sleep 0.2
  done
  rm -f "$pidfile"
  log "broker on 127.0.0.1:$port stopped"
}

case "${1:-}" in
  fetch) fetch ;;
  start) start ;;
  stop) stop ;;
  status) running && answers ;;
  *) echo "usage: $0 fetch|start|stop|status" >&2; exit 2 ;;
esac
