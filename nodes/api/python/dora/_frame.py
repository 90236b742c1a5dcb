"""Frames of the daemon <-> node protocol (docs/protocol.md, "Frames").

A frame is ``u32 frame_len | u32 header_len | header | pad to 64 | payload``.
The header is JSON, or for the message frames (``output``, ``input``) the
binary form of "Binary message headers" (first byte 1 or 2 instead of
``{``). Payloads are handed out as 64-byte-aligned, zero-copy views so that
Arrow arrays can be built over them without another copy.
"""

from __future__ import annotations

import json
import json.scanner
import struct

import pyarrow as pa

MAX_FRAME_LEN = 64 * 1024 * 1024
_U32X2 = struct.Struct("<II")
_ZEROS = bytes(64)
# Compact JSON as JavaScript writes it (raw UTF-8, no NaN); built once.
_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, allow_nan=False)
_DECODE = json.JSONDecoder().decode
# The C scanner without decode()'s whitespace regexes; a header that has
# anything around its object falls back to the full decoder.
_SCAN = json.scanner.make_scanner(json.JSONDecoder())
# Small payloads are copied into a shared aligned arena (one slice each, no
# allocation per message). A value that is kept holds its whole arena alive,
# so arenas are small: keeping one message in a thousand costs 8 KiB each.
_ARENA = 8 * 1024
_ARENA_MAX_ITEM = 512


class ProtocolError(ValueError):
    """The peer broke the wire contract (bad frame, header, metadata or data
    layout). A ``ValueError``, as these errors were before."""


# ---------------------------------------------------------------- binary headers

BINARY_OUTPUT = 1
BINARY_INPUT = 2
_F_LAYOUT = 1
_F_SHM = 2
_F_PARAMS = 4
_JSON_LAYOUT = 0xFF
_BIN = struct.Struct("<BBHQ")
_FLAT = struct.Struct("<BBQQQ")
_BUF = struct.Struct("<BQQ")
_U16 = struct.Struct("<H")
_U32 = struct.Struct("<I")
_U64 = struct.Struct("<Q")
#: The simple data types of a flat layout, by their code (docs/protocol.md).
DT_CODES = ("null", "bool", "i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64", "f16",
            "f32", "f64", "utf8", "large_utf8", "binary", "large_binary", "date32", "date64")
_CODE_OF = {dt: i for i, dt in enumerate(DT_CODES)}


def _flat(d: dict) -> bool:
    return (type(d.get("dt")) is str and d["dt"] in _CODE_OF and not d.get("ch")
            and len(d.get("bufs") or []) <= 3)


def encode_layout(d: dict) -> bytes:
    """The layout part of a binary header."""
    if not _flat(d):
        j = _ENCODER.encode(d).encode()
        return bytes([_JSON_LAYOUT]) + _U32.pack(len(j)) + j
    bufs = d.get("bufs") or []
    out = bytearray(_FLAT.pack(_CODE_OF[d["dt"]], len(bufs), d["len"], d.get("nulls", 0),
                               d.get("off", 0)))
    for b in bufs:
        if b is None:
            out += b"\x00"
        else:
            out += _BUF.pack(1, b[0], b[1])
    return bytes(out)


def encode_binary_header(header: dict) -> bytes:
    """The binary form of an ``output`` / ``input`` header dict."""
    t = header["t"]
    kind = BINARY_OUTPUT if t == "output" else BINARY_INPUT
    ident = (header["o"] if t == "output" else header["id"]).encode()
    m = header["m"]
    d = header.get("d")
    shm = header.get("shm")
    p = m.get("p")
    flags = (_F_LAYOUT if d is not None else 0) | (_F_SHM if shm is not None else 0) \
        | (_F_PARAMS if p is not None else 0)
    out = bytearray(_BIN.pack(kind, flags, len(ident), int(m["ts"])))
    out += ident
    if p is not None:
        j = _ENCODER.encode(p).encode()
        out += _U32.pack(len(j))
        out += j
    if d is not None:
        out += encode_layout(d)
    if shm is not None:
        name = str(shm["name"]).encode()
        token = str(shm["token"]).encode()
        out += _U16.pack(len(name)) + name + _U64.pack(int(shm["size"])) + _U16.pack(len(token)) + token
    return bytes(out)


def decode_binary_header(raw) -> dict:
    """The header dict (as its JSON form would give it) of a binary header."""
    try:
        return _decode_binary_header(raw)
    except UnicodeDecodeError:
        raise ProtocolError("binary header: a name is not valid UTF-8") from None


