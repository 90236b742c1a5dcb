"""Passes on the numbers divisible by its `keep_every` parameter (default 2)."""

import pyarrow as pa
from dora import Node

node = Node()
keep_every = node.params().get("keep_every", 2)
print(f"filter: started, keeping every {keep_every}", flush=True)
for event in node:
    if event["type"] == "INPUT":
        n = event["value"].to_pylist()[0]
        if n % keep_every == 0:
            node.send_output("output", pa.array([n], type=pa.int64()), event["metadata"])
    elif event["type"] == "PARAM_UPDATE" and event["key"] == "keep_every":
        keep_every = event["value"]
        print(f"filter: now keeping every {keep_every}", flush=True)
