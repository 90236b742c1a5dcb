#!/usr/bin/env bash
# Installs what the tests need, runs fmt/lint/check and the whole test suite,
# and ends with one line "N passed, N failed".
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
deno="$(scripts/setup.sh --test)" || { echo "0 passed, 1 failed"; exit 1; }
export PATH="$(dirname "$deno"):$PATH"
log="$(mktemp)"
failed_gates=0
for gate in "fmt --check" "lint" "check"; do
  if ! deno $gate >"$log" 2>&1; then
    echo "deno $gate failed:"; tail -n 30 "$log"; failed_gates=$((failed_gates + 1))
  fi
done
NO_COLOR=1 deno task test "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
summary="$(grep -E '^(ok|FAILED) \| [0-9]+ passed' "$log" | tail -n 1)"
passed="$(echo "$summary" | sed -E 's/.*\| ([0-9]+) passed.*/\1/')"
failed="$(echo "$summary" | sed -E 's/.*\| ([0-9]+) failed.*/\1/')"
[ -n "$summary" ] || { passed=0; failed=1; }
failed=$((failed + failed_gates))
rm -f "$log"
echo "$passed passed, $failed failed"
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ]
