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

from ._log import DoraLogHandler
from ._metadata import Timestamp
from ._node import Node, Sample

__version__ = "0.1.0"
__all__ = ["Node", "Sample", "Timestamp", "DoraLogHandler", "__version__"]
