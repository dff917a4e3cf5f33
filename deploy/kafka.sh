#!/usr/bin/env bash
# Runs Apache Kafka (KRaft, each node broker+controller) on 127.0.0.1 without Docker: one broker, or a
# local three-node cluster for tests and operators, from the same jars.
#
#   deploy/kafka.sh fetch                  fetch the broker's jars from Maven Central (cached outside the repo)
#   deploy/kafka.sh start | stop | status  the single broker on KAFKA_PORT (9092)
#   deploy/kafka.sh cluster start          format if new and start three nodes; wait until all answer
#   deploy/kafka.sh cluster stop           stop every node cleanly
#   deploy/kafka.sh cluster kill N         kill node N (1-3) with SIGKILL, as a crash would
#   deploy/kafka.sh cluster start-node N   start node N again (after a kill or a stop)
#   deploy/kafka.sh cluster stop-node N    stop node N cleanly
#   deploy/kafka.sh cluster status         exit 0 when every node answers
#   deploy/kafka.sh cluster bootstrap      print the bootstrap servers (host:port,host:port,host:port)
#
# Environment: KAFKA_PORT (9092), KAFKA_CONTROLLER_PORT (KAFKA_PORT+1), KAFKA_HOME (state dir,
# default ~/.cache/thidua/kafka-run-$KAFKA_PORT), KAFKA_CACHE (jar cache, default ~/.cache/thidua),
# KAFKA_START_TIMEOUT seconds (120). The cluster: KAFKA_CLUSTER_PORT (29092; node N listens on
# KAFKA_CLUSTER_PORT + 2(N-1) and its controller on the port after), KAFKA_CLUSTER_HOME (default
# ~/.cache/thidua/kafka-cluster-$KAFKA_CLUSTER_PORT), KAFKA_HEAP (768m, 512m per cluster node).
# The cluster's internal topics have 3 replicas and min.insync.replicas 2; so do the suite's topics
# when THIDUA_TOPIC_REPLICATION=3 and THIDUA_TOPIC_MIN_INSYNC=2.
#
# KAFKA_SECURITY=sasl secures the broker or the cluster: clients and brokers authenticate with
# SASL/SCRAM-SHA-512 (SASL_PLAINTEXT on 127.0.0.1; use SASL_SSL in production), controllers with
# SASL/PLAIN, and KRaft's StandardAuthorizer allows only what deploy/kafka-access.toml declares.
# The admin and controller passwords are generated into the state dir's secrets/ (mode 600); once the
# broker answers, `python -m shared.kafka_access apply` (the repo's .venv, or THIDUA_PYTHON) creates
# a SCRAM user per declared principal, with its password in secrets/credentials.json, and its ACLs
# (KAFKA_ACCESS_NAMESPACE prefixes every topic and group, as THIDUA_BUS_URL's namespace does).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
kafka_version=$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$here/kafka/pom.xml")
cache=${KAFKA_CACHE:-$HOME/.cache/thidua}
libs="$cache/kafka-$kafka_version/libs"
timeout=${KAFKA_START_TIMEOUT:-120}
cluster_base=${KAFKA_CLUSTER_PORT:-29092}
cluster_home=${KAFKA_CLUSTER_HOME:-$cache/kafka-cluster-$cluster_base}
security=${KAFKA_SECURITY:-none}
secrets_dir=""

log() { echo "kafka.sh: $*" >&2; }

fetch() {
  if [ -f "$libs/.complete" ]; then return 0; fi
  log "fetching Apache Kafka $kafka_version jars with Maven into $libs"
  mkdir -p "$libs"
  mvn -q -B -Dstyle.color=never -f "$here/kafka/pom.xml" dependency:copy-dependencies \
    -DoutputDirectory="$libs" -DincludeScope=runtime >&2
  touch "$libs/.complete"
}

java_args() {
  local heap=$1
  printf '%s\n' "-Xms256m" "-Xmx$heap" -XX:+UseG1GC -Djava.awt.headless=true \
    "-Dlog4j2.configurationFile=$here/kafka/log4j2.yaml" -cp "$libs/*"
}

java_cmd() {
  local args; mapfile -t args < <(java_args 512m)
  java "${args[@]}" "$@"
}

secure() { [ "$security" = sasl ]; }

# A generated secret of the deploy (admin, controller), kept in the secrets dir with mode 600.
secret() {
  local file="$secrets_dir/$1.password"
  if [ ! -f "$file" ]; then
    mkdir -p "$secrets_dir" && chmod 700 "$secrets_dir"
    (umask 077 && python3 -c 'import secrets; print(secrets.token_urlsafe(24))' > "$file")
  fi
  cat "$file"
}

