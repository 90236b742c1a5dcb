"""The node the dynamic-change benchmark adds: prints the wall-clock time of
its first input, and of every PARAM_UPDATE with the value it carried."""

import time

from dora import Node

node = Node()
first = True
for event in node:
    if event["type"] == "INPUT" and first:
        first = False
        print(f"FIRST {time.time() * 1000:.3f}", flush=True)
    elif event["type"] == "PARAM_UPDATE":
        print(f"PARAM {event['value']} {time.time() * 1000:.3f}", flush=True)
