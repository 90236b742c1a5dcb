"""The inbound event path of a node: frames read from the daemon socket and
from the links to its senders (``_upstream.py``) turned into events (inputs
decoded over their payload, shared-memory inputs mapped and their leases
released to whoever sent them), the local event queue (``_event_queue.py``:
arrival order, per-input bounds and policies) and the ``next`` requests that
let the daemon send what it queued for us. The TypeScript node API's
counterpart is ``_inbound.ts``.

Lifetime rule for received data: see ``_node.py``.
"""

from __future__ import annotations

import os
import select
import time

import pyarrow as pa

from ._frame import ProtocolError, encode_frame
from ._header import check_daemon_header
from ._layout import decode_array, fixed_plan
from ._metadata import Timestamp, decode_metadata
from ._shm import is_dataflow_region, is_region_of, region_prefix

_INPUT_TYPES = frozenset(("input", "input_closed", "error", "handed_over"))
#: Shared-memory tokens given back over a link in one write while events
#: are queued (the sender's pool has 32 regions).
_RELEASES_PER_WRITE = 8


class _Lease:
    """The release token of one received shared-memory message.

    Arrow buffers of the message hold a reference to it: if the event was
    kept, the token is released when the last buffer is collected.
    """

    __slots__ = ("token", "node", "link", "done", "kept", "__weakref__")

    def __init__(self, token: str, node: "Node", link=None):
        self.token = token
        self.node = node
        #: The sender's link it came over (``None``: the daemon's socket).
        self.link = link
        self.done = False
        self.kept = False

    def release(self) -> None:
        if not self.done:
            self.done = True
            if self.link is not None:
                self.link.release(self.token)
            else:
                self.node._pending_release.append(self.token)

    def __del__(self):
        if self.kept and not self.done:
            try:
                self.release()
            except Exception:
                pass


