#!/usr/bin/env bash
# Builds a single `dora` binary with `deno compile`. Needs internet to fetch
# Deno's runtime (denort), unless DENORT_BIN points at a denort binary.
# Usage: ./compile.sh [TARGET]   (e.g. aarch64-unknown-linux-gnu for a Pi)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$root"
deno="$(scripts/install_deno.sh)"
target_args=()
[ -n "${1:-}" ] && target_args=(--target "$1")
mkdir -p dist
# DENORT_BIN is read by deno compile itself; say so to avoid surprises.
[ -n "${DENORT_BIN:-}" ] && echo "compile: using DENORT_BIN=$DENORT_BIN" >&2
exec "$deno" compile -A --no-prompt --config deno.json \
  --include nodes --include deno.json --include src/templates/files \
  --include src/shm/dora_shm.c \
  "${target_args[@]}" -o dist/dora main.ts
