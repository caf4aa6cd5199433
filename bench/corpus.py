"""A labelled corpus of republished news: sources, derived documents and ground truth.

``generate(out, n_sources=N, seed=S)`` writes ``out/docs/<id>.txt`` and ``out/truth.json``
(and ``out/withheld/<id>.txt`` for sources that are withheld from the corpus), the same
bytes for the same arguments. ``python -m bench.corpus OUT --sources N --seed S``.

What is made:

* ``n_sources`` source articles: ``text="synthetic"`` (default) builds news-like articles
  (title, date, dateline, paragraphs, quotes ``“…,” said Name Surname, a title at Org.``,
  numbers) from a generated vocabulary of 60,000 pseudo-words, so unrelated articles share
  essentially no 5-grams and nothing depends on ``/work/shared``; ``text="real"`` takes real
  articles from ``../shared/eval`` (news_events_dev and the
  Clough originals), keeping only articles that share almost no 5-grams with one another
  (27 articles today: ``n_sources`` is capped there).
* ``round(reuse_share * n_sources)`` derived documents, one kind each: ``full_copy``,
  ``excerpt`` (20–80% of the source, a prefix or contiguous paragraphs),
  ``excerpt_commentary`` (an excerpt with own paragraphs before/after), ``furniture_wrapped``
  (a copy inside page furniture), ``hex_damaged`` (``’`` written as ``xe2x80x99``),
  ``mojibake_damaged`` (``â€™``) and ``light_edit`` (words changed, sentences trimmed, quote
  marks swapped). Families give siblings (two derived documents of one source) and chains
  (an excerpt of a copy). Some sources are *withheld*: not in ``docs/`` while two or more
  derived documents of them are, each carrying a credit cue naming the source's outlet
  (``Source: Example Times``, ``(Example Times) —``, ``Example Times reported``).
* Sources with derived documents have kind ``original``, the others ``unrelated``.

``truth.json``::

    {"documents": [{"id", "kind", "source", "transforms", "copied", "publisher", ["withheld", "outlet"]}],
     "pairs": [{"a", "b", "relation", "containment_a_in_b", "containment_b_in_a"}]}

``source`` is the id of the direct parent (``null`` for sources; for children of a withheld
source the withheld id, with ``"withheld": true`` and the parent's ``"outlet"``). ``copied``
lists half-open character spans ``doc_start/doc_end`` in the decoded text of the written file
(after damage) and ``src_start/src_end`` in the parent's file (``withheld/<id>.txt`` for a
withheld parent), one per run of copied paragraphs (for ``light_edit`` the span covers the
edited paragraph). ``pairs`` lists every written pair that shares text by construction, ``a <
b``: ``derived`` (parent and child), ``chain`` (an ancestor two or more steps up) and
``sibling`` (same family, neither an ancestor of the other). Containment is computed on the
documents' own article text *before* damage and without furniture or credit lines (casefolded
word 5-grams, apostrophes kept), so it measures the reuse built in, not our pipeline.
"""

from __future__ import annotations

import argparse
import datetime
import json
import re
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path
from typing import Any, Literal

import numpy as np

DERIVED_KINDS = (
    "full_copy",
    "excerpt",
    "excerpt_commentary",
    "furniture_wrapped",
    "hex_damaged",
    "mojibake_damaged",
    "light_edit",
)
EVAL = Path(__file__).resolve().parent.parent.parent / "shared" / "eval"
_VOCAB_SEED = 20211216  # the vocabulary is the same for every corpus seed
# Share of pages that carry their own publisher's copyright footer, and of republications
# of an in-corpus source that credit its publisher (children of withheld sources always do).
SELF_CREDIT_SHARE = 0.5
CREDIT_SHARE = 0.5
_FUNCTION = (
    "the",
    "of",
    "and",
    "to",
    "a",
    "in",
    "that",
    "is",
    "for",
    "on",
    "with",
    "as",
    "was",
    "at",
    "by",
    "it",
    "from",
    "will",
    "has",
    "have",
    "be",
    "are",
    "its",
    "their",
    "which",
    "but",
    "not",
    "after",
    "more",
    "than",
    "this",
    "were",
    "over",
    "also",
    "about",
    "into",
)
_TITLES = (
    "a professor",
    "an analyst",
    "a spokesperson",
    "the director",
    "a senior fellow",
    "the chief economist",
    "a researcher",
    "the head of policy",
)
_ORG_SUFFIX = ("University", "Institute", "Group", "Ministry", "Council", "Bank", "Foundation", "Agency")
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_SHINGLE = 5
_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)*")


