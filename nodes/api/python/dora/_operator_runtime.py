"""The Python operator runtime: ``python -m dora._operator_runtime``, started by
dora for a node whose operators are Python files (``operator: {python: ...}``).

It runs the original dora's Python operator API unchanged: each file defines
``class Operator`` with ``on_event(self, dora_event, send_output)`` returning a
``DoraStatus``. Several operators share one process and one node connection
(the public ``Node`` API); an output read by another operator of the same node
goes straight into that operator's queue, without a socket.

Order of things: every module is imported first (a missing file or a module
without ``Operator`` fails the start, naming node, operator and file); then
the node connects; then each ``Operator()`` is created and events flow. An
exception in ``__init__`` or ``on_event`` fails the whole node (exit code 1)
with its traceback. ``DORA_RUNTIME_CONFIG`` is described in docs/operators.md.
"""

from __future__ import annotations

import collections
import importlib.util
import json
import os
import sys
import threading
import traceback

import pyarrow as pa

from . import DoraStatus
from . import _log
from ._to_arrow import to_arrow
from ._layout import decode_array
from ._metadata import Clock, Timestamp
from ._node import Node

RELOAD_INPUT = "dora/reload"
BACKPRESSURE_FACTOR = 10
_LEVELS = ("error", "warn", "info", "debug", "trace", "stdout")


class OperatorLoadError(Exception):
    """An operator that cannot be loaded; the message names it."""


def passes_level(level: str, minimum: str | None) -> bool:
    """Whether a line of ``level`` passes an operator's ``min_log_level``."""
    if minimum is None or minimum == "stdout":
        return True
    if level == "stdout":
        return False
    return _LEVELS.index(level) <= _LEVELS.index(minimum)


class Inbox:
    """One operator's pending events, with a node's queue semantics: control
    events first and never dropped (``INPUT_CLOSED`` of an input after its
    queued data), one bounded queue per input (``drop_oldest``, or
    ``backpressure`` holding ten times ``queue_size``) served least recently
    served first, ``STOP`` (``ALL_INPUTS_CLOSED``) once every input is closed
    and drained, then the end."""

    def __init__(self, inputs: dict, on_drop):
        self._controls: collections.deque = collections.deque()
        self._queues: dict = {}
        for input_id, cfg in inputs.items():
            size = max(1, int(cfg.get("queue_size", 10)))
            cap = size * BACKPRESSURE_FACTOR if cfg.get("queue_policy") == "backpressure" else size
            self._queues[input_id] = {"items": collections.deque(), "cap": cap, "closed": False,
                                      "close_pending": False, "served": 0, "dropped": 0}
        self._served = 0
        self._all_closed = False
        self._end_after_controls = False
        self.ended = False
        self._on_drop = on_drop

    def control(self, event: dict) -> None:
        if not self.ended:
            self._controls.append(event)

    def push(self, input_id: str, event: dict) -> None:
        q = self._queues.get(input_id)
        if q is None or q["closed"] or self.ended:
            return
        q["items"].append(event)
        if len(q["items"]) > q["cap"]:
            q["items"].popleft()
            q["dropped"] += 1
            self._on_drop(input_id, q["dropped"], q["cap"])

    def close(self, input_id: str) -> None:
        q = self._queues.get(input_id)
        if q is None or q["closed"] or self.ended:
            return
        q["closed"] = True
        if q["items"]:
            q["close_pending"] = True
        else:
            self._controls.append({"type": "INPUT_CLOSED", "id": input_id, "kind": "dora"})
        if all(x["closed"] for x in self._queues.values()):
            self._all_closed = True

    def stop(self, event: dict) -> None:
        """``STOP`` ahead of queued inputs (dropped), then the end."""
        if self.ended:
            return
        for q in self._queues.values():
            q["items"].clear()
        self._controls.append(event)
        self._all_closed = False
        self._end_after_controls = True

    def end(self) -> None:
        for q in self._queues.values():
            q["items"].clear()
        self._controls.clear()
        self.ended = True

    def drops(self) -> dict:
        return {k: q["dropped"] for k, q in self._queues.items()}

    def take(self):
        """The next event, ``None`` when none is ready, ``False`` at the end."""
        if self.ended:
            return False
        if self._controls:
            return self._controls.popleft()
        if self._end_after_controls:
            self.ended = True
            return False
        pick = None
        for q in self._queues.values():
            if q["items"] and (pick is None or q["served"] < pick["served"]):
                pick = q
        if pick is not None:
            self._served += 1
            pick["served"] = self._served
            event = pick["items"].popleft()
            if pick["close_pending"] and not pick["items"]:
                pick["close_pending"] = False
                self._controls.append({"type": "INPUT_CLOSED", "id": event["id"], "kind": "dora"})
            return event
        if self._all_closed:
            self._all_closed = False
            self._end_after_controls = True
            return {"type": "STOP", "id": "ALL_INPUTS_CLOSED", "kind": "dora"}
        return None


