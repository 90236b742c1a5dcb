"""Shared memory: plain ``mmap`` of ``/dev/shm/<name>`` files.

``multiprocessing.shared_memory`` is deliberately not used: in Python 3.11 it
registers attached segments with the resource tracker, which unlinks them when
the process exits, even segments another process owns.
"""

from __future__ import annotations

import functools
import itertools
import mmap
import os
import re
import threading

import pyarrow as pa

SHM_DIR = "/dev/shm"


def shm_path(name: str) -> str:
    return os.path.join(SHM_DIR, name.lstrip("/"))


_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]")
_SUFFIX = re.compile(r"\d{1,10}-\d{1,10}")
_ANY_NODE_SUFFIX = re.compile(r"[A-Za-z0-9_.-]+-\d{1,10}-\d{1,10}")


@functools.lru_cache(maxsize=256)
def region_prefix(dataflow_id: str, node_id: str) -> str:
    """``dora-<dataflow id as 32 hex digits>-<node id>-`` (as ``regionPrefix`` in TypeScript)."""
    df_hex = dataflow_id.replace("-", "").lower()
    return f"dora-{_UNSAFE.sub('_', df_hex)}-{_UNSAFE.sub('_', node_id)}-"


def is_region_of(name: str, prefix: str) -> bool:
    """Whether ``name`` is exactly a region of the node with ``prefix``: ``<prefix><pid>-<n>``.

    Names come from other processes: anything else (``/../``, another node's
    region) is refused before it is opened.
    """
    body = name[1:] if name.startswith("/") else name
    return body.startswith(prefix) and _SUFFIX.fullmatch(body, len(prefix)) is not None


def is_dataflow_region(name: str, dataflow_id: str) -> bool:
    """Whether ``name`` has the form of a region of some node of the dataflow."""
    body = name[1:] if name.startswith("/") else name
    head = region_prefix(dataflow_id, "")[:-1]
    return body.startswith(head) and _ANY_NODE_SUFFIX.fullmatch(body, len(head)) is not None


def shm_available() -> bool:
    return os.path.isdir(SHM_DIR) and os.access(SHM_DIR, os.W_OK)


class MappingCache:
    """Read-only mappings of other nodes' regions, opened once, cached by name.

    Mappings are never unmapped while the node runs: an Arrow array handed to
    the user may still point into one.
    """

    def __init__(self):
        self._maps: dict[str, tuple[mmap.mmap, pa.Buffer]] = {}

    def view(self, name: str, size: int) -> pa.Buffer:
        """A zero-copy Arrow buffer over the whole region ``name``."""
        hit = self._maps.get(name)
        if hit is not None and hit[1].size >= size:
            return hit[1]
        fd = os.open(shm_path(name), os.O_RDONLY)
        try:
            real = os.fstat(fd).st_size
            if real < size:
                raise ValueError(f"shared-memory region {name} has {real} bytes, message needs {size}")
            m = mmap.mmap(fd, real, mmap.MAP_SHARED, mmap.PROT_READ)
        finally:
            os.close(fd)
        buf = pa.py_buffer(m)
        self._maps[name] = (m, buf)
        return buf


class Region:
    """One writable region of this node's own pool."""

    __slots__ = ("name", "size", "map", "buffer", "token")

    def __init__(self, name: str, size: int):
        self.name = name
        self.size = size
        fd = os.open(shm_path(name), os.O_CREAT | os.O_EXCL | os.O_RDWR, 0o600)
        try:
            # Reserve the memory now: a full /dev/shm fails here with ENOSPC
            # instead of killing the process with SIGBUS on the first write.
            os.posix_fallocate(fd, 0, size)
            # Pages faulted in by the kernel at map time (fallocate made
            # them): the dominant cost of a fresh region, done once.
            self.map = mmap.mmap(fd, size, mmap.MAP_SHARED | _POPULATE,
                                 mmap.PROT_READ | mmap.PROT_WRITE)
        except BaseException:
            self.unlink()
            raise
        finally:
            os.close(fd)
        if not _POPULATE:
            _prefault(self.map, size)
        self.buffer = memoryview(self.map)
        self.token: str | None = None

    def unlink(self) -> None:
        try:
            os.unlink(shm_path(self.name))
        except FileNotFoundError:
            pass


_POPULATE = getattr(mmap, "MAP_POPULATE", 0)


def _prefault(m: mmap.mmap, size: int) -> None:
    # Faulting pages in is the dominant cost of a fresh region: do it once.
    chunk = bytes(min(size, 1 << 20))
    for off in range(0, size, len(chunk) or 1):
        n = min(len(chunk), size - off)
        m[off:off + n] = chunk[:n]


#: Messages up to this many bytes share regions (slots of a slab region), so
#: that a burst of small shared-memory messages does not create a region
#: (and make every receiver map it) per message.
SLOT_MAX = 64 * 1024
#: The size of a slab region.
SLAB = 1024 * 1024


class Slot:
    """One slot of a slab region, lent like a region (a token of its own;
    its buffer offsets in the message are the slot's offset in the region)."""

    __slots__ = ("region", "off", "cls", "buffer", "token")

    def __init__(self, region: Region, off: int, cls: int):
        self.region = region
        self.off = off
        self.cls = cls
        self.buffer = region.buffer[off:off + cls]
        self.token: str | None = None

    @property
    def name(self) -> str:
        return self.region.name

    @property
    def size(self) -> int:
        return self.region.size


