"""The node's local event queue (docs/protocol.md, "Direct delivery"): events
are handed out in the order they arrived (from the daemon, which already put
its control events first, and from the links to the senders), and each input
has a bound with its policy: ``drop_oldest`` drops the input's oldest waiting
event (counted), ``backpressure`` never drops and tells the caller to stop
reading that input's sender. ``STOP(ALL_INPUTS_CLOSED)`` waits until
everything queued before it was taken. The TypeScript node API's counterpart
is ``_event_queue.ts``.
"""

from __future__ import annotations

import collections

#: Backpressure inputs hold up to this many times their queue size.
BACKPRESSURE_FACTOR = 10


class _Lane:
    __slots__ = ("entries", "size", "backpressure", "closed", "dropped", "provisional")

    def __init__(self, size: int, backpressure: bool):
        self.entries: collections.deque = collections.deque()
        self.size = size
        self.backpressure = backpressure
        self.closed = False
        self.dropped = 0
        # Made for a message that came before the input's settings (a route
        # added at run time: the link may be faster than the daemon's routes).
        self.provisional = False

    def full(self) -> bool:
        return self.backpressure and len(self.entries) >= self.size * BACKPRESSURE_FACTOR


class EventQueue:
    """Events (any objects) waiting to be handed to the node's code."""

    def __init__(self, inputs: dict):
        # Entries are [item, lane or None, dropped].
        self._fifo: collections.deque = collections.deque()
        self._live = 0
        self._lanes: dict = {}
        self._final = None
        self._final_served = False
        for input_id, policy in (inputs or {}).items():
            self.add_input(input_id, policy or {})

    def add_input(self, input_id: str, policy: dict) -> None:
        """Adds an input (a route added at run time); an existing one is kept,
        but one made before its settings came takes them now."""
        known = self._lanes.get(input_id)
        if known is not None:
            if known.provisional:
                known.provisional = False
                known.size = max(1, int(policy.get("queue_size") or 10))
                known.backpressure = policy.get("queue_policy") == "backpressure"
            return
        size = max(1, int(policy.get("queue_size") or 10))
        self._lanes[input_id] = _Lane(size, policy.get("queue_policy") == "backpressure")

    def _lane(self, input_id: str) -> _Lane:
        lane = self._lanes.get(input_id)
        if lane is None:
            # Until its settings come, it holds its sender back rather than drop.
            self.add_input(input_id, {"queue_policy": "backpressure"})
            lane = self._lanes[input_id]
            lane.provisional = True
        return lane

    def __len__(self) -> int:
        return self._live + (self._final is not None)

    def __bool__(self) -> bool:
        return self._live > 0 or self._final is not None

    def push_control(self, item) -> None:
        """A control event: never dropped."""
        self._fifo.append([item, None, False])
        self._live += 1

    def push_input(self, input_id: str, item, on_drop) -> bool:
        """An input event; on a full ``drop_oldest`` input the oldest waiting
        one is dropped and handed to ``on_drop``. Returns whether the input is
        at its backpressure limit (stop reading its sender)."""
        lane = self._lanes.get(input_id)
        if lane is None:
            lane = self._lane(input_id)
        entry = [item, lane, False]
        self._fifo.append(entry)
        entries = lane.entries
        entries.append(entry)
        self._live += 1
        if len(entries) > lane.size and not lane.backpressure:
            old = entries.popleft()
            old[2] = True
            lane.dropped += 1
            self._live -= 1
            on_drop(old[0])
        return lane.backpressure and len(entries) >= lane.size * BACKPRESSURE_FACTOR

    def is_full(self, input_id: str) -> bool:
        lane = self._lanes.get(input_id)
        return lane is not None and lane.full()

    def close_input(self, input_id: str, item) -> bool:
        """``item`` (INPUT_CLOSED) as a control event, once per input."""
        lane = self._lane(input_id)
        if lane.closed:
            return False
        lane.closed = True
        self.push_control(item)
        return True

    def is_closed(self, input_id: str) -> bool:
        lane = self._lanes.get(input_id)
        return lane is not None and lane.closed

    def push_final_stop(self, item) -> None:
        """``STOP(ALL_INPUTS_CLOSED)``: handed out once everything queued
        before it was taken (once)."""
        if self._final is None and not self._final_served:
            self._final = item

    def unread_inputs(self) -> int:
        """Input events waiting (not yet taken)."""
        return sum(len(lane.entries) for lane in self._lanes.values())

    def drops(self) -> dict:
        return {i: lane.dropped for i, lane in self._lanes.items() if lane.dropped}

    def take(self):
        """The next item, or ``None`` when nothing can be handed out now."""
        fifo = self._fifo
        while fifo:
            item, lane, dropped = entry = fifo.popleft()
            if dropped:
                continue
            if lane is not None:
                lane.entries.popleft()  # the oldest of its input is this one
            self._live -= 1
            return item
        if self._final is not None:
            item, self._final = self._final, None
            self._final_served = True
            return item
        return None

    def clear(self) -> list:
        """Removes every waiting item (the node is closing)."""
        out = [e[0] for e in self._fifo if not e[2]]
        self._fifo.clear()
        for lane in self._lanes.values():
            lane.entries.clear()
        self._live = 0
        return out