# --- the data written to truth.json --------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Copied:
    doc_start: int
    doc_end: int
    src_start: int
    src_end: int


@dataclass(frozen=True, slots=True)
class TruthDocument:
    id: str
    kind: str
    source: str | None
    transforms: tuple[str, ...]
    copied: tuple[Copied, ...]
    publisher: str  # the (fictional) outlet that published this document
    outlet: str = ""  # for a child of a withheld source: the source's outlet, named by a credit cue
    withheld: bool = False  # True for a derived document whose source is withheld

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "kind": self.kind,
            "source": self.source,
            "transforms": list(self.transforms),
            "copied": [
                {"doc_start": c.doc_start, "doc_end": c.doc_end, "src_start": c.src_start, "src_end": c.src_end}
                for c in self.copied
            ],
            "publisher": self.publisher,
        }
        if self.withheld:
            out["withheld"] = True
            out["outlet"] = self.outlet
        return out


@dataclass(frozen=True, slots=True)
class TruthPair:
    a: str
    b: str
    relation: Literal["derived", "sibling", "chain"]
    containment_a_in_b: float
    containment_b_in_a: float

    @property
    def containment(self) -> float:
        """The larger containment: how much of the smaller side the other holds."""
        return max(self.containment_a_in_b, self.containment_b_in_a)


@dataclass(frozen=True, slots=True)
class Truth:
    documents: tuple[TruthDocument, ...]
    pairs: tuple[TruthPair, ...]
    withheld: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "documents": [d.as_dict() for d in self.documents],
            "pairs": [
                {
                    "a": p.a,
                    "b": p.b,
                    "relation": p.relation,
                    "containment_a_in_b": round(p.containment_a_in_b, 4),
                    "containment_b_in_a": round(p.containment_b_in_a, 4),
                }
                for p in self.pairs
            ],
        }


def load_truth(path: Path) -> Truth:
    """Read ``truth.json`` back into a :class:`Truth`."""
    data = json.loads(path.read_text(encoding="utf-8"))
    docs = tuple(
        TruthDocument(
            id=d["id"],
            kind=d["kind"],
            source=d["source"],
            transforms=tuple(d["transforms"]),
            copied=tuple(Copied(**c) for c in d["copied"]),
            publisher=d.get("publisher", ""),
            outlet=d.get("outlet", ""),
            withheld=bool(d.get("withheld", False)),
        )
        for d in data["documents"]
    )
    pairs = tuple(TruthPair(**p) for p in data["pairs"])
    return Truth(docs, pairs)


# --- building documents out of pieces --------------------------------------------------------


@dataclass(slots=True)
class Piece:
    """A run of text in a document: a title, an article paragraph, or anything else.

    Titles and paragraphs are article text (counted for containment); ``origin`` is set on
    text copied from the parent.
    """

    text: str
    role: Literal["title", "para", "other"] = "other"
    origin: tuple[str, int, int] | None = None  # (parent id, start, end) in the parent's raw text


