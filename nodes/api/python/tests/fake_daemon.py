"""A small in-test daemon speaking docs/protocol.md over a real Unix socket.

It answers ``hello`` with ``hello_ok`` + ``ready``, holds ``next`` requests
until events are pushed, and records every other frame the node sends.
"""

from __future__ import annotations

import json
import queue
import socket
import threading

from dora._frame import FrameReader, encode_frame


class FakeDaemon:
    def __init__(self, tmp_path, node_id="node", outputs=("out",), inputs=None, shm=True,
                 threshold=4096, refuse=None, dataflow_id="0123456789abcdef-df", params=None):
        self.path = str(tmp_path / "daemon.sock")
        self.node_id = node_id
        self.dataflow_id = dataflow_id
        self.outputs = list(outputs)
        self.inputs = inputs or {"in": {"source": "up/out", "queue_size": 10, "queue_policy": "drop_oldest"}}
        self.shm = shm
        self.threshold = threshold
        self.refuse = refuse
        self.params = params
        self.received: queue.Queue = queue.Queue()
        self.hello: dict | None = None
        self._pending: list = []
        self._waiting = False
        self._lock = threading.Lock()
        self._conn: socket.socket | None = None
        self._connected = threading.Event()
        self._srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._srv.bind(self.path)
        self._srv.listen(1)
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def config(self) -> str:
        return json.dumps({
            "protocol": 1, "dataflow_id": self.dataflow_id, "node_id": self.node_id,
            "socket": self.path, "inputs": self.inputs, "outputs": self.outputs,
            "restart_count": 0, "zero_copy_threshold": self.threshold, "shm": self.shm,
            "parent_pid": 1,
        })

    def _send(self, header, parts=()):
        try:
            self._conn.sendall(b"".join(encode_frame(header, parts)))
        except OSError:
            pass  # the test hung up

    def _run(self):
        conn, _ = self._srv.accept()
        self._conn = conn
        self._connected.set()
        reader = FrameReader()
        while True:
            try:
                data = conn.recv(1 << 20)
            except OSError:
                return
            if not data:
                self.received.put(None)
                conn.close()  # as the daemon does when a node hangs up
                return
            reader.feed(data)
            for header, payload in reader.frames():
                t = header["t"]
                if t == "hello":
                    self.hello = header
                    if self.refuse:
                        self._send({"t": "error", "message": self.refuse})
                        conn.close()
                        return
                    ok = {"t": "hello_ok", "v": 1, "daemon": "fake"}
                    if self.params is not None:
                        ok["params"] = self.params
                    self._send(ok)
                    self._send({"t": "ready"})
                elif t == "next":
                    with self._lock:
                        self._waiting = True
                        self._flush()
                    self.received.put((header, None))
                else:
                    self.received.put((header, payload))

    def _flush(self):
        if self._waiting and self._pending:
            frames = self._pending
            self._pending = []
            self._waiting = False
            for header, parts in frames:
                self._send(header, parts)
            self._send({"t": "batch_end"})

    def push(self, header, parts=()):
        """Queues an event for the node (delivered on its next ``next``)."""
        with self._lock:
            self._pending.append((header, list(parts)))
            self._flush()

    def push_now(self, header, parts=()):
        """Sends a frame right away (e.g. ``release``)."""
        with self._lock:
            self._send(header, parts)

    def expect(self, t: str, timeout=5.0):
        """The next received frame of type ``t`` (others are skipped)."""
        while True:
            item = self.received.get(timeout=timeout)
            if item is None:
                raise AssertionError(f"connection closed while waiting for {t}")
            if item[0]["t"] == t:
                return item

    def hang_up(self):
        self._connected.wait(5)
        self._conn.shutdown(socket.SHUT_RDWR)

    def close(self):
        try:
            if self._conn:
                self._conn.close()
        finally:
            self._srv.close()
