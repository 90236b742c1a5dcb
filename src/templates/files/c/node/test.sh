#!/bin/sh
# Runs the node in tests/dataflow.yml with `dora run` (which builds it first)
# and checks its output. DORA names the dora command when it is not `dora`.
set -eu
cd "$(dirname "$0")"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
${DORA:-dora} run tests/dataflow.yml >"$log" 2>&1 || { cat "$log"; exit 1; }
grep -q "checker got \[1, 2, 3\]" "$log" || { cat "$log"; echo "FAIL"; exit 1; }
echo "ok"