def _decode_binary_header(raw) -> dict:
    raw = memoryview(raw).cast("B")
    n = len(raw)
    if n < 12:
        raise ProtocolError(f"binary header: {n} bytes, at least 12 needed")
    kind, flags, id_len, ts = _BIN.unpack_from(raw, 0)
    if kind not in (BINARY_OUTPUT, BINARY_INPUT):
        raise ProtocolError(f"binary header: unknown kind {kind}")
    if flags & ~(_F_LAYOUT | _F_SHM | _F_PARAMS):
        raise ProtocolError(f"binary header: unknown flags {flags}")
    pos = 12 + id_len

    def need(k):
        if pos + k > n:
            raise ProtocolError("binary header: truncated")

    need(0)
    ident = bytes(raw[12:pos]).decode()
    m: dict = {"ts": str(ts)}
    if flags & _F_PARAMS:
        need(4)
        k = _U32.unpack_from(raw, pos)[0]
        pos += 4
        need(k)
        try:
            p = _DECODE(bytes(raw[pos:pos + k]).decode())
        except ValueError:
            raise ProtocolError("binary header: parameters are not JSON") from None
        if not isinstance(p, dict):
            raise ProtocolError("binary header: parameters are not a JSON object")
        m["p"] = p
        pos += k
    header = {"t": "output", "o": ident, "m": m} if kind == BINARY_OUTPUT else \
        {"t": "input", "id": ident, "m": m}
    if flags & _F_LAYOUT:
        need(1)
        code = raw[pos]
        if code == _JSON_LAYOUT:
            need(5)
            k = _U32.unpack_from(raw, pos + 1)[0]
            pos += 5
            need(k)
            try:
                header["d"] = _DECODE(bytes(raw[pos:pos + k]).decode())
            except ValueError:
                raise ProtocolError("binary header: layout is not JSON") from None
            pos += k
        else:
            need(26)
            if code >= len(DT_CODES):
                raise ProtocolError(f"binary header: unknown data type code {code}")
            _c, count, length, nulls, off = _FLAT.unpack_from(raw, pos)
            if count > 3:
                raise ProtocolError(f"binary header: {count} buffers")
            pos += 26
            bufs = []
            for _ in range(count):
                need(1)
                if raw[pos] == 0:
                    bufs.append(None)
                    pos += 1
                    continue
                need(17)
                _p, start, size = _BUF.unpack_from(raw, pos)
                bufs.append([start, size])
                pos += 17
            header["d"] = {"dt": DT_CODES[code], "len": length, "nulls": nulls, "off": off,
                           "bufs": bufs, "ch": []}
    if flags & _F_SHM:
        need(2)
        k = _U16.unpack_from(raw, pos)[0]
        pos += 2
        need(k + 10)
        name = bytes(raw[pos:pos + k]).decode()
        pos += k
        size = _U64.unpack_from(raw, pos)[0]
        pos += 8
        k = _U16.unpack_from(raw, pos)[0]
        pos += 2
        need(k)
        token = bytes(raw[pos:pos + k]).decode()
        pos += k
        header["shm"] = {"name": name, "size": size, "token": token}
    if pos != n:
        raise ProtocolError(f"binary header: {n - pos} bytes after the fields")
    return header


def align64(n: int) -> int:
    """Rounds ``n`` up to a multiple of 64."""
    return (n + 63) & ~63


def encode_frame(header: dict, payload_parts=()) -> list:
    """Returns the parts of one frame (for ``socket.sendmsg``).

    ``payload_parts`` is a list of ``(offset, buffer)`` pairs: each buffer is
    placed at ``offset`` (relative to the payload start, a multiple of 64) and
    the gaps are zero-filled. An empty list means a frame without payload.
    """
    t = header.get("t")
    head = encode_binary_header(header) if t == "output" or t == "input" \
        else _ENCODER.encode(header).encode()
    parts: list = []
    hlen = len(head)
    if not payload_parts:
        parts.append(_U32X2.pack(4 + hlen, hlen))
        parts.append(head)
        return parts
    start = align64(8 + hlen)
    body: list = []
    cursor = 0
    for offset, buf in payload_parts:
        if offset < cursor:
            raise ValueError("payload parts overlap or are out of order")
        if offset > cursor:
            body.append(_zeros(offset - cursor))
        size = len(memoryview(buf).cast("B")) if not isinstance(buf, pa.Buffer) else buf.size
        if size:
            body.append(buf)
        cursor = offset + size
    total = start + cursor
    if total - 4 > MAX_FRAME_LEN:
        raise ValueError(f"frame of {total - 4} bytes exceeds the 64 MiB limit")
    parts.append(_U32X2.pack(total - 4, hlen))
    parts.append(head)
    parts.append(_zeros(start - 8 - hlen))
    parts.extend(body)
    return parts


