"""Benchmark sender (no inputs): latency then throughput messages per size."""

import resource
import time

import numpy as np
from dora import Node

from bench_plan import label, plan

node = Node()
p = plan()
rng = np.random.default_rng(42)


def send(output: str, data: np.ndarray) -> None:
    # Written straight into the output's shared-memory sample, as the
    # original's send_output_raw; the timestamp is taken when it is handed over.
    with node.send_output_raw(output, len(data)) as sample:
        sample[:] = data


for size in p["sizes"]:
    data = rng.integers(0, 256, size, dtype=np.uint8)
    for _ in range(p["latency_n"]):
        send("latency", data)
        time.sleep(p["gap_s"])
    time.sleep(p["pause_s"])
    n = p["throughput_n"](size)
    before = resource.getrusage(resource.RUSAGE_SELF)
    for _ in range(n):
        send("throughput", data)
    after = resource.getrusage(resource.RUSAGE_SELF)
    user, system = ((getattr(after, f) - getattr(before, f)) / max(n, 1) * 1e6
                    for f in ("ru_utime", "ru_stime"))
    node.log("info", f"sender CPU {user + system:.1f} us/msg (user {user:.1f}, system {system:.1f}; "
             f"{label(size)} throughput phase)")
    send("throughput", np.ones(1, np.uint8))  # sentinel: ends the size's bracket
    time.sleep(p["pause_s"])
node.log("info", f"benchmark sender done ({len(p['sizes'])} sizes)")
