"""___name___: a dora node. Every message on input `in` is sent on, unchanged,
on output `out`; it finishes when its inputs close or the dataflow stops."""

from dora import Node


def main():
    node = Node()
    for event in node:
        if event["type"] == "INPUT" and event["id"] == "in":
            node.send_output("out", event["value"], event["metadata"])
        elif event["type"] == "STOP":
            break


if __name__ == "__main__":
    main()
