"""Values crossing processes come back equal (provenance.wire's compact reducers)."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from provenance import parallel, wire
from provenance.ingest import discover
from provenance.model import Analysis, KeylessSegments, Segment, Span
from provenance.settings import Settings

SEEDS = Path(__file__).resolve().parents[1] / "seeds"


def test_documents_and_findings_round_trip(seed_analysis: Analysis) -> None:
    wire.register()
    for values in (seed_analysis.documents, seed_analysis.quotes, seed_analysis.passages, seed_analysis.lineage):
        assert pickle.loads(pickle.dumps(values, protocol=pickle.HIGHEST_PROTOCOL)) == values
    # Full documents (with matching keys) too, not only the parent's lean ones.
    assert any(s.key for d in seed_analysis.documents for s in d.sentences)


def test_build_results_round_trip() -> None:
    settings = Settings()
    sources, _ = discover([str(SEEDS)], settings.ingest)
    task = parallel.BuildTask(tuple(sources), settings, wire.Shared(frozenset()))
    result = parallel.build(task)
    again = pickle.loads(pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))
    assert (again.rejected, again.seconds) == (result.rejected, result.seconds)
    for before, after in zip(result.built, again.built, strict=True):
        assert (after.document, after.quotes, after.facts, after.composition, after.quote_keys) == (
            before.document,
            before.quotes,
            before.facts,
            before.composition,
            before.quote_keys,
        )
        assert before.fingerprint is not None and after.fingerprint is not None
        assert (after.fingerprint.signature == before.fingerprint.signature).all()
        assert (after.fingerprint.shingles == before.fingerprint.shingles).all()
        fingerprints = (after.fingerprint, before.fingerprint)
        assert fingerprints[0].params == fingerprints[1].params and fingerprints[0].digest == fingerprints[1].digest
    # The quotes travel packed (wire.pack_quotes): cues with spans and without, notes, all kinds.
    quotes = [q for b in result.built for q in b.quotes]
    assert {q.attribution.clean is None for q in quotes} == {True, False} and any(q.notes for q in quotes)


def test_keyless_segments_read_like_the_tuple_they_pack() -> None:
    found = (Segment(Span(0, 4), "a b", 0), Segment(Span(5, 9), "c", 0), Segment(Span(11, 20), "d", 1))
    packed = KeylessSegments.of(found)
    keyless = tuple(Segment(s.clean, "", s.paragraph) for s in found)
    assert (len(packed), tuple(packed), packed[-1], packed[1:]) == (3, keyless, keyless[-1], keyless[1:])
    assert packed == keyless and keyless == packed and hash(packed) == hash(keyless)
    assert packed != keyless[:2] and KeylessSegments.of(()) == ()
    with pytest.raises(IndexError):
        packed[3]
    again = pickle.loads(pickle.dumps(packed, protocol=pickle.HIGHEST_PROTOCOL))
    assert isinstance(again, KeylessSegments) and again == packed


def test_keyless_segments_hold_offsets_past_32_bits() -> None:
    far = Segment(Span(3_000_000_000, 3_000_000_005), "", 0)
    packed = KeylessSegments.of([far])
    assert pickle.loads(pickle.dumps(packed)) == (far,)


def test_lean_documents_travel_packed() -> None:
    wire.register()
    settings = Settings()
    sources, _ = discover([str(SEEDS)], settings.ingest)
    result = parallel.build(parallel.BuildTask(tuple(sources), settings, wire.Shared(frozenset())))
    for built in result.built:
        doc = pickle.loads(pickle.dumps(built.document, protocol=pickle.HIGHEST_PROTOCOL))
        assert isinstance(doc.sentences, KeylessSegments) and isinstance(doc.paragraphs, KeylessSegments)
        assert doc == built.document and len(doc.sentences) > 0


def test_sources_travel_as_strings_and_come_back_equal(tmp_path: Path) -> None:
    wire.register()
    settings = Settings()
    sources, _ = discover([str(SEEDS)], settings.ingest)
    odd = parallel.Source("x", "/a/b/../c.txt", "c.txt")  # display differs from the path
    for source in (*sources, odd):
        again = pickle.loads(pickle.dumps(source, protocol=pickle.HIGHEST_PROTOCOL))
        assert again == source and isinstance(again.path, Path)
    assert len(pickle.dumps(sources[0])) < len(pickle.dumps((sources[0].id, sources[0].path, sources[0].display)))


def test_a_shared_value_is_unpickled_once_per_process() -> None:
    repeated = wire.Shared(frozenset({"subscribe now", "listen to this article"}))
    blob = pickle.dumps(repeated, protocol=pickle.HIGHEST_PROTOCOL)
    first, second = pickle.loads(blob), pickle.loads(blob)
    assert first is second and first.value == repeated.value and first == repeated
    other = pickle.loads(pickle.dumps(wire.Shared(frozenset({"another"}))))
    assert other is not first and other.value == frozenset({"another"}) and other != first
    # Tasks carrying it stay equal to what was sent and run as before.
    settings = Settings()
    sources, _ = discover([str(SEEDS)], settings.ingest)
    task = parallel.BuildTask(tuple(sources), settings, repeated)
    again = pickle.loads(pickle.dumps(task, protocol=pickle.HIGHEST_PROTOCOL))
    assert again == task and again.repeated.value is first.value


def test_slot_init_keeps_each_model_class_a_frozen_dataclass_with_its_signature() -> None:
    """``model.slot_init`` replaces the generated ``__init__``: same parameters, defaults
    and factories, fields still read-only, and a class it cannot serve is refused."""
    import dataclasses
    import inspect

    from provenance import model

    classes = [c for c in vars(model).values() if isinstance(c, type) and dataclasses.is_dataclass(c)]
    served = [c for c in classes if c.__init__.__module__ == model.__name__ and "_set0" in c.__init__.__code__.co_names]
    names = {c.__name__ for c in served}
    assert {"Quote", "Attribution", "QuoteTrail", "QuoteOccurrence", "Document", "Analysis", "Line", "Segment"} <= names
    for cls in served:
        fields = dataclasses.fields(cls)
        params = list(inspect.signature(cls.__init__).parameters.values())[1:]
        assert [p.name for p in params] == [f.name for f in fields]
        for p, f in zip(params, fields, strict=True):
            if f.default is not dataclasses.MISSING:
                assert p.default is f.default
    analysis = model.Analysis((), ())
    again = model.Analysis((), ())
    assert analysis.settings == {} and analysis.settings is not again.settings  # a fresh dict each time
    quote = model.Quote("d", model.Span(0, 1), model.Span(0, 1), "t", "phrase", "body", "", model.Attribution())
    with pytest.raises(dataclasses.FrozenInstanceError):
        quote.text = "changed"  # type: ignore[misc]
    assert dataclasses.replace(quote, text="u").text == "u" and quote.notes == ()

    class Later:
        def __post_init__(self) -> None: ...

    @dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
    class Named:
        x: int

    for refused in (dataclasses.dataclass(frozen=True, slots=True)(Later), Named):
        with pytest.raises(TypeError, match="slot_init"):
            model.slot_init(refused)
