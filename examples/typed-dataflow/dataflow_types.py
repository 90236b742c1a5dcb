# Typed inputs and outputs of dataflow.yml, written by `dora types generate`.
# Do not edit: regenerate after changing the dataflow or its types/ folder.
#
# With a type checker (mypy, pyright; pyarrow-stubs for pyarrow's types):
#
#     from dora import Node
#     from <this module> import CameraNode
#     node: "CameraNode" = Node()
from __future__ import annotations

from typing import Any, Iterator, Literal, Optional, Protocol, TypedDict, Union, overload

import pyarrow as pa

# `std/math/v1/Vector3`: a point or direction in 3D space.
Vector3: pa.StructType = pa.struct([pa.field("x", pa.float64(), nullable=True), pa.field("y", pa.float64(), nullable=True), pa.field("z", pa.float64(), nullable=True)])

# `std/control/v1/Twist`: linear (m/s) and angular (rad/s) velocity.
Twist: pa.StructType = pa.struct([pa.field("linear", Vector3, nullable=True), pa.field("angular", Vector3, nullable=True)])

# `demo/robot/v1/DriveCommand`: a velocity command and why the planner chose it.
DriveCommand: pa.StructType = pa.struct([pa.field("twist", Twist, nullable=True), pa.field("target", pa.string(), nullable=True), pa.field("frame", pa.uint64(), nullable=True)])

# `std/media/v1/Image`: an uncompressed image; data holds height rows of pixels in the given encoding.
Image: pa.StructType = pa.struct([pa.field("width", pa.uint32(), nullable=True), pa.field("height", pa.uint32(), nullable=True), pa.field("encoding", pa.string(), nullable=True), pa.field("data", pa.large_binary(), nullable=True)])

# `std/vision/v1/BoundingBox`: an axis-aligned box around a detected object, with its label and score.
BoundingBox: pa.StructType = pa.struct([pa.field("x", pa.float32(), nullable=True), pa.field("y", pa.float32(), nullable=True), pa.field("width", pa.float32(), nullable=True), pa.field("height", pa.float32(), nullable=True), pa.field("confidence", pa.float32(), nullable=True), pa.field("label", pa.string(), nullable=True)])

# `std/vision/v1/Detection`: every box found in one image.
Detection: pa.StructType = pa.struct([pa.field("boxes", pa.large_list(pa.field("item", BoundingBox, nullable=True)), nullable=True)])

# Node `camera` (camera.ts).
class CameraInputTick(TypedDict):
    """Input tick: a timer tick (an empty array)."""
    type: Literal["INPUT"]
    id: Literal["tick"]
    value: pa.NullArray
    metadata: dict[str, Any]
    kind: Literal["dora"]

class CameraOtherEvent(TypedDict, total=False):
    """Every event but INPUT."""
    type: Literal["INPUT_CLOSED", "INPUT_RECOVERED", "NODE_RESTARTED", "NODE_FAILED", "STOP", "ERROR", "PARAM_UPDATE", "PARAM_DELETED"]
    id: Any
    value: Any
    error: str
    key: str
    kind: Literal["dora"]

CameraEvent = Union[CameraInputTick, CameraOtherEvent]


class CameraNode(Protocol):
    """Node `camera` with typed inputs and outputs."""
    def send_output(self, output_id: Literal["image"], data: pa.StructArray | pa.Array[pa.Scalar[pa.StructType]], metadata: Optional[dict[str, Any]] = None) -> None: ...
    def close_outputs(self, output_ids: list[Literal["image"]]) -> None: ...
    def __iter__(self) -> Iterator[CameraEvent]: ...
    def __next__(self) -> CameraEvent: ...
    def next(self, timeout: Optional[float] = None) -> Optional[CameraEvent]: ...
    def try_recv(self) -> Optional[CameraEvent]: ...
    def drain(self) -> list[CameraEvent]: ...
    def node_id(self) -> str: ...
    def dataflow_id(self) -> str: ...

# Node `detector` (detector.py).
class DetectorInputImage(TypedDict):
    """Input image: std/media/v1/Image[encoding=rgb8]."""
    type: Literal["INPUT"]
    id: Literal["image"]
    value: pa.StructArray
    metadata: dict[str, Any]
    kind: Literal["dora"]

