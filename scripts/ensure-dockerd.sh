#!/usr/bin/env bash
# Starts a private dockerd when no Docker engine answers (at DOCKER_HOST or the local socket), for
# `.ci/run`, `npm start` and the tests. It is a machine service: it keeps running after they end.
# iptables off and vfs storage, so it also runs inside a container.
# Usage: ensure-dockerd.sh [<log file>]   (default /var/log/dermaga-dockerd.log)
# Exits 2 when it cannot start one (not root, dockerd missing, or DOCKER_HOST set): it says what to do.
set -euo pipefail
log="${1:-/var/log/dermaga-dockerd.log}"
answers() { docker version >/dev/null 2>&1; }

command -v docker >/dev/null 2>&1 && answers && exit 0
if [ -n "${DOCKER_HOST:-}" ]; then
  echo "ensure-dockerd: no Docker engine answers at DOCKER_HOST=$DOCKER_HOST" >&2; exit 2
fi
dockerd="$(command -v dockerd || true)"
if [ -z "$dockerd" ] || ! command -v docker >/dev/null 2>&1; then
  echo "ensure-dockerd: Docker is not installed; run: sudo bash $(dirname "$(realpath "$0")")/ensure-system-packages.sh" >&2; exit 2
fi
if [ -S /var/run/docker.sock ] && [ ! -w /var/run/docker.sock ]; then
  echo "ensure-dockerd: a Docker engine runs but $(id -un) may not use /var/run/docker.sock; run: sudo usermod -aG docker $(id -un) (then log in again)" >&2; exit 2
fi
if [ "$(id -u)" != 0 ]; then
  echo "ensure-dockerd: no Docker engine runs; run: sudo bash $(realpath "$0")" >&2; exit 2
fi
mkdir -p "$(dirname "$log")"
echo "starting dockerd (iptables off, vfs storage; it keeps running after this exits; log $log)"
setsid "$dockerd" --iptables=false --ip6tables=false --storage-driver=vfs >>"$log" 2>&1 < /dev/null &
for _ in $(seq 1 60); do answers && exit 0; sleep 0.5; done
echo "ensure-dockerd: dockerd did not answer within 30 s; see $log" >&2
exit 1
