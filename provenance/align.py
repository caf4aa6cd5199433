"""Align: the passages two documents share, with exact spans, and each document's composition.

For one pair of documents the sentences are compared with rapidfuzz
(``process.cdist`` of ``fuzz.ratio`` on matching keys with a score cutoff, so
dissimilar pairs cost next to nothing), and matches that follow each other in both
documents are chained into maximal passages. The steps, each robust to one kind of
change a republisher makes:

* small edits, other quote marks, hex-escape damage: keys fold case, quotes and
  punctuation, the normaliser repaired the damage, the cutoff absorbs edited words;
* one side merged two sentences the other keeps apart: two adjacent sentences of a
  paragraph are also compared as one, and kept only where that beats both alone;
* reordered paragraphs, excerpting, added commentary: every chain is its own passage
  and text between chains is left out; a passage never spans text (furniture, a
  caption) that sits between its sentences on either side;
* an excerpt that ends or starts mid-sentence: next to a passage, a sentence that is
  a cut-down version of its counterpart (``fuzz.partial_ratio``) extends it to the
  words they share;
* a heavily edited sentence inside a copy: one sentence on each side between two
  passages joins them when still similar enough.

Chains are picked greedily, heaviest first, and every sentence takes part in at most
one passage per pair, so text a document repeats internally (key points, pull
quotes) is aligned once and never counts twice; :func:`internal_repeats` reports it.

:func:`align` is pure and works on one pair (run pairs in parallel); :func:`compose`
turns the passages of a corpus into one :class:`Composition` per document. This
stage never reads files and never chooses pairs: it aligns the pairs it is given.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import NamedTuple

import numpy as np
from rapidfuzz import fuzz, process
from rapidfuzz.distance import Indel

from provenance.arrays import offsets_within
from provenance.fingerprint import word_sets
from provenance.model import Composition, Document, Passage, Repeat, Shared, SourceShare, Span
from provenance.settings import AlignSettings
from provenance.text import key_size, matching_key, strip_markup, token_spans

# Scores of one cdist block: 4M float32 cells (16 MB) bound memory on huge documents.
_BLOCK_CELLS = 4_000_000
# Sentence pairs scored one by one up to this many (every pair of two long news articles);
# beyond, only pairs sharing distinctive words (_sparse_cells).
_DENSE_CELLS = 4_000_000
# Passages longer than this (both sides' keys) get their similarity link by link (_similarity).
_WHOLE_RATIO_CHARS = 100_000
# A word shared by more sentence pairs than this (both sides' sentence counts multiplied)
# does not make a pair a candidate on its own: the function words of a long text.
_WORD_PAIRS = 64
# A character that makes a token (so text containing one has a non-empty matching key).
_WORD = re.compile(r"[^\W_]")


@dataclass(frozen=True, slots=True)
class View:
    """What alignment needs of one document, computed once however many pairs it is in.

    ``joined[i]`` says that only spaces and punctuation separate sentences ``i`` and
    ``i + 1``; ``windows`` are the first sentences of two adjacent, joined sentences
    of one paragraph, ``window_keys`` their keys.
    """

    doc: Document
    keys: tuple[str, ...]
    spans: tuple[Span, ...]
    lengths: tuple[int, ...]
    joined: tuple[bool, ...]
    anchors: tuple[int, ...]
    windows: tuple[int, ...]
    window_keys: tuple[str, ...]


def _has_word(clean: str, start: int, end: int) -> bool:
    """Whether ``clean[start:end]`` holds a letter or digit a reader sees (markup is not text).

    >>> _has_word("a. </span> <span>b", 2, 17), _has_word("a. so b", 2, 6)
    (False, True)
    """
    if _WORD.search(clean, start, end) is None:
        return False
    if clean.find("<", start, end) < 0 and clean.find("&", start, end) < 0:
        return True
    return _WORD.search(strip_markup(clean[start:end])) is not None


def view(doc: Document, settings: AlignSettings) -> View:
    """The alignment view of a document: sentence keys, spans and windows."""
    sentences = doc.sentences
    keys = tuple(s.key for s in sentences)
    spans = tuple(s.clean for s in sentences)
    joined = tuple(
        not _has_word(doc.clean, first.clean.end, second.clean.start) for first, second in pairwise(sentences)
    )
    windows = tuple(
        i for i in range(len(sentences) - 1) if joined[i] and sentences[i].paragraph == sentences[i + 1].paragraph
    )
    return View(
        doc=doc,
        keys=keys,
        spans=spans,
        lengths=tuple(len(k) for k in keys),
        joined=joined,
        anchors=tuple(i for i, k in enumerate(keys) if key_size(k) >= settings.anchor_chars),
        windows=windows,
        window_keys=tuple(f"{keys[i]} {keys[i + 1]}" for i in windows),
    )


class _Link(NamedTuple):
    """Sentences ``a0..a1`` of one document matched to ``b0..b1`` of the other (inclusive).

    A cut restricts a trimmed sentence to the words the two sides share.
    """

    a0: int
    a1: int
    b0: int
    b1: int
    score: float
    a_cut: Span | None = None
    b_cut: Span | None = None
    bridge: bool = False


Chain = list[_Link]


def _order(doc: Document) -> tuple[str, str]:
    return (doc.id, doc.sha256)


def align(doc_a: Document, doc_b: Document, settings: AlignSettings) -> tuple[Passage, ...]:
    """The passages two documents share, sorted by their place in ``doc_a``.

    Works on any pair: unrelated documents give ``()``. Aligning ``b`` with ``a``
    gives the mirror image of aligning ``a`` with ``b``.
    """
    return align_views(view(doc_a, settings), view(doc_b, settings), settings)


def align_views(va: View, vb: View, settings: AlignSettings) -> tuple[Passage, ...]:
    """:func:`align` on precomputed views (what :func:`align_corpus` calls per pair)."""
    if _order(vb.doc) < _order(va.doc):
        mirrored = (p.mirrored() for p in align_views(vb, va, settings))
        return tuple(sorted(mirrored, key=_passage_order))
    chains = _select(_candidates(va, vb, settings), va, vb)
    used_a = {i for chain in chains for link in chain for i in range(link.a0, link.a1 + 1)}
    used_b = {j for chain in chains for link in chain for j in range(link.b0, link.b1 + 1)}
    for chain in chains:
        _extend(chain, va, vb, used_a, used_b, settings)
    chains = [_cut_edges(chain, va, vb, settings) for chain in _bridge(chains, va, vb, used_a, used_b, settings)]
    passages: list[Passage] = []
    for chain in chains:
        for piece in _pieces(chain, va, vb):
            passages.extend(_passages(piece, va, vb, settings))
    return tuple(sorted(passages, key=_passage_order))


def _passage_order(p: Passage) -> tuple[int, int, int, int]:
    return (p.a_clean.start, p.a_clean.end, p.b_clean.start, p.b_clean.end)


# --- candidate matches -------------------------------------------------------------------


def _cells(queries: Sequence[str], choices: Sequence[str], cutoff: float) -> list[tuple[int, int, float]]:
    """``(row, column, score)`` of every pair scoring at least ``cutoff`` (0–100).

    Every pair is scored up to :data:`_DENSE_CELLS` pairs (news articles); beyond, only the
    pairs that share words few sentences share (:func:`_sparse_cells`): two book-length
    files would otherwise cost rows x columns comparisons.
    """
    if not queries or not choices:
        return []
    if len(queries) * len(choices) > _DENSE_CELLS:
        return _sparse_cells(queries, choices, cutoff)
    rows = max(1, _BLOCK_CELLS // len(choices))
    found: list[tuple[int, int, float]] = []
    for start in range(0, len(queries), rows):
        block = process.cdist(
            queries[start : start + rows], choices, scorer=fuzz.ratio, score_cutoff=cutoff, dtype=np.float32
        )
        ii, jj = np.nonzero(block)
        found.extend(zip((ii + start).tolist(), jj.tolist(), block[ii, jj].tolist(), strict=True))
    return found


def _sparse_cells(queries: Sequence[str], choices: Sequence[str], cutoff: float) -> list[tuple[int, int, float]]:
    """:func:`_cells` for large documents: only pairs sharing at least two distinctive words
    are scored (a word is distinctive when it occurs in both sides' sentences at most
    :data:`_WORD_PAIRS` times over), so the work follows the matches, not rows x columns.

    Two sentences at ``sentence_cutoff`` similarity share most of their words, and copied
    sentences share their names and numbers, so the pairs left out score far below it.

    >>> found = _sparse_cells(["rain falls on the quiet harbour town", "other words here"],
    ...                       ["sun", "rain falls on the quiet harbour towns"], 80)
    >>> [(i, j, round(score)) for i, j, score in found]
    [(0, 1, 99)]
    """
    words: dict[str, int] = {}
    rows_q, words_q = _word_table(queries, words)
    rows_c, words_c = _word_table(choices, words)
    df_q = np.bincount(words_q, minlength=len(words))
    df_c = np.bincount(words_c, minlength=len(words))
    distinctive = (df_q * df_c <= _WORD_PAIRS) & (df_q > 0) & (df_c > 0)
    keep_q, keep_c = distinctive[words_q], distinctive[words_c]
    rows_q, words_q, rows_c, words_c = rows_q[keep_q], words_q[keep_q], rows_c[keep_c], words_c[keep_c]
    # Join the two sides on the word: each (query, choice) pair once per word they share.
    order_c = np.argsort(words_c, kind="stable")
    rows_c, words_c = rows_c[order_c], words_c[order_c]
    start = np.searchsorted(words_c, words_q, side="left")
    count = np.searchsorted(words_c, words_q, side="right") - start
    first = np.repeat(rows_q, count)
    second = rows_c[np.repeat(start, count) + offsets_within(count)]
    codes, shared = np.unique(first * len(choices) + second, return_counts=True)
    found: list[tuple[int, int, float]] = []
    for code in codes[shared >= 2].tolist():
        i, j = divmod(code, len(choices))
        score = fuzz.ratio(queries[i], choices[j], score_cutoff=cutoff)
        if score:
            found.append((i, j, float(np.float32(score))))
    return found


def _word_table(texts: Sequence[str], words: dict[str, int]) -> tuple[np.ndarray, np.ndarray]:
    """Each text's distinct words as ``(text index, word number)`` arrays (numbers shared through ``words``)."""
    rows: list[int] = []
    numbers: list[int] = []
    for index, text in enumerate(texts):
        for word in set(text.split()):
            rows.append(index)
            numbers.append(words.setdefault(word, len(words)))
    return np.array(rows, dtype=np.int64), np.array(numbers, dtype=np.int64)


