"""Finds the bright square in each frame and sends its box
[min_x, min_y, max_x, max_y]; prints one line per frame (the dataflow sends
those lines on `stdout` with `send_stdout_as`)."""

import numpy as np
import pyarrow as pa
from dora import DoraStatus

WIDTH, HEIGHT = 64, 48


class Operator:
    def on_event(self, dora_event, send_output) -> DoraStatus:
        if dora_event["type"] == "INPUT" and dora_event["id"] == "image":
            frame = dora_event["value"].to_numpy().reshape((HEIGHT, WIDTH, 3))
            ys, xs = np.nonzero(frame[:, :, 0])
            box = [float(xs.min()), float(ys.min()), float(xs.max()), float(ys.max())]
            send_output("bbox", pa.array(box), dora_event["metadata"])
            print(f"frame {dora_event['metadata']['frame_id']}: box at x={box[0]:.0f}")
        return DoraStatus.CONTINUE