class Pool:
    """This node's send regions, reused when the daemon sends ``release``.

    Regions are sized to powers of two (at least 64 KiB) so that a region fits
    later messages of a similar size.
    """

    def __init__(self, prefix: str, max_regions: int = 32, max_bytes: int = 1 << 30):
        self._prefix = prefix
        self._seq = itertools.count()
        self._tokens = itertools.count(1)
        self._free: list[Region] = []
        self._busy: dict[str, Region] = {}
        self._all: list[Region] = []
        # Free slots per slot size (slab regions are in _all, never in _free).
        self._slots: dict[int, list[Slot]] = {}
        self.max_regions = max_regions
        self.max_bytes = max_bytes
        self._lock = threading.Lock()

    @property
    def total_bytes(self) -> int:
        return sum(r.size for r in self._all)

    def acquire(self, size: int) -> tuple[Region | None, bool]:
        with self._lock:
            return self._acquire(size)

    def acquire_slot(self, size: int) -> tuple[Slot | None, Region | None]:
        """A free slot of at least ``size`` bytes (at most :data:`SLOT_MAX`),
        and the slab region made for it if one was (the caller sends
        ``shm_new``); ``(None, None)`` when the pool is at its limits.
        Raises ``OSError`` when a new region cannot be created."""
        cls = max(4096, 1 << (size - 1).bit_length())
        with self._lock:
            free = self._slots.setdefault(cls, [])
            created = None
            if not free:
                while self._free and (len(self._all) >= self.max_regions
                                      or self.total_bytes + SLAB > self.max_bytes):
                    old = self._free.pop(0)
                    self._all.remove(old)
                    old.unlink()
                if len(self._all) >= self.max_regions or self.total_bytes + SLAB > self.max_bytes:
                    return None, None
                created = Region(f"{self._prefix}-{next(self._seq)}", SLAB)
                self._all.append(created)
                # Popped from the end: the lowest offsets first.
                free.extend(Slot(created, off, cls) for off in range(SLAB - cls, -1, -cls))
            slot = free.pop()
            slot.token = f"{slot.region.name}#{next(self._tokens)}"
            self._busy[slot.token] = slot
            return slot, created

    def reuse_slot(self, size: int) -> Slot | None:
        """A free slot of at least ``size`` bytes, never a new slab."""
        cls = max(4096, 1 << (size - 1).bit_length())
        with self._lock:
            free = self._slots.get(cls)
            if not free:
                return None
            slot = free.pop()
            slot.token = f"{slot.region.name}#{next(self._tokens)}"
            self._busy[slot.token] = slot
            return slot

    def reuse(self, size: int) -> Region | None:
        """A free region of at least ``size`` bytes, never a new one."""
        with self._lock:
            best = self._best_free(size)
            if best is None:
                return None
            self._free.remove(best)
            return self._mark(best)

    def _best_free(self, size: int) -> Region | None:
        best = None
        for r in self._free:
            if r.size >= size and (best is None or r.size < best.size):
                best = r
        return best

    def _acquire(self, size: int) -> tuple[Region | None, bool]:
        """A free region of at least ``size`` bytes, or ``(None, full)``.

        Returns ``(region, created)``; ``created`` tells the caller to send
        ``shm_new``. ``(None, True)`` means the pool is at its limits. Raises
        ``OSError`` when a new region cannot be created.
        """
        best = self._best_free(size)
        if best is not None:
            self._free.remove(best)
            return self._mark(best), False
        cap = max(1 << 16, 1 << (size - 1).bit_length())
        while self._free and (len(self._all) >= self.max_regions or self.total_bytes + cap > self.max_bytes):
            # Drop a too-small free region to make room for a bigger one.
            old = self._free.pop(0)
            self._all.remove(old)
            old.unlink()  # unmapped by the GC once no view refers to it
        if len(self._all) >= self.max_regions or self.total_bytes + cap > self.max_bytes:
            return None, True
        # OSError (ENOSPC: /dev/shm is full, EMFILE: out of file descriptors)
        # goes to the caller, which sends through the socket instead.
        region = Region(f"{self._prefix}-{next(self._seq)}", cap)
        self._all.append(region)
        return self._mark(region), True

    def _mark(self, region: Region) -> Region:
        region.token = f"{region.name}#{next(self._tokens)}"
        self._busy[region.token] = region
        return region

    def cancel(self, region) -> None:
        """Returns a region (or slot) that was acquired but never sent."""
        with self._lock:
            self._busy.pop(region.token or "", None)
            self._put_back(region)

    def _put_back(self, r) -> None:
        r.token = None
        if type(r) is Slot:
            self._slots[r.cls].append(r)
        else:
            self._free.append(r)

    def release(self, tokens) -> int:
        """Frees the regions of ``tokens``; returns how many were ours."""
        n = 0
        with self._lock:
            for t in tokens:
                r = self._busy.pop(str(t), None)
                if r is not None:
                    self._put_back(r)
                    n += 1
        return n

    @property
    def busy(self) -> int:
        return len(self._busy)

    def close(self) -> None:
        """Unlinks every region (mappings stay valid until the process ends)."""
        for r in self._all:
            r.unlink()
        self._all.clear()
        self._free.clear()
        self._slots.clear()
        self._busy.clear()
