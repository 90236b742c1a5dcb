"""Puts the package (nodes/api/python) and this folder on sys.path."""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, HERE)

import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _remove_own_regions():
    """Nodes under test run in this process and may create shared-memory
    regions; with no real daemon to unlink them, each test removes its own
    (their names carry the creating pid)."""
    yield
    marker = f"-{os.getpid()}-"
    try:
        names = os.listdir("/dev/shm")
    except OSError:
        return
    for name in names:
        if name.startswith("dora-") and marker in name:
            try:
                os.unlink(os.path.join("/dev/shm", name))
            except OSError:
                pass
