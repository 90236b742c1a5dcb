"""Applies the planner's commands (prints them) and checks every one arrived."""

import sys

from dora import Node

from dataflow_types import MotorNode

node: MotorNode = Node()
frames = []
for event in node:
    if event["type"] == "STOP":
        break
    if event["type"] == "INPUT":
        command = event["value"][0]
        frame = command["frame"].as_py()
        frames.append(frame)
        turn = command["twist"].as_py()["angular"]["z"]
        print(f"frame {frame}: target {command['target'].as_py()}, turn {turn:+.2f} rad/s")
if frames == list(range(20)):
    print("SUCCESS: 20 typed commands")
else:
    print(f"FAILED: got frames {frames}")
    sys.exit(1)
