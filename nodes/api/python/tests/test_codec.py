"""Round trips through the Python codec: frames, data layout, metadata."""

from __future__ import annotations

import datetime as dt
import math
import random

import numpy as np
import pyarrow as pa
import pytest

from dora._to_arrow import to_arrow
from dora._frame import FrameReader, ProtocolError, encode_frame_bytes
from dora._layout import decode_array, encode_array
from dora._metadata import Clock, Timestamp, decode_metadata, encode_metadata

ARRAYS = {
    "i32 with nulls": pa.array([1, None, 3], pa.int32()),
    "bool": pa.array([True, False, None, True]),
    "utf8": pa.array(["a", "héllo", None, ""]),
    "large_utf8": pa.array(["x", "y"], pa.large_string()),
    "binary": pa.array([b"\x00\x01", b""], pa.binary()),
    "fixed_binary": pa.array([b"ab", b"cd"], pa.binary(2)),
    "list": pa.array([[1, 2], [], None, [3]]),
    "large_list": pa.array([[1.5], [2.5, 3.5]], pa.large_list(pa.float64())),
    "fixed_list": pa.array([[1, 2], [3, 4]], pa.list_(pa.int8(), 2)),
    "struct": pa.array([{"a": 1, "b": "x"}, None, {"a": 3, "b": None}]),
    "null": pa.nulls(4),
    "f16": pa.array(np.array([1.5, -2.0], np.float16)),
    "u64 max": pa.array([0, 2**64 - 1], pa.uint64()),
    "timestamp": pa.array([dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)], pa.timestamp("ns", tz="UTC")),
    "timestamp naive ms": pa.array([dt.datetime(2026, 1, 1)], pa.timestamp("ms")),
    "date32": pa.array([dt.date(2026, 11, 21)], pa.date32()),
    "date64": pa.array([dt.date(2026, 11, 21)], pa.date64()),
    "sliced i64": pa.array(range(10), pa.int64()).slice(3, 4),
    "sliced bool with nulls": pa.array([True, None, False, True, None] * 3).slice(5, 7),
    "sliced list": pa.array([[1], [2, 3], [4], None]).slice(1, 2),
    "sliced struct": pa.array([{"a": i} for i in range(5)]).slice(2),
    "empty u8": pa.array([], pa.uint8()),
    "big f32": pa.array(np.arange(300_000, dtype=np.float32)),
}


def through_the_wire(arr: pa.Array, seed: int = 0) -> pa.Array:
    layout, parts, _ = encode_array(arr)
    raw = encode_frame_bytes({"t": "input", "id": "x", "m": {"ts": "1"}, "d": layout}, parts)
    reader = FrameReader()
    rng = random.Random(seed)
    frames = []
    i = 0
    while i < len(raw):
        n = rng.choice([1, 7, 64, 5000, 70_000, 1 << 20])
        reader.feed(raw[i:i + n])
        i += n
        frames.extend(reader.frames())
    reader.check_eof()
    assert len(frames) == 1
    header, payload = frames[0]
    out = decode_array(header["d"], payload)
    out.validate(full=True)
    return out


@pytest.mark.parametrize("name", list(ARRAYS))
def test_decode_array_rebuilds_what_encode_array_laid_out(name):
    arr = ARRAYS[name]
    assert through_the_wire(arr).equals(arr)


def test_decoded_buffers_are_64_byte_aligned_views_of_the_frame():
    out = through_the_wire(pa.array(np.arange(100_000, dtype=np.float64)), seed=3)
    assert out.buffers()[1].address % 64 == 0


def test_empty_message_is_an_empty_null_array():
    v = decode_array(None, None)
    assert v.type == pa.null() and len(v) == 0


def test_to_arrow_accepts_what_send_output_takes():
    assert to_arrow(None) is None
    assert to_arrow(b"\x01\x02").to_pylist() == [1, 2]
    assert to_arrow(bytearray(3)).type == pa.uint8()
    assert to_arrow([1, 2]).to_pylist() == [1, 2]
    assert to_arrow(np.ones((2, 2), np.float32)).to_pylist() == [1.0] * 4
    assert to_arrow(3.5).to_pylist() == [3.5]
    assert to_arrow(pa.array(["a", "b", "a"]).dictionary_encode()).to_pylist() == ["a", "b", "a"]
    with pytest.raises(TypeError, match="cannot convert"):
        to_arrow(object())


def test_metadata_round_trips_every_parameter_type():
    when = dt.datetime(2026, 11, 21, 6, 30, tzinfo=dt.timezone.utc)
    params = {"b": False, "i": -3, "big": 2**63 - 1, "f": 0.25, "nan": math.nan, "s": "é",
              "ints": [1, 2], "floats": [1.5, math.inf], "strs": ["a"], "empty": [], "when": when}
    ts, out = decode_metadata(encode_metadata(123, params))
    assert ts == 123 and out["timestamp"].ns == 123
    assert math.isnan(out.pop("nan"))
    params.pop("nan")
    assert {k: v for k, v in out.items() if k != "timestamp"} == params


def test_metadata_rejects_unsupported_values():
    with pytest.raises(TypeError, match="unsupported value"):
        encode_metadata(1, {"x": {"nested": 1}})


def test_timestamp_keeps_nanoseconds_and_is_a_utc_datetime():
    t = Timestamp.from_ns(1_763_712_000_123_456_789)
    assert t.ns == 1_763_712_000_123_456_789
    assert t == dt.datetime(2025, 11, 21, 8, 0, 0, 123456, tzinfo=dt.timezone.utc)


def test_clock_never_goes_backwards():
    c = Clock()
    a = c.now()
    c.observe(a + 10**12)
    assert c.now() > a + 10**12


def test_frame_reader_rejects_a_frame_over_64_mib():
    reader = FrameReader()
    reader.feed((64 * 1024 * 1024 + 1).to_bytes(4, "little") + (2).to_bytes(4, "little"))
    with pytest.raises(ProtocolError, match="frame too large"):
        list(reader.frames())


def test_the_package_exposes_the_original_names():
    import dora

    assert {"Node", "DoraStatus"} <= set(dora.__all__)
    assert dora.DoraStatus.CONTINUE.value == 0 and dora.DoraStatus.STOP_ALL.value == 2