@dataclass(slots=True)
class Doc:
    id: str
    kind: str
    outlet: str
    pieces: list[Piece]
    source: str | None = None
    transforms: list[str] = field(default_factory=list)
    withheld: bool = False  # this document is a withheld source (written to withheld/)
    parent_withheld: bool = False
    credited: str = ""  # the outlet named by the document's credit cue (a withheld or in-corpus parent's)
    date: str = ""  # the date the document states
    raw: str = ""
    spans: list[tuple[int, int]] = field(default_factory=list)  # raw span of each piece

    def paragraphs(self) -> list[int]:
        """Indexes of the article paragraphs (what derived documents copy)."""
        return [i for i, p in enumerate(self.pieces) if p.role == "para"]

    def title(self) -> int:
        return next(i for i, p in enumerate(self.pieces) if p.role == "title")


def _join(pieces: Sequence[Piece]) -> list[Piece]:
    """Pieces separated by blank lines (separators are pieces too, never copied)."""
    out: list[Piece] = []
    for i, piece in enumerate(pieces):
        if i:
            out.append(Piece("\n\n"))
        out.append(piece)
    out.append(Piece("\n"))
    return out


def _hex(text: str) -> str:
    return "".join(c if ord(c) < 128 else "".join(f"x{b:02x}" for b in c.encode("utf-8")) for c in text)


def _mojibake(text: str) -> str:
    out = []
    for char in text:
        if ord(char) < 128:
            out.append(char)
            continue
        for byte in char.encode("utf-8"):
            try:
                out.append(bytes([byte]).decode("cp1252"))
            except UnicodeDecodeError:
                out.append(chr(byte))  # the bytes cp1252 leaves undefined, as "sloppy" decoders do
    return "".join(out)


_DAMAGE = {"hex_damaged": _hex, "mojibake_damaged": _mojibake}


def _render(doc: Doc, damage: str | None = None) -> None:
    """Concatenate (and damage) the pieces, recording each piece's raw span."""
    fix = _DAMAGE.get(damage or "")
    parts: list[str] = []
    spans: list[tuple[int, int]] = []
    pos = 0
    for piece in doc.pieces:
        text = fix(piece.text) if fix else piece.text
        parts.append(text)
        spans.append((pos, pos + len(text)))
        pos += len(text)
    doc.raw = "".join(parts)
    doc.spans = spans


def _copied(doc: Doc) -> tuple[Copied, ...]:
    """Copied spans, adjacent runs (separated only by a blank line in both files) merged."""
    runs: list[list[int]] = []
    last_piece = -10
    for index, piece in enumerate(doc.pieces):
        if piece.origin is None:
            continue
        start, end = doc.spans[index]
        _, s_start, s_end = piece.origin
        if runs and last_piece == index - 2 and doc.pieces[index - 1].text == "\n\n" and runs[-1][3] + 2 == s_start:
            runs[-1][1] = end
            runs[-1][3] = s_end
        else:
            runs.append([start, end, s_start, s_end])
        last_piece = index
    return tuple(Copied(*run) for run in runs)


# --- text sources ---------------------------------------------------------------------------


class Vocabulary:
    """Pseudo-words from syllables, drawn with a Zipf-like law (fixed for every corpus seed)."""

    def __init__(self, size: int = 60_000) -> None:
        rng = np.random.default_rng(_VOCAB_SEED)
        onsets = (
            "b",
            "c",
            "d",
            "f",
            "g",
            "h",
            "j",
            "k",
            "l",
            "m",
            "n",
            "p",
            "r",
            "s",
            "t",
            "v",
            "w",
            "z",
            "br",
            "cl",
            "dr",
            "fl",
            "gr",
            "pl",
            "pr",
            "st",
            "tr",
            "sh",
            "ch",
            "th",
        )
        vowels = ["a", "e", "i", "o", "u", "ai", "ea", "io", "ou"]
        codas = ["", "", "n", "r", "s", "t", "l", "m", "nd", "st"]
        words: set[str] = set()
        while len(words) < size:
            n = rng.integers(1, 4, size)
            parts = [rng.integers(0, len(x), (size, 3)) for x in (onsets, vowels, codas)]
            for k in range(size):
                word = "".join(
                    onsets[parts[0][k, j]] + vowels[parts[1][k, j]] + codas[parts[2][k, j]] for j in range(n[k])
                )
                if len(word) > 2:
                    words.add(word)
        words = set(sorted(words)[:size]) if len(words) > size else words
        self.words = sorted(words)
        rng.shuffle(self.words)
        weights = 1.0 / np.arange(1, size + 1) ** 0.9
        self.cdf = np.cumsum(weights / weights.sum())

    def draw(self, rng: np.random.Generator, n: int) -> list[str]:
        idx = np.minimum(np.searchsorted(self.cdf, rng.random(n)), len(self.words) - 1)
        return [self.words[i] for i in idx]


