"""A one-line progress display for long runs: stage, documents, rate, ETA.

Shown only on a terminal: silent when the stream is not a TTY, when the ``CI``
environment variable is set, and with ``--quiet``. The line is redrawn in place
(carriage return) at most ``redraw`` times a second and ended with a newline when a
stage completes, so a finished run leaves one line per stage.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from typing import TextIO

# Units counted by each stage of provenance.parallel (anything else counts "items").
_UNITS = {
    "scan": "docs",
    "build": "docs",
    "candidates": "docs",
    "align": "pairs",
    "quotes": "quotes",
    "lineage": "docs",
}


def format_eta(seconds: float) -> str:
    """``m:ss`` or ``h:mm:ss``.

    >>> format_eta(75), format_eta(3725), format_eta(-1)
    ('1:15', '1:02:05', '0:00')
    """
    total = max(0, round(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def progress_line(stage: str, done: int, total: int, elapsed: float) -> str:
    """The text of the display.

    >>> progress_line("build", 500, 2000, 2.0)
    'build        500/2,000 docs   250 docs/s  ETA 0:06'
    """
    unit = _UNITS.get(stage, "items")
    rate = done / elapsed if elapsed > 0 else 0.0
    eta = format_eta((total - done) / rate) if rate > 0 and done < total else "0:00" if done >= total else "-:--"
    return f"{stage:<10} {done:>5,}/{total:,} {unit} {rate:>5,.0f} {unit}/s  ETA {eta}"


class TerminalProgress:
    """Redraws :func:`progress_line` on ``stream``; call it as ``(stage, done, total)``."""

    def __init__(self, stream: TextIO, *, redraw: float = 10.0, clock: Callable[[], float] = time.monotonic) -> None:
        self._stream = stream
        self._interval = 1.0 / redraw
        self._clock = clock
        self._stage = ""
        self._started = 0.0
        self._drawn = -1.0
        self._width = 0

    def __call__(self, stage: str, done: int, total: int) -> None:
        now = self._clock()
        if stage != self._stage:
            self._stage, self._started, self._drawn = stage, now, -1.0
        finished = done >= total
        if not finished and now - self._drawn < self._interval:
            return
        self._drawn = now
        line = progress_line(stage, done, total, now - self._started)
        self._stream.write("\r" + line.ljust(self._width) + ("\n" if finished else ""))
        self._stream.flush()
        self._width = 0 if finished else len(line)


def progress_for(
    stream: TextIO, *, quiet: bool = False, environ: Mapping[str, str] | None = None
) -> TerminalProgress | None:
    """A display on ``stream`` when it is a terminal and the run is neither quiet nor in CI."""
    environ = os.environ if environ is None else environ
    if quiet or environ.get("CI") or not stream.isatty():
        return None
    return TerminalProgress(stream)
