"""Lineage on small corpora of known lineage: chains, siblings of an outside piece, credits, dates.

Pair scores and compositions are given by hand here, so each case isolates the lineage
rules; the end-to-end cases (real candidates and alignment) live with the pipeline tests.
"""

from __future__ import annotations

from dataclasses import dataclass

from provenance.api import document_from_text
from provenance.lineage import COMMENTARY, direction, document_facts, infer_lineage
from provenance.model import Document, Span
from provenance.settings import LineageSettings

S = LineageSettings()


@dataclass(frozen=True)
class P:
    a: str
    b: str
    jaccard: float
    containment_a_in_b: float
    containment_b_in_a: float


@dataclass(frozen=True)
class Share:
    doc: str
    share: float


@dataclass(frozen=True)
class C:
    doc: str
    original_share: float
    sources: tuple[Share, ...]
    chars: int = 1000


@dataclass(frozen=True)
class Pass:
    a: str
    b: str
    a_clean: Span
    b_clean: Span
    similarity: float
    kind: str
    a_sentences: int = 3
    b_sentences: int = 3


BODY = [
    "The port authority said on Monday that container traffic rose by a fifth in the first quarter of the year.",
    "Officials credited a new rail link that opened in January and cut waiting times for trucks by half.",
    "Shipping companies have asked for a second terminal, which the city council will debate next month.",
    "Environmental groups warned that dredging the channel would harm the estuary's fish nurseries.",
    "The authority's chairman said a decision would be made before the summer, after public hearings.",
]


def doc(doc_id: str, *parts: str) -> Document:
    return document_from_text("\n\n".join(parts), doc_id)


def pair(a: str, b: str, ab: float, ba: float) -> P:
    return P(min(a, b), max(a, b), min(ab, ba) / 2, ab if a < b else ba, ba if a < b else ab)


def comp(doc_id: str, own: float, **sources: float) -> C:
    return C(doc_id, own, tuple(Share(k, v) for k, v in sources.items()))


def copied(x: str, y: str, share_x: float, share_y: float, similarity: float = 1.0) -> Pass:
    """A passage covering ``share_x`` of ``x``'s 1,000 characters and ``share_y`` of ``y``'s."""
    return Pass(x, y, Span(0, round(1000 * share_x)), Span(0, round(1000 * share_y)), similarity, "verbatim")


def by_doc(edges):  # type: ignore[no-untyped-def]
    return {e.doc: e for e in edges}


def test_excerpt_with_truncation_mark_is_the_copy() -> None:
    original = doc("orig", "Port traffic rises", "2021-03-01", *BODY)
    excerpt = doc("teaser", "Port traffic rises", "2021-03-02", *BODY[:2], "Read more ....")
    edges, relations = infer_lineage(
        [original, excerpt],
        [pair("teaser", "orig", 0.95, 0.35)],
        [copied("teaser", "orig", 0.98, 0.4)],
        [comp("orig", 0.6, teaser=0.4), comp("teaser", 0.02, orig=0.98)],
        S,
    )
    found = by_doc(edges)
    assert (found["teaser"].role, found["teaser"].parent) == ("excerpt", "orig")
    assert found["orig"].role == "original" and found["orig"].parent is None
    kinds = {e.kind for e in found["teaser"].evidence}
    assert {"containment", "truncation", "date"} <= kinds
    assert 0.5 < found["teaser"].confidence <= 1
    (relation,) = relations
    assert (relation.relation, relation.derived, relation.source) == ("partial copy", "teaser", "orig")


def test_siblings_of_an_outside_piece_share_the_external_parent() -> None:
    full = doc("full", "Port traffic rises", *BODY, "Source: Harbour Gazette")
    part = doc("part", "Port traffic rises", *BODY[:3], "Source: Harbour Gazette")
    edges, relations = infer_lineage(
        [full, part],
        [pair("part", "full", 0.97, 0.6)],
        [copied("part", "full", 0.97, 0.6)],
        [comp("full", 0.4, part=0.6), comp("part", 0.03, full=0.97)],
        S,
    )
    found = by_doc(edges)
    assert found["full"].parent == found["part"].parent == "external:Harbour Gazette"
    assert found["full"].role == "full republication"
    assert found["part"].role == "excerpt"
    (relation,) = relations
    assert (relation.derived, relation.source) == ("part", "external:Harbour Gazette")