def _candidates(va: View, vb: View, settings: AlignSettings) -> list[_Link]:
    """Anchor matches: long sentences one to one, and two-to-one windows that beat them.

    Windows are tried only where one-to-one matching leaves a sentence unexplained (a
    sentence of the window without any match, a counterpart without a verbatim one), so
    full copies pay nothing for them.
    """
    cutoff = settings.sentence_cutoff * 100
    keys_a = [va.keys[i] for i in va.anchors]
    keys_b = [vb.keys[j] for j in vb.anchors]
    links = [
        _Link(va.anchors[i], va.anchors[i], vb.anchors[j], vb.anchors[j], score)
        for i, j, score in _cells(keys_a, keys_b, cutoff)
    ]
    if settings.windows:
        links.extend(_window_links(va, vb, links, cutoff, flip=False))
        links.extend(_window_links(vb, va, links, cutoff, flip=True))
    return links


def _window_links(vw: View, vs: View, links: Sequence[_Link], cutoff: float, *, flip: bool) -> list[_Link]:
    """Two adjacent sentences of ``vw`` matched with one sentence of ``vs``."""
    matched = {link.b0 if flip else link.a0 for link in links}
    verbatim = {link.a0 if flip else link.b0 for link in links if link.score >= 100}
    rows = [w for w, i in enumerate(vw.windows) if i not in matched or i + 1 not in matched]
    cols = [j for j in vs.anchors if j not in verbatim]
    found: list[_Link] = []
    window_keys = [vw.window_keys[w] for w in rows]
    for w, j, score in _cells(window_keys, [vs.keys[c] for c in cols], cutoff):
        i, jj = vw.windows[rows[w]], cols[j]
        if score > max(fuzz.ratio(vw.keys[i], vs.keys[jj]), fuzz.ratio(vw.keys[i + 1], vs.keys[jj])):
            found.append(_Link(jj, jj, i, i + 1, score) if flip else _Link(i, i + 1, jj, jj, score))
    return found