class _Output:
    """``sys.stdout`` while operators run: lines printed by an operator are
    attributed to it; anything else passes through."""

    def __init__(self, real, runtime: "OperatorRuntime"):
        self._real = real
        self._runtime = runtime
        self._partial: dict = {}
        self._lock = threading.Lock()

    def write(self, text: str) -> int:
        op = self._runtime.current
        if op is None or threading.current_thread() is not threading.main_thread():
            return self._real.write(text)
        with self._lock:
            buf = self._partial.get(op, "") + text
            *lines, rest = buf.split("\n")
            self._partial[op] = rest
        for line in lines:
            self._runtime.on_line(op, line)
        return len(text)

    def flush(self) -> None:
        self._real.flush()

    def flush_operator(self, op: str) -> None:
        with self._lock:
            rest = self._partial.pop(op, "")
        if rest:
            self._runtime.on_line(op, rest)

    def __getattr__(self, name):
        return getattr(self._real, name)


class _Operator:
    """One hosted operator."""

    def __init__(self, node_id: str, config: dict, runtime: "OperatorRuntime"):
        self.config = config
        self.id = config["id"]
        self.name = f'operator "{self.id}" of node "{node_id}"'
        self.file = config["file"]
        self.module_name = os.path.splitext(os.path.basename(self.file))[0]
        self.cls = None
        self.instance = None
        self.done = False
        self.drop_warned: set = set()
        self.inbox = Inbox(config.get("inputs") or {}, self._on_drop)
        self.runtime = runtime
        self.generation = 0

        def send_output(output_id, data, metadata=None):
            runtime.send(self, output_id, data, metadata)

        self.send_output = send_output

    def _on_drop(self, input_id, total, cap):
        if input_id not in self.drop_warned:
            self.drop_warned.add(input_id)
            self.runtime.say("warn", f'{self.name} is dropping messages on input "{input_id}" (queue of {cap}): '
                                     f"it is slower than its sender ({total} so far)")

    def load(self) -> None:
        """Imports the module (the original puts its folder on ``sys.path``)."""
        self.cls = self._import(self.module_name)

    def _import(self, module_name: str):
        if not os.path.isfile(self.file):
            raise OperatorLoadError(f"{self.name}: python file {self.file} not found")
        folder = os.path.dirname(self.file)
        if folder not in sys.path:
            sys.path.append(folder)
        spec = importlib.util.spec_from_file_location(module_name, self.file)
        module = importlib.util.module_from_spec(spec)
        sys.modules[module_name] = module
        try:
            # Compiled from the source as it is now, never from __pycache__:
            # the cache is checked by whole-second mtime and size, so an edit
            # within a second of the last one that keeps the size (`v1` →
            # `v2`) would reload the old code.
            with open(self.file, "rb") as f:
                code = compile(f.read(), self.file, "exec", dont_inherit=True)
            exec(code, module.__dict__)
        except BaseException as e:
            sys.modules.pop(module_name, None)
            raise OperatorLoadError(f"{self.name}: cannot import {self.file}:\n{traceback.format_exc()}"
                                    .rstrip()) from e
        cls = getattr(module, "Operator", None)
        if cls is None or not callable(cls):
            raise OperatorLoadError(f"{self.name}: {self.file} defines no `Operator` class "
                                    "(`class Operator:` with `on_event(self, dora_event, send_output)`)")
        return cls

    def create(self) -> None:
        self.instance = self.cls()

    def reload(self) -> None:
        """A new instance from the file as it is now; the old one stays on failure."""
        self.generation += 1
        cls = self._import(self.module_name)
        instance = cls()
        old, self.cls, self.instance = self.instance, cls, instance
        _drop(old)


