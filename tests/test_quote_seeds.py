"""The seeds against the issue's "done when": quote trails of five real, messy articles."""

from __future__ import annotations

from provenance.model import Analysis, QuoteTrail


def _trail(analysis: Analysis, words: str) -> QuoteTrail:
    matches = [t for t in analysis.quotes if words.casefold() in t.text.casefold()]
    assert len(matches) == 1, [t.text for t in matches]
    return matches[0]


def _short(doc_id: str) -> str:
    return doc_id[:3]


def test_seed_stent_and_thomas_trails(seed_analysis: Analysis) -> None:
    for words, speaker in (
        ("the Russians wouldn’t do anything", "Angela Stent"),
        ("China [isn’t] going to send military help", "Angela Stent"),
        ("Beijing and Moscow are forging closer ties", "Neil Thomas"),
    ):
        trail = _trail(seed_analysis, words)
        assert {_short(d) for d in trail.docs} == {"000", "003"}
        assert trail.kind == "statement"
        assert trail.speaker == speaker and not trail.conflicting_speakers
        assert all(o.quote.attribution.speaker == speaker for o in trail.occurrences)


def test_seed_courtney_pull_quote_and_body(seed_analysis: Analysis) -> None:
    trail = _trail(seed_analysis, "neither of them specifically endorsed")
    assert {_short(d) for d in trail.docs} == {"000"}
    places = sorted(o.quote.place for o in trail.occurrences)
    assert places == ["body", "pull quote"]
    assert trail.speaker == "William Courtney"
    cues = {o.quote.attribution.cue for o in trail.occurrences}
    assert cues == {"pull-quote", "name-verb"}


def test_seed_daly_single_document_trail(seed_analysis: Analysis) -> None:
    trail = _trail(seed_analysis, "closer now than at any time in the last 70 years")
    assert [_short(d) for d in trail.docs] == ["001"]
    assert trail.speaker == "Robert Daly"
    assert trail.occurrences[0].quote.attribution.text == "Daly noted"
    assert trail.first == trail.docs[0]


def test_seed_no_limits_phrase(seed_analysis: Analysis) -> None:
    trail = next(t for t in seed_analysis.quotes if t.text.casefold() == "no limits")
    assert trail.kind == "phrase"
    assert {_short(d) for d in trail.docs} == {"002", "004"}
    assert trail.speaker is None


def test_seed_speakers_are_named_next_to_their_quotes(seed_analysis: Analysis) -> None:
    """Every attributed quote's cue is in the document, and the speaker's surname too."""
    docs = {d.id: d for d in seed_analysis.documents}
    for trail in seed_analysis.quotes:
        for occurrence in trail.occurrences:
            cue = occurrence.quote.attribution
            if cue.speaker is None:
                continue
            doc = docs[occurrence.quote.doc]
            assert cue.raw is not None
            assert cue.speaker.split()[-1] in doc.clean
            raw = cue.raw.slice(doc.raw)
            assert raw  # the cue is quoted from the file


def test_seed_raw_spans(seed_analysis: Analysis) -> None:
    docs = {d.id: d for d in seed_analysis.documents}
    for trail in seed_analysis.quotes:
        for occurrence in trail.occurrences:
            doc = docs[occurrence.quote.doc]
            assert doc.raw_span(occurrence.quote.clean) == occurrence.quote.raw
    # Seed 000's quotes are hex-escape residue in the raw file and curly in the clean text.
    stent = _trail(seed_analysis, "the Russians wouldn’t do anything")
    first = next(o.quote for o in stent.occurrences if o.quote.doc.startswith("000"))
    assert docs[first.doc].raw[first.raw.start : first.raw.end] == "the Russians wouldnxe2x80x99t do anything"
