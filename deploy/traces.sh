#!/usr/bin/env bash
# The trace backend an operator opens locally, without Docker: Zipkin (its UI and its in-memory store, the
# exec jar from Maven Central) behind the suite's own OpenTelemetry Collector (deploy/otelcol, built with
# the Go toolchain), which takes the services' OTLP and writes every span to Zipkin and to a JSON-lines file.
#
#   deploy/traces.sh collector   build the collector if it is not built yet; print its path
#   deploy/traces.sh jar         fetch Zipkin's exec jar with Maven if not fetched yet (cached outside the
#                                repo); print its path
#   deploy/traces.sh start       start Zipkin on ZIPKIN_PORT (9411) and the collector on OTLP_PORT (4318)
#   deploy/traces.sh stop        stop both
#   deploy/traces.sh status      exit 0 when both answer
#
# Then: OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318 make run, and open http://127.0.0.1:9411/zipkin/.
# Environment: TRACES_HOME (state: logs, pids, the span file; default var/traces), TRACES_CACHE (the
# collector binary and the jar; default ~/.cache/thidua), ZIPKIN_PORT, OTLP_PORT.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
cache=${TRACES_CACHE:-$HOME/.cache/thidua}
home=${TRACES_HOME:-$(cd "$here/.." && pwd)/var/traces}
zipkin_version=3.6.1
collector_version=$(sed -n 's:.*Version\: *"\(.*\)".*:\1:p' "$here/otelcol/main.go")
collector="$cache/otelcol-$collector_version/thidua-otelcol"
jar="$cache/zipkin-$zipkin_version/zipkin-server-$zipkin_version-exec.jar"
zipkin_port=${ZIPKIN_PORT:-9411}
otlp_port=${OTLP_PORT:-4318}

log() { echo "traces.sh: $*" >&2; }

build_collector() {
  if [ ! -x "$collector" ]; then
    log "building the OpenTelemetry Collector $collector_version with $(go version | cut -d' ' -f3) into $collector"
    mkdir -p "$(dirname "$collector")"
    (cd "$here/otelcol" && CGO_ENABLED=0 GOFLAGS=-mod=mod go build -trimpath -ldflags=-s -o "$collector.partial" .)
    mv "$collector.partial" "$collector"
  fi
  echo "$collector"
}

fetch_zipkin() {
  if [ -f "$jar" ]; then return 0; fi
  log "fetching Zipkin $zipkin_version with Maven into $(dirname "$jar")"
  mvn -q -B -Dstyle.color=never dependency:copy "-Dartifact=io.zipkin:zipkin-server:$zipkin_version:jar:exec" \
    -DoutputDirectory="$(dirname "$jar")" >&2
}

answers() { curl -fsS -o /dev/null "$1" 2>/dev/null; }
listens() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_for() {
  local what=$1; shift
  for _ in $(seq 1 120); do
    if "$@"; then return 0; fi
    sleep 0.5
  done
  log "$what did not answer ($*); its log: $home/$what.log"
  exit 1
}

start() {
  build_collector >/dev/null
  fetch_zipkin
  mkdir -p "$home"
  if ! answers "http://127.0.0.1:$zipkin_port/health"; then
    QUERY_PORT=$zipkin_port nohup java -Xms64m -Xmx384m -jar "$jar" >"$home/zipkin.log" 2>&1 &
    echo $! >"$home/zipkin.pid"
  fi
  wait_for zipkin answers "http://127.0.0.1:$zipkin_port/health"
  if ! listens "$otlp_port"; then
    ZIPKIN_PORT=$zipkin_port OTLP_PORT=$otlp_port SPAN_FILE="$home/spans.jsonl" \
      nohup "$collector" --config "$here/otelcol/config.yaml" >"$home/collector.log" 2>&1 &
    echo $! >"$home/collector.pid"
  fi
  wait_for collector listens "$otlp_port"
  log "Zipkin: http://127.0.0.1:$zipkin_port/zipkin/  OTLP: http://127.0.0.1:$otlp_port  spans: $home/spans.jsonl"
}

stop() {
  for what in collector zipkin; do
    if [ -f "$home/$what.pid" ]; then
      kill "$(cat "$home/$what.pid")" 2>/dev/null || true
      rm -f "$home/$what.pid"
    fi
  done
}

case "${1:-}" in
  collector) build_collector ;;
  jar) fetch_zipkin && echo "$jar" ;;
  start) start ;;
  stop) stop ;;
  status) answers "http://127.0.0.1:$zipkin_port/health" && listens "$otlp_port" ;;
  *) sed -n '2,15p' "$0" >&2; exit 2 ;;
esac
