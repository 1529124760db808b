#!/usr/bin/env bash
# Prints the path of schemathesis (the OpenAPI fuzzer `npm run fuzz` drives), installing the pinned
# version from PyPI into a virtualenv under .tools once: SCHEMATHESIS_BIN if set, else
# .tools/schemathesis/bin/schemathesis, else `python3 -m venv` + pip. Exits 1 without Python 3.
set -euo pipefail
cd "$(dirname "$0")/.."
version="4.32.5"
venv=".tools/schemathesis"

if [ -n "${SCHEMATHESIS_BIN:-}" ]; then echo "$SCHEMATHESIS_BIN"; exit 0; fi
if [ -x "$venv/bin/schemathesis" ] && "$venv/bin/schemathesis" --version 2>/dev/null | grep -q "$version"; then
  echo "$PWD/$venv/bin/schemathesis"; exit 0
fi
command -v python3 >/dev/null 2>&1 || { echo "ensure-schemathesis: python3 is needed" >&2; exit 1; }
echo "ensure-schemathesis: installing schemathesis $version into $venv (once)" >&2
rm -rf "$venv"
python3 -m venv "$venv" >&2 || { echo "ensure-schemathesis: python3 -m venv failed (apt-get install python3-venv)" >&2; exit 1; }
"$venv/bin/pip" install -q --disable-pip-version-check "schemathesis==$version" >&2
echo "$PWD/$venv/bin/schemathesis"
