"""Message metadata ``m`` (docs/protocol.md, "Metadata"): an HLC timestamp and
typed parameters, converted to and from the Python dict of the original dora
API (``{"timestamp": <UTC datetime>, **parameters}``).
"""

from __future__ import annotations

import datetime as _dt
import math
import threading
import time

from ._frame import ProtocolError

_UTC = _dt.timezone.utc
_EPOCH = _dt.datetime(1970, 1, 1, tzinfo=_UTC)
_SAFE = 2**53 - 1
# The calendar fields of the last whole second converted: consecutive
# messages mostly share it, so a timestamp costs one constructor call.
_last_second: list = [None, None]


class Timestamp(_dt.datetime):
    """A timezone-aware UTC ``datetime`` that also keeps the exact nanoseconds
    (``.ns``) of the hybrid-logical-clock timestamp."""

    __slots__ = ("ns",)  # no per-instance __dict__: one is made per message

    @classmethod
    def from_ns(cls, ns: int) -> "Timestamp":
        secs, rem = divmod(ns, 1_000_000_000)
        cached = _last_second
        if cached[0] == secs:
            y, mo, d, h, mi, s = cached[1]
        else:
            base = _EPOCH + _dt.timedelta(seconds=secs)
            y, mo, d, h, mi, s = fields = (base.year, base.month, base.day, base.hour,
                                           base.minute, base.second)
            cached[0], cached[1] = secs, fields
        t = cls(y, mo, d, h, mi, s, rem // 1000, _UTC)
        t.ns = ns
        return t

    def __reduce__(self):
        return (Timestamp.from_ns, (self.ns,))


def datetime_to_ns(value: _dt.datetime) -> int:
    """Nanoseconds since the Unix epoch (naive datetimes are taken as UTC)."""
    ns = getattr(value, "ns", None)
    if isinstance(ns, int):
        return ns
    if value.tzinfo is None:
        value = value.replace(tzinfo=_dt.timezone.utc)
    delta = value - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000_000 + delta.microseconds * 1000


class Clock:
    """Hybrid logical clock: ``max(now, last + 1, received + 1)``; never goes back."""

    def __init__(self):
        self._last = 0
        self._lock = threading.Lock()

    def now(self) -> int:
        with self._lock:
            t = time.time_ns()
            if t <= self._last:
                t = self._last + 1
            self._last = t
            return t

    def observe(self, received: int) -> None:
        with self._lock:
            if received >= self._last:
                self._last = received


def _int_param(v: int):
    return v if -_SAFE <= v <= _SAFE else str(v)


def encode_param(key: str, value) -> list:
    """One parameter as its ``[type, value]`` pair."""
    if isinstance(value, bool):
        return ["bool", value]
    if isinstance(value, int):
        return ["int", _int_param(value)]
    if isinstance(value, float):
        return ["float", _float_param(value)]
    if isinstance(value, str):
        return ["str", value]
    if isinstance(value, _dt.datetime):
        return ["ts", str(datetime_to_ns(value))]
    if hasattr(value, "tolist") and not isinstance(value, (list, tuple)):
        value = value.tolist()  # numpy / pyarrow arrays and scalars
        return encode_param(key, value)
    if isinstance(value, (list, tuple)):
        items = list(value)
        if all(isinstance(x, str) for x in items):
            return ["strs", items]
        if all(isinstance(x, int) and not isinstance(x, bool) for x in items):
            return ["ints", [_int_param(x) for x in items]]
        if all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in items):
            return ["floats", [_float_param(float(x)) for x in items]]
    raise TypeError(
        f"metadata parameter {key!r}: unsupported value {value!r} (use bool, int, float, str, "
        "datetime or a list of int, float or str)"
    )


def encode_metadata(ts_ns: int, params: dict | None) -> dict:
    """The wire form ``{"ts": "...", "p": {...}}``. A ``timestamp`` key (as in a
    received metadata dict that is passed on) is skipped: each message gets the
    sender's own clock."""
    m: dict = {"ts": str(ts_ns)}
    if params:
        p = {}
        for k, v in params.items():
            if k == "timestamp" and isinstance(v, _dt.datetime):
                continue
            p[str(k)] = encode_param(str(k), v)
        if p:
            m["p"] = p
    return m


def _float_param(v: float):
    # JSON has no NaN/Infinity: the protocol spells them as strings.
    if math.isfinite(v):
        return v
    return "NaN" if math.isnan(v) else ("inf" if v > 0 else "-inf")


def _decode_float(v) -> float:
    if isinstance(v, str):
        if v in ("NaN", "inf", "-inf"):
            return float(v.lower() if v != "NaN" else "nan")
        raise ProtocolError(f"invalid float {v!r}")
    return float(v)


def _bad(key, what):
    raise ProtocolError(f'parameter "{key}": {what}')


def _decode_int_strict(key, v) -> int:
    if isinstance(v, int) and not isinstance(v, bool):
        return v
    if isinstance(v, str) and v.lstrip("-").isdigit():
        return int(v)
    _bad(key, f"invalid int {v!r}")


def decode_param(pair, key: str = "?"):
    """A wire ``[type, value]`` pair as a Python value (``ts`` -> Timestamp)."""
    if not isinstance(pair, list) or len(pair) != 2 or not isinstance(pair[0], str):
        _bad(key, "not a [type, value] pair")
    kind, value = pair
    if kind in ("ints", "floats", "strs") and not isinstance(value, list):
        _bad(key, f"{kind} needs a list")
    if kind == "bool":
        if isinstance(value, bool):
            return value
    elif kind == "int":
        return _decode_int_strict(key, value)
    elif kind == "float":
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
        if value in ("NaN", "inf", "-inf"):
            return _decode_float(value)
        _bad(key, f"invalid float {value!r}")
    elif kind == "str":
        if isinstance(value, str):
            return value
    elif kind == "ints":
        return [_decode_int_strict(key, x) for x in value]
    elif kind == "floats":
        return [decode_param(["float", x], key) for x in value]
    elif kind == "strs":
        if all(isinstance(x, str) for x in value):
            return list(value)
    elif kind == "ts":
        return Timestamp.from_ns(_decode_int_strict(key, value))
    else:
        _bad(key, f'unknown type "{kind}"')
    _bad(key, f"invalid {kind} value {value!r}")


def decode_metadata(m: dict | None) -> tuple[int, dict]:
    """Returns ``(timestamp_ns, python_dict)`` for a wire metadata object."""
    if len(m) == 1 if m else False:  # the common case: a timestamp only
        raw = m.get("ts")
        if type(raw) is str and raw.isdigit():
            ts = int(raw)
            return ts, {"timestamp": Timestamp.from_ns(ts)}
    if not m:
        ts = 0
        out: dict = {}
    else:
        raw = m.get("ts")
        if not isinstance(raw, str) or not raw.isdigit():
            raise ProtocolError(f'metadata "ts" must be a decimal string (got {raw!r})')
        ts = int(raw)
        p = m.get("p")
        if not p:
            out = {}
        elif not isinstance(p, dict):
            raise ProtocolError('metadata "p" must be an object')
        else:
            out = {k: decode_param(v, k) for k, v in p.items()}
    out["timestamp"] = Timestamp.from_ns(ts)
    return ts, out
