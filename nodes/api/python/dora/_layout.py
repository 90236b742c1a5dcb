"""The data layout ``d`` (docs/protocol.md, "Data layout"): an Arrow array as
its raw buffers plus a small JSON description, rebuilt without copying.
"""

from __future__ import annotations

import pyarrow as pa

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
            raise ValueError(f"unknown data type {dt!r}")
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
    raise ValueError(f"unknown data type {dt!r}")


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
        return pa.array([], type=pa.null())
    return _decode(layout, type_from_json(layout["dt"]), payload)


def _slice(payload: pa.Buffer | None, spec) -> pa.Buffer | None:
    if spec is None:
        return None
    off, length = int(spec[0]), int(spec[1])
    if payload is None:
        if length == 0:
            return pa.py_buffer(b"")
        raise ValueError("data layout refers to a payload but the message has none")
    if off + length > payload.size:
        raise ValueError(f"buffer [{off}, {length}] runs past the payload ({payload.size} bytes)")
    return payload.slice(off, length)


def _decode(layout: dict, t: pa.DataType, payload) -> pa.Array:
    length = int(layout.get("len", 0))
    nulls = int(layout.get("nulls", 0))
    off = int(layout.get("off", 0))
    if t == pa.null():
        return pa.nulls(length) if off == 0 else pa.nulls(length + off).slice(off)
    specs = layout.get("bufs") or []
    bufs = [_slice(payload, s) for s in specs]
    want = t.num_buffers
    bufs = (bufs + [None] * want)[:want]
    if bufs[0] is None:
        nulls = 0
    if want > 1 and bufs[-1] is None and not _is_nested(t):
        bufs[-1] = pa.py_buffer(b"")
    children = None
    if _is_nested(t):
        fields = [t.field(i) for i in range(t.num_fields)] if pa.types.is_struct(t) else [t.value_field]
        ch = layout.get("ch") or []
        if len(ch) != len(fields):
            raise ValueError(f"{t} needs {len(fields)} child arrays, the layout has {len(ch)}")
        children = [_decode(c, f.type, payload) for c, f in zip(ch, fields)]
    return pa.Array.from_buffers(t, length, bufs, null_count=nulls, offset=off, children=children)
