"""Node() against a fake daemon on a real Unix socket."""

from __future__ import annotations

import datetime as dt
import gc
import json
import mmap
import os
import time
import uuid

import numpy as np
import pyarrow as pa
import pytest

from dora import Node
from dora._layout import decode_array, encode_array
from dora._metadata import encode_metadata
from dora._shm import MappingCache, region_prefix

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


def input_frame(value, input_id="in", params=None, ts=1_700_000_000_000_000_000):
    layout, parts, _ = encode_array(value)
    return {"t": "input", "id": input_id, "m": encode_metadata(ts, params), "d": layout}, parts


@pytest.fixture
def region():
    name = f"{region_prefix('0123456789abcdef-df', 'src')}{os.getpid()}-{uuid.uuid4().int % 10**9}"
    fd = os.open(f"/dev/shm/{name}", os.O_CREAT | os.O_RDWR, 0o600)
    os.ftruncate(fd, 1 << 16)
    m = mmap.mmap(fd, 1 << 16)
    os.close(fd)
    yield name, m
    os.unlink(f"/dev/shm/{name}")


def test_node_says_hello_and_waits_for_ready(daemon, node):
    assert daemon.hello["lang"] == "py"
    assert daemon.hello["node"] == "node"
    assert daemon.hello["pid"] == os.getpid()
    assert node.node_id() == "node"
    assert node.dataflow_id() == daemon.dataflow_id


def test_node_refused_by_daemon_raises_with_the_message(tmp_path, monkeypatch):
    d = FakeDaemon(tmp_path, refuse="protocol version mismatch: node speaks 1, daemon speaks 2")
    monkeypatch.setenv("DORA_NODE_CONFIG", d.config())
    with pytest.raises(RuntimeError, match="protocol version mismatch"):
        Node()
    d.close()


def test_node_without_config_explains_how_to_start_it(monkeypatch):
    monkeypatch.delenv("DORA_NODE_CONFIG", raising=False)
    with pytest.raises(RuntimeError, match="dora run"):
        Node()
    with pytest.raises((NotImplementedError, RuntimeError), match="dynamic"):
        Node(node_id="x")


def test_next_returns_inline_input_with_metadata(daemon, node):
    daemon.push(*input_frame(pa.array([1.5, 2.5], pa.float32()), params={"seq": 3, "tag": "a"}))
    event = node.next()
    assert event["type"] == "INPUT"
    assert event["id"] == "in"
    assert event["kind"] == "dora"
    assert event["value"].equals(pa.array([1.5, 2.5], pa.float32()))
    md = event["metadata"]
    assert md["seq"] == 3 and md["tag"] == "a"
    assert md["timestamp"].tzinfo is not None
    assert md["timestamp"] == dt.datetime(2023, 11, 14, 22, 13, 20, tzinfo=dt.timezone.utc)
    assert md["timestamp"].ns == 1_700_000_000_000_000_000


def test_timer_tick_is_an_empty_null_array(daemon, node):
    daemon.push({"t": "input", "id": "tick", "m": {"ts": "5"}})
    event = node.next()
    assert event["value"].type == pa.null()
    assert len(event["value"]) == 0


def test_control_events_map_to_the_original_types(daemon, node):
    daemon.push({"t": "input_closed", "id": "in"})
    daemon.push({"t": "node_failed", "id": "up", "inputs": ["in"], "error": "exit 1"})
    daemon.push({"t": "error", "message": "bad output"})
    daemon.push({"t": "stop", "cause": "ALL_INPUTS_CLOSED"})
    types = [(e["type"], e.get("id")) for e in node]
    assert types == [("INPUT_CLOSED", "in"), ("NODE_FAILED", "up"), ("ERROR", None),
                     ("STOP", "ALL_INPUTS_CLOSED")]


