"""Check: the CI gate. New files judged against a corpus's signature index and against each other.

The steps, none of which reads or fingerprints the whole corpus again:

1. **The drop.** New files given by path (files, folders, globs) or listed by ``git diff
   --name-only --no-renames --diff-filter=AMT COMMIT`` in the corpus repository (``COMMIT``:
   what ``git rev-parse --verify`` makes of the user's ``REV``). A file inside the corpus
   root gets the id the corpus would give it (its relative path without extension) and
   the index entry of that id, an older version of the same file, is left out.
2. **Load and fingerprint** only the new files, with the index's counts of repeated
   short lines so furniture is decided as over the whole corpus, and the corpus's common
   shingles (``candidates.max_df``) dropped as a full analysis would.
3. **Exact duplicates** by content hash and by shingle-set digest (indexed columns).
4. **Candidates** from the stored search signatures: for each new file, the number of
   minhash rows it shares with every indexed document (one vectorised comparison
   against the signature matrix), against the size-aware threshold of
   :func:`provenance.candidates.required_collisions`, then exact verification on the
   stored shingle sets of the candidates only (:func:`provenance.candidates.verify`).
5. **The sub-corpus** {new files + the indexed documents they match (at most
   ``check.max_matches`` per file, those sharing most of it)} goes through
   :func:`provenance.api.analyze_documents`, reusing the stored fingerprints, so every
   corpus-level stage (pairs among new files included) runs on a few hundred documents.
6. **Relations** (:func:`relations`) say how each new file relates to what it shares text
   with, and **policy** (:func:`judge`) turns that into a verdict with findings.

Nothing here prints; the CLI and :mod:`provenance.report.check` render the result.
"""

from __future__ import annotations

import fnmatch
import math
import os
import re
import subprocess
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np

from provenance.api import analyze_documents, load_sources
from provenance.candidates import bigram_settings, near_full, renamed, required_collisions, verify
from provenance.credits import Credit, credits
from provenance.errors import InputError
from provenance.fingerprint import Fingerprint, band_signatures, fingerprint, shingle_digest, shingle_sets, signatures
from provenance.index import IndexedDocument, SignatureIndex, is_hidden
from provenance.ingest import Source, discover, is_url
from provenance.metadata import canonical_outlet
from provenance.model import (
    Analysis,
    CheckResult,
    CheckStatus,
    Document,
    Finding,
    LineageEdge,
    Match,
    Pair,
    Rejected,
    Verdict,
)
from provenance.names import shown
from provenance.quotes import extract_quotes
from provenance.settings import CandidateSettings, CheckSettings, FingerprintSettings, LineageSettings, Settings
from provenance.trails import statement_keys

NEW_PREFIX = "new:"  # ids of new files outside the corpus root, which cannot clash with corpus ids


# --- the drop -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NewFile:
    """A file to check: its source (with the id decided here), how to show it, its corpus-relative path."""

    source: Source
    display: str
    relative: str | None


def repository_top(path: Path) -> Path | None:
    """The nearest folder at or above ``path`` holding ``.git`` (a repository's top), if any."""
    for folder in (path, *path.parents):
        if (folder / ".git").exists():
            return folder
    return None


def _display(path: Path) -> str:
    """How a new file is named in verdicts and annotations: relative to its repository's top
    (what ``git diff`` lists and GitHub annotations need), else to the working directory, else absolute."""
    resolved = path.resolve()
    for base in (repository_top(resolved.parent), Path.cwd().resolve()):
        if base is not None:
            try:
                return resolved.relative_to(base).as_posix()
            except ValueError:
                continue
    return resolved.as_posix()


def new_file(path: Path, root: Path | None) -> NewFile:
    """Name a new file: inside ``root`` it gets the corpus id of its path, outside a ``new:`` id.

    >>> f = new_file(Path("/corpus/wire/a.txt"), Path("/corpus"))
    >>> f.source.id, f.relative
    ('wire/a', 'wire/a.txt')
    >>> new_file(Path("/drop/b.txt"), Path("/corpus")).source.id
    'new:/drop/b'
    """
    display = shown(_display(path))
    relative = None
    if root is not None:
        try:
            relative = path.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            relative = None
    doc_id = (
        shown(Path(relative).with_suffix("").as_posix())
        if relative
        else NEW_PREFIX + Path(display).with_suffix("").as_posix()
    )
    return NewFile(Source(doc_id, str(path), display), display, relative)


def drop_files(
    paths: Iterable[str | Path], root: Path | None, settings: Settings
) -> tuple[list[NewFile], list[Rejected]]:
    """The new files named by ``paths`` (files, folders read recursively, globs), each once, sorted by id.

    Raises:
        InputError: naming every path or pattern that matches nothing (nothing is checked then).
    """
    found: dict[Path, NewFile] = {}
    rejected: list[Rejected] = []
    missing: list[str] = []
    for item in paths:
        if isinstance(item, str) and is_url(item):  # new files sit in a working tree, beside the index
            rejected.append(Rejected(shown(item), "unreadable", "the check reads local files only (mount the store)"))
            continue
        try:
            sources, skipped = discover([item], settings.ingest)
        except InputError as exc:
            missing.append(str(exc))
            continue
        rejected.extend(skipped)
        for source in sources:
            named = new_file(source.path, root)
            found.setdefault(source.path.resolve(), named)
    files = sorted(found.values(), key=lambda f: f.source.id)
    seen: dict[str, NewFile] = {}
    for f in files:
        if f.source.id in seen:  # wire/a.txt and wire/a.md: one id, as in the corpus
            rejected.append(
                Rejected(
                    f.display, "duplicate-id", f"id {f.source.id!r} is already used by {seen[f.source.id].display}"
                )
            )
        else:
            seen[f.source.id] = f
    if missing:
        raise InputError("\n".join(missing))
    return list(seen.values()), rejected


