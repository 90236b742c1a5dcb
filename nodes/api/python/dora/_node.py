"""``Node``: the Python node API (same surface as the original dora package).

The façade users call; the work is split like the TypeScript node API, file
for file: ``_handshake.py`` (configuration, connection, ``hello``,
``ready``), ``_inbound.py`` (the event path) and ``_outbound.py`` (the send
path), as mixins over the one node object (no extra call on the hot path).

Lifetime rule for received data: an input's ``value`` may point straight into
another node's shared memory. It stays valid until the node asks for the next
event (``next()`` / the next loop iteration); then the region is handed back
to its sender, which may overwrite it. Copy what you need
(``value.to_numpy().copy()``, ``value.to_pylist()``), or call
``node.keep(event)``: a kept event's data stays valid for as long as you hold a
reference to its value.
"""

from __future__ import annotations

import atexit
import copy
import os
import sys
import threading

from . import _log, _node_info
from ._frame import FrameReader, encode_frame
from ._handshake import PROTOCOL_VERSION, _Handshake, close_gracefully, connect, load_config
from ._inbound import _compile_input, _Inbound
from ._metadata import Clock
from ._outbound import _Outbound
from ._sample import Sample
from ._layout import type_to_json
from ._shm import SHM_DIR, MappingCache, Pool, region_prefix, shm_available
from ._type_check import TypeGuard
from ._downstream import Downstream
from ._event_queue import EventQueue
from ._upstream import Upstream
from ._watchdog import start_watchdog
from ._writer import FrameWriter

__all__ = ["Node", "Sample", "PROTOCOL_VERSION"]


