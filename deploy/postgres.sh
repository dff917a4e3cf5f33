#!/usr/bin/env bash
# Installs (Debian's package) and starts a local PostgreSQL for tests and CI; prints the admin URL.
#
#   deploy/postgres.sh start    install if missing, start the cluster, create a superuser for $USER
#   deploy/postgres.sh stop     stop the cluster
#   deploy/postgres.sh url      print the URL tests use (TEST_POSTGRES_URL), peer auth over the socket
set -euo pipefail

user=$(id -un)
socket_dir=/var/run/postgresql

log() { echo "postgres.sh: $*" >&2; }

cluster() {
  # Prints "version name" of the first cluster, if any.
  pg_lsclusters -h 2>/dev/null | awk 'NR==1 {print $1, $2}'
}

install() {
  if command -v pg_lsclusters >/dev/null && ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then return 0; fi
  log "installing PostgreSQL from Debian's packages"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq postgresql >/dev/null
}

start() {
  install
  read -r version name < <(cluster) || true
  if [ -z "${version:-}" ]; then
    version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
    name=main
    pg_createcluster "$version" "$name" >/dev/null
  fi
  pg_ctlcluster "$version" "$name" start 2>/dev/null || pg_ctlcluster "$version" "$name" status >/dev/null
  for _ in $(seq 1 60); do
    pg_isready -q -h "$socket_dir" && break
    sleep 0.5
  done
  pg_isready -q -h "$socket_dir" || { log "server did not become ready"; exit 1; }
  if [ "$user" != postgres ]; then
    su postgres -c "psql -h $socket_dir -qtAc \"SELECT 1 FROM pg_roles WHERE rolname='$user'\"" | grep -q 1 \
      || su postgres -c "psql -h $socket_dir -qc 'CREATE ROLE \"$user\" LOGIN SUPERUSER'"
  fi
  log "PostgreSQL $version/$name ready on $socket_dir"
}

stop() {
  read -r version name < <(cluster) || true
  [ -n "${version:-}" ] && pg_ctlcluster "$version" "$name" stop || true
}

url() { echo "postgresql+psycopg://$user@/postgres?host=$socket_dir"; }

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  url) url ;;
  *) echo "usage: $0 start|stop|url" >&2; exit 2 ;;
esac
