"""The Python twin of oneway.ts: `python3 oneway.py recv|send <path> <n>`."""

import json
import socket
import struct
import sys
import time

role, path, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
if role == "recv":
    listener = socket.socket(socket.AF_UNIX)
    listener.bind(path)
    listener.listen()
    print("ready", flush=True)
    conn, _ = listener.accept()
    samples = []
    for _ in range(n):
        buf = b""
        while len(buf) < 8:
            chunk = conn.recv(8 - len(buf))
            if not chunk:
                raise SystemExit("the sender closed the socket")
            buf += chunk
        samples.append((time.time() * 1000 - struct.unpack("<d", buf)[0]) * 1e6)
    samples.sort()
    pct = lambda p: round(samples[round(p / 100 * (len(samples) - 1))])  # noqa: E731
    print(json.dumps({"n": n, "p50": pct(50), "p99": pct(99)}), flush=True)
else:
    conn = socket.socket(socket.AF_UNIX)
    conn.connect(path)
    for _ in range(n):
        time.sleep(0.005)
        conn.sendall(struct.pack("<d", time.time() * 1000))
    conn.close()