class Writer:
    """News-like synthetic text: sentences, quotes, datelines, numbers, names."""

    def __init__(self, rng: np.random.Generator, vocab: Vocabulary) -> None:
        self.rng = rng
        self.vocab = vocab

    def _name(self) -> str:
        first, last = self.vocab.draw(self.rng, 2)
        return f"{first.capitalize()} {last.capitalize()}"

    def outlet(self) -> str:
        word = self.vocab.draw(self.rng, 1)[0].capitalize()
        return f"{word} {('Times', 'Wire', 'Herald', 'Post', 'Daily', 'News')[int(self.rng.integers(6))]}"

    def _number(self) -> str:
        kind = int(self.rng.integers(4))
        if kind == 0:
            return f"{self.rng.integers(2, 99)}.{self.rng.integers(0, 9)} percent"
        if kind == 1:
            return f"${self.rng.integers(1, 20)}.{self.rng.integers(0, 9)} billion"
        if kind == 2:
            return f"{self.rng.integers(1, 99)},{self.rng.integers(100, 999)}"
        return str(int(self.rng.integers(1990, 2024)))

    def _clause(self, n: int) -> str:
        words = self.vocab.draw(self.rng, n)
        fn = self.rng.random(n) < 0.3
        picks = self.rng.integers(0, len(_FUNCTION), n)
        out = [_FUNCTION[picks[i]] if fn[i] else words[i] for i in range(n)]
        if self.rng.random() < 0.3:
            out.insert(int(self.rng.integers(0, n)), self._number())
        if self.rng.random() < 0.15:
            out.insert(int(self.rng.integers(0, n)), f"{out[0].capitalize()}’s")
        return " ".join(out)

    def sentence(self) -> str:
        if self.rng.random() < 0.2:
            speaker = self._name()
            org = f"{self.vocab.draw(self.rng, 1)[0].capitalize()} {_ORG_SUFFIX[int(self.rng.integers(8))]}"
            title = _TITLES[int(self.rng.integers(len(_TITLES)))]
            said = self._clause(int(self.rng.integers(8, 20)))
            return f"“{said[0].upper()}{said[1:]},” said {speaker}, {title} at {org}."
        text = self._clause(int(self.rng.integers(12, 28)))
        if self.rng.random() < 0.15:
            text += f" — {self._clause(int(self.rng.integers(4, 9)))}"
        return text[0].upper() + text[1:] + "."

    def paragraph(self) -> str:
        return " ".join(self.sentence() for _ in range(int(self.rng.integers(2, 5))))

    def title(self) -> str:
        text = self._clause(int(self.rng.integers(6, 12))).replace("’s", "")
        return " ".join(w.capitalize() if len(w) > 3 else w for w in text.split())

    def article(self) -> tuple[str, list[str]]:
        paragraphs = [self.paragraph() for _ in range(int(self.rng.integers(4, 11)))]
        city = self.vocab.draw(self.rng, 1)[0].upper()
        paragraphs[0] = f"{city} — {paragraphs[0]}"
        return self.title(), paragraphs

    def date(self) -> str:
        month, day = _MONTHS[int(self.rng.integers(12))], int(self.rng.integers(1, 28))
        year = 2015 + int(self.rng.integers(9))
        return f"{month} {day}, {year}"

    def date_after(self, date: str) -> str:
        """A date on or after ``date``: republications follow their source (same day for 1 in 6)."""
        month, day, year = date.replace(",", "").split()
        start = datetime.date(int(year), _MONTHS.index(month) + 1, int(day))
        later = start + datetime.timedelta(days=int(self.rng.integers(0, 6)) and int(self.rng.integers(1, 15)))
        return f"{_MONTHS[later.month - 1]} {later.day}, {later.year}"


