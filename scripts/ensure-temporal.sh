#!/usr/bin/env bash
# Prints the path of a Temporal CLI, building it into .tools/bin once when none is found:
# TEMPORAL_CLI, else `temporal` on PATH, else .tools/bin/temporal, else go install (minutes).
# Without Go or when the build fails it exits 1; the test stack then tries @temporalio/testing's
# download (needs internet).
# v1.5.1 is the newest release whose go.mod has no `replace`; go1.24.4 builds it when the machine's Go is too new.
exec bash "$(dirname "$0")/ensure-go-tool.sh" temporal github.com/temporalio/cli/cmd/temporal@v1.5.1 TEMPORAL_CLI go1.24.4
