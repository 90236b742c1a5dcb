"""Prints the values that came out of the node under test."""

from dora import Node

node = Node()
values = []
for event in node:
    if event["type"] == "INPUT":
        values.extend(event["value"].to_pylist())
print(f"checker got {values}", flush=True)
