#!/usr/bin/env bash
# Installs everything dora and its tests need on a fresh machine (Node/npm and
# python3 assumed): Deno (pinned, from npm), the npm packages of deno.lock,
# pyarrow/numpy/pytest for Python nodes, mypy for the typed-stub test, mcap
# and pymcap-cli for the record tests, Chromium for the graph test, OpenSSH's
# server and systemd-analyze for the cluster tests, tmux for the terminal UI
# tests, the zenoh bridge and the Python zenoh client for the zenoh tests
# (`--zenoh` builds only the bridge).
# Safe to run again: each step is skipped when already done.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
deno="$(scripts/install_deno.sh)"
"$deno" install --frozen --quiet >/dev/null 2>&1 || "$deno" install --frozen

# TypeScript nodes map shared memory through a small C library
# (src/shm/dora_shm.c, their only FFI) that dora compiles on first use.
if ! command -v cc >/dev/null 2>&1 && ! command -v gcc >/dev/null 2>&1 &&
  [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "setup: installing gcc for zero-copy shared memory of TypeScript nodes" >&2
  (apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
    gcc libc6-dev) >/dev/null 2>&1 || echo "setup: warning: could not install gcc" >&2
fi

# TypeScript nodes run without a config (their own import map): cache what
# they import too, so that they start without network.
"$deno" run -A --no-prompt scripts/cache_node_api.ts >&2

if ! python3 -c "import pyarrow, numpy" >/dev/null 2>&1; then
  echo "setup: installing pyarrow and numpy for Python nodes" >&2
  python3 -m pip install --quiet --disable-pip-version-check pyarrow numpy >&2
fi

# Zero-copy samples (`send_output_raw`) on Python < 3.12 count the views of
# their buffer with a small C type (nodes/api/python/dora/_sample_buffer.c):
# built here, with gcc and this Python's headers, into dora's cache (a node
# compiles it itself on first use when it is missing, and says so if it cannot).
if ! python3 -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then
  c_pkgs=()
  command -v gcc >/dev/null 2>&1 || command -v cc >/dev/null 2>&1 || c_pkgs+=(gcc)
  python3 -c 'import os, sys, sysconfig
sys.exit(not os.path.exists(os.path.join(sysconfig.get_paths()["include"], "Python.h")))' || c_pkgs+=(python3-dev)
  if [ "${#c_pkgs[@]}" -gt 0 ] && [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing ${c_pkgs[*]} for zero-copy samples on Python < 3.12" >&2
    (apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
      "${c_pkgs[@]}") >/dev/null 2>&1 || echo "setup: warning: could not install ${c_pkgs[*]}" >&2
  fi
  PYTHONPATH="$root/nodes/api/python" python3 -c 'import sys
from dora import _native
exporter, reason = _native.sample_buffer_exporter()
if exporter is None:
    print("setup: warning: zero-copy samples will not count numpy views of their buffer: " + reason,
          file=sys.stderr)' >&2
fi

# mermaid.js for `dora graph` pages, fetched once with the ordinary npm client
# (never a CDN at view time); graph inlines .tools/mermaid/mermaid.min.js.
mermaid_version="12.3.0"
if [ ! -s .tools/mermaid/mermaid.min.js ] || [ "$(cat .tools/mermaid/VERSION 2>/dev/null)" != "$mermaid_version" ]; then
  if command -v npm >/dev/null 2>&1; then
    echo "setup: caching mermaid@$mermaid_version for dora graph" >&2
    mkdir -p .tools/mermaid
    tmp="$(mktemp -d)"
    if (cd "$tmp" && npm pack --silent "mermaid@$mermaid_version" >/dev/null 2>&1 &&
      tar -xzf mermaid-*.tgz package/dist/mermaid.min.js); then
      mv "$tmp/package/dist/mermaid.min.js" .tools/mermaid/mermaid.min.js
      echo "$mermaid_version" >.tools/mermaid/VERSION
    else
      echo "setup: warning: could not fetch mermaid (dora graph --mermaid still works)" >&2
    fi
    rm -rf "$tmp"
  else
    echo "setup: warning: npm not found, skipping mermaid (dora graph --mermaid still works)" >&2
  fi
fi

if [ "${1:-}" = "--test" ]; then
  if ! python3 -c "import pytest" >/dev/null 2>&1; then
    python3 -m pip install --quiet --disable-pip-version-check pytest >&2
  fi
  # The record tests open recordings with the `mcap` package and check them
  # with pymcap-cli's `doctor` (the Go `mcap` CLI is not on the Go proxy).
  if ! python3 -c "import mcap, pymcap_cli" >/dev/null 2>&1; then
    echo "setup: installing mcap and pymcap-cli for the record tests" >&2
    python3 -m pip install --quiet --disable-pip-version-check mcap pymcap-cli >&2 ||
      echo "setup: warning: could not install mcap and pymcap-cli" >&2
  fi
  # mypy with pyarrow's type stubs checks the Python stubs of `dora types generate`.
  if ! python3 -c "import mypy, importlib.metadata as m; m.version('pyarrow-stubs')" >/dev/null 2>&1; then
    echo "setup: installing mypy and pyarrow-stubs for the generated Python stubs test" >&2
    python3 -m pip install --quiet --disable-pip-version-check mypy pyarrow-stubs >&2 ||
      echo "setup: warning: could not install mypy and pyarrow-stubs" >&2
  fi
  # elvish and tmux for the elvish completion test and the terminal UI tests
  # (`dora top`, `dora topic hz`); git, gcc, g++ and cargo
  # for the build-stage and `dora new` tests.
  missing=""
  for tool in elvish tmux git gcc g++ cargo; do command -v "$tool" >/dev/null 2>&1 || missing="$missing $tool"; done
  if [ -n "$missing" ] && [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing$missing for the tooling tests" >&2
    # shellcheck disable=SC2086
    (apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $missing) >/dev/null 2>&1 ||
      echo "setup: warning: could not install$missing" >&2
  fi
  if ! command -v chromium >/dev/null 2>&1 && [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing Debian's chromium for the graph rendering test" >&2
    (apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium) >/dev/null 2>&1 ||
      echo "setup: warning: could not install chromium" >&2
  fi
  # dora cluster tests: real sshd servers (started by the tests on loopback
  # ports, never as a system service) and systemd-analyze for the units.
  cluster_pkgs=()
  [ -x /usr/sbin/sshd ] || cluster_pkgs+=(openssh-server)
  command -v ssh >/dev/null 2>&1 || cluster_pkgs+=(openssh-client)
  command -v systemd-analyze >/dev/null 2>&1 || cluster_pkgs+=(systemd)
  command -v ip >/dev/null 2>&1 || cluster_pkgs+=(iproute2) # a machine in its own network namespace
  if [ "${#cluster_pkgs[@]}" -gt 0 ] && [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing ${cluster_pkgs[*]} for the dora cluster tests" >&2
    # policy-rc.d 101: the packages' services are installed but not started.
    own_policy=""
    if [ ! -e /usr/sbin/policy-rc.d ]; then
      printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && own_policy=1
    fi
    (apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
      "${cluster_pkgs[@]}") >/dev/null 2>&1 ||
      echo "setup: warning: could not install ${cluster_pkgs[*]}" >&2
    if [ -n "$own_policy" ]; then rm -f /usr/sbin/policy-rc.d; fi
  fi
fi
# zenoh: `zenoh-bridge-remote-api` (what zenoh-ts connects to) for
# `dora daemon --zenoh` and the zenoh tests. `--zenoh` builds it into
# .tools/bin (cargo install, about 15 minutes on 2 cores); `--test` builds
# it only when no prebuilt one is beside the checkout (shared/tools), named
# by DORA_ZENOH_BRIDGE or on PATH. Built once, then reused.
zenoh_bridge_version="1.10.2"
zenoh_prebuilt() {
  local c tools
  tools="$(realpath .tools 2>/dev/null || echo .tools)"
  for c in "${DORA_ZENOH_BRIDGE:-}" "$root/../shared/tools/zenoh-bridge-remote-api" \
    "$tools/../../shared/tools/zenoh-bridge-remote-api" "$(command -v zenoh-bridge-remote-api || true)"; do
    [ -n "$c" ] && [ -x "$c" ] && return 0
  done
  return 1
}
build_zenoh=""
[ "${1:-}" = "--zenoh" ] && build_zenoh=1
[ "${1:-}" = "--test" ] && ! zenoh_prebuilt && build_zenoh=1
if [ -n "$build_zenoh" ]; then
  if ! RUST_LOG=error .tools/bin/zenoh-bridge-remote-api --version 2>/dev/null | grep -q "v$zenoh_bridge_version"; then
    if command -v cargo >/dev/null 2>&1; then
      echo "setup: building zenoh-bridge-remote-api $zenoh_bridge_version into .tools/bin (cargo install, about 15 minutes; log in .tools/zenoh-bridge-build.log)" >&2
      mkdir -p .tools
      cargo install zenoh-bridge-remote-api --version "$zenoh_bridge_version" --locked --root .tools \
        >.tools/zenoh-bridge-build.log 2>&1 ||
        echo "setup: warning: could not build zenoh-bridge-remote-api (see .tools/zenoh-bridge-build.log); the zenoh tests will fail saying so" >&2
    else
      echo "setup: warning: cargo not found: cannot build zenoh-bridge-remote-api (the zenoh tests will fail saying so)" >&2
    fi
  fi
fi
if [ "${1:-}" = "--test" ] && ! python3 -c "import zenoh" >/dev/null 2>&1; then
  echo "setup: installing eclipse-zenoh for the zenoh interoperability tests" >&2
  python3 -m pip install --quiet --disable-pip-version-check "eclipse-zenoh==$zenoh_bridge_version" >&2 ||
    echo "setup: warning: could not install eclipse-zenoh" >&2
fi

# scripts/dora.sh skips this script while the stamp is newer than its inputs.
stamps=".tools/stamps"
mkdir -p "$stamps"
echo "$deno" >"$stamps/setup${root//\//%}"
echo "$deno"
