"""provenance: tells where news text came from.

>>> from provenance import analyze  # doctest: +SKIP
>>> analysis = analyze(["seeds/"])  # doctest: +SKIP
"""

from __future__ import annotations

__version__ = "0.1.0"

from provenance.api import analyze
from provenance.settings import Settings

__all__ = ["Settings", "__version__", "analyze"]
