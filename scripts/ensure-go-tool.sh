#!/usr/bin/env bash
# Usage: ensure-go-tool.sh <binary> <module@version> [<ENV_VAR>] [<go toolchain>]
# Prints the path of a Go-built tool, building it into .tools/bin once when none is found:
# $ENV_VAR if set, else <binary> on PATH, else .tools/bin/<binary>, else `go install` (GOBIN=.tools/bin),
# retried with the pinned toolchain when the machine's Go is too new for the module's dependencies.
# Without Go or when the build fails it exits 1.
set -euo pipefail
cd "$(dirname "$0")/.."
bin="$1" module="$2" var="${3:-}" toolchain="${4:-}"

if [ -n "$var" ] && [ -n "${!var:-}" ]; then
  [ -x "${!var}" ] || { echo "ensure-go-tool: $var=${!var} is not executable" >&2; exit 1; }
  echo "${!var}"; exit 0
fi
if command -v "$bin" >/dev/null 2>&1; then command -v "$bin"; exit 0; fi
if [ -x ".tools/bin/$bin" ]; then echo "$PWD/.tools/bin/$bin"; exit 0; fi

command -v go >/dev/null 2>&1 || { echo "ensure-go-tool: Go is needed to build $bin ($module)" >&2; exit 1; }
mkdir -p .tools/bin
echo "ensure-go-tool: building $module (once)" >&2
# GO_TOOL_VERBOSE=1 (npm start sets it): go lists each package as it compiles, for a progress count.
v=(); [ -n "${GO_TOOL_VERBOSE:-}" ] && v=(-v)
if ! GOBIN="$PWD/.tools/bin" go install "${v[@]}" "$module" >&2; then
  [ -n "$toolchain" ] || exit 1
  # The go command fetches the pinned toolchain through the module proxy.
  echo "ensure-go-tool: retrying with GOTOOLCHAIN=$toolchain" >&2
  GOTOOLCHAIN="$toolchain" GOBIN="$PWD/.tools/bin" go install "${v[@]}" "$module" >&2
fi
[ -x ".tools/bin/$bin" ] || { echo "ensure-go-tool: go install produced no .tools/bin/$bin" >&2; exit 1; }
echo "$PWD/.tools/bin/$bin"