def _git(args: Sequence[str], cwd: Path) -> bytes:
    """Run git; its output as bytes (file names need not be UTF-8). A failure is an :class:`InputError`."""
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False)
    except OSError as exc:
        raise InputError(f"cannot run git: {exc.strerror or exc}") from exc
    if done.returncode != 0:
        detail = (done.stderr.decode("utf-8", "replace").strip().splitlines() or ["failed"])[-1]
        raise InputError(f"git {' '.join(args[:2])} in {cwd}: {detail}")
    return done.stdout


_OBJECT_ID = re.compile(r"[0-9a-f]{40}(?:[0-9a-f]{24})?")


def resolve_commit(top: Path, rev: str) -> str:
    """The full id of the commit ``rev`` names in the repository at ``top``.

    ``rev`` comes from the user: it reaches git only after ``--end-of-options``, only
    ``git rev-parse --verify`` sees it, and what git is given next is the id it printed. A
    revision never starts with ``-`` (git refuses such ref names), so one that does is refused
    before git runs: it could only be an option in disguise.

    Raises:
        InputError: ``rev`` is empty, starts with ``-`` or names no commit.
    """
    if not rev or rev.startswith("-"):
        raise InputError(f"--since {rev!r}: not a revision (revisions never start with '-' or are empty)")
    try:
        out = _git(["rev-parse", "--verify", "--quiet", "--end-of-options", rev + "^{commit}"], top)
    except InputError:
        raise InputError(f"--since {rev!r}: no such commit in {top}") from None
    commit = out.decode("ascii", "replace").strip()
    if not _OBJECT_ID.fullmatch(commit):
        raise InputError(f"--since {rev!r}: git rev-parse answered {commit!r}, not a commit id")
    return commit


def changed_since(root: Path, rev: str, settings: Settings) -> list[Path]:
    """Corpus files with new content since ``rev``: added, modified, renamed, copied or retyped.

    ``git diff --name-only --no-renames --diff-filter=AMT -z COMMIT`` after :func:`resolve_commit`:
    without rename detection a moved or copied file is an addition at its new path, so text
    appended to a renamed file is checked like any new file's. Only files under ``root``
    with a corpus extension, outside hidden folders, are kept; a symlink is kept by where
    it lies, not where it leads, so that discovery refuses it with its reason (a link out
    of the corpus, a dangling one) rather than it vanishing.

    Raises:
        InputError: when ``root`` is not in a git repository or ``rev`` is no commit of it.
    """
    top = Path(os.fsdecode(_git(["rev-parse", "--show-toplevel"], root)).rstrip("\n"))
    commit = resolve_commit(top, rev)
    options = ["--name-only", "--no-renames", "--diff-filter=AMT", "-z", "--end-of-options"]
    listed = _git(["diff", *options, commit, "--"], top)
    out = []
    extensions = {e.lower() for e in settings.ingest.extensions}
    for name in sorted(os.fsdecode(n) for n in listed.split(b"\0") if n):
        path = top / name
        try:
            relative = (path.parent.resolve() / path.name).relative_to(root.resolve()).as_posix()
        except ValueError:
            continue
        if (path.is_symlink() or path.is_file()) and path.suffix.lower() in extensions and not is_hidden(relative):
            out.append(path)
    return out


# --- candidates against the index -----------------------------------------------------------------


def index_candidates(
    matrix: np.ndarray,
    sizes: np.ndarray,
    usable: np.ndarray,
    query_signatures: np.ndarray,
    query_sizes: np.ndarray,
    settings: CandidateSettings,
    *,
    banded: bool = False,
) -> list[np.ndarray]:
    """For each query signature, the rows of ``matrix`` colliding in enough minhash rows.

    The same decision :func:`provenance.candidates.search` makes for a pair, taken
    against a stored matrix: ``required_collisions`` for the two set sizes. ``usable``
    masks rows that may match (indexed, non-empty, not an older version of a new file).
    ``banded``: the matrices hold the bigram sketch's band keys, and one shared key
    between sets of near-full length makes a candidate, as in
    :func:`provenance.candidates.bigram_pairs`.

    >>> m = np.array([[1, 2, 3, 4], [9, 9, 9, 9]], dtype=np.uint32)
    >>> s = CandidateSettings(search_containment=0.5, min_collisions=2)
    >>> index_candidates(m, np.array([10, 10]), np.array([True, True]), m[:1], np.array([10]), s)[0].tolist()
    [0]
    """
    rows, num_perm = matrix.shape
    out: list[np.ndarray] = [np.zeros(0, dtype=np.int64)] * len(query_sizes)
    live = np.flatnonzero(np.asarray(query_sizes) > 0)
    if rows == 0 or live.size == 0:
        return out
    # Per permutation, look every stored value up among the queries' values (sorted): one
    # searchsorted over the column instead of one comparison of the matrix per query.
    columns = np.ascontiguousarray(matrix.T)
    codes: list[np.ndarray] = []
    for k in range(num_perm):
        values = query_signatures[live, k]
        order = np.argsort(values, kind="stable")
        ordered = values[order]
        column = columns[k]
        left = np.searchsorted(ordered, column)
        hit = np.flatnonzero((ordered[np.minimum(left, ordered.size - 1)] == column) & usable)
        if hit.size == 0:
            continue
        first = left[hit]
        width = np.searchsorted(ordered, column[hit], side="right") - first
        within = np.arange(int(width.sum())) - np.repeat(np.cumsum(width) - width, width)
        queries = live[order[np.repeat(first, width) + within]]
        codes.append(queries.astype(np.int64) * rows + np.repeat(hit, width))
    if not codes:
        return out
    pairs, counts = np.unique(np.concatenate(codes), return_counts=True)
    query, row = pairs // rows, pairs % rows
    size = np.asarray(query_sizes)[query]
    small, big = np.minimum(size, sizes[row]), np.maximum(size, sizes[row])
    keep = near_full(small, big, settings) if banded else counts >= required_collisions(small, big, num_perm, settings)
    query, row = query[keep], row[keep]
    bounds = np.searchsorted(query, np.arange(len(query_sizes) + 1))
    return [row[bounds[q] : bounds[q + 1]] for q in range(len(query_sizes))]


