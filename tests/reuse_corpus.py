"""Small labelled corpora of reused text for the alignment tests, in the ``bench.corpus`` contract.

Each derived document copies paragraphs of a source with one or more transforms the
alignment must survive: ``excerpt``, ``commentary`` (own paragraphs before, between and
after), ``reorder`` (paragraphs shuffled), ``edit`` (words changed, quote marks swapped),
``merge`` (two sentences joined into one), ``split`` (one sentence cut in two), ``trim``
(the excerpt stops mid-sentence with "…") and ``hex`` (``’`` written as ``xe2x80x99``, as
in seed 000). ``truth.json`` lists the copied spans: ``doc_start/doc_end`` in the written
file, ``src_start/src_end`` in the source.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path

TRANSFORMS = ("excerpt", "commentary", "reorder", "edit", "merge", "split", "trim", "hex")
_SYLLABLES = ("ka", "lo", "mi", "ran", "tes", "vo", "bri", "dun", "sel", "par", "gor", "fi", "nat", "ush", "el", "tro")
_FUNCTION = ("the", "of", "and", "to", "in", "that", "for", "on", "with", "as", "at", "by", "from", "was")


class Writer:
    """Pseudo-English news text from a seeded vocabulary (unrelated texts share no phrases)."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.vocab = sorted({"".join(rng.choices(_SYLLABLES, k=rng.randint(2, 4))) for _ in range(3000)})

    def words(self, n: int) -> str:
        out = [self.rng.choice(_FUNCTION) if self.rng.random() < 0.3 else self.rng.choice(self.vocab) for _ in range(n)]
        return " ".join(out)

    def sentence(self) -> str:
        roll = self.rng.random()
        if roll < 0.2:
            name = self.words(2).title()
            return f"“{self.words(self.rng.randint(8, 16)).capitalize()},” said {name}, an official at {name}’s office."
        text = self.words(self.rng.randint(10, 24))
        if roll < 0.4:
            head, _, tail = text.partition(" ")
            text = f"{head}’s {tail}, {self.words(self.rng.randint(4, 9))}"
        if roll > 0.85:
            text += f" — {self.words(self.rng.randint(4, 8))}"
        return text[0].upper() + text[1:] + "."

    def paragraph(self) -> str:
        return " ".join(self.sentence() for _ in range(self.rng.randint(2, 4)))

    def article(self) -> list[str]:
        return [self.words(7).title(), *(self.paragraph() for _ in range(self.rng.randint(5, 9)))]


@dataclass
class _Piece:
    text: str
    src: tuple[int, int] | None = None  # span in the source file (copied text)


def _hex(text: str) -> str:
    return "".join(c if ord(c) < 128 else "".join(f"x{b:02x}" for b in c.encode("utf-8")) for c in text)


def _sentences(paragraph: str) -> list[str]:
    parts: list[str] = []
    for chunk in paragraph.split(". "):
        parts.append(chunk if chunk.endswith(".") else chunk + ".")
    return parts


