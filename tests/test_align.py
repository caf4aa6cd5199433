"""Passage alignment: robustness to what republishers do, mirror symmetry, spans that slice
back to the evidence, internal repetition, composition, and the seeds 000–003."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz

from provenance.align import align, align_corpus, composition, internal_repeats
from provenance.api import document_from_text
from provenance.model import Document, Passage, Repeat, Shared, Span
from provenance.normalize import normalize
from provenance.settings import AlignSettings
from provenance.text import matching_key

SETTINGS = AlignSettings()


def make_doc(text: str, doc_id: str) -> Document:
    """A document from text alone (no corpus context), as the pipeline builds it."""
    return document_from_text(text, doc_id)


P1 = (
    "The city council approved the new budget on Tuesday after a long debate about school funding. "
    "Members argued for hours over the cost of repairs to three old bridges."
)
P2 = (
    "“We cannot keep delaying the work,” said Maria Lopez, who chairs the transport committee. "
    "She added that the first contracts would be signed before the winter."
)
P3 = (
    "Opposition members said the plan raised property taxes by almost four percent. "
    "They promised to bring the matter back at the next public meeting in March."
)
P4 = (
    "The mayor’s office did not respond to requests for comment on Wednesday. "
    "A spokesman said earlier that the budget was balanced and fair to every district."
)
SOURCE = "Council Passes Budget After Long Debate\n\n" + "\n\n".join((P1, P2, P3, P4)) + "\n"
COMMENT = "Editor’s note: we have covered this council for years and this vote surprised nobody here."


def covered(passages: tuple[Passage, ...], doc: Document, needle: str, side: str = "b") -> bool:
    """Is ``needle`` (clean text of ``doc``) inside one passage on ``side``?"""
    start = doc.clean.index(needle)
    span = Span(start, start + len(needle))
    for p in passages:
        clean = p.b_clean if side == "b" else p.a_clean
        if clean.start <= span.start and span.end <= clean.end:
            return True
    return False


def test_unrelated_documents_share_nothing() -> None:
    other = make_doc("Weather\n\nRain is expected across the north of the country for the rest of the week.\n", "w")
    assert align(make_doc(SOURCE, "s"), other, SETTINGS) == ()
    assert align(make_doc("", "e"), make_doc(SOURCE, "s"), SETTINGS) == ()


def test_full_copy_is_one_verbatim_passage() -> None:
    a, b = make_doc(SOURCE, "a"), make_doc(SOURCE.replace("\n\n", "\n\n\n"), "b")
    (passage,) = align(a, b, SETTINGS)
    assert passage.kind == "verbatim" and passage.similarity == 1.0
    assert passage.a_clean == Span(0, len(SOURCE.rstrip()))


def test_excerpt_with_commentary_and_reordered_paragraphs() -> None:
    copy = "A New Headline Of Our Own Here\n\n" + "\n\n".join((COMMENT, P3, P1, COMMENT.upper(), P2)) + "\n"
    a, b = make_doc(SOURCE, "a"), make_doc(copy, "b")
    passages = align(a, b, SETTINGS)
    for paragraph in (P1, P2, P3):
        assert covered(passages, b, paragraph), paragraph
        assert covered(passages, a, paragraph, side="a"), paragraph
    assert not covered(passages, b, COMMENT[:40])
    assert not covered(passages, a, P4[:60], side="a")
    comp = composition(b, [Shared(p.b_clean, p.a) for p in passages], SETTINGS)
    own = [span.slice(b.clean) for span in comp.own]
    assert own[0] == "A New Headline Of Our Own Here\n\n" + COMMENT and own[1] == COMMENT.upper()


def test_small_edits_quote_marks_and_hex_damage() -> None:
    edited = (
        P1.replace("Tuesday", "Monday")
        + "\n\n"
        + P2.replace("“", '"').replace("”", '"').replace("’", "'").replace("—", "-")
        + "\n\n"
        + P4.replace("’", "xe2x80x99")
    )
    a, b = make_doc(SOURCE, "a"), make_doc(edited, "b")
    passages = align(a, b, SETTINGS)
    assert all(covered(passages, b, s) for s in ("The city council approved", "We cannot keep", "A spokesman said"))
    first, damaged = passages
    assert first.kind == "edited" and 0.9 < first.similarity < 1.0  # "Tuesday" became "Monday"
    assert damaged.kind == "verbatim"  # quote marks and hex escapes do not count as edits
    assert "xe2x80x99" in b.raw[damaged.b_start : damaged.b_end]


def test_merged_and_split_sentences() -> None:
    merged = P1.replace(
        "debate about school funding. Members argued", "debate about school funding, and members argued"
    )
    split = P3.replace("four percent. They promised", "four percent; they promised").replace(
        "the matter back at", "the matter back. At"
    )
    a, b = make_doc(SOURCE, "a"), make_doc(merged + "\n\n" + COMMENT + "\n\n" + split, "b")
    passages = align(a, b, SETTINGS)
    assert covered(passages, b, merged) and covered(passages, b, split)


def test_trimmed_sentence_ends_the_passage_at_the_shared_words() -> None:
    cut = P2[: P2.index("would be signed")].rstrip()
    a, b = make_doc(SOURCE, "a"), make_doc(P1 + "\n\n" + cut + "…\n\n" + COMMENT, "b")
    passages = align(a, b, SETTINGS)
    (passage,) = passages
    a_text = passage.a_clean.slice(a.clean)
    assert a_text.endswith("first contracts") and a_text.startswith("The city council")
    assert covered(passages, b, cut)


def test_internal_repetition_is_aligned_once_and_reported() -> None:
    pull = "“We cannot keep delaying the work”"
    repeated = "\n\n".join((P1, P2, pull, P3, P2)) + "\n"
    a, b = make_doc(repeated, "a"), make_doc("\n\n".join((P1, P2, P3)) + "\n", "b")
    passages = align(a, b, SETTINGS)
    assert sum(p.b_sentences for p in passages) == 6  # each sentence of b once
    repeats = internal_repeats(a, SETTINGS)
    assert {r.clean.slice(a.clean)[:25] for r in repeats} == {"“We cannot keep delaying ", "She added that the first "}
    passages_all, comps = align_corpus([a, b], [("a", "b")], SETTINGS)
    share = {c.doc: c for c in comps}
    assert share["b"].republished_share == 1.0 and share["b"].sources[0].share == 1.0
    assert share["a"].repeats and share["a"].republished_share > 0.9  # repeats of shared text are shared
    assert passages_all == passages


def _repeats_by_full_index(doc: Document) -> tuple[Repeat, ...]:
    """internal_repeats as first written: every sentence's 3-grams indexed and counted."""
    grams: list[frozenset[tuple[str, ...]]] = []
    index: dict[tuple[str, ...], list[int]] = {}
    for n, sentence in enumerate(doc.sentences):
        words = sentence.key.split(" ")
        enough = len(words) >= SETTINGS.repeat_min_words
        found = frozenset(zip(words, words[1:], words[2:], strict=False)) if enough else frozenset()
        grams.append(found)
        for gram in found:
            index.setdefault(gram, []).append(n)
    repeats = []
    for n, mine in enumerate(grams):
        counts = Counter(m for gram in mine for m in index[gram] if m != n)
        if not counts:
            continue
        other, shared = min(counts.items(), key=lambda item: (-item[1], item[0]))
        if shared / len(mine) < SETTINGS.repeat_containment:
            continue
        mutual = shared / len(grams[other]) >= SETTINGS.repeat_containment
        if not (mutual and other > n):
            repeats.append(Repeat(doc.sentences[n].clean, doc.sentences[other].clean, shared / len(mine), mutual))
    return tuple(repeats)


