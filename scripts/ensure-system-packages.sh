#!/usr/bin/env bash
# The Debian packages Dermaga's stack and tests run (nginx, php-fpm, MariaDB, pebble, Docker…),
# installed with apt when missing. One list for `.ci/run` and `npm start`.
# Usage: ensure-system-packages.sh          install what is missing (root, apt-get)
#        ensure-system-packages.sh --check  print what is missing, exit 1 if anything is
# Exits 2 when it cannot install (not root, or no apt-get/dpkg): it says the command to run.
set -euo pipefail
packages=(docker.io busybox-static nginx-light php-fpm mariadb-server mariadb-client pebble openssl git ca-certificates procps iproute2 curl poppler-utils)

if ! command -v dpkg-query >/dev/null 2>&1; then
  echo "ensure-system-packages: no dpkg here (not Debian/Ubuntu): install by hand ${packages[*]}" >&2
  exit 2
fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${1:-}" = "--check" ]; then
  [ ${#missing[@]} -eq 0 ] && exit 0
  echo "${missing[*]}"
  exit 1
fi
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-system-packages: missing ${missing[*]}; run: sudo bash $(realpath "$0")" >&2
  exit 2
fi
echo "installing with apt-get: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
