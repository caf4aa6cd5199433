"""Quote trails across small invented corpora: grouping, forms, diffs, speakers, first occurrence."""

from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np
import pytest

from provenance.cli import main
from provenance.model import Attribution, Document, Quote, QuoteOccurrence, QuoteTrail, Span
from provenance.quotes import extract_quotes
from provenance.settings import QuoteSettings
from provenance.trails import (
    _candidates,
    _variants,
    build_trails,
    document_counts,
    first_occurrence,
    link_quotes,
    quote_balance,
    quote_facts,
    quote_key,
    shared_statements,
    trace_quotes,
    with_lineage,
    word_diff,
    words,
)
from tests.test_quotes import make_document

SETTINGS = QuoteSettings()
FULL = "We will not send troops, and we will not sell weapons to either side of this conflict"


def _trails(docs: list[Document], parents: dict[str, str | None] | None = None) -> tuple[QuoteTrail, ...]:
    return trace_quotes(docs, SETTINGS, parents)[0]


def _only_multi(trails: tuple[QuoteTrail, ...]) -> list[QuoteTrail]:
    return [t for t in trails if len(t.docs) > 1]


def test_verbatim_across_quote_styles() -> None:
    docs = [
        make_document(f"“{FULL},” said Ana Ruiz, the foreign minister.", "a"),
        make_document(f'"{FULL}," Ana Ruiz said on Monday.', "b"),
        make_document(f"« {FULL} », a déclaré Ana Ruiz.", "c"),
    ]
    (trail,) = _only_multi(_trails(docs))
    assert trail.docs == ("a", "b", "c")
    assert [o.form for o in trail.occurrences] == ["verbatim"] * 3
    assert trail.speaker == "Ana Ruiz" and not trail.conflicting_speakers


def test_trimmed_and_ellipsis_and_altered() -> None:
    docs = [
        make_document(f"“{FULL},” said Ana Ruiz, the foreign minister.", "full"),
        make_document("“We will not send troops,” said Ana Ruiz, the foreign minister, on Monday.", "cut"),
        make_document(
            "“We will not send troops … to either side of this conflict,” said Ana Ruiz, the foreign minister.", "gap"
        ),
        make_document(
            "“We would not send troops, and we will not sell weapons to either side of this conflict,” "
            "said Ana Ruiz, the foreign minister.",
            "edit",
        ),
    ]
    (trail,) = _only_multi(_trails(docs))
    by_doc = {o.quote.doc: o for o in trail.occurrences}
    assert trail.text == FULL
    assert by_doc["full"].form == "verbatim" and by_doc["full"].diff == ""
    assert by_doc["cut"].form == "trimmed"
    assert by_doc["cut"].diff == "-[12 words at end]"
    assert by_doc["gap"].form == "trimmed" and by_doc["gap"].diff.startswith("-and -we -will")
    assert by_doc["edit"].form == "altered" and by_doc["edit"].diff == "-will +would"
    assert by_doc["cut"].completeness < by_doc["gap"].completeness < by_doc["full"].completeness == 1.0
    balance = quote_balance([trail], [("full", "cut"), ("full", "gap"), ("cut", "gap")])
    assert balance[("cut", "full")] == 1 and balance[("full", "gap")] == -1
    assert quote_balance([trail], [("full", "cut")]) == {("cut", "full"): 1}  # only the pairs asked for
    assert shared_statements([trail]) == (("cut", "edit", "full", "gap"),)


def test_different_quotes_sharing_stock_words_stay_apart() -> None:
    docs = [
        make_document("“We will not send troops to the border this year,” said Ana Ruiz, a minister.", "a"),
        make_document("“We will not raise taxes on families this year,” said Tom Becker, a senator.", "b"),
    ]
    assert _only_multi(_trails(docs)) == []


def test_phrases_link_only_to_the_same_phrase() -> None:
    docs = [
        make_document("The two leaders announced a “No Limits” friendship on Friday.", "a"),
        make_document("Their “no limits” partnership has grown stronger.", "b"),
        make_document("“Our friendship has no limits and never will,” said Ana Ruiz, a minister.", "c"),
    ]
    (trail,) = _only_multi(_trails(docs))
    assert trail.kind == "phrase" and trail.docs == ("a", "b")
    assert {o.form for o in trail.occurrences} == {"verbatim"}