def drop_common(fp: Fingerprint, common: np.ndarray) -> Fingerprint:
    """The fingerprint without the corpus's common shingles (re-signed only when one was dropped)."""
    if common.size == 0 or fp.size == 0:
        return fp
    kept = fp.shingles[~np.isin(fp.shingles, common, assume_unique=True)]
    if kept.size == fp.size:
        return fp
    signature = signatures([kept], fp.params.num_perm, fp.params.seed)[0]
    return Fingerprint(fp.params, kept, signature, bigrams=fp.bigrams)


# --- relations: how a new file relates to what it shares text with --------------------------------

RELATION_ORDER = (
    "exact duplicate",
    "same text",
    "full copy",
    "excerpt",
    "excerpt with commentary",
    "contains",
    "shares text",
)


@dataclass(frozen=True, slots=True)
class Drop:
    """What :func:`relations` needs besides the analysis: who is new, where files are, exact hits."""

    new: tuple[str, ...]
    paths: Mapping[str, str]
    sets: Mapping[str, np.ndarray]
    documents: Mapping[str, Document]
    same_bytes: Mapping[str, tuple[str, ...]]
    index_pairs: tuple[Pair, ...]
    unavailable: frozenset[str]


def first_shared_line(doc: Document, other: np.ndarray, settings: FingerprintSettings) -> int:
    """The line (1-based, in the raw file) of ``doc``'s first paragraph sharing shingles with ``other``."""
    paragraphs = [p for p in doc.paragraphs if p.key]
    sets = shingle_sets([p.key for p in paragraphs], settings.shingle_size)
    for paragraph, values in zip(paragraphs, sets, strict=True):
        shared = int(np.count_nonzero(np.isin(values, other, assume_unique=True))) if values.size else 0
        if shared and shared >= min(2, values.size):
            start = doc.raw_span(paragraph.clean).start
            return doc.raw.count("\n", 0, start) + 1
    return 1


def _label(c_new: float, c_doc: float, jaccard: float, own: float, settings: LineageSettings) -> str:
    """The relation seen from the new file, from containment both ways (lineage's thresholds).

    >>> s = LineageSettings()
    >>> _label(0.97, 0.95, 0.9, 0.0, s), _label(0.95, 0.3, 0.3, 0.05, s), _label(0.5, 0.2, 0.2, 0.5, s)
    ('full copy', 'excerpt', 'excerpt with commentary')
    >>> _label(0.3, 0.9, 0.3, 0.7, s), _label(0.3, 0.35, 0.2, 0.7, s)
    ('contains', 'shares text')
    """
    if jaccard >= 1.0:
        return "same text"
    if c_new >= settings.full_min and c_doc >= settings.full_min:
        return "full copy"
    if c_doc - c_new >= settings.containment_asymmetry_min:
        return "contains"
    if c_new - c_doc >= settings.containment_asymmetry_min:
        return "excerpt with commentary" if own >= settings.commentary_min else "excerpt"
    return "shares text"


def _shared(a: np.ndarray, b: np.ndarray) -> int:
    return int(np.count_nonzero(np.isin(a, b, assume_unique=True))) if a.size and b.size else 0


def lineage_note(edge: LineageEdge, paths: Mapping[str, str]) -> str:
    """Lineage's reading of a new file, for the verdict's notes: role, parent, top evidence.

    The gate's own verdict takes every matched corpus document as upstream (a drop is newer
    than the corpus); lineage adds what a reader wants next: whose piece it is (an outside
    outlet when credits say so), how sure, and why.

    >>> from provenance.model import Evidence
    >>> edge = LineageEdge("new", "excerpt", "external:AP", "partial copy", 0.78, (Evidence("credit", "(AP) —"),))
    >>> lineage_note(edge, {})
    'lineage: excerpt of external:AP (partial copy, confidence 0.78): credit: (AP) —'
    """
    parent = paths.get(edge.parent, edge.parent) if edge.parent else "no parent"
    reasons = "; ".join(f"{e.kind}: {e.detail}" for e in edge.evidence[:2])
    relation = f"{edge.relation}, " if edge.relation else ""
    return f"lineage: {edge.role} of {parent} ({relation}confidence {edge.confidence:.2f})" + (
        f": {reasons}" if reasons else ""
    )


