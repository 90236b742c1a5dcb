"""``Node``: the Python node API (same surface as the original dora package).

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
import collections
import errno
import json
import os
import select
import socket
import struct
import sys
import threading
import time

import pyarrow as pa

from . import _log
from ._convert import to_arrow
from ._dynamic import discover_config
from . import _outframe
from ._frame import FrameReader, ProtocolError, encode_frame
from ._header import check_daemon_header
from ._layout import decode_array, encode_array, fixed_plan, type_to_json
from ._metadata import Clock, Timestamp, decode_metadata, encode_metadata
from ._shm import SHM_DIR, MappingCache, Pool, shm_available
from ._type_check import TypeGuard
from ._writer import FrameWriter

try:  # optional: send_output_raw hands out a numpy view when numpy is there
    import numpy as _np
except ImportError:  # pragma: no cover
    _np = None

PROTOCOL_VERSION = 1
_U32X2 = struct.Struct("<II")
# Shared-memory references written together (the pool has 32 regions).
_REFS_PER_WRITE = 8
_ZEROS = bytes(64)


class _Lease:
    """The release token of one received shared-memory message.

    Arrow buffers of the message hold a reference to it: if the event was
    kept, the token is released when the last buffer is collected.
    """

    __slots__ = ("token", "node", "done", "kept", "__weakref__")

    def __init__(self, token: str, node: "Node"):
        self.token = token
        self.node = node
        self.done = False
        self.kept = False

    def release(self) -> None:
        if not self.done:
            self.done = True
            self.node._pending_release.append(self.token)

    def __del__(self):
        if self.kept and not self.done:
            self.done = True
            try:
                self.node._pending_release.append(self.token)
            except Exception:
                pass


class Node:
    """A dora node: ``for event in Node(): ...``.

    ``Node()`` reads ``DORA_NODE_CONFIG`` (set by the daemon), connects to the
    daemon and returns once every node of the dataflow is ready.
    """

    def __init__(self, node_id: str | None = None, daemon_port: int | None = None):
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
        self._config = config
        self._node_id: str = config["node_id"]
        self._dataflow_id: str = config["dataflow_id"]
        self._outputs = set(config.get("outputs") or [])
        self._inputs = dict(config.get("inputs") or {})
        self._threshold = int(config.get("zero_copy_threshold", 4096))
        self._shm = bool(config.get("shm", False)) and shm_available()
        self._shm_warned: set = set()
        self._clock = Clock()
        self._events: collections.deque = collections.deque()
        self._pending_release: list = []
        self._next_pending = False
        self._eof = False
        self._stopped = False
        self._closed = False
        self._current_leases: list = []
        self._current_event = None
        self._maps = MappingCache()
        # Runtime type checks (--type-check); None when off.
        self._types = TypeGuard.from_config(self._node_id, config, self.log_warn, _wire_type)
        # The whole dataflow id: UUIDv7 ids of dataflows started within a
        # minute share their first 8 digits, and each dataflow's clean-up
        # unlinks every region that matches its id.
        df_hex = self._dataflow_id.replace("-", "").lower()
        prefix = f"dora-{_safe(df_hex)}-{_safe(self._node_id)}-{os.getpid()}"
        self._pool = Pool(prefix)
        # One reader at a time: a sending thread may pick up `release` frames.
        self._rlock = threading.Lock()
        self._reader = FrameReader(compile=_compile_input)
        self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            self._sock.connect(config["socket"])
        except OSError as e:
            raise RuntimeError(f"cannot connect to the dora daemon at {config['socket']}: {e}") from None
        self._writer = FrameWriter(self._sock)
        self._refs_buffered = 0
        _reconfigure_stdout()
        _log.install_logging_bridge()
        if config.get("shm") and not self._shm:
            self.log_warn(f"shared memory is unavailable ({SHM_DIR} is missing or not writable); sending through the socket")
        self._handshake()
        _start_watchdog(config.get("parent_pid"), self._pool)
        atexit.register(self.close)

    # ------------------------------------------------------------ info

    def node_id(self) -> str:
        """This node's id."""
        return self._node_id

    def dataflow_id(self) -> str:
        """The id (UUID) of the running dataflow."""
        return self._dataflow_id

    def node_config(self) -> dict:
        """The node's configuration as given by the daemon."""
        return dict(self._config)

    def restart_count(self) -> int:
        return int(self._config.get("restart_count", 0))

    def is_restart(self) -> bool:
        return self.restart_count() > 0

    def zero_copy_threshold(self) -> int:
        return self._threshold

    # ------------------------------------------------------------ connection

    def _handshake(self) -> None:
        hello = {
            "t": "hello", "v": PROTOCOL_VERSION, "node": self._node_id, "df": self._dataflow_id,
            "lang": "py", "pid": os.getpid(),
        }
        if self._config.get("shm") and not self._shm:
            hello["shm"] = False  # no /dev/shm here: the daemon sends our inputs inline
        self._write(encode_frame(hello))
        got_hello = False
        while True:
            for header, _payload in self._read_frames(None):
                t = header["t"]
                if t == "error":
                    raise RuntimeError(f"dora daemon refused node `{self._node_id}`: {header.get('message')}")
                if t == "hello_ok":
                    got_hello = True
                elif t == "ready":
                    if not got_hello:
                        raise ProtocolError("daemon sent `ready` before `hello_ok`")
                    return
                elif t == "release":
                    self._pool.release(header.get("tokens") or [])
                else:
                    raise ProtocolError(f"unexpected `{t}` frame before `ready`")
            if self._eof:
                raise RuntimeError("the dora daemon closed the connection during the handshake")

    def _write(self, parts: list) -> None:
        """Writes a frame at once, after whatever outputs are buffered."""
        total = 0
        for p in parts:
            total += p.size if isinstance(p, pa.Buffer) else len(memoryview(p).cast("B"))
        try:
            self._writer.write(parts, total)
        except ConnectionError:
            self._eof = True
            raise ConnectionError("the dora daemon closed the connection") from None

    def _append(self, parts) -> None:
        """Queues an output frame (coalesced; see ``_writer`` for when it is written)."""
        try:
            self._writer.append(parts)
        except ConnectionError:
            self._eof = True
            raise ConnectionError("the dora daemon closed the connection") from None

    def _read_frames(self, timeout: float | None) -> list:
        """Reads once (waiting up to ``timeout``) and returns complete frames."""
        if self._eof:
            return []
        if timeout is not None:
            r, _, _ = select.select([self._sock], [], [], max(0.0, timeout))
            if not r:
                return []
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

    def _pump(self, timeout: float | None, wait_lock: bool = True, unless_events: bool = False) -> bool:
        """Reads and dispatches what arrives; False if another thread is reading."""
        if not self._rlock.acquire(blocking=wait_lock):
            return False
        try:
            if unless_events and self._events:
                return True  # another thread already read them
            for header, payload in self._read_frames(timeout):
                self._dispatch(header, payload)
        finally:
            self._rlock.release()
        return True

    def _dispatch(self, header, payload) -> None:
        if type(header) is tuple:
            # A compiled input header (HeaderCache): only the timestamp is new.
            (input_id, t, length, start, n), ts, template = header
            if payload is not None and start + n <= payload.size:
                if start or n != payload.size:
                    payload = payload.slice(start, n)
                self._clock.observe(ts)
                if self._types is not None and self._type_error(input_id, t, None):
                    return
                self._events.append(({"type": "INPUT", "id": input_id,
                                      "value": pa.Array.from_buffers(t, length, [None, payload],
                                                                     null_count=0),
                                      "metadata": {"timestamp": Timestamp.from_ns(ts)},
                                      "kind": "dora"}, None))
                return
            header = template.copy()  # the general path says what is wrong
            header["m"] = {"ts": str(ts)}
        t = header["t"]
        if t == "input":
            # The hot path, checked inline (check_daemon_header has the messages).
            m = header.get("m")
            d = header.get("d")
            if type(m) is dict and (d is None or type(d) is dict) and "shm" not in header \
                    and type(header.get("id")) is str:
                raw = m.get("ts") if len(m) == 1 else None
                if type(raw) is str and raw.isdigit():  # a timestamp only
                    ts = int(raw)
                    metadata = {"timestamp": Timestamp.from_ns(ts)}
                else:
                    ts, metadata = decode_metadata(m)
                self._clock.observe(ts)
                value = decode_array(d, payload)
                if self._types is not None and self._type_error(header["id"], value.type, metadata):
                    return
                self._events.append(({"type": "INPUT", "id": header["id"], "value": value,
                                      "metadata": metadata, "kind": "dora"}, None))
                return
        t = check_daemon_header(header)["t"]
        if t == "batch_end":
            self._next_pending = False
        elif t == "release":
            self._pool.release(header.get("tokens") or [])
        elif t == "input":
            self._events.append(self._input_event(header, payload))
        elif t in ("input_closed", "input_recovered", "node_restarted"):
            self._events.append(({"type": t.upper(), "id": header.get("id"), "kind": "dora"}, None))
        elif t == "node_failed":
            info = {"source_node_id": header.get("id"), "error": header.get("error"),
                    "affected_input_ids": list(header.get("inputs") or [])}
            self._events.append(({"type": "NODE_FAILED", "id": header.get("id"), "value": info,
                                  "error": header.get("error"), "kind": "dora"}, None))
        elif t == "stop":
            self._events.append(({"type": "STOP", "id": header.get("cause", "MANUAL"), "kind": "dora"}, None))
        elif t == "error":
            self._events.append(({"type": "ERROR", "id": None, "error": header.get("message"),
                                  "value": header.get("message"), "kind": "dora"}, None))
        elif t in ("hello_ok", "ready"):
            pass
        else:
            raise ProtocolError(f"unknown message type `{t}` from the daemon")

    def _input_event(self, header: dict, payload):
        ts, metadata = decode_metadata(header.get("m"))
        self._clock.observe(ts)
        shm = header.get("shm")
        lease = None
        if shm is not None:
            try:
                region = self._maps.view(shm["name"], int(shm["size"]))
            except (OSError, ValueError) as e:
                # No file descriptor left, or the region is gone: hand the
                # token back and say so (as the TypeScript API does).
                self._pending_release.append(str(shm["token"]))
                message = f"input `{header.get('id')}`: cannot map shared memory {shm['name']}: {e}"
                return {"type": "ERROR", "id": None, "error": message, "value": message, "kind": "dora"}, None
            lease = _Lease(str(shm["token"]), self)
            # The lease rides along as the buffer's base, so a kept value keeps it alive.
            payload = pa.foreign_buffer(region.address, region.size, base=(region, lease))
        value = decode_array(header.get("d"), payload)
        if self._types is not None:
            problem = self._types.receive(header.get("id"), value.type, metadata)
            if problem is not None:
                if lease is not None:
                    lease.release()
                return {"type": "ERROR", "id": None, "error": problem, "value": problem, "kind": "dora"}, None
        event = {"type": "INPUT", "id": header.get("id"), "value": value, "metadata": metadata,
                 "kind": "dora"}
        return event, lease

    def _type_error(self, input_id, arrow_type, metadata) -> bool:
        """Replaces an input whose type fails the runtime check with an
        ``ERROR`` event (``error`` mode); ``True`` when it did."""
        problem = self._types.receive(input_id, arrow_type, metadata)
        if problem is None:
            return False
        self._events.append(({"type": "ERROR", "id": None, "error": problem, "value": problem,
                              "kind": "dora"}, None))
        return True

    # ------------------------------------------------------------ events

    def next(self, timeout: float | None = None):
        """The next event, or ``None`` when the stream ended (or ``timeout``
        seconds passed)."""
        self._finish_current()
        if self._pending_release and (self._events or self._next_pending):
            # No `next` request to ride along with: hand the regions back now.
            self._flush_release()
        if not self._events:
            if self._stopped or self._closed:
                self._flush_release(now=True)
                return None
            deadline = None if timeout is None else time.monotonic() + timeout
            while not self._events:
                if self._eof:
                    return None
                if not self._next_pending:
                    self._request_next()
                remaining = None if deadline is None else deadline - time.monotonic()
                self._writer.flush()  # nothing we sent may wait while we do
                if remaining is not None and remaining <= 0:
                    # Time is up (or timeout=0, try_recv): still look at what
                    # the socket already holds, without blocking (and without
                    # waiting for a thread that is reading).
                    self._pump(0, wait_lock=False, unless_events=True)
                    if not self._events:
                        return None
                    break
                self._pump(remaining, unless_events=True)
        event, lease = self._events.popleft()
        if lease is not None:
            self._current_leases.append(lease)
        self._current_event = event
        if event["type"] == "STOP":
            self._stopped = True
        return event

    def _finish_current(self) -> None:
        if self._current_leases:
            for lease in self._current_leases:
                if not lease.kept:
                    lease.release()
            self._current_leases = []
        self._current_event = None

    def _request_next(self) -> None:
        parts = []
        if self._pending_release:
            tokens, self._pending_release[:] = list(self._pending_release), []
            parts += encode_frame({"t": "release", "tokens": tokens})
        parts += encode_frame({"t": "next"})
        self._next_pending = True
        try:
            self._write(parts)
        except OSError:
            self._eof = True  # the daemon is gone: the stream ends

    def _flush_release(self, now: bool = False) -> None:
        """Hands the pending regions back; coalesced with other frames unless
        ``now`` (the writer's flush rule still gets them out within ms, and
        at once before the node blocks)."""
        if self._pending_release and not self._eof:
            tokens, self._pending_release[:] = list(self._pending_release), []
            try:
                parts = encode_frame({"t": "release", "tokens": tokens})
                if now:
                    self._write(parts)
                else:
                    self._append(parts)
            except OSError:
                pass

    def keep(self, event: dict) -> dict:
        """Keeps ``event``'s data valid after the next event: its shared memory
        is released only when its value is garbage-collected."""
        if event is self._current_event:
            for lease in self._current_leases:
                lease.kept = True
            self._current_leases = []
        return event

    def __iter__(self):
        return self

    def __next__(self):
        event = self.next()
        if event is None:
            raise StopIteration
        return event

    def try_recv(self):
        """An event if one is available right now, else ``None``. Never blocks:
        it reads what the socket holds, and keeps a ``next`` request
        outstanding so that the daemon sends events as they arrive."""
        return self.next(timeout=0)

    def is_empty(self) -> bool:
        """Whether no event is buffered locally."""
        if not self._events and not self._eof:
            self._pump(0)
        return not self._events

    def drain(self) -> list:
        """Every event available right now (does not wait)."""
        out = []
        while True:
            event = self.next(timeout=0)
            if event is None:
                return out
            self.keep(event)
            out.append(event)

    async def recv_async(self, timeout: float | None = None):
        """``next()`` for asyncio code (runs the blocking wait in a thread)."""
        import asyncio

        return await asyncio.to_thread(self.next, timeout)

    # ------------------------------------------------------------ sending

    def _check_output(self, output_id: str) -> None:
        if output_id not in self._outputs:
            declared = ", ".join(sorted(self._outputs)) or "none"
            raise ValueError(
                f"node `{self._node_id}` has no output `{output_id}` (declared outputs: {declared}); "
                "add it to `outputs:` in the dataflow"
            )

    def send_output(self, output_id: str, data=None, metadata: dict | None = None) -> None:
        """Sends ``data`` (pyarrow array, bytes, numpy array, list or None) on
        ``output_id``; payloads of at least ``zero_copy_threshold`` bytes go
        through shared memory."""
        if output_id not in self._outputs:
            self._check_output(output_id)
        if data is None:
            self._send_small(output_id, _outframe.EMPTY_TAIL, None, 0, metadata)
            return
        fixed = _outframe.fixed_width(data)
        if fixed is not None:
            dt, length, off, payload = fixed
            if self._types is not None:
                self._types.send(output_id, dt, metadata)
            nbytes = 0 if payload is None else (payload.nbytes if hasattr(payload, "nbytes") else
                                                payload.size if isinstance(payload, pa.Buffer) else
                                                len(payload))
            if nbytes <= _outframe.INLINE_MAX and not (self._shm and nbytes >= self._threshold):
                self._send_small(output_id, _outframe.layout(dt, length, off, nbytes),
                                 payload if nbytes else None, nbytes, metadata)
                return
        arr = to_arrow(data)
        if self._types is not None and arr is not None and fixed is None:
            self._types.send(output_id, arr.type, metadata)
        header = {"t": "output", "o": output_id, "m": None}
        if arr is None:
            header["m"] = encode_metadata(self._clock.now(), metadata)
            self._append(encode_frame(header))
            return
        layout, parts, end = encode_array(arr)
        header["d"] = layout
        if self._shm and end >= self._threshold:
            region = self._acquire(end)
            if region is not None:
                dst = region.buffer
                for off, buf in parts:
                    dst[off:off + buf.size] = memoryview(buf).cast("B")
                header["shm"] = {"name": "/" + region.name, "size": region.size, "token": region.token}
                # Stamped when handed over (after the copy), as the original does.
                header["m"] = encode_metadata(self._clock.now(), metadata)
                self._send_ref(encode_frame(header))
                return
        header["m"] = encode_metadata(self._clock.now(), metadata)
        parts = encode_frame(header, parts)
        if end > _outframe.INLINE_MAX:
            self._write(parts)  # big: written from the buffers, not copied
        else:
            self._append(parts)

    def _send_ref(self, parts) -> None:
        """A shared-memory reference: coalesced, but written after a few, as
        its region comes back only once the receivers got it."""
        self._append(parts)
        self._refs_buffered += 1
        if self._refs_buffered >= _REFS_PER_WRITE:
            self._refs_buffered = 0
            self._writer.flush()

    def _send_small(self, output_id: str, tail: bytes, payload, nbytes: int, metadata) -> None:
        """An inline output from cached templates: ``tail`` closes the
        metadata and gives the layout (``}`` alone for an empty message)."""
        p = _outframe.params(metadata) if metadata else b""
        head_start = _outframe.prefix(output_id)
        writer = self._writer
        with writer.lock:
            buf = writer.buffer_locked()
            was_empty = not buf
            # Stamped under the write lock: timestamps of one sender increase
            # in the order its frames reach the socket.
            head = b'%b%d"%b%b}' % (head_start, self._clock.now(), p, tail)
            hlen = len(head)
            if payload is None:
                buf += _U32X2.pack(4 + hlen, hlen)
                buf += head
            else:
                start = (8 + hlen + 63) & ~63
                buf += _U32X2.pack(start - 4 + nbytes, hlen)
                buf += head
                buf += _ZEROS[:start - 8 - hlen]
                buf += payload
            try:
                writer.appended_locked(was_empty)
            except ConnectionError:
                self._eof = True
                raise

    def send_output_raw(self, output_id: str, length: int, metadata: dict | None = None) -> "Sample":
        """A writable ``length``-byte sample (zero-copy in shared memory when
        big enough), sent as a ``uint8`` array when the ``with`` block ends::

            with node.send_output_raw("image", len(frame)) as buf:
                buf[:] = frame
        """
        if output_id not in self._outputs:
            self._check_output(output_id)
        if self._types is not None:
            self._types.send(output_id, "u8", metadata)  # raw bytes
        return Sample(self, output_id, int(length), metadata)

    def _acquire(self, size: int):
        """A free pool region, waiting briefly for a release when the pool is
        full; ``None`` means: send inline."""
        region = self._pool.reuse(size)
        if region is not None:
            return region  # releases are read when no free region is left
        if self._pool.busy:
            self._pump(0, wait_lock=False)  # pick up release frames that already arrived
        region, flag = self._pool_acquire(size)
        if region is None and flag:
            self._writer.flush()  # receivers release only what reached them
        deadline = time.monotonic() + 2.0
        while region is None and flag and not self._eof:  # the pool is full
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None  # fall back to an inline payload
            if not self._pump(min(remaining, 0.05), wait_lock=False):
                time.sleep(0.001)  # the reading thread dispatches the releases
            region, flag = self._pool_acquire(size)
        if region is not None and flag:
            self._write(encode_frame({"t": "shm_new", "name": "/" + region.name, "size": region.size}))
        return region

    def _pool_acquire(self, size: int):
        """``Pool.acquire``; a region that cannot be created gives ``(None, False)``."""
        try:
            return self._pool.acquire(size)
        except OSError as e:
            # /dev/shm is full (ENOSPC) or no file descriptor is left (EMFILE):
            # this message goes through the socket; later ones try again.
            kind = errno.errorcode.get(e.errno, "error")
            if kind in ("EACCES", "EPERM", "EROFS"):
                self._shm = False  # will never work
            if kind not in self._shm_warned:
                self._shm_warned.add(kind)
                self.log_warn(
                    f"cannot create shared memory ({kind}: {e.strerror}, {size} bytes); "
                    "sending through the socket instead"
                )
            return None, False

    def close_outputs(self, output_ids) -> None:
        """Tells the daemon that these outputs will send nothing more."""
        ids = [output_ids] if isinstance(output_ids, str) else list(output_ids)
        for o in ids:
            self._check_output(o)
        self._write(encode_frame({"t": "close_outputs", "o": ids}))

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
        try:
            self._writer.close()  # what was sent before exit must arrive
        except ConnectionError:
            pass
        self._closed = True
        _close_gracefully(self._sock)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __repr__(self):
        return f"Node(id={self._node_id!r}, dataflow={self._dataflow_id!r})"


