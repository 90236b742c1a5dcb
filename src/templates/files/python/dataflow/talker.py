"""Sends COUNT greetings on `greeting`, one per timer tick, then exits."""

import os

import pyarrow as pa
from dora import Node


def main():
    count = int(os.environ.get("COUNT", "5"))
    node = Node()
    sent = 0
    for event in node:
        if event["type"] == "INPUT" and event["id"] == "tick":
            sent += 1
            node.send_output("greeting", pa.array([f"hello {sent}"]), {"seq": sent})
            if sent == count:
                break
        elif event["type"] == "STOP":
            break
    node.log("info", f"talker sent {sent} greetings")


if __name__ == "__main__":
    main()
