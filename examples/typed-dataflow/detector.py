"""Finds the bright pixels of each camera frame and reports their bounding box."""

import numpy as np
import pyarrow as pa
from dora import Node

from dataflow_types import Detection, DetectorNode

node: DetectorNode = Node()
for event in node:
    if event["type"] == "STOP":
        break
    if event["type"] != "INPUT":
        continue
    image = event["value"][0]
    width, height = image["width"].as_py(), image["height"].as_py()
    pixels = np.frombuffer(image["data"].as_py(), dtype=np.uint8).reshape(height, width, 3)
    ys, xs = np.nonzero(pixels.max(axis=2) > 128)
    boxes = []
    if len(xs):
        boxes.append({
            "x": float(xs.min()), "y": float(ys.min()),
            "width": float(xs.max() - xs.min() + 1), "height": float(ys.max() - ys.min() + 1),
            "confidence": 1.0, "label": "square",
        })
    node.send_output("detections", pa.array([{"boxes": boxes}], type=Detection), event["metadata"])
