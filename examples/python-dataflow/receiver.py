"""Checks what arrives and prints `SUCCESS` (exit 0) or the problem (exit 1)."""

import sys

import numpy as np
from dora import Node

node = Node()
seqs = []
image_ok = False
stop_cause = None
for event in node:
    if event["type"] == "INPUT" and event["id"] == "doubled":
        seq = event["metadata"]["seq"]
        assert event["value"].to_pylist() == [2 * seq, 2 * seq + 2, 2 * seq + 4], event["value"]
        assert event["metadata"]["timestamp"].tzinfo is not None
        seqs.append(seq)
    elif event["type"] == "INPUT" and event["id"] == "image":
        pixels = event["value"].to_numpy()
        expected = (np.arange(1024 * 1024) % 251).astype(np.uint8)
        image_ok = event["metadata"]["width"] == 1024 and np.array_equal(pixels, expected)
    elif event["type"] == "STOP":
        stop_cause = event["id"]
        break

if seqs == list(range(20)) and image_ok:
    print(f"SUCCESS: received 20 doubled messages in order and a bit-exact image (stop: {stop_cause})")
else:
    print(f"FAILURE: seqs={seqs} image_ok={image_ok} stop={stop_cause}", file=sys.stderr)
    sys.exit(1)
