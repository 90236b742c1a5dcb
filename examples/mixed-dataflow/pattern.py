"""The 10 MB Float32 test patterns (the same formulas as pattern.ts)."""

import numpy as np

BIG_LEN = 10 * 1024 * 1024 // 4  # 10 MiB of float32


def pattern(seed: int) -> np.ndarray:
    i = np.arange(BIG_LEN, dtype=np.uint32)
    # Integer mixing, then reinterpretation: exercises every bit of the floats
    # except NaN payloads (the exponent is kept below 0xff).
    bits = (i * np.uint32(2654435761) + np.uint32(seed)) & np.uint32(0xBF7FFFFF)
    return bits.view(np.float32)