def test_params_come_with_hello_ok_and_change_as_their_events_are_handed_out(tmp_path, monkeypatch):
    d = FakeDaemon(tmp_path, params={"threshold": 0.5, "cfg": {"labels": ["a", "b"]}})
    monkeypatch.setenv("DORA_NODE_CONFIG", d.config())
    n = Node()
    try:
        assert n.params() == {"threshold": 0.5, "cfg": {"labels": ["a", "b"]}}
        n.params()["cfg"]["labels"].append("c")  # a copy
        assert n.params()["cfg"] == {"labels": ["a", "b"]}
        d.push({"t": "param_update", "key": "threshold", "value": 0.75})
        d.push({"t": "param_deleted", "key": "cfg"})
        d.push({"t": "param_update", "key": "new", "value": None})
        d.push({"t": "stop", "cause": "MANUAL"})
        e = n.next()
        assert (e["type"], e["id"], e["key"], e["value"]) == ("PARAM_UPDATE", "threshold", "threshold", 0.75)
        assert n.params() == {"threshold": 0.75, "cfg": {"labels": ["a", "b"]}}
        e = n.next()
        assert (e["type"], e["id"], e["key"]) == ("PARAM_DELETED", "cfg", "cfg")
        assert n.params() == {"threshold": 0.75}
        e = n.next()
        assert (e["type"], e["key"], e["value"]) == ("PARAM_UPDATE", "new", None)
        assert n.params() == {"threshold": 0.75, "new": None}
        assert n.next()["type"] == "STOP"
    finally:
        n.close()
        n._pool.close()
        d.close()


def test_params_are_empty_without_any(node):
    assert node.params() == {}


def test_iteration_ends_when_the_daemon_hangs_up(daemon, node):
    assert node.next(timeout=0.01) is None  # a `next` is now outstanding
    daemon.push(*input_frame(pa.array([1])))
    daemon.hang_up()
    assert [e["type"] for e in node] == ["INPUT"]
    assert node.next() is None


def test_next_with_timeout_returns_none(daemon, node):
    assert node.next(timeout=0.05) is None
    daemon.push(*input_frame(pa.array([7])))
    assert node.next(timeout=5)["value"].to_pylist() == [7]


def test_try_recv_reads_the_socket_without_blocking(daemon, node):
    assert node.try_recv() is None  # nothing yet; a `next` is now outstanding
    daemon.expect("next")
    daemon.push(*input_frame(pa.array([5])))
    deadline = time.monotonic() + 5
    event = None
    while event is None and time.monotonic() < deadline:
        started = time.monotonic()
        event = node.try_recv()
        assert time.monotonic() - started < 1.0  # never waits
        if event is None:
            time.sleep(0.001)
    assert event is not None and event["value"].to_pylist() == [5]
    daemon.push(*input_frame(pa.array([6])))
    daemon.push(*input_frame(pa.array([7])))
    got = []
    while len(got) < 2 and time.monotonic() < deadline:
        e = node.next(timeout=0)
        if e is None:
            time.sleep(0.001)
        else:
            got.append(e["value"].to_pylist())
    assert got == [[6], [7]]


def shm_input(name, size, token, value):
    layout, parts, _ = encode_array(value)
    return {"t": "input", "id": "in", "m": {"ts": "1"}, "d": layout,
            "shm": {"name": "/" + name, "size": size, "token": token}}, parts


def test_shm_input_is_zero_copy_and_released_on_next(daemon, node, region):
    name, m = region
    data = np.arange(2048, dtype=np.float32)
    m[0:data.nbytes] = data.tobytes()
    header, _ = shm_input(name, 1 << 16, "tok-1", pa.array(data))
    daemon.push(header)
    event = node.next()
    assert np.array_equal(event["value"].to_numpy(), data)
    m[0:4] = np.float32(42).tobytes()  # the value is a view of the region
    assert event["value"][0].as_py() == 42.0
    assert node.next(timeout=0.05) is None
    release, _ = daemon.expect("release")
    assert release["tokens"] == ["tok-1"]


def test_kept_shm_input_is_released_when_collected(daemon, node, region):
    name, _ = region
    header, _ = shm_input(name, 1 << 16, "tok-k", pa.array(np.zeros(1024, np.float32)))
    daemon.push(header)
    event = node.keep(node.next())
    assert node.next(timeout=0.05) is None
    assert node._pending_release == []
    del event
    gc.collect()
    assert node._pending_release == ["tok-k"]