def relations(analysis: Analysis, drop: Drop, settings: Settings) -> dict[str, tuple[str, tuple[Match, ...]]]:
    """For each new file, its role and its matches, best first.

    The gate decides from time, not from lineage's direction signals: a drop is newer than
    the corpus, so every matched corpus document is upstream of the new file. Lineage's
    reading (role, parent, evidence) is added to each verdict's notes (:func:`lineage_note`).
    The relation is read from
    ``analysis.pairs`` (containment both ways against lineage's ``full_min``,
    ``containment_asymmetry_min`` and ``commentary_min``) plus the index's pairs for corpus
    files that could not be read, and a new file's role is its best match's relation.
    Every match counts as upstream of the new file (conservative: a new file holding all of
    an indexed article is flagged too), except between two new files, where the one holding
    less of the other's text (or, when even, the later id) is the copy.
    """
    lineage_settings = settings.lineage
    pairs = [*analysis.pairs, *drop.index_pairs, *_identical_pairs(analysis, drop)]
    new = set(drop.new)
    by_new: dict[str, dict[str, Pair]] = {n: {} for n in drop.new}
    for pair in pairs:
        for one, other in ((pair.a, pair.b), (pair.b, pair.a)):
            if one in by_new:
                by_new[one][other] = pair
    out: dict[str, tuple[str, tuple[Match, ...]]] = {}
    for doc_id in drop.new:
        mine = drop.sets.get(doc_id, np.zeros(0, np.uint64))
        others: dict[str, tuple[float, float, float, int]] = {}
        for other, pair in by_new[doc_id].items():
            c_new, c_doc = (
                (pair.containment_a_in_b, pair.containment_b_in_a)
                if pair.a == doc_id
                else (pair.containment_b_in_a, pair.containment_a_in_b)
            )
            if other in new and not _derived(doc_id, other, c_new, c_doc, lineage_settings):
                continue
            others[other] = (pair.jaccard, c_new, c_doc, pair.shared_shingles)
        for other in drop.same_bytes.get(doc_id, ()):
            if other not in others and not (other in new and other > doc_id):
                others[other] = (1.0, 1.0, 1.0, _shared(mine, drop.sets.get(other, mine[:0])))
        union = np.unique(np.concatenate([mine[:0], *(drop.sets[o] for o in others if o in drop.sets)]))
        own = 1.0 - _shared(mine, union) / mine.size if mine.size else 0.0
        matches = []
        doc = drop.documents.get(doc_id)
        for other, (jaccard, c_new, c_doc, shared) in others.items():
            exact = other in drop.same_bytes.get(doc_id, ())
            relation = "exact duplicate" if exact else _label(c_new, c_doc, jaccard, own, lineage_settings)
            theirs = drop.sets.get(other)
            line = 1 if doc is None or theirs is None else first_shared_line(doc, theirs, settings.fingerprint)
            matches.append(
                Match(
                    doc=other,
                    path=drop.paths.get(other, other),
                    relation=relation,
                    jaccard=round(jaccard, 4),
                    containment_new=round(c_new, 4),
                    containment_doc=round(c_doc, 4),
                    shared_shingles=shared,
                    line=line,
                    in_drop=other in new,
                    available=other not in drop.unavailable,
                )
            )
        matches.sort(key=lambda m: (RELATION_ORDER.index(m.relation), -m.containment_new, -m.jaccard, m.in_drop, m.doc))
        out[doc_id] = (matches[0].relation if matches else "unrelated", tuple(matches))
    return out


def _identical_pairs(analysis: Analysis, drop: Drop) -> list[Pair]:
    """The pairs a new file makes through a group of identical texts it belongs to: with each
    other member (all of the text both ways) and, for a copy, each of its head's pairs seen from
    the copy (the analysis pairs the head only)."""
    out: list[Pair] = []
    head_pairs: dict[str, list[Pair]] = {}
    for pair in analysis.pairs:
        head_pairs.setdefault(pair.a, []).append(pair)
        head_pairs.setdefault(pair.b, []).append(pair)
    new = set(drop.new)
    for group in analysis.duplicates:
        members = (group.head, *group.copies)
        for doc_id in (m for m in members if m in new):
            size = int(drop.sets[doc_id].size) if doc_id in drop.sets else 0
            for other in members:
                if other != doc_id:
                    a, b = min(doc_id, other), max(doc_id, other)
                    out.append(Pair(a, b, 1.0, 1.0, 1.0, size, size, size, a))
            if doc_id != group.head:
                out.extend(renamed(head_pairs.get(group.head, ()), {group.head: doc_id}))
    return out


def _derived(doc_id: str, other: str, c_new: float, c_doc: float, settings: LineageSettings) -> bool:
    """Between two new files: is ``doc_id`` the copy (it holds less of the other), or the later one when even?"""
    if c_new - c_doc >= settings.containment_asymmetry_min:
        return True
    if c_doc - c_new >= settings.containment_asymmetry_min:
        return False
    return doc_id > other


# --- policy -----------------------------------------------------------------------------------------


def percent(share: float) -> str:
    """A share as a whole percentage, rounded down so that 99.7% never reads as all of it.

    >>> percent(0.9966), percent(1.0), percent(0.724)
    ('99%', '100%', '72%')
    """
    return f"{math.floor(share * 100 + 1e-9)}%"


def _short(path: str) -> str:
    return Path(path).stem or path


