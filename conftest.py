"""Doctests of compiled modules run on their source (tests/test_compiled.py), not here.

``--doctest-modules`` imports each module of the package by its file. A module compiled
by setup.py is imported as its extension, whose file is not the ``.py`` file pytest
collects (an "import file mismatch" error), and doctest finds no examples in compiled
functions anyway.
"""

from __future__ import annotations

from pathlib import Path

from provenance._compiled import compiled, extensions

_COMPILED_SOURCES = {extensions()[name][1] for name in compiled()}


def pytest_ignore_collect(collection_path: Path) -> bool | None:
    return True if collection_path.resolve() in _COMPILED_SOURCES else None