class Sample:
    """A zero-copy output buffer (see :meth:`Node.send_output_raw`)."""

    __slots__ = ("_node", "_output_id", "_length", "_metadata", "_region", "_buffer", "_sent",
                 "view", "array")

    def __init__(self, node: Node, output_id: str, length: int, metadata):
        self._node = node
        self._output_id = output_id
        self._length = length
        self._metadata = metadata
        self._region = None
        self._buffer = None
        self._sent = False
        if node._shm and length >= node._threshold:
            self._region = node._acquire(length)
        if self._region is not None:
            self.view = self._region.buffer[:length]
        elif length <= _outframe.INLINE_MAX:
            # Copied into the coalescing buffer when sent: a bytearray is cheapest.
            self._buffer = bytearray(length)
            self.view = memoryview(self._buffer)
        else:
            self._buffer = pa.allocate_buffer(length)
            self.view = memoryview(self._buffer).cast("B")
        self.array = _np.frombuffer(self.view, dtype=_np.uint8) if _np is not None else self.view

    def __enter__(self):
        return self.array

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            self.send()
        elif self._region is not None and not self._sent:
            self._node._pool.cancel(self._region)

    def send(self) -> None:
        """Sends the sample (once)."""
        if self._sent:
            return
        self._sent = True
        node = self._node
        if self._region is None and self._length <= _outframe.INLINE_MAX:
            n = self._length
            node._send_small(self._output_id, _outframe.layout("u8", n, 0, n),
                             self._buffer if n else None, n, self._metadata)
            return
        header = {
            "t": "output", "o": self._output_id,
            "m": encode_metadata(node._clock.now(), self._metadata),
            "d": {"dt": "u8", "len": self._length, "nulls": 0, "off": 0,
                  "bufs": [None, [0, self._length]], "ch": []},
        }
        if self._region is not None:
            r = self._region
            header["shm"] = {"name": "/" + r.name, "size": r.size, "token": r.token}
            node._send_ref(encode_frame(header))
        else:
            node._write(encode_frame(header, [(0, self._buffer)] if self._length else []))