def _weight(link: _Link, va: View, vb: View) -> float:
    """Matched minus unmatched characters (so a window that drags in text it does not
    share weighs less than the single sentence it contains)."""
    size = sum(va.lengths[link.a0 : link.a1 + 1]) + sum(vb.lengths[link.b0 : link.b1 + 1])
    return (2 * link.score / 100 - 1) * size / 2


def _select(links: list[_Link], va: View, vb: View) -> list[Chain]:
    """Greedily take the heaviest chain of consecutive matches, then the next among
    matches on sentences still free, until none is left.

    One pass of the chain weights serves as many picks as it can: after a pick, the next
    heaviest chain whose links are all still free weighs what a new pass would give it
    (removing links never makes a chain heavier), so it is taken at once; a pass is redone
    only when the next candidate lost a link. A long copy's few hundred spurious matches
    then cost a few passes, not one pass each.
    """
    remaining = sorted(links, key=lambda link: (link.a0, link.b0, link.a1, link.b1))
    weights = {link: _weight(link, va, vb) for link in remaining}
    chains: list[Chain] = []
    while remaining:
        total, previous = _chain_weights(remaining, weights)
        rows: set[int] = set()
        cols: set[int] = set()
        for k in sorted(range(len(remaining)), key=lambda k: (-total[k], k)):
            if not _free(remaining[k], rows, cols):
                continue  # a pick took its sentences: gone, as a new pass would find
            chain: Chain = []
            at = k
            while at >= 0:
                chain.append(remaining[at])
                at = previous[at]
            if not all(_free(link, rows, cols) for link in chain):
                break  # it lost a link: only a new pass knows its weight now
            chain.reverse()
            chains.append(chain)
            rows.update(i for link in chain for i in range(link.a0, link.a1 + 1))
            cols.update(j for link in chain for j in range(link.b0, link.b1 + 1))
        remaining = [link for link in remaining if _free(link, rows, cols)]
    return chains


def _free(link: _Link, rows: set[int], cols: set[int]) -> bool:
    """Whether none of the link's sentences is taken (``rows`` of one side, ``cols`` of the other)."""
    return rows.isdisjoint(range(link.a0, link.a1 + 1)) and cols.isdisjoint(range(link.b0, link.b1 + 1))


def _chain_weights(links: Sequence[_Link], weights: dict[_Link, float]) -> tuple[list[float], list[int]]:
    """For each link (sorted by start), the weight of the heaviest chain ending with it and
    the link before it in that chain (-1 for none)."""
    total: list[float] = []
    previous: list[int] = []
    ends: dict[tuple[int, int], int] = {}
    for k, link in enumerate(links):
        before = ends.get((link.a0 - 1, link.b0 - 1), -1)
        total.append(weights[link] + (total[before] if before >= 0 else 0.0))
        previous.append(before)
        end = (link.a1, link.b1)
        if end not in ends or total[k] > total[ends[end]]:
            ends[end] = k
    return total, previous


# --- growing, joining and cutting chains ---------------------------------------------------


