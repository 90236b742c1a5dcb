"""The C buffer exporter of zero-copy samples, for Python < 3.12.

Python classes can export buffers only from 3.12 on (PEP 688); before that a
sample's buffer needs a type written in C to count the views derived from it
(numpy arrays included) and to refuse new ones with ``BufferError`` once the
sample is sent (the original dora does this natively too). The source,
``_sample_buffer.c``, is compiled on first use with the C compiler and this
Python's headers into dora's cache folder (``$DORA_CACHE_DIR``, else
``$XDG_CACHE_HOME/dora``, else ``~/.cache/dora``), once per Python and
source version; ``scripts/setup.sh`` does it for ``python3`` ahead of time.
"""

from __future__ import annotations

import hashlib
import importlib.machinery
import importlib.util
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile

_SOURCE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_sample_buffer.c")

_loaded: tuple | None = None


def cache_dir() -> str:
    """dora's cache folder (the same rule as the ``dora`` command's)."""
    explicit = os.environ.get("DORA_CACHE_DIR")
    if explicit:
        return explicit.rstrip("/")
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg:
        return os.path.join(xdg.rstrip("/"), "dora")
    return os.path.join(os.environ.get("HOME") or "/tmp", ".cache", "dora")


def sample_buffer_exporter():
    """``(Exporter, None)``, or ``(None, reason)`` when it cannot be built.

    Compiles ``_sample_buffer.c`` when no compiled copy for this Python and
    source is cached yet; the result is remembered for the process.
    """
    global _loaded
    if _loaded is None:
        try:
            _loaded = (_load(), None)
        except _BuildError as exc:
            _loaded = (None, str(exc))
    return _loaded


class _BuildError(Exception):
    pass


def _load():
    try:
        with open(_SOURCE, "rb") as f:
            source = f.read()
    except OSError as exc:
        raise _BuildError(f"cannot read {_SOURCE}: {exc.strerror}") from None
    include = sysconfig.get_paths()["include"]
    suffix = importlib.machinery.EXTENSION_SUFFIXES[0]
    key = hashlib.sha256(source + sys.version.encode() + include.encode()).hexdigest()[:16]
    folder = os.path.join(cache_dir(), "python", sys.implementation.cache_tag)
    target = os.path.join(folder, f"_sample_buffer-{key}{suffix}")
    if not os.path.exists(target):
        _compile(include, folder, target)
    spec = importlib.util.spec_from_file_location("dora._sample_buffer", target)
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except ImportError as exc:
        raise _BuildError(f"cannot load {target}: {exc}") from None
    return module.Exporter


def _compile(include: str, folder: str, target: str) -> None:
    if not os.path.exists(os.path.join(include, "Python.h")):
        raise _BuildError(
            f"this Python's C headers are missing ({include}/Python.h): install them "
            f"(Debian: `apt-get install python3-dev`)"
        )
    cc = os.environ.get("CC") or shutil.which("cc") or shutil.which("gcc")
    if not cc:
        raise _BuildError("no C compiler (`cc`) on PATH: install one (Debian: `apt-get install gcc`)")
    try:
        os.makedirs(folder, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".build-", suffix=".so", dir=folder)
        os.close(fd)
    except OSError as exc:
        raise _BuildError(f"cannot write to {folder}: {exc.strerror}") from None
    try:
        out = subprocess.run(
            [*cc.split(), "-O2", "-shared", "-fPIC", f"-I{include}", _SOURCE, "-o", tmp],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
        )
        if out.returncode != 0:
            last = "\n".join(out.stderr.strip().splitlines()[-5:])
            raise _BuildError(f"`{cc}` failed to compile {_SOURCE}:\n{last}")
        os.replace(tmp, target)  # atomic: nodes starting together may race
    except OSError as exc:
        raise _BuildError(f"cannot run `{cc}`: {exc.strerror}") from None
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
