"""Dynamic nodes (``path: dynamic``): ask the daemons on this machine for the
configuration of a node started by hand (see docs/protocol.md)."""

from __future__ import annotations

import os
import socket

from ._frame import decode_frame, encode_frame_bytes

PROTOCOL_VERSION = 1
# A daemon that does not answer (stopped, hung) must not hold the node forever:
# it is skipped like a stale socket.
ASK_TIMEOUT_S = 2.0


def _runtime_base() -> str:
    xdg = os.environ.get("XDG_RUNTIME_DIR")
    if xdg:
        return os.path.join(xdg, "dora")
    return f"/tmp/dora-{os.getuid()}"


def _sockets() -> list:
    explicit = os.environ.get("DORA_DAEMON_SOCKET")
    if explicit:
        return [explicit]
    base = _runtime_base()
    try:
        names = sorted(n for n in os.listdir(base) if n.startswith("daemon-") and n.endswith(".sock"))
    except OSError:
        return []
    return [os.path.join(base, n) for n in names]


def _ask(path: str, node_id: str) -> dict:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(ASK_TIMEOUT_S)
        s.connect(path)
        s.sendall(encode_frame_bytes({"t": "hello", "v": PROTOCOL_VERSION, "node": node_id, "lang": "py", "pid": os.getpid()}))
        chunks = []
        while True:
            data = s.recv(65536)
            if not data:
                break
            chunks.append(data)
    header, _ = decode_frame(b"".join(chunks))
    return header


def discover_config(node_id: str) -> dict:
    """Returns the ``DORA_NODE_CONFIG`` object for dynamic node ``node_id``."""
    sockets = _sockets()
    if not sockets:
        raise RuntimeError(
            f"dynamic node {node_id!r}: no dora daemon runs on this machine (no daemon-*.sock in "
            f"{_runtime_base()}); start one with `dora up` and a dataflow that declares the node with `path: dynamic`"
        )
    errors = []
    for path in sockets:
        try:
            reply = _ask(path, node_id)
        except OSError:
            continue  # a stale socket of a daemon that is gone
        if reply.get("t") == "dynamic_ok":
            return reply["config"]
        errors.append(str(reply.get("message", "unexpected reply")))
    raise RuntimeError(f"dynamic node {node_id!r}: " + ("; ".join(errors) or "no daemon answered"))
