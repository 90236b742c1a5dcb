"""The zero-copy output sample of ``Node.send_output_raw`` (the original
dora's ``SampleHandler`` / ``SampleBuffer`` contract).

The sample owns a pre-allocated output buffer (a region of the node's
shared-memory pool when the sample is big enough, else heap memory) that the
caller fills through the buffer protocol and then sends, once:

.. code-block:: python

    with node.send_output_raw("frame", h * w * 3) as buf:   # sends on exit
        np.asarray(buf, dtype=np.uint8).reshape(h, w, 3)[:] = frame

    sample = node.send_output_raw("frame", n)                 # manual form
    mv = sample.as_memoryview()
    ...
    mv.release()
    sample.send()

The contract:

- ``send()`` refuses (``RuntimeError``, "buffer view(s) still open") while
  any view derived from the buffer — memoryview, numpy array — is alive, also
  when the ``with`` block ends;
- a ``with`` block left by an exception sends nothing (the sample can still
  be sent);
- sending twice is an error; ``as_buffer()`` / ``as_memoryview()`` after
  ``send()`` raise ``RuntimeError``;
- ``as_buffer()`` returns the same buffer every time, ``as_memoryview()`` a
  new memoryview every time (each to be released);
- once the sample is sent, or dropped unsent, new views of its buffer raise
  ``BufferError``; an unsent sample's memory is given back once the last view
  of it is gone.

The buffer counts its views through the buffer protocol: in Python from 3.12
on (PEP 688), before that with a small type written in C (``_native.py``,
compiled on first use). Without a C compiler or Python's headers on 3.10 and
3.11, the buffer is a plain memoryview of the sample (a warning says so once):
memoryviews from ``as_memoryview()`` are tracked, numpy arrays made from the
buffer are not, and a new view of a sent or dropped sample's buffer raises
``ValueError``.
"""

from __future__ import annotations

import sys
import weakref

from . import _native, _outframe
from ._frame import encode_frame
from ._metadata import encode_metadata

try:
    import numpy as _np
except ImportError:  # pragma: no cover - numpy is optional
    _np = None

#: Whether Python classes can export buffers (PEP 688).
PEP_688 = sys.version_info >= (3, 12)

_STILL_OPEN = (
    "cannot send: buffer view(s) still open (release every memoryview and numpy "
    "array derived from the sample's buffer first: `del arr`, `mv.release()`)"
)


class _ItemAccess:
    """Item assignment like on a ``uint8`` numpy array (``buf[:] = 7``)."""

    __slots__ = ()

    def __setitem__(self, key, value) -> None:
        if not self._valid:
            raise RuntimeError("the sample was sent or dropped")
        if _np is not None and not isinstance(value, (bytes, bytearray, memoryview)):
            _np.frombuffer(self._raw, dtype=_np.uint8)[key] = value
        else:
            self._raw[key] = value

    def __getitem__(self, key):
        return self._raw[key]


class SampleBuffer(_ItemAccess):
    """The sample's memory as a buffer-protocol exporter that counts the views
    derived from it (Python >= 3.12; before, the C type of ``_native.py``).
    """

    __slots__ = ("_raw", "_views", "_valid", "_on_free", "__weakref__")

    def __init__(self, raw: memoryview):
        self._raw = raw
        self._views = 0
        self._valid = True
        self._on_free = None  # called once invalid and without views

    def __buffer__(self, flags: int) -> memoryview:
        if not self._valid:
            raise BufferError("the sample was sent or dropped: its buffer is no longer valid")
        view = memoryview(self._raw)
        self._views += 1
        return view

    def __release_buffer__(self, view: memoryview) -> None:
        self._views -= 1
        view.release()
        if self._views == 0 and not self._valid:
            self._free()

    def _invalidate(self, on_free=None) -> None:
        """No new views from now on; ``on_free`` runs once no view is left."""
        self._valid = False
        self._on_free = on_free
        if self._views == 0:
            self._free()

    def _free(self) -> None:
        on_free, self._on_free = self._on_free, None
        if on_free is not None:
            on_free()

    def __len__(self) -> int:
        return len(self._raw)


_buffer_class = None  # the class of tracked buffers, False when untracked


def buffer_class():
    """The class of sample buffers that count their views, or ``None`` (Python
    < 3.12 without a C compiler: then a warning, once)."""
    global _buffer_class
    if _buffer_class is None:
        if PEP_688:
            _buffer_class = SampleBuffer
        else:
            exporter, reason = _native.sample_buffer_exporter()
            if exporter is None:
                _buffer_class = False
                print(
                    f"dora: warning: zero-copy samples cannot track the views of their buffer "
                    f"on Python {sys.version_info[0]}.{sys.version_info[1]} here ({reason}); "
                    f"numpy arrays made from a sample's buffer are not counted: delete them "
                    f"before the sample is sent",
                    file=sys.stderr,
                    flush=True,
                )
            else:
                _buffer_class = type(
                    "SampleBuffer", (_ItemAccess, exporter), {"__slots__": (), "__module__": __name__}
                )
    return _buffer_class or None


