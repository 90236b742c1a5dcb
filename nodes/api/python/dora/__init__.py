"""dora node API for Python: the same surface as the original dora package.

.. code-block:: python

    from dora import Node

    node = Node()
    for event in node:
        if event["type"] == "INPUT":
            node.send_output("out", event["value"], event["metadata"])

Wire protocol: docs/protocol.md. Only pyarrow is required (numpy is used when
installed, e.g. by ``send_output_raw``).
"""

import enum

from ._log import DoraLogHandler
from ._metadata import Timestamp
from ._cli import build, run
from ._node import Node, Sample
from ._type_check import TypeCheckError

__version__ = "0.1.0"


class DoraStatus(enum.Enum):
    """What a Python operator's ``on_event`` returns (docs/operators.md):
    ``CONTINUE``; ``STOP`` ends this operator (its outputs close); ``STOP_ALL``
    stops the whole dataflow."""

    CONTINUE = 0
    STOP = 1
    STOP_ALL = 2


__all__ = [
    "Node",
    "Sample",
    "Timestamp",
    "DoraLogHandler",
    "DoraStatus",
    "TypeCheckError",
    "build",
    "run",
    "__version__",
]
