#!/usr/bin/env bash
# KAFKA_* variables become server.properties as in the public image (_ -> ., __ -> _, ___ -> -); the
# storage is formatted with CLUSTER_ID once; then the broker runs in the foreground.
set -euo pipefail
config=/opt/kafka/config/server.properties
: "${CLUSTER_ID:?set CLUSTER_ID, the same base64 UUID on every node}"
: > "$config"
while IFS='=' read -r name value; do
  case "$name" in
    KAFKA_HEAP_OPTS|KAFKA_OPTS|KAFKA_JVM_PERFORMANCE_OPTS|KAFKA_LOG4J_OPTS|KAFKA_JMX_OPTS|KAFKA_GC_LOG_OPTS) continue ;;
    KAFKA_*) ;;
    *) continue ;;
  esac
  key=${name#KAFKA_}; key=${key,,}; key=${key//___/-}; key=${key//__/@}; key=${key//_/.}; key=${key//@/_}
  printf '%s=%s\n' "$key" "$value" >> "$config"
done < <(env)
grep -q '^log.dirs=' "$config" || echo "log.dirs=/var/lib/kafka/data" >> "$config"
java_args=(${KAFKA_HEAP_OPTS:--Xms256m -Xmx512m} -XX:+UseG1GC -Djava.awt.headless=true
  -Dlog4j2.configurationFile=/opt/kafka/config/log4j2.yaml -cp "/opt/kafka/libs/*")
log_dir=$(sed -n 's/^log.dirs=//p' "$config" | cut -d, -f1)
if [ ! -f "$log_dir/meta.properties" ]; then
  java "${java_args[@]}" kafka.tools.StorageTool format -t "$CLUSTER_ID" -c "$config" --ignore-formatted
fi
exec java "${java_args[@]}" kafka.Kafka "$config"
