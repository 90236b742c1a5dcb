#!/usr/bin/env bash
# Runs dora from this checkout, installing Deno and the dependencies first if
# needed. Example: scripts/dora.sh run examples/typescript-dataflow/dataflow.yml
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
deno="$("$root/scripts/setup.sh")"
exec "$deno" run -A --no-prompt --config "$root/deno.json" "$root/main.ts" "$@"
