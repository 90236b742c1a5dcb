"""The data layout ``d`` (docs/protocol.md, "Data layout"): an Arrow array as
its raw buffers plus a small JSON description, rebuilt without copying.
"""

from __future__ import annotations

import json

import pyarrow as pa

from ._frame import ProtocolError

_PRIMITIVE = {
    "null": pa.null(), "bool": pa.bool_(),
    "i8": pa.int8(), "i16": pa.int16(), "i32": pa.int32(), "i64": pa.int64(),
    "u8": pa.uint8(), "u16": pa.uint16(), "u32": pa.uint32(), "u64": pa.uint64(),
    "f16": pa.float16(), "f32": pa.float32(), "f64": pa.float64(),
    "utf8": pa.string(), "large_utf8": pa.large_string(),
    "binary": pa.binary(), "large_binary": pa.large_binary(),
    "date32": pa.date32(), "date64": pa.date64(),
}
_NAMES = {t: n for n, t in _PRIMITIVE.items()}
_NESTED = ("list", "large_list", "fixed_list", "struct")


def align64(n: int) -> int:
    return (n + 63) & ~63


# ---------------------------------------------------------------- data types


def type_to_json(t: pa.DataType):
    """The ``dt`` of an Arrow type (raises TypeError for unsupported types)."""
    name = _NAMES.get(t)
    if name is not None:
        return name
    if pa.types.is_fixed_size_binary(t):
        return {"fixed_binary": t.byte_width}
    if pa.types.is_timestamp(t):
        return {"ts": t.unit, "tz": t.tz}
    if pa.types.is_large_list(t):
        return {"large_list": field_to_json(t.value_field)}
    if pa.types.is_fixed_size_list(t):
        return {"fixed_list": field_to_json(t.value_field), "size": t.list_size}
    if pa.types.is_list(t):
        return {"list": field_to_json(t.value_field)}
    if pa.types.is_struct(t):
        return {"struct": [field_to_json(t.field(i)) for i in range(t.num_fields)]}
    raise TypeError(f"arrow type {t} is not supported by the dora data layout")


def field_to_json(f: pa.Field) -> dict:
    return {"name": f.name, "dt": type_to_json(f.type), "nullable": f.nullable}


def type_from_json(dt) -> pa.DataType:
    """The Arrow type for a ``dt`` value."""
    if isinstance(dt, str):
        t = _PRIMITIVE.get(dt)
        if t is None:
            raise ProtocolError(f"unknown data type {dt!r}")
        return t
    if isinstance(dt, dict):
        if "fixed_binary" in dt:
            return pa.binary(int(dt["fixed_binary"]))
        if "ts" in dt:
            return pa.timestamp(dt["ts"], tz=dt.get("tz"))
        if "large_list" in dt:
            return pa.large_list(field_from_json(dt["large_list"]))
        if "fixed_list" in dt:
            return pa.list_(field_from_json(dt["fixed_list"]), int(dt["size"]))
        if "list" in dt:
            return pa.list_(field_from_json(dt["list"]))
        if "struct" in dt:
            return pa.struct([field_from_json(f) for f in dt["struct"]])
    raise ProtocolError(f"unknown data type {dt!r}")


def field_from_json(f: dict) -> pa.Field:
    return pa.field(f["name"], type_from_json(f["dt"]), nullable=f.get("nullable", True))


# ---------------------------------------------------------------- encoding


def _children(arr: pa.Array) -> list:
    t = arr.type
    if pa.types.is_struct(t):
        return [arr.field(i) for i in range(t.num_fields)]
    if pa.types.is_list(t) or pa.types.is_large_list(t) or pa.types.is_fixed_size_list(t):
        return [arr.values]
    return []


def _is_nested(t: pa.DataType) -> bool:
    return pa.types.is_struct(t) or pa.types.is_list(t) or pa.types.is_large_list(t) \
        or pa.types.is_fixed_size_list(t)


def encode_array(arr: pa.Array, base: int = 0) -> tuple[dict, list, int]:
    """Lays ``arr`` out as buffers.

    Returns ``(layout, parts, end)``: ``parts`` is a list of ``(offset,
    pyarrow.Buffer)`` with offsets (multiples of 64, counted from ``base``)
    into the payload, and ``end`` is the payload length used.
    """
    if isinstance(arr, pa.ChunkedArray):
        arr = pa.concat_arrays(arr.chunks) if arr.num_chunks != 1 else arr.chunk(0)
    if _is_nested(arr.type) and arr.offset != 0:
        arr = pa.concat_arrays([arr])  # children of a sliced struct/list start at 0
    parts: list = []
    layout, end = _encode(arr, base, parts)
    return layout, parts, end


