#!/usr/bin/env bash
# Builds, from Debian's packages, stand-ins for the public images docker-compose.yml names, for an
# engine that reaches no image registry: a bookworm base made with mmdebstrap, then
#   python:3.11-slim  Debian's Python 3.11      postgres:16   Debian's PostgreSQL 15
#   nginx:1.27        Debian's nginx            apache/kafka:4.1.1  the jars deploy/kafka.sh fetches
#   prom/prometheus:v2.42.0  Debian's Prometheus   openzipkin/zipkin:3.6.1  the jar deploy/traces.sh fetches
#   otel/opentelemetry-collector-contrib:0.148.0  the collector deploy/traces.sh builds (Go)
# Each is built once (FORCE=1 builds again). Builds reach Debian's mirror through the host's network.
#   DOCKER (docker), MIRROR (http://deb.debian.org/debian)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
docker=${DOCKER:-docker}
mirror=${MIRROR:-http://deb.debian.org/debian}
base=thidua-standin/debian:bookworm

log() { echo "standins: $*" >&2; }
have() { [ -z "${FORCE:-}" ] && "$docker" image inspect "$1" >/dev/null 2>&1; }

build_base() {
  have "$base" && return 0
  command -v mmdebstrap >/dev/null || { log "mmdebstrap is missing (apt-get install mmdebstrap)"; exit 1; }
  local tar; tar=$(mktemp --suffix=.tar)
  log "making $base with mmdebstrap"
  mmdebstrap --variant=minbase --quiet bookworm "$tar" \
    "deb $mirror bookworm main" "deb $mirror bookworm-updates main" \
    "deb ${mirror%/debian}/debian-security bookworm-security main"
  "$docker" import --change 'CMD ["bash"]' "$tar" "$base" >/dev/null
  rm -f "$tar"
}

build() {
  local tag=$1 context=$2
  have "$tag" && { log "$tag present"; return 0; }
  log "building $tag"
  "$docker" build --quiet --network host -t "$tag" "$context" >/dev/null
}

kafka_context() {
  local context; context=$(mktemp -d)
  "$here/../kafka.sh" fetch >&2
  local version; version=$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$here/../kafka/pom.xml")
  cp -r "${KAFKA_CACHE:-$HOME/.cache/thidua}/kafka-$version/libs" "$context/libs"
  rm -f "$context/libs/.complete"
  cp "$here/kafka/Dockerfile" "$here/kafka/entrypoint.sh" "$here/../kafka/log4j2.yaml" "$context/"
  echo "$context"
}

# A context of a Dockerfile's directory and one file: context DIR SOURCE NAME prints the context's path.
context_with() {
  local context; context=$(mktemp -d)
  cp -r "$1"/. "$context/"
  cp "$2" "$context/$3"
  echo "$context"
}

build_base
build python:3.11-slim "$here/python"
build postgres:16 "$here/postgres"
build nginx:1.27 "$here/nginx"
build prom/prometheus:v2.42.0 "$here/prometheus"
build thidua-standin/java:17 "$here/java"
if ! have apache/kafka:4.1.1; then
  context=$(kafka_context)
  build apache/kafka:4.1.1 "$context"
  rm -rf "$context"
fi
if ! have openzipkin/zipkin:3.6.1; then
  context=$(context_with "$here/zipkin" "$("$here/../traces.sh" jar)" zipkin.jar)
  build openzipkin/zipkin:3.6.1 "$context"
  rm -rf "$context"
fi
if ! have otel/opentelemetry-collector-contrib:0.148.0; then
  context=$(context_with "$here/otelcol" "$("$here/../traces.sh" collector)" thidua-otelcol)
  build otel/opentelemetry-collector-contrib:0.148.0 "$context"
  rm -rf "$context"
fi
log "stand-ins ready"
