"""Prints every greeting it receives; exits when the talker is done."""

from dora import Node


def main():
    node = Node()
    received = 0
    for event in node:
        if event["type"] == "INPUT" and event["id"] == "greeting":
            received += 1
            print(f"listener received: {event['value'][0].as_py()}", flush=True)
        elif event["type"] == "STOP":
            break
    print(f"listener: {received} greetings in all", flush=True)


if __name__ == "__main__":
    main()