def _extend(chain: Chain, va: View, vb: View, used_a: set[int], used_b: set[int], settings: AlignSettings) -> None:
    """Grow a chain at both ends: by the next sentences on both sides when they match (short
    ones included) or when one is a cut-down version of the other (growth stops there),
    else by the next sentence on one side when it completes the edge match (the other side
    wrote it as part of one sentence)."""
    cutoff = settings.sentence_cutoff * 100
    for forward in (True, False):
        while True:
            edge = chain[-1] if forward else chain[0]
            if edge.a_cut is not None or edge.b_cut is not None:
                break
            i, j = (edge.a1 + 1, edge.b1 + 1) if forward else (edge.a0 - 1, edge.b0 - 1)
            link = None
            if 0 <= i < len(va.keys) and 0 <= j < len(vb.keys) and i not in used_a and j not in used_b:
                score = fuzz.ratio(va.keys[i], vb.keys[j], score_cutoff=cutoff)
                link = _Link(i, i, j, j, score) if score else _trimmed(va, i, vb, j, settings)
            if link is not None:
                used_a.add(i)
                used_b.add(j)
                if forward:
                    chain.append(link)
                else:
                    chain.insert(0, link)
                continue
            grown = _grow(edge, va, vb, used_a, used_b, forward=forward)
            if grown is None:
                break
            used_a.update(range(grown.a0, grown.a1 + 1))
            used_b.update(range(grown.b0, grown.b1 + 1))
            chain[-1 if forward else 0] = grown


def _grow(edge: _Link, va: View, vb: View, used_a: set[int], used_b: set[int], *, forward: bool) -> _Link | None:
    """The edge link with one more sentence on one side, when that raises its score."""
    options: list[_Link] = []
    i = edge.a1 + 1 if forward else edge.a0 - 1
    if 0 <= i < len(va.keys) and i not in used_a and va.joined[edge.a1 if forward else i]:
        options.append(edge._replace(a1=i) if forward else edge._replace(a0=i))
    j = edge.b1 + 1 if forward else edge.b0 - 1
    if 0 <= j < len(vb.keys) and j not in used_b and vb.joined[edge.b1 if forward else j]:
        options.append(edge._replace(b1=j) if forward else edge._replace(b0=j))
    best: _Link | None = None
    for option in options:
        score = fuzz.ratio(
            " ".join(va.keys[option.a0 : option.a1 + 1]),
            " ".join(vb.keys[option.b0 : option.b1 + 1]),
            score_cutoff=edge.score,
        )
        if score > edge.score and (best is None or score > best.score):
            best = option._replace(score=score)
    return best


def _trimmed(va: View, i: int, vb: View, j: int, settings: AlignSettings) -> _Link | None:
    """A link for sentence ``i`` of a and ``j`` of b when one is a cut-down version of the other."""
    key_a, key_b = va.keys[i], vb.keys[j]
    a_shorter = len(key_a) <= len(key_b)
    short, long = (key_a, key_b) if a_shorter else (key_b, key_a)
    if key_size(short) < settings.trim_min_chars:
        return None
    found = fuzz.partial_ratio_alignment(short, long, score_cutoff=settings.trim_cutoff * 100)
    if found is None:
        return None
    long_view, index = (vb, j) if a_shorter else (va, i)
    cut = _key_range_to_clean(long_view, index, found.dest_start, found.dest_end)
    if a_shorter:
        return _Link(i, i, j, j, found.score, b_cut=cut)
    return _Link(i, i, j, j, found.score, a_cut=cut)


def _cut_edges(chain: Chain, va: View, vb: View, settings: AlignSettings) -> Chain:
    """Cut the longer sentence at either end of a chain to the words it shares, when the
    two differ in length (an excerpt that stops mid-sentence can still score above the
    cutoff as a whole sentence)."""
    for index in {0, len(chain) - 1}:
        link = chain[index]
        if link.a_cut or link.b_cut or link.a0 != link.a1 or link.b0 != link.b1:
            continue
        short, long = sorted((va.lengths[link.a0], vb.lengths[link.b0]))
        if short >= settings.trim_length_ratio * long:
            continue
        trimmed = _trimmed(va, link.a0, vb, link.b0, settings)
        if trimmed is not None:
            chain[index] = trimmed._replace(score=link.score)
    return chain


def _key_range_to_clean(v: View, index: int, start: int, end: int) -> Span:
    """The clean span of the words of sentence ``index`` that cover ``key[start:end]``."""
    span = v.spans[index]
    words = v.keys[index].split(" ")
    places = token_spans(span.slice(v.doc.clean))
    if len(places) != len(words) or end <= start:
        return span  # folding changed the word count: keep the whole sentence
    starts: list[int] = []
    stops: list[int] = []
    pos = 0
    for word in words:
        starts.append(pos)
        stops.append(pos + len(word))
        pos += len(word) + 1
    first = min(bisect_right(stops, start), len(words) - 1)
    last = max(bisect_left(starts, end) - 1, first)
    return Span(span.start + places[first][0], span.start + places[last][1])