def test_conflicting_speakers_are_flagged() -> None:
    docs = [
        make_document(f"“{FULL},” said Ana Ruiz, the foreign minister.", "a"),
        make_document(f"“{FULL},” said Tom Becker, the defence minister.", "b"),
    ]
    (trail,) = _only_multi(_trails(docs))
    assert trail.conflicting_speakers
    assert trail.speakers == ("Ana Ruiz", "Tom Becker")


def test_unattributed_occurrence_does_not_conflict() -> None:
    docs = [
        make_document(f"“{FULL},” said Ana Ruiz, the foreign minister.", "a"),
        make_document(f"Officials repeated it: “{FULL}.”", "b"),
    ]
    (trail,) = _only_multi(_trails(docs))
    assert trail.speaker == "Ana Ruiz" and not trail.conflicting_speakers


def test_same_quote_twice_in_one_document_is_one_trail() -> None:
    doc = make_document(f"“{FULL},” said Ana Ruiz, a minister.\n\nShe repeated: “{FULL}.”", "a")
    trails = _trails([doc])
    (trail,) = [t for t in trails if len(t.occurrences) > 1]
    assert trail.docs == ("a",) and trail.first == "a" and trail.first_basis == "only document"


def test_first_occurrence_by_date_lineage_or_undecided() -> None:
    quote = f"“{FULL},” said Ana Ruiz, the foreign minister."
    later = make_document(quote, "later", date="March 3, 2022")
    earlier = make_document(quote, "earlier", date="March 1, 2022")
    undated = make_document(quote, "undated")
    assert later.metadata.date == "2022-03-03"
    (trail,) = _only_multi(_trails([later, earlier]))
    assert trail.first == "earlier" and trail.first_basis.startswith("date:")
    (trail,) = _only_multi(_trails([later, earlier, undated]))
    assert trail.first == "undecided"
    # A lineage parent map (document -> upstream) decides where dates cannot.
    parents: dict[str, str | None] = {"later": "undated", "earlier": "undated", "undated": "external:Wire"}
    (trail,) = _only_multi(_trails([later, earlier, undated], parents))
    assert trail.first == "undated" and trail.first_basis.startswith("lineage")
    (relined,) = _only_multi(with_lineage(_trails([later, earlier, undated]), {}, parents))
    assert relined.first == "undated"


def test_first_occurrence_rules() -> None:
    assert first_occurrence(["a", "b"], {"a": "2020-01-01", "b": "2020-01-01"}, None)[0] == "undecided"
    # Two roots in the lineage fall back to their dates.
    assert first_occurrence(["a", "b", "c"], {"a": "2020-01-02", "b": "2020-01-01"}, {"c": "a"})[0] == "b"


def test_document_counts() -> None:
    docs = [
        make_document(f"“{FULL},” said Ana Ruiz, a minister. They called it “historic.”", "a"),
        make_document(f"“{FULL},” said Ana Ruiz, a minister.", "b"),
        make_document("Nobody said anything quotable today.", "c"),
    ]
    _trails_found, counts = trace_quotes(docs, SETTINGS)
    by_doc = {c.doc: c for c in counts}
    assert (by_doc["a"].quotes, by_doc["a"].statements, by_doc["a"].phrases, by_doc["a"].shared) == (2, 1, 1, 1)
    assert by_doc["a"].shared_with == ("b",)
    assert (by_doc["c"].quotes, by_doc["c"].shared) == (0, 0)


def test_word_diff_summarises_long_runs() -> None:
    ref = tuple(f"w{i}" for i in range(20))
    assert word_diff(ref, ref, ref[:5], ref[:5], list_max=6) == ("trimmed", "-[15 words at end]")
    assert word_diff(ref, ref, ref[10:], ref[10:], list_max=6) == ("trimmed", "-[10 words at start]")
    assert word_diff(ref, ref, ref, ref, list_max=6) == ("verbatim", "")


def test_words_fold_marks_case_and_brackets() -> None:
    assert words("China [isn’t] going")[0] == words("china isn't going.")[0]


def _quote(doc: str, text: str) -> Quote:
    return Quote(doc, Span(0, len(text)), Span(0, len(text)), text, "statement", "body", "“”", Attribution())


def test_candidates_are_not_all_pairs() -> None:
    """Candidate generation is driven by shared n-grams: unrelated quotes are never scored."""
    rng = random.Random(7)
    vocabulary = [f"word{i}" for i in range(5000)]
    quotes = [_quote(f"d{i}", " ".join(rng.choices(vocabulary, k=15))) for i in range(3000)]
    pairs = _candidates(_variants(quotes), SETTINGS)
    assert len(pairs) < 50  # 3000 quotes = 4.5 million pairs; random texts share almost no trigram


