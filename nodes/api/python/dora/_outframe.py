"""Output frames of the common shapes, built from cached byte templates.

The header of an ``output`` is ``{"t":"output","o":…,"m":{"ts":"…"[,"p":…]},
"d":…[,"shm":…]}`` (docs/protocol.md key order). Its prefix per output id and
the layout ``d`` of fixed-width arrays without nulls (numpy arrays, bytes,
pyarrow primitives, raw samples) are cached, so that a small message costs a
few concatenations instead of a JSON encoding of nested dicts.
"""

from __future__ import annotations

import pyarrow as pa

from ._frame import _ENCODER
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
EMPTY_TAIL = b"}"

_prefixes: dict = {}
_layouts: dict = {}


def prefix(output_id: str) -> bytes:
    """``{"t":"output","o":"<id>","m":{"ts":"`` for ``output_id``."""
    p = _prefixes.get(output_id)
    if p is None:
        p = _prefixes[output_id] = ('{"t":"output","o":' + _ENCODER.encode(output_id)
                                    + ',"m":{"ts":"').encode()
        if len(_prefixes) > 4096:  # output ids are few; never grow without bound
            _prefixes.clear()
    return p


def layout(dt: str, length: int, off: int, nbytes: int) -> bytes:
    """``},"d":{…}``: closes the metadata and gives a one-buffer layout."""
    key = (dt, length, off, nbytes)
    d = _layouts.get(key)
    if d is None:
        bufs = "[null,[0,0]]" if nbytes == 0 else f"[null,[0,{nbytes}]]"
        d = _layouts[key] = (f'}},"d":{{"dt":"{dt}","len":{length},"nulls":0,"off":{off},'
                             f'"bufs":{bufs},"ch":[]}}').encode()
        if len(_layouts) > 4096:
            _layouts.clear()
    return d


def params(metadata) -> bytes:
    """``,"p":{…}`` for a metadata dict, or ``b""`` when it has no parameters."""
    if not metadata:
        return b""
    p = encode_metadata(0, metadata).get("p")
    if not p:
        return b""
    return (',"p":' + _ENCODER.encode(p)).encode()


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