def test_shm_input_that_cannot_be_mapped_is_released_and_reported(daemon, node):
    name = f"{region_prefix('0123456789abcdef-df', 'src')}{os.getpid()}-{uuid.uuid4().int % 10**9}"
    header, _ = shm_input(name, 1 << 16, "tok-gone", pa.array(np.zeros(4, np.float32)))
    daemon.push(header)
    event = node.next()
    assert event["type"] == "ERROR"
    assert event["error"].startswith("input `in` from ")
    assert f": cannot map shared memory /{name}: " in event["error"]
    assert node.next(timeout=0.05) is None
    release, _ = daemon.expect("release")
    assert release["tokens"] == ["tok-gone"]


def test_send_output_small_goes_inline(daemon, node):
    node.send_output("out", pa.array([1, 2, 3]), {"k": 1.5})
    header, payload = daemon.expect("output")
    assert header["o"] == "out"
    assert header["m"]["p"] == {"k": ["float", 1.5]}
    assert "shm" not in header
    assert decode_array(header["d"], payload).to_pylist() == [1, 2, 3]


def test_send_output_accepts_bytes_lists_numpy_and_none(daemon, node):
    node.send_output("out", b"\x01\x02")
    node.send_output("out", [1.0, 2.0])
    node.send_output("out", np.array([3, 4], np.int16))
    node.send_output("out")
    got = [daemon.expect("output") for _ in range(4)]
    assert decode_array(got[0][0]["d"], got[0][1]).to_pylist() == [1, 2]
    assert decode_array(got[1][0]["d"], got[1][1]).to_pylist() == [1.0, 2.0]
    assert decode_array(got[2][0]["d"], got[2][1]).type == pa.int16()
    assert "d" not in got[3][0]


def test_send_output_to_an_undeclared_output_warns_once_and_drops(daemon, node, capfd):
    node.send_output("nope", pa.array([1]))
    node.send_output("nope", pa.array([2]))
    with node.send_output_raw("nope", 10_000) as buf:
        np.asarray(buf, dtype=np.uint8)[:] = 1
    node.send_output("out", pa.array([3]))
    header, _ = daemon.expect("output")
    assert header["o"] == "out"  # nothing was sent on "nope"
    warnings = [line for line in capfd.readouterr().out.splitlines() if "nope" in line]
    assert len(warnings) == 1 and "warn" in warnings[0] and "dropped" in warnings[0]


def test_big_output_uses_a_registered_pool_region_that_is_reused(daemon, node):
    data = np.random.default_rng(1).random(100_000).astype(np.float32)
    node.send_output("out", data)
    new, _ = daemon.expect("shm_new")
    header, payload = daemon.expect("output")
    assert payload is None
    ref = header["shm"]
    assert ref["name"] == new["name"] and ref["name"].startswith("/dora-0123456789abcdefdf-node-")
    view = MappingCache().view(ref["name"], ref["size"])
    assert np.array_equal(decode_array(header["d"], view).to_numpy(), data)
    daemon.push_now({"t": "release", "tokens": [ref["token"]]})
    node.next(timeout=0.1)  # lets the node read the release
    node.send_output("out", data)
    header2, _ = daemon.expect("output")
    assert header2["shm"]["name"] == ref["name"]
    assert header2["shm"]["token"] != ref["token"]
    assert daemon.received.empty() or daemon.received.queue[0][0]["t"] != "shm_new"


def test_send_output_raw_writes_in_place(daemon, node):
    with node.send_output_raw("out", 10_000, {"raw": True}) as buf:
        np.asarray(buf, dtype=np.uint8)[:] = 7
    daemon.expect("shm_new")
    header, _ = daemon.expect("output")
    view = MappingCache().view(header["shm"]["name"], header["shm"]["size"])
    value = decode_array(header["d"], view)
    assert value.type == pa.uint8() and len(value) == 10_000
    assert set(value.to_numpy().tolist()) == {7}


