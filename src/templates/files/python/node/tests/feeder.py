"""Sends [1], [2], [3] on `numbers`, then exits."""

import pyarrow as pa
from dora import Node

node = Node()
sent = 0
for event in node:
    if event["type"] == "INPUT":
        sent += 1
        node.send_output("numbers", pa.array([sent]))
        if sent == 3:
            break
