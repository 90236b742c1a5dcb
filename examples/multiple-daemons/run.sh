#!/bin/sh
# Starts a coordinator and daemons A and B on free ports of this machine, runs
# the dataflow attached, and stops everything again.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
dora="${DORA:-$here/../../scripts/dora.sh}"
port=${DORA_COORDINATOR_PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')}
export DORA_COORDINATOR_PORT=$port
"$dora" coordinator --port "$port" --quiet &
coordinator=$!
trap 'kill $daemon_a $daemon_b 2>/dev/null; wait $daemon_a $daemon_b 2>/dev/null; kill $coordinator 2>/dev/null' EXIT
"$dora" daemon --machine-id A --quiet &
daemon_a=$!
"$dora" daemon --machine-id B --quiet &
daemon_b=$!
# Wait until both daemons registered.
for _ in $(seq 100); do
  status=$("$dora" status --format json 2>/dev/null || true)
  case "$status" in *'"daemonId":"A"'*'"daemonId":"B"'* | *'"daemonId":"B"'*'"daemonId":"A"'*) break ;; esac
  sleep 0.2
done
"$dora" start "$here/dataflow.yml" --attach
