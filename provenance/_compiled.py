"""Which modules of the package run compiled, and their source when a compilation is stale.

``setup.py`` compiles some modules to C extensions (mypyc) beside their source, and
Python imports an extension before a source file of the same name. In a source tree
(an editable install; :func:`in_source_tree`) an edit or a checkout after the last
install leaves an extension older than its source, which would run the old code
without a word. Then every
compiled module is imported from its source instead (compiled modules call each other
directly, not through the import system, so it is all of them or none) and one warning
says how to rebuild.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import importlib.util
import sys
import warnings
from collections.abc import Sequence
from importlib.machinery import ModuleSpec
from pathlib import Path
from types import ModuleType

PACKAGE = Path(__file__).resolve().parent


def extensions(package: Path = PACKAGE) -> dict[str, tuple[Path, Path]]:
    """Module name -> (extension, source) for each module of ``package`` compiled for this Python."""
    found: dict[str, tuple[Path, Path]] = {}
    for suffix in importlib.machinery.EXTENSION_SUFFIXES:
        for extension in package.rglob(f"*{suffix}"):
            stem = extension.name.removesuffix(suffix)
            source = extension.with_name(f"{stem}.py")
            if stem.isidentifier() and source.is_file():
                parts = source.relative_to(package.parent).with_suffix("").parts
                found.setdefault(".".join(parts), (extension, source))
    return found


def stale(found: dict[str, tuple[Path, Path]]) -> list[str]:
    """The modules of ``found`` whose source changed after their extension was built."""
    return sorted(name for name, (built, source) in found.items() if source.stat().st_mtime > built.stat().st_mtime)


class SourceFinder(importlib.abc.MetaPathFinder):
    """Imports the given modules from their source files, ahead of any extension."""

    def __init__(self, sources: dict[str, Path]) -> None:
        self.sources = sources

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        source = self.sources.get(fullname)
        return None if source is None else importlib.util.spec_from_file_location(fullname, source)


def _from_source() -> bool:
    return any(isinstance(finder, SourceFinder) for finder in sys.meta_path)


def in_source_tree(package: Path = PACKAGE) -> bool:
    """True in a checkout (an editable install), where sources change after a build.

    An installed package is written once, and pip writes a module's source after its
    extension (archive order), so there a source is newer by a moment without being stale.
    """
    return (package.parent / "setup.py").is_file() and (package.parent / "pyproject.toml").is_file()


def prefer_fresh_source() -> None:
    """In a source tree, import every compiled module from its source when any of them is
    stale (with a warning)."""
    if not in_source_tree() or _from_source():
        return
    found = extensions()
    old = stale(found)
    if not old:
        return
    sys.meta_path.insert(0, SourceFinder({name: source for name, (_, source) in found.items()}))
    warnings.warn(
        f"provenance: compiled modules older than their source ({', '.join(old)}); running the "
        "source instead: rebuild them with `make` (or `pip install -e .`)",
        stacklevel=3,
    )


def compiled() -> tuple[str, ...]:
    """The modules of the package that run as compiled extensions (none: all pure Python)."""
    return () if _from_source() else tuple(sorted(extensions()))
