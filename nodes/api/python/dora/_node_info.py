"""``Node.node_config()`` and ``Node.dataflow_descriptor()`` in the original
dora's shapes, from the node's ``DORA_NODE_CONFIG``.

``node_config()`` is the original's ``NodeRunConfig``: ``inputs`` as written
in the descriptor (``"node/output"`` or ``{"source": …, "queue_size": …}``),
the sorted ``outputs``, and ``output_types`` / ``input_types`` when the node
has them. ``dataflow_descriptor()`` is the dataflow as written, with modules
expanded.
"""

from __future__ import annotations

import copy


def _descriptor_node(config: dict) -> dict | None:
    descriptor = config.get("dataflow_descriptor")
    if not isinstance(descriptor, dict):
        return None
    for node in descriptor.get("nodes") or []:
        if isinstance(node, dict) and node.get("id") == config.get("node_id"):
            return node
    return None


def _input_from_config(spec) -> object:
    """An input in the original's shape from the runtime's resolved config."""
    if not isinstance(spec, dict):
        return spec
    source = spec.get("source")
    extra = {}
    if spec.get("queue_size", 10) != 10:
        extra["queue_size"] = spec["queue_size"]
    if spec.get("queue_policy", "drop_oldest") != "drop_oldest":
        extra["queue_policy"] = spec["queue_policy"]
    if spec.get("input_timeout") is not None:
        extra["input_timeout"] = spec["input_timeout"]
    return {"source": source, **extra} if extra else source


def node_config(config: dict) -> dict:
    """The original's ``NodeRunConfig`` of this node."""
    raw = _descriptor_node(config)
    if raw is not None and isinstance(raw.get("inputs"), dict):
        inputs = copy.deepcopy(raw["inputs"])
    else:
        inputs = {k: _input_from_config(v) for k, v in (config.get("inputs") or {}).items()}
    out = {"inputs": inputs, "outputs": sorted(config.get("outputs") or [])}
    for key in ("output_types", "input_types"):
        if raw is not None and raw.get(key):
            out[key] = copy.deepcopy(raw[key])
    return out


def dataflow_descriptor(config: dict) -> dict:
    """The dataflow this node belongs to, as written (modules expanded)."""
    descriptor = config.get("dataflow_descriptor")
    if not isinstance(descriptor, dict):
        raise RuntimeError(
            "the dataflow descriptor was not passed to this node (it is too big for "
            "DORA_NODE_CONFIG, or the node was started by a dora without it)"
        )
    return copy.deepcopy(descriptor)