def _bridge(
    chains: list[Chain], va: View, vb: View, used_a: set[int], used_b: set[int], settings: AlignSettings
) -> list[Chain]:
    """Join chains that follow each other on both sides, across at most one sentence each."""
    ordered = sorted(chains, key=lambda chain: (chain[0].a0, chain[0].b0))
    joined: list[Chain] = []
    for chain in ordered:
        if joined:
            last, first = joined[-1][-1], chain[0]
            gap_a, gap_b = first.a0 - last.a1 - 1, first.b0 - last.b1 - 1
            if gap_a == gap_b == 0:  # a cut at the junction is moot once inside a passage
                joined[-1].extend(chain)
                continue
            cut = last.a_cut or last.b_cut or first.a_cut or first.b_cut
            if (
                not cut
                and gap_a == gap_b == 1
                and (i := last.a1 + 1) not in used_a
                and (j := last.b1 + 1) not in used_b
            ):
                score = fuzz.ratio(va.keys[i], vb.keys[j], score_cutoff=settings.bridge_cutoff * 100)
                if score:
                    used_a.add(i)
                    used_b.add(j)
                    joined[-1].extend([_Link(i, i, j, j, score, bridge=True), *chain])
                    continue
        joined.append(chain)
    return joined


def _pieces(chain: Chain, va: View, vb: View) -> list[Chain]:
    """Cut a chain where other text (furniture, a caption) sits between its sentences."""
    pieces: list[Chain] = [[chain[0]]]
    for before, link in pairwise(chain):
        if va.joined[before.a1] and vb.joined[before.b1]:
            pieces[-1].append(link)
        else:
            pieces.append([link])
    return pieces


def _passages(piece: Chain, va: View, vb: View, settings: AlignSettings) -> list[Passage]:
    """The passage of a piece; if the whole falls below the cutoff, drop what was bridged
    or trimmed and try the parts."""
    first, last = piece[0], piece[-1]
    a_span = Span(
        first.a_cut.start if first.a_cut else va.spans[first.a0].start,
        last.a_cut.end if last.a_cut else va.spans[last.a1].end,
    )
    b_span = Span(
        first.b_cut.start if first.b_cut else vb.spans[first.b0].start,
        last.b_cut.end if last.b_cut else vb.spans[last.b1].end,
    )
    parts_a = _piece_parts(piece, va, side_a=True)
    parts_b = _piece_parts(piece, vb, side_a=False)
    key_a = " ".join(part for part in parts_a if part)
    key_b = " ".join(part for part in parts_b if part)
    if min(key_size(key_a), key_size(key_b)) < settings.min_passage_chars:
        return []
    similarity = _similarity(key_a, key_b, parts_a, parts_b)
    if similarity < settings.sentence_cutoff:
        return _retry(piece, va, vb, settings)
    return [
        Passage(
            a=va.doc.id,
            b=vb.doc.id,
            a_clean=a_span,
            b_clean=b_span,
            a_start=(raw_a := va.doc.raw_span(a_span)).start,
            a_end=raw_a.end,
            b_start=(raw_b := vb.doc.raw_span(b_span)).start,
            b_end=raw_b.end,
            similarity=similarity,
            kind="verbatim" if key_a == key_b else "edited",
            a_sentences=sum(link.a1 - link.a0 + 1 for link in piece),
            b_sentences=sum(link.b1 - link.b0 + 1 for link in piece),
        )
    ]


def _piece_parts(piece: Chain, v: View, *, side_a: bool) -> list[str]:
    """The matching key of a piece's text on one side, a part per link (joined by spaces,
    the key of the whole span), from its sentences' keys.

    Equal to ``matching_key`` of the whole span: sentences of a piece are separated by
    spaces and punctuation only, and a token never crosses a sentence boundary. Only a
    cut at the piece's start or end shortens the text (inside a piece a cut is moot).
    """
    parts: list[str] = []
    last = len(piece) - 1
    for n, link in enumerate(piece):
        first_sentence, last_sentence = (link.a0, link.a1) if side_a else (link.b0, link.b1)
        cut = link.a_cut if side_a else link.b_cut
        if cut is not None and n in (0, last):
            start = cut.start if n == 0 else v.spans[first_sentence].start
            end = cut.end if n == last else v.spans[last_sentence].end
            parts.append(matching_key(v.doc.clean[start:end]))
        else:
            parts.append(" ".join(key for key in v.keys[first_sentence : last_sentence + 1] if key))
    return parts


def _similarity(key_a: str, key_b: str, parts_a: Sequence[str], parts_b: Sequence[str]) -> float:
    """``fuzz.ratio`` of two passage keys in [0, 1]; for passages longer than
    :data:`_WHOLE_RATIO_CHARS` together, from the edits of each matched link's parts (a
    bound from below: the whole of two book-length copies is quadratic to compare).

    >>> _similarity("a b", "a c", ["a b"], ["a c"]), _similarity("x", "x", ["x"], ["x"])
    (0.6666666666666667, 1.0)
    """
    if key_a == key_b:
        return 1.0
    total = len(key_a) + len(key_b)
    if total <= _WHOLE_RATIO_CHARS:
        return fuzz.ratio(key_a, key_b) / 100
    edits = sum(Indel.distance(a, b) for a, b in zip(parts_a, parts_b, strict=True))
    return max(0.0, 1.0 - edits / total)


