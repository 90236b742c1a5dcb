"""The shared byte-level vectors of tests/protocol_vectors/ through the Python codec."""

from __future__ import annotations

import json
import os
import random

import pyarrow as pa
import pytest

from dora._frame import FrameReader, ProtocolError, align64, encode_frame_bytes
from dora._header import check_daemon_header
from dora._layout import decode_array, encode_array, type_from_json
from dora._metadata import decode_metadata, decode_param, encode_metadata

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", ".."))
VECTORS = os.path.join(ROOT, "tests", "protocol_vectors")
SAFE = 2**53 - 1


def load(name):
    with open(os.path.join(VECTORS, name)) as f:
        return json.load(f)


FRAMES = load("frames.json")["valid"]
INVALID = load("invalid.json")["invalid"]
METADATA = load("metadata.json")


def _int(v):
    return v if -SAFE <= v <= SAFE else str(v)


def meaning(arr: pa.Array) -> list:
    """Array -> the JSON "meaning" used by the vectors (see _meaning.ts)."""
    t = arr.type
    if pa.types.is_timestamp(t) or pa.types.is_date64(t):
        arr = arr.view(pa.int64())
    elif pa.types.is_date32(t):
        arr = arr.view(pa.int32())
    out = []
    for i, v in enumerate(arr.to_pylist()):
        if v is None:
            out.append(None)
        elif pa.types.is_struct(t):
            out.append({t.field(j).name: meaning(arr.field(j).slice(i, 1))[0] for j in range(t.num_fields)})
        elif pa.types.is_list(t) or pa.types.is_large_list(t) or pa.types.is_fixed_size_list(t):
            out.append(meaning(arr[i].values))
        elif isinstance(v, bool) or isinstance(v, str):
            out.append(v)
        elif isinstance(v, int):
            out.append(_int(v))
        elif isinstance(v, bytes):
            out.append(v.hex())
        else:
            out.append(v)
    return out


def from_meaning(value: dict) -> pa.Array:
    t = type_from_json(value["dt"])

    def conv(v, t):
        if v is None:
            return None
        if pa.types.is_struct(t):
            return {t.field(j).name: conv(v[t.field(j).name], t.field(j).type) for j in range(t.num_fields)}
        if pa.types.is_list(t) or pa.types.is_large_list(t) or pa.types.is_fixed_size_list(t):
            return [conv(x, t.value_type) for x in v]
        if pa.types.is_binary(t) or pa.types.is_fixed_size_binary(t) or pa.types.is_large_binary(t):
            return bytes.fromhex(v)
        if isinstance(v, str) and (pa.types.is_integer(t) or pa.types.is_timestamp(t)):
            return int(v)
        return v

    return pa.array([conv(v, t) for v in value["values"]], type=t)


def split_feed(raw: bytes, seed: int):
    reader = FrameReader()
    rng = random.Random(seed)
    frames = []
    i = 0
    while i < len(raw):
        n = rng.randint(1, 40)
        reader.feed(raw[i:i + n])
        i += n
        frames.extend(reader.frames())
    return reader, frames


@pytest.mark.parametrize("vec", FRAMES, ids=[v["name"] for v in FRAMES])
def test_valid_frame_decodes_from_any_split(vec):
    raw = bytes.fromhex(vec["hex"])
    _, frames = split_feed(raw, len(vec["name"]))
    assert len(frames) == 1
    header, payload = frames[0]
    assert header == vec["header"]
    if vec["direction"] in ("daemon_to_node", "sender_to_receiver"):
        check_daemon_header(header)
    if "m" in header:
        decode_metadata(header["m"])
    if "value" in vec:
        arr = decode_array(header.get("d"), payload)
        arr.validate(full=True)
        assert str(arr.type) == str(type_from_json(vec["value"]["dt"]))
        assert meaning(arr) == vec["value"]["values"]


@pytest.mark.parametrize("vec", [v for v in FRAMES if v["encode"]],
                         ids=[v["name"] for v in FRAMES if v["encode"]])
def test_valid_frame_encodes_byte_exact(vec):
    raw = bytes.fromhex(vec["hex"])
    header = vec["header"]
    hlen = int.from_bytes(raw[4:8], "little")
    start = align64(8 + hlen)
    parts = [(0, raw[start:])] if len(raw) > 8 + hlen else []
    if "m" in header:
        ts, _ = decode_metadata(header["m"])
        params = {k: decode_param(v, k) for k, v in (header["m"].get("p") or {}).items()}
        assert encode_metadata(ts, params) == header["m"]
    assert encode_frame_bytes(header, parts).hex() == vec["hex"]


VALUED = [v for v in FRAMES if v["encode"] and "value" in v and "shm" not in v["header"]]


@pytest.mark.parametrize("vec", VALUED, ids=[v["name"] for v in VALUED])
def test_python_encoder_gives_the_vector_layout_and_bytes(vec):
    arr = from_meaning(vec["value"])
    layout, parts, _ = encode_array(arr)
    header = dict(vec["header"], d=layout)
    _, frames = split_feed(encode_frame_bytes(header, parts), 7)
    assert meaning(decode_array(frames[0][0]["d"], frames[0][1])) == vec["value"]["values"]
    assert layout == vec["header"]["d"]
    assert encode_frame_bytes(header, parts).hex() == vec["hex"]


def _decode_stream(raw: bytes):
    reader = FrameReader()
    reader.feed(raw)
    for header, payload in reader.frames():
        check_daemon_header(header)
        if header["t"] == "input":
            decode_metadata(header["m"])
            decode_array(header.get("d"), payload)
    reader.check_eof()


RECEIVED = [v for v in INVALID if v["direction"] == "daemon_to_node" or v["stage"] == "frame"]


@pytest.mark.parametrize("vec", RECEIVED, ids=[v["name"] for v in RECEIVED])
def test_invalid_stream_is_rejected_naming_the_problem(vec):
    with pytest.raises((ProtocolError, ValueError)) as info:
        _decode_stream(bytes.fromhex(vec["hex"]))
    assert vec["error"] in str(info.value)


@pytest.mark.parametrize("vec", METADATA["params"], ids=[v["name"] for v in METADATA["params"]])
def test_metadata_param_round_trips(vec):
    value = decode_param(vec["wire"], vec["name"])
    want = vec["value"]

    def norm(v):
        if hasattr(v, "ns"):
            return str(v.ns)
        if isinstance(v, float) and v != v:
            return "NaN"
        if v in (float("inf"), float("-inf")) and isinstance(v, float):
            return "inf" if v > 0 else "-inf"
        if isinstance(v, int) and not isinstance(v, bool):
            return _int(v)
        if isinstance(v, list):
            return [norm(x) for x in v]
        return v

    assert norm(value) == want
    m = encode_metadata(1, {"k": value})
    assert m["p"]["k"] == vec["wire"]


@pytest.mark.parametrize("vec", METADATA["invalid"], ids=[v["name"] for v in METADATA["invalid"]])
def test_invalid_metadata_param_is_rejected(vec):
    with pytest.raises(ValueError, match=None) as info:
        decode_param(vec["wire"], vec["name"])
    assert vec["error"] in str(info.value)