def test_stock_ngrams_are_dropped() -> None:
    stock = "according to the"
    quotes = [_quote(f"d{i}", f"{stock} unique{i} words{i} here{i} now{i}") for i in range(SETTINGS.max_postings + 1)]
    assert _candidates(_variants(quotes), SETTINGS) == set()
    identical = [_quote(f"d{i}", FULL) for i in range(500)]
    (trail,) = build_trails(identical, {}, SETTINGS)  # 500 copies collapse into one variant
    assert len(trail.occurrences) == 500 and len(trail.docs) == 500


def test_trails_are_deterministic() -> None:
    docs = [make_document(f"“{FULL},” said Ana Ruiz, a minister.", name) for name in ("b", "a", "c")]
    assert _trails(docs) == _trails(list(reversed(docs)))


def test_groups_linked_elsewhere_give_the_same_trails() -> None:
    """The groups a worker links from keys, kinds and places alone are build_trails' own."""
    docs = [
        make_document(f"“{FULL},” said Ana Ruiz. “Nothing else,” she said.", "full"),
        make_document("“We will not send troops,” said Ana Ruiz, the foreign minister, on Monday.", "cut"),
        make_document("A “stock phrase” here, and “We will not send troops” there.", "phrase"),
        make_document("“Something entirely different was said,” Bo Li said.", "other"),
    ]
    quotes = [q for doc in docs for q in extract_quotes(doc, SETTINGS)]
    keys = [quote_key(q.text) for q in quotes]
    dates = {doc.id: None for doc in docs}
    groups = link_quotes(keys, *quote_facts(quotes), SETTINGS)
    sizes = np.diff(groups.group_starts)
    assert (sizes > 1).any() and sizes.size > 2
    linked = build_trails(quotes, dates, SETTINGS, quote_keys=keys, linked=groups)
    assert linked == build_trails(quotes, dates, SETTINGS)
    assert linked != build_trails(quotes, dates, SETTINGS, linked=groups.apart())


# --- reports and CLI ----------------------------------------------------------------------


def test_json_quotes_index_the_raw_files(tmp_path: Path, seeds_dir: Path) -> None:
    assert main(["analyze", str(seeds_dir), "--out", str(tmp_path), "--quiet"]) == 0
    data = json.loads((tmp_path / "provenance.json").read_text(encoding="utf-8"))
    paths = {d["id"]: d["path"] for d in data["documents"]}
    assert data["quotes"]
    for trail in data["quotes"]:
        assert {"trail", "speaker", "text", "kind", "occurrences", "first", "conflicting_speakers"} <= set(trail)
        for occ in trail["occurrences"]:
            assert {"doc", "start", "end", "form", "diff", "speaker", "cue"} <= set(occ)
            raw = Path(paths[occ["doc"]]).read_text(encoding="utf-8")
            assert raw[occ["start"] : occ["end"]].strip()
            if occ["cue_start"] is not None:
                assert raw[occ["cue_start"] : occ["cue_end"]].strip()
    counts = {d["id"]: d["quotes"] for d in data["documents"]}
    assert all(c is not None and c["total"] >= c["shared"] for c in counts.values())
    md = (tmp_path / "provenance.md").read_text(encoding="utf-8")
    section = md.split("## Quote trail", 1)[1].split("\n## ", 1)[0]
    assert "Angela Stent" in section and "Neil Thomas" in section  # quotes carried by 000 and 003


def test_cli_quotes(seeds_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["quotes", str(seeds_dir), "--shared"]) == 0
    out = capsys.readouterr().out
    assert "Angela Stent" in out and "Neil Thomas" in out and "William Courtney" in out
    assert "Robert Daly" not in out  # a single occurrence: not shown with --shared
    assert "Quotes per document:" in out
    assert main(["quotes", str(seeds_dir)]) == 0
    assert "Robert Daly" in capsys.readouterr().out


def test_cli_quotes_without_quotes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "a.txt").write_text("No quotes here, only plain text about the weather.", encoding="utf-8")
    assert main(["quotes", str(tmp_path)]) == 0
    assert capsys.readouterr().out == "No direct quotes found.\n"