def _retry(piece: Chain, va: View, vb: View, settings: AlignSettings) -> list[Passage]:
    """The parts of a piece below the cutoff: split at bridged sentences, else without
    the trimmed sentences at its ends, else nothing."""
    if any(link.bridge for link in piece):
        parts: list[Chain] = [[]]
        for link in piece:
            if link.bridge:
                parts.append([])
            else:
                parts[-1].append(link)
        return [p for part in parts if part for p in _passages(part, va, vb, settings)]
    start = 1 if piece[0].a_cut or piece[0].b_cut else 0
    end = len(piece) - 1 if piece[-1].a_cut or piece[-1].b_cut else len(piece)
    if 0 < end - start < len(piece):  # without the cut sentences at its ends
        return _passages(piece[start:end], va, vb, settings)
    return []


# --- a corpus ------------------------------------------------------------------------------


def align_corpus(
    documents: Sequence[Document],
    pairs: Iterable[tuple[str, str]],
    settings: AlignSettings,
    rewrites: Iterable[tuple[str, str]] = (),
    common: np.ndarray | None = None,
) -> tuple[tuple[Passage, ...], tuple[Composition, ...]]:
    """Align every given pair (ids; order and duplicates do not matter) and compose.

    The ``rewrites`` among them (the rewrite tier's candidates) are aligned by
    :func:`rewritten` instead, ``common`` the corpus's common words (sorted hashes).

    Passages come with ``a`` the smaller id, sorted by ``(a, b, place in a)``; pairs
    naming unknown documents are skipped.

    Cost: each document's view once, then per pair its sentences times its partner's up to
    4M sentence pairs and, beyond, the pairs sharing distinctive words (:func:`_cells`); the
    pairs are bounded by the candidate search (``max_partners`` a document, identical texts
    paired through one head).
    """
    by_id = {doc.id: doc for doc in documents}
    views: dict[str, View] = {}

    def view_of(doc_id: str) -> View:
        if doc_id not in views:
            views[doc_id] = view(by_id[doc_id], settings)
        return views[doc_id]

    wanted = sorted({(min(a, b), max(a, b)) for a, b in pairs if a != b and a in by_id and b in by_id})
    reworded = {(min(a, b), max(a, b)) for a, b in rewrites}
    common = np.zeros(0, dtype=np.uint64) if common is None else common
    rare: dict[str, list[frozenset[int]]] = {}

    def rare_of(doc_id: str) -> list[frozenset[int]]:
        if doc_id not in rare:
            rare[doc_id] = rare_words(by_id[doc_id], common)
        return rare[doc_id]

    passages = [
        p
        for a, b in wanted
        for p in (
            rewritten(view_of(a), view_of(b), rare_of(a), rare_of(b), settings)
            if (a, b) in reworded
            else align_views(view_of(a), view_of(b), settings)
        )
    ]
    return tuple(passages), compose(documents, passages, settings)


# --- the rewrite tier ------------------------------------------------------------------------

# A quoted stretch: an opening mark, then up to the closing one.
_QUOTED = re.compile(r"[“\"«„]([^”\"»“„]*)[”\"»]")


def _mostly_quoted(text: str) -> bool:
    """Whether quoted words make up half a sentence or more (a statement, not the narrative).

    >>> _mostly_quoted('“We will win the vote,” she said.'), _mostly_quoted('He said it was “fine” today.')
    (True, False)
    """
    inside = sum(len(m.group(1)) for m in _QUOTED.finditer(text))
    return 2 * inside >= len(text.strip())


def rare_words(doc: Document, common: np.ndarray) -> list[frozenset[int]]:
    """Each sentence's rare words (token hashes not in the sorted ``common``), empty for a
    sentence made mostly of quoted words: outlets quote one statement alike."""
    sentences = list(doc.sentences)
    out: list[frozenset[int]] = []
    for sentence, words in zip(sentences, word_sets([s.key for s in sentences]), strict=True):
        if _mostly_quoted(doc.clean[sentence.clean.start : sentence.clean.end]):
            out.append(frozenset())
            continue
        kept = words
        if common.size and words.size:
            kept = words[common[np.minimum(np.searchsorted(common, words), common.size - 1)] != words]
        out.append(frozenset(kept.tolist()))
    return out


def rewritten(
    va: View, vb: View, rare_a: Sequence[frozenset[int]], rare_b: Sequence[frozenset[int]], settings: AlignSettings
) -> tuple[Passage, ...]:
    """The sentences a rewrite candidate reworded, one ``rewritten`` passage each, or ``()``.

    Two sentences match when they share ``rewrite_words`` rare words, at least
    ``rewrite_similarity`` of the smaller side's; matches pair sentences one to one, best
    first, and only the longest run in the same order in both documents counts. With
    fewer than ``rewrite_sentences`` such sentences the pair is no rewrite (two reports of
    one event share names and numbers, not a sequence of sentences).
    """
    if _order(vb.doc) < _order(va.doc):
        mirrored = (p.mirrored() for p in rewritten(vb, va, rare_b, rare_a, settings))
        return tuple(sorted(mirrored, key=_passage_order))
    cells: list[tuple[float, int, int]] = []
    for i, x in enumerate(rare_a):
        if len(x) < settings.rewrite_words:
            continue
        for j, y in enumerate(rare_b):
            if len(y) < settings.rewrite_words:
                continue
            shared = len(x & y)
            if shared >= settings.rewrite_words and shared >= settings.rewrite_similarity * min(len(x), len(y)):
                cells.append((shared / min(len(x), len(y)), i, j))
    cells.sort(key=lambda c: (-c[0], c[1], c[2]))
    used_a: set[int] = set()
    used_b: set[int] = set()
    matched: list[tuple[int, int, float]] = []
    for sim, i, j in cells:
        if i not in used_a and j not in used_b:
            used_a.add(i)
            used_b.add(j)
            matched.append((i, j, sim))
    matched.sort()
    ordered = _increasing(matched)
    if len(ordered) < settings.rewrite_sentences:
        return ()
    out = []
    for i, j, sim in ordered:
        a_span, b_span = va.spans[i], vb.spans[j]
        raw_a, raw_b = va.doc.raw_span(a_span), vb.doc.raw_span(b_span)
        out.append(
            Passage(
                va.doc.id,
                vb.doc.id,
                a_span,
                b_span,
                raw_a.start,
                raw_a.end,
                raw_b.start,
                raw_b.end,
                sim,
                "rewritten",
                1,
                1,
            )
        )
    return tuple(out)