def _shingles(text: str) -> set[tuple[str, ...]]:
    words = _WORD.findall(text.replace("’", "'").casefold())
    if len(words) < _SHINGLE:
        return {tuple(words)} if words else set()
    return {tuple(words[i : i + _SHINGLE]) for i in range(len(words) - _SHINGLE + 1)}


def real_articles(eval_dir: Path = EVAL) -> list[tuple[str, list[str]]]:
    """Real articles (title, paragraphs) from news_events_dev and the Clough originals.

    An article is skipped when
    more than 2% of its 5-grams (or of the other's) occur in one already kept, so sources are
    independent (same-event articles quoting one statement stay; copies do not).
    """
    news = eval_dir / "news_events_dev"
    clough = eval_dir / "clough_short_answers"
    if not news.is_dir() or not clough.is_dir():
        raise FileNotFoundError(f"text='real' needs {news} and {clough}")
    paths = sorted((news / "docs").glob("*.txt")) + sorted((clough / "docs").glob("orig_task*.txt"))
    kept: list[tuple[str, list[str]]] = []
    seen: list[set[tuple[str, ...]]] = []
    for path in paths:
        text = path.read_text(encoding="utf-8").replace("\r\n", "\n")
        blocks = [" ".join(b.split()) for b in re.split(r"\n\s*\n", text) if b.strip()]
        if len(blocks) < 3:
            blocks = [" ".join(line.split()) for line in text.split("\n") if line.strip()]
        if len(blocks) < 3:
            continue
        shingles = _shingles(" ".join(blocks))
        if any(len(shingles & other) > 0.02 * min(len(shingles), len(other)) for other in seen):
            continue
        seen.append(shingles)
        kept.append((blocks[0], blocks[1:]))
    return kept


# --- derivation -----------------------------------------------------------------------------


def _body(doc: Doc, indexes: Sequence[int]) -> list[Piece]:
    """Copies of ``doc``'s pieces at ``indexes`` whose origin is their span in ``doc``."""
    return [Piece(doc.pieces[i].text, "para", (doc.id, *doc.spans[i])) for i in indexes]


def _excerpt_indexes(rng: np.random.Generator, doc: Doc) -> list[int]:
    """A prefix or a contiguous run of paragraphs holding 20–80% of the article text."""
    paras = doc.paragraphs()
    total = sum(len(doc.pieces[i].text) for i in paras)
    target = rng.uniform(0.2, 0.8) * total
    suffix = np.cumsum([len(doc.pieces[i].text) for i in paras][::-1])[::-1]
    starts = [k for k in range(len(paras)) if suffix[k] >= target]
    start = 0 if rng.random() < 0.5 or len(starts) < 2 else int(starts[int(rng.integers(0, len(starts)))])
    chosen: list[int] = []
    size = 0
    for i in paras[start:]:
        if chosen and size + len(doc.pieces[i].text) / 2 > target:
            break
        chosen.append(i)
        size += len(doc.pieces[i].text)
    if len(chosen) == len(paras) and len(paras) > 1:
        chosen = chosen[:-1]  # an excerpt is never the whole article
    return chosen