_FEW_WORDS = st.sampled_from(["alpha", "beta", "gamma"])


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(_FEW_WORDS, min_size=4, max_size=11), max_size=9))
def test_internal_repeats_count_only_what_two_sentences_share(sentences: list[list[str]]) -> None:
    """Indexing only 3-grams found twice finds what indexing all of them finds (a three-word
    vocabulary makes shared 3-grams common, and repeats: in ~13% of such documents)."""
    doc = make_doc(" ".join(" ".join(words).capitalize() + "." for words in sentences) + "\n", "r")
    assert internal_repeats(doc, SETTINGS) == _repeats_by_full_index(doc)


def test_chinese_text_aligns() -> None:
    zh = "北京今天宣布了新的经济政策。专家认为这将帮助中小企业渡过难关。政府还将提供更多贷款支持。"
    a, b = make_doc(zh + "\n", "a"), make_doc("评论：我们对此表示欢迎。\n\n" + zh + "\n", "b")
    (passage,) = align(a, b, SETTINGS)
    assert passage.kind == "verbatim" and passage.b_clean.slice(b.clean) == zh
    quote = "专家认为这将帮助中小企业渡过难关。"  # one sentence of 17 characters is a passage too
    c = make_doc("新闻摘要\n\n" + quote + "\n", "c")
    (short,) = align(a, c, SETTINGS)
    assert short.b_clean.slice(c.clean) == quote and short.a_clean.slice(a.clean) == quote


