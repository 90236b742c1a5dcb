#!/usr/bin/env bash
# Side-by-side run against the original dora (dora-rs 1.1.0 from PyPI) with
# the shared harness (../shared/bench-vs-dora-rs by default, HARNESS=...):
#   examples/benchmark/vs_dora_rs.sh 5        # 5 alternating rounds (needs root)
#   python3 ../shared/bench-vs-dora-rs/summarize.py <results folder>
# Our nodes do not inherit `dora run`'s environment (docs/run.md), so the
# harness's BENCH_* variables reach them through `--env`: the harness runs a
# mirror of this checkout (symlinks) whose scripts/dora.sh adds them.
# Everything else is the harness unchanged (scripts, YAML, alternation).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
harness="${HARNESS:-$root/../shared/bench-vs-dora-rs}"
[ -x "$harness/run.sh" ] || { echo "no harness at $harness (set HARNESS)" >&2; exit 2; }
mirror="$(mktemp -d "${TMPDIR:-/tmp}/dora-vs-rs-XXXXXX")"
trap 'rm -rf "$mirror"' EXIT
for f in "$root"/* "$root/.git" "$root/.tools"; do
  [ -e "$f" ] && [ "$(basename "$f")" != scripts ] && ln -s "$f" "$mirror/$(basename "$f")"
done
mkdir "$mirror/scripts"
for f in "$root"/scripts/*; do ln -s "$f" "$mirror/scripts/$(basename "$f")"; done
rm "$mirror/scripts/dora.sh"
cat >"$mirror/scripts/dora.sh" <<EOS
#!/usr/bin/env bash
if [ "\${1:-}" = run ]; then
  extra=()
  for v in BENCH_OUT BENCH_SYSTEM BENCH_RUN_ID BENCH_N_LAT BENCH_N_THR BENCH_PAUSE_S BENCH_MAX_SIZE; do
    [ -n "\${!v:-}" ] && extra+=(--env "\$v=\${!v}")
  done
  exec "$root/scripts/dora.sh" "\$@" "\${extra[@]}"
fi
exec "$root/scripts/dora.sh" "\$@"
EOS
chmod +x "$mirror/scripts/dora.sh"
cd "$root"
OURS="$mirror" "$harness/run.sh" "${1:-5}"
