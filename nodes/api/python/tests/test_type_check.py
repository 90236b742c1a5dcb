"""The runtime type check rule (shared vectors) and the guard's behaviour."""

import json
import os

import pyarrow as pa
import pytest

from dora._layout import type_to_json
from dora._type_check import TypeCheckError, TypeGuard, type_matches

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", ".."))
VECTORS = os.path.join(ROOT, "tests", "protocol_vectors", "type_match.json")


def test_type_matches_passes_the_shared_vectors():
    with open(VECTORS) as f:
        cases = json.load(f)["cases"]
    for case in cases:
        got = type_matches(case["expected"], case["actual"], case.get("raw_bytes", False))
        assert got == case["match"], case


def _guard(check, warnings):
    config = {"types": {
        "check": check,
        "outputs": {"speed": {"urn": "std/core/v1/Float32", "dt": "f32"}},
        "inputs": {"level": {"urn": "std/core/v1/UInt32", "accepts": ["u8", "u16", "u32"],
                             "from": "sensor/level"}},
    }}
    return TypeGuard.from_config("planner", config, warnings.append, type_to_json)


def test_send_raises_in_error_mode_naming_node_output_and_types():
    guard = _guard("error", [])
    guard.send("speed", pa.float32(), None)
    guard.send("speed", None, None)
    guard.send("other", pa.float64(), None)
    with pytest.raises(TypeCheckError, match=r'node "planner": output "speed" is typed '
                       r"std/core/v1/Float32 \(Float32\), but the data sent is Float64"):
        guard.send("speed", pa.float64(), None)
    guard.send("speed", pa.float64(), {"request_id": "r1"})


def test_warn_mode_logs_once_per_port_and_type():
    warnings = []
    guard = _guard("warn", warnings)
    for _ in range(3):
        guard.send("speed", pa.float64(), None)
        assert guard.receive("level", pa.int64(), None) is None
    assert guard.receive("level", pa.uint8(), None) is None
    assert len(warnings) == 2, warnings
    assert 'input "level" (from sensor/level) is typed std/core/v1/UInt32, but received Int64' in warnings[1]


def test_receive_in_error_mode_returns_the_error_message():
    guard = _guard("error", [])
    assert guard.receive("level", pa.uint16(), None) is None
    assert guard.receive("level", pa.null(), None) is None
    assert "but received Float32" in guard.receive("level", pa.float32(), None)


def test_no_guard_without_a_check_mode():
    assert TypeGuard.from_config("n", {}, print, type_to_json) is None
    assert TypeGuard.from_config("n", {"types": {"check": "maybe"}}, print, type_to_json) is None