# --- properties ---------------------------------------------------------------------------

WORDS = st.sampled_from(
    [
        *("council", "budget", "school", "bridge", "mayor", "taxes", "vote", "meeting", "repairs", "contract"),
        *("winter", "district", "funding", "road", "water", "park", "police", "report", "plan", "said"),
        *("would", "could", "after", "before", "the", "a", "of", "and", "to", "in", "on"),
    ]
)
SENTENCE = st.lists(WORDS, min_size=4, max_size=14).map(lambda w: " ".join(w).capitalize() + ".")
PARAGRAPH = st.lists(SENTENCE, min_size=1, max_size=3).map(" ".join)
OPS = st.lists(
    st.sampled_from(["keep", "drop", "edit", "comment", "hex", "quote", "merge", "trim", "repeat"]),
    min_size=1,
    max_size=8,
)


@st.composite
def related_pair(draw: st.DrawFn) -> tuple[str, str]:
    paragraphs = draw(st.lists(PARAGRAPH, min_size=1, max_size=6))
    ops = draw(OPS)
    out: list[str] = []
    for i, original in enumerate(paragraphs):
        op, text = ops[i % len(ops)], original
        if op == "drop":
            continue
        if op == "edit":
            words = text.split(" ")
            words[draw(st.integers(0, len(words) - 1))] = draw(WORDS)
            text = " ".join(words)
        elif op == "comment":
            out.append(draw(PARAGRAPH))
        elif op == "hex":
            text = text.replace("a", "xe2x80x99", 1)
        elif op == "quote":
            text = f"“{text}”"
        elif op == "merge":
            text = text.replace(". ", ", and ", 1)
        elif op == "trim":
            text = text[: draw(st.integers(len(text) // 2, len(text)))] + "…"
        elif op == "repeat":
            out.append(text)
        out.append(text)
    return "\n\n".join(paragraphs) + "\n", "\n\n".join(out) + "\n"


def _similarity_of_raw(doc: Document, start: int, end: int) -> str:
    return matching_key(normalize(doc.raw[start:end]).clean)


@settings(max_examples=150, deadline=None)
@given(related_pair())
def test_passages_slice_back_to_similar_text(texts: tuple[str, str]) -> None:
    a, b = make_doc(texts[0], "a"), make_doc(texts[1], "b")
    for p in align(a, b, SETTINGS):
        key_a = _similarity_of_raw(a, p.a_start, p.a_end)
        key_b = _similarity_of_raw(b, p.b_start, p.b_end)
        assert fuzz.ratio(key_a, key_b) / 100 >= SETTINGS.sentence_cutoff
        assert p.similarity == pytest.approx(fuzz.ratio(key_a, key_b) / 100, abs=1e-9) or key_a == key_b
        assert (p.kind == "verbatim") == (key_a == key_b)


def _place(p: Passage) -> tuple[int, int, int, int]:
    return (p.a_clean.start, p.a_clean.end, p.b_clean.start, p.b_clean.end)


@settings(max_examples=150, deadline=None)
@given(related_pair())
def test_aligning_b_with_a_mirrors_a_with_b(texts: tuple[str, str]) -> None:
    a, b = make_doc(texts[0], "a"), make_doc(texts[1], "b")
    forward = align(a, b, SETTINGS)
    backward = align(b, a, SETTINGS)
    assert sorted((p.mirrored() for p in backward), key=_place) == list(forward)


@settings(max_examples=60, deadline=None)
@given(related_pair())
def test_shares_add_up(texts: tuple[str, str]) -> None:
    a, b = make_doc(texts[0], "a"), make_doc(texts[1], "b")
    _, comps = align_corpus([a, b], [("a", "b")], SETTINGS)
    for comp in comps:
        assert 0.0 <= comp.republished_share <= 1.0
        if comp.chars:
            assert comp.original_share + comp.republished_share == pytest.approx(1.0)
        for own in comp.own:
            assert own.slice(next(d for d in (a, b) if d.id == comp.doc).clean).strip()


# --- seeds 000–003 ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seeds(seed_analysis):  # type: ignore[no-untyped-def]
    docs = {d.id[:3]: d for d in seed_analysis.documents}
    passages = [p for p in seed_analysis.passages if {p.a[:3], p.b[:3]} == {"000", "003"}]
    comps = {c.doc[:3]: c for c in seed_analysis.compositions}
    return docs, passages, comps


def _place_in_000(docs: dict[str, Document], passages: list[Passage], needle: str) -> Span:
    """The 000 side (clean) of the passage that carries ``needle`` of 003."""
    d003 = docs["003"]
    start = d003.clean.index(needle)
    for p in passages:
        b_side, a_side = (p.b_clean, p.a_clean) if p.b.startswith("003") else (p.a_clean, p.b_clean)
        if b_side.start <= start < b_side.end:
            return a_side
    raise AssertionError(f"003 text not aligned: {needle!r}")


def test_seed_003_paragraphs_carried_from_cnbc_are_aligned_to_their_place_in_000(seeds) -> None:  # type: ignore[no-untyped-def]
    docs, passages, _ = seeds
    d000 = docs["000"].clean
    body_start = d000.index("BEIJING —")
    bullets = ("* Chinese President", "* The meeting came", "* Beijing likely wants", "“I think both sides recognize")
    for needle in bullets:
        place = _place_in_000(docs, passages, needle)
        assert d000.index("Key Points") < place.start < body_start and place.end < body_start, needle
    for needle in ("BEIJING — International", "Wednesday. It came just days", "“Beijing and Moscow are forging"):
        place = _place_in_000(docs, passages, needle)
        assert body_start <= place.start < d000.index("Russia-China relations not an alliance"), needle


def test_seed_003_original_share_covers_caption_and_editor_comment(seeds) -> None:  # type: ignore[no-untyped-def]
    docs, _, comps = seeds
    d003, comp = docs["003"], comps["003"]
    own = " ".join(span.slice(d003.clean) for span in comp.own)
    for needle in (
        "(L-R on the screen) shake hands",
        "Mikhail Metzel | TASS",
        "WNU Editor: Moscow will not",
        "Ditto for Beijing",
    ):
        assert needle in own, needle
    assert 0.2 < comp.original_share < 0.5 and comp.sources[0].doc.startswith("000")
    assert comps["000"].repeats, "000's key points and pull quote repeat its body"


def test_seed_passage_spans_slice_the_raw_files(seeds) -> None:  # type: ignore[no-untyped-def]
    docs, passages, _ = seeds
    for p in passages:
        a, b = docs[p.a[:3]], docs[p.b[:3]]
        assert normalize(a.raw[p.a_start : p.a_end]).clean == p.a_clean.slice(a.clean)
        assert normalize(b.raw[p.b_start : p.b_end]).clean == p.b_clean.slice(b.clean)


def test_scores_in_blocks_give_the_same_passages(monkeypatch: pytest.MonkeyPatch) -> None:
    copy = "\n\n".join((COMMENT, P3, P1, P2.replace("Lopez", "Lopes"))) + "\n"
    a, b = make_doc(SOURCE, "a"), make_doc(copy, "b")
    whole = align(a, b, SETTINGS)
    monkeypatch.setattr("provenance.align._BLOCK_CELLS", 3)  # one row of the matrix at a time
    assert align(a, b, SETTINGS) == whole and len(whole) == 2


def test_sparse_cells_find_what_every_pair_finds_on_long_documents() -> None:
    """Long documents score only pairs sharing distinctive words: the same matches as all pairs."""
    from rapidfuzz import fuzz, process

    from provenance.align import _sparse_cells

    rng = np.random.default_rng(2)
    vocabulary = [f"w{i}" for i in range(3000)] + ["the", "of", "and", "a", "to", "in"] * 50
    sentences = [" ".join(rng.choice(vocabulary, int(rng.integers(8, 25)))) for _ in range(900)]
    edited = []
    for sentence in sentences[:600]:
        words = sentence.split()
        words[int(rng.integers(len(words)))] = "changed"  # one word edited in every copied sentence
        edited.append(" ".join(words))
    choices = edited + [" ".join(rng.choice(vocabulary, 15)) for _ in range(300)]
    dense = process.cdist(sentences, choices, scorer=fuzz.ratio, score_cutoff=80, dtype=np.float32)
    expected = {(int(i), int(j)) for i, j in zip(*np.nonzero(dense), strict=True)}
    found = {(i, j) for i, j, _ in _sparse_cells(sentences, choices, 80)}
    assert len(expected) >= 550 and found == expected
