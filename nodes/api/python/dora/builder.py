"""Define a dataflow in Python and write it as YAML (``dora.builder``).

The same surface as the original dora package's builder:

.. code-block:: python

    from dora.builder import DataflowBuilder

    flow = DataflowBuilder(name="demo")
    talker = flow.add_node(id="talker", path="talker.py")
    talker.add_input("tick", "dora/timer/millis/100")
    greeting = talker.add_output("greeting")
    listener = flow.add_node(id="listener", path="listener.py")
    listener.add_input("greeting", greeting)
    flow.to_yaml("dataflow.yml")  # then: dora run dataflow.yml (or flow.run())

``to_yaml`` writes the descriptor itself (no PyYAML needed): node keys in the
order they were set, values that YAML could misread quoted.
"""

from __future__ import annotations

import json
import os
import re
import tempfile

__all__ = ["DataflowBuilder", "Node", "Operator", "Output"]


class Output:
    """An output of a node: pass it to ``add_input`` to wire it (``node/output``)."""

    def __init__(self, node: "Node", output_id: str):
        self.node = node
        self.output_id = output_id

    def __str__(self) -> str:
        return f"{self.node.id}/{self.output_id}"

    def __repr__(self) -> str:
        return f"Output({self})"


class Operator:
    """An operator of a runtime node (``operators:`` in the YAML)."""

    def __init__(
        self,
        id: str,
        name: str | None = None,
        description: str | None = None,
        build: str | None = None,
        python: str | None = None,
        shared_library: str | None = None,
        send_stdout_as: str | None = None,
    ):
        self.id = id
        self.config: dict = {"id": id}
        for key, value in (
            ("name", name),
            ("description", description),
            ("build", build),
            ("python", python),
            ("shared-library", shared_library),
            ("send_stdout_as", send_stdout_as),
        ):
            if value is not None:
                self.config[key] = value

    def to_dict(self) -> dict:
        """The operator as a descriptor mapping."""
        return dict(self.config)


class Node:
    """A node of the dataflow; every keyword of ``add_node`` is a YAML key."""

    def __init__(self, id: str, **kwargs):
        self.id = id
        self.config: dict = {"id": id, **kwargs}
        self.operators: list[Operator] = []

    def path(self, path: str) -> "Node":
        """Sets the executable or script to run."""
        self.config["path"] = path
        return self

    def args(self, args: str) -> "Node":
        """Sets the command-line arguments."""
        self.config["args"] = args
        return self

    def env(self, env: dict) -> "Node":
        """Sets the environment variables."""
        self.config["env"] = env
        return self

    def build(self, build_command: str) -> "Node":
        """Sets the command that builds the node (run before the dataflow)."""
        self.config["build"] = build_command
        return self

    def git(self, url: str, branch: str | None = None, tag: str | None = None, rev: str | None = None) -> "Node":
        """Builds and runs the node from a git repository (one of branch/tag/rev)."""
        self.config["git"] = url
        for key, value in (("branch", branch), ("tag", tag), ("rev", rev)):
            if value is not None:
                self.config[key] = value
        return self

    def add_operator(self, operator: Operator) -> "Node":
        """Adds an operator (makes this a runtime node)."""
        self.operators.append(operator)
        return self

    def add_output(self, output_id: str) -> Output:
        """Declares an output and returns its handle for ``add_input``."""
        outputs = self.config.setdefault("outputs", [])
        if output_id not in outputs:
            outputs.append(output_id)
        return Output(self, output_id)

    def add_input(self, input_id: str, source: str | Output, queue_size: int | None = None) -> "Node":
        """Adds an input from an ``Output``, ``"node/output"`` or a timer (``dora/timer/…``)."""
        inputs = self.config.setdefault("inputs", {})
        text = str(source)
        inputs[input_id] = text if queue_size is None else {"source": text, "queue_size": queue_size}
        return self

    def to_dict(self) -> dict:
        """The node as a descriptor mapping."""
        config = dict(self.config)
        if self.operators:
            config["operators"] = [op.to_dict() for op in self.operators]
        return config


class DataflowBuilder:
    """A dataflow being defined: add nodes, then ``to_yaml`` (or ``build``/``run``)."""

    def __init__(self, name: str = "dora-dataflow"):
        self.name = name
        self.nodes: list[Node] = []

    def add_node(self, id: str, **kwargs) -> Node:
        """Adds a node; keyword arguments are its YAML keys (``path``, ``env``, …)."""
        if any(n.id == id for n in self.nodes):
            raise ValueError(f"the dataflow already has a node with id {id!r}")
        node = Node(id, **kwargs)
        self.nodes.append(node)
        return node

    def to_dict(self) -> dict:
        """The dataflow as a descriptor mapping."""
        return {"nodes": [node.to_dict() for node in self.nodes]}

    def to_yaml(self, path: str | None = None) -> str | None:
        """Writes the YAML to ``path``, or returns it when no path is given."""
        text = f"# {self.name}: written by dora.builder\n" + _yaml(self.to_dict(), 0)
        if path is None:
            return text
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return None

    def build(self, path: str = "dataflow.yml", uv: bool | None = None) -> None:
        """Writes the YAML to ``path`` and runs ``dora build`` on it."""
        from . import _cli

        self.to_yaml(path)
        _cli.build(path, uv=uv)

    def run(self, path: str | None = None, uv: bool | None = None, stop_after: float | None = None) -> None:
        """Writes the YAML (to ``path`` or a temporary file) and runs ``dora run`` on it."""
        from . import _cli

        if path is not None:
            self.to_yaml(path)
            _cli.run(path, uv=uv, stop_after=stop_after)
            return
        fd, temp = tempfile.mkstemp(suffix=".yml", prefix=f"{self.name}-", dir=os.getcwd())
        os.close(fd)
        try:
            self.to_yaml(temp)
            _cli.run(temp, uv=uv, stop_after=stop_after)
        finally:
            os.unlink(temp)

    def __enter__(self) -> "DataflowBuilder":
        return self

    def __exit__(self, exc_type, exc_val, exc_tb) -> None:
        return None


_PLAIN = re.compile(r"^[A-Za-z_./][A-Za-z0-9_./:@+-]*$")
_RESERVED = {"true", "false", "yes", "no", "on", "off", "null", "y", "n", "~"}


def _scalar(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, (int, float)):
        return json.dumps(value)
    text = str(value)
    if _PLAIN.match(text) and text.lower() not in _RESERVED:
        return text
    return json.dumps(text, ensure_ascii=False)


def _yaml(value, indent: int) -> str:
    pad = " " * indent
    if isinstance(value, dict):
        if not value:
            return "{}\n"
        lines = []
        for key, item in value.items():
            if isinstance(item, (dict, list)) and item:
                lines.append(f"{pad}{_scalar(key)}:\n{_yaml(item, indent + 2)}")
            else:
                lines.append(f"{pad}{_scalar(key)}: {_yaml(item, indent + 2).strip()}\n")
        return "".join(lines)
    if isinstance(value, list):
        if not value:
            return "[]\n"
        lines = []
        for item in value:
            body = _yaml(item, indent + 2)
            if isinstance(item, (dict, list)) and item:
                lines.append(f"{pad}- {body.lstrip()}")
            else:
                lines.append(f"{pad}- {body.strip()}\n")
        return "".join(lines)
    if isinstance(value, Output):
        return _scalar(str(value)) + "\n"
    return _scalar(value) + "\n"
