#!/usr/bin/env bash
# The compose stage of CI (about 15 minutes on two cores): a real Docker engine, the stand-in base
# images and the suite's image built on this machine, then docker-compose.yml up, crashed, restarted
# and down (deploy/compose_check.py). Each step prints its time; the first broken one fails the stage.
# The engine is stopped again if this script started it.
#   PYTHON (the repo's .venv/bin/python): runs the steps; it needs requests and pyotp (make venv)
set -euo pipefail
cd "$(dirname "$0")/.."
python=${PYTHON:-.venv/bin/python}
began=$SECONDS
export DOCKER_HOST=unix:///var/run/docker.sock DOCKER=/usr/bin/docker

timed() {  # timed TITLE COMMAND...: run one step, print its time
  local title=$1 start=$SECONDS; shift
  echo "compose-check: $title …"
  if ! "$@"; then echo "compose-check: $title: FAILED after $((SECONDS - start)) s" >&2; return 1; fi
  echo "compose-check: $title: ok in $((SECONDS - start)) s"
}

trap 'deploy/engine.sh stop || true' EXIT
trap 'exit 143' TERM INT  # a timeout still stops the engine
timed "engine" deploy/engine.sh start
timed "stand-in base images from Debian" deploy/standins/build.sh
timed "the suite's image" deploy/build-image.sh
timed "secrets" deploy/compose-secrets.sh
"$python" deploy/compose_check.py
echo "compose-check: stage passed in $((SECONDS - began)) s"