# The security part of a node's properties: SCRAM for clients and brokers, PLAIN for controllers.
security_properties() {
  local admin controller
  admin=$(secret admin)
  controller=$(secret controller)
  cat <<PROPS
sasl.enabled.mechanisms=SCRAM-SHA-512
sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512
listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="$admin";
sasl.mechanism.controller.protocol=PLAIN
listener.name.controller.sasl.enabled.mechanisms=PLAIN
listener.name.controller.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="controller" password="$controller" user_controller="$controller";
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
super.users=User:admin;User:controller
allow.everyone.if.no.acl.found=false
PROPS
}

# One node: its id, broker port, controller port, state dir, quorum voters, replication of internal topics.
write_properties() {
  local id=$1 port=$2 cport=$3 home=$4 voters=$5 rf=$6 min_isr=$7
  local client=PLAINTEXT controller_protocol=PLAINTEXT
  if secure; then client=SASL_PLAINTEXT; controller_protocol=SASL_PLAINTEXT; fi
  mkdir -p "$home/data"
  cat > "$home/server.properties" <<PROPS
process.roles=broker,controller
node.id=$id
controller.quorum.voters=$voters
listeners=$client://127.0.0.1:$port,CONTROLLER://127.0.0.1:$cport
advertised.listeners=$client://127.0.0.1:$port
controller.listener.names=CONTROLLER
listener.security.protocol.map=$client:$client,CONTROLLER:$controller_protocol
inter.broker.listener.name=$client
log.dirs=$home/data
num.partitions=3
default.replication.factor=$rf
offsets.topic.replication.factor=$rf
offsets.topic.num.partitions=6
transaction.state.log.replication.factor=$rf
transaction.state.log.min.isr=$min_isr
share.coordinator.state.topic.replication.factor=$rf
share.coordinator.state.topic.min.isr=$min_isr
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
log.retention.ms=-1
broker.heartbeat.interval.ms=1000
broker.session.timeout.ms=4000
PROPS
  if secure; then security_properties >> "$home/server.properties"; chmod 600 "$home/server.properties"; fi
}

node_running() { [ -f "$1/broker.pid" ] && kill -0 "$(cat "$1/broker.pid")" 2>/dev/null; }

node_answers() {
  # The port must accept connections and the broker must have logged that it finished starting.
  local port=$1 home=$2
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || return 1
  grep -q "Kafka Server started" "$home/broker.out" 2>/dev/null
}

# Launch a node whose properties are written (formatting its storage with the cluster id if new).
node_launch() {
  local home=$1 cluster_id=$2 heap=$3
  if node_running "$home"; then return 0; fi
  if [ ! -f "$home/data/meta.properties" ]; then
    local scram=()
    if secure; then scram=(--add-scram "SCRAM-SHA-512=[name=admin,password=$(secret admin)]"); fi
    java_cmd kafka.tools.StorageTool format -t "$cluster_id" -c "$home/server.properties" "${scram[@]}" >/dev/null
  fi
  : > "$home/broker.out"
  local args; mapfile -t args < <(java_args "$heap")
  nohup java "${args[@]}" kafka.Kafka "$home/server.properties" >>"$home/broker.out" 2>&1 &
  echo $! > "$home/broker.pid"
}

node_wait() {
  local port=$1 home=$2
  local deadline=$((SECONDS + timeout))
  until node_answers "$port" "$home"; do
    if ! node_running "$home"; then log "node on $port exited; see $home/broker.out"; tail -n 30 "$home/broker.out" >&2; return 1; fi
    if [ $SECONDS -ge $deadline ]; then log "no answer on $port within ${timeout}s"; tail -n 30 "$home/broker.out" >&2; return 1; fi
    sleep 0.5
  done
}

node_stop() {
  local home=$1 signal=${2:-TERM}
  if ! node_running "$home"; then rm -f "$home/broker.pid"; return 0; fi
  local pid; pid=$(cat "$home/broker.pid")
  kill "-$signal" "$pid"
  local deadline=$((SECONDS + 60))
  while kill -0 "$pid" 2>/dev/null; do
    if [ $SECONDS -ge $deadline ]; then log "node $pid did not stop; killing"; kill -KILL "$pid"; break; fi
    sleep 0.2
  done
  rm -f "$home/broker.pid"
}

# --- the single broker
single_port=${KAFKA_PORT:-9092}
single_cport=${KAFKA_CONTROLLER_PORT:-$((single_port + 1))}
single_home=${KAFKA_HOME:-$cache/kafka-run-$single_port}

