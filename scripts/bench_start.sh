#!/usr/bin/env bash
# Measures start-up of the README's command: median of 10 runs each.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
port=$((20000 + RANDOM % 20000))
export DORA_COORDINATOR_PORT=$port
scripts/dora.sh up >/dev/null 2>&1
trap 'scripts/dora.sh down >/dev/null 2>&1 || true' EXIT
json="$(mktemp)"
hyperfine -N -w 2 -r 10 --export-json "$json" \
  'scripts/dora.sh --version' \
  'scripts/dora.sh validate examples/typescript-dataflow/dataflow.yml' \
  'scripts/dora.sh list' >/dev/null 2>&1
python3 - "$json" <<'PY'
import json, os, sys
print(f"load average {os.getloadavg()[0]:.1f} (median wall time, mean CPU time user + sys)")
for r in json.load(open(sys.argv[1]))["results"]:
    cpu = (r["user"] + r["system"]) * 1000
    print(f'{r["median"]*1000:7.0f} ms  (CPU {cpu:4.0f} ms)  {r["command"]}')
PY
rm -f "$json"