def test_extraction_of_every_seed_is_stable(seed_analysis: object) -> None:
    from provenance.model import Analysis

    assert isinstance(seed_analysis, Analysis)
    for doc in seed_analysis.documents:
        assert extract_quotes(doc, SETTINGS) == extract_quotes(doc, SETTINGS)


def _reference_candidates(variants: list, settings: QuoteSettings) -> set[tuple[int, int]]:
    """The candidate search written plainly, one variant at a time (the oracle)."""
    from collections import Counter, defaultdict

    numbers: dict[str, int] = {}
    grams = []
    n = settings.ngram_words
    for variant in variants:
        codes = tuple(numbers.setdefault(w, len(numbers)) for w in variant.keys)
        grams.append({codes[i : i + n] for i in range(len(codes) - n + 1)})
    postings: dict[tuple[int, ...], list[int]] = defaultdict(list)
    for index, held in enumerate(grams):
        for gram in sorted(held):
            postings[gram].append(index)
    postings = {g: ids for g, ids in postings.items() if 1 < len(ids) <= settings.max_postings}
    pairs = set()
    for index, held in enumerate(grams):
        probes = sorted((g for g in held if g in postings), key=lambda g: (len(postings[g]), g))[: settings.probe_grams]
        shared = Counter(o for g in probes for o in postings[g] if o != index)
        for other, _ in sorted(shared.items(), key=lambda kv: (-kv[1], kv[0]))[: settings.max_candidates]:
            pairs.add((min(index, other), max(index, other)))
    return pairs


@pytest.mark.parametrize("ngram_words", [3, 13])  # 40**13 > 2**63: n-grams ranked, not packed
def test_vectorised_candidates_equal_the_plain_search(ngram_words: int) -> None:
    """The numpy candidate search picks exactly the pairs the per-variant search picks."""
    from provenance.trails import _Variant

    rng = random.Random(5)
    vocab = [f"w{i}" for i in range(40)]
    sources = [[rng.choice(vocab) for _ in range(20)] for _ in range(40)]
    variants = []
    for i in range(300):  # slices of a few source quotes, a word sometimes changed
        words_ = rng.choice(sources)[(start := rng.randint(0, 8)) : start + rng.randint(0, 16)]
        if not words_:  # an empty quote key never becomes a variant
            continue
        if rng.random() < 0.3:
            words_[rng.randrange(len(words_))] = rng.choice(vocab)
        variants.append(_Variant(" ".join(words_), (i,), True))
    settings = QuoteSettings(max_postings=6, max_candidates=3, ngram_words=ngram_words)
    expected = _reference_candidates(variants, settings)
    assert _candidates(variants, settings) == expected
    assert len(expected) > (50 if ngram_words == 3 else 5)  # the corpus has shared n-grams to find


def test_bulk_links_equal_same_quote() -> None:
    """Pairs scored in bulk (cpdist) link exactly the pairs same_quote links one by one."""
    from provenance.trails import _linked, _Variant, _word_codes, same_quote

    rng = random.Random(11)
    vocab = [f"w{i}" for i in range(12)]
    variants = []
    for i in range(200):
        words_ = [rng.choice(vocab) for _ in range(rng.randint(2, 14))]
        variants.append(_Variant(" ".join(words_), (i,), rng.random() < 0.8))
    codes = _word_codes(variants)
    pairs = np.array([(a, b) for a in range(200) for b in range(a + 1, 200)], dtype=np.int64)
    expected = [(a, b) for a, b in pairs.tolist() if same_quote(variants[a], variants[b], SETTINGS) > 0]
    assert _linked(variants, codes, pairs, SETTINGS) == expected
    assert len(expected) > 10


def test_bulk_links_equal_same_quote_when_words_share_buckets() -> None:
    """The word-bucket bound ahead of cpdist drops no pair that links: 200 words share the
    64 buckets, and quotes repeat words (the bound's slack for repeats is needed)."""
    from provenance.trails import _linked, _Variant, _word_codes, same_quote

    rng = random.Random(17)
    vocab = [f"w{i}" for i in range(200)]
    sources = [[rng.choice(vocab) for _ in range(24)] for _ in range(6)]
    variants = []
    for i in range(240):  # trimmed slices of a few quotes, words changed or doubled
        start = rng.randint(0, 10)
        words_ = rng.choice(sources)[start : start + rng.randint(5, 14)]
        for _ in range(rng.randint(0, 2)):
            words_[rng.randrange(len(words_))] = rng.choice([rng.choice(vocab), rng.choice(words_)])
        variants.append(_Variant(" ".join(words_), (i,), True))
    codes = _word_codes(variants)
    pairs = np.array([(a, b) for a in range(240) for b in range(a + 1, 240)], dtype=np.int64)
    expected = [(a, b) for a, b in pairs.tolist() if same_quote(variants[a], variants[b], SETTINGS) > 0]
    assert _linked(variants, codes, pairs, SETTINGS) == expected
    contained = [(a, b) for a, b in expected if len(variants[a].keys) != len(variants[b].keys)]
    assert len(contained) > 100  # trimmed copies, linked by containment, not only equal-length ones