def _encode(arr: pa.Array, cursor: int, parts: list) -> tuple[dict, int]:
    t = arr.type
    dt = type_to_json(t)
    nbuf = t.num_buffers
    raw = arr.buffers()[:nbuf]
    bufs: list = []
    if t == pa.null():
        raw = []
    for i, b in enumerate(raw):
        if b is None or (i == 0 and arr.null_count == 0):
            bufs.append(None)
            continue
        if b.size == 0:
            bufs.append([0, 0])
            continue
        cursor = align64(cursor)
        bufs.append([cursor, b.size])
        parts.append((cursor, b))
        cursor += b.size
    children = []
    for child in _children(arr):
        layout, cursor = _encode(child, cursor, parts)
        children.append(layout)
    return {
        "dt": dt,
        "len": len(arr),
        "nulls": arr.null_count,
        "off": arr.offset,
        "bufs": bufs,
        "ch": children,
    }, cursor


# ---------------------------------------------------------------- decoding


def decode_array(layout: dict | None, payload: pa.Buffer | None) -> pa.Array:
    """Rebuilds the array of ``layout`` over ``payload`` without copying.

    An absent layout (an empty message, e.g. a timer tick) gives an empty
    null array, as in the original dora.
    """
    if layout is None:
        return _empty_null()
    plan = _plans.get(id(layout))
    if plan is not None and plan[0] is layout and payload is not None:
        # A layout dict seen before (headers that differ only in their
        # timestamp share it, see HeaderCache): its checks are done.
        _, t, length, start, n = plan
        size = payload.size
        if start + n <= size:
            if start or n != size:
                payload = payload.slice(start, n)
            return pa.Array.from_buffers(t, length, [None, payload], null_count=0)
    if not isinstance(layout, dict):
        _fail("", "not an object")
    dt = layout.get("dt")
    width = _FIXED_BY_NAME.get(dt) if type(dt) is str else None
    if width is not None and payload is not None:
        fast = _decode_primitive(layout, dt, width, payload)
        if fast is not None:
            return fast
    arr = _decode(layout, type_from_json(dt), payload)
    if _has_offsets(arr.type):
        # Offsets come from the sender: ones that run backwards or past the
        # values would make later reads go out of bounds.
        try:
            arr.validate(full=True)
        except pa.ArrowInvalid as e:
            raise ProtocolError(f"data layout: {e}") from None
    return arr


def _has_offsets(t: pa.DataType) -> bool:
    """Types whose buffers hold offsets into other buffers (checked whole)."""
    return (pa.types.is_string(t) or pa.types.is_binary(t) or pa.types.is_large_string(t)
            or pa.types.is_large_binary(t) or _is_nested(t))


_FIXED = {t: t.bit_width // 8 for t in _PRIMITIVE.values()
          if pa.types.is_integer(t) or pa.types.is_floating(t)}
_FIXED_BY_NAME = {n: _FIXED[t] for n, t in _PRIMITIVE.items() if t in _FIXED}
#: The fixed-width types (ints, floats): ``dt`` -> Arrow type.
FIXED_WIDTH_TYPES = {n: _PRIMITIVE[n] for n in _FIXED_BY_NAME}
_EMPTY_NULL = []
# id(layout) -> (layout, type, len, start, nbytes) of checked fixed-width layouts
_plans: dict = {}


def _empty_null() -> pa.Array:
    # Arrays are immutable: one empty null array serves every empty message.
    if not _EMPTY_NULL:
        _EMPTY_NULL.append(pa.array([], type=pa.null()))
    return _EMPTY_NULL[0]


def fixed_plan(layout) -> tuple | None:
    """``(type, len, start, nbytes)`` of a fixed-width layout without nulls or
    offset (the common case), checked but for the payload size; ``None``
    when the full checks of :func:`_decode` are needed."""
    if type(layout) is not dict:
        return None
    dt = layout.get("dt")
    width = _FIXED_BY_NAME.get(dt) if type(dt) is str else None
    bufs = layout.get("bufs")
    if width is None or type(bufs) is not list or len(bufs) != 2 or bufs[0] is not None \
            or layout.get("off"):
        return None
    spec = bufs[1]
    length = layout.get("len")
    if type(spec) is not list or len(spec) != 2 or type(length) is not int:
        return None
    start, n = spec
    if type(start) is not int or type(n) is not int or start % 64 or start < 0 \
            or n < length * width or length < 0:
        return None
    return _PRIMITIVE[dt], length, start, n


