#!/bin/sh
# Runs the dataflow with `dora run` (which builds it first) and checks what
# the listener printed. DORA names the dora command when it is not `dora`.
set -eu
cd "$(dirname "$0")"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
${DORA:-dora} run dataflow.yml >"$log" 2>&1 || { cat "$log"; exit 1; }
for i in 1 2 3 4 5; do
  grep -q "listener received: hello $i\$" "$log" || { cat "$log"; echo "FAIL: greeting $i missing"; exit 1; }
done
grep -q "listener: 5 greetings in all" "$log" || { cat "$log"; exit 1; }
echo "ok"
