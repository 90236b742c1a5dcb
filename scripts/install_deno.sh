#!/usr/bin/env bash
# Installs the pinned Deno from the npm package `deno` into .tools/ when no
# deno of that version is on PATH. Prints the path of the deno binary to use.
set -euo pipefail
DENO_VERSION="2.9.6"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools="$root/.tools"
local_bin="$tools/node_modules/.bin/deno"

if command -v deno >/dev/null 2>&1 && deno --version 2>/dev/null | head -n1 | grep -q "deno $DENO_VERSION"; then
  command -v deno
  exit 0
fi
if [ ! -x "$local_bin" ] || ! "$local_bin" --version 2>/dev/null | head -n1 | grep -q "deno $DENO_VERSION"; then
  command -v npm >/dev/null 2>&1 || { echo "error: npm is needed to install Deno (install Node.js first)" >&2; exit 1; }
  mkdir -p "$tools"
  npm install --silent --no-audit --no-fund --prefix "$tools" "deno@$DENO_VERSION" >&2
fi
echo "$local_bin"
