"""A node whose parent (the daemon) disappears exits and unlinks its regions."""

from __future__ import annotations

import glob
import os
import subprocess
import sys
import time

from fake_daemon import FakeDaemon

PKG = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

NODE = """
import numpy as np
from dora import Node
node = Node()
node.send_output("out", np.zeros(100_000, np.float32))  # creates a pool region
print("ready", flush=True)
for event in node:
    pass
"""

MIDDLE = """
import subprocess, sys, os
child = subprocess.Popen([sys.executable, "-c", sys.argv[1]], stdout=subprocess.PIPE)
line = child.stdout.readline()
print(child.pid, line.decode().strip(), flush=True)
os._exit(0)  # the node's parent is gone: it is re-parented
"""


def _gone(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/status") as f:
            return any(line.startswith("State:") and "Z" in line for line in f)
    except FileNotFoundError:
        return True


def test_node_exits_when_its_parent_dies(tmp_path):
    daemon = FakeDaemon(tmp_path, dataflow_id="feedbeef-0000")
    env = dict(os.environ, DORA_NODE_CONFIG=daemon.config(), PYTHONPATH=PKG)
    out = subprocess.run([sys.executable, "-c", MIDDLE, NODE], env=env, capture_output=True, timeout=30)
    pid_text, status = out.stdout.decode().split()
    pid = int(pid_text)
    assert status == "ready"
    new, _ = daemon.expect("shm_new")
    region = "/dev/shm/" + new["name"].lstrip("/")
    deadline = time.monotonic() + 20
    while not _gone(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        assert _gone(pid), "the orphaned node is still running"
        assert not os.path.exists(region), "the orphaned node left its region behind"
    finally:
        if not _gone(pid):
            os.kill(pid, 9)
        for leftover in glob.glob("/dev/shm/dora-feedbeef-*"):
            os.unlink(leftover)
        daemon.close()