BLOG = (
    "Harbour Gazette: Port traffic rises sharply",
    *BODY[:2],
    "Read more ....",
    "Blog Editor: The port has been promising this for years. We will believe the terminal when we see it.",
)


def _blog_and_carrier(carrier: Document):  # type: ignore[no-untyped-def]
    return infer_lineage(
        [carrier, doc("blog", *BLOG)],
        [pair("blog", "carrier", 0.62, 0.3)],
        [copied("blog", "carrier", 0.62, 0.3)],
        [comp("carrier", 0.7, blog=0.3), comp("blog", 0.38, carrier=0.62)],
        S,
    )


def test_uncredited_scraped_carrier_of_a_credited_piece_is_a_sibling() -> None:
    # The carrier shows it is a copy itself (UTF-8 bytes written out as text, like a scrape):
    # both pages carry the Harbour Gazette's piece, neither is its page.
    scraped = [BODY[0].replace("authority", "authorityxe2x80x99s"), *BODY[1:]]
    edges, relations = _blog_and_carrier(doc("carrier", "Port traffic rises sharply", *scraped))
    found = by_doc(edges)
    assert found["blog"].parent == found["carrier"].parent == "external:Harbour Gazette"
    assert found["blog"].role == "excerpt with commentary"
    assert found["carrier"].role == "full republication"
    assert {"carrier", "damage"} <= {e.kind for e in found["carrier"].evidence}
    assert relations[0].derived == "blog"


def test_clean_uncredited_carrier_is_taken_for_the_outlets_own_page() -> None:
    edges, relations = _blog_and_carrier(doc("carrier", "Port traffic rises sharply", *BODY))
    found = by_doc(edges)
    assert (found["carrier"].role, found["carrier"].parent) == ("original", None)
    assert (found["blog"].role, found["blog"].parent) == ("excerpt with commentary", "carrier")
    assert (relations[0].derived, relations[0].source) == ("blog", "carrier")


def test_credit_naming_a_corpus_document_publisher_points_to_it() -> None:
    original = doc("times", "Port traffic rises", *BODY, "© 2021 Harbour Gazette. All rights reserved.")
    copy = doc("copy", "Port traffic rises", *BODY, "Source: Harbour Gazette")
    edges, _ = infer_lineage(
        [original, copy],
        [pair("copy", "times", 0.98, 0.98)],
        [copied("copy", "times", 0.98, 0.98)],
        [comp("times", 0.02, copy=0.98), comp("copy", 0.02, times=0.98)],
        S,
    )
    found = by_doc(edges)
    assert (found["copy"].role, found["copy"].parent) == ("full republication", "times")
    assert found["times"].role == "original"
    assert any(e.kind == "publisher" for e in found["copy"].evidence)


def _own_page_and_copy(own: Document, copy: Document):  # type: ignore[no-untyped-def]
    # The copy adds page furniture of its own, so more of the own page is found in it than the
    # other way round: containment alone calls the own page the copy.
    return infer_lineage(
        [own, copy],
        [pair("own", "copy", 0.9, 0.7)],
        [copied("own", "copy", 0.9, 0.7)],
        [comp("own", 0.1, copy=0.9), C("copy", 0.3, (Share("own", 0.7),))],
        S,
    )


