#!/usr/bin/env bash
# Runs dora from this checkout, installing Deno and the dependencies first if
# needed. Example: scripts/dora.sh run examples/typescript-dataflow/dataflow.yml
# The set-up check is skipped (no process started) while the stamp that
# scripts/setup.sh leaves is newer than everything the set-up depends on.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
stamp="$root/.tools/stamps/setup${root//\//%}"
deno=""
if [ "$stamp" -nt "$root/deno.lock" ] && [ "$stamp" -nt "$root/deno.json" ] &&
  [ "$stamp" -nt "$root/scripts/setup.sh" ] && [ "$stamp" -nt "$root/scripts/install_deno.sh" ] &&
  [ "$stamp" -nt "$root/scripts/cache_node_api.ts" ]; then
  read -r deno <"$stamp" || deno=""
  [ -x "$deno" ] || deno=""
fi
[ -n "$deno" ] || deno="$("$root/scripts/setup.sh")"
exec "$deno" run -A --no-prompt --config "$root/deno.json" "$root/main.ts" "$@"