def _edit(rng: random.Random, writer: Writer, text: str) -> str:
    words = text.split(" ")
    for _ in range(max(1, len(words) // 15)):
        pos = rng.randrange(len(words))
        if words[pos].isalpha():
            words[pos] = rng.choice(writer.vocab)
    out = " ".join(words)
    return out.replace("“", '"').replace("”", '"').replace("’", "'") if rng.random() < 0.5 else out


def _merge(text: str) -> str:
    """The first two sentences joined into one (``A. B.`` → ``A, and b.``)."""
    first, dot, rest = text.partition(". ")
    return f"{first}, and {rest[0].lower()}{rest[1:]}" if dot and rest else text


def _split(text: str) -> str:
    """The first comma of a long sentence made a full stop."""
    head, comma, tail = text.partition(", ")
    return f"{head}. {tail[0].upper()}{tail[1:]}" if comma and tail and len(head.split()) > 5 else text


def derive(
    rng: random.Random, writer: Writer, source: str, spans: list[tuple[int, int]], transforms: set[str]
) -> list[_Piece]:
    """The pieces of a derived document (paragraphs; copied ones carry their source span)."""
    chosen = list(range(1, len(spans)))  # never the title
    if "excerpt" in transforms or "trim" in transforms:
        chosen = chosen[: max(2, len(chosen) // 2)]
    pieces = [_Piece(source[spans[i][0] : spans[i][1]], spans[i]) for i in chosen]
    if "reorder" in transforms:
        rng.shuffle(pieces)
    for piece in pieces:
        if "edit" in transforms:
            piece.text = _edit(rng, writer, piece.text)
        if "merge" in transforms:
            piece.text = _merge(piece.text)
        if "split" in transforms:
            piece.text = _split(piece.text)
    if "trim" in transforms:
        last = pieces[-1]
        assert last.src is not None
        sentences = _sentences(last.text)
        words = sentences[-1].split(" ")
        keep = " ".join([*sentences[:-1], " ".join(words[: max(6, len(words) * 2 // 3)])])
        last.text, last.src = keep + "…", (last.src[0], last.src[0] + len(keep))
    if "commentary" in transforms:
        pieces.insert(0, _Piece(writer.paragraph()))
        pieces.insert(len(pieces) // 2 + 1, _Piece(writer.paragraph()))
        pieces.append(_Piece(writer.paragraph()))
    return [_Piece(writer.words(6).title()), *pieces]


def _render(pieces: list[_Piece], damage: bool) -> tuple[str, list[dict[str, int]]]:
    text = ""
    copied: list[dict[str, int]] = []
    for piece in pieces:
        body = _hex(piece.text) if damage else piece.text
        if piece.src is not None:
            copied.append(
                {
                    "doc_start": len(text),
                    "doc_end": len(text) + len(body),
                    "src_start": piece.src[0],
                    "src_end": piece.src[1],
                }
            )
        text += body + "\n\n"
    return text, copied


def build(out: Path, *, n_sources: int = 12, seed: int = 0) -> dict[str, object]:
    """Write ``n_sources`` sources and one or two derived documents of each; return the truth."""
    rng = random.Random(seed)
    writer = Writer(rng)
    (out / "docs").mkdir(parents=True, exist_ok=True)
    documents: list[dict[str, object]] = []
    pairs: list[dict[str, str]] = []
    for n in range(n_sources):
        paragraphs = writer.article()
        source = "\n\n".join(paragraphs) + "\n"
        spans, pos = [], 0
        for p in paragraphs:
            spans.append((pos, pos + len(p)))
            pos += len(p) + 2
        source_id = f"s{n:03d}"
        (out / "docs" / f"{source_id}.txt").write_text(source, encoding="utf-8", newline="")
        documents.append({"id": source_id, "kind": "original", "source": None, "transforms": [], "copied": []})
        for k in range(1 + n % 2):
            transforms = {TRANSFORMS[(n + k) % len(TRANSFORMS)], TRANSFORMS[(3 * n + 5 * k + 1) % len(TRANSFORMS)]}
            text, copied = _render(derive(rng, writer, source, spans, transforms), "hex" in transforms)
            doc_id = f"c{n:03d}{k}"
            (out / "docs" / f"{doc_id}.txt").write_text(text, encoding="utf-8", newline="")
            kind = "+".join(sorted(transforms))
            documents.append(
                {"id": doc_id, "kind": kind, "source": source_id, "transforms": sorted(transforms), "copied": copied}
            )
            pairs.append({"a": source_id, "b": doc_id, "relation": "derived"})
        if n % 2:
            pairs.append({"a": f"c{n:03d}0", "b": f"c{n:03d}1", "relation": "sibling"})
    truth: dict[str, object] = {"documents": documents, "pairs": pairs}
    (out / "truth.json").write_text(json.dumps(truth, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return truth