def encode_frame_bytes(header: dict, payload_parts=()) -> bytes:
    """Like :func:`encode_frame` but joined into one ``bytes`` object."""
    return b"".join(bytes(memoryview(p).cast("B")) if not isinstance(p, bytes) else p
                    for p in encode_frame(header, payload_parts))


def _zeros(n: int) -> bytes:
    return _ZEROS[:n] if n <= 64 else bytes(n)


def decode_frame(frame) -> tuple[dict, pa.Buffer | None]:
    """Decodes one complete frame (starting at its length field).

    The frame must start at a 64-byte-aligned address for the payload view to
    be aligned; :class:`FrameReader` guarantees this.
    """
    mv = memoryview(frame).cast("B")
    if len(mv) < 8:
        raise ProtocolError("frame shorter than 8 bytes")
    frame_len, header_len = _U32X2.unpack_from(mv, 0)
    check_lengths(frame_len, header_len)
    if 4 + frame_len > len(mv):
        raise ProtocolError("frame payload is truncated")
    header = parse_header(mv[8:8 + header_len])
    end = 4 + frame_len
    if end > 8 + header_len:
        start = align64(8 + header_len)
        if start > end:
            raise ProtocolError("frame payload is truncated (its padding runs past the frame end)")
        if isinstance(frame, pa.Buffer):
            return header, frame.slice(start, end - start)
        return header, pa.py_buffer(mv[start:end])
    return header, None


def check_lengths(frame_len: int, header_len: int) -> None:
    """Rejects impossible length fields before anything is allocated."""
    if frame_len > MAX_FRAME_LEN:
        raise ProtocolError(f"frame too large: {frame_len} bytes (the limit is {MAX_FRAME_LEN})")
    if frame_len < 4:
        raise ProtocolError(f"frame_len {frame_len} is shorter than the 4-byte header_len")
    if header_len > frame_len - 4:
        raise ProtocolError(f"header_len {header_len} exceeds the frame ({frame_len - 4} bytes)")


def parse_header(raw) -> dict:
    """Parses a header: binary, or a JSON object with a string ``t``."""
    if len(raw) and raw[0] in (BINARY_OUTPUT, BINARY_INPUT):
        return decode_binary_header(raw)
    try:
        text = str(raw, "utf-8")
    except UnicodeDecodeError:
        raise ProtocolError("frame header is not valid UTF-8") from None
    try:
        header, end = _SCAN(text, 0)
        if end != len(text):
            header = _DECODE(text)
    except (ValueError, StopIteration):
        try:
            header = _DECODE(text)
        except ValueError as e:
            raise ProtocolError(f"frame header is not valid JSON: {e}") from None
    if not isinstance(header, dict):
        raise ProtocolError("frame header is not a JSON object")
    if not isinstance(header.get("t"), str):
        raise ProtocolError('frame header has no string field "t"')
    return header


_INPUT_START = b'{"t":"input","id":"'
_M_TS = b',"m":{"ts":"'
_HEADER_CACHE_MAX = 1024