def describe_match(match: Match) -> str:
    """How a new file relates to one match, with the percentages a reader can check.

    >>> m = Match("wire/x", "wire/x.txt", "excerpt", 0.3, 0.72, 0.3, 120, 4, False)
    >>> describe_match(m)
    'excerpt of wire/x.txt (72% of it in x)'
    """
    where = match.path + (" in this drop" if match.in_drop else "")
    name = _short(match.path)
    it_in, in_it = (
        f"{percent(match.containment_new)} of it in {name}",
        f"{percent(match.containment_doc)} of {name} in it",
    )
    text = {
        "exact duplicate": f"exact duplicate of {where} (same bytes)",
        "same text": f"same text as {where} (identical once page furniture is set aside)",
        "full copy": f"full copy of {where} ({it_in}, {in_it})",
        "excerpt": f"excerpt of {where} ({it_in})",
        "excerpt with commentary": f"excerpt of {where} with commentary ({it_in})",
        "contains": f"contains {where} ({in_it}, {it_in})",
    }.get(match.relation, f"shares text with {where} ({it_in}, {in_it})")
    if not match.available:
        text += " [corpus file not readable: scores from the index]"
    return text


def allowed_pair(new: Sequence[str], other: Sequence[str], patterns: Sequence[str]) -> str | None:
    """The first ``"NEW -> OTHER"`` pattern (or bare ``"OTHER"``) matching names of the two files.

    >>> allowed_pair(["partners/a", "partners/a.txt"], ["wire/x", "wire/x.txt"], ["partners/* -> wire/*"])
    'partners/* -> wire/*'
    >>> allowed_pair(["blog/a"], ["wire/x"], ["partners/* -> wire/*"]) is None
    True
    """
    for pattern in patterns:
        left, sep, right = pattern.partition("->")
        mine, theirs = (left.strip(), right.strip()) if sep else ("*", left.strip())
        if any(fnmatch.fnmatchcase(n, mine) for n in new) and any(fnmatch.fnmatchcase(o, theirs) for o in other):
            return pattern
    return None


def _credit_text(credit: Credit) -> str:
    return f"{credit.outlet} ({credit.cue.kind})"


def _names(doc_id: str, path: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys((doc_id, path, path.removeprefix("./"))))


ClaimStatus = Literal["confirmed", "unverified", "contradicted"]


def weigh_claim(
    claimed: Sequence[str], match: Match, attributed: Mapping[str, Sequence[str]]
) -> tuple[ClaimStatus, str]:
    """A file's credit lines (``claimed`` outlets) weighed against what the index says of one match.

    ``confirmed``: the index attributes the matched document to a claimed outlet (its piece
    or its page); ``contradicted``: to other outlets only, so the text is someone else's;
    ``unverified``: to none, or the match is another new file (whose credits are claims too).

    >>> m = Match("wire/x", "wire/x.txt", "excerpt", 0.3, 0.72, 0.3, 120, 4, False)
    >>> weigh_claim(["AP"], m, {"wire/x": ("AP", "Daily Planet")})
    ('confirmed', 'the index attributes x to AP')
    >>> weigh_claim(["AP"], m, {"wire/x": ("Daily Planet",)})
    ('contradicted', 'claims AP, but the index attributes x to Daily Planet')
    >>> weigh_claim(["AP"], m, {"wire/x": ()})
    ('unverified', 'claims AP (unverified: the index attributes x to no outlet)')
    """
    name = _short(match.path)
    claims = " and ".join(claimed)
    page = None if match.in_drop else attributed.get(match.doc)
    if page is None:
        where = "is in this drop" if match.in_drop else "is not in the index"
        return "unverified", f"claims {claims} (unverified: {name} {where})"
    wanted = {c.casefold() for c in claimed}
    confirmed = next((o for o in page if o.casefold() in wanted), None)
    if confirmed is not None:
        return "confirmed", f"the index attributes {name} to {confirmed}"
    if not page:
        return "unverified", f"claims {claims} (unverified: the index attributes {name} to no outlet)"
    return "contradicted", f"claims {claims}, but the index attributes {name} to {', '.join(page)}"


def _weighed(
    text: str, match: Match, credited: Sequence[str], allowed: Sequence[str], attributed: Mapping[str, Sequence[str]]
) -> tuple[bool, str]:
    """Does a credit to an ``allowed`` outlet pass this match, and the match's text with what the index says of it."""
    claim, why = weigh_claim(allowed or credited, match, attributed)
    if allowed and claim == "confirmed":
        return True, f"{text}, allowlisted syndication (credits {', '.join(allowed)}), confirmed: {why}"
    if allowed and claim == "unverified":
        return True, f"{text}, allowlisted syndication, {why}"
    return False, f"{text} ({why})" if claim == "contradicted" else text


def _allowed(names: Iterable[str]) -> set[str]:
    """Allowlisted outlets, casefolded, by the name given and by its canonical name ("Associated Press": "AP")."""
    return {n.casefold() for name in names for n in (name, canonical_outlet(name) or name)}


