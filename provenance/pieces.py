"""Pieces: one source text (a document of the corpus or an outlet outside it) and the documents
that carry it, each with how much of it (extent), how (form) and its lineage role.

Pieces are built from directed relations, never from connected components of pairs: two
documents that share a quote or one short passage of a third (extent ``none``) are not the same
piece, and a roundup that carries two pieces belongs to both. A document's upstream links are
its lineage parent and every other relation in which it is the derived side (extent ``whole`` or
``part``); an undecided relation is read from the side more of whose text the other holds. A
piece's source is where the upstream links end; its id is the source's id, so adding documents
downstream of it leaves it unchanged.

Cost: linear in documents and relations, times the pieces a document reaches (at most
``lineage.pieces_max`` each; the rest are counted in the member's ``more_pieces``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from provenance.model import DuplicateGroup, Extent, Form, LineageEdge, Pair, PairRelation, Piece, PieceMember

EXTERNAL = "external:"
_NOT_CARRIERS = frozenset({"original", "independent"})


@dataclass(frozen=True, slots=True)
class _Link:
    source: str  # the document or outside piece upstream
    extent: Extent
    form: Form
    via: str  # as shown: the document, or the outlet (``external:X``)


_RELATION_FORMS: dict[str, Form] = {"rewrite": "rewritten", "translation": "translated"}


def _relation_form(relation: str | None) -> Form:
    """A lineage edge's relation as a form, where no pair states it (an outside parent)."""
    return _RELATION_FORMS.get(relation or "", "edited")


def _oriented(relation: PairRelation, pair: Pair | None) -> tuple[str, str]:
    """(derived, source) of a relation; undecided: the side more of whose text the other holds."""
    if relation.derived is not None and relation.source is not None:
        return relation.derived, relation.source
    if pair is not None and pair.containment_b_in_a > pair.containment_a_in_b:
        return relation.b, relation.a
    return relation.a, relation.b


def upstream_links(
    lineage: Sequence[LineageEdge], relations: Sequence[PairRelation], pairs: Sequence[Pair]
) -> dict[str, list[_Link]]:
    """Each document's upstream links: its lineage parent first, then the other texts it carries."""
    by_pair = {(p.a, p.b): p for p in pairs}
    reuse = [r for r in relations if r.extent != "none" and r.relation != "independent"]
    between = {(r.a, r.b): r for r in reuse}
    links: dict[str, list[_Link]] = defaultdict(list)
    for edge in lineage:
        if edge.parent is None or edge.role in _NOT_CARRIERS:
            continue
        key = (edge.doc, edge.parent) if edge.doc < edge.parent else (edge.parent, edge.doc)
        r = between.get(key)
        if r is not None:
            links[edge.doc].append(_Link(edge.parent, r.extent, r.form, edge.parent))
        elif edge.parent.startswith(EXTERNAL):
            extent: Extent = "whole" if edge.relation == "full copy" else "part"
            links[edge.doc].append(_Link(edge.parent, extent, _relation_form(edge.relation), edge.parent))
    for r in reuse:
        derived, source = _oriented(r, by_pair.get((r.a, r.b)))
        if all(link.source != source for link in links[derived]):
            links[derived].append(_Link(source, r.extent, r.form, source))
    return _split_outlets(links, reuse)


def _split_outlets(links: dict[str, list[_Link]], reuse: Sequence[PairRelation]) -> dict[str, list[_Link]]:
    """One outside piece per text, not per outlet: the documents crediting an outlet that share text
    form one piece (``external:X <smallest id>``), one that shares none with them another. A member
    takes its form from a text it shares with another member, where the credit alone cannot say."""
    entries: dict[str, list[str]] = defaultdict(list)  # outlet -> documents linked straight to it
    for doc, ups in links.items():
        for link in ups:
            if link.source.startswith(EXTERNAL):
                entries[link.source].append(doc)
    if not entries:
        return links
    partners: dict[str, dict[str, PairRelation]] = defaultdict(dict)
    for r in reuse:
        partners[r.a][r.b] = r
        partners[r.b][r.a] = r
    renamed: dict[tuple[str, str], list[tuple[str, Form | None]]] = defaultdict(list)
    for outlet, docs in entries.items():
        for group in _outlet_pieces(set(docs), partners):
            piece = f"{outlet} {min(group)}"
            for doc in sorted(group):
                shared = [r.form for other, r in sorted(partners.get(doc, {}).items()) if other in group]
                renamed[(doc, outlet)].append((piece, shared[0] if shared else None))
    out: dict[str, list[_Link]] = {}
    for doc, ups in links.items():
        out[doc] = []
        for link in ups:
            for piece, form in renamed.get((doc, link.source), [(link.source, None)]):
                out[doc].append(_Link(piece, link.extent, form or link.form, link.via))
    return out


