"""provenance: tells where news text came from.

>>> from provenance import analyze  # doctest: +SKIP
>>> analysis = analyze(["seeds/"])  # doctest: +SKIP
"""

from __future__ import annotations

__version__ = "0.1.0"

from provenance._compiled import compiled, prefer_fresh_source

# Before any module of the package is imported: a compiled module older than its source
# (an edit or a checkout since the last install) must not run the old code.
prefer_fresh_source()

from provenance.api import analyze  # noqa: E402
from provenance.settings import Settings  # noqa: E402

__all__ = ["Settings", "__version__", "analyze", "compiled"]