class Sample:
    """A writable output sample of ``length`` bytes, sent as a ``uint8`` array
    (the original's ``SampleHandler``)."""

    __slots__ = ("_node", "_output_id", "_length", "_metadata", "_region", "_heap",
                 "_raw", "_buffer", "_tracked", "_views", "_sent", "_drop", "__weakref__")

    def __init__(self, node, output_id: str, length: int, metadata, drop: bool = False):
        self._node = node
        self._output_id = output_id
        self._length = length
        self._metadata = metadata
        self._region = None
        self._heap = None
        self._sent = True  # until set up: __del__ then has nothing to give back
        self._views: list = []  # untracked buffers: the memoryviews handed out
        # An undeclared output: filled and "sent" as usual, then dropped.
        self._drop = drop
        if node._shm and length >= node._threshold and not drop:
            self._region = node._acquire(length)
        if self._region is not None:
            raw = self._region.buffer[:length]
        else:
            # Copied into the coalescing buffer or a frame when sent.
            self._heap = bytearray(length)
            raw = memoryview(self._heap)
        self._raw = raw
        tracked = buffer_class()
        self._tracked = tracked is not None
        self._buffer = tracked(raw) if tracked is not None else raw
        self._sent = False

    # --- the buffer -------------------------------------------------------

    def as_buffer(self):
        """The sample's buffer (the same object every time)."""
        if self._sent:
            raise RuntimeError("the sample was already sent: its buffer is gone")
        return self._buffer

    def as_memoryview(self) -> memoryview:
        """A new memoryview of the buffer; release it (``mv.release()``)
        before ``send()``."""
        if self._sent:
            raise RuntimeError("the sample was already sent: its buffer is gone")
        mv = memoryview(self._buffer)
        if not self._tracked:
            self._views = [v for v in self._views if not _released(v)] + [mv]
        return mv

    def __enter__(self):
        return self.as_buffer()

    def __exit__(self, exc_type, exc, tb):
        # An exception in the block sends nothing: the sample stays sendable.
        if exc_type is None:
            self.send()

    # --- sending ----------------------------------------------------------

    def _views_open(self) -> bool:
        if self._tracked:
            return self._buffer._views > 0
        return any(not _released(v) for v in self._views)

    def send(self) -> None:
        """Sends the sample; once, and only when no view of it is left."""
        if self._sent:
            raise RuntimeError("the sample was already sent")
        if self._views_open():
            raise RuntimeError(_STILL_OPEN)
        self._sent = True
        if self._tracked:
            self._buffer._invalidate()
        else:
            self._raw.release()  # no new views of a sent buffer
        if self._drop:
            return
        node = self._node
        n = self._length
        if self._region is None and n <= _outframe.INLINE_MAX:
            node._send_small(self._output_id, _outframe.layout("u8", n, 0, n),
                             self._heap if n else None, n, self._metadata)
            return
        layout = {"dt": "u8", "len": n, "nulls": 0, "off": 0, "bufs": [None, [0, n]], "ch": []}
        route = node._route(self._output_id)
        if route.targets:
            # Stamped when handed over (after the sample was filled).
            node._send_direct(route, self._output_id,
                              encode_metadata(node._clock.now(), self._metadata), layout,
                              [(0, self._heap)] if n and self._region is None else [],
                              n, self._region)
            return
        header = {
            "t": "output", "o": self._output_id,
            "m": encode_metadata(node._clock.now(), self._metadata),
            "d": layout,
        }
        if self._region is not None:
            r = self._region
            header["shm"] = {"name": "/" + r.name, "size": r.size, "token": r.token}
            if node._downstream is not None:
                node._downstream.lend(r.token, 1)
            node._send_ref(encode_frame(header))
        else:
            node._write(encode_frame(header, [(0, self._heap)] if n else []))

    def __del__(self):
        # Dropped unsent: the buffer gets no new views, and the region goes
        # back to the pool once the last view of it is gone.
        if self._sent:
            return
        self._sent = True
        region = self._region
        pool = weakref.ref(self._node._pool)

        def give_back():
            p = pool()
            if region is not None and p is not None:
                p.cancel(region)

        if self._tracked:
            self._buffer._invalidate(give_back)
        elif not self._views_open():
            try:
                self._raw.release()
            except BufferError:  # pragma: no cover - a view is still exported
                return
            give_back()


def _released(mv: memoryview) -> bool:
    """Whether ``mv.release()`` was called (any access then raises)."""
    try:
        mv.nbytes
    except ValueError:
        return True
    return False