def _components(
    members: set[str], partners: Mapping[str, Mapping[str, PairRelation]], *, whole_only: bool = False
) -> list[set[str]]:
    """``members`` grouped by the relations among them (only those of extent whole, if asked)."""
    groups: list[set[str]] = []
    seen: set[str] = set()
    for start in sorted(members):
        if start in seen:
            continue
        group, todo = {start}, [start]
        while todo:
            for other, r in partners.get(todo.pop(), {}).items():
                if (r.extent == "whole" or not whole_only) and other in members and other not in group:
                    group.add(other)
                    todo.append(other)
        seen |= group
        groups.append(group)
    return groups


def _outlet_pieces(members: set[str], partners: Mapping[str, Mapping[str, PairRelation]]) -> list[set[str]]:
    """The texts of one outlet its crediting documents carry: groups joined by whole copies (one
    nearly all in the other), then each document left alone joins every group it shares a
    substantial passage with; those that join none group by their passages. Passages alone never
    join two groups of copies: an agency's two stories of one day share a lead, not a text.

    >>> whole = PairRelation("a", "b", "full copy", None, None, 0.0, (), "whole", "verbatim")
    >>> part = PairRelation("b", "c", "partial copy", None, None, 0.0, (), "part", "edited")
    >>> partners = {"a": {"b": whole}, "b": {"a": whole, "c": part}, "c": {"b": part}}
    >>> [sorted(g) for g in _outlet_pieces({"a", "b", "c", "d"}, partners)]
    [['a', 'b', 'c'], ['d']]
    """
    cores = _components(members, partners, whole_only=True)
    multi = [core for core in cores if len(core) > 1]
    groups = [set(core) for core in multi]
    alone: set[str] = set()
    for core in cores:
        if len(core) > 1:
            continue
        (doc,) = core
        joined = [i for i, c in enumerate(multi) if any(other in c for other in partners.get(doc, {}))]
        for i in joined:
            groups[i].add(doc)
        if not joined:
            alone.add(doc)
    groups.extend(_components(alone, partners))
    return sorted(groups, key=lambda g: (-len(g), min(g)))


def _sources(
    doc: str, links: Mapping[str, list[_Link]], memo: dict[str, tuple[str, ...]], limit: int, path: set[str]
) -> tuple[str, ...]:
    """Where ``doc``'s upstream links end (itself when it has none), at most ``limit``; a link back
    onto the path being followed is left out (a cycle of undecided relations)."""
    if doc in memo:
        return memo[doc]
    ups = [link.source for link in links.get(doc, ()) if link.source not in path]
    if not ups:
        memo[doc] = (doc,)
        return memo[doc]
    path.add(doc)
    found: dict[str, None] = {}
    for up in ups:
        for source in _sources(up, links, memo, limit, path):
            found.setdefault(source)
    path.discard(doc)
    memo[doc] = tuple(sorted(found)[:limit])
    return memo[doc]


def find_pieces(
    lineage: Sequence[LineageEdge],
    relations: Sequence[PairRelation],
    pairs: Sequence[Pair],
    duplicates: Sequence[DuplicateGroup],
    limit: int,
) -> tuple[Piece, ...]:
    """Every piece with at least one carrier, most members first; members sorted by id.

    The members of a group of identical texts carry what their head carries, verbatim and whole.
    """
    links = upstream_links(lineage, relations, pairs)
    roles = {e.doc: e.role for e in lineage}
    copies = {g.head: g.copies for g in duplicates}
    memo: dict[str, tuple[str, ...]] = {}
    members: dict[str, dict[str, PieceMember]] = defaultdict(dict)
    for doc in sorted(roles):
        if not links.get(doc):
            continue
        reached = _sources(doc, links, memo, limit, set())
        if reached == (doc,):
            continue
        direct = links[doc][0]
        for source in reached:
            members[source][doc] = PieceMember(doc, direct.extent, direct.form, roles[doc], direct.via)
    for head, group in copies.items():
        head_pieces = [s for s, m in members.items() if head in m]
        if not head_pieces and group:  # a group whose head carries nothing: the head is the source
            head_pieces = [head]
        for source in head_pieces:
            for copy in group:
                members[source][copy] = PieceMember(copy, "whole", "verbatim", roles.get(copy, "undecided"), head)
    outlets = {link.source: link.via for ups in links.values() for link in ups if link.source.startswith(EXTERNAL)}
    pieces = []
    for source, carried in members.items():
        listed = dict(carried)
        outlet = outlets.get(source, source)
        if not source.startswith(EXTERNAL):
            listed[source] = PieceMember(source, "whole", "verbatim", "source", None)
        pieces.append(Piece(source, outlet, tuple(listed[d] for d in sorted(listed))))
    return tuple(sorted(pieces, key=lambda p: (-len(p.members), p.id)))
