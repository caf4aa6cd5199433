"""Writing outputs atomically: a temporary file in the target folder, then a rename.

A reader never sees a half-written report, and a crash leaves the old one intact.
"""

from __future__ import annotations

import gc
import os
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path


def write_atomic_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically."""
    write_atomic_chunks(path, (data,))


def write_atomic_chunks(path: Path, chunks: Iterable[bytes | str]) -> None:
    """Write the chunks one after another (text as UTF-8) to ``path`` atomically.

    A large report streams to disk without ever being one string in memory.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            for chunk in chunks:
                handle.write(chunk.encode("utf-8") if isinstance(chunk, str) else chunk)
        Path(tmp).chmod(0o644)  # mkstemp makes 0600; reports are meant to be read
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` as UTF-8 with ``\\n`` line ends to ``path`` atomically (same bytes for the same text)."""
    write_atomic_bytes(path, text.encode("utf-8"))


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while reports are rendered or results gathered (also a decorator).

    Rendering allocates millions of short-lived strings, dicts and lists with no cycles
    among them, and every full collection walks the analysis's whole heap: on a
    10,000-document corpus the collector took 1 to 1.7 s of 4.5 s of rendering.

    >>> with paused_gc():
    ...     gc.isenabled()
    False
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