def _increasing(matched: Sequence[tuple[int, int, float]]) -> list[tuple[int, int, float]]:
    """The longest run of ``matched`` (sorted by the first index) rising in the second index.

    >>> _increasing([(0, 2, 1.0), (1, 0, 1.0), (2, 1, 1.0), (3, 3, 1.0)])
    [(1, 0, 1.0), (2, 1, 1.0), (3, 3, 1.0)]
    """
    if not matched:
        return []
    tails: list[int] = []  # index into matched of the smallest tail of each length
    back = [-1] * len(matched)
    for k, (_, j, _) in enumerate(matched):
        at = bisect_left([matched[t][1] for t in tails], j)
        back[k] = tails[at - 1] if at else -1
        if at == len(tails):
            tails.append(k)
        else:
            tails[at] = k
    out = []
    k = tails[-1]
    while k >= 0:
        out.append(matched[k])
        k = back[k]
    return out[::-1]


# --- composition ---------------------------------------------------------------------------


def compose(
    documents: Sequence[Document], passages: Iterable[Passage], settings: AlignSettings
) -> tuple[Composition, ...]:
    """One :class:`Composition` per document, in the order given.

    Cost: linear in the passages, plus each document's sentences (its internal repeats are
    compared only in documents that share text).
    """
    shared: dict[str, list[Shared]] = {}
    for p in passages:
        shared.setdefault(p.a, []).append(Shared(p.a_clean, p.b))
        shared.setdefault(p.b, []).append(Shared(p.b_clean, p.a))
    return tuple(composition(doc, shared.get(doc.id, ()), settings) for doc in documents)


def composition(doc: Document, shared: Sequence[Shared], settings: AlignSettings) -> Composition:
    """Own and republished text of one document, given where its text is shared.

    Internal repeats are looked for only in documents that share text (elsewhere they
    cannot be mistaken for reuse); a repeat of republished text is republished too.
    """
    text = [s.clean for s in doc.sentences]
    chars = sum(len(span) for span in text)
    repeats = internal_repeats(doc, settings) if shared else ()
    spread = list(shared)
    for repeat in repeats:
        for item in shared:
            if _overlap([repeat.of], [item.clean]) * 2 >= len(repeat.of):
                spread.append(Shared(repeat.clean, item.source))
            elif repeat.mutual and _overlap([repeat.clean], [item.clean]) * 2 >= len(repeat.clean):
                spread.append(Shared(repeat.of, item.source))
    by_source: dict[str, list[Span]] = {}
    for item in spread:
        by_source.setdefault(item.source, []).append(item.clean)
    unions = {source: _union(spans) for source, spans in by_source.items()}
    covered = _union([span for spans in unions.values() for span in spans])
    republished = _overlap(text, covered)
    sources = sorted(
        (
            SourceShare(source, n, n / chars if chars else 0.0)
            for source, spans in unions.items()
            if (n := _overlap(text, spans))
        ),
        key=lambda s: (-s.chars, s.doc),
    )
    return Composition(
        doc=doc.id,
        chars=chars,
        republished_chars=republished,
        original_share=(chars - republished) / chars if chars else 0.0,
        republished_share=republished / chars if chars else 0.0,
        sources=tuple(sources),
        shared=tuple(sorted((Shared(s, src) for src, spans in unions.items() for s in spans), key=_shared_order)),
        # Without shared text the own stretches are runs of paragraphs (fewer spans to walk).
        own=_own(doc, text, covered) if covered else _own(doc, [p.clean for p in doc.paragraphs], ()),
        repeats=repeats,
    )


def copied_composition(doc: Document, source: str) -> Composition:
    """The composition of a document whose whole text another document (``source``) carries
    too: a copy in a group of identical texts, which is never aligned with its head.

    >>> from provenance.api import document_from_text
    >>> c = copied_composition(document_from_text("One sentence here. Another one."), "head")
    >>> c.republished_share, [s.doc for s in c.sources], c.own
    (1.0, ['head'], ())
    """
    text = [s.clean for s in doc.sentences]
    chars = sum(len(span) for span in text)
    covered = _union(text)
    return Composition(
        doc=doc.id,
        chars=chars,
        republished_chars=chars,
        original_share=0.0,
        republished_share=1.0 if chars else 0.0,
        sources=(SourceShare(source, chars, 1.0),) if chars else (),
        shared=tuple(Shared(span, source) for span in covered),
        own=(),
        repeats=(),
    )