def test_closing_byline_tells_the_outlets_own_page_from_a_crediting_copy() -> None:
    # The outlet's page bylines its writer and credits nobody; the copy signs the same writer
    # with the outlet's name at the end ("Dana Whitfield, Harbour Gazette").
    own = doc("own", "Port traffic rises", "Dana Whitfield", *BODY)
    copy = doc("copy", "Port traffic rises", "Latest videos", *BODY, "Dana Whitfield, Harbour Gazette")
    edges, relations = _own_page_and_copy(own, copy)
    found = by_doc(edges)
    assert (found["own"].role, found["own"].parent) == ("original", None)
    assert found["copy"].parent == "own"
    publisher = [e for e in found["copy"].evidence if e.kind == "publisher"]
    assert publisher and "Dana Whitfield" in publisher[0].detail and "Harbour Gazette" in publisher[0].detail
    assert (relations[0].derived, relations[0].source) == ("copy", "own")


def test_closing_sign_off_credits_the_outlets_own_page() -> None:
    own = doc("own", "Port traffic rises", *BODY, "© 2021 Harbour Gazette. All rights reserved.")
    copy = doc("copy", "Port traffic rises", "Latest videos", *BODY, "— The Harbour Gazette")
    edges, _ = _own_page_and_copy(own, copy)
    found = by_doc(edges)
    assert (found["own"].role, found["copy"].parent) == ("original", "own")
    assert any(e.kind == "publisher" for e in found["copy"].evidence)


def test_without_a_closing_credit_containment_decides() -> None:
    # The same pages without the copy's closing byline: nothing tells the own page apart.
    own = doc("own", "Port traffic rises", "Dana Whitfield", *BODY)
    copy = doc("copy", "Port traffic rises", "Latest videos", *BODY, "Dana Whitfield")
    edges, _ = _own_page_and_copy(own, copy)
    assert by_doc(edges)["own"].parent == "copy"


def test_a_news_agency_writer_on_an_uncredited_page_is_no_own_page() -> None:
    # An agency's own pages carry its dateline: an uncredited page with its writer's byline is
    # a copy whose credit was stripped, and the two are siblings under the agency.
    own = doc("own", "Port traffic rises", "Dana Whitfield", *BODY)
    copy = doc("copy", "Port traffic rises", "Latest videos", *BODY, "Dana Whitfield, Associated Press")
    edges, _ = _own_page_and_copy(own, copy)
    found = by_doc(edges)
    assert found["copy"].parent == found["own"].parent == "external:AP"


def test_attributed_rewrite_and_translation_have_outside_parents() -> None:
    rewrite = doc(
        "rewrite",
        "Container traffic at the port grew by about twenty percent this spring, Bloomberg reported on Monday.",
        *BODY[2:],
    )
    translated = doc("translated", "Port traffic rises", "LISBON (Example) --", *BODY, "Source: cnnespanol")
    edges, _ = infer_lineage([rewrite, translated], [], [], [], S)
    found = by_doc(edges)
    assert (found["rewrite"].role, found["rewrite"].parent) == ("attributed rewrite", "external:Bloomberg")
    assert (found["translated"].role, found["translated"].parent) == ("translated republication", "external:CNN")
    assert found["translated"].relation == "translation"


def test_identical_texts_without_signals_are_undecided() -> None:
    one, two = doc("one", "Port traffic rises", *BODY), doc("two", "Port traffic rises", *BODY)
    edges, relations = infer_lineage(
        [one, two],
        [pair("one", "two", 1.0, 1.0)],
        [copied("one", "two", 1.0, 1.0)],
        [comp("one", 0.0, two=1.0), comp("two", 0.0, one=1.0)],
        S,
    )
    assert {e.role for e in edges} == {"undecided"}
    assert all(e.parent is None and e.undecided for e in edges)
    assert relations[0].source is None and relations[0].relation == "full copy"


