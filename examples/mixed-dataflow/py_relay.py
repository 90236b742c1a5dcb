"""Doubles TypeScript's numbers and answers TypeScript's 10 MB with its own."""

import numpy as np
import pyarrow as pa
from dora import Node

from pattern import pattern

node = Node()
seen = 0
for event in node:
    if event["type"] == "INPUT" and event["id"] == "numbers":
        md = event["metadata"]
        values = event["value"].to_numpy()
        assert event["value"].type == pa.float32(), event["value"].type
        assert md["from"] == "ts" and values.tolist() == [md["seq"], md["seq"] + 0.5], (md, values)
        node.send_output("doubled", pa.array(values * 2), {"seq": md["seq"], "from": "py"})
        seen += 1
    elif event["type"] == "INPUT" and event["id"] == "big":
        got = event["value"].to_numpy()
        exact = got.dtype == np.float32 and np.array_equal(got.view(np.uint32), pattern(1).view(np.uint32))
        print(f"10 MB from TypeScript bit-exact: {exact}")
        node.send_output("big_back", pattern(2), {"seed": 2, "ok": bool(exact)})
    elif event["type"] == "STOP":
        break
node.log("info", f"relayed {seen} arrays")
