#!/usr/bin/env bash
# `make test`: install and start what every tier of the tests needs, run them, stop what it started.
#
# Debian's packages for the broker (Java, Maven), the browser tests (Chromium), the alerts (promtool) and
# the signed decisions (DejaVu Serif) are installed when missing (as root; otherwise it says what to install), PostgreSQL and a Kafka broker
# are started unless TEST_POSTGRES_URL / KAFKA_BOOTSTRAP_SERVERS name running ones, and the suite's
# OpenTelemetry Collector is built (Go) meanwhile. No test may then skip for want of a server: a
# missing one is a failure (THIDUA_TESTS_STRICT=1), so a newcomer's green run has run everything.
# The fast tier runs first (seconds), then every other test but the chaos suite on TEST_WORKERS (2)
# workers, a module per worker, the slowest tiers first; the chaos suite runs alone afterwards. Arguments are passed to both pytest runs (e.g. -x).
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${BIN:-.venv/bin}
workers=${TEST_WORKERS:-2}

log() { echo "test.sh: $*" >&2; }
need() { command -v "$1" >/dev/null 2>&1; }

missing=()
need java || missing+=(openjdk-17-jre-headless)
need mvn || missing+=(maven)
need chromium || missing+=(chromium)
need promtool || missing+=(prometheus)
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSerif-BoldItalic.ttf ] || missing+=(fonts-dejavu-core fonts-dejavu-extra)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    log "install Debian's ${missing[*]} first (as root: apt-get install ${missing[*]})"
    exit 1
  fi
  log "installing ${missing[*]} from Debian's packages"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
need go || { log "the Go toolchain (1.26) is needed to build deploy/otelcol"; exit 1; }

stops=()
cleanup() {
  for each in "${stops[@]}"; do $each || true; done
}
trap cleanup EXIT

deploy/traces.sh collector >/dev/null &
collector=$!

if [ -z "${TEST_POSTGRES_URL:-}" ]; then
  running_before=$(pg_isready -q -h /var/run/postgresql 2>/dev/null && echo yes || echo no)
  deploy/postgres.sh start
  TEST_POSTGRES_URL="$(deploy/postgres.sh url)"
  export TEST_POSTGRES_URL
  [ "$running_before" = yes ] || stops+=("deploy/postgres.sh stop")
fi
if [ -z "${KAFKA_BOOTSTRAP_SERVERS:-}" ] && (exec 3<>/dev/tcp/127.0.0.1/9092) 2>/dev/null; then
  log "a broker answers on 127.0.0.1:9092: the tests use it"
  export KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:9092
fi
if [ -z "${KAFKA_BOOTSTRAP_SERVERS:-}" ]; then
  # A broker of this run's own: a state kept across runs holds every topic earlier runs created, and a
  # broker loading thousands of partitions outlasted its start timeout.
  KAFKA_HOME="$(mktemp -d /tmp/thidua-test-kafka.XXXXXX)"
  export KAFKA_HOME
  deploy/kafka.sh start
  export KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:9092
  stops+=("deploy/kafka.sh stop" "rm -rf $KAFKA_HOME")
fi
wait "$collector" || { log "building the OpenTelemetry Collector failed"; exit 1; }

export THIDUA_TESTS_STRICT=1
tier() {  # run one pytest, then say how long it took
  local what=$1 started=$SECONDS
  shift
  "$bin/pytest" "$@"
  times+=("$what $((SECONDS - started)) s")
}
times=()
tier "fast" -q -m fast "$@"  # seconds: a broken rule shows before anything starts
tier "contract+service+process" -n "$workers" --dist loadfile -m "not chaos and not fast" "$@"
tier "chaos" -m chaos "$@"
log "every tier passed in ${SECONDS} s, set-up included (${times[*]})"
