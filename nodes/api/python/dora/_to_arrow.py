"""What ``send_output`` accepts, turned into an Arrow array (zero-copy where
pyarrow allows it)."""

from __future__ import annotations

import pyarrow as pa


def to_arrow(data) -> pa.Array | None:
    """``None`` (an empty message), a pyarrow array, bytes-like, a numpy array,
    a list, or a scalar."""
    if data is None:
        return None
    if isinstance(data, pa.Array):
        if pa.types.is_dictionary(data.type):
            return data.dictionary_decode()  # the data layout has no dictionaries
        return data
    if isinstance(data, pa.ChunkedArray):
        return pa.concat_arrays(data.chunks) if data.num_chunks != 1 else data.chunk(0)
    if isinstance(data, (bytes, bytearray, memoryview)):
        mv = memoryview(data).cast("B")
        return pa.Array.from_buffers(pa.uint8(), len(mv), [None, pa.py_buffer(mv)])
    if isinstance(data, pa.Buffer):
        return pa.Array.from_buffers(pa.uint8(), data.size, [None, data])
    mod = type(data).__module__
    if mod == "numpy" and type(data).__name__ == "ndarray":
        if data.ndim != 1:
            data = data.reshape(-1)
        return pa.array(data)
    if isinstance(data, (list, tuple)):
        return pa.array(list(data))
    if isinstance(data, (bool, int, float, str)):
        return pa.array([data])
    try:
        return pa.array(data)
    except Exception as e:
        raise TypeError(
            f"send_output: cannot convert {type(data).__name__} to an Arrow array "
            "(pass a pyarrow array, bytes, a numpy array or a list)"
        ) from e
