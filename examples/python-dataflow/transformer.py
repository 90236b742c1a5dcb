"""Doubles every number and passes the image on unchanged."""

import logging

import pyarrow.compute as pc
from dora import Node

node = Node()
for event in node:
    if event["type"] == "INPUT":
        if event["id"] == "numbers":
            node.send_output("doubled", pc.multiply(event["value"], 2), event["metadata"])
        elif event["id"] == "image":
            node.send_output("image", event["value"], event["metadata"])
            logging.info("forwarded a %d-byte image", len(event["value"]))
    elif event["type"] == "STOP":
        break
