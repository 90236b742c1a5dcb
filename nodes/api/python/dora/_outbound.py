"""The outbound send path of a node: values turned into frames (small ones
from cached templates, coalesced by the writers), big payloads written into
shared memory (``send_output_raw`` lends a sample of it), each message written
to its direct receivers' links (``_downstream.py``) and to the daemon when
its route says so, output closing. The TypeScript node API's counterpart is
``_outbound.ts``.
"""

from __future__ import annotations

import errno
import struct
import time

import pyarrow as pa

from . import _outframe
from ._frame import encode_frame
from ._layout import encode_array
from ._metadata import encode_metadata
from ._downstream import HIGH_WATER, VIA_DAEMON
from ._shm import SLOT_MAX
from ._sample import Sample
from ._to_arrow import to_arrow

_U32X2 = struct.Struct("<II")
# Shared-memory references written together (the pool has 32 regions).
_REFS_PER_WRITE = 8
#: Regions in flight before a send waits for one of them rather than making
#: a new one (a burst reuses its regions instead of growing the pool).
_IN_FLIGHT_BEFORE_WAIT = 12
#: Slots in flight before a send waits for one of them rather than making a
#: new slab, and how long it waits (a new 1 MiB slab costs ~0.9 ms here).
_SLOTS_IN_FLIGHT_BEFORE_WAIT = 16
_SLAB_COST_S = 0.001
_ZEROS = bytes(64)


