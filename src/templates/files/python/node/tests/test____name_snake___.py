"""Runs the node in `tests/dataflow.yml` with `dora run` and checks its output.

`DORA` names the dora command when it is not `dora` on PATH.
"""

import os
import pathlib
import shlex
import subprocess

HERE = pathlib.Path(__file__).resolve().parent


def test____name_snake____passes_messages_on():
    dora = shlex.split(os.environ.get("DORA", "dora"))
    result = subprocess.run(
        [*dora, "run", str(HERE / "dataflow.yml")],
        cwd=HERE,
        capture_output=True,
        text=True,
        timeout=300,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "checker got [1, 2, 3]" in output, output


if __name__ == "__main__":
    test____name_snake____passes_messages_on()
    print("ok")
