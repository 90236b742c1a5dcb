"""The benchmark plan shared by the Python sender and sink (see docs/benchmark.md).

Mirrors the original dora benchmark: for each size, latency messages spaced
5 ms apart, then back-to-back throughput messages and a 1-byte sentinel.
BENCH_QUICK=1 shrinks it to a few sizes and messages (for the test suite).
"""

import os

SIZES = [0, 8, 64, 512, 2048, 4096, 16384, 40960, 409600, 4096000, 40960000]
QUICK_SIZES = [0, 8, 4096, 409600]


SMALL = 4096  # sizes up to this get the long throughput phase
TINY = 64  # sizes up to this get the longest one (the 8-byte target)


def throughput_n(size: int, quick: bool) -> int:
    """Messages per throughput phase: 100 like the original, many more for
    small messages (100 messages at 100 000 msg/s last 1 ms, and the first
    tens of thousands run while the JIT warms up). BENCH_THROUGHPUT_N sets
    every size."""
    fixed = os.environ.get("BENCH_THROUGHPUT_N")
    if fixed:
        return int(fixed)
    if quick:
        return 2000 if size <= SMALL else 20
    return 200_000 if size <= TINY else 50_000 if size <= SMALL else 100


def plan():
    quick = os.environ.get("BENCH_QUICK", "") not in ("", "0")
    sizes = os.environ.get("BENCH_SIZES")
    return {
        "sizes": [int(x) for x in sizes.split(",")] if sizes else QUICK_SIZES if quick else SIZES,
        "latency_n": 20 if quick else 100,
        "throughput_n": lambda size: throughput_n(size, quick),
        "gap_s": 0.005,
        "pause_s": float(os.environ.get("BENCH_PAUSE_MS", "50" if quick else "500")) / 1000,
    }


def label(size: int) -> str:
    """The original's labels: integer division (4 096 000 B is "3MB")."""
    if size >= 1024 * 1024:
        return f"{size // (1024 * 1024)}MB"
    if size >= 1024:
        return f"{size // 1024}KB"
    return f"{size}B"
