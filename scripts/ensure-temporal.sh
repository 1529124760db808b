#!/usr/bin/env bash
# Prints the path of a Temporal CLI, building it into .tools/bin once when none is found:
# TEMPORAL_CLI, else `temporal` on PATH, else .tools/bin/temporal, else go install (minutes).
set -euo pipefail
cd "$(dirname "$0")/.."
module="github.com/temporalio/cli/cmd/temporal@v1.5.1"

if [ -n "${TEMPORAL_CLI:-}" ]; then echo "$TEMPORAL_CLI"; exit 0; fi
if command -v temporal >/dev/null 2>&1; then command -v temporal; exit 0; fi
if [ -x .tools/bin/temporal ]; then echo "$PWD/.tools/bin/temporal"; exit 0; fi

command -v go >/dev/null 2>&1 || { echo "ensure-temporal: Go is needed to build the Temporal CLI (apt-get install golang)" >&2; exit 1; }
mkdir -p .tools/bin
echo "ensure-temporal: building $module (once; takes a few minutes)" >&2
if ! GOBIN="$PWD/.tools/bin" go install "$module" >&2; then
  # A Go much newer than the module's dependencies expect: build with a pinned toolchain (fetched through the module proxy).
  echo "ensure-temporal: retrying with GOTOOLCHAIN=go1.24.4" >&2
  GOTOOLCHAIN=go1.24.4 GOBIN="$PWD/.tools/bin" go install "$module" >&2
fi
echo "$PWD/.tools/bin/temporal"