class _Inbound:
    """``Node``'s event path (a mixin: the state lives on the node)."""

    # ------------------------------------------------------------ reading

    def _read_daemon(self) -> None:
        """Reads the daemon socket once (it has data) and dispatches the frames."""
        view = self._reader.want_into()
        try:
            n = self._sock.recv_into(view)
        except (ConnectionResetError, BrokenPipeError):
            n = 0
        if n == 0:
            self._eof = True
            return
        self._reader.received(n)
        for header, payload in self._reader.frames():
            self._dispatch(header, payload)

    def _read_link(self, link) -> None:
        """Reads a sender's link once (it has data) and dispatches the frames."""
        view = link.reader.want_into()
        try:
            n = link.sock.recv_into(view)
        except OSError:
            n = 0
        if n == 0:
            self._link_ended(link)
            return
        link.reader.received(n)
        try:
            for header, payload in link.reader.frames():
                self._dispatch_link(link, header, payload)
        except ProtocolError as e:
            self._events.push_control(({"type": "ERROR", "id": None, "error": f"link from `{link.node}`: {e}",
                                        "value": str(e), "kind": "dora"}, None, None))
            # A broken stream: the daemon relays this sender from then on
            # (its sender would otherwise wait for this link for ever).
            self._link_failed(link.node, f"link from `{link.node}`: {e}")
            self._link_ended(link)

    def _read_once(self, timeout: float | None, wake: bool = False) -> None:
        """Waits up to ``timeout`` for the daemon socket or a link, and reads
        what arrived. ``wake``: also return when a region came back over a
        link (``_region_freed``)."""
        if self._eof:
            return
        links = [l for l in self._upstream.live if l.readable()] if self._upstream.live else None
        if not links and not wake:
            if timeout is not None:
                r, _, _ = select.select([self._sock], [], [], max(0.0, timeout))
                if not r:
                    return
            self._read_daemon()
            return
        socks = [self._sock]
        if wake:
            socks.append(self._wake_r)
        for link in links or ():
            socks.append(link.sock)
        r, _, _ = select.select(socks, [], [], None if timeout is None else max(0.0, timeout))
        for sock in r:
            if sock is self._wake_r:
                try:
                    os.read(self._wake_r, 4096)
                except OSError:
                    pass
            elif sock is self._sock:
                self._read_daemon()
            else:
                for link in links or ():
                    if link.sock is sock:
                        self._read_link(link)
                        break

    def _pump(self, timeout: float | None, wait_lock: bool = True, unless_events: bool = False,
              wake: bool = False) -> bool:
        """Reads and dispatches what arrives; False if another thread is reading."""
        if not self._rlock.acquire(blocking=wait_lock):
            return False
        try:
            if unless_events and self._events:
                return True  # another thread already read them
            self._read_once(timeout, wake)
        finally:
            self._rlock.release()
        return True

    # ------------------------------------------------------------ frames

    def _push_input(self, input_id: str, event: dict, lease, link) -> None:
        """Queues an input event (from the daemon when ``link`` is ``None``)."""
        if link is None:
            self._daemon_queued += 1
        full = self._events.push_input(input_id, (event, lease, link), self._dropped)
        if full and link is not None:
            link.paused = True

    def _dropped(self, item) -> None:
        """The queue dropped an event (drop_oldest): its region goes back."""
        _event, lease, link = item
        if link is None:
            self._daemon_queued -= 1
        if lease is not None:
            lease.release()
        self._stats_changes += 1

    def _dispatch(self, header, payload) -> None:
        if type(header) is tuple and len(header) == 4:
            header = _shm_header(header)  # relayed by the daemon: the general path
        if type(header) is tuple:
            # A compiled input header (HeaderCache): only the timestamp is new.
            (input_id, t, length, start, n), ts, template = header
            if payload is not None and start + n <= payload.size:
                if start or n != payload.size:
                    payload = payload.slice(start, n)
                self._clock.observe(ts)
                if self._types is not None and self._type_error(input_id, t, None):
                    return
                self._push_input(input_id, {"type": "INPUT", "id": input_id,
                                            "value": pa.Array.from_buffers(t, length, [None, payload],
                                                                           null_count=0),
                                            "metadata": {"timestamp": Timestamp.from_ns(ts)},
                                            "kind": "dora"}, None, None)
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
                self._push_input(header["id"], {"type": "INPUT", "id": header["id"], "value": value,
                                                "metadata": metadata, "kind": "dora"}, None, None)
                return
        t = check_daemon_header(header)["t"]
        if t == "batch_end":
            self._next_pending = False
        elif t == "release":
            self._release_tokens(header.get("tokens") or [])
        elif t == "input":
            event, lease = self._input_event(header, payload, None)
            if event["type"] == "INPUT":
                self._push_input(event["id"], event, lease, None)
            else:
                self._events.push_control((event, None, None))
        elif t == "input_closed":
            input_id = header.get("id")
            if self._upstream.is_linked(input_id):
                self._close_linked(input_id)
            else:  # a relayed input (a timeout may close it again after a recovery)
                self._control({"type": "INPUT_CLOSED", "id": input_id, "kind": "dora"})
        elif t in ("input_recovered", "node_restarted"):
            self._control({"type": t.upper(), "id": header.get("id"), "kind": "dora"})
        elif t == "node_failed":
            info = {"source_node_id": header.get("id"), "error": header.get("error"),
                    "affected_input_ids": list(header.get("inputs") or [])}
            self._control({"type": "NODE_FAILED", "id": header.get("id"), "value": info,
                           "error": header.get("error"), "kind": "dora"})
        elif t == "stop":
            stop = ({"type": "STOP", "id": header.get("cause", "MANUAL"), "kind": "dora"}, None, None)
            if header.get("cause") != "ALL_INPUTS_CLOSED":
                self._events.push_control(stop)
            elif self._deferred_closes:
                self._held_stop = stop  # behind the links that still deliver data
            else:
                self._events.push_final_stop(stop)
        elif t == "error":
            self._control({"type": "ERROR", "id": None, "error": header.get("message"),
                           "value": header.get("message"), "kind": "dora"})
        elif t == "routes":
            self._on_routes(header)
        elif t == "drain":
            self._drains.append((header.get("node"), int(header.get("gen") or 0)))
            self._answer_drains()
        elif t == "hand_over":
            if self._downstream is not None:
                self._downstream.hand_over(header.get("node"), header.get("pid"))
        elif t == "param_update":
            key = header.get("key")
            self._control({"type": "PARAM_UPDATE", "id": key, "key": key,
                           "value": header.get("value"), "kind": "dora"})
        elif t == "param_deleted":
            key = header.get("key")
            self._control({"type": "PARAM_DELETED", "id": key, "key": key, "kind": "dora"})
        elif t in ("hello_ok", "ready"):
            pass
        else:
            raise ProtocolError(f"unknown message type `{t}` from the daemon")

    def _control(self, event: dict) -> None:
        self._events.push_control((event, None, None))

    def _dispatch_link(self, link, header, payload) -> None:
        """One frame from a sender's link: an input, its close, or an error."""
        if type(header) is tuple and len(header) == 4:
            if self._shm_input(link, header):
                return
            header = _shm_header(header)
        if type(header) is tuple:
            (input_id, t, length, start, n), ts, template = header
            if payload is not None and start + n <= payload.size:
                if start or n != payload.size:
                    payload = payload.slice(start, n)
                self._clock.observe(ts)
                self._received += 1
                self._received_by[input_id] = self._received_by.get(input_id, 0) + 1
                self._inline_received += n
                self._stats_changes += 1
                if self._types is not None and self._type_error(input_id, t, None):
                    return
                self._push_input(input_id, {"type": "INPUT", "id": input_id,
                                            "value": pa.Array.from_buffers(t, length, [None, payload],
                                                                           null_count=0),
                                            "metadata": {"timestamp": Timestamp.from_ns(ts)},
                                            "kind": "dora"}, None, link)
                return
            header = template.copy()
            header["m"] = {"ts": str(ts)}
        t = header.get("t")
        if t not in _INPUT_TYPES:
            raise ProtocolError(f"unknown message type `{t}` on a link (sender to receiver)")
        if t == "input":
            check_daemon_header(header)
            event, lease = self._input_event(header, payload, link)
            self._received += 1
            iid = header.get("id")
            self._received_by[iid] = self._received_by.get(iid, 0) + 1
            if header.get("shm") is not None:
                self._shm_received += 1
            elif payload is not None:
                self._inline_received += payload.size
            self._stats_changes += 1
            if event["type"] == "INPUT":
                self._push_input(event["id"], event, lease, link)
            else:
                self._events.push_control((event, None, None))
        elif t == "input_closed":
            input_id = header.get("id")
            self._events.close_input(input_id, ({"type": "INPUT_CLOSED", "id": input_id,
                                                 "kind": "dora"}, None, None))
            self._deferred_closes.discard(input_id)
            self._release_held_stop()
        elif t == "handed_over":
            # Everything the sender wrote before is queued here, ahead of the
            # STOP the daemon sends once it knows.
            self._send_control({"t": "link_handed", "node": link.node})
        else:
            self._control({"type": "ERROR", "id": None, "error": f"link from `{link.node}`: {header.get('message')}",
                           "value": header.get("message"), "kind": "dora"})

    def _shm_input(self, link, header) -> bool:
        """A compiled shared-memory input from a link (the common shape);
        ``False`` when the general path must handle (and report) it."""
        (input_id, t, length, start, n), ts, _template, (name, size, token) = header
        try:
            region = self._maps.view(name, size)
        except (OSError, ValueError):
            return False
        if start + n > region.size:
            return False
        lease = _Lease(token, self, link)
        # The lease rides along as the buffer's base, so a kept value keeps it alive.
        buf = pa.foreign_buffer(region.address, region.size, base=(region, lease))
        self._clock.observe(ts)
        self._received += 1
        self._received_by[input_id] = self._received_by.get(input_id, 0) + 1
        self._shm_received += 1
        self._stats_changes += 1
        if self._types is not None and self._type_error(input_id, t, None):
            lease.release()
            return True
        self._push_input(input_id, {"type": "INPUT", "id": input_id,
                                    "value": pa.Array.from_buffers(t, length, [None, buf.slice(start, n)],
                                                                   null_count=0),
                                    "metadata": {"timestamp": Timestamp.from_ns(ts)},
                                    "kind": "dora"}, lease, link)
        return True

    def _close_linked(self, input_id: str) -> None:
        """The daemon closed a link-fed input (its sender finished or died):
        the close follows the messages the sender's link still carries, so
        it waits until the link delivered its own close, or ended."""
        if self._events.is_closed(input_id):
            return
        node = self._upstream.source_of(input_id)
        if self._upstream.live_links(node):
            self._deferred_closes.add(input_id)
            return
        self._events.close_input(input_id, ({"type": "INPUT_CLOSED", "id": input_id,
                                             "kind": "dora"}, None, None))

    def _link_ended(self, link) -> None:
        self._upstream.finish(link)
        for input_id in list(self._deferred_closes):
            if self._upstream.source_of(input_id) == link.node and not self._upstream.live_links(link.node):
                self._deferred_closes.discard(input_id)
                self._events.close_input(input_id, ({"type": "INPUT_CLOSED", "id": input_id,
                                                     "kind": "dora"}, None, None))
        self._release_held_stop()
        self._answer_drains()

    def _release_held_stop(self) -> None:
        if self._held_stop is not None and not self._deferred_closes:
            self._events.push_final_stop(self._held_stop)
            self._held_stop = None

    def _answer_drains(self) -> None:
        left = []
        for node, gen in self._drains:
            if self._upstream.ended(node, gen):
                self._send_control({"t": "drained", "node": node, "gen": gen})
            else:
                left.append((node, gen))
        self._drains = left

    def _on_routes(self, header: dict) -> None:
        routes_in = header.get("in") or {}
        for input_id, r in routes_in.items():
            self._events.add_input(input_id, r)
        for link in self._upstream.set_routes(routes_in):
            self._link_ended(link)
        if self._downstream is not None:
            self._downstream.set_routes(header.get("out") or {})

    def _send_control(self, header: dict) -> None:
        """A small frame to the daemon (coalesced), unless it is gone."""
        if self._eof:
            return
        try:
            self._append(encode_frame(header))
        except OSError:
            pass

    def _input_event(self, header: dict, payload, link):
        ts, metadata = decode_metadata(header.get("m"))
        self._clock.observe(ts)
        shm = header.get("shm")
        lease = None
        if shm is not None:
            try:
                name = str(shm["name"])
                # A name on a link must be that sender's own region; one from
                # the daemon (which checked its owner) one of this dataflow's.
                if link is not None:
                    if not is_region_of(name, region_prefix(self._dataflow_id, link.node)):
                        raise ValueError(f'it is not a region of node "{link.node}"')
                elif not is_dataflow_region(name, self._dataflow_id):
                    raise ValueError("it is not a region of this dataflow")
                region = self._maps.view(name, int(shm["size"]))
            except (OSError, ValueError) as e:
                # No file descriptor left, the region is gone, too small or
                # not the sender's: hand the token back and say so (as the
                # TypeScript API does).
                _Lease(str(shm["token"]), self, link).release()
                source = (self._config.get("inputs", {}).get(header.get("id")) or {}).get("source", "?")
                sender = f' from "{link.node if link is not None else source}"'
                message = (f"input `{header.get('id')}`{sender}: cannot map shared memory "
                           f"{shm['name']}: {e}; message refused")
                return {"type": "ERROR", "id": None, "error": message, "value": message, "kind": "dora"}, None
            lease = _Lease(str(shm["token"]), self, link)
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
        self._control({"type": "ERROR", "id": None, "error": problem, "value": problem, "kind": "dora"})
        return True

    # ------------------------------------------------------------ events

    def next(self, timeout: float | None = None):
        """The next event, or ``None`` when the stream ended (or ``timeout``
        seconds passed)."""
        self._finish_current()
        if (self._pending_release and (self._events or self._next_pending)) \
                or self._link_releases(not self._events):
            # No `next` request to ride along with: hand the regions back now.
            self._flush_release()
        if self._stats_changes != self._stats_reported:
            self._report_stats()
        if not self._events:
            if self._stopped or self._closed:
                self._flush_release(now=True)
                return None
            deadline = None if timeout is None else time.monotonic() + timeout
            while not self._events:
                if self._eof:
                    self._stream_ended()
                    return None
                if not self._next_pending and not self._daemon_queued:
                    self._request_next()
                remaining = None if deadline is None else deadline - time.monotonic()
                self._writer.flush()  # nothing we sent may wait while we do
                if self._downstream is not None:
                    self._downstream.kick()
                if remaining is not None and remaining <= 0:
                    # Time is up (or timeout=0, try_recv): still look at what
                    # the socket already holds, without blocking (and without
                    # waiting for a thread that is reading).
                    self._pump(0, wait_lock=False, unless_events=True)
                    if not self._events:
                        return None
                    break
                self._pump(remaining, unless_events=True)
        event, lease, link = self._events.take()
        if link is None and event["type"] == "INPUT" and self._daemon_queued > 0:
            self._daemon_queued -= 1
            # With link-fed inputs, what the daemon queued meanwhile is asked
            # for at once, so both flow side by side. Without, `next` goes
            # out only when the node waits (the daemon then tells an idle
            # node from a busy one: health checks).
            if not self._daemon_queued and not self._next_pending and not self._eof \
                    and self._upstream.has_links():
                self._request_next()
        elif link is not None and link.paused and not any(
                self._events.is_full(i) for i in self._upstream.inputs_of(link.node)):
            link.paused = False
        if lease is not None:
            self._current_leases.append(lease)
        self._current_event = event
        kind = event["type"]
        if kind == "STOP":
            self._stopped = True
            self._stream_ended()
        elif kind == "PARAM_UPDATE":
            self._params[event["key"]] = event["value"]
        elif kind == "PARAM_DELETED":
            self._params.pop(event["key"], None)
        return event

    def _stream_ended(self) -> None:
        """Reports the final counters once (the node may exit right away)."""
        if self._stats_changes != self._stats_reported:
            self._report_stats(now=True)

    def _report_stats(self, now: bool = False) -> None:
        """Sends the counters of direct delivery when they changed, at most
        every half second (at once when ``now``)."""
        t = time.monotonic()
        if not now and t - self._stats_at < 0.5:
            return
        self._stats_at = t
        self._stats_reported = self._stats_changes
        stats = {"t": "stats", **self._out_stats(), "received": self._received,
                 "shm_received": self._shm_received, "inline_received": self._inline_received,
                 "drops": self._events.drops(), "unread": self._events.unread_inputs()}
        if self._eof:
            return
        try:
            if now:
                self._write(encode_frame(stats))
            else:
                self._append(encode_frame(stats))
        except OSError:
            pass

    def _finish_current(self) -> None:
        if self._current_leases:
            for lease in self._current_leases:
                if not lease.kept:
                    lease.release()
            self._current_leases = []
        self._current_event = None

    def _link_releases(self, idle: bool) -> bool:
        """Whether tokens should go back over links now: before the node
        waits (``idle``), or once a few gathered on a link (one write per
        message would wake the sender for each)."""
        for link in self._upstream.live:
            n = len(link._release)
            if n and (idle or n >= _RELEASES_PER_WRITE):
                return True
        return False

    def _release_tokens(self, tokens) -> None:
        """The daemon released tokens of ours (it and its receivers are done)."""
        if self._downstream is not None:
            for token in tokens:
                self._downstream.release(token)
        else:
            self._pool.release(tokens)

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
        for link in self._upstream.live:
            link.flush_releases()
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


def _shm_header(header: tuple) -> dict:
    """The header dict of a compiled shared-memory header (``HeaderCache``)."""
    _compiled, ts, template, (name, size, token) = header
    out = template.copy()
    out["m"] = {"ts": str(ts)}
    out["shm"] = {"name": name, "size": size, "token": token}
    return out


def _compile_input(header: dict):
    """``(id, type, len, start, nbytes)`` for a cached input header of a
    fixed-width array without shared memory (see ``HeaderCache``)."""
    if header.get("t") != "input" or "shm" in header or type(header.get("id")) is not str:
        return None
    plan = fixed_plan(header.get("d"))
    return None if plan is None else (header["id"], *plan)

