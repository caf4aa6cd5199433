"""Inputs named by URL: object stores and other file systems, read through fsspec.

A media-monitoring archive often sits in a bucket (``s3://archive/2024/``) that every
worker of a Dask cluster can read, where no shared mount exists. fsspec is imported
only when a URL is given, and each store needs its own package besides (s3fs for
``s3://``, gcsfs for ``gs://``, adlfs for ``az://``; ``file://`` needs none).
Credentials and endpoints come from that package's usual configuration: for S3 the
``AWS_*`` environment variables, ``~/.aws`` or an instance role, and
``AWS_ENDPOINT_URL`` for a store that is not AWS (MinIO, Ceph, a test server).

Nothing here raises for one bad input beyond :class:`RemoteError` (or
:class:`TooLargeError`), whose message is one line: :mod:`provenance.ingest` turns it into a
``Rejected`` value, and the rest of the corpus is analysed.
"""

from __future__ import annotations

import glob
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

# The s3 extra installs fsspec and s3fs; other stores name their own package.
S3_INSTALL = "pip install 'provenance[s3]'"


class RemoteError(Exception):
    """Why a URL cannot be listed or read, in one line."""


class TooLargeError(Exception):
    """A file over the size limit (``size`` bytes), left unread."""

    def __init__(self, size: int) -> None:
        super().__init__(size)
        self.size = size


@dataclass(frozen=True, slots=True)
class Listed:
    """One file a URL names: its own URL, its path below what was given (its name when
    given by itself or by a pattern), how reports show it (the given prefix joined with
    that path), and whether it was found below a directory (whose files are filtered by
    extension, as local ones are)."""

    url: str
    relative: str
    display: str
    below: bool = False


def one_line(exc: BaseException) -> str:
    """An exception as one line: what a missing file or a refusal is, else the first
    line of its text (stores put a path alone in a FileNotFoundError), else its type.

    >>> one_line(FileNotFoundError("news/gone.txt")), one_line(PermissionError(13, "Permission denied"))
    ('no such file or directory', 'Permission denied')
    >>> one_line(ValueError("Protocol not known: nope\\nmore")), one_line(KeyError())
    ('Protocol not known: nope', 'KeyError')
    """
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    if isinstance(exc, FileNotFoundError):
        return "no such file or directory"
    if isinstance(exc, PermissionError):
        return "permission denied"
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _filesystem(url: str) -> tuple[Any, str]:
    """fsspec's file system for ``url`` and the path on it (a missing package named)."""
    try:
        import fsspec  # noqa: PLC0415 (only runs with URL inputs; fsspec is an optional extra)
    except ImportError:
        raise RemoteError(f"reading URLs needs fsspec and the store's package ({S3_INSTALL} for s3://)") from None
    try:
        fs, path = fsspec.core.url_to_fs(url)
    except ImportError as exc:  # the store's package: fsspec's message names it ("Install s3fs to access S3")
        s3 = url.split("://", 1)[0].lower() in {"s3", "s3a"}
        raise RemoteError(f"{one_line(exc)}: {S3_INSTALL}" if s3 else one_line(exc)) from None
    except Exception as exc:  # an unknown protocol, bad options: each store raises its own
        raise RemoteError(one_line(exc)) from None
    return fs, str(path)


def _basename(path: str) -> str:
    return path.rstrip("/").rsplit("/", 1)[-1]


def expand(given: str) -> list[Listed]:
    """The files ``given`` names: itself, every file below it (a directory or key
    prefix, read recursively), or a glob's matches.

    Raises:
        RemoteError: nothing can be listed there (missing, no access, no package).
    """
    fs, path = _filesystem(given)
    try:
        if glob.has_magic(path):
            matches = fs.glob(path, detail=True)
            files = sorted(name for name, info in matches.items() if info.get("type") == "file")
            if not files:
                raise RemoteError("the pattern matches no file")
            return [Listed(url := fs.unstrip_protocol(name), _basename(name), url) for name in files]
        root = path.rstrip("/")
        if fs.isdir(root):
            prefix = given.rstrip("/") + "/"
            out: list[Listed] = []
            for name, info in fs.find(root, detail=True).items():
                if info.get("type") == "file":
                    relative = name[len(root) + 1 :] if name.startswith(root + "/") else _basename(name)
                    out.append(Listed(fs.unstrip_protocol(name), relative, prefix + relative, below=True))
            return out
        if fs.isfile(root):
            return [Listed(fs.unstrip_protocol(root), _basename(root), given)]
    except RemoteError:
        raise
    except Exception as exc:  # no access, no bucket, network: each store raises its own
        raise RemoteError(one_line(exc)) from None
    raise RemoteError("no such file or directory")


Fetched = bytes | RemoteError | TooLargeError


def fetch_many(urls: Sequence[str], limit: int) -> list[Fetched]:
    """The bytes of each URL, or why there are none, in order.

    One request a file for at most ``limit`` + 1 bytes (fsspec's ``cat_ranges``, which
    stores like s3fs send at once, not one after another). A file that comes back longer
    than ``limit``, or fails, is asked again by itself (:func:`read_bytes`), whose
    answer stands: its size for one too large, the reason for one that cannot be read
    (an empty S3 object refuses any byte range, so it is read there without one).
    """
    out: list[Fetched | None] = [None] * len(urls)
    stores: dict[int, tuple[Any, list[int], list[str]]] = {}
    for index, url in enumerate(urls):
        try:
            fs, path = _filesystem(url)
        except RemoteError as exc:
            out[index] = exc
            continue
        _, indexes, paths = stores.setdefault(id(fs), (fs, [], []))
        indexes.append(index)
        paths.append(path)
    for fs, indexes, paths in stores.values():
        try:
            found = fs.cat_ranges(paths, [0] * len(paths), [limit + 1] * len(paths), on_error="return")
        except Exception:  # the batch as a whole (a store without ranges): each file by itself
            found = [None] * len(paths)
        for index, data in zip(indexes, found, strict=True):
            out[index] = data if isinstance(data, bytes) and len(data) <= limit else _fetch_one(urls[index], limit)
    return cast("list[Fetched]", out)  # every place filled: by the store's answer or the error


def _fetch_one(url: str, limit: int) -> Fetched:
    try:
        return read_bytes(url, limit)
    except (RemoteError, TooLargeError) as exc:
        return exc


def read_bytes(url: str, limit: int) -> bytes:
    """The bytes of the file at ``url``, its size asked first so a file over ``limit``
    bytes is not fetched (and an empty one never asked for a range).

    Raises:
        TooLargeError: the file has more than ``limit`` bytes.
        RemoteError: it cannot be read.
    """
    fs, path = _filesystem(url)
    try:
        size = fs.size(path)
        if size is not None and size > limit:
            raise TooLargeError(size)
        return bytes(fs.cat_file(path)) if size != 0 else b""
    except TooLargeError:
        raise
    except Exception as exc:  # as in expand
        raise RemoteError(one_line(exc)) from None