def judge(
    new: NewFile,
    role: str,
    matches: Sequence[Match],
    piece_credits: Sequence[Credit],
    policy: CheckSettings,
    *,
    indexed: int,
    notes: Sequence[str] = (),
    attributed: Mapping[str, Sequence[str]] | None = None,
) -> Verdict:
    """Apply the policy to one new file's matches; the first rule a match breaks is its finding.

    Rules in order: same bytes (``fail_on_exact``; only an allowlisted pair passes it), then,
    unless the pair is allowlisted or the file's credit to an allowlisted outlet is not
    contradicted by the index (:func:`weigh_claim` against ``attributed``, the outlets the
    index attributes each indexed document to): same text
    (``fail_on_exact``), near-duplicate (Jaccard from ``near_duplicate``), republication
    (``fail_on_republication``) and republication without a credit line (``fail_on_uncredited``).
    A match sharing less than ``republication_min`` of either file is reported and passes.
    An allowlisted credit the index can neither confirm nor contradict passes as
    ``claims X (unverified: …)``; a credit the index contradicts is said in the match's text.
    """
    outlets = _allowed(policy.allow_outlets)
    attributed = attributed or {}
    credited = [c for c in piece_credits if c.scope == "piece"]
    credited_outlets = list(dict.fromkeys(c.outlet for c in credited))
    allowed_claims = [o for o in credited_outlets if o.casefold() in outlets]
    credit_note = "credited to " + ", ".join(credited_outlets) if credited else "no credit line"
    findings: list[Finding] = []
    passed: list[str] = []
    mine = _names(new.source.id, new.relative or new.display)
    for match in matches:
        text = describe_match(match)
        pattern = allowed_pair(mine, _names(match.doc, match.path), policy.allow_pairs)
        if pattern is not None:
            passed.append(f"{text}: allowlisted pair “{pattern}”")
            continue
        if match.relation == "exact duplicate":
            if policy.fail_on_exact:
                findings.append(Finding("exact", text, match.doc, match.line))
            else:
                passed.append(text)
            continue
        republication = max(match.containment_new, match.containment_doc) >= policy.republication_min
        if credited_outlets and (republication or match.relation == "same text"):
            allowed, text = _weighed(text, match, credited_outlets, allowed_claims, attributed)
            if allowed:
                passed.append(text)
                continue
        if match.relation == "same text" and policy.fail_on_exact:
            findings.append(Finding("exact", text, match.doc, match.line))
        elif match.jaccard >= policy.near_duplicate and policy.fail_on_near_duplicate:
            findings.append(
                Finding(
                    "near-duplicate",
                    f"{text}, near-duplicate (Jaccard {math.floor(match.jaccard * 100 + 1e-9) / 100:.2f} "
                    f"≥ {policy.near_duplicate:.2f})",
                    match.doc,
                    match.line,
                )
            )
        elif republication and policy.fail_on_republication:
            findings.append(
                Finding("republication", f"{text}, {credit_note}: republication is not allowed", match.doc, match.line)
            )
        elif republication and policy.fail_on_uncredited and not credited:
            findings.append(Finding("uncredited", f"{text}, no credit line", match.doc, match.line))
        else:
            passed.append(f"{text}, {credit_note}" if republication else text)
    credit_texts = tuple(dict.fromkeys(_credit_text(c) for c in credited))
    status: CheckStatus = "fail" if findings else "pass"
    if findings:
        summary = findings[0].message + (f" (+{len(findings) - 1} more)" if len(findings) > 1 else "")
    elif passed:
        summary = passed[0] + (f" (+{len(passed) - 1} more)" if len(passed) > 1 else "")
    else:
        summary = f"unrelated (no shared text with {indexed} indexed documents)"
    return Verdict(
        path=new.display,
        id=new.source.id,
        status=status,
        role=role,
        summary=summary,
        findings=tuple(findings),
        matches=tuple(matches),
        credits=credit_texts,
        notes=(*passed, *notes),
    )


def judge_rejected(rejected: Rejected, policy: CheckSettings, doc_id: str = "") -> Verdict:
    """A file of the drop that could not be read: a failure unless ``fail_on_rejected`` is off."""
    text = f"rejected: {rejected.reason} ({rejected.detail})"
    if policy.fail_on_rejected:
        return Verdict(rejected.path, doc_id, "fail", rejected.reason, text, (Finding("rejected", text),))
    return Verdict(rejected.path, doc_id, "skip", rejected.reason, text)


# --- the whole check ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Found:
    """What the index holds for a drop: the matching records, verified pairs, exact hits."""

    records: dict[int, IndexedDocument]
    sets: dict[str, np.ndarray]
    signatures: dict[str, np.ndarray]
    pairs: tuple[Pair, ...]
    same_bytes: dict[str, tuple[str, ...]]
    same_text: dict[str, tuple[str, ...]]
    candidates: int
    indexed: int


def _search(
    store: SignatureIndex,
    files: Sequence[NewFile],
    documents: Sequence[Document],
    raw: Sequence[Fingerprint],
    fps: Sequence[Fingerprint],
    settings: Settings,
) -> _Found:
    """Exact hits by hash and digest, candidates from the signature matrix, verified on stored shingles."""
    common = store.common
    rowids, sizes, matrix = store.search_arrays()
    inside = [f.source.id for f in files if f.relative]
    replaced = {r for rows in store.rowids_where("id", inside).values() for r in rows}
    usable = (sizes > 0) & ~np.isin(rowids, np.array(sorted(replaced), dtype=np.int64))
    query = np.stack([fp.signature for fp in fps]) if fps else np.zeros((0, matrix.shape[1]), np.uint32)
    found = index_candidates(matrix, sizes, usable, query, np.array([fp.size for fp in fps]), settings.candidates)
    by_sha = store.rowids_where("sha256", [d.sha256 for d in documents])
    by_digest = store.rowids_where("digest", [shingle_digest(fp.shingles) for fp in raw])
    wanted = {int(rowids[i]) for rows in found for i in rows.tolist()}
    wanted |= {r for rows in (*by_sha.values(), *by_digest.values()) for r in rows}
    records = {r.rowid: r for r in store.records(sorted(wanted - replaced))}
    row_of = {int(r): i for i, r in enumerate(rowids.tolist())}
    sets = {r.id: drop_common(r.fingerprint, common).shingles for r in records.values()}
    signatures_ = {r.id: matrix[row_of[r.rowid]] for r in records.values()}
    ids = [*(d.id for d in documents), *(records[r].id for r in sorted(records))]
    position = {doc_id: i for i, doc_id in enumerate(ids)}
    all_sets = [*(fp.shingles for fp in fps), *(sets[records[r].id] for r in sorted(records))]
    candidates = [
        (q, position[records[int(rowids[i])].id])
        for q, rows in enumerate(found)
        for i in rows.tolist()
        if int(rowids[i]) in records
    ]
    pairs = verify(ids, all_sets, np.array(candidates, dtype=np.int64).reshape(-1, 2), settings.candidates)
    extra, more = _bigram_search(store, documents, fps, usable, rowids, replaced, settings)
    known = {(p.a, p.b) for p in pairs}
    pairs = [*pairs, *(p for p in extra if (p.a, p.b) not in known)]
    for record in more:
        records.setdefault(record.rowid, record)
        sets.setdefault(record.id, drop_common(record.fingerprint, common).shingles)
        signatures_.setdefault(record.id, matrix[row_of[record.rowid]])
    return _Found(
        records=records,
        sets=sets,
        signatures=signatures_,
        pairs=tuple(pairs),
        same_bytes={d.id: tuple(records[r].id for r in by_sha.get(d.sha256, []) if r in records) for d in documents},
        same_text={
            d.id: tuple(records[r].id for r in by_digest.get(shingle_digest(fp.shingles), []) if r in records)
            for d, fp in zip(documents, raw, strict=True)
        },
        candidates=len(candidates),
        indexed=int(rowids.size),
    )