class HeaderCache:
    """Parses ``input`` headers that differ from an earlier one only in their
    timestamp without running the JSON parser.

    A header qualifies when it is ``{"t":"input","id":"<id without
    escapes>","m":{"ts":"<digits>"}<rest>``: everything but the digits is
    then the cache key, and the parsed header is the cached one with a new
    ``m``. The cached dicts (``d``) are shared: readers must not mutate them.

    With ``compile``, a hit whose header ``compile(header)`` accepted (it
    returned something else than ``None``) gives the tuple ``(compiled,
    ts, header_without_new_m)`` instead of a dict: the node API's fast path.
    """

    def __init__(self, compile=None):
        self._cache: dict = {}
        self._compile = compile
        # The last hit: frames of one batch mostly repeat the previous header.
        self._last = (-1, b"", b"", 0, None, None)

    def parse(self, raw) -> dict:
        raw = bytes(raw)
        if raw and raw[0] == BINARY_INPUT:
            return self._parse_binary(raw)
        n, head, tail, t0, template, compiled = self._last
        if len(raw) == n and raw.startswith(head) and raw.endswith(tail):
            ts = raw[t0:n - len(tail)]
            if ts.isdigit():
                if compiled is not None:
                    return compiled, int(ts), template
                header = template.copy()
                header["m"] = {"ts": ts.decode()}
                return header
        if raw.startswith(_INPUT_START):
            e = raw.find(b'"', 19)
            if e > 0 and raw.startswith(_M_TS, e + 1) and raw.find(b"\\", 19, e) < 0:
                t0 = e + 13
                t1 = raw.find(b'"}', t0)
                ts = raw[t0:t1]
                # Shared-memory references carry a new token each time: not cached.
                if t1 > t0 and ts.isdigit() and raw.find(b'"shm":', t1) < 0:
                    key = raw[:t0] + raw[t1:]
                    entry = self._cache.get(key)
                    if entry is None:
                        return self._learn(raw, key, t0, t1)
                    template, compiled = entry
                    self._last = (len(raw), raw[:t0], raw[t1:], t0, template, compiled)
                    if compiled is not None:
                        return compiled, int(ts), template
                    header = template.copy()
                    header["m"] = {"ts": ts.decode()}
                    return header
        return parse_header(raw)

    def _parse_binary(self, raw: bytes):
        """A binary ``input`` header: everything but its timestamp is the
        cache key (for a shared-memory reference, everything before it: its
        region and token change each time)."""
        if len(raw) < 12:
            return decode_binary_header(raw)
        if raw[1] & _F_SHM:
            return self._parse_binary_shm(raw)
        key = raw[1:4] + raw[12:]
        entry = self._cache.get(key)
        if entry is None:
            header = decode_binary_header(raw)
            if len(self._cache) >= _HEADER_CACHE_MAX:
                self._cache.clear()
            # Compiled only without parameters: the fast path keeps the timestamp alone.
            fast = self._compile is not None and "p" not in header["m"]
            entry = self._cache[key] = (header, self._compile(header) if fast else None)
        template, compiled = entry
        ts = _U64.unpack_from(raw, 4)[0]
        if compiled is not None:
            return compiled, ts, template
        header = template.copy()
        m = {"ts": str(ts)}
        p = template["m"].get("p")
        if p is not None:
            m["p"] = p
        header["m"] = m
        return header

    def _parse_binary_shm(self, raw: bytes):
        """A binary ``input`` header with a shared-memory reference and a
        flat layout without parameters: ``(compiled, ts, template, (name,
        size, token))`` when the compiled fast path applies, else the dict."""
        n = len(raw)
        end = 12 + _U16.unpack_from(raw, 2)[0]
        if self._compile is None or raw[1] != (_F_LAYOUT | _F_SHM) or end + 2 > n \
                or raw[end] == _JSON_LAYOUT:
            return decode_binary_header(raw)
        count = raw[end + 1]
        end += 26
        for _ in range(count):
            if end >= n:
                return decode_binary_header(raw)
            end += 1 if raw[end] == 0 else 17
        key = raw[1:4] + raw[12:end]
        entry = self._cache.get(key)
        if entry is None:
            header = decode_binary_header(raw)
            header.pop("shm", None)
            if len(self._cache) >= _HEADER_CACHE_MAX:
                self._cache.clear()
            entry = self._cache[key] = (header, self._compile(header))
        template, compiled = entry
        if compiled is None or end + 2 > n:
            return decode_binary_header(raw)
        k = _U16.unpack_from(raw, end)[0]
        pos = end + 2 + k
        if pos + 10 > n:
            return decode_binary_header(raw)
        size = _U64.unpack_from(raw, pos)[0]
        k = _U16.unpack_from(raw, pos + 8)[0]
        if pos + 10 + k != n:
            return decode_binary_header(raw)
        try:
            name = raw[end + 2:pos].decode()
            token = raw[pos + 10:n].decode()
        except UnicodeDecodeError:
            return decode_binary_header(raw)  # says what is wrong
        return compiled, _U64.unpack_from(raw, 4)[0], template, (name, size, token)

    def _learn(self, raw: bytes, key: bytes, t0: int, t1: int) -> dict:
        header = parse_header(raw)
        # Exact only when the digits are the top-level m.ts and nothing else
        # depends on them: checked once with other digits.
        probe = parse_header(raw[:t0] + b"7" + raw[t1:])
        expected = header.copy()
        expected["m"] = {"ts": "7"}
        if header.get("m") == {"ts": raw[t0:t1].decode()} and probe == expected:
            if len(self._cache) >= _HEADER_CACHE_MAX:
                self._cache.clear()
            template = header.copy()
            self._cache[key] = (template, self._compile(template) if self._compile else None)
        return header


