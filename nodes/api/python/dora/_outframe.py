"""Message frames of the common shapes, built from cached byte templates.

Message headers are binary (docs/protocol.md, "Binary message headers"):
``u8 kind, u8 flags, u16 id length, u64 ts, id, [u32 + parameters JSON],
[layout]``. The id bytes per output or input and the layout of fixed-width
arrays without nulls (numpy arrays, bytes, pyarrow primitives, raw samples)
are cached, so that a small message costs one ``struct.pack`` and a few
concatenations.
"""

from __future__ import annotations

import struct

import pyarrow as pa

from ._frame import _ENCODER, BINARY_INPUT, BINARY_OUTPUT, encode_layout
from ._layout import FIXED_WIDTH_TYPES
from ._metadata import encode_metadata

# Fixed-width Arrow type -> protocol dt (the one table is in _layout.py).
ARROW_DT = {t: dt for dt, t in FIXED_WIDTH_TYPES.items()}
# numpy dtype.str (native little-endian fixed-width) -> protocol dt: the
# same types, named by numpy ("<f4"); numpy is optional, so spelled out.
NUMPY_DT = {
    "|u1": "u8", "|i1": "i8", "<u2": "u16", "<i2": "i16", "<u4": "u32", "<i4": "i32",
    "<u8": "u64", "<i8": "i64", "<f2": "f16", "<f4": "f32", "<f8": "f64",
}
assert set(NUMPY_DT.values()) == set(FIXED_WIDTH_TYPES)

# Bigger inline payloads are written from their own buffers, not copied into
# the coalescing buffer.
INLINE_MAX = 64 * 1024
#: The layout part of an empty message: none.
EMPTY_TAIL = b""
OUTPUT = BINARY_OUTPUT
INPUT = BINARY_INPUT
_HEAD = struct.Struct("<BBHQ")
_U32 = struct.Struct("<I")
_U16 = struct.Struct("<H")
_U64 = struct.Struct("<Q")

_ids: dict = {}
_layouts: dict = {}


def id_bytes(ident: str) -> bytes:
    """The UTF-8 bytes of an output or input id (cached)."""
    b = _ids.get(ident)
    if b is None:
        b = _ids[ident] = ident.encode()
        if len(_ids) > 4096:  # ids are few; never grow without bound
            _ids.clear()
    return b


def layout(dt: str, length: int, off: int, nbytes: int, start: int = 0) -> bytes:
    """The binary layout of a one-buffer array without nulls (cached);
    ``start``: where the buffer begins (a slot's offset in its region)."""
    key = (dt, length, off, nbytes, start)
    d = _layouts.get(key)
    if d is None:
        d = _layouts[key] = encode_layout({"dt": dt, "len": length, "nulls": 0, "off": off,
                                           "bufs": [None, [start, nbytes]], "ch": []})
        if len(_layouts) > 4096:
            _layouts.clear()
    return d


def params(metadata) -> bytes:
    """The JSON of a metadata dict's parameters, or ``b""`` when it has none."""
    if not metadata:
        return b""
    p = encode_metadata(0, metadata).get("p")
    if not p:
        return b""
    return _ENCODER.encode(p).encode()


def shm_ref(name: str, size: int, token: str) -> bytes:
    """The shared-memory part of a binary header."""
    n = name.encode()
    t = token.encode()
    return _U16.pack(len(n)) + n + _U64.pack(size) + _U16.pack(len(t)) + t


def head(kind: int, ident: bytes, ts: int, p: bytes, tail: bytes, shm: bool = False) -> bytes:
    """A binary message header from its parts (``tail``: the layout, or
    ``b""``; with ``shm``, the layout followed by :func:`shm_ref`)."""
    flags = (1 if tail else 0) | (4 if p else 0) | (2 if shm else 0)
    if p:
        return _HEAD.pack(kind, flags, len(ident), ts) + ident + _U32.pack(len(p)) + p + tail
    return _HEAD.pack(kind, flags, len(ident), ts) + ident + tail


def fixed_width(data):
    """``(dt, length, off, payload)`` for data that fits one values buffer
    without nulls, else ``None`` (the general encoder handles it)."""
    if isinstance(data, pa.Array):
        dt = ARROW_DT.get(data.type)
        if dt is None or data.null_count:
            return None
        return dt, len(data), data.offset, data.buffers()[1]
    if isinstance(data, (bytes, bytearray)):
        return "u8", len(data), 0, data
    if type(data).__name__ == "ndarray" and type(data).__module__ == "numpy":
        dt = NUMPY_DT.get(data.dtype.str)
        if dt is None or not data.flags.c_contiguous:
            return None
        return dt, data.size, 0, memoryview(data).cast("B")
    return None

