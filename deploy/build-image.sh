#!/usr/bin/env bash
# Builds the suite's image (deploy/Dockerfile) as THIDUA_IMAGE (thidua:latest) with BuildKit, passing
# this machine's CA bundle as a build secret so pip trusts a TLS-inspecting proxy; the image keeps none.
#   DOCKER: the client (Debian's /usr/bin/docker, which has BuildKit built in, when present; a newer
#   client needs the buildx plugin). CA_BUNDLE (/etc/ssl/certs/ca-certificates.crt; empty: none).
set -euo pipefail
cd "$(dirname "$0")/.."
docker=${DOCKER:-$( [ -x /usr/bin/docker ] && echo /usr/bin/docker || echo docker )}
image=${THIDUA_IMAGE:-thidua:latest}
ca=${CA_BUNDLE-/etc/ssl/certs/ca-certificates.crt}
secret=()
if [ -n "$ca" ] && [ -f "$ca" ]; then secret=(--secret "id=ca_bundle,src=$ca"); fi
DOCKER_BUILDKIT=1 "$docker" build --quiet --network host "${secret[@]}" -f deploy/Dockerfile -t "$image" . >/dev/null
size=$("$docker" image inspect -f '{{.Size}}' "$image" | awk '{printf "%.0f MB", $1/1e6}')
echo "build-image: $image built ($size)"