def test_a_quote_found_once_is_the_trail_the_general_rules_give(seed_analysis: object) -> None:
    """_single's shortcuts (speaker, first occurrence) equal _speakers and first_occurrence."""
    from provenance.trails import _single, _speakers

    quotes = [o.quote for trail in seed_analysis.quotes for o in trail.occurrences]  # type: ignore[attr-defined]
    assert any(q.attribution.speaker for q in quotes) and not all(q.attribution.speaker for q in quotes)
    for quote in quotes:
        speaker, names, conflict = _speakers((quote,))
        first, basis = first_occurrence((quote.doc,), {quote.doc: "2021-12-16"}, {quote.doc: "external:X"})
        expected = QuoteTrail(
            trail=f"{quote.doc}#{quote.raw.start}",
            text=quote.text,
            kind="phrase",
            speaker=speaker,
            speakers=names,
            conflicting_speakers=conflict,
            occurrences=(QuoteOccurrence(quote, "verbatim", "", 1.0, 1.0),),
            docs=(quote.doc,),
            first=first,
            first_basis=basis,
        )
        assert _single(quote, statement=False) == expected


@pytest.mark.parametrize("shuffled", [False, True])
def test_variants_come_in_order_of_first_place(shuffled: bool) -> None:
    """Quotes listed in order of place skip the sort; listed in any order, they are sorted."""
    from provenance.trails import _variants_of

    rng = random.Random(23)
    places = sorted(rng.sample([(f"d{d:02d}", start) for d in range(30) for start in range(0, 500, 7)], 400))
    if shuffled:
        rng.shuffle(places)
    keys = [rng.choice(["", "a b", "c d e", *(f"w{i}" for i in range(150))]) for _ in places]
    statements = [rng.random() < 0.5 for _ in places]
    members: dict[str, list[int]] = {}
    for index, key in enumerate(keys):
        if key:
            members.setdefault(key, []).append(index)
    expected = sorted(
        (min(places[i] for i in held), key, tuple(held), sum(statements[i] for i in held) * 2 >= len(held))
        for key, held in members.items()
    )
    variants = _variants_of(keys, statements, places)
    assert [(v.key, v.members, v.statement) for v in variants] == [e[1:] for e in expected]


def test_word_numbers_follow_first_appearance_in_any_script() -> None:
    """Hashed word numbering equals numbering the words in a dict by first appearance."""
    from provenance.trails import _one_char_words, _Variant, _word_codes

    rng = random.Random(3)
    vocab = ["said", "russia's", "москва", "北", "京", "ﬁre", "naïve", "2021", "u", "s", *(f"w{i}" for i in range(300))]
    variants = [_Variant(" ".join(rng.choices(vocab, k=rng.randint(1, 30))), (i,), True) for i in range(500)]
    numbers: dict[str, int] = {}
    expected = [[numbers.setdefault(w, len(numbers)) for w in v.keys] for v in variants]
    codes = _word_codes(variants)
    assert codes.base == len(numbers)
    assert codes.lengths.tolist() == [len(e) for e in expected]
    assert codes.flat.tolist() == [n for e in expected for n in e]
    assert _one_char_words(codes) == ["".join(map(chr, e)) for e in expected]


def test_document_counts_name_and_count_partners_up_to_their_caps() -> None:
    docs = [make_document(f"“{FULL},” said Ana Ruiz, a minister.", f"d{i:02d}") for i in range(30)]
    trails, counts = trace_quotes(docs, SETTINGS)
    assert len(_only_multi(trails)) == 1
    first = counts[0]
    assert first.shared_with == tuple(f"d{i:02d}" for i in range(1, 11))  # the first ten by id
    assert first.partners == 29
    capped = document_counts(docs, trails, QuoteSettings(partners_counted=5, partners_listed=2))
    assert (capped[0].partners, capped[0].shared_with) == (5, ("d01", "d02"))
