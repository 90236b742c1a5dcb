"""A synthetic camera: on each tick, a 64x48 RGB frame (9 KB, so it travels
through shared memory) with a white 4x4 square that moves one pixel right per
frame. Stops after 20 frames."""

import numpy as np
import pyarrow as pa
from dora import DoraStatus

WIDTH, HEIGHT, FRAMES = 64, 48, 20


class Operator:
    def __init__(self):
        self.frame_id = 0

    def on_event(self, dora_event, send_output) -> DoraStatus:
        if dora_event["type"] == "INPUT":
            frame = np.zeros((HEIGHT, WIDTH, 3), dtype=np.uint8)
            x, y = 10 + self.frame_id, 20
            frame[y:y + 4, x:x + 4, :] = 255
            send_output("image", pa.array(frame.ravel()), {"frame_id": self.frame_id})
            self.frame_id += 1
            if self.frame_id == FRAMES:
                return DoraStatus.STOP
        return DoraStatus.CONTINUE
