"""Runs the dataflow with `dora run` and checks what the listener printed.

`DORA` names the dora command when it is not `dora` on PATH, e.g.
`DORA="/path/to/dora-checkout/scripts/dora.sh" python3 -m pytest tests`.
"""

import os
import pathlib
import shlex
import subprocess

PROJECT = pathlib.Path(__file__).resolve().parent.parent


def test_listener_receives_every_greeting():
    dora = shlex.split(os.environ.get("DORA", "dora"))
    result = subprocess.run(
        [*dora, "run", str(PROJECT / "dataflow.yml")],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    for i in range(1, 6):
        assert f"listener received: hello {i}" in output, output
    assert "listener: 5 greetings in all" in output, output


if __name__ == "__main__":
    test_listener_receives_every_greeting()
    print("ok")
