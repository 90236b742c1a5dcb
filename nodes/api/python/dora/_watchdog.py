"""No node survives its daemon: the process exits when the daemon that
started it is gone (the TypeScript node API's counterpart is ``watchdog.ts``;
EOF on the daemon socket is handled by the node itself).
"""

from __future__ import annotations

import os
import sys
import threading
import time


def start_watchdog(parent_pid, pool) -> None:
    """Exits the process when the daemon that started it is gone."""
    if parent_pid is None:
        return  # a dynamic node started by hand: only the socket's EOF ends it
    # Usually the daemon itself; if a wrapper started us, watch the pid we have.
    start_ppid = os.getppid()

    def watch():
        while True:
            time.sleep(0.5)
            if os.getppid() != start_ppid:
                sys.stderr.write("dora: the daemon that started this node is gone; exiting\n")
                sys.stderr.flush()
                pool.close()
                os._exit(1)

    threading.Thread(target=watch, name="dora-parent-watchdog", daemon=True).start()