def _decode_primitive(layout: dict, dt: str, width: int, payload):
    """The common case (see :func:`fixed_plan`), quickly; ``None`` when the
    full checks of :func:`_decode` are needed."""
    plan = fixed_plan(layout)
    if plan is None:
        return None
    t, length, start, n = plan
    if start + n > payload.size:
        return None
    if len(_plans) >= 1024:
        _plans.clear()
    _plans[id(layout)] = (layout, t, length, start, n)
    if start or n != payload.size:
        payload = payload.slice(start, n)
    return pa.Array.from_buffers(t, length, [None, payload], null_count=0)


def _fail(path: str, what: str):
    raise ProtocolError(f"data layout{path}: {what}")


def _buffer_count(t: pa.DataType) -> int:
    if t == pa.null():
        return 0
    return t.num_buffers


def _int(v, path: str, what: str) -> int:
    if isinstance(v, bool) or not isinstance(v, int) or v < 0:
        _fail(path, f"invalid {what} {v!r}")
    return v


def _decode(layout: dict, t: pa.DataType, payload, path: str = "") -> pa.Array:
    if not isinstance(layout, dict):
        _fail(path, "not an object")
    length = _int(layout.get("len", 0), path, "len")
    off = _int(layout.get("off", 0), path, "off")
    nulls = layout.get("nulls", 0)
    full = off + length
    specs = layout.get("bufs") or []
    if not isinstance(specs, list):
        _fail(path, "bufs is not a list")
    want = _buffer_count(t)
    if len(specs) != want and not (want == 0 and specs == [None]):
        _fail(path, f"type {json.dumps(layout.get('dt'))} needs {want} buffers, got {len(specs)}")
    if want == 0:
        return pa.nulls(length)
    size = payload.size if payload is not None else 0

    def view(i: int, min_bytes: int, name: str):
        spec = specs[i]
        if spec is None:
            return None
        if not isinstance(spec, list) or len(spec) != 2:
            _fail(path, f"buffer {i} is not [offset, length]")
        start, n = spec
        if not all(isinstance(x, int) and not isinstance(x, bool) and x >= 0 for x in spec):
            _fail(path, f"buffer {i} has an invalid range {spec}")
        if n == 0:
            if min_bytes > 0:
                _fail(path, f"{name} buffer is empty but needs {min_bytes} bytes")
            return pa.py_buffer(b"")
        if start % 64:
            _fail(path, f"buffer {i} starts at {start}, not a multiple of 64")
        if start + n > size:
            _fail(path, f"buffer {i} [{start}, {n}] exceeds the payload of {size} bytes")
        if n < min_bytes:
            _fail(path, f"{name} buffer has {n} bytes, needs at least {min_bytes}")
        return payload.slice(start, n)

    bitmap = (full + 7) >> 3
    bufs = [view(0, bitmap, "validity")]
    if bufs[0] is None:
        nulls = 0
    children = None
    if pa.types.is_boolean(t):
        bufs.append(view(1, bitmap, "values"))
    elif want == 3:  # utf8 / binary and their large forms
        large = pa.types.is_large_string(t) or pa.types.is_large_binary(t)
        bufs.append(view(1, (full + 1) * (8 if large else 4), "offsets"))
        bufs.append(view(2, 0, "values") or pa.py_buffer(b""))
    elif _is_nested(t):
        if pa.types.is_list(t) or pa.types.is_large_list(t):
            bufs.append(view(1, (full + 1) * (8 if pa.types.is_large_list(t) else 4), "offsets"))
        fields = [t.field(i) for i in range(t.num_fields)] if pa.types.is_struct(t) else [t.value_field]
        ch = layout.get("ch") or []
        if not isinstance(ch, list):
            _fail(path, "ch is not a list")
        if len(ch) != len(fields):
            _fail(path, f"{t} needs {len(fields)} children, got {len(ch)}")
        children = [_decode(c, f.type, payload, f"{path}.ch[{i}]")
                    for i, (c, f) in enumerate(zip(ch, fields))]
    else:
        bufs.append(view(1, full * (t.bit_width // 8), "values"))
    if want >= 2 and bufs[1] is None and not (pa.types.is_list(t) or pa.types.is_large_list(t)):
        _fail(path, "values buffer is missing")
    if bufs[0] is not None:
        nulls = -1  # counted by pyarrow from the bitmap, not taken on trust
    return pa.Array.from_buffers(t, length, bufs, null_count=nulls if bufs[0] is not None else 0,
                                 offset=off, children=children)
