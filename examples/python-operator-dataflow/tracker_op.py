"""Tracks the box from frame to frame and sends [frame_id, x, velocity]."""

import pyarrow as pa
from dora import DoraStatus


class Operator:
    def __init__(self):
        self.last_x = None

    def on_event(self, dora_event, send_output) -> DoraStatus:
        if dora_event["type"] == "INPUT":
            x = dora_event["value"][0].as_py()
            velocity = 0.0 if self.last_x is None else x - self.last_x
            self.last_x = x
            frame_id = dora_event["metadata"]["frame_id"]
            send_output("track", pa.array([float(frame_id), x, velocity]), dora_event["metadata"])
        elif dora_event["type"] == "INPUT_CLOSED":
            print(f"input {dora_event['id']} closed after x={self.last_x}")
        return DoraStatus.CONTINUE
