"""``python -m provenance``."""

from provenance.cli import run

raise SystemExit(run())
