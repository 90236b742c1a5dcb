"""Timer benchmark node: counts the ticks of its `tick` input for DURATION
seconds (after the first) and prints one JSON line: ticks, rate, and the
p50/p99/max of the period between ticks as it sees them."""
import json
import os
import time

from dora import Node

duration = float(os.environ.get("DURATION", "5"))
if os.environ.get("RT") == "1":
    try:  # below the runtime's --rt priority (50)
        os.sched_setscheduler(0, os.SCHED_FIFO, os.sched_param(10))
    except (AttributeError, OSError) as e:
        print(f"SCHED_FIFO not permitted: {e}", flush=True)
node = Node()
stamps = []
for event in node:
    if event["type"] != "INPUT":
        continue
    now = time.perf_counter()
    stamps.append(now)
    if now - stamps[0] >= duration:
        break
periods = sorted(b - a for a, b in zip(stamps, stamps[1:]))


def pct(p):
    return periods[round(p / 100 * (len(periods) - 1))] * 1e3


elapsed = stamps[-1] - stamps[0]
print("TIMER " + json.dumps({
    "source": os.environ.get("SOURCE"),
    "ticks": len(stamps) - 1,
    "seconds": round(elapsed, 3),
    "rate": round((len(stamps) - 1) / elapsed, 1),
    "p50_ms": round(pct(50), 4),
    "p99_ms": round(pct(99), 4),
    "max_ms": round(periods[-1] * 1e3, 3),
}), flush=True)