def test_inline_fallback_without_shm(tmp_path, monkeypatch):
    d = FakeDaemon(tmp_path, shm=False)
    monkeypatch.setenv("DORA_NODE_CONFIG", d.config())
    n = Node()
    data = np.arange(1_000_000, dtype=np.float32)
    n.send_output("out", data)
    header, payload = d.expect("output")
    assert "shm" not in header
    assert np.array_equal(decode_array(header["d"], payload).to_numpy(), data)
    n.close()
    d.close()


def test_region_that_cannot_be_created_sends_inline_with_one_warning(daemon, node, monkeypatch, capsys):
    import errno

    from dora import _shm

    def full(fd, offset, length):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(_shm.os, "posix_fallocate", full)
    data = np.arange(100_000, dtype=np.float32)
    for _ in range(2):
        node.send_output("out", data)
        header, payload = daemon.expect("output")
        assert "shm" not in header
        assert np.array_equal(decode_array(header["d"], payload).to_numpy(), data)
    warnings = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [w["level"] for w in warnings] == ["warn"]
    assert warnings[0]["message"] == (
        "cannot create shared memory (ENOSPC: No space left on device, 400000 bytes); "
        "sending through the socket instead"
    )
    assert not [f for f in os.listdir("/dev/shm") if f.startswith(node._pool._prefix)]


def test_log_prints_one_json_line(node, capsys):
    node.log("INFO", "hello", target="t", fields={"a": 1})
    import logging

    logging.getLogger("x").warning("warned %s", 5)
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert lines[0] == {"level": "info", "message": "hello", "target": "t", "fields": {"a": 1}}
    assert lines[1]["level"] == "warn" and lines[1]["message"] == "warned 5"


def test_outputs_sent_from_a_thread_reuse_regions_while_another_thread_waits(daemon, node):
    import threading

    got = []
    waiter = threading.Thread(target=lambda: got.append(node.next(timeout=10)))
    waiter.start()
    data = np.ones(50_000, np.float32)

    def send_all():
        for i in range(20):
            node.send_output("out", data, {"i": i})

    sender = threading.Thread(target=send_all)
    sender.start()
    for _ in range(20):
        header, _ = daemon.expect("output")
        daemon.push_now({"t": "release", "tokens": [header["shm"]["token"]]})
    sender.join(10)
    daemon.push(*input_frame(pa.array([5])))
    waiter.join(10)
    assert got and got[0]["value"].to_pylist() == [5]
    regions = len(node._pool._all)
    assert node._pool.busy == 0  # the waiting thread dispatched every release
    node.send_output("out", data)
    assert len(node._pool._all) == regions  # a released region was reused


def test_hello_says_shm_false_when_shared_memory_is_unavailable(tmp_path, monkeypatch, capsys):
    import dora._node as node_module

    d = FakeDaemon(tmp_path, shm=True)
    monkeypatch.setenv("DORA_NODE_CONFIG", d.config())
    monkeypatch.setattr(node_module, "shm_available", lambda: False)
    n = Node()
    assert d.hello["shm"] is False
    warning = json.loads(capsys.readouterr().out)
    assert warning["level"] == "warn"
    assert warning["message"].startswith("shared memory is unavailable (/dev/shm is missing or not writable)")
    n.close()
    d.close()


def test_hello_has_no_shm_field_when_shared_memory_works(daemon, node):
    assert "shm" not in daemon.hello


def test_shm_inputs_of_one_batch_are_released_one_by_one(daemon, node, region):
    name, _ = region
    for i in range(3):
        header, _ = shm_input(name, 1 << 16, f"tok-{i}", pa.array(np.zeros(1024, np.float32)))
        daemon.push(header)
    assert node.next()["type"] == "INPUT"  # one batch of three events is now buffered
    node.next()
    release, _ = daemon.expect("release")
    assert release["tokens"] == ["tok-0"]  # not held until the batch is consumed
    node.next()
    release, _ = daemon.expect("release")
    assert release["tokens"] == ["tok-1"]