def _shared_order(item: Shared) -> tuple[int, int, str]:
    return (item.clean.start, item.clean.end, item.source)


def _union(spans: Iterable[Span]) -> list[Span]:
    """Sorted, disjoint spans covering the same characters.

    >>> _union([Span(5, 9), Span(0, 3), Span(2, 4), Span(9, 10)])
    [Span(start=0, end=4), Span(start=5, end=10)]
    """
    out: list[Span] = []
    for span in sorted(spans, key=lambda s: (s.start, s.end)):
        if out and span.start <= out[-1].end:
            out[-1] = Span(out[-1].start, max(out[-1].end, span.end))
        else:
            out.append(span)
    return out


def _overlap(first: Sequence[Span], second: Sequence[Span]) -> int:
    """Characters covered by both lists of sorted, disjoint spans.

    >>> _overlap([Span(0, 10), Span(20, 30)], [Span(5, 25)])
    10
    """
    total = i = j = 0
    while i < len(first) and j < len(second):
        low = max(first[i].start, second[j].start)
        high = min(first[i].end, second[j].end)
        total += max(0, high - low)
        if first[i].end <= second[j].end:
            i += 1
        else:
            j += 1
    return total


def _subtract(units: Sequence[Span], covered: Sequence[Span]) -> list[Span]:
    """Parts of sorted, disjoint ``units`` outside sorted, disjoint ``covered``.

    >>> _subtract([Span(0, 10), Span(12, 20)], [Span(3, 5), Span(15, 30)])
    [Span(start=0, end=3), Span(start=5, end=10), Span(start=12, end=15)]
    """
    out: list[Span] = []
    j = 0
    for unit in units:
        pos = unit.start
        while j < len(covered) and covered[j].end <= pos:
            j += 1
        k = j
        while k < len(covered) and covered[k].start < unit.end:
            if covered[k].start > pos:
                out.append(Span(pos, covered[k].start))
            pos = max(pos, covered[k].end)
            k += 1
        if pos < unit.end:
            out.append(Span(pos, unit.end))
    return out


def _own(doc: Document, text: Sequence[Span], covered: Sequence[Span]) -> tuple[Span, ...]:
    """Maximal stretches of text found in no other document, trimmed, split at anything
    (shared text, furniture) that is not spaces or punctuation."""
    clean = doc.clean
    pieces: list[Span] = []
    for piece in _subtract(text, covered):
        if pieces and not _has_word(clean, pieces[-1].end, piece.start):
            pieces[-1] = Span(pieces[-1].start, piece.end)
        else:
            pieces.append(piece)
    out: list[Span] = []
    markup = "<" in clean or "&" in clean  # only then can a piece with a letter hold no word
    for piece in pieces:
        first = _WORD.search(clean, piece.start, piece.end)
        if first is None or (markup and not _has_word(clean, piece.start, piece.end)):
            continue  # punctuation (or markup) left over around shared text
        start, end = piece.start, piece.end
        while start < first.start() and clean[start].isspace():
            start += 1
        while end > start and clean[end - 1].isspace():
            end -= 1
        out.append(Span(start, end))
    return tuple(out)


def internal_repeats(doc: Document, settings: AlignSettings) -> tuple[Repeat, ...]:
    """Sentences that repeat another sentence of the same document.

    A sentence is a repeat when at least ``repeat_containment`` of its word 3-grams lie
    in one other sentence; of two sentences containing each other (``mutual``), the
    later one is the repeat.

    Only 3-grams found in two sentences or more are indexed, and only sentences with
    enough of those are counted, with set operations: stock phrases make half of all
    documents hold some 3-gram twice, but few a repeat (104 of the 14,709 aligned at
    100k generated articles), and indexing every 3-gram took most of the time.
    """
    grams = [
        frozenset(zip(words, words[1:], words[2:], strict=False))
        if len(words := sentence.key.split(" ")) >= settings.repeat_min_words
        else frozenset()
        for sentence in doc.sentences
    ]
    seen: set[tuple[str, str, str]] = set()
    twice: set[tuple[str, str, str]] = set()
    for found in grams:
        twice |= seen & found
        seen |= found
    if not twice:
        return ()
    shared_grams = [found & twice for found in grams]
    index: dict[tuple[str, str, str], list[int]] = {}
    for n, mine in enumerate(shared_grams):
        for gram in mine:
            index.setdefault(gram, []).append(n)
    repeats: list[Repeat] = []
    for n, found in enumerate(grams):
        # Another sentence shares at most the 3-grams found elsewhere at all.
        if not found or len(shared_grams[n]) / len(found) < settings.repeat_containment:
            continue
        counts = Counter(m for gram in shared_grams[n] for m in index[gram] if m != n)
        if not counts:
            continue
        other, shared = min(counts.items(), key=lambda item: (-item[1], item[0]))
        containment = shared / len(found)
        if containment < settings.repeat_containment:
            continue
        back = shared / len(grams[other]) if grams[other] else 0.0
        mutual = back >= settings.repeat_containment
        if mutual and other > n:
            continue  # the later of the two is the repeat
        repeats.append(Repeat(doc.sentences[n].clean, doc.sentences[other].clean, containment, mutual))
    return tuple(repeats)
