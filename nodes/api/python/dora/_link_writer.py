"""The sender's writer of one link to one receiver node (docs/protocol.md,
"Direct delivery"): frames wait in a buffer and are written without ever
blocking the sender, coalesced like the daemon connection's writer; each
waiting frame is remembered with its input, so that a ``drop_oldest`` input
keeps at most its ``queue_size`` unwritten frames (the oldest are dropped and
counted) while the receiver is slow, not connected yet, or restarting.
``backpressure`` inputs never drop: the node holds the sender back instead
(``_downstream.py``). All methods are called with the downstream lock held.
The TypeScript node API's counterpart is ``_link_writer.ts``.
"""

from __future__ import annotations

import collections
import socket
import time

#: Written at once when nothing was written for this long: a lone message is
#: never held, and a burst goes out in steps of at most this (the sending
#: thread writes it; the links thread may not get the GIL meanwhile).
IDLE_S = 0.0001
#: Written when this many bytes wait.
FLUSH_AT = 64 * 1024
_monotonic = time.monotonic


class LinkWriter:
    """Waiting frames for one receiver (``sock`` is non-blocking)."""

    __slots__ = ("sock", "_buf", "_sent", "_frames", "_pending", "_caps", "_holes",
                 "_last", "backpressured")

    def __init__(self):
        self.sock: socket.socket | None = None
        self._buf = bytearray()
        self._sent = 0
        # [start, end, slot, token, dropped] of every frame not fully written.
        self._frames: collections.deque = collections.deque()
        self._pending: list = []
        self._caps: list = []
        self._holes = False
        self._last = 0.0
        #: Frames of backpressure inputs wait (the sender may be held back).
        self.backpressured = 0

    def fresh(self) -> "LinkWriter":
        """A writer with the same slots and nothing waiting, for the
        receiver's next process (this one finishes what it holds for the old
        one)."""
        w = LinkWriter()
        w._caps = list(self._caps)
        w._pending = [0] * len(self._caps)
        return w

    def slot(self, queue_size: int, backpressure: bool) -> int:
        """A new input slot (``queue_size`` frames at most while waiting,
        unless ``backpressure``)."""
        self._pending.append(0)
        self._caps.append(None if backpressure else max(1, queue_size))
        return len(self._pending) - 1

    def set_slot(self, slot: int, queue_size: int, backpressure: bool) -> None:
        self._caps[slot] = None if backpressure else max(1, queue_size)

    def waiting(self) -> int:
        """Bytes not written yet."""
        return len(self._buf) - self._sent

    def append(self, slot: int, parts, token=None) -> list:
        """Queues one frame; returns the ``(slot, token)`` of frames dropped
        to make room (``drop_oldest``)."""
        buf = self._buf
        start = len(buf)
        for p in parts:
            buf += p
        self._frames.append([start, len(buf), slot, token, False])
        self._pending[slot] += 1
        cap = self._caps[slot]
        if cap is None:
            self.backpressured += 1
            return []
        if self._pending[slot] <= cap:
            return []
        for f in self._frames:
            if f[2] == slot and not f[4] and f[0] >= self._sent:
                f[4] = True
                self._pending[slot] -= 1
                self._holes = True
                token, f[3] = f[3], None
                return [(slot, token)]
        return []

    def due(self) -> bool:
        """Whether waiting frames should be written now rather than later."""
        return self.sock is not None and self._sent < len(self._buf) and (
            self.waiting() >= FLUSH_AT or _monotonic() - self._last > IDLE_S)

    def send_some(self) -> bool:
        """Writes what the socket takes without blocking; False when the
        receiver is gone (the socket failed)."""
        sock = self.sock
        if sock is None or self._sent >= len(self._buf):
            return True
        if self._holes:
            self._compact()
        try:
            n = sock.send(memoryview(self._buf)[self._sent:])
        except (BlockingIOError, InterruptedError):
            return True
        except OSError:
            return False
        self._last = _monotonic()
        self._sent += n
        frames = self._frames
        while frames and frames[0][1] <= self._sent:
            f = frames.popleft()
            if not f[4]:
                self._pending[f[2]] -= 1
                if self._caps[f[2]] is None:
                    self.backpressured -= 1
        if self._sent >= len(self._buf):
            self._buf.clear()
            self._sent = 0
            frames.clear()
        elif self._sent > (1 << 20):
            self._shift()
        return True

    def _shift(self) -> None:
        """Forgets the written bytes at the start of the buffer."""
        cut = self._sent
        del self._buf[:cut]
        self._sent = 0
        for f in self._frames:
            f[0] -= cut
            f[1] -= cut

    def _compact(self) -> None:
        """Removes dropped frames from the bytes not yet written."""
        old = self._buf
        sent = self._sent
        new = bytearray(old[:sent])
        frames = collections.deque()
        for f in self._frames:
            if f[0] < sent:
                # Partly written (only the first frame can be): its rest
                # stays right behind what was written, in its place.
                new += old[sent:f[1]]
                frames.append(f)
                continue
            if f[4]:
                continue
            start = len(new)
            new += old[f[0]:f[1]]
            frames.append([start, start + (f[1] - f[0]), f[2], f[3], f[4]])
        self._buf = new
        self._frames = frames
        self._holes = False

    def pending_tokens(self) -> collections.Counter:
        """Tokens of frames not written at all (they go to the receiver's
        next process)."""
        out: collections.Counter = collections.Counter()
        for f in self._frames:
            if not f[4] and f[0] >= self._sent and f[3] is not None:
                out[f[3]] += 1
        return out

    def detach(self) -> None:
        """The receiver went away: what it had not fully received is lost,
        what was not written at all waits for its next process."""
        self.sock = None
        if self._holes:
            self._compact()
        # A partly written frame cannot be resent.
        while self._frames and self._frames[0][0] < self._sent:
            f = self._frames.popleft()
            if not f[4]:
                self._pending[f[2]] -= 1
                if self._caps[f[2]] is None:
                    self.backpressured -= 1
        start = self._frames[0][0] if self._frames else len(self._buf)
        self._sent = start
        self._shift()

    def take_pending(self) -> tuple:
        """Every frame not written at all, as bytes, and their tokens (for
        the daemon to deliver instead); the writer is then empty."""
        if self._holes:
            self._compact()
        out = bytearray()
        tokens = []
        for f in self._frames:
            if f[4] or f[0] < self._sent:
                continue
            out += self._buf[f[0]:f[1]]
            if f[3] is not None:
                tokens.append(f[3])
        self.discard()
        return bytes(out), tokens

    def discard(self) -> tuple:
        """Drops everything waiting; returns ``(tokens, frames)``."""
        tokens = [f[3] for f in self._frames if not f[4] and f[3] is not None]
        frames = sum(1 for f in self._frames if not f[4])
        self._buf = bytearray()
        self._sent = 0
        self._frames.clear()
        self._pending = [0] * len(self._pending)
        self.backpressured = 0
        self._holes = False
        return tokens, frames
