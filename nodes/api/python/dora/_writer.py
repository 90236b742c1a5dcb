"""The node's socket writer: frames in order, small outputs coalesced.

Flush rule (docs/node-api-python.md, "When a message is written"): output
and ``release`` frames are appended to a buffer, which is written to the socket

- at once when nothing was written for ``IDLE_S`` (0.1 ms): a lone message
  is never held, and a burst is written by the sending thread itself in steps
  of at most 0.1 ms;
- when the buffer reaches ``FLUSH_AT`` bytes (and, decided by the node, after
  a few shared-memory references);
- before any other frame (``next``, ``shm_new``, ``close_outputs``), which is
  written at once, so before the node blocks waiting for events;
- by a background flusher thread ``DELAY_S`` after the first frame was
  buffered, as soon as it then gets the interpreter (when the sending thread
  blocks or sleeps, at the latest after the interpreter's switch interval of
  5 ms of busy Python code): the end of a burst;
- on ``close()``, which ``atexit`` calls when the process exits.

Every write happens under one lock, in the order the frames were handed over:
frames are never reordered or dropped while the daemon is there.
"""

from __future__ import annotations

import socket
import threading
import time

IDLE_S = 0.0001
DELAY_S = 0.0005
FLUSH_AT = 64 * 1024
_monotonic = time.monotonic


class WriterClosed(ConnectionError):
    """The daemon closed the connection while frames were being written."""


class FrameWriter:
    """Writes frames to ``sock``; ``append`` coalesces, ``write`` flushes."""

    def __init__(self, sock: socket.socket):
        self._sock = sock
        self.lock = threading.Lock()
        self._buf = bytearray()
        self._last = 0.0
        self._armed = False
        self.dead = False
        self._closing = False
        self.bytes_written = 0  # for tests and diagnostics
        self._wake = threading.Event()
        self._thread = threading.Thread(target=self._flush_loop, name="dora-flusher", daemon=True)
        self._thread.start()

    # All methods below that end in _locked are called with ``self.lock`` held.

    def buffer_locked(self) -> bytearray:
        """The pending bytes, to append a frame to (then call ``appended_locked``)."""
        if self.dead:
            raise WriterClosed("the dora daemon closed the connection")
        return self._buf

    def appended_locked(self) -> None:
        """Decides whether the frame just appended is written now."""
        # In a burst the sending thread writes every IDLE_S itself: the
        # flusher may not get the interpreter until the burst ends.
        if len(self._buf) >= FLUSH_AT or _monotonic() - self._last > IDLE_S:
            self.flush_locked()
        elif not self._armed:
            self._armed = True
            self._wake.set()

    def append(self, parts) -> None:
        """Queues one output frame given as buffer-protocol parts."""
        with self.lock:
            buf = self.buffer_locked()
            for p in parts:
                buf += p
            self.appended_locked()

    def write(self, parts, total: int) -> None:
        """Writes what is buffered, then ``parts`` (a control frame or a big
        payload), at once."""
        with self.lock:
            buf = self.buffer_locked()
            if total <= FLUSH_AT:
                for p in parts:
                    buf += p
                self.flush_locked()
                return
            self.flush_locked()
            self._sendmsg_locked([memoryview(p).cast("B") for p in parts])

    def flush(self) -> None:
        """Writes what is buffered (before blocking, on close)."""
        if self._buf:
            with self.lock:
                if not self.dead:
                    self.flush_locked()

    def close(self) -> None:
        """Writes what is buffered and ends the flusher thread."""
        try:
            self.flush()
        finally:
            self._closing = True
            self._wake.set()

    def flush_locked(self) -> None:
        buf = self._buf
        if buf:
            try:
                self._sock.sendall(buf)
            except OSError:
                self.dead = True
                buf.clear()
                raise WriterClosed("the dora daemon closed the connection") from None
            self.bytes_written += len(buf)
            buf.clear()
        self._last = _monotonic()

    def _sendmsg_locked(self, views: list) -> None:
        self.bytes_written += sum(len(v) for v in views)
        try:
            while views:
                sent = self._sock.sendmsg(views[:512])
                while sent and views:
                    if sent >= len(views[0]):
                        sent -= len(views.pop(0))
                    else:
                        views[0] = views[0][sent:]
                        sent = 0
                while views and not len(views[0]):
                    views.pop(0)
        except OSError:
            self.dead = True
            raise WriterClosed("the dora daemon closed the connection") from None
        self._last = _monotonic()

    def _flush_loop(self) -> None:
        # Armed by the first buffered frame, it lets frames gather for
        # DELAY_S (asleep, so it does not compete for the interpreter with
        # the sending thread at every system call), then writes what is left.
        wake = self._wake
        while True:
            wake.wait()
            wake.clear()
            if self._closing:
                return
            time.sleep(DELAY_S)
            with self.lock:
                self._armed = False
                if self._buf and not self.dead:
                    try:
                        self.flush_locked()
                    except WriterClosed:
                        pass
