"""The handshake of a node with its daemon (docs/protocol.md, "Connection"):
the configuration (``DORA_NODE_CONFIG``, or a daemon's answer for a dynamic
node), the connection, ``hello``, and the wait for ``ready``. The TypeScript
node API's counterpart is ``_handshake.ts``.
"""

from __future__ import annotations

import json
import os
import select
import socket
import time

from ._dynamic import discover_config
from ._frame import ProtocolError, encode_frame

PROTOCOL_VERSION = 1


def load_config(node_id: str | None) -> dict:
    """``DORA_NODE_CONFIG``, or (for a dynamic node started by hand whose id
    it does not name) the configuration a daemon on this machine gives."""
    raw = os.environ.get("DORA_NODE_CONFIG")
    if raw is None or (node_id is not None and json.loads(raw).get("node_id") != node_id):
        if node_id is not None:
            # A dynamic node started by hand: ask the daemons on this machine.
            raw = json.dumps(discover_config(node_id))
    if raw is None:
        raise RuntimeError(
            "DORA_NODE_CONFIG is not set: this script is a dora node; start it with "
            "`dora run <dataflow.yml>` (or `dora start`)"
        )
    try:
        config = json.loads(raw)
    except ValueError as e:
        raise RuntimeError(f"DORA_NODE_CONFIG is not valid JSON: {e}") from None
    version = config.get("protocol", PROTOCOL_VERSION)
    if version != PROTOCOL_VERSION:
        raise RuntimeError(
            f"protocol version mismatch: node speaks {PROTOCOL_VERSION}, daemon speaks {version} "
            "(upgrade the dora node API)"
        )
    return config


def connect(config: dict) -> socket.socket:
    """The connection to the daemon's socket."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.connect(config["socket"])
    except OSError as e:
        sock.close()
        raise RuntimeError(f"cannot connect to the dora daemon at {config['socket']}: {e}") from None
    return sock


class _Handshake:
    """``Node``'s handshake (a mixin: the state lives on the node)."""

    def _handshake(self) -> None:
        hello = {
            "t": "hello", "v": PROTOCOL_VERSION, "node": self._node_id, "df": self._dataflow_id,
            "lang": "py", "pid": os.getpid(), "binary": True,
        }
        if isinstance(self._config.get("secret"), str):
            hello["secret"] = self._config["secret"]  # the process dora started for this node
        if self._config.get("shm") and not self._shm:
            hello["shm"] = False  # no /dev/shm here: the daemon sends our inputs inline
        if self._downstream is not None:
            hello["direct"] = True  # listening for receivers, linking to senders
        self._write(encode_frame(hello))
        got_hello = False
        while True:
            frames = self._handshake_frames()
            for i, (header, _payload) in enumerate(frames):
                t = header["t"] if type(header) is dict else "input"
                if t == "error":
                    raise RuntimeError(f"dora daemon refused node `{self._node_id}`: {header.get('message')}")
                if t == "hello_ok":
                    got_hello = True
                    # The parameters of the moment; changes follow as events.
                    self._params = dict(header.get("params") or {})
                elif t == "ready":
                    if not got_hello:
                        raise ProtocolError("daemon sent `ready` before `hello_ok`")
                    # What came in the same read after `ready` is the first
                    # of the event stream.
                    for header, payload in frames[i + 1:]:
                        self._dispatch(header, payload)
                    return
                elif t == "release":
                    self._release_tokens(header.get("tokens") or [])
                elif t == "routes":
                    self._on_routes(header)
                else:
                    raise ProtocolError(f"unexpected `{t}` frame before `ready`")
            if self._eof:
                raise RuntimeError("the dora daemon closed the connection during the handshake")

    def _handshake_frames(self) -> list:
        """Reads the daemon socket once (blocking) and returns its frames."""
        view = self._reader.want_into()
        try:
            n = self._sock.recv_into(view)
        except (ConnectionResetError, BrokenPipeError):
            n = 0
        if n == 0:
            self._eof = True
            return []
        self._reader.received(n)
        return list(self._reader.frames())


def close_gracefully(sock: socket.socket) -> None:
    """Half-closes, then reads until the daemon closes too, so that unread
    frames do not turn the close into a connection reset."""
    try:
        sock.shutdown(socket.SHUT_WR)
        deadline = time.monotonic() + 1.0
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([sock], [], [], remaining)[0]:
                break
            if not sock.recv(1 << 16):
                break
    except OSError:
        pass
    try:
        sock.close()
    except OSError:
        pass

