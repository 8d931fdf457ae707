#!/usr/bin/env bash
# Runs every test project of the solution and ends with one line "N passed, N failed".
# Integration tests read the server addresses from PRUNE_TEST_* variables (scripts/servers.sh sets them);
# .ci/run installs and starts those servers first.
set -uo pipefail
cd "$(dirname "$0")/.."
log=$(mktemp)
dotnet test PrunePipeline.sln -c Release --nologo "$@" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
passed=$(grep -aoE 'Passed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
failed=$(grep -aoE 'Failed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
# A project that did not build reports no counts: make sure that still reads as a failure.
if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
rm -f "$log"
echo "$passed passed, $failed failed"
exit "$rc"
