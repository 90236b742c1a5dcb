"""The inbound event path of a node: frames read from the daemon socket and
turned into events (inputs decoded over their payload, shared-memory inputs
mapped and their leases released), the local event queue and the ``next``
requests that refill it. The TypeScript node API's counterpart is
``_inbound.ts``.

Lifetime rule for received data: see ``_node.py``.
"""

from __future__ import annotations

import select
import time

import pyarrow as pa

from ._frame import ProtocolError, encode_frame
from ._header import check_daemon_header
from ._layout import decode_array, fixed_plan
from ._metadata import Timestamp, decode_metadata


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



class _Inbound:
    """``Node``'s event path (a mixin: the state lives on the node)."""

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


def _compile_input(header: dict):
    """``(id, type, len, start, nbytes)`` for a cached input header of a
    fixed-width array without shared memory (see ``HeaderCache``)."""
    if header.get("t") != "input" or "shm" in header or type(header.get("id")) is not str:
        return None
    plan = fixed_plan(header.get("d"))
    return None if plan is None else (header["id"], *plan)

