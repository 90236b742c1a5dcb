"""The sender side of direct delivery (docs/protocol.md, "Direct delivery"):
the node listens on its ``listen`` socket, its receivers connect there and say
``link``, and each message of an output is written to every direct receiver
the daemon's ``routes`` name (and to the daemon when the route says so). Per
receiver node one :class:`LinkWriter` keeps the frames in order, also while
that receiver is not connected yet or restarting. The shared-memory regions
lent to receivers come back over their links.

A background thread accepts receivers, reads their ``release`` frames and
writes what waits once the sockets take it; the sending thread writes at once
when a link is idle. The TypeScript node API's counterpart is
``_downstream.ts``.
"""

from __future__ import annotations

import collections
import hashlib
import hmac
import os
import select
import socket
import threading
import time

from ._frame import FrameReader, ProtocolError, encode_frame
from ._link_writer import LinkWriter

PROTOCOL_VERSION = 1
#: Above this many waiting bytes on a link with backpressure inputs, the
#: sender waits for its receiver.
HIGH_WATER = 1 << 20
#: Waiting frames gather this long before the thread writes them.
DELAY_S = 0.0005


class ReceiverLink:
    """The link to one receiver node."""

    __slots__ = ("node", "writer", "slots", "slot_inputs", "held", "routed", "control_slot",
                 "reader", "pid")

    def __init__(self, node: str):
        self.node = node
        self.writer = LinkWriter()
        self.slots: dict = {}
        self.slot_inputs: list = []
        self.held: collections.Counter = collections.Counter()
        self.routed = True
        self.reader: FrameReader | None = None
        #: The ``pid`` the connected process said in its ``link``.
        self.pid = None
        self.control_slot = self.writer.slot(0, True)
        self.slot_inputs.append(None)

    def slot_for(self, input_id: str, queue_size: int, backpressure: bool) -> int:
        slot = self.slots.get(input_id)
        if slot is None:
            slot = self.slots[input_id] = self.writer.slot(queue_size, backpressure)
            self.slot_inputs.append(input_id)
        else:
            self.writer.set_slot(slot, queue_size, backpressure)
        return slot


class Target:
    """One direct receiver of an output."""

    __slots__ = ("link", "slot", "input", "ident", "shm")

    def __init__(self, link: ReceiverLink, slot: int, input_id: str, ident: bytes, shm: bool):
        self.link = link
        self.slot = slot
        self.input = input_id
        #: The input id's UTF-8 bytes (binary headers).
        self.ident = ident
        self.shm = shm


class Route:
    __slots__ = ("daemon", "targets")

    def __init__(self, daemon: bool, targets: list):
        self.daemon = daemon
        self.targets = targets


#: Everything to the daemon (no ``routes`` yet, or an unknown output).
VIA_DAEMON = Route(True, [])


def link_key(sender_secret: str, receiver: str) -> str:
    """The key with which ``receiver`` links to the sender whose secret is ``sender_secret``."""
    return hmac.new(sender_secret.encode(), f"link\0{receiver}".encode(), hashlib.sha256).hexdigest()


