"""Runtime type checks (``--type-check``, ``DORA_RUNTIME_TYPE_CHECK``): what
the node sends against its outputs' types, what arrives against its inputs'
types. The rule is the TypeScript API's (src/message/type_match.ts; both pass
tests/protocol_vectors/type_match.json). Each port remembers its verdict per
Arrow type, so the check costs a dictionary lookup per message."""

from __future__ import annotations

import json

_SAME = {"large_utf8": "utf8", "large_binary": "binary"}
_NAMES = {
    "null": "Null", "bool": "Boolean", "i8": "Int8", "i16": "Int16", "i32": "Int32",
    "i64": "Int64", "u8": "UInt8", "u16": "UInt16", "u32": "UInt32", "u64": "UInt64",
    "f16": "Float16", "f32": "Float32", "f64": "Float64", "utf8": "Utf8",
    "large_utf8": "LargeUtf8", "binary": "Binary", "large_binary": "LargeBinary",
    "date32": "Date32", "date64": "Date64",
}
#: Metadata keys of pattern messages, which may multiplex several shapes.
PATTERN_KEYS = ("request_id", "goal_id", "goal_status")


class TypeCheckError(TypeError):
    """A send refused by the runtime type check (``error`` mode)."""


def _list_item(dt):
    if isinstance(dt, dict):
        inner = dt.get("large_list") or dt.get("list")
        if isinstance(inner, dict):
            return inner.get("dt")
    return None


def type_matches(expected, actual, raw_bytes: bool = False) -> bool:
    """Whether data of wire type ``actual`` satisfies ``expected``."""
    if isinstance(expected, str) or isinstance(actual, str):
        if not (isinstance(expected, str) and isinstance(actual, str)):
            return False
        if _SAME.get(expected, expected) == _SAME.get(actual, actual):
            return True
        return raw_bytes and _SAME.get(expected, expected) == "binary" and actual == "u8"
    item = _list_item(expected)
    if item is not None:
        other = _list_item(actual)
        return other is not None and type_matches(item, other)
    if "struct" in expected:
        if "struct" not in actual:
            return False
        fields = {f["name"]: f["dt"] for f in actual["struct"]}
        return all(f["name"] in fields and type_matches(f["dt"], fields[f["name"]])
                   for f in expected["struct"])
    if "fixed_list" in expected:
        return ("fixed_list" in actual and expected.get("size") == actual.get("size")
                and type_matches(expected["fixed_list"]["dt"], actual["fixed_list"]["dt"]))
    return json.dumps(expected, sort_keys=True) == json.dumps(actual, sort_keys=True)


def describe_type(dt) -> str:
    """A wire type for people: ``Float32``, ``List<Utf8>``, ``Struct<x: Float64>``."""
    if isinstance(dt, str):
        return _NAMES.get(dt, dt)
    if "large_list" in dt:
        return f"List<{describe_type(dt['large_list']['dt'])}>"
    if "list" in dt:
        return f"List<{describe_type(dt['list']['dt'])}>"
    if "fixed_list" in dt:
        return f"FixedSizeList<{describe_type(dt['fixed_list']['dt'])}, {dt['size']}>"
    if "struct" in dt:
        return "Struct<" + ", ".join(f"{f['name']}: {describe_type(f['dt'])}" for f in dt["struct"]) + ">"
    if "fixed_binary" in dt:
        return f"FixedSizeBinary<{dt['fixed_binary']}>"
    if "ts" in dt:
        return f"Timestamp<{dt['ts']}{', ' + dt['tz'] if dt.get('tz') else ''}>"
    return json.dumps(dt)


class TypeGuard:
    """The checks of one node, from the ``types`` entry of its configuration.
    ``type_key`` turns a port's data type (a pyarrow type) into a hashable key
    and ``to_dt`` into the wire type."""

    def __init__(self, node: str, config: dict, warn, to_dt):
        self._node = node
        self._error = config.get("check") == "error"
        self._outputs = config.get("outputs") or {}
        self._inputs = config.get("inputs") or {}
        self._warn = warn
        self._to_dt = to_dt
        self._verdicts: dict = {}  # port key -> [[arrow type, verdict], ...]
        self._warned: list = []

    @staticmethod
    def from_config(node: str, config: dict, warn, to_dt) -> "TypeGuard | None":
        types = config.get("types")
        if not isinstance(types, dict) or types.get("check") not in ("warn", "error"):
            return None
        return TypeGuard(node, types, warn, to_dt)

    def _verdict(self, key, arrow_type, matches) -> bool:
        # Compared with ``==``: hashing a pyarrow type costs microseconds.
        seen = self._verdicts.get(key)
        if seen is None:
            seen = self._verdicts[key] = []
        for entry in seen:
            if entry[0] is arrow_type or entry[0] == arrow_type:
                return entry[1]
        ok = matches(self._to_dt(arrow_type))
        if len(seen) >= 16:
            seen.clear()  # a port with ever new types: keep the scan short
        seen.insert(0, [arrow_type, ok])
        return ok

    def send(self, output: str, arrow_type, metadata) -> None:
        """Checks data of pyarrow type ``arrow_type`` sent on ``output``; raises
        :class:`TypeCheckError` in ``error`` mode when it does not match."""
        port = self._outputs.get(output)
        if port is None or port.get("dt") is None or arrow_type is None:
            return
        expected = port["dt"]
        if self._verdict(">" + output, arrow_type, lambda dt: dt == "null" or type_matches(expected, dt, True)):
            return
        if metadata and any(k in metadata for k in PATTERN_KEYS):
            return
        message = (f'node "{self._node}": output "{output}" is typed {port["urn"]} '
                   f'({describe_type(expected)}), but the data sent is {describe_type(self._to_dt(arrow_type))}')
        if self._error:
            raise TypeCheckError(message)
        self._warn_once(">" + output, arrow_type, message)

    def receive(self, input_id: str, arrow_type, metadata) -> str | None:
        """Checks data arriving on ``input_id``: ``None`` when it may pass, else
        the message of the ``ERROR`` event that replaces it (``error`` mode)."""
        port = self._inputs.get(input_id)
        if port is None or "accepts" not in port or arrow_type is None:
            return None
        accepts = port["accepts"]
        if self._verdict("<" + input_id, arrow_type,
                         lambda dt: dt == "null" or any(type_matches(a, dt) for a in accepts)):
            return None
        if metadata and any(k in metadata for k in PATTERN_KEYS):
            return None
        source = f' (from {port["from"]})' if port.get("from") else ""
        message = (f'node "{self._node}": input "{input_id}"{source} is typed {port["urn"]}, '
                   f'but received {describe_type(self._to_dt(arrow_type))}')
        if self._error:
            return message
        self._warn_once("<" + input_id, arrow_type, message)
        return None

    def _warn_once(self, port: str, arrow_type, message: str) -> None:
        if any(p == port and t == arrow_type for p, t in self._warned):
            return
        self._warned.append((port, arrow_type))
        self._warn("runtime type check: " + message)
