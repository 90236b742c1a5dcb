"""The zero-copy ``Sample`` contract of ``send_output_raw`` (the original's
``SampleHandler``): views must be released before ``send()``, one send only,
no access after it; shared-memory and inline samples alike."""

import numpy as np
import pytest
from dora import Node
from dora._sample import PEP_688
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


needs_pep_688 = pytest.mark.skipif(
    not PEP_688, reason="views of the buffer are counted with PEP 688 (Python 3.12)"
)


@needs_pep_688
@pytest.mark.parametrize("size", [64, 100_000])  # inline, shared memory
def test_send_refuses_while_a_numpy_view_is_alive(daemon, node, size):
    sample = node.send_output_raw("out", size)
    arr = np.asarray(sample.as_buffer(), dtype=np.uint8)
    arr[:] = 5
    with pytest.raises(RuntimeError, match="still open"):
        sample.send()
    del arr
    sample.send()
    header, _ = daemon.expect("output")
    assert header["o"] == "out" and header["d"]["len"] == size


@pytest.mark.parametrize("size", [64, 100_000])
def test_every_memoryview_must_be_released_before_send(daemon, node, size):
    sample = node.send_output_raw("out", size)
    a = sample.as_memoryview()
    b = sample.as_memoryview()
    assert a is not b
    a.release()
    with pytest.raises(RuntimeError, match="still open"):
        sample.send()
    b.release()
    sample.send()
    with pytest.raises(RuntimeError, match="already sent"):
        sample.send()
    with pytest.raises(RuntimeError, match="already sent"):
        sample.as_memoryview()
    with pytest.raises(RuntimeError, match="already sent"):
        sample.as_buffer()


def test_an_exception_in_the_with_block_sends_nothing(daemon, node):
    sample = node.send_output_raw("out", 100_000)
    with pytest.raises(KeyError):
        with sample as buf:
            buf[0:1] = b"x"
            raise KeyError("stop")
    daemon.expect("shm_new")
    assert daemon.received.empty()
    sample.send()  # still sendable
    header, _ = daemon.expect("output")
    assert header["o"] == "out"


@needs_pep_688
def test_a_dropped_sample_invalidates_its_buffer(daemon, node):
    sample = node.send_output_raw("out", 64)
    buf = sample.as_buffer()
    del sample
    with pytest.raises(BufferError):
        memoryview(buf)


def test_with_block_sends_and_keeps_the_data(daemon, node):
    with node.send_output_raw("out", 100_000, {"k": 1}) as buf:
        np.asarray(buf, dtype=np.uint8)[:] = np.arange(100_000, dtype=np.uint64) % 251
    daemon.expect("shm_new")
    header, _ = daemon.expect("output")
    assert header["shm"]["size"] >= 100_000


@needs_pep_688
def test_a_view_leaked_from_the_with_block_stops_the_send(daemon, node):
    with pytest.raises(RuntimeError, match="still open"):
        with node.send_output_raw("out", 64) as buf:
            arr = np.asarray(buf, dtype=np.uint8)
    del arr


def test_a_buffer_kept_past_send_gives_no_new_views(daemon, node):
    sample = node.send_output_raw("out", 64)
    buf = sample.as_buffer()
    assert sample.as_buffer() is buf
    sample.send()
    # The original raises BufferError; Python 3.11 cannot export buffers from
    # Python classes (PEP 688), so there the buffer is a released memoryview.
    expected = BufferError if PEP_688 else ValueError
    with pytest.raises(expected):
        memoryview(buf)


@needs_pep_688
def test_sample_buffer_supports_numpy_style_assignment(daemon, node):
    with node.send_output_raw("out", 3) as buf:
        buf[:] = 7
    header, payload = daemon.expect("output")
    assert header["d"]["len"] == 3