class DetectorOtherEvent(TypedDict, total=False):
    """Every event but INPUT."""
    type: Literal["INPUT_CLOSED", "INPUT_RECOVERED", "NODE_RESTARTED", "NODE_FAILED", "STOP", "ERROR", "PARAM_UPDATE", "PARAM_DELETED"]
    id: Any
    value: Any
    error: str
    key: str
    kind: Literal["dora"]

DetectorEvent = Union[DetectorInputImage, DetectorOtherEvent]


class DetectorNode(Protocol):
    """Node `detector` with typed inputs and outputs."""
    def send_output(self, output_id: Literal["detections"], data: pa.StructArray | pa.Array[pa.Scalar[pa.StructType]], metadata: Optional[dict[str, Any]] = None) -> None: ...
    def close_outputs(self, output_ids: list[Literal["detections"]]) -> None: ...
    def __iter__(self) -> Iterator[DetectorEvent]: ...
    def __next__(self) -> DetectorEvent: ...
    def next(self, timeout: Optional[float] = None) -> Optional[DetectorEvent]: ...
    def try_recv(self) -> Optional[DetectorEvent]: ...
    def drain(self) -> list[DetectorEvent]: ...
    def node_id(self) -> str: ...
    def dataflow_id(self) -> str: ...

# Node `planner` (planner.ts).
class PlannerInputDetections(TypedDict):
    """Input detections: std/vision/v1/Detection (inferred from detector/detections)."""
    type: Literal["INPUT"]
    id: Literal["detections"]
    value: pa.StructArray
    metadata: dict[str, Any]
    kind: Literal["dora"]

class PlannerOtherEvent(TypedDict, total=False):
    """Every event but INPUT."""
    type: Literal["INPUT_CLOSED", "INPUT_RECOVERED", "NODE_RESTARTED", "NODE_FAILED", "STOP", "ERROR", "PARAM_UPDATE", "PARAM_DELETED"]
    id: Any
    value: Any
    error: str
    key: str
    kind: Literal["dora"]

PlannerEvent = Union[PlannerInputDetections, PlannerOtherEvent]


class PlannerNode(Protocol):
    """Node `planner` with typed inputs and outputs."""
    def send_output(self, output_id: Literal["command"], data: pa.StructArray | pa.Array[pa.Scalar[pa.StructType]], metadata: Optional[dict[str, Any]] = None) -> None: ...
    def close_outputs(self, output_ids: list[Literal["command"]]) -> None: ...
    def __iter__(self) -> Iterator[PlannerEvent]: ...
    def __next__(self) -> PlannerEvent: ...
    def next(self, timeout: Optional[float] = None) -> Optional[PlannerEvent]: ...
    def try_recv(self) -> Optional[PlannerEvent]: ...
    def drain(self) -> list[PlannerEvent]: ...
    def node_id(self) -> str: ...
    def dataflow_id(self) -> str: ...

# Node `motor` (motor.py).
class MotorInputCommand(TypedDict):
    """Input command: demo/robot/v1/DriveCommand (inferred from planner/command)."""
    type: Literal["INPUT"]
    id: Literal["command"]
    value: pa.StructArray
    metadata: dict[str, Any]
    kind: Literal["dora"]

class MotorOtherEvent(TypedDict, total=False):
    """Every event but INPUT."""
    type: Literal["INPUT_CLOSED", "INPUT_RECOVERED", "NODE_RESTARTED", "NODE_FAILED", "STOP", "ERROR", "PARAM_UPDATE", "PARAM_DELETED"]
    id: Any
    value: Any
    error: str
    key: str
    kind: Literal["dora"]

MotorEvent = Union[MotorInputCommand, MotorOtherEvent]


class MotorNode(Protocol):
    """Node `motor` with typed inputs and outputs."""
    def close_outputs(self, output_ids: list[str]) -> None: ...
    def __iter__(self) -> Iterator[MotorEvent]: ...
    def __next__(self) -> MotorEvent: ...
    def next(self, timeout: Optional[float] = None) -> Optional[MotorEvent]: ...
    def try_recv(self) -> Optional[MotorEvent]: ...
    def drain(self) -> list[MotorEvent]: ...
    def node_id(self) -> str: ...
    def dataflow_id(self) -> str: ...


def init_node(node_id: Literal["camera", "detector", "planner", "motor"]) -> Any:
    """Starts this process as node `node_id`; fails when it runs as another node."""
    from dora import Node

    node = Node()
    if node.node_id() != node_id:
        raise RuntimeError(
            f"this script runs as node {node.node_id()!r}, but asks for the types of node {node_id!r}"
        )
    return node
