"""Coalesced sending: order, the flush rule, and the cached output templates."""

from __future__ import annotations

import subprocess
import sys
import threading
import time

import numpy as np
import pyarrow as pa
import pytest

from dora import Node
from dora._to_arrow import to_arrow
from dora._frame import FrameReader, encode_frame
from dora._layout import decode_array, encode_array
from dora._metadata import encode_metadata

from fake_daemon import FakeDaemon


@pytest.fixture
def daemon(tmp_path, monkeypatch):
    d = FakeDaemon(tmp_path)
    monkeypatch.setenv("DORA_NODE_CONFIG", d.config())
    yield d
    d.close()


@pytest.fixture
def node(daemon):
    n = Node()
    yield n
    n.close()
    n._pool.close()


def test_a_burst_arrives_complete_and_in_order(daemon, node):
    for i in range(5000):
        node.send_output("out", np.array([i], np.int64), {"i": i})
    for i in range(5000):
        header, payload = daemon.expect("output")
        assert header["m"]["p"] == {"i": ["int", i]}
        assert decode_array(header["d"], payload).to_pylist() == [i]


def test_a_buffered_output_is_written_without_another_call(daemon, node):
    # The second message follows the first at once: it is buffered, and the
    # background flusher writes it while this thread waits.
    node.send_output("out", b"a")
    node.send_output("out", b"b")
    got = [daemon.expect("output") for _ in range(2)]
    assert [decode_array(h["d"], p).to_pylist() for h, p in got] == [[97], [98]]


def test_outputs_reach_the_daemon_before_the_next_request(daemon, node):
    for _ in range(3):
        node.send_output("out", b"x")
    assert node.next(timeout=0.05) is None
    seen = []
    while True:
        header, _ = daemon.received.get(timeout=5)
        seen.append(header["t"])
        if header["t"] == "next":
            break
    assert seen == ["output"] * 3 + ["next"]


def test_timestamps_increase_in_send_order_across_threads(daemon, node):
    def burst():
        for _ in range(500):
            node.send_output("out", b"t")

    threads = [threading.Thread(target=burst) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    stamps = [int(daemon.expect("output")[0]["m"]["ts"]) for _ in range(1500)]
    assert stamps == sorted(stamps) and len(set(stamps)) == 1500


def test_messages_sent_right_before_exit_arrive(tmp_path):
    d = FakeDaemon(tmp_path)
    script = (
        "import sys; sys.path.insert(0, sys.argv[1])\n"
        "from dora import Node\n"
        "node = Node()\n"
        "for i in range(1000):\n"
        "    node.send_output('out', bytes([i % 256]))\n"
    )
    pkg = str(__import__("pathlib").Path(__file__).resolve().parents[1])
    env = {"DORA_NODE_CONFIG": d.config(), "PATH": "/usr/bin:/bin"}
    subprocess.run([sys.executable, "-c", script, pkg], env=env, check=True, timeout=30)
    for i in range(1000):
        header, payload = d.expect("output")
        assert decode_array(header["d"], payload).to_pylist() == [i % 256]
    d.close()


@pytest.mark.parametrize("data", [
    np.arange(5, dtype=np.float32), np.arange(6, dtype=np.int16).reshape(2, 3), np.array(7.5),
    pa.array([1, 2, 3], pa.uint64()), pa.array(range(10), pa.int32()).slice(3, 4),
    b"\x00\x01", bytearray(b"xyz"), np.zeros(0, np.uint8), None,
])
@pytest.mark.parametrize("metadata", [None, {"k": "v", "n": [1, 2]}])
def test_the_template_frame_equals_the_general_encoder(data, metadata, node):
    # The fast path must write byte for byte what the general encoder writes.
    writer = node._writer
    with writer.lock:  # hold the frame in the buffer: neither idle nor flushed
        writer._last = time.monotonic() + 3600
        writer._armed = True
    node.send_output("out", data, metadata)
    with writer.lock:
        fast = bytes(writer._buf)
        writer._buf.clear()
        writer._last = 0.0
    [(header, payload)] = _frames(fast)
    ts = int(header["m"]["ts"])
    arr = to_arrow(data)
    header = {"t": "output", "o": "out", "m": encode_metadata(ts, metadata)}
    parts = []
    if arr is not None:
        header["d"], parts, _ = encode_array(arr)
    slow = b"".join(bytes(memoryview(p).cast("B")) for p in encode_frame(header, parts))
    assert fast == slow
    if arr is not None:
        assert decode_array(header["d"], payload).to_pylist() == arr.to_pylist()


def test_send_output_raw_inline_equals_the_general_encoder(node):
    writer = node._writer
    with writer.lock:
        writer._last = time.monotonic() + 3600
        writer._armed = True
    with node.send_output_raw("out", 3) as buf:
        buf[:] = bytes([1, 2, 3])
    with writer.lock:
        fast = bytes(writer._buf)
        writer._buf.clear()
        writer._last = 0.0
    [(header, _)] = _frames(fast)
    layout, parts, _ = encode_array(pa.array([1, 2, 3], pa.uint8()))
    want = {"t": "output", "o": "out", "m": header["m"], "d": layout}
    assert fast == b"".join(bytes(memoryview(p).cast("B")) for p in encode_frame(want, parts))


def _frames(data: bytes) -> list:
    reader = FrameReader()
    reader.feed(data)
    return list(reader.frames())