class _Outbound:
    """``Node``'s send path (a mixin: the state lives on the node)."""

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

    def _route(self, output_id: str):
        d = self._downstream
        return VIA_DAEMON if d is None else d.route(output_id)

    def _counted(self, route, nbytes: int, shm: bool, output_id: str) -> None:
        """Counts a message that went over links only (the daemon counts the rest)."""
        if route.daemon:
            return
        self._sent += 1
        self._sent_by[output_id] = self._sent_by.get(output_id, 0) + 1
        if shm:
            self._shm_sent += 1
            self._shm_bytes += nbytes
        else:
            self._inline_sent += nbytes
        self._stats_changes += 1

    def _held_back(self, route) -> None:
        """Waits while a receiver with a backpressure input cannot keep up
        (full, or restarting). The daemon's frames are read meanwhile: its
        ``routes`` may say that the receiver is gone for good."""
        for t in route.targets:
            w = t.link.writer
            if w.backpressured and w.waiting() > HIGH_WATER:
                while not self._eof and self._downstream.busy():
                    if not self._pump(0.02, wait_lock=False):
                        time.sleep(0.001)  # another thread reads the daemon socket
                    self._downstream.hold_back(0.02)
                return

    def _send_direct(self, route, output_id: str, m: dict, layout, parts, end: int,
                     region=None) -> None:
        """A message to its direct receivers (and to the daemon when its
        route says so): inline ``parts`` (``(offset, buffer)``) or a region."""
        downstream = self._downstream
        targets = route.targets
        if region is not None:
            shm = {"name": "/" + region.name, "size": region.size, "token": region.token}
            holders = (1 if route.daemon else 0) + sum(1 for t in targets if t.shm)
            downstream.lend(region.token, holders)
            if route.daemon:
                self._send_ref(encode_frame({"t": "output", "o": output_id, "m": m, "d": layout,
                                             "shm": shm}))
            inline = None
            for t in targets:
                if t.shm:
                    downstream.push(t, encode_frame({"t": "input", "id": t.input, "m": m,
                                                     "d": layout, "shm": shm}), region.token)
                else:  # a receiver that cannot map shared memory gets the bytes
                    if inline is None:
                        inline = [(0, region.buffer[:end])]
                    downstream.push(t, encode_frame({"t": "input", "id": t.input, "m": m,
                                                     "d": layout}, inline))
        else:
            if route.daemon:
                frame = encode_frame({"t": "output", "o": output_id, "m": m, "d": layout}, parts)
                if end > _outframe.INLINE_MAX:
                    self._write(frame)
                else:
                    self._append(frame)
            for t in targets:
                downstream.push(t, encode_frame({"t": "input", "id": t.input, "m": m, "d": layout},
                                                parts))
        self._counted(route, end, region is not None, output_id)
        self._held_back(route)

    def _undeclared(self, output_id: str) -> bool:
        """True (after one warning per output) when ``output_id`` is not a
        declared output: the message is dropped, as the original does."""
        if output_id in self._outputs:
            return False
        if output_id not in self._undeclared_warned:
            self._undeclared_warned.add(output_id)
            declared = ", ".join(sorted(self._outputs)) or "none"
            self.log_warn(
                f'node "{self._node_id}" has no output "{output_id}" (declared outputs: '
                f'{declared}): its messages are dropped; add it to `outputs:` in the dataflow'
            )
        return True

    def send_output(self, output_id: str, data=None, metadata: dict | None = None) -> None:
        """Sends ``data`` (pyarrow array, bytes, numpy array, list or None) on
        ``output_id``; payloads of at least ``zero_copy_threshold`` bytes go
        through shared memory."""
        if output_id not in self._outputs and self._undeclared(output_id):
            return
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
            if self._shm and nbytes >= self._threshold and self._send_shm_direct(
                    output_id, dt, length, off, payload, nbytes, metadata):
                return
        arr = to_arrow(data)
        if self._types is not None and arr is not None and fixed is None:
            self._types.send(output_id, arr.type, metadata)
        route = self._route(output_id)
        if route.targets:
            if arr is None:
                self._send_direct(route, output_id, encode_metadata(self._clock.now(), metadata),
                                  None, [], 0)
                return
            layout, parts, end = encode_array(arr)
            region = self._acquire(end) if self._shm and end >= self._threshold else None
            if region is not None:
                dst = region.buffer
                for off, buf in parts:
                    dst[off:off + buf.size] = memoryview(buf).cast("B")
            self._send_direct(route, output_id, encode_metadata(self._clock.now(), metadata),
                              layout, parts, end, region)
            return
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
                if self._downstream is not None:
                    self._downstream.lend(region.token, 1)
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

    def _send_shm_direct(self, output_id: str, dt: str, length: int, off: int, payload,
                         nbytes: int, metadata) -> bool:
        """A fixed-width array through shared memory to direct receivers only
        (the common shape), its headers from cached templates; ``False``
        when the route or the pool needs the general path."""
        route = self._route(output_id)
        targets = route.targets
        if not targets or route.daemon:
            return False
        for t in targets:
            if not t.shm:
                return False
        if nbytes <= SLOT_MAX:
            region = self._acquire_slot(nbytes)
            if region is None:
                return False  # the general path (a region, or the socket)
            start = region.off
        else:
            region = self._acquire(nbytes)
            if region is None:
                return False
            start = 0
        region.buffer[:nbytes] = memoryview(payload).cast("B")
        p = _outframe.params(metadata) if metadata else b""
        tail = _outframe.layout(dt, length, off, nbytes, start) + \
            _outframe.shm_ref("/" + region.name, region.size, region.token)
        downstream = self._downstream
        token = region.token
        downstream.lend(token, len(targets))
        # Stamped when handed over (after the copy), as the original does.
        ts = self._clock.now()
        for t in targets:
            head = _outframe.head(_outframe.INPUT, t.ident, ts, p, tail, True)
            downstream.push(t, (_U32X2.pack(4 + len(head), len(head)), head), token)
        self._counted(route, nbytes, True, output_id)
        self._held_back(route)
        return True

    def _send_small(self, output_id: str, tail: bytes, payload, nbytes: int, metadata) -> None:
        """An inline output from cached templates: ``tail`` is its binary
        layout (``b""`` for an empty message)."""
        p = _outframe.params(metadata) if metadata else b""
        route = self._route(output_id)
        if route.targets:
            self._send_small_direct(route, output_id, tail, payload, nbytes, p)
            return
        ident = _outframe.id_bytes(output_id)
        writer = self._writer
        with writer.lock:
            buf = writer.buffer_locked()
            # Stamped under the write lock: timestamps of one sender increase
            # in the order its frames reach the socket.
            head = _outframe.head(_outframe.OUTPUT, ident, self._clock.now(), p, tail)
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
                writer.appended_locked()
            except ConnectionError:
                self._eof = True
                raise

    def _send_small_direct(self, route, output_id: str, tail: bytes, payload, nbytes: int,
                           p: bytes) -> None:
        """``_send_small`` for an output with direct receivers: one stamp,
        one frame per receiver from the same templates."""
        ts = self._clock.now()
        downstream = self._downstream
        for t in route.targets:
            head = _outframe.head(_outframe.INPUT, t.ident, ts, p, tail)
            hlen = len(head)
            if payload is None:
                downstream.push(t, (_U32X2.pack(4 + hlen, hlen), head))
            else:
                start = (8 + hlen + 63) & ~63
                downstream.push(t, (_U32X2.pack(start - 4 + nbytes, hlen), head,
                                    _ZEROS[:start - 8 - hlen], payload))
        if route.daemon:
            head = _outframe.head(_outframe.OUTPUT, _outframe.id_bytes(output_id), ts, p, tail)
            hlen = len(head)
            if payload is None:
                parts = [_U32X2.pack(4 + hlen, hlen), head]
            else:
                start = (8 + hlen + 63) & ~63
                parts = [_U32X2.pack(start - 4 + nbytes, hlen), head, _ZEROS[:start - 8 - hlen],
                         payload]
            self._append(parts)
        self._counted(route, nbytes, False, output_id)
        self._held_back(route)

    def send_output_raw(self, output_id: str, length: int, metadata: dict | None = None) -> "Sample":
        """A writable ``length``-byte sample (zero-copy in shared memory when
        big enough), sent as a ``uint8`` array when the ``with`` block ends
        (see ``_sample.py`` for the contract)::

            with node.send_output_raw("image", len(frame)) as buf:
                np.asarray(buf, dtype=np.uint8)[:] = frame
        """
        if output_id not in self._outputs and self._undeclared(output_id):
            return Sample(self, output_id, int(length), metadata, drop=True)
        if self._types is not None:
            self._types.send(output_id, "u8", metadata)  # raw bytes
        return Sample(self, output_id, int(length), metadata)

    def _acquire_slot(self, size: int):
        """A slot of a slab region for a small shared-memory message, or
        ``None`` (the pool is at its limits: a whole region then)."""
        try:
            slot = self._pool.reuse_slot(size)
            if slot is None and self._pool.busy >= _SLOTS_IN_FLIGHT_BEFORE_WAIT:
                # A burst: its slots come back sooner than a new slab is made.
                slot = self._await_reuse(lambda: self._pool.reuse_slot(size), _SLAB_COST_S)
            if slot is not None:
                return slot
            slot, created = self._pool.acquire_slot(size)
            if slot is None and self._pool.busy:
                self._pump(0, wait_lock=False)  # releases that already arrived
                slot, created = self._pool.acquire_slot(size)
            if slot is None:  # the pool is at its limits: wait for a release
                self._writer.flush()
                deadline = time.monotonic() + 2.0
                self._want_region = True
                try:
                    while slot is None and not self._eof:
                        remaining = deadline - time.monotonic()
                        if remaining <= 0:
                            return None
                        if not self._pump(min(remaining, 0.05), wait_lock=False, wake=True):
                            time.sleep(0.001)
                        slot, created = self._pool.acquire_slot(size)
                finally:
                    self._want_region = False
        except OSError:
            return None  # _acquire says why, and falls back to the socket
        if slot is None:
            return None
        if created is not None:
            self._append(encode_frame({"t": "shm_new", "name": "/" + created.name,
                                       "size": created.size}))
        return slot

    def _acquire(self, size: int):
        """A free pool region, waiting briefly for a release when the pool is
        full; ``None`` means: send inline."""
        region = self._pool.reuse(size)
        if region is not None:
            return region  # releases are read when no free region is left
        if self._pool.busy:
            self._pump(0, wait_lock=False)  # pick up release frames that already arrived
            region = self._pool.reuse(size)
            if region is None and self._pool.busy >= _IN_FLIGHT_BEFORE_WAIT:
                region = self._await_reuse(lambda: self._pool.reuse(size),
                                           min(size * 1e-9, 0.004))
            if region is not None:
                return region
        region, flag = self._pool_acquire(size)
        if region is None and flag:
            self._writer.flush()  # receivers release only what reached them
        deadline = time.monotonic() + 2.0
        # Regions come back from the daemon (its socket is read here) and over
        # links (the links thread frees them and wakes this wait).
        self._want_region = region is None and flag
        try:
            while region is None and flag and not self._eof:  # the pool is full
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return None  # fall back to an inline payload
                if not self._pump(min(remaining, 0.05), wait_lock=False, wake=True):
                    time.sleep(0.001)  # the reading thread dispatches the releases
                region, flag = self._pool_acquire(size)
        finally:
            self._want_region = False
        if region is not None and flag:
            # Only for clean-up after a crash: coalesced with what follows
            # (a write per new region held a burst's sender back).
            self._append(encode_frame({"t": "shm_new", "name": "/" + region.name,
                                       "size": region.size}))
        return region

    def _await_reuse(self, reuse, seconds: float):
        """What ``reuse()`` gives once a receiver released it, waiting at most
        about what making a new region would cost (the kernel zeroes every
        page of a new region: ~1 ns per byte here), or ``None``: in a burst,
        regions and slots in flight come back sooner than new ones are made,
        and the receivers map no new region."""
        self._writer.flush()
        if self._downstream is not None:
            self._downstream.kick()  # receivers release only what reached them
        deadline = time.monotonic() + seconds
        self._want_region = True
        try:
            while not self._eof:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return None
                if not self._pump(remaining, wait_lock=False, wake=True):
                    time.sleep(min(remaining, 0.0002))  # the reading thread has it
                found = reuse()
                if found is not None:
                    return found
        finally:
            self._want_region = False
        return None

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
        """Tells the receivers (over their links, behind what was sent there)
        and the daemon that these outputs will send nothing more."""
        ids = [output_ids] if isinstance(output_ids, str) else list(output_ids)
        for o in ids:
            if o not in self._outputs:
                declared = ", ".join(sorted(self._outputs)) or "none"
                raise ValueError(
                    f'node "{self._node_id}" has no output "{o}" (declared outputs: {declared})'
                )
        for o in ids:
            for t in self._route(o).targets:
                with self._downstream.lock:
                    self._downstream._push(t.link, t.link.control_slot,
                                           encode_frame({"t": "input_closed", "id": t.input}))
        self._write(encode_frame({"t": "close_outputs", "o": ids}))

