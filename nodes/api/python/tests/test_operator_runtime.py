"""The Python operator runtime's pieces: the per-operator inbox (a node's
queue semantics), log levels, and what a receiving operator gets."""

import numpy as np
import pyarrow as pa

from dora._operator_runtime import Inbox, _own_array, passes_level


def _input(id_, n):
    return {"type": "INPUT", "id": id_, "value": pa.array([n]), "metadata": {}, "kind": "dora"}


def _drain(inbox):
    out = []
    while True:
        e = inbox.take()
        if e is None:
            out.append("none")
            return out
        if e is False:
            out.append("end")
            return out
        if e["type"] == "INPUT":
            out.append(f'{e["id"]}{e["value"][0].as_py()}')
        else:
            out.append(f'{e["type"]} {e.get("id")}')


def test_inbox_drops_the_oldest_event_of_a_full_drop_oldest_input():
    drops = []
    inbox = Inbox({"a": {"queue_size": 2, "queue_policy": "drop_oldest"}},
                  lambda i, total, cap: drops.append(total))
    for n in range(4):
        inbox.push("a", _input("a", n))
    assert drops == [1, 2]
    assert inbox.drops() == {"a": 2}
    assert _drain(inbox) == ["a2", "a3", "none"]


def test_inbox_holds_ten_times_the_queue_size_of_a_backpressure_input():
    inbox = Inbox({"a": {"queue_size": 2, "queue_policy": "backpressure"}},
                  lambda *a: (_ for _ in ()).throw(AssertionError("dropped")))
    for n in range(20):
        inbox.push("a", _input("a", n))
    assert len(_drain(inbox)) == 21


def test_inbox_closes_an_input_after_its_queued_data_then_stops():
    inbox = Inbox({"a": {"queue_size": 10}, "b": {"queue_size": 10}}, lambda *a: None)
    inbox.push("a", _input("a", 1))
    inbox.push("a", _input("a", 2))
    inbox.push("b", _input("b", 1))
    inbox.close("a")
    inbox.close("b")
    assert _drain(inbox) == ["a1", "b1", "INPUT_CLOSED b", "a2", "INPUT_CLOSED a",
                             "STOP ALL_INPUTS_CLOSED", "end"]


def test_inbox_stop_overtakes_queued_inputs_and_ends():
    inbox = Inbox({"a": {"queue_size": 10}}, lambda *a: None)
    inbox.push("a", _input("a", 1))
    inbox.stop({"type": "STOP", "id": "MANUAL", "kind": "dora"})
    assert _drain(inbox) == ["STOP MANUAL", "end"]


def test_passes_level_hides_printed_lines_below_a_real_level():
    assert passes_level("stdout", None)
    assert passes_level("debug", "stdout")
    assert not passes_level("stdout", "info")
    assert passes_level("warn", "info")
    assert not passes_level("debug", "info")


def test_own_array_copies_buffers_the_sender_may_reuse():
    frame = np.arange(4, dtype=np.uint8)
    value = _own_array(frame)
    frame[0] = 99
    assert value.to_pylist() == [0, 1, 2, 3]
    assert _own_array(b"ab").to_pylist() == [97, 98]
    assert len(_own_array(None)) == 0
