"""The sender's link writer: frames stay whole whatever the socket takes."""

from __future__ import annotations

from dora._frame import FrameReader, encode_frame
from dora._link_writer import LinkWriter


class PartialSocket:
    """Takes at most ``limit`` bytes per send, like a full socket buffer."""

    def __init__(self):
        self.out = bytearray()
        self.limit = 0

    def send(self, view) -> int:
        n = min(len(view), self.limit)
        self.out += view[:n]
        return n


def _ids(data: bytes) -> list:
    reader = FrameReader()
    reader.feed(data)
    return [header["id"] for header, _payload in reader.frames()]


def _frame(i: int) -> list:
    return encode_frame({"t": "input_closed", "id": f"x{i}"})


def test_link_writer_drop_after_a_partial_write_keeps_the_stream_whole():
    w = LinkWriter()
    latency = w.slot(1, False)  # drop_oldest, queue_size 1
    throughput = w.slot(100, True)  # backpressure
    sock = PartialSocket()
    w.sock = sock
    w.append(throughput, _frame(0))
    sock.limit = 5
    assert w.send_some()  # frame 0 is partly written
    assert w.append(latency, _frame(1)) == []
    assert w.append(latency, _frame(2)) == [(latency, None)]  # frame 1 dropped
    w.append(throughput, _frame(3))
    sock.limit = 7
    assert w.send_some()  # compacts around the partly written frame
    sock.limit = 1 << 20
    assert w.send_some()
    assert w.waiting() == 0
    assert _ids(bytes(sock.out)) == ["x0", "x2", "x3"]


def test_link_writer_many_partial_writes_and_drops_deliver_in_order():
    w = LinkWriter()
    latency = w.slot(2, False)
    throughput = w.slot(10, True)
    sock = PartialSocket()
    w.sock = sock
    expected = []
    for i in range(400):
        if i % 3 == 0:
            w.append(latency, _frame(i))
        else:
            w.append(throughput, _frame(i))
            expected.append(f"x{i}")
        sock.limit = (i * 7) % 23
        assert w.send_some()
    sock.limit = 1 << 20
    assert w.send_some()
    got = _ids(bytes(sock.out))
    # Every backpressure frame arrives, in order; latency frames only drop.
    assert [x for x in got if int(x[1:]) % 3] == expected
    assert got == sorted(got, key=lambda x: int(x[1:]))