def _drop(instance) -> None:
    """The original's teardown: ``drop_operator`` when defined, then the object goes."""
    hook = getattr(instance, "drop_operator", None)
    if callable(hook):
        hook()


class OperatorRuntime:
    """The operators of one runtime node on one ``Node``."""

    def __init__(self, config: dict):
        self.node_id = config["node_id"]
        self.ops = {c["id"]: _Operator(self.node_id, c, self) for c in config["operators"]}
        self.node: Node | None = None
        self.current: str | None = None
        self.clock = Clock()
        self._real_stdout = sys.stdout
        self._real_stderr = sys.stderr
        self._out: _Output | None = None
        self._turn = 0

    # ------------------------------------------------------------ output

    def say(self, level: str, message: str) -> None:
        line = json.dumps({"level": level, "message": message, "target": self.node_id, "fields": {}})
        stream = self._real_stdout if level == "info" else self._real_stderr
        stream.write(line + "\n")
        stream.flush()

    def on_line(self, op_id: str, line: str) -> None:
        """One line an operator printed (or logged through ``logging``)."""
        op = self.ops[op_id]
        level, message = "stdout", line
        if line.startswith("{") and line.endswith("}"):
            try:
                record = json.loads(line)
                if isinstance(record, dict) and isinstance(record.get("message"), str) \
                        and record.get("level") in _LEVELS:
                    level, message = record["level"], record["message"]
            except ValueError:
                pass
        cfg = op.config
        if level == "stdout" and cfg.get("send_stdout_as") and not op.done:
            self._try_send(op, cfg["send_stdout_as"], pa.array([message]))
        if not passes_level(level, cfg.get("min_log_level")):
            return
        out = self._real_stderr if level in ("error", "warn") else self._real_stdout
        out.write(json.dumps({"level": level, "message": message, "target": op_id, "fields": {}},
                             ensure_ascii=False) + "\n")
        out.flush()
        if cfg.get("send_logs_as") and not op.done:
            import datetime

            record = {"ts": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="milliseconds")
                      .replace("+00:00", "Z"), "level": level, "node": self.node_id,
                      "stream": "stderr" if level in ("error", "warn") else "stdout", "msg": message,
                      "target": op_id, "fields": None}
            self._try_send(op, cfg["send_logs_as"], pa.array([json.dumps(record)]))

    def _try_send(self, op, output_id, value) -> None:
        try:
            self.send(op, output_id, value, None)
        except (ValueError, ConnectionError):
            pass  # a closed output: the line is still in the log

    # ------------------------------------------------------------ sending

    def send(self, op: _Operator, output_id: str, data, metadata) -> None:
        route = op.config["outputs"].get(output_id)
        if route is None:
            declared = ", ".join(f'"{o}"' for o in op.config["outputs"]) or "none"
            raise ValueError(f'{op.name} has no output "{output_id}" (declared outputs: {declared}); '
                             "add it to the operator's `outputs:` in the dataflow")
        if op.done:
            raise ValueError(f"{op.name} has stopped")
        params = {k: v for k, v in (metadata or {}).items() if k != "timestamp"} or None
        receivers = [r for r in route["to"] if not self.ops[r["operator"]].done]
        if receivers:
            value = _own_array(data)
            for r in receivers:
                md = dict(params or {})
                md["timestamp"] = Timestamp.from_ns(self.clock.now())
                self.ops[r["operator"]].inbox.push(
                    r["input"], {"type": "INPUT", "id": r["input"], "value": value, "metadata": md,
                                 "kind": "dora"})
        if route["daemon"]:
            self.node.send_output(f"{op.id}/{output_id}", data, params)

    # ------------------------------------------------------------ running

    def _run_operator(self, op: _Operator, fn):
        self.current = op.id
        try:
            return fn()
        finally:
            if self._out is not None:
                self._out.flush_operator(op.id)
            self.current = None

    def fail(self, op: _Operator, what: str) -> None:
        """An operator raised: the whole node fails with the traceback (the
        headline last: the daemon reports the last lines)."""
        sys.stdout.flush()
        tb = traceback.format_exc().rstrip()
        self._real_stderr.write(f"{tb}\nerror: {op.name} {what}: {tb.splitlines()[-1]}\n")
        self._real_stderr.flush()
        os._exit(1)

    def finish(self, op: _Operator) -> None:
        if op.done:
            return
        op.done = True
        op.inbox.end()
        try:
            self._run_operator(op, lambda: _drop(op.instance))
        except Exception:
            self.say("warn", f"{op.name}: drop_operator failed:\n{traceback.format_exc().rstrip()}")
        op.instance = None
        closing = []
        for output_id, route in op.config["outputs"].items():
            if route["daemon"]:
                closing.append(f"{op.id}/{output_id}")
            for r in route["to"]:
                self.ops[r["operator"]].inbox.close(r["input"])
        if closing and self.node is not None:
            try:
                self.node.close_outputs(closing)
            except (ValueError, ConnectionError, OSError):
                pass  # the daemon closes them itself

    def handle(self, op: _Operator, event: dict) -> None:
        """One event of one operator."""
        if event is _RELOAD:
            try:
                self._run_operator(op, op.reload)
                self.say("info", f"{op.name} reloaded from {op.file} (a new instance: its state was reset)")
            except Exception:
                self.say("error", f"{op.name}: reload of {op.file} failed, the running version stays:\n"
                                  f"{traceback.format_exc().rstrip()}")
            return
        try:
            status = self._run_operator(op, lambda: op.instance.on_event(event, op.send_output))
        except Exception:
            self.fail(op, f'failed in on_event ({event["type"]} "{event.get("id")}")')
            return
        value = getattr(status, "value", status)
        if status is None or value == DoraStatus.CONTINUE.value:
            if event["type"] == "STOP":
                self.finish(op)
            return
        if value == DoraStatus.STOP.value:
            self.finish(op)
        elif value == DoraStatus.STOP_ALL.value:
            self.say("info", f"{op.name} returned STOP_ALL")
            self.node.stop_dataflow()
            self.finish(op)
        else:
            try:
                raise ValueError(f"on_event returned {status!r}, not a DoraStatus (CONTINUE, STOP or STOP_ALL)")
            except ValueError:
                self.fail(op, "failed")

    def dispatch(self, event: dict) -> None:
        """One event from the daemon into the inboxes."""
        t = event["type"]
        if t == "INPUT" and event["id"] == RELOAD_INPUT:
            op = self.ops.get(str(event["metadata"].get("operator", "")))
            if op is not None and not op.done:
                op.inbox.control(_RELOAD)
            return
        if t in ("INPUT", "INPUT_CLOSED", "INPUT_RECOVERED"):
            op_id, _, input_id = str(event["id"]).partition("/")
            op = self.ops.get(op_id)
            if op is None or op.done:
                return
            if t == "INPUT":
                self.node.keep(event)
                local = dict(event)
                local["id"] = input_id
                op.inbox.push(input_id, local)
            elif t == "INPUT_CLOSED":
                op.inbox.close(input_id)
            else:
                op.inbox.control({"type": t, "id": input_id, "kind": "dora"})
        elif t == "NODE_RESTARTED":
            for op in self.ops.values():
                if any(i.get("source") == event["id"] for i in op.config["inputs"].values()):
                    op.inbox.control(event)
        elif t == "NODE_FAILED":
            by_op: dict = {}
            for full in (event.get("value") or {}).get("affected_input_ids", []):
                op_id, _, input_id = full.partition("/")
                by_op.setdefault(op_id, []).append(input_id)
            for op_id, inputs in by_op.items():
                op = self.ops.get(op_id)
                if op is not None and not op.done:
                    local = dict(event)
                    local["value"] = dict(event["value"], affected_input_ids=inputs)
                    op.inbox.control(local)
        elif t == "STOP":
            for op in self.ops.values():
                if event.get("id") == "MANUAL" or not op.config["inputs"]:
                    op.inbox.stop(event)
        elif t == "ERROR":
            self.say("error", f"the dora daemon reported: {event.get('error')}")
            for op in self.ops.values():
                op.inbox.control(event)

    def _next_internal(self):
        """The next operator with an event ready (round robin), and the event."""
        ops = list(self.ops.values())
        for i in range(len(ops)):
            op = ops[(self._turn + i) % len(ops)]
            if op.done:
                continue
            event = op.inbox.take()
            if event is False:
                self.finish(op)
                continue
            if event is not None:
                self._turn = (self._turn + i + 1) % len(ops)
                return op, event
        return None, None

    def run(self) -> int:
        for op in self.ops.values():
            op.load()
        self.node = Node()
        self._out = _Output(self._real_stdout, self)
        sys.stdout = self._out
        for op in self.ops.values():
            try:
                self._run_operator(op, op.create)
            except Exception:
                self.fail(op, "failed in __init__")
        stream_open = True
        while not all(op.done for op in self.ops.values()):
            op, event = self._next_internal()
            if op is not None:
                self.handle(op, event)
                # Events of the daemon are not starved by a busy operator chain.
                if stream_open:
                    incoming = self.node.try_recv()
                    if incoming is not None:
                        self.dispatch(incoming)
                continue
            if not stream_open:
                # The stream ended (STOP or the daemon went away) and no
                # operator has an event: one is finished, which may close
                # inputs of the others (their events come first).
                self.finish(next(o for o in self.ops.values() if not o.done))
                continue
            incoming = self.node.next()
            if incoming is None:
                stream_open = False
                continue
            self.dispatch(incoming)
        self._report_drops()
        sys.stdout = self._real_stdout
        self.node.close()
        return 0

    def _report_drops(self) -> None:
        for op in self.ops.values():
            drops = {k: n for k, n in op.inbox.drops().items() if n}
            if drops:
                self.say("warn", f"{op.name} dropped " + ", ".join(f'{n} on "{k}"' for k, n in drops.items()))


_RELOAD = {"type": "RELOAD"}


def _own_array(data) -> pa.Array:
    """What a receiving operator gets: an Arrow array it may keep (mutable
    buffers are copied: the sender may reuse them)."""
    if data is None:
        return decode_array(None, None)
    if isinstance(data, (bytearray, memoryview)):
        data = bytes(data)
    elif type(data).__module__ == "numpy" and type(data).__name__ == "ndarray":
        data = data.copy()
    return to_arrow(data)


def main() -> int:
    raw = os.environ.get("DORA_RUNTIME_CONFIG")
    if raw is None:
        print("error: DORA_RUNTIME_CONFIG is not set: this is dora's Python operator runtime; "
              "`dora run` starts it for nodes with Python operators", file=sys.stderr)
        return 1
    runtime = OperatorRuntime(json.loads(raw))
    try:
        return runtime.run()
    except OperatorLoadError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    _log.install_logging_bridge()
    sys.exit(main())
