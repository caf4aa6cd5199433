"""The one base class for errors the library raises on purpose.

The CLI turns any :class:`ProvenanceError` into a single ``Error:`` line and exit
code 2. Bad *input files* are not errors: they become ``Rejected`` values.
"""

from __future__ import annotations


class ProvenanceError(Exception):
    """Base class: a usage or configuration problem the user can fix."""


class SettingsError(ProvenanceError):
    """A setting is unknown or has a value of the wrong type."""


class InputError(ProvenanceError):
    """The set of inputs cannot be analysed as given (no files, clashing ids)."""


class FingerprintError(ProvenanceError):
    """Fingerprints made with different settings (shingle size, permutations, seed, scheme)."""


class IndexStateError(ProvenanceError):
    """A signature index that is missing, damaged, or made with other settings than the current ones."""


class OutputError(ProvenanceError):
    """A report or other output file that cannot be written (full disk, permissions)."""


class WorkerError(ProvenanceError):
    """A worker process died (killed, out of memory) on the same task twice."""
