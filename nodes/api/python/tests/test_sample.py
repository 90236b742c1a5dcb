"""The zero-copy ``Sample`` contract of ``send_output_raw`` (the original's
``SampleHandler``): views must be released before ``send()``, one send only,
no access after it; shared-memory and inline samples alike."""

import numpy as np
import pytest
from dora import Node
from dora import _native, _sample
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


# Views are counted on every Python with PEP 688 (3.12) or a C compiler.
counts_views = pytest.mark.skipif(
    _sample.buffer_class() is None, reason="no C compiler for the buffer type"
)


@counts_views
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


@counts_views
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


@counts_views
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
    with pytest.raises(BufferError):
        memoryview(buf)


@counts_views
def test_sample_buffer_supports_numpy_style_assignment(daemon, node):
    with node.send_output_raw("out", 3) as buf:
        buf[:] = 7
    header, payload = daemon.expect("output")
    assert header["d"]["len"] == 3


@pytest.mark.skipif(_sample.PEP_688, reason="Python >= 3.12 exports buffers itself")
def test_the_c_buffer_type_is_compiled_once_into_the_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("DORA_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(_native, "_loaded", None)
    exporter, reason = _native.sample_buffer_exporter()
    assert reason is None and exporter is not None
    built = list((tmp_path / "python").glob("*/_sample_buffer-*.so"))
    assert len(built) == 1
    assert not [p for p in built[0].parent.iterdir() if p.name.startswith(".build-")]
    # A second process finds the compiled copy: no compiler needed.
    monkeypatch.setattr(_native, "_loaded", None)
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.delenv("CC", raising=False)
    exporter2, reason2 = _native.sample_buffer_exporter()
    assert reason2 is None and exporter2 is not None


@pytest.mark.skipif(_sample.PEP_688, reason="Python >= 3.12 exports buffers itself")
def test_without_a_compiler_samples_fall_back_and_say_so(daemon, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DORA_CACHE_DIR", str(tmp_path))
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.delenv("CC", raising=False)
    monkeypatch.setattr(_native, "_loaded", None)
    monkeypatch.setattr(_sample, "_buffer_class", None)
    n = Node()
    try:
        sample = n.send_output_raw("out", 64)
        assert "no C compiler (`cc`) on PATH" in capsys.readouterr().err
        mv = sample.as_memoryview()
        with pytest.raises(RuntimeError, match="still open"):
            sample.send()
        mv.release()
        sample.send()
        n.send_output_raw("out", 8).send()
        assert "warning" not in capsys.readouterr().err  # once
    finally:
        n.close()
        n._pool.close()
        monkeypatch.setattr(_sample, "_buffer_class", None)
        monkeypatch.setattr(_native, "_loaded", None)