class FrameReader:
    """Splits a byte stream into frames; accepts any split of the stream.

    ``compile``: see :class:`HeaderCache` (headers may then be tuples).

    Small frames are copied into a fresh 64-byte-aligned Arrow buffer (a
    cheap copy that gives aligned payloads); a big frame is received straight
    into its own aligned buffer, so its payload is never copied again.
    """

    BIG = 64 * 1024

    def __init__(self, recv_into=None, compile=None):
        self._buf = bytearray(1 << 20)
        self._start = 0
        self._end = 0
        self._recv_into = recv_into
        self._big: pa.Buffer | None = None
        self._big_fill = 0
        self._arena: pa.Buffer | None = None
        self._arena_mv = None
        self._arena_at = _ARENA
        self._headers = HeaderCache(compile)

    def feed(self, data) -> None:
        """Appends bytes received by the caller (for tests and fakes)."""
        data = memoryview(data).cast("B")
        while len(data):
            if self._big is not None:
                n = min(len(data), self._big.size - self._big_fill)
                memoryview(self._big).cast("B")[self._big_fill:self._big_fill + n] = data[:n]
                self._big_fill += n
                data = data[n:]
                continue
            self._compact(len(data))
            self._buf[self._end:self._end + len(data)] = data
            self._end += len(data)
            return

    def _compact(self, need: int) -> None:
        if self._end + need <= len(self._buf):
            return
        pending = self._end - self._start
        if pending + need > len(self._buf):
            new = bytearray(max(len(self._buf) * 2, pending + need))
            new[:pending] = self._buf[self._start:self._end]
            self._buf = new
        else:
            self._buf[:pending] = self._buf[self._start:self._end]
        self._start = 0
        self._end = pending

    def frames(self):
        """Yields every complete ``(header, payload)`` available so far."""
        buf = self._buf
        mv = memoryview(buf)
        unpack = _U32X2.unpack_from
        while True:
            if self._big is not None:
                if self._big_fill < self._big.size:
                    return
                big, self._big = self._big, None
                yield decode_frame(big)
                continue
            if self._buf is not buf:  # fed while a frame was being handled
                buf = self._buf
                mv = memoryview(buf)
            s = self._start
            avail = self._end - s
            if avail < 8:
                return
            frame_len, header_len = unpack(buf, s)
            if frame_len > MAX_FRAME_LEN or frame_len < 4 or header_len > frame_len - 4:
                check_lengths(frame_len, header_len)
            total = 4 + frame_len
            has_payload = total > 8 + header_len
            if has_payload and total >= self.BIG and avail < total:
                # Receive the rest of a big frame straight into an aligned buffer.
                big = pa.allocate_buffer(total)
                memoryview(big).cast("B")[:avail] = mv[s:self._end]
                self._start = self._end = 0
                self._big, self._big_fill = big, avail
                continue
            if avail < total:
                return
            self._start = s + total
            header = self._headers.parse(mv[s + 8:s + 8 + header_len])
            if not has_payload:
                yield header, None
                continue
            ps = s + ((8 + header_len + 63) & ~63)
            n = s + total - ps
            if n < 0:
                raise ProtocolError("frame payload is truncated (its padding runs past the frame end)")
            if n > _ARENA_MAX_ITEM:
                payload = pa.allocate_buffer(n)
                memoryview(payload).cast("B")[:] = mv[ps:ps + n]
                yield header, payload
                continue
            at = self._arena_at
            if at + n > _ARENA:
                self._arena = pa.allocate_buffer(_ARENA)
                self._arena_mv = memoryview(self._arena).cast("B")
                at = 0
            self._arena_mv[at:at + n] = mv[ps:ps + n]
            self._arena_at = (at + n + 63) & ~63
            yield header, self._arena.slice(at, n)

    def check_eof(self) -> None:
        """Raises if the stream ended inside a frame."""
        if self._big is not None or self._end > self._start:
            raise ProtocolError("connection closed in the middle of a frame")

    def want_into(self) -> memoryview:
        """A writable view where the next received bytes should go."""
        if self._big is not None:
            return memoryview(self._big).cast("B")[self._big_fill:]
        if len(self._buf) - self._end < 4096:
            self._compact(4096)
        return memoryview(self._buf)[self._end:]

    def received(self, n: int) -> None:
        """Tells the reader that ``n`` bytes were written into :meth:`want_into`."""
        if self._big is not None:
            self._big_fill += n
        else:
            self._end += n