class Downstream:
    """The links of one sender to its receivers."""

    def __init__(self, df: str, release, lost, undelivered, warn, secret: str | None = None):
        self._df = df
        #: This process's secret: receivers must link with a key derived from it.
        self._secret = secret
        self._release = release  # token -> None (the pool takes it back)
        self._lost = lost  # (receiver, input) -> None
        self._undelivered = undelivered  # (receiver, count) -> None
        self._warn = warn
        self.lock = threading.Lock()
        self._progress = threading.Condition(self.lock)
        self._links: dict = {}
        self._holders: dict = {}
        self._routes: dict = {}
        self._listener: socket.socket | None = None
        self._wake_r, self._wake_w = os.pipe()
        os.set_blocking(self._wake_w, False)
        self._armed = False
        self._closed = False
        self._thread: threading.Thread | None = None
        #: Receiver processes being replaced, ``(node, pid)``: they get the mark only.
        self._handed_over: set = set()
        #: Links of replaced processes, written up to their mark:
        #: ``[link, writer, reader]`` (their ``release`` frames still count).
        self._finishing: list = []

    # ------------------------------------------------------------ setup

    def listen(self, path: str) -> bool:
        """Listens for receivers at ``path``; False (everything then goes
        through the daemon) when the socket cannot be made."""
        try:
            try:
                os.unlink(path)
            except FileNotFoundError:
                pass
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.bind(path)
            sock.listen(64)
        except OSError as e:
            self._warn(f"cannot listen for direct receivers at {path} ({e}); "
                       "messages go through the daemon")
            return False
        self._listener = sock
        self._thread = threading.Thread(target=self._run, name="dora-links", daemon=True)
        self._thread.start()
        return True

    def route(self, output: str) -> Route:
        return self._routes.get(output, VIA_DAEMON)

    def set_routes(self, out: dict) -> None:
        """The daemon's ``routes.out``: the whole table, replacing the old one."""
        with self.lock:
            before = {(t.link.node, t.input): t for r in self._routes.values() for t in r.targets}
            used = set()
            routes = {}
            for output, r in out.items():
                targets = []
                for t in r.get("to") or []:
                    link = self._link(t["node"])
                    link.routed = True
                    used.add(t["node"])
                    slot = link.slot_for(t["input"], int(t.get("queue_size") or 10),
                                         t.get("queue_policy") == "backpressure")
                    targets.append(Target(link, slot, t["input"], t["input"].encode(),
                                          bool(t.get("shm"))))
                routes[output] = Route(bool(r.get("daemon", True)), targets)
            self._routes = routes
            kept = {(t.link.node, t.input) for r in routes.values() for t in r.targets}
            for key, t in before.items():
                # A route taken away is closed on its link, behind what it carried.
                if key not in kept and t.link.node in used:
                    self._push(t.link, t.link.control_slot,
                               encode_frame({"t": "input_closed", "id": t.input}))
            for link in list(self._links.values()):
                if link.node in used or not link.routed:
                    continue
                link.routed = False
                tokens, frames = link.writer.discard()
                if frames:
                    self._undelivered(link.node, frames)
                for token in tokens:
                    self._unhold(link, token)
                self._drop(link)

    # ------------------------------------------------------------ sending

    def hand_over(self, node: str, pid: int) -> None:
        """The daemon's ``hand_over``: receiver ``node``'s process ``pid`` is
        being replaced. Its link gets what was sent so far, then
        ``handed_over``, and nothing more; what follows waits for the next
        process."""
        with self.lock:
            self._handed_over.add((node, pid))
            link = self._links.get(node)
            if link is None or link.writer.sock is None or link.pid != pid:
                return
            old = link.writer
            link.writer = old.fresh()
            entry = [link, old, link.reader]
            link.reader = None
            old.append(link.control_slot, encode_frame({"t": "handed_over"}))
            self._finishing.append(entry)
            if not old.send_some():
                self._finish_end(entry)
            elif old.waiting():
                self._arm()

    def _finish_end(self, entry) -> None:
        """A replaced process's link ended: what it held is released, except
        what waits for the next process."""
        if entry not in self._finishing:
            return
        self._finishing.remove(entry)
        link, writer, _reader = entry
        sock, writer.sock = writer.sock, None
        if sock is not None:
            try:
                sock.close()
            except OSError:
                pass
        if link.writer.sock is None:  # else the next process holds them now
            self._release_held(link)

    def _write_finishing(self) -> None:
        """Writes what the replaced processes' links still take."""
        for entry in list(self._finishing):
            if entry[1].waiting() and not entry[1].send_some():
                self._finish_end(entry)

    def _read_finishing(self, entry) -> None:
        """A replaced process's ``release`` frames (or its end)."""
        link, writer, reader = entry
        if not self._read_releases(link, writer.sock, reader):
            self._finish_end(entry)

    def lend(self, token: str, count: int) -> None:
        """``count`` holders (links, the daemon) got ``token``."""
        if count == 0:
            self._release(token)
        else:
            with self.lock:
                self._holders[token] = count

    def push(self, target: Target, parts, token=None) -> None:
        """Queues one frame for a target and writes it now when its link is idle."""
        link = target.link
        with self.lock:
            if token is not None:
                link.held[token] += 1
            self._push(link, target.slot, parts, token)

    def _push(self, link: ReceiverLink, slot: int, parts, token=None) -> None:
        writer = link.writer
        for dslot, dtoken in writer.append(slot, parts, token):
            self._lost(link.node, link.slot_inputs[dslot])
            if dtoken is not None:
                self._unhold(link, dtoken)
        if writer.sock is None:
            return
        if writer.due():
            if not writer.send_some():
                self._gone(link)
                return
        if writer.waiting():
            self._arm()

    def _arm(self) -> None:
        """Has the links thread write what waits (soon, not at once)."""
        if self._armed:
            return
        self._armed = True
        try:
            os.write(self._wake_w, b"x")
        except OSError:
            pass

    def attached(self, timeout: float) -> None:
        """Waits until every routed receiver linked, at most ``timeout``
        seconds (at start-up they link right after their routes)."""
        deadline = time.monotonic() + timeout
        with self.lock:
            while not self._closed:
                if all(l.writer.sock is not None for l in self._links.values() if l.routed):
                    return
                left = deadline - time.monotonic()
                if left <= 0:
                    return
                self._progress.wait(min(left, 0.01))

    def busy(self) -> bool:
        """Whether a link with backpressure inputs has much waiting (its
        receiver is full, or restarting): the sender should be held back."""
        with self.lock:
            return not self._closed and any(
                l.writer.backpressured and l.writer.waiting() > HIGH_WATER
                for l in self._links.values())

    def hold_back(self, timeout: float) -> None:
        """Writes what the busy links take, then waits up to ``timeout`` for
        progress."""
        with self.lock:
            busy = [l for l in self._links.values()
                    if l.writer.backpressured and l.writer.waiting() > HIGH_WATER]
            if not busy or self._closed:
                return
            for link in busy:
                if link.writer.sock is not None and not link.writer.send_some():
                    self._gone(link)
            self._progress.wait(timeout)

    def flush(self) -> None:
        """Writes what waits for connected receivers, waiting for their
        sockets (the node is about to block or to close)."""
        deadline = time.monotonic() + 5.0
        with self.lock:
            while True:
                busy = [l for l in self._links.values()
                        if l.writer.sock is not None and l.writer.waiting()]
                for link in busy:
                    if not link.writer.send_some():
                        self._gone(link)
                busy = [l for l in busy if l.writer.sock is not None and l.writer.waiting()]
                self._write_finishing()
                finishing = [e for e in self._finishing if e[1].waiting()]
                if (not busy and not finishing) or time.monotonic() > deadline:
                    return
                self._progress.wait(0.01)

    def kick(self) -> None:
        """Writes now whatever the sockets take (before the node blocks)."""
        with self.lock:
            for link in list(self._links.values()):
                if link.writer.sock is not None and link.writer.waiting():
                    if not link.writer.send_some():
                        self._gone(link)

    # ------------------------------------------------------------ tokens

    def release(self, token: str) -> None:
        """One holder (a link, or the daemon) released ``token``."""
        with self.lock:
            self._release_locked(token)

    def _release_locked(self, token: str) -> None:
        n = self._holders.get(token)
        if n is None:
            return
        if n > 1:
            self._holders[token] = n - 1
        else:
            del self._holders[token]
            self._release(token)

    def _unhold(self, link: ReceiverLink, token: str) -> None:
        n = link.held.get(token, 0)
        if n <= 0:
            return
        if n > 1:
            link.held[token] = n - 1
        else:
            del link.held[token]
        self._release_locked(token)

    # ------------------------------------------------------------ closing

    def relay_pending(self, send) -> None:
        """The node is closing: what waits for receivers that are not
        connected goes to the daemon (``send(receiver, frames)``), which
        delivers it in order; their tokens are the daemon's from then on."""
        with self.lock:
            for link in self._links.values():
                if link.writer.sock is not None or not link.routed or not link.writer.waiting():
                    continue
                frames, tokens = link.writer.take_pending()
                if not frames:
                    continue
                send(link.node, frames)
                for token in tokens:
                    n = link.held.get(token, 0)
                    if n > 1:
                        link.held[token] = n - 1
                    elif n == 1:
                        del link.held[token]

    def close(self) -> None:
        with self.lock:
            if self._closed:
                return
            self._closed = True
            for link in self._links.values():
                self._drop(link)
            for entry in list(self._finishing):
                self._finish_end(entry)
            self._progress.notify_all()
        try:
            if self._listener is not None:
                self._listener.close()
        except OSError:
            pass
        try:
            os.write(self._wake_w, b"x")
        except OSError:
            pass

    # ------------------------------------------------------------ links

    def _link(self, node: str) -> ReceiverLink:
        link = self._links.get(node)
        if link is None:
            link = self._links[node] = ReceiverLink(node)
        return link

    def _drop(self, link: ReceiverLink) -> None:
        sock = link.writer.sock
        link.writer.sock = None
        link.reader = None
        if sock is not None:
            try:
                sock.close()
            except OSError:
                pass

    def _gone(self, link: ReceiverLink) -> None:
        """The receiver's process is gone: it releases nothing more, except
        what was not written at all (that goes to its next process)."""
        self._drop(link)
        link.writer.detach()
        self._release_held(link)

    def _release_held(self, link: ReceiverLink) -> None:
        """Releases what the link's receiver held, except the frames that
        still wait for its next process."""
        pending = link.writer.pending_tokens()
        for token, n in list(link.held.items()):
            for _ in range(n - pending.get(token, 0)):
                self._unhold(link, token)
        self._progress.notify_all()

    def _attach(self, conn: socket.socket, node: str, pid) -> None:
        with self.lock:
            if self._closed:
                conn.close()
                return
            link = self._link(node)
            if (node, pid) in self._handed_over:
                # A process being replaced: it gets the mark only.
                try:
                    conn.sendall(b"".join(encode_frame({"t": "handed_over"})))
                except OSError:
                    pass
                conn.setblocking(False)
                writer = link.writer.fresh()
                writer.sock = conn
                self._finishing.append([link, writer, FrameReader()])
                return
            for entry in [e for e in self._finishing if e[0] is link]:
                self._finish_end(entry)
            if link.writer.sock is not None:
                self._gone(link)  # a new process replaces the old one
            conn.setblocking(False)
            link.writer.sock = conn
            link.pid = pid
            link.reader = FrameReader()
            if not link.writer.send_some():
                self._gone(link)
            self._progress.notify_all()

    def _hello(self, conn: socket.socket) -> None:
        """Reads the receiver's ``link`` frame (it comes at once)."""
        conn.settimeout(2.0)
        reader = FrameReader()
        try:
            while True:
                view = reader.want_into()
                n = conn.recv_into(view)
                if n == 0:
                    conn.close()
                    return
                reader.received(n)
                frames = list(reader.frames())
                if frames:
                    break
        except (OSError, ProtocolError):
            conn.close()
            return
        header = frames[0][0]
        if type(header) is not dict or header.get("t") != "link":
            conn.close()
            return
        if header.get("df") != self._df or header.get("v") != PROTOCOL_VERSION:
            message = (f'link from node "{header.get("node")}" of dataflow {header.get("df")}, '
                       f"not {self._df}" if header.get("df") != self._df else
                       f'protocol version mismatch: receiver speaks {header.get("v")}, '
                       f"sender speaks {PROTOCOL_VERSION}")
            try:
                conn.sendall(b"".join(encode_frame({"t": "error", "message": message})))
            except OSError:
                pass
            conn.close()
            return
        node = str(header.get("node"))
        # Only the node the daemon gave the key to may link as `node`.
        if self._secret is not None:
            key = header.get("key")
            if type(key) is not str or not hmac.compare_digest(key, link_key(self._secret, node)):
                try:
                    conn.sendall(b"".join(encode_frame({
                        "t": "error", "message": f'link as node "{node}" refused: wrong or missing link key'})))
                except OSError:
                    pass
                conn.close()
                self._warn(f'refused a link that claimed to come from node "{node}" (wrong or missing link key)')
                return
        self._attach(conn, node, header.get("pid"))

    def _read(self, link: ReceiverLink) -> None:
        """The receiver's ``release`` frames (or its end)."""
        sock = link.writer.sock
        if sock is None or link.reader is None:
            return
        if not self._read_releases(link, sock, link.reader):
            self._gone(link)

    def _read_releases(self, link: ReceiverLink, sock, reader: FrameReader) -> bool:
        """Reads what ``sock`` has and applies its ``release`` frames; False
        when the connection ended or broke the protocol."""
        try:
            view = reader.want_into()
            n = sock.recv_into(view)
        except (BlockingIOError, InterruptedError):
            return True
        except OSError:
            n = 0
        if n == 0:
            return False
        reader.received(n)
        try:
            for header, _payload in reader.frames():
                if type(header) is dict and header.get("t") == "release":
                    for token in header.get("tokens") or []:
                        self._unhold(link, token)
        except ProtocolError:
            return False
        return True

    def _run(self) -> None:
        listener = self._listener
        while not self._closed:
            with self.lock:
                socks = {l.writer.sock: l for l in self._links.values() if l.writer.sock is not None}
                writable = [s for s, l in socks.items() if l.writer.waiting()]
                finishing = {e[1].sock: e for e in self._finishing if e[1].sock is not None}
                writable += [s for s, e in finishing.items() if e[1].waiting()]
                armed = self._armed
            if armed:
                # Let frames gather, then write what waits.
                time.sleep(DELAY_S)
                with self.lock:
                    self._armed = False
                    for link in list(self._links.values()):
                        if link.writer.sock is not None and link.writer.waiting():
                            if not link.writer.send_some():
                                self._gone(link)
                    self._write_finishing()
                    socks = {l.writer.sock: l for l in self._links.values() if l.writer.sock is not None}
                    writable = [s for s, l in socks.items() if l.writer.waiting()]
                    finishing = {e[1].sock: e for e in self._finishing if e[1].sock is not None}
                    writable += [s for s, e in finishing.items() if e[1].waiting()]
                    self._progress.notify_all()
            try:
                r, w, _ = select.select([listener, self._wake_r, *socks, *finishing], writable, [],
                                        1.0)
            except (OSError, ValueError):
                if self._closed:
                    return
                time.sleep(0.01)
                continue
            if self._wake_r in r:
                try:
                    os.read(self._wake_r, 4096)
                except OSError:
                    pass
            if listener in r and not self._closed:
                try:
                    conn, _ = listener.accept()
                except OSError:
                    conn = None
                if conn is not None:
                    self._hello(conn)
            with self.lock:
                for s in r:
                    link = socks.get(s)
                    if link is not None and link.writer.sock is s:
                        self._read(link)
                for s in w:
                    link = socks.get(s)
                    if link is not None and link.writer.sock is s and not link.writer.send_some():
                        self._gone(link)
                    entry = finishing.get(s)
                    if entry is not None and entry[1].sock is s and not entry[1].send_some():
                        self._finish_end(entry)
                for s in r:
                    entry = finishing.get(s)
                    if entry is not None and entry[1].sock is s:
                        self._read_finishing(entry)
                if w:
                    self._progress.notify_all()

