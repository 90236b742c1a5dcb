"""Sends 20 small arrays on `numbers` and one 1 MB image on `image`, then exits."""

import numpy as np
import pyarrow as pa
from dora import Node

COUNT = 20

node = Node()
sent = 0
for event in node:
    if event["type"] == "INPUT" and event["id"] == "tick":
        node.send_output("numbers", pa.array([sent, sent + 1, sent + 2], pa.int64()), {"seq": sent})
        sent += 1
        if sent == COUNT:
            # Big enough for shared memory: the receivers read it in place.
            image = (np.arange(1024 * 1024) % 251).astype(np.uint8)
            node.send_output("image", image, {"width": 1024, "height": 1024})
            break
    elif event["type"] == "STOP":
        break
node.log("info", f"sent {sent} messages", fields={"count": sent})
