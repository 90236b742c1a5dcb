"""Node logs: one JSON object per stdout line, which the daemon parses into the
node's log (``{"level", "message", "target", "fields"}``); Python ``logging``
is bridged into the same lines.
"""

from __future__ import annotations

import json
import logging
import sys
import threading

LEVELS = ("error", "warn", "info", "debug", "trace")
_ALIASES = {"warning": "warn", "critical": "error", "fatal": "error", "err": "error"}
_lock = threading.Lock()


def normalize_level(level) -> str:
    """``"INFO"``, ``"warning"``, ``logging.INFO`` ... to a dora level name."""
    if isinstance(level, int):
        if level >= logging.ERROR:
            return "error"
        if level >= logging.WARNING:
            return "warn"
        if level >= logging.INFO:
            return "info"
        if level >= logging.DEBUG:
            return "debug"
        return "trace"
    name = str(level).strip().lower()
    name = _ALIASES.get(name, name)
    if name not in LEVELS:
        raise ValueError(f"unknown log level {level!r} (use one of {', '.join(LEVELS)})")
    return name


def _jsonable(v):
    if isinstance(v, (str, int, float, bool)) or v is None:
        return v
    return str(v)


def emit(level, message, target=None, fields=None) -> None:
    """Writes one structured log line to stdout and flushes it."""
    record = {"level": normalize_level(level), "message": str(message)}
    if target is not None:
        record["target"] = str(target)
    if fields:
        record["fields"] = {str(k): _jsonable(v) for k, v in dict(fields).items()}
    line = json.dumps(record, ensure_ascii=False)
    with _lock:
        out = sys.stdout
        out.write(line + "\n")
        out.flush()


class DoraLogHandler(logging.Handler):
    """A ``logging`` handler that writes dora log lines."""

    def emit(self, record: logging.LogRecord) -> None:  # noqa: D102
        try:
            message = record.getMessage()
            if record.exc_info:
                message += "\n" + logging.Formatter().formatException(record.exc_info)
            emit(record.levelno, message, record.name)
        except Exception:  # never let logging break the node
            self.handleError(record)


def install_logging_bridge() -> None:
    """Routes Python ``logging`` into the node's log (once per process).

    The root level is lowered to INFO when nobody configured it, as the
    original dora does; the daemon's ``min_log_level`` filters further.
    """
    root = logging.getLogger()
    if any(isinstance(h, DoraLogHandler) for h in root.handlers):
        return
    if not root.handlers and root.level == logging.WARNING:
        root.setLevel(logging.INFO)
    root.addHandler(DoraLogHandler())
