#!/usr/bin/env bash
# A Docker engine for the compose check, on a machine that has none running: installs Debian's
# docker.io, docker-compose and mmdebstrap if missing, and runs dockerd as root on a bridge of its own
# (thidua0), with IP forwarding and masquerading off and a firewall chain that drops whatever a
# container sends to the host or beyond, but for answers to the host's own connections (the published
# ports). Containers reach their own network and nothing else.
#   deploy/engine.sh start   start the engine (nothing when one already answers)
#   deploy/engine.sh stop    stop the engine this script started, remove its bridge and rules
# Environment: THIDUA_ENGINE_HOME (/var/lib/thidua-engine: pid, log), THIDUA_BRIDGE_CIDR (172.31.250.1/24)
set -euo pipefail
home=${THIDUA_ENGINE_HOME:-/var/lib/thidua-engine}
bridge=thidua0
cidr=${THIDUA_BRIDGE_CIDR:-172.31.250.1/24}
chain=THIDUA-CONTAINERS
docker=/usr/bin/docker

log() { echo "engine.sh: $*" >&2; }
answers() { [ -x "$docker" ] && "$docker" version >/dev/null 2>&1; }

install() {
  local missing=()
  command -v dockerd >/dev/null || missing+=(docker.io)
  command -v docker-compose >/dev/null || missing+=(docker-compose)
  command -v mmdebstrap >/dev/null || missing+=(mmdebstrap)
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

firewall() {
  iptables -N "$chain" 2>/dev/null || iptables -F "$chain"
  iptables -A "$chain" -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT
  iptables -A "$chain" -j DROP
  for iface in "$bridge" "br-+"; do
    iptables -C INPUT -i "$iface" -j "$chain" 2>/dev/null || iptables -I INPUT -i "$iface" -j "$chain"
    # between containers of one network is allowed (bridged packets may pass FORWARD); anywhere else not
    iptables -C FORWARD -i "$iface" ! -o "$iface" -j DROP 2>/dev/null || iptables -I FORWARD -i "$iface" ! -o "$iface" -j DROP
  done
}

start() {
  install
  if answers; then log "an engine already answers; using it"; return 0; fi
  mkdir -p "$home"
  ip link show "$bridge" >/dev/null 2>&1 || ip link add "$bridge" type bridge
  ip addr show "$bridge" | grep -q "inet ${cidr%/*}/" || ip addr add "$cidr" dev "$bridge"
  ip link set "$bridge" up
  firewall
  # The compose networks get their /24s from 172.31.0.0/17 (their bridges are br-*, under the rules).
  nohup dockerd --bridge="$bridge" --ip-forward=false --ip-masq=false --iptables=false \
    --default-address-pool base=172.31.0.0/17,size=24 --pidfile "$home/dockerd.pid" \
    >"$home/dockerd.log" 2>&1 &
  echo started > "$home/started-here"
  for _ in $(seq 1 60); do answers && { log "engine up ($("$docker" version -f '{{.Server.Version}}'))"; return 0; }; sleep 1; done
  log "dockerd did not answer within 60 s"; tail -n 20 "$home/dockerd.log" >&2; return 1
}

stop() {
  if [ ! -f "$home/started-here" ]; then log "not started by this script; left running"; return 0; fi
  if [ -f "$home/dockerd.pid" ]; then
    local pid; pid=$(cat "$home/dockerd.pid")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
  fi
  for iface in "$bridge" "br-+"; do
    iptables -D INPUT -i "$iface" -j "$chain" 2>/dev/null || true
    iptables -D FORWARD -i "$iface" ! -o "$iface" -j DROP 2>/dev/null || true
  done
  iptables -F "$chain" 2>/dev/null || true
  iptables -X "$chain" 2>/dev/null || true
  ip link del "$bridge" 2>/dev/null || true
  rm -f "$home/started-here"
  log "engine stopped"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