class Node(_Handshake, _Inbound, _Outbound):
    """A dora node: ``for event in Node(): ...``.

    ``Node()`` reads ``DORA_NODE_CONFIG`` (set by the daemon), connects to the
    daemon and returns once every node of the dataflow is ready.
    """

    def __init__(self, node_id: str | None = None, daemon_port: int | None = None):
        config = load_config(node_id)
        self._config = config
        self._node_id: str = config["node_id"]
        self._dataflow_id: str = config["dataflow_id"]
        self._outputs = set(config.get("outputs") or [])
        self._undeclared_warned: set[str] = set()
        self._inputs = dict(config.get("inputs") or {})
        self._threshold = int(config.get("zero_copy_threshold", 4096))
        self._shm = bool(config.get("shm", False)) and shm_available()
        self._shm_warned: set = set()
        self._clock = Clock()
        self._events = EventQueue(self._inputs)
        self._pending_release: list = []
        self._next_pending = False
        self._eof = False
        self._stopped = False
        self._closed = False
        self._current_leases: list = []
        self._current_event = None
        # Runtime parameters: those of `hello_ok`, then each handed-out change.
        self._params: dict = {}
        self._maps = MappingCache()
        # Wakes a send waiting for a free region (see ``_pool_release``).
        self._want_region = False
        self._wake_r, self._wake_w = os.pipe()
        os.set_blocking(self._wake_r, False)
        os.set_blocking(self._wake_w, False)
        # Direct delivery (docs/protocol.md): links to senders and receivers,
        # and the counters of what went over them.
        self._daemon_queued = 0
        self._deferred_closes: set = set()
        self._held_stop = None
        self._drains: list = []
        self._received = self._shm_received = self._inline_received = 0
        self._sent = self._shm_sent = self._shm_bytes = self._inline_sent = 0
        # Per output / per input, for `dora node info` rates.
        self._sent_by: dict = {}
        self._received_by: dict = {}
        self._lost: dict = {}
        self._undelivered: dict = {}
        self._stats_changes = self._stats_reported = 0
        self._stats_at = 0.0
        self._upstream = Upstream(self._dataflow_id, self._node_id, self._link_failed, _compile_input)
        self._downstream = None
        # Runtime type checks (--type-check); None when off.
        self._types = TypeGuard.from_config(self._node_id, config, self.log_warn, _wire_type)
        # The whole dataflow id: UUIDv7 ids of dataflows started within a
        # minute share their first 8 digits, and each dataflow's clean-up
        # unlinks every region that matches its id.
        prefix = f"{region_prefix(self._dataflow_id, self._node_id)}{os.getpid()}"
        self._pool = Pool(prefix)
        # One reader at a time: a sending thread may pick up `release` frames.
        self._rlock = threading.Lock()
        self._reader = FrameReader(compile=_compile_input)
        self._sock = connect(config)
        self._writer = FrameWriter(self._sock)
        self._refs_buffered = 0
        listen = config.get("listen")
        if listen:
            secret = config.get("secret")
            downstream = Downstream(self._dataflow_id, self._pool_release, self._count_lost,
                                    self._count_undelivered, self.log_warn,
                                    secret if isinstance(secret, str) else None)
            if downstream.listen(listen):
                self._downstream = downstream
        _reconfigure_stdout()
        _log.install_logging_bridge()
        if config.get("shm") and not self._shm:
            self.log_warn(f"shared memory is unavailable ({SHM_DIR} is missing or not writable); sending through the socket")
        self._handshake()
        if self._downstream is not None:
            # The receivers link right after their routes: the first messages
            # then go straight to them.
            self._downstream.attached(2.0)
        start_watchdog(config.get("parent_pid"), self._pool)
        atexit.register(self.close)

    # ------------------------------------------------------------ info

    def node_id(self) -> str:
        """This node's id."""
        return self._node_id

    def dataflow_id(self) -> str:
        """The id (UUID) of the running dataflow."""
        return self._dataflow_id

    def node_config(self) -> dict:
        """The node's run configuration in the original's shape: ``inputs``
        (as written), ``outputs``, and ``output_types``/``input_types``."""
        return _node_info.node_config(self._config)

    def dataflow_descriptor(self) -> dict:
        """The dataflow this node is part of, as written (modules expanded)."""
        return _node_info.dataflow_descriptor(self._config)

    def params(self) -> dict:
        """The node's runtime parameters (key -> JSON value): its ``params:``
        or the values set with ``dora param set`` when it started, then each
        change as its ``PARAM_UPDATE`` / ``PARAM_DELETED`` event is handed
        out. A copy."""
        return copy.deepcopy(self._params)

    def restart_count(self) -> int:
        return int(self._config.get("restart_count", 0))

    def is_restart(self) -> bool:
        return self.restart_count() > 0

    def zero_copy_threshold(self) -> int:
        return self._threshold

    # ------------------------------------------------------------ logs

    def stop_dataflow(self) -> None:
        """Asks the daemon to stop the whole dataflow (every node gets ``STOP``);
        what an operator's ``DoraStatus.STOP_ALL`` does."""
        if not self._eof and not self._closed:
            self._write(encode_frame({"t": "stop_dataflow"}))

    def log(self, level, message, target=None, fields=None) -> None:
        """Writes to this node's log (``level``: error, warn, info, debug, trace)."""
        _log.emit(level, message, target, fields)

    def log_error(self, message, target=None, fields=None):
        _log.emit("error", message, target, fields)

    def log_warn(self, message, target=None, fields=None):
        _log.emit("warn", message, target, fields)

    def log_info(self, message, target=None, fields=None):
        _log.emit("info", message, target, fields)

    def log_debug(self, message, target=None, fields=None):
        _log.emit("debug", message, target, fields)

    def log_trace(self, message, target=None, fields=None):
        _log.emit("trace", message, target, fields)

    # ------------------------------------------------------------ shutdown

    def close(self) -> None:
        """Releases what this node holds and closes the daemon connection."""
        if self._closed:
            return
        self._finish_current()
        self._flush_release(now=True)
        if self._downstream is not None:
            # Receivers that are connected get what waits for them; what
            # waits for the others (starting, restarting) goes to the daemon.
            self._downstream.flush()
            self._downstream.relay_pending(self._relay)
        # The inputs left unread are counted as undelivered (the last report).
        if self._stats_changes != self._stats_reported or self._events.unread_inputs():
            self._report_stats(now=True)
        try:
            self._writer.close()  # what was sent before exit must arrive
        except ConnectionError:
            pass
        self._closed = True
        if self._downstream is not None:
            self._downstream.close()
        self._upstream.close()
        close_gracefully(self._sock)

    # ------------------------------------------------------------ direct delivery

    def _relay(self, receiver: str, frames: bytes) -> None:
        try:
            self._write(encode_frame({"t": "relay", "to": receiver}, [(0, frames)]))
        except OSError:
            pass

    def _link_failed(self, sender: str, error: str) -> None:
        self._send_control({"t": "link_failed", "node": sender, "error": error})

    def _pool_release(self, token: str) -> None:
        """A region came back over a link (the links thread): wakes a send
        that waits for a free region."""
        self._pool.release([token])
        if self._want_region:
            try:
                os.write(self._wake_w, b"x")
            except OSError:
                pass  # the pipe is full: the waiter wakes anyway

    def _count_lost(self, receiver: str, input_id: str) -> None:
        per = self._lost.setdefault(receiver, {})
        per[input_id] = per.get(input_id, 0) + 1
        self._stats_changes += 1

    def _count_undelivered(self, receiver: str, count: int) -> None:
        self._undelivered[receiver] = self._undelivered.get(receiver, 0) + count
        self._stats_changes += 1

    def _out_stats(self) -> dict:
        return {"sent": self._sent, "shm_sent": self._shm_sent, "shm_bytes": self._shm_bytes,
                "inline_sent": self._inline_sent, "lost": self._lost,
                "out": self._sent_by, "in": self._received_by,
                "undelivered": self._undelivered}

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __repr__(self):
        return f"Node(id={self._node_id!r}, dataflow={self._dataflow_id!r})"


def _wire_type(arrow_type) -> object:
    """The wire type of a pyarrow type (or of a wire type: itself)."""
    return arrow_type if isinstance(arrow_type, str) else type_to_json(arrow_type)



def _reconfigure_stdout() -> None:
    # print() output should reach the node's log promptly, not at exit.
    try:
        sys.stdout.reconfigure(line_buffering=True)
    except (AttributeError, ValueError):
        pass

