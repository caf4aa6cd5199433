"""Renderers: they format an ``Analysis`` and never recompute it."""
