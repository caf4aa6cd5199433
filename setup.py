"""Build hook: the hot pure-Python modules compiled to C extensions with mypyc, when they can be.

Everything else about the package is declared in ``pyproject.toml``. ``pip install .`` (and
``pip install -e .``) compiles the modules in :data:`COMPILED` with mypyc, the compiler
that ships with mypy (a build requirement), from the same type-annotated source the
tests and mypy read: the per-document stages and the serial stages of the main process
(issue 9: ~1 ms of interpreted Python a document was the whole run's floor). The pure
modules stay beside the extensions and are what runs when there are none:

* ``PROVENANCE_PURE=1`` at install time skips the compilation;
* a machine where mypyc or the C compiler fails gets the pure package and a warning,
  never a failed install (nor a half-built one: a failed build removes what it built).

``python -c "import provenance; print(provenance.compiled())"`` names the compiled modules.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from setuptools import setup
from setuptools.command.build_ext import build_ext

# Modules whose classes never cross a process boundary as pickles of their own (mypyc's
# native classes do not pickle like Python's) and whose source mypyc accepts; each one
# measured faster compiled (see "Compiled modules" in docs/performance.md).
COMPILED = (
    "provenance/text.py",
    "provenance/segment.py",
    "provenance/furniture.py",
    "provenance/metadata.py",
    "provenance/documents.py",
    "provenance/quotes.py",
    "provenance/speakers.py",
    "provenance/credits.py",
    "provenance/lineage.py",
    "provenance/align.py",
    "provenance/trails.py",
    "provenance/candidates.py",
    "provenance/report/as_json.py",
    "provenance/report/markdown.py",
)


def _warn(message: str) -> None:
    print(f"provenance: {message}; the pure-Python modules run instead", file=sys.stderr)


class OptionalBuildExt(build_ext):
    """A failed compilation leaves the pure package: nothing it built is kept."""

    def run(self) -> None:
        try:
            super().run()
        except Exception as exc:
            for built in self.get_outputs():
                Path(built).unlink(missing_ok=True)
            _warn(f"the compiled modules were not built ({exc})")


def extensions() -> list[Any]:
    if os.environ.get("PROVENANCE_PURE"):
        return []
    try:
        from mypyc.build import mypycify  # noqa: PLC0415 (a missing mypyc is a fallback, not an error)

        # The package's own mypy settings (strict) are for `make lint`; mypyc needs the
        # types only, and the build environment has no stubs of the dependencies.
        options = ["--config-file", os.devnull, "--ignore-missing-imports", *COMPILED]
        return list(mypycify(options, opt_level="3", group_name="provenance_native"))
    except (Exception, SystemExit) as exc:
        _warn(f"mypyc could not compile the modules ({exc})")
        return []


setup(ext_modules=extensions(), cmdclass={"build_ext": OptionalBuildExt})
