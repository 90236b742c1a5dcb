"""Benchmark sink: latency = arrival - metadata timestamp; throughput in msg/s."""

import os
import time

from dora import Node

from bench_plan import label

LABEL = os.environ.get("BENCH_LABEL", "py")


def stats(samples):
    s = sorted(samples)
    n = len(s)

    def pct(p):
        return s[round(p / 100 * (n - 1))]

    return [n, sum(s) // n, pct(50), pct(95), pct(99), pct(99.9), s[0], s[-1]]


rows = []
latency = {"size": None, "samples": []}
through = {"size": None, "n": 0, "first": 0, "cpu": 0.0}


def flush_latency():
    if latency["samples"]:
        size = latency["size"]
        n, avg, p50, p95, p99, p999, lo, hi = stats(latency["samples"])
        rows.append(f"latency,{size},{label(size)},{n},{avg},{p50},{p95},{p99},{p999},{lo},{hi}")
        print(f"{LABEL} latency {label(size):>6}: n={n} p50={p50 / 1000:.1f}us "
              f"p99={p99 / 1000:.1f}us avg={avg / 1000:.1f}us")
    latency["samples"] = []


node = Node()
for event in node:
    if event["type"] != "INPUT":
        if event["type"] == "ERROR":
            print(f"{LABEL} sink error: {event.get('error')}", flush=True)
        continue
    # As the original's sink: the data's length, then the clock.
    size = len(event["value"])
    now = time.time_ns()
    if event["id"] == "latency":
        if size != latency["size"]:
            flush_latency()
            latency["size"] = size
        latency["samples"].append(now - event["metadata"]["timestamp"].ns)
    elif event["id"] == "throughput":
        if size == 1 and through["n"]:  # the sentinel
            elapsed = now - through["first"]
            rate = through["n"] / (elapsed / 1e9)
            s = through["size"]
            rows.append(f"throughput,{s},{label(s)},{through['n']},{rate:.0f},{elapsed},0,0,0,0,0")
            cpu_us = (time.process_time() - through["cpu"]) / through["n"] * 1e6
            print(f"{LABEL} throughput {label(s):>6}: {rate:.0f} msg/s "
                  f"(sink CPU {cpu_us:.1f} us/msg)")
            through["n"] = 0
        elif size != 1:
            if through["n"] == 0:
                through["first"] = now
                through["cpu"] = time.process_time()
                through["size"] = size
            through["n"] += 1
flush_latency()

path = os.environ.get("BENCH_CSV")
if path:
    with open(path, "a") as f:
        f.write("".join(row + "\n" for row in rows))
print(f"{LABEL} sink done: {len(rows)} rows")
