"""Pieces from directed relations: a short shared passage or a bridge between two stories never
makes one piece; a roundup belongs to every piece it carries; identical copies join their head."""

from __future__ import annotations

from provenance.model import Analysis, DuplicateGroup, Extent, Form, LineageEdge, Pair, PairRelation, Piece, Role
from provenance.pieces import find_pieces


def _edge(doc: str, role: Role, parent: str | None = None) -> LineageEdge:
    relation = None if parent is None else "partial copy"
    return LineageEdge(doc, role, parent, relation, 0.8, ())


def _rel(
    a: str, b: str, extent: Extent, derived: str | None = None, source: str | None = None, form: Form = "verbatim"
) -> PairRelation:
    label = "full copy" if extent == "whole" else "partial copy"
    return PairRelation(a, b, label, derived, source, 0.8 if derived else 0.0, (), extent, form)


def _pair(a: str, b: str, a_in_b: float = 0.5, b_in_a: float = 0.5) -> Pair:
    return Pair(a, b, 0.3, a_in_b, b_in_a, 50, 100, 100, a)


def _members(pieces: tuple[Piece, ...]) -> dict[str, set[str]]:
    return {p.id: {m.doc for m in p.members} for p in pieces}


def test_a_roundup_belongs_to_both_pieces_it_carries() -> None:
    lineage = [_edge("x", "original"), _edge("y", "original"), _edge("r", "excerpt", "x")]
    relations = [_rel("r", "x", "part", "r", "x"), _rel("r", "y", "part", "r", "y")]
    pieces = find_pieces(lineage, relations, [_pair("r", "x"), _pair("r", "y")], [], 16)
    assert _members(pieces) == {"x": {"x", "r"}, "y": {"y", "r"}}
    (source,) = [m for m in pieces[0].members if m.role == "source"]
    assert source.via is None


def test_too_little_shared_text_makes_no_piece() -> None:
    lineage = [_edge("a", "original"), _edge("b", "original")]
    relations = [_rel("a", "b", "none", "b", "a")]
    assert find_pieces(lineage, relations, [_pair("a", "b")], [], 16) == ()


def test_two_stories_of_one_outlet_bridged_by_a_passage_stay_two_pieces() -> None:
    ap = "external:AP"
    docs = ["a1", "a2", "b1", "b2"]
    lineage = [_edge(d, "full republication", ap) for d in docs]
    relations = [
        _rel("a1", "a2", "whole", "a2", ap),
        _rel("b1", "b2", "whole", "b2", ap),
        _rel("a2", "b1", "part", "b1", ap),  # the two stories share a lead
    ]
    pairs = [_pair(r.a, r.b) for r in relations]
    found = _members(find_pieces(lineage, relations, pairs, [], 16))
    assert sorted(found.values(), key=sorted) == [{"a1", "a2"}, {"b1", "b2"}]
    assert all(key.startswith("external:AP ") for key in found)


def test_identical_copies_join_their_heads_piece() -> None:
    lineage = [_edge("src", "original"), _edge("head", "excerpt", "src"), _edge("dup", "excerpt", "src")]
    relations = [_rel("head", "src", "part", "head", "src")]
    groups = [DuplicateGroup("head", ("dup",), True, "same bytes", 0.0)]
    (piece,) = find_pieces(lineage, relations, [_pair("head", "src")], groups, 16)
    dup = next(m for m in piece.members if m.doc == "dup")
    assert (piece.source, dup.extent, dup.form, dup.via) == ("src", "whole", "verbatim", "head")


def test_an_undecided_pair_is_read_from_the_side_the_other_holds_more_of() -> None:
    lineage = [_edge("a", "undecided"), _edge("b", "undecided")]
    relations = [_rel("a", "b", "part")]
    (piece,) = find_pieces(lineage, relations, [_pair("a", "b", a_in_b=0.9, b_in_a=0.3)], [], 16)
    assert piece.source == "b"


def test_seeds_pieces(seed_analysis: Analysis) -> None:
    by_source = {p.id: p for p in seed_analysis.pieces}
    (cnbc,) = [p for p in by_source.values() if len(p.members) > 1]
    assert cnbc.source == "external:CNBC"
    kinds = {m.doc[:3]: (m.extent, m.role) for m in cnbc.members}
    assert kinds == {"000": ("whole", "full republication"), "003": ("part", "excerpt with commentary")}
    alone = {m.doc[:3] for p in by_source.values() if len(p.members) == 1 for m in p.members}
    assert alone == {"001", "004"}  # a CNBC piece of its own, and the CNN translation