def _excerpt_family(copy_footer: str, excerpt_credit: str):  # type: ignore[no-untyped-def]
    original = doc("a_orig", "Port traffic rises", "2020-01-01", *BODY)
    copy = doc("b_copy", "Port traffic rises", "2020-01-02", *BODY, copy_footer)
    excerpt = doc("c_excerpt", "Port traffic rises", "2020-01-03", *BODY[:2], excerpt_credit)
    return infer_lineage(
        [original, copy, excerpt],
        [
            pair("a_orig", "b_copy", 0.99, 0.99),
            pair("c_excerpt", "a_orig", 1.0, 0.4),
            pair("c_excerpt", "b_copy", 1.0, 0.4),
        ],
        [
            copied("a_orig", "b_copy", 1.0, 1.0),
            copied("c_excerpt", "a_orig", 1.0, 0.4),
            copied("c_excerpt", "b_copy", 1.0, 0.4),
        ],
        [
            comp("a_orig", 0.0, b_copy=1.0, c_excerpt=0.4),
            comp("b_copy", 0.0, a_orig=1.0, c_excerpt=0.4),
            comp("c_excerpt", 0.0, a_orig=1.0, b_copy=1.0),
        ],
        S,
    )


def test_excerpt_crediting_the_copy_names_the_copy() -> None:
    edges, _ = _excerpt_family("© 2020 Dock Daily. All rights reserved.", "Source: Dock Daily")
    found = by_doc(edges)
    assert (found["b_copy"].role, found["b_copy"].parent) == ("full republication", "a_orig")
    assert (found["c_excerpt"].role, found["c_excerpt"].parent) == ("excerpt", "b_copy")
    assert found["a_orig"].role == "original"


def test_excerpt_of_identical_texts_without_evidence_names_the_original() -> None:
    edges, _ = _excerpt_family("Filed under: ports", "Filed under: ports")
    found = by_doc(edges)
    assert (found["c_excerpt"].role, found["c_excerpt"].parent) == ("excerpt", "a_orig")


def test_rewrite_without_credit_and_quote_only_links_are_independent() -> None:
    source = doc("src", "Port traffic rises", "2021-04-20", *BODY)
    rewrite = doc("rw", "Port traffic rises", "2021-05-01", *BODY)
    other = doc("other", "Another take", "A different article about the port that quotes the chairman.")
    third = doc("third", "More news", "Yet another article quoting the same chairman on the same day.")
    half = Span(0, 100)
    edges, relations = infer_lineage(
        [source, rewrite, other, third],
        [pair("rw", "src", 0.3, 0.1)],
        [Pass("rw", "src", half, half, 0.7, "edited")],
        [comp("src", 0.8, rw=0.2), comp("rw", 0.5, src=0.5)],
        S,
        shared_statements=[("other", "third")],
    )
    found = by_doc(edges)
    assert (found["rw"].role, found["rw"].parent, found["rw"].relation) == ("rewrite", "src", "rewrite")
    assert found["other"].role == found["third"].role == "independent"
    assert "documents it shares no text with: third" in found["other"].evidence[-1].detail
    # Sharing a statement is a quote trail, not a relation between the two documents.
    assert {(r.a, r.b) for r in relations} == {("rw", "src")}


def test_direction_is_antisymmetric_and_conflicts_stay_undecided() -> None:
    first = doc("first", "Port traffic rises", "2021-01-05", *BODY, "Read more ....")
    second = doc("second", "Port traffic rises", "2021-01-01", *BODY)
    fa, fb = document_facts(first, S), document_facts(second, S)
    forward = direction(pair("first", "second", 0.9, 0.6), fa, fb, S)
    backward = direction(P("second", "first", 0.3, 0.6, 0.9), fb, fa, S)  # the same pair, named the other way
    assert forward.score == -backward.score and forward.derived() == backward.derived() == "first"
    # strong evidence on both sides: a later date and truncation for one, containment for the other
    conflicting = direction(pair("first", "second", 0.2, 0.95), fa, fb, S)
    assert not conflicting.decided and conflicting.confidence == 0.0


def test_commentary_markers() -> None:
    for text in ("WNU Editor: they will sell arms.", "Editor's note: this is old.", "Comment: not so fast."):
        assert COMMENTARY.match(text), text
    for text in ("The editor said the story was right.", "Comments are closed"):
        assert not COMMENTARY.match(text), text