def _light_edit(rng: np.random.Generator, writer: Writer, text: str) -> str:
    sentences = re.split(r"(?<=[.!?”])\s+", text)
    if len(sentences) > 2 and rng.random() < 0.5:
        sentences = sentences[:-1]  # trim the last sentence
    words = " ".join(sentences).split(" ")
    for _ in range(max(1, len(words) // 40)):
        pos = int(rng.integers(0, len(words)))
        if words[pos].isalpha():
            words[pos] = writer.vocab.draw(rng, 1)[0]
    out = " ".join(words)
    if rng.random() < 0.5:
        out = out.replace("“", '"').replace("”", '"').replace("’", "'")
    return out


_FURNITURE_TOP = ("Listen to this article", "Share this article")


def _furniture_lines(rng: np.random.Generator, writer: Writer, outlet: str) -> tuple[list[str], list[str], list[str]]:
    shared = f"{int(rng.integers(2, 9))},{int(rng.integers(100, 999))} people shared this story"
    top = [_FURNITURE_TOP[int(rng.integers(2))], shared]
    middle = [writer.title(), f"Read more: {writer.title()}"]
    bottom = ["Leave a comment", f"© {int(rng.integers(2015, 2024))} {outlet}. All rights reserved."]
    return top, middle, bottom


def _copyright(rng: np.random.Generator, outlet: str) -> str:
    """A page's own copyright footer: how a publisher's page names itself."""
    return f"© {int(rng.integers(2015, 2024))} {outlet}. All rights reserved."


def _credit(rng: np.random.Generator, outlet: str) -> tuple[str, str]:
    """A credit cue naming ``outlet``: (where, text) with where ``top`` or ``bottom``."""
    choice = int(rng.integers(3))
    if choice == 0:
        return "bottom", f"Source: {outlet}"
    if choice == 1:
        return "top", f"({outlet}) —"
    return "bottom", f"{outlet} reported the story first."


def derive(rng: np.random.Generator, writer: Writer, parent: Doc, kind: str, new_id: str, outlet: str) -> Doc:
    """A derived document of ``kind`` made from ``parent`` (already rendered)."""
    paras = parent.paragraphs()
    t = parent.title()
    own_title = Piece(writer.title(), "title")
    head = [Piece(parent.pieces[t].text, "title", (parent.id, *parent.spans[t]))] if rng.random() < 0.7 else [own_title]
    date = writer.date_after(parent.date)
    head.append(Piece(date))
    transforms = [kind]
    if kind in ("full_copy", "hex_damaged", "mojibake_damaged"):
        pieces = head + _body(parent, paras)
    elif kind == "excerpt":
        pieces = head + _body(parent, _excerpt_indexes(rng, parent))
        if rng.random() < 0.5:  # a teaser linking to the rest
            pieces.append(Piece(("Read more ....", f"Read more: {parent.pieces[t].text}")[int(rng.integers(2))]))
    elif kind == "excerpt_commentary":
        before = [Piece(writer.paragraph(), "para") for _ in range(int(rng.integers(1, 4)))]
        after = [Piece(writer.paragraph(), "para") for _ in range(int(rng.integers(0, 3)))]
        if rng.random() < 0.4:  # the commentary marked as such, like a blog's "Editor:" note
            own = after[0] if after else before[0]
            own.text = f"{('Editor', 'Editor’s note', 'Comment')[int(rng.integers(3))]}: {own.text}"
        pieces = [own_title, head[1], *before, *_body(parent, _excerpt_indexes(rng, parent)), *after]
    elif kind == "furniture_wrapped":
        top, middle, bottom = _furniture_lines(rng, writer, outlet)
        body = _body(parent, paras)
        cut = max(1, len(body) // 2)
        pieces = [*head, *(Piece(t) for t in top), *body[:cut], *(Piece(t) for t in middle), *body[cut:]]
        pieces += [Piece(t) for t in bottom]
    elif kind == "light_edit":
        pieces = head + [
            Piece(_light_edit(rng, writer, parent.pieces[i].text), "para", (parent.id, *parent.spans[i])) for i in paras
        ]
    else:
        raise ValueError(f"unknown kind {kind!r}")
    return Doc(new_id, kind, outlet, pieces, source=parent.id, transforms=transforms, date=date)


# --- the corpus -----------------------------------------------------------------------------


@dataclass(slots=True)
class _Family:
    root: Doc
    members: list[tuple[Doc, Doc]] = field(default_factory=list)  # (derived doc, its parent)


def _plan(rng: np.random.Generator, n_sources: int, n_derived: int) -> list[tuple[str, int, bool]]:
    """Families as (shape, size, withheld): ``flat`` (siblings of one source) or ``chain``."""
    plans: list[tuple[str, int, bool]] = []
    left = n_derived
    while left > 0 and len(plans) < n_sources:
        roll = rng.random()
        if roll < 0.1 and left >= 2:
            size = min(left, int(rng.integers(2, 4)))
            plans.append(("flat", size, True))
        elif roll < 0.2 and left >= 2:
            plans.append(("chain", 2, False))
            size = 2
        elif roll < 0.4 and left >= 2:
            size = 2
            plans.append(("flat", size, False))
        else:
            size = 1
            plans.append(("flat", size, False))
        left -= size
    return plans


def build(
    n_sources: int, seed: int, reuse_share: float = 0.1, text: Literal["real", "synthetic"] = "synthetic"
) -> tuple[list[Doc], Truth]:
    """All documents (written and withheld) and their truth, without touching the disk."""
    rng = np.random.default_rng(seed)
    writer = Writer(rng, Vocabulary())
    if text == "real":
        articles = real_articles()
        if n_sources > len(articles):
            raise ValueError(f"text='real' has {len(articles)} independent articles; asked for {n_sources}")
        order = rng.permutation(len(articles))[:n_sources]
        chosen = [articles[i] for i in order]
    else:
        chosen = [writer.article() for _ in range(n_sources)]
    n_derived = round(reuse_share * n_sources)
    ids = [f"d{i:06d}" for i in rng.permutation(n_sources + n_derived)]
    next_id = iter(ids)
    sources: list[Doc] = []
    for title, paragraphs in chosen:
        outlet = writer.outlet()
        date = writer.date()
        pieces = [Piece(title, "title"), Piece(date), *(Piece(p, "para") for p in paragraphs)]
        if rng.random() < SELF_CREDIT_SHARE:
            pieces.append(Piece(_copyright(rng, outlet)))
        doc = Doc(next(next_id), "unrelated", outlet, _join(pieces), date=date)
        _render(doc)
        sources.append(doc)

    kinds = list(DERIVED_KINDS)
    kind_cycle: list[str] = []
    derived: list[Doc] = []
    truth_edges: list[tuple[Doc, Doc]] = []
    families: list[_Family] = []
    for index, (shape, size, withheld) in enumerate(_plan(rng, n_sources, n_derived)):
        root = sources[index]
        root.kind = "original"
        root.withheld = withheld
        family = _Family(root)
        parent = root
        for _ in range(size):
            if not kind_cycle:
                kind_cycle = [kinds[i] for i in rng.permutation(len(kinds))]
            kind = kind_cycle.pop()
            if shape == "chain":
                kind = ("full_copy", "furniture_wrapped")[int(rng.integers(2))] if parent is root else "excerpt"
            doc = derive(rng, writer, parent, kind, next(next_id), writer.outlet())
            if withheld or rng.random() < CREDIT_SHARE:
                # Children of withheld sources always credit the source's outlet (lineage
                # needs a name for the outside parent); others credit their parent's
                # publisher as often as syndication partners do.
                credited = root.outlet if withheld else parent.outlet
                where, cue = _credit(rng, credited)
                doc.pieces.insert(0 if where == "top" else len(doc.pieces), Piece(cue))
                doc.parent_withheld = withheld
                doc.credited = credited
                doc.transforms.append("credit")
            if doc.kind != "furniture_wrapped" and rng.random() < SELF_CREDIT_SHARE:
                doc.pieces.append(Piece(_copyright(rng, doc.outlet)))
            doc.pieces = _join(doc.pieces)
            _render(doc, doc.kind)
            derived.append(doc)
            family.members.append((doc, parent))
            truth_edges.append((doc, parent))
            if shape == "chain":
                parent = doc
        families.append(family)
    rng.shuffle(families)  # family order must not follow ids
    written = [d for d in (*sources, *derived) if not d.withheld]
    withheld_docs = [d for d in sources if d.withheld]
    truth_docs = tuple(
        TruthDocument(
            id=d.id,
            kind=d.kind,
            source=d.source,
            transforms=tuple(d.transforms),
            copied=_copied(d) if d.source else (),
            publisher=d.outlet,
            outlet=d.credited,
            withheld=d.parent_withheld,
        )
        for d in sorted(written, key=lambda d: d.id)
    )
    pairs = tuple(sorted(_pairs(families), key=lambda p: (p.a, p.b)))
    return [*written, *withheld_docs], Truth(truth_docs, pairs, tuple(sorted(d.id for d in withheld_docs)))


def _pairs(families: Sequence[_Family]) -> list[TruthPair]:
    out: list[TruthPair] = []
    for family in families:
        parent_of = {doc.id: parent.id for doc, parent in family.members}
        members = [d for d in (family.root, *(doc for doc, _ in family.members)) if not d.withheld]

        def ancestors(doc_id: str, parent_of: dict[str, str] = parent_of) -> list[str]:
            chain = []
            while doc_id in parent_of:
                doc_id = parent_of[doc_id]
                chain.append(doc_id)
            return chain

        body = {d.id: _shingles(" ".join(p.text for p in d.pieces if p.role != "other")) for d in members}
        for x, y in combinations(sorted(members, key=lambda d: d.id), 2):
            up_x, up_y = ancestors(x.id), ancestors(y.id)
            if parent_of.get(y.id) == x.id or parent_of.get(x.id) == y.id:
                relation: Literal["derived", "sibling", "chain"] = "derived"
            elif x.id in up_y or y.id in up_x:
                relation = "chain"
            else:
                relation = "sibling"
            sx, sy = body[x.id], body[y.id]
            shared = len(sx & sy)
            out.append(
                TruthPair(x.id, y.id, relation, shared / len(sx) if sx else 0.0, shared / len(sy) if sy else 0.0)
            )
    return out


def generate(
    out: Path,
    *,
    n_sources: int,
    seed: int,
    reuse_share: float = 0.1,
    text: Literal["real", "synthetic"] = "synthetic",
) -> Truth:
    """Write the corpus to ``out/docs``, withheld sources to ``out/withheld`` and ``out/truth.json``."""
    docs, truth = build(n_sources, seed, reuse_share, text)
    for folder in ("docs", "withheld"):
        shutil.rmtree(out / folder, ignore_errors=True)
        (out / folder).mkdir(parents=True)
    for doc in docs:
        folder = "withheld" if doc.withheld else "docs"
        (out / folder / f"{doc.id}.txt").write_text(doc.raw, encoding="utf-8", newline="")
    (out / "truth.json").write_text(
        json.dumps(truth.as_dict(), indent=1, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return truth


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.corpus", description=__doc__.split("\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--sources", type=int, required=True, help="number of source articles")
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--reuse-share", type=float, default=0.1, help="derived documents per source (default 0.1)")
    parser.add_argument("--text", choices=("real", "synthetic"), default="synthetic")
    args = parser.parse_args(argv)
    try:
        truth = generate(args.out, n_sources=args.sources, seed=args.seed, reuse_share=args.reuse_share, text=args.text)
    except (ValueError, FileNotFoundError) as exc:
        parser.error(str(exc))
    print(f"wrote {len(truth.documents)} documents ({len(truth.withheld)} sources withheld), {len(truth.pairs)} pairs")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
