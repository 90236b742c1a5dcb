"""Checks of daemon -> node headers (docs/protocol.md, "Header")."""

from __future__ import annotations

from ._frame import ProtocolError


def _str(v):
    return isinstance(v, str)


def _int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def _opt_obj(v):
    return v is None or isinstance(v, dict)


def _obj(v):
    return isinstance(v, dict)


def _strs(v):
    return isinstance(v, list) and all(isinstance(x, str) for x in v)


_MISSING = object()


def _present(v):
    return v is not _MISSING


def _cause(v):
    return v in ("MANUAL", "ALL_INPUTS_CLOSED")


_DESCRIBE = {_str: "a string", _int: "an integer", _opt_obj: "an object when present",
             _obj: "an object", _strs: "a list of strings", _present: "a JSON value", _cause: '"MANUAL" or "ALL_INPUTS_CLOSED"'}

DAEMON_TO_NODE = {
    "hello_ok": {"v": _int, "daemon": _str, "params": _opt_obj},
    "ready": {},
    "input": {"id": _str, "m": _obj, "d": _opt_obj, "shm": _opt_obj},
    "input_closed": {"id": _str},
    "input_recovered": {"id": _str},
    "node_restarted": {"id": _str},
    "node_failed": {"id": _str, "inputs": _strs, "error": _str},
    "stop": {"cause": _cause},
    "error": {"message": _str},
    "release": {"tokens": _strs},
    "param_update": {"key": _str, "value": _present},
    "param_deleted": {"key": _str},
    "batch_end": {},
    "routes": {"out": _obj, "in": _obj},
    "drain": {"node": _str, "gen": _int},
    "hand_over": {"node": _str, "pid": _int},
    # Only on links (sender to receiver), like `input` and `input_closed`.
    "handed_over": {},
}


def check_daemon_header(header: dict) -> dict:
    """Raises :class:`ProtocolError` naming the problem of a bad header."""
    t = header.get("t")
    if t == "input" and type(header.get("id")) is str and type(header.get("m")) is dict \
            and _opt_obj(header.get("d")) and _opt_obj(header.get("shm")):
        return header  # the hot path, checked inline
    fields = DAEMON_TO_NODE.get(t)
    if fields is None:
        raise ProtocolError(
            f'unknown message type "{t}" (daemon to node; expected one of {", ".join(DAEMON_TO_NODE)})'
        )
    for name, check in fields.items():
        if not check(header.get(name, _MISSING if check is _present else None)):
            raise ProtocolError(f'"{t}" header: field "{name}" must be {_DESCRIBE[check]} '
                                f"(got {header.get(name)!r})")
    return header