def _bigram_search(
    store: SignatureIndex,
    documents: Sequence[Document],
    fps: Sequence[Fingerprint],
    usable: np.ndarray,
    rowids: np.ndarray,
    replaced: set[int],
    settings: Settings,
) -> tuple[list[Pair], list[IndexedDocument]]:
    """The bigram sketch against the index (issue 31): pairs with a new file that no 5-gram
    links, from the stored bigram signatures, verified on the stored bigram samples."""
    if settings.candidates.bigram_containment > 1 or not fps:
        return [], []  # the sketch turned off (its settings would be out of range)
    chosen = bigram_settings(settings.candidates)
    common = store.common_bigrams
    query_sets = [np.setdiff1d(fp.bigrams, common, assume_unique=True) for fp in fps]
    sizes, matrix = store.bigram_arrays(settings.candidates.bigram_perm // 2)
    query = band_signatures(query_sets, settings.candidates.bigram_perm, settings.fingerprint.seed)
    query_sizes = np.array([s.size for s in query_sets])
    found = index_candidates(matrix, sizes, usable & (sizes > 0), query, query_sizes, chosen, banded=True)
    wanted = sorted({int(rowids[i]) for rows in found for i in rows.tolist()} - replaced)
    if not wanted:
        return [], []
    records = {r.rowid: r for r in store.records(wanted)}
    ordered = sorted(records)
    ids = [*(d.id for d in documents), *(records[r].id for r in ordered)]
    position = {r: len(documents) + k for k, r in enumerate(ordered)}
    sets = [*query_sets, *(np.setdiff1d(records[r].fingerprint.bigrams, common, assume_unique=True) for r in ordered)]
    candidates = [(q, position[row]) for q, rows in enumerate(found) for row in rowids[rows].tolist() if row in records]
    pairs = verify(ids, sets, np.array(candidates, dtype=np.int64).reshape(-1, 2), chosen)
    linked = {p.a for p in pairs} | {p.b for p in pairs}
    return pairs, [records[r] for r in ordered if records[r].id in linked]


def _best_matches(doc_id: str, found: _Found, limit: int) -> list[str]:
    """Indexed documents to analyse with a new file, at most ``limit``: exact hits, then those holding most of it.

    Exact hits count against the limit too: a text indexed in hundreds of copies would
    otherwise bring every copy (and every pair of them) into the analysis.
    """
    ranked = sorted(
        (p for p in found.pairs if doc_id in (p.a, p.b)),
        key=lambda p: (-(p.containment_a_in_b if p.a == doc_id else p.containment_b_in_a), p.a, p.b),
    )
    best = [p.b if p.a == doc_id else p.a for p in ranked][:limit]
    return list(dict.fromkeys([*found.same_bytes[doc_id], *found.same_text[doc_id], *best]))[: max(limit, 0)]


def _left_out(doc_id: str, found: _Found, kept: Iterable[str], limit: int) -> str | None:
    """The note on indexed documents sharing text with a new file that were not analysed with it, if any."""
    exact = {*found.same_bytes[doc_id], *found.same_text[doc_id]}
    related = exact | {p.b if p.a == doc_id else p.a for p in found.pairs if doc_id in (p.a, p.b)}
    rest = related - set(kept)
    if not rest:
        return None
    note = f"{len(rest)} more indexed documents share some text with it"
    duplicates = len(rest & exact)
    if duplicates:
        note += f", {duplicates} of them identical to it (same bytes or text; check.max_matches = {limit} analysed)"
    return note


def attributions(records: Iterable[IndexedDocument]) -> dict[str, tuple[str, ...]]:
    """The outlets the index attributes each document to: those its credits name for the whole
    piece or as its publisher (facts attributed in passing are not the page's).

    >>> from provenance.fingerprint import FingerprintParams
    >>> fp = Fingerprint(FingerprintParams(5, 4, 1), np.zeros(0, np.uint64), np.zeros(4, np.uint32))
    >>> cues = [{"outlet": "AP", "scope": "piece"}, {"outlet": "CNN", "scope": "fact"}]
    >>> attributions([IndexedDocument(1, "wire/a", "wire/a.txt", "", fp, None, None, cues)])
    {'wire/a': ('AP',)}
    """
    return {
        r.id: tuple(dict.fromkeys(c["outlet"] for c in r.credits if c.get("scope") in {"piece", "self"}))
        for r in records
    }


def _fingerprints(
    documents: Sequence[Document], store: SignatureIndex, settings: Settings
) -> tuple[list[Fingerprint], list[Fingerprint]]:
    """The new files' fingerprints as the index makes them (quoted statements left out), and
    the same without the index's common shingles (what search and verification compare)."""
    statements = [statement_keys(extract_quotes(d, settings.quotes)) for d in documents]
    raw = fingerprint(documents, settings.fingerprint, statements)
    return raw, [drop_common(fp, store.common) for fp in raw]


def check_drop(
    files: Sequence[NewFile], rejected: Sequence[Rejected], store: SignatureIndex, settings: Settings
) -> CheckResult:
    """Judge new files against an open index (see the module docstring for the steps)."""
    timings: dict[str, float] = {}
    started = time.perf_counter()
    store.require_settings(settings)
    line_counts = store.line_counts()
    documents, unreadable = load_sources([f.source for f in files], settings, timings, line_counts=line_counts)
    rejected = [*rejected, *unreadable]
    by_display = {f.display: f for f in files}
    t0 = time.perf_counter()
    raw, fps = _fingerprints(documents, store, settings)
    timings["fingerprint"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    found = _search(store, files, documents, raw, fps, settings)
    timings["search"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    limit = settings.check.max_matches
    chosen = {d.id: _best_matches(d.id, found, limit) for d in documents}
    keep = {other for others in chosen.values() for other in others}
    matched = [r for _, r in sorted(found.records.items()) if r.id in keep]
    corpus_docs, unavailable = _load_corpus(matched, store.root, settings, line_counts)
    bigrams = {r.id: r.fingerprint.bigrams for r in matched}
    timings["load matches"] = time.perf_counter() - t0
    sub_fps = [
        *fps,
        *(
            Fingerprint(store.params, found.sets[d.id], found.signatures[d.id], bigrams=bigrams[d.id])
            for d in corpus_docs
        ),
    ]
    analysis = analyze_documents(
        [*documents, *corpus_docs], settings, rejected=rejected, fingerprints=sub_fps, timings=timings
    )
    same_bytes = {doc: tuple(o for o in others if o in chosen[doc]) for doc, others in found.same_bytes.items()}
    first_by_sha: dict[str, str] = {}
    for doc in sorted(documents, key=lambda d: d.id):  # same bytes within the drop too
        if doc.sha256 in first_by_sha:
            same_bytes[doc.id] = (*same_bytes[doc.id], first_by_sha[doc.sha256])
        first_by_sha.setdefault(doc.sha256, doc.id)
    root = store.root
    paths = {r.id: shown(r.path if root is None else _display(root / r.path)) for r in found.records.values()}
    paths.update({d.id: by_display[d.path].display for d in documents})
    drop = Drop(
        new=tuple(d.id for d in documents),
        paths=paths,
        sets={**found.sets, **{d.id: fp.shingles for d, fp in zip(documents, fps, strict=True)}},
        documents={d.id: d for d in documents},
        same_bytes=same_bytes,
        index_pairs=tuple(p for p in found.pairs if p.a in unavailable or p.b in unavailable),
        unavailable=frozenset(unavailable),
    )
    related = relations(analysis, drop, settings)
    edges = {edge.doc: edge for edge in analysis.lineage}
    attributed = attributions(found.records.values())
    verdicts = []
    for doc in documents:
        role, matches = related[doc.id]
        left_out = _left_out(doc.id, found, chosen[doc.id], limit)
        notes: tuple[str, ...] = (left_out,) if left_out else ()
        if matches and doc.id in edges:
            notes = (*notes, lineage_note(edges[doc.id], drop.paths))
        piece = credits(doc, settings.lineage)
        verdicts.append(
            judge(
                by_display[doc.path],
                role,
                matches,
                piece,
                settings.check,
                indexed=found.indexed,
                notes=notes,
                attributed=attributed,
            )
        )
    ids = {f.display: f.source.id for f in files}
    verdicts.extend(judge_rejected(r, settings.check, ids.get(r.path, "")) for r in rejected)
    verdicts.sort(key=lambda v: (v.path, v.id))
    timings["total"] = time.perf_counter() - started
    stats: dict[str, object] = {
        "files": len(verdicts),
        "fingerprinted": len(documents),
        "candidates": found.candidates,
        "verified": len(found.pairs),
        "analysed": len(analysis.documents),
        "timings": {k: round(v, 4) for k, v in sorted(timings.items())},
    }
    return CheckResult(tuple(verdicts), shown(str(store.path)), found.indexed, settings.as_dict()["check"], stats)


def _load_corpus(
    matched: Sequence[IndexedDocument], root: Path | None, settings: Settings, line_counts: Mapping[str, int]
) -> tuple[list[Document], set[str]]:
    """Read the matched corpus files; those missing or changed since indexing stay index-only."""
    if root is None:
        return [], {r.id for r in matched}
    sources = [Source(r.id, str(root / r.path), shown(str(root / r.path))) for r in matched]
    documents, _ = load_sources(sources, settings, line_counts=line_counts)
    stored = {r.id: r.sha256 for r in matched}
    fresh = [d for d in documents if stored.get(d.id) == d.sha256]
    return fresh, set(stored) - {d.id for d in fresh}
