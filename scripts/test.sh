#!/usr/bin/env bash
# Installs what the tests need, runs fmt/lint/check and the whole test suite,
# and ends with one line "N passed, N failed".
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
# One whole-suite run at a time per machine: two at once on a small machine
# starve each other's end-to-end tests (they wait for real processes). The
# lock is held by flock itself (-o), never inherited by what the tests start.
lock="${TMPDIR:-/tmp}/dora-test-suite.lock"
if [ -z "${DORA_TEST_NO_LOCK:-}" ] && command -v flock >/dev/null 2>&1; then
  if ! flock -n "$lock" true; then
    echo "test.sh: another test run is using this machine; waiting for it" >&2
  fi
  export DORA_TEST_NO_LOCK=1
  exec flock -o "$lock" "$root/scripts/test.sh" "$@"
fi
deno="$(scripts/setup.sh --test)" || { echo "0 passed, 1 failed"; exit 1; }
export PATH="$(dirname "$deno"):$PATH"
log="$(mktemp)"
failed_gates=0
for gate in "fmt --check" "lint" "check" "task layers"; do
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
# Python node API (pytest): its counts join the summary line.
py_log="$(cd nodes/api/python && NO_COLOR=1 python3 -m pytest -q -p no:cacheprovider tests 2>&1)"
py_status=$?
echo "$py_log" | tail -n 15
py_line="$(echo "$py_log" | grep -E '[0-9]+ (passed|failed|error)' | tail -n 1)"
py_passed="$(echo "$py_line" | grep -oE '[0-9]+ passed' | grep -oE '[0-9]+' || true)"
py_failed="$(echo "$py_line" | grep -oE '[0-9]+ (failed|errors?)' | awk '{s += $1} END {if (NR) print s}')"
passed=$((passed + ${py_passed:-0}))
failed=$((failed + ${py_failed:-0}))
if [ "$py_status" -ne 0 ] && [ -z "$py_failed" ]; then failed=$((failed + 1)); fi
rm -f "$log"
echo "$passed passed, $failed failed"
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ]
