"""Benchmarks, the labelled corpus generator and the quality gate (run by hand, print figures)."""