# Create the declared users and ACLs on a secured broker or cluster (needs the repo's virtualenv).
apply_access() {
  local bootstrap=$1
  secure || return 0
  local python=${THIDUA_PYTHON:-$here/../.venv/bin/python}
  if [ ! -x "$python" ]; then
    log "no $python: create the users and ACLs later with: python -m shared.kafka_access apply"
    return 0
  fi
  (cd "$here/.." && "$python" -m shared.kafka_access apply --bootstrap "$bootstrap" \
    --admin-password-file "$secrets_dir/admin.password" --credentials "$secrets_dir/credentials.json" \
    --access "$here/kafka-access.toml" --namespace "${KAFKA_ACCESS_NAMESPACE:-}")
}

single_start() {
  fetch
  secrets_dir=$single_home/secrets
  if node_running "$single_home"; then log "already running on 127.0.0.1:$single_port"; return 0; fi
  write_properties 1 "$single_port" "$single_cport" "$single_home" "1@127.0.0.1:$single_cport" 1 1
  node_launch "$single_home" "$(java_cmd kafka.tools.StorageTool random-uuid)" "${KAFKA_HEAP:-768m}"
  node_wait "$single_port" "$single_home"
  apply_access "127.0.0.1:$single_port"
  log "broker $kafka_version up on 127.0.0.1:$single_port (pid $(cat "$single_home/broker.pid"), security: $security)"
}

# --- the three-node cluster
node_port() { echo $((cluster_base + 2 * ($1 - 1))); }
node_home() { echo "$cluster_home/node-$1"; }
voters() {
  local out=""
  for n in 1 2 3; do out+="${out:+,}$n@127.0.0.1:$(( $(node_port "$n") + 1 ))"; done
  echo "$out"
}
bootstrap() {
  local out=""
  for n in 1 2 3; do out+="${out:+,}127.0.0.1:$(node_port "$n")"; done
  echo "$out"
}
check_node() { case "${1:-}" in 1|2|3) ;; *) echo "node must be 1, 2 or 3" >&2; exit 2 ;; esac; }

cluster_prepare() {
  fetch
  secrets_dir=$cluster_home/secrets
  mkdir -p "$cluster_home"
  [ -f "$cluster_home/cluster.id" ] || java_cmd kafka.tools.StorageTool random-uuid > "$cluster_home/cluster.id"
  for n in 1 2 3; do
    local port; port=$(node_port "$n")
    write_properties "$n" "$port" $((port + 1)) "$(node_home "$n")" "$(voters)" 3 2
  done
}

cluster_start_node() {
  check_node "$1"
  cluster_prepare
  node_launch "$(node_home "$1")" "$(cat "$cluster_home/cluster.id")" "${KAFKA_HEAP:-512m}"
  node_wait "$(node_port "$1")" "$(node_home "$1")"
  log "cluster node $1 up on 127.0.0.1:$(node_port "$1")"
}

cluster_start() {
  cluster_prepare
  # All three start together: a KRaft quorum needs a majority of its voters to elect a leader.
  for n in 1 2 3; do node_launch "$(node_home "$n")" "$(cat "$cluster_home/cluster.id")" "${KAFKA_HEAP:-512m}"; done
  for n in 1 2 3; do node_wait "$(node_port "$n")" "$(node_home "$n")"; done
  apply_access "$(bootstrap)"
  log "cluster $kafka_version up: $(bootstrap) (security: $security)"
}

cluster() {
  case "${1:-}" in
    start) cluster_start ;;
    stop)
      # Together: a node stopping alone while the others are gone waits for a quorum that never comes.
      for n in 1 2 3; do node_stop "$(node_home "$n")" & done
      wait
      log "cluster stopped" ;;
    kill) check_node "${2:-}"; node_stop "$(node_home "$2")" KILL; log "cluster node $2 killed" ;;
    start-node) cluster_start_node "${2:-}" ;;
    stop-node) check_node "${2:-}"; node_stop "$(node_home "$2")"; log "cluster node $2 stopped" ;;
    status) for n in 1 2 3; do node_answers "$(node_port "$n")" "$(node_home "$n")" || exit 1; done ;;
    bootstrap) bootstrap ;;
    *) echo "usage: $0 cluster start|stop|kill N|start-node N|stop-node N|status|bootstrap" >&2; exit 2 ;;
  esac
}

case "${1:-}" in
  fetch) fetch ;;
  start) single_start ;;
  stop) node_stop "$single_home"; log "broker on 127.0.0.1:$single_port stopped" ;;
  status) node_running "$single_home" && node_answers "$single_port" "$single_home" ;;
  cluster) shift; cluster "$@" ;;
  *) echo "usage: $0 fetch|start|stop|status|cluster ..." >&2; exit 2 ;;
esac
