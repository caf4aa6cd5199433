"""Working directories a run owns while it lives, which the next run removes if their owner died.

A run's directory holds a lock file that the run keeps locked (``flock``). The kernel drops
the lock when the process ends, however it ends (``kill -9`` too), so the next run can tell
a dead run's directory from a live one's and remove it: no pid is compared, so a reused pid
or another pid namespace (a container sharing the folder) misleads nothing. Forked workers
share the lock with their parent, so a directory stays while any of them lives.

A directory is made under a hidden name and renamed to its final name once locked, so no
cleaner ever sees a live directory unlocked. Where ``flock`` is missing (Windows) or refused
(some network file systems), directories are made unlocked and never removed by others.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover (Windows)
    fcntl = None  # type: ignore[assignment]

LOCK = ".lock"
_BUILDING = ".building-"
# A directory still under its building name this long after it was made was left by a run
# killed between making and renaming it (a few system calls): no live run is that slow.
_BUILDING_STALE_SECONDS = 3600.0


@dataclass(slots=True)
class Held:
    """A working directory and the open, locked lock file that says its owner lives."""

    path: Path
    fd: int | None

    def rename(self, path: Path) -> None:
        """Move the directory (its lock moves with it: the open file is the same)."""
        self.path.rename(path)
        self.path = path

    def remove(self) -> None:
        """Delete the directory and give up the lock."""
        shutil.rmtree(self.path, ignore_errors=True)
        self.release()

    def release(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


def _lock(path: Path) -> int | None:
    """An open descriptor holding an exclusive lock on ``path`` (made if missing), or None when it
    is held by a live process or locks are not available here."""
    if fcntl is None:
        return None
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return None
    return fd


def hold(parent: Path, prefix: str) -> Held:
    """A new directory ``parent/prefix<random>``, locked by this process until it is removed."""
    parent.mkdir(parents=True, exist_ok=True)
    building = Path(tempfile.mkdtemp(prefix=f"{_BUILDING}{prefix}", dir=parent))
    try:
        fd = _lock(building / LOCK)
        final = parent / building.name.removeprefix(_BUILDING)
        building.rename(final)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    return Held(final, fd)


def dead(parent: Path, prefix: str) -> Iterator[Held]:
    """The directories ``parent/prefix*`` whose owner died, each locked now by this process
    (the caller removes or finishes it, then releases it)."""
    try:
        entries = list(os.scandir(parent))
    except OSError:
        return
    for entry in entries:
        if entry.name.startswith(f"{_BUILDING}{prefix}"):
            with suppress(OSError):
                if time.time() - entry.stat(follow_symlinks=False).st_mtime > _BUILDING_STALE_SECONDS:
                    shutil.rmtree(entry.path, ignore_errors=True)
            continue
        if not entry.name.startswith(prefix) or not entry.is_dir(follow_symlinks=False):
            continue
        lock = Path(entry.path) / LOCK
        if not lock.is_file():  # not made by hold(): someone else's folder
            continue
        fd = _lock(lock)
        if fd is not None:
            yield Held(Path(entry.path), fd)


def remove_dead(parent: Path, prefix: str) -> int:
    """Remove the directories ``parent/prefix*`` of dead owners; how many there were."""
    removed = 0
    for held in dead(parent, prefix):
        held.remove()
        removed += 1
    return removed