def _wire_type(arrow_type) -> object:
    """The wire type of a pyarrow type (or of a wire type: itself)."""
    return arrow_type if isinstance(arrow_type, str) else type_to_json(arrow_type)


def _compile_input(header: dict):
    """``(id, type, len, start, nbytes)`` for a cached input header of a
    fixed-width array without shared memory (see ``HeaderCache``)."""
    if header.get("t") != "input" or "shm" in header or type(header.get("id")) is not str:
        return None
    plan = fixed_plan(header.get("d"))
    return None if plan is None else (header["id"], *plan)


def _close_gracefully(sock: socket.socket) -> None:
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


def _safe(s: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in s)[:40]


def _reconfigure_stdout() -> None:
    # print() output should reach the node's log promptly, not at exit.
    try:
        sys.stdout.reconfigure(line_buffering=True)
    except (AttributeError, ValueError):
        pass


def _start_watchdog(parent_pid, pool: Pool) -> None:
    """Exits the process when the daemon that started it is gone."""
    if parent_pid is None:
        return  # a dynamic node started by hand: only the socket's EOF ends it
    # Usually the daemon itself; if a wrapper started us, watch the pid we have.
    start_ppid = os.getppid()

    def watch():
        while True:
            time.sleep(0.5)
            if os.getppid() != start_ppid:
                sys.stderr.write("dora: the daemon that started this node is gone; exiting\n")
                sys.stderr.flush()
                pool.close()
                os._exit(1)

    threading.Thread(target=watch, name="dora-parent-watchdog", daemon=True).start()
