"""The receiver side of direct delivery (docs/protocol.md, "Direct
delivery"): for the inputs the daemon's ``routes`` say come over links, the
node connects to each sender's ``listen`` socket, says ``link``, and reads the
sender's ``input`` / ``input_closed`` frames (the node's event path reads
them together with the daemon socket); shared-memory inputs are released
back over the same link. A restarted sender gets a new link, read once the
old one reached its end, so its messages stay in order. The TypeScript node
API's counterpart is ``_upstream.ts``.
"""

from __future__ import annotations

import os
import socket

from ._frame import FrameReader, encode_frame

PROTOCOL_VERSION = 1


class SenderLink:
    """The link to one process of one sender."""

    __slots__ = ("node", "gen", "key", "sock", "reader", "ended", "paused", "previous", "_release")

    def __init__(self, node: str, gen: int, previous, compile=None, key=None):
        self.node = node
        self.gen = gen
        #: The key the daemon gave for this sender (said in ``link``).
        self.key = key
        self.sock: socket.socket | None = None
        self.reader = FrameReader(compile=compile)
        self.ended = False
        #: Not read while a backpressure input it feeds is full.
        self.paused = False
        #: The sender's previous process's link: read first.
        self.previous = previous
        self._release: list = []

    def readable(self) -> bool:
        return (not self.ended and not self.paused and self.sock is not None
                and (self.previous is None or self.previous.ended))

    def release(self, token: str) -> None:
        """Gives a token back to the sender (written with the next batch)."""
        if not self.ended:
            self._release.append(token)

    def flush_releases(self) -> None:
        if not self._release or self.ended or self.sock is None:
            self._release.clear()
            return
        tokens, self._release = self._release, []
        try:
            self.sock.sendall(b"".join(encode_frame({"t": "release", "tokens": tokens})))
        except OSError:
            pass  # the sender is gone: it released everything itself

    def end(self) -> None:
        if self.ended:
            return
        self.ended = True
        self._release.clear()
        if self.sock is not None:
            try:
                self.sock.close()
            except OSError:
                pass
        self.sock = None


class Upstream:
    """The links of one receiver to its senders."""

    def __init__(self, df: str, node: str, failed, compile=None):
        self._compile = compile
        self._df = df
        self._node = node
        self._failed = failed  # (sender, error) -> None: the daemon relays it instead
        self.live: list = []
        self._newest: dict = {}
        self._sources: dict = {}
        self._closed = False

    def has_links(self) -> bool:
        """Whether some input comes over a link."""
        return bool(self._sources)

    def is_linked(self, input_id: str) -> bool:
        return input_id in self._sources

    def source_of(self, input_id: str):
        return self._sources.get(input_id)

    def inputs_of(self, node: str) -> list:
        return [i for i, n in self._sources.items() if n == node]

    def live_links(self, node: str) -> list:
        return [l for l in self.live if l.node == node]

    def set_routes(self, inputs: dict) -> list:
        """The daemon's ``routes.in``; connects to senders as needed and
        returns the links that ended at once (a sender already gone)."""
        previous = self._sources
        self._sources = {}
        # An input no longer routed keeps its source while that link lives.
        for input_id, node in previous.items():
            if input_id not in inputs and self.live_links(node):
                self._sources[input_id] = node
        wanted: dict = {}
        for input_id, r in inputs.items():
            self._sources[input_id] = r["node"]
            wanted[r["node"]] = r
        ended = []
        if self._closed:
            return ended
        for node, r in wanted.items():
            cur = self._newest.get(node)
            if r.get("sock") is None or (cur is not None and cur.gen >= r["gen"]):
                continue
            link = SenderLink(node, int(r["gen"]), cur if cur is not None and not cur.ended else None,
                              self._compile, r.get("key"))
            self._newest[node] = link
            self.live.append(link)
            if not self._open(link, r["sock"]):
                ended.append(link)
        return ended

    def _open(self, link: SenderLink, path: str) -> bool:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.connect(path)
            hello = {"t": "link", "v": PROTOCOL_VERSION, "df": self._df, "node": self._node,
                     "pid": os.getpid()}
            if link.key is not None:
                hello["key"] = link.key
            sock.sendall(b"".join(encode_frame(hello)))
        except OSError as e:
            sock.close()
            # Refused or missing: that process of the sender is gone (the
            # daemon names the next one); anything else is a failure: the
            # daemon then relays this sender's messages.
            if not isinstance(e, (ConnectionRefusedError, FileNotFoundError)):
                self._failed(link.node, str(e))
            self.finish(link)
            return False
        link.sock = sock
        return True

    def finish(self, link: SenderLink) -> None:
        link.end()
        if link in self.live:
            self.live.remove(link)

    def ended(self, node: str, gen: int) -> bool:
        return not any(l.node == node and l.gen <= gen for l in self.live)

    def close(self) -> None:
        self._closed = True
        for link in list(self.live):
            self.finish(link)
