"""``dora.build`` and ``dora.run``: the dora command line from Python.

The original package runs its CLI in-process; here the ``dora`` program is
started (``$DORA`` names it when it is not ``dora`` on PATH, e.g.
``DORA="/path/to/checkout/scripts/dora.sh"``). A failure raises
``RuntimeError`` naming the command and its exit code; its output went to the
terminal already.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess


def _dora() -> list[str]:
    command = shlex.split(os.environ.get("DORA", "")) or ["dora"]
    if os.sep not in command[0] and shutil.which(command[0]) is None:
        raise RuntimeError(
            f"cannot find the dora command `{command[0]}`: put dora on PATH "
            "(deno task install) or set DORA to its command line"
        )
    return command


def _call(args: list[str]) -> None:
    command = [*_dora(), *args]
    code = subprocess.call(command)
    if code != 0:
        raise RuntimeError(f"`dora {' '.join(args)}` failed with exit code {code}")


def build(
    dataflow_path: str,
    uv: bool | None = None,
    coordinator_addr: str | None = None,
    coordinator_port: int | None = None,
    force_local: bool = False,
) -> None:
    """Builds a dataflow, as ``dora build`` does."""
    args = ["build", str(dataflow_path)]
    if uv:
        args.append("--uv")
    if coordinator_addr is not None:
        args += ["--coordinator-addr", str(coordinator_addr)]
    if coordinator_port is not None:
        args += ["--coordinator-port", str(coordinator_port)]
    if force_local:
        args.append("--local")
    _call(args)


def run(dataflow_path: str, uv: bool | None = None, stop_after: float | None = None) -> None:
    """Runs a dataflow, as ``dora run`` does (blocks until it ends)."""
    args = ["run", str(dataflow_path)]
    if uv:
        args.append("--uv")
    if stop_after is not None:
        args += ["--stop-after", f"{round(float(stop_after) * 1000)}ms"]
    _call(args)
