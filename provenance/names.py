"""How file names are shown: the one function that turns a path into text any output can hold.

File names are bytes on POSIX; Python hands over the ones that are not UTF-8 as ``str``
holding lone surrogates (``os.fsdecode``: byte ``0xff`` becomes ``"\\udcff"``), which
open the file but cannot be encoded as UTF-8: a report, the index's SQLite or a
terminal raise on them. Names can also hold control characters (a newline in a name
forges a line of a report). :func:`shown` makes a name printable and keeps it
recognisable; a document's id and display path are made with it once, where a file
enters the model (:mod:`provenance.ingest`), and the file itself is opened by the
name it has on disk.
"""

from __future__ import annotations

import re

# Never printable as they are: C0 and C1 controls and DEL (ESC starts ANSI sequences; CR and
# LF end a line), line and paragraph separators, the bidirectional controls that reorder what
# a reader sees ("Trojan Source"), lone surrogates (undecodable bytes of a file name, which no
# UTF-8 stream can carry) and the two noncharacters XML 1.0 forbids.
_UNSHOWN = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff\ufffe\uffff]")


def _escaped(match: re.Match[str]) -> str:
    code = ord(match.group())
    if 0xDC80 <= code <= 0xDCFF:  # a byte os.fsdecode could not decode: show the byte
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def shown(name: str) -> str:
    """``name`` as valid, printable UTF-8 text: undecodable bytes and control characters
    as ``\\xNN`` (bidirectional controls, separators, other lone surrogates as ``\\uNNNN``);
    other names unchanged.

    >>> shown("caf\\udce9.txt"), shown("a\\nb.txt"), shown("café.txt")
    ('caf\\\\xe9.txt', 'a\\\\x0ab.txt', 'café.txt')
    """
    if is_plain(name) or _UNSHOWN.search(name) is None:
        return name
    return _UNSHOWN.sub(_escaped, name)


def is_plain(name: str) -> bool:
    """True for a printable ASCII name, which :func:`shown` leaves as it is (a quick test:
    ``isascii`` is free and ``isprintable`` a C loop, where the pattern costs twice as much)."""
    return name.isascii() and name.isprintable()
