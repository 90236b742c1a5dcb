"""Protocol fuzzing of the Python node API's decoders (the twin of
tests/protocol/_fuzz.ts): random and mutated byte streams seeded from the
shared vectors, fed in random pieces to the frame reader, then the header
check, the metadata and the data layout (the array is validated and read
whole). Each stream must decode or be refused with ``ProtocolError``;
anything else is a finding.

    python3 fuzz_frames.py [FRAMES] [SEED]   # prints one JSON report line

Not collected by pytest (no ``test_`` prefix); tests/protocol/fuzz_test.ts
runs it with a short budget, ``scripts/fuzz_protocol.ts`` with a long one.
"""
from __future__ import annotations

import json
import os
import random
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

from dora._frame import FrameReader, ProtocolError  # noqa: E402
from dora._header import check_daemon_header  # noqa: E402
from dora._layout import decode_array  # noqa: E402
from dora._metadata import decode_metadata  # noqa: E402

VECTORS = os.path.join(HERE, "..", "..", "..", "..", "tests", "protocol_vectors")

INTERESTING_U32 = [0, 1, 7, 8, 63, 64, 255, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF,
                   64 * 1024 * 1024, 64 * 1024 * 1024 + 1]
WEIRD_JSON = [None, True, 0, -1, 1.5, 2**53, -(2**63), 1e308, "", "x" * 300, "-1",
              "NaN", "18446744073709551616", [], [[]], [0, 0], [-1, 5], [0, 2**40],
              {}, {"t": "input"}]


def load_seeds() -> list[bytes]:
    seeds = []
    for name in ("frames.json", "invalid.json"):
        with open(os.path.join(VECTORS, name)) as f:
            doc = json.load(f)
        for v in doc.get("valid", []) + doc.get("invalid", []):
            seeds.append(bytes.fromhex(v["hex"]))
    return seeds


def frame(header_text: str, payload: bytes) -> bytes:
    h = header_text.encode()
    start = (8 + len(h) + 63) // 64 * 64
    size = start + len(payload) if payload else 8 + len(h)
    out = bytearray(size)
    struct.pack_into("<II", out, 0, size - 4, len(h))
    out[8:8 + len(h)] = h
    if payload:
        out[start:] = payload
    return bytes(out)


def parts(b: bytes):
    if len(b) < 8:
        return None
    hlen = struct.unpack_from("<I", b, 4)[0]
    if 8 + hlen > len(b):
        return None
    try:
        header = json.loads(b[8:8 + hlen].decode())
    except Exception:
        return None
    if not isinstance(header, dict):
        return None
    start = (8 + hlen + 63) // 64 * 64
    return header, b[min(start, len(b)):]


def mutate_json(value, rng: random.Random, depth=0):
    if depth > 6 or not isinstance(value, (dict, list)):
        if isinstance(value, (int, float)) and not isinstance(value, bool) and rng.randrange(3) == 0:
            return value + rng.choice([-1, 1, 64, -64, 2**31, 2**32])
        return rng.choice(WEIRD_JSON)
    if isinstance(value, list):
        obj = dict(enumerate(value))
    else:
        obj = dict(value)
    keys = list(obj)
    roll = rng.randrange(10)
    if not keys or roll == 0:
        obj[rng.choice(["t", "d", "m", "len", "off", "bufs", "children", "x"])] = rng.choice(WEIRD_JSON)
    elif roll == 1:
        del obj[rng.choice(keys)]
    else:
        k = rng.choice(keys)
        obj[k] = mutate_json(obj[k], rng, depth + 1)
    if isinstance(value, list):
        return [obj[k] for k in sorted(k for k in obj if isinstance(k, int))]
    return obj


def make_case(seeds: list[bytes], rng: random.Random) -> bytes:
    b = bytearray(rng.choice(seeds))
    kind = rng.randrange(9)
    if kind == 0:
        out = bytearray(rng.randrange(256) for _ in range(rng.randrange(200)))
        if len(out) >= 8 and rng.randrange(2) == 0:
            struct.pack_into("<II", out, 0, len(out) - 4, rng.randrange(len(out)))
        return bytes(out)
    if kind == 1:
        for _ in range(1 + rng.randrange(8)):
            if b:
                b[rng.randrange(len(b))] ^= 1 << rng.randrange(8)
        return bytes(b)
    if kind == 2:
        for _ in range(1 + rng.randrange(4)):
            if b:
                b[rng.randrange(len(b))] = rng.choice([0, 0xFF, 0x7F, 0x80, 0x22, 0x5C])
        return bytes(b)
    if kind == 3:
        return bytes(b[:rng.randrange(len(b) + 1)])
    if kind == 4:
        if len(b) >= 8:
            struct.pack_into("<I", b, rng.randrange(2) * 4, rng.choice(INTERESTING_U32))
        return bytes(b)
    if kind == 5:
        return bytes(b) + rng.choice(seeds) + (rng.choice(seeds) if rng.randrange(2) else b"")
    p = parts(bytes(b))
    if p is None:
        return bytes(b)
    header, payload = p
    for _ in range(1 + rng.randrange(3)):
        header = mutate_json(header, rng)
    if rng.randrange(4) == 0:
        payload = payload[:rng.randrange(len(payload) + 1)]
    return frame(json.dumps(header), payload)


def node_side(header, payload) -> None:
    h = check_daemon_header(header)
    if h.get("t") != "input":
        return
    decode_metadata(h["m"])
    if h.get("shm") is not None:
        return  # mapped from shared memory, not here
    arr = decode_array(h.get("d"), payload)
    arr.validate(full=True)
    if len(arr) <= 1_000_000:
        arr.to_pylist()


def fuzz(count: int, seed: int = 1) -> dict:
    rng = random.Random(seed)
    seeds = load_seeds()
    report = {"streams": 0, "frames": 0, "accepted": 0, "refused": 0, "findings": [],
              "finding_count": 0}
    while report["frames"] < count:
        data = make_case(seeds, rng)
        report["streams"] += 1
        reader = FrameReader()
        try:
            i = 0
            while i < len(data):
                n = 1 + rng.randrange(97)
                reader.feed(data[i:i + n])
                i += n
                for header, payload in reader.frames():
                    report["frames"] += 1
                    try:
                        node_side(header, payload)
                        report["accepted"] += 1
                    except ProtocolError:
                        report["refused"] += 1
            reader.check_eof()
        except ProtocolError:
            report["frames"] += 1
            report["refused"] += 1
        except Exception as err:  # noqa: BLE001 - any other error is a finding
            report["frames"] += 1
            report["finding_count"] += 1
            if len(report["findings"]) < 20:
                report["findings"].append({"hex": data.hex(), "error": f"{type(err).__name__}: {err}"})
    return report


if __name__ == "__main__":
    frames = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    print(json.dumps(fuzz(frames, seed)))
