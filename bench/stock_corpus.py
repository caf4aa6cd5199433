"""A corpus of news-like articles made of real news sentences, whose articles recur stock quotes.

``generate(out, n_docs, seed)`` writes ``out/docs/<id>.txt`` and ``out/truth.json``, the same
bytes for the same arguments. ``python -m bench.stock_corpus OUT --docs N --seed S``.

The sentences come from the Microsoft Research Paraphrase Corpus (``../shared/eval/msrp_sentences``:
~11,600 sentences of real news from outlets covering the same stories), recombined by an
order-2 word Markov chain: an article reads like news, and, as on the real web, the same
quoted statements, datelines and stock phrases recur in hundreds of otherwise unrelated
articles (an order-2 chain over 11k sentences often walks a whole original sentence again).
Besides, each article carries one to
three stock quotes (whole MSRP sentences holding a quoted statement of six words or more),
drawn with Zipf weights: a few statements are in a large share of all articles. That is the
case the generated bench corpora (:mod:`bench.corpus`, one pseudo-vocabulary,
no recurring quote) never show, and on which pairwise work explodes.

A share (``reuse_share``, default 10%) of the articles are planted reuse of an earlier one:
a full copy under another title, an excerpt (its first 40-80% of paragraphs), or an excerpt
with a paragraph of commentary. ``truth.json``::

    {"documents": [{"id", "kind", "source"}], "pairs": [{"a", "b", "relation"}]}

with ``relation`` ``full_copy`` / ``excerpt`` / ``excerpt_commentary`` for each planted pair
(``a < b``). Other pairs may share a sentence the chain walked again: they are not planted
reuse, and precision against this truth is a lower bound.
"""

from __future__ import annotations

import argparse
import json
import re
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

import numpy as np

MSRP = Path(__file__).resolve().parent.parent.parent / "shared" / "eval" / "msrp_sentences"
_END = "\x00"  # the chain's end-of-sentence token
KINDS = ("full_copy", "excerpt", "excerpt_commentary")


def sentences(folder: Path = MSRP) -> list[str]:
    """Every distinct sentence of the MSRP files (both columns), in file order."""
    seen: dict[str, None] = {}
    for name in ("msr_paraphrase_train.txt", "msr_paraphrase_test.txt"):
        path = folder / name
        lines = path.read_text(encoding="utf-8-sig").splitlines()[1:]
        for line in lines:
            fields = line.split("\t")
            for field in fields[3:5]:
                if field.strip():
                    seen.setdefault(field.strip(), None)
    return list(seen)


class Chain:
    """An order-2 word Markov chain over sentences."""

    def __init__(self, corpus: Sequence[str]) -> None:
        follow: dict[tuple[str, str], list[str]] = defaultdict(list)
        starts: list[tuple[str, str]] = []
        for sentence in corpus:
            words = sentence.split()
            if len(words) < 3:
                continue
            starts.append((words[0], words[1]))
            padded = [*words, _END]
            for i in range(len(padded) - 2):
                follow[(padded[i], padded[i + 1])].append(padded[i + 2])
        self.follow = {k: tuple(v) for k, v in follow.items()}
        self.starts = starts

    def sentence(self, rng: np.random.Generator, max_words: int = 45) -> str:
        first, second = self.starts[int(rng.integers(len(self.starts)))]
        words = [first, second]
        while len(words) < max_words:
            options = self.follow.get((words[-2], words[-1]))
            if not options:
                break
            nxt = options[int(rng.integers(len(options)))]
            if nxt == _END:
                break
            words.append(nxt)
        text = " ".join(words)
        return text if text[-1] in ".!?\"'" else text + "."


def stock_quotes(corpus: Sequence[str], min_words: int = 6) -> list[str]:
    """The sentences holding a quoted statement of at least ``min_words`` words."""
    quoted = re.compile(r'"([^"]+)"')
    return [s for s in corpus if any(len(m.split()) >= min_words for m in quoted.findall(s))]


def _zipf_index(rng: np.random.Generator, n: int, exponent: float) -> int:
    """An index in ``[0, n)``, index ``k`` drawn with weight ``1 / (k + 1) ** exponent``."""
    while True:
        k = int(rng.zipf(exponent)) - 1
        if k < n:
            return k


def _article(chain: Chain, quotes: Sequence[str], rng: np.random.Generator) -> tuple[str, list[str]]:
    title_words = chain.sentence(rng).rstrip(".!?").split()[: int(rng.integers(6, 11))]
    title = " ".join(title_words)
    paragraphs = []
    for _ in range(int(rng.integers(5, 9))):
        paragraphs.append(" ".join(chain.sentence(rng) for _ in range(int(rng.integers(1, 4)))))
    # Stock quotes: whole quoted statements, a few of them carried by a large share of the
    # articles (Zipf), as every outlet quotes the same press conference.
    for _ in range(int(rng.integers(1, 4))):
        at = int(rng.integers(1, len(paragraphs) + 1))
        paragraphs.insert(at, quotes[_zipf_index(rng, len(quotes), 1.3)])
    return title, paragraphs


def _render(title: str, paragraphs: Sequence[str]) -> str:
    return "\n\n".join([title, *paragraphs]) + "\n"


def generate(out: Path, n_docs: int, seed: int = 0, reuse_share: float = 0.1, folder: Path = MSRP) -> Path:
    """Write the corpus into ``out`` (``docs/`` and ``truth.json``); return ``out``."""
    rng = np.random.default_rng(seed)
    corpus = sentences(folder)
    chain = Chain(corpus)
    quotes = stock_quotes(corpus)
    rng.shuffle(quotes)
    docs_dir = out / "docs"
    docs_dir.mkdir(parents=True, exist_ok=True)
    n_derived = round(n_docs * reuse_share)
    n_sources = n_docs - n_derived
    articles: list[tuple[str, list[str]]] = []
    documents: list[dict[str, object]] = []
    pairs: list[dict[str, str]] = []
    width = len(str(n_docs))
    for index in range(n_docs):
        doc_id = f"a{index:0{width}d}"
        if index < n_sources or not articles:
            title, paragraphs = _article(chain, quotes, rng)
            documents.append({"id": doc_id, "kind": "article", "source": None})
        else:
            parent = int(rng.integers(n_sources))
            kind = KINDS[int(rng.integers(len(KINDS)))]
            src_title, src_paragraphs = articles[parent]
            title = chain.sentence(rng).rstrip(".!?") if kind == "full_copy" else src_title
            if kind == "full_copy":
                paragraphs = list(src_paragraphs)
            else:
                keep = max(2, round(len(src_paragraphs) * float(rng.uniform(0.4, 0.8))))
                paragraphs = list(src_paragraphs[:keep])
                if kind == "excerpt_commentary":
                    paragraphs.append("Editor's note: " + " ".join(chain.sentence(rng) for _ in range(3)))
            source_id = f"a{parent:0{width}d}"
            documents.append({"id": doc_id, "kind": kind, "source": source_id})
            pairs.append({"a": source_id, "b": doc_id, "relation": kind})
        articles.append((title, paragraphs))
        (docs_dir / f"{doc_id}.txt").write_text(_render(title, paragraphs), encoding="utf-8")
    truth = {"documents": documents, "pairs": pairs}
    (out / "truth.json").write_text(json.dumps(truth, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--docs", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--reuse-share", type=float, default=0.1)
    args = parser.parse_args(argv)
    generate(args.out, args.docs, args.seed, args.reuse_share)
    print(f"wrote {args.docs} documents to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
