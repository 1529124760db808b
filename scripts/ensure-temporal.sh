#!/usr/bin/env bash
# Prints the path of a Temporal CLI, building it into .tools/bin once when none is found:
# TEMPORAL_CLI, else `temporal` on PATH, else .tools/bin/temporal, else go install (minutes).
# Without Go or when the build fails it exits 1; the test stack then tries @temporalio/testing's
# download (needs internet).
set -euo pipefail
cd "$(dirname "$0")/.."
module="github.com/temporalio/cli/cmd/temporal@v1.5.1" # newest release whose go.mod has no `replace`
toolchain="go1.24.4"                                   # for when the machine's Go is too new for its deps

if [ -n "${TEMPORAL_CLI:-}" ]; then
  [ -x "$TEMPORAL_CLI" ] || { echo "ensure-temporal: TEMPORAL_CLI=$TEMPORAL_CLI is not executable" >&2; exit 1; }
  echo "$TEMPORAL_CLI"; exit 0
fi
if command -v temporal >/dev/null 2>&1; then command -v temporal; exit 0; fi
if [ -x .tools/bin/temporal ]; then echo "$PWD/.tools/bin/temporal"; exit 0; fi

command -v go >/dev/null 2>&1 || { echo "ensure-temporal: Go is needed to build the Temporal CLI" >&2; exit 1; }
mkdir -p .tools/bin
echo "ensure-temporal: building $module (once; takes a few minutes)" >&2
if ! GOBIN="$PWD/.tools/bin" go install "$module" >&2; then
  # The go command fetches the pinned toolchain through the module proxy.
  echo "ensure-temporal: retrying with GOTOOLCHAIN=$toolchain" >&2
  GOTOOLCHAIN="$toolchain" GOBIN="$PWD/.tools/bin" go install "$module" >&2
fi
[ -x .tools/bin/temporal ] || { echo "ensure-temporal: go install produced no .tools/bin/temporal" >&2; exit 1; }
echo "$PWD/.tools/bin/temporal"
