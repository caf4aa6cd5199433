"""Hostile input (issue 31): one planted article must not decide another's lineage.

The attack: a verbatim copy of a recent article that states an old date and carries an old
copyright line of its own, so that the real article looks like its later republication. A
stated date that the page's own text contradicts (the body reports an event after it) is
shown as a conflict and does not count; a date the text does not contradict still does.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from provenance import analyze
from provenance.api import document_from_text
from provenance.metadata import mentions_after
from provenance.model import Analysis, LineageEdge

TITLE = "Harbour expansion approved after marathon council session"
BODY = [
    "The city council approved the long-debated harbour expansion late on Monday, after a session that ran "
    "past midnight and drew more than two hundred residents to the public gallery.",
    "The vote came after the port authority published its traffic figures on March 3, 2024, showing that "
    "container volumes had risen by a fifth since the new rail link opened in 2023.",
    "Council members who opposed the plan said the authority had not answered questions about dredging the "
    "estuary, where environmental groups say fish nurseries would be harmed for years.",
    "“We have waited long enough for a decision, and the numbers speak for themselves,” said Marta Ellison, "
    "the council's chair of infrastructure, after the vote.",
    "The authority expects to begin construction of the second terminal in the autumn, once the last permits "
    "from the regional environment agency are granted.",
    "Shipping companies welcomed the decision, saying the current terminal had been running at capacity for "
    "most of the past eighteen months and that ships were waiting at anchor.",
]
# The same article without any date in its text: nothing on the page can contradict a date.
UNDATED_BODY = [
    BODY[0],
    "The vote came after the port authority published its traffic figures, showing that container volumes "
    "had risen by a fifth since the new rail link opened.",
    *BODY[2:],
]
REPUBLICATION_ROLES = {"full republication", "excerpt", "excerpt with commentary", "rewrite", "attributed rewrite"}


def _analyse(root: Path, docs: dict[str, list[str]]) -> dict[str, LineageEdge]:
    return {edge.doc: edge for edge in _analysis(root, docs).lineage}


def _analysis(root: Path, docs: dict[str, list[str]]) -> Analysis:
    root.mkdir()
    for name, parts in docs.items():
        (root / f"{name}.txt").write_text("\n\n".join(parts) + "\n", encoding="utf-8")
    return analyze([root])


def _details(edge: LineageEdge, kind: str | None = None) -> list[str]:
    return [e.detail for e in edge.evidence if kind is None or e.kind == kind]


@pytest.fixture(scope="module")
def attack(tmp_path_factory: pytest.TempPathFactory) -> Analysis:
    return _analysis(
        tmp_path_factory.mktemp("attack") / "corpus",
        {
            "real": [TITLE, "March 5, 2024", *BODY, "© 2024 Harbour Gazette. All rights reserved."],
            "planted": [TITLE, "January 5, 2010", *BODY, "© 2010 Attacker Times. All rights reserved."],
        },
    )


def test_planted_old_date_does_not_make_the_real_article_its_republication(attack: Analysis) -> None:
    found = {edge.doc: edge for edge in attack.lineage}
    real, planted = found["real"], found["planted"]
    assert not (real.role in REPUBLICATION_ROLES and real.parent == "planted"), real
    assert planted.role != "original", planted
    # Nothing but the contradicted date orders them: the pair stays undecided, and says why.
    assert real.role == planted.role == "undecided"
    assert real.undecided == ("planted",) and planted.undecided == ("real",)
    (relation,) = attack.relations
    assert relation.source is None and relation.derived is None


def test_the_conflict_names_both_dates_and_their_offsets(attack: Analysis) -> None:
    found = {edge.doc: edge for edge in attack.lineage}
    for edge in found.values():
        conflicts = _details(edge, "conflict")
        assert conflicts, edge
        date_conflict = conflicts[0]
        assert "planted states 2010-01-05" in date_conflict
        assert "“March 3, 2024”" in date_conflict and "real (2024-03-05)" in date_conflict
        assert date_conflict.count(" (at ") == 2  # the stated date's offsets and the mention's
        assert any("“© 2010 Attacker Times.”" in detail and "claims 2010" in detail for detail in conflicts)
        # Shown, never counted.
        assert all(e.score is None for e in edge.evidence if e.kind == "conflict")
        assert not any(e.kind == "date" for e in edge.evidence)


def test_the_offsets_in_the_conflict_point_at_the_dates(attack: Analysis) -> None:
    planted = next(d for d in attack.documents if d.id == "planted")
    detail = _details(next(e for e in attack.lineage if e.doc == "planted"), "conflict")[0]
    offsets = [part.split(")")[0] for part in detail.split(" (at ")[1:]]
    shown = [planted.raw[int(o.split("–")[0]) : int(o.split("–")[1])] for o in offsets]
    assert shown == ["January 5, 2010", "March 3, 2024"]


def test_no_document_claims_no_shared_text_while_sharing_text(attack: Analysis) -> None:
    for edge in attack.lineage:
        assert not any("no shared text" in detail for detail in _details(edge)), edge


def test_the_planted_date_does_not_make_its_page_the_first_occurrence_of_a_quote(attack: Analysis) -> None:
    (trail,) = [t for t in attack.quotes if set(t.docs) == {"planted", "real"} and t.kind == "statement"]
    assert trail.first == "undecided"
    assert trail.first_basis == "the stated date of planted (2010-01-05) is contradicted by its own page"


def test_an_original_with_copies_says_so(tmp_path: Path) -> None:
    found = _analyse(
        tmp_path / "corpus",
        {
            "first": [TITLE, "March 5, 2024", *BODY],
            "copy": [TITLE, "March 7, 2024", *BODY, "Source: Harbour Gazette"],
            "other": [
                "Rain expected all week",
                "March 6, 2024",
                "Forecasters expect heavy rain across the region for the rest of the week, with gusts along the "
                "coast strong enough to close the ferry routes on Thursday and Friday.",
            ],
        },
    )
    assert (found["first"].role, found["copy"].parent) == ("original", "first")
    assert _details(found["first"], "no upstream") == [
        "shares text with 1 document, a copy of it (copy), and no credit for the piece"
    ]
    assert _details(found["other"], "no upstream") == [
        "no shared text with another document and no credit for the piece"
    ]


def test_a_genuine_earlier_page_still_wins_on_its_date(tmp_path: Path) -> None:
    # Nothing on the earlier page contradicts its date: the date decides, as before.
    found = _analyse(
        tmp_path / "corpus",
        {
            "early": [TITLE, "January 5, 2010", *UNDATED_BODY, "© 2010 Harbour Gazette. All rights reserved."],
            "late": [TITLE, "March 5, 2024", *UNDATED_BODY],
        },
    )
    assert (found["late"].role, found["late"].parent) == ("full republication", "early")
    assert found["early"].role == "original"
    assert any(e.kind == "date" and e.score and e.score > 0 for e in found["late"].evidence)
    assert not any(e.kind == "conflict" for edge in found.values() for e in edge.evidence)


def test_a_historical_or_forward_mention_does_not_contradict_a_date(tmp_path: Path) -> None:
    # 1998 is before both stated dates, 2030 after both: neither tells the two claims apart.
    body = [
        *UNDATED_BODY[:2],
        "In 1998 the plant opened on the north quay, and the authority wants the second terminal running by 2030.",
        *UNDATED_BODY[2:],
    ]
    found = _analyse(
        tmp_path / "corpus",
        {"early": [TITLE, "March 1, 2024", *body], "late": [TITLE, "March 5, 2024", *body]},
    )
    assert (found["late"].role, found["late"].parent) == ("full republication", "early")
    assert not any(e.kind == "conflict" for edge in found.values() for e in edge.evidence)


def test_a_copyright_year_after_the_stated_date_contradicts_it(tmp_path: Path) -> None:
    # The planted page's own footer dates it to 2024, whatever its date line says.
    found = _analyse(
        tmp_path / "corpus",
        {
            "real": [TITLE, "March 5, 2024", *UNDATED_BODY],
            "planted": [TITLE, "January 5, 2010", *UNDATED_BODY, "© 2024 Harbour Gazette. All rights reserved."],
        },
    )
    assert found["real"].parent != "planted" and found["real"].role == "undecided"
    (conflict,) = _details(found["real"], "conflict")
    assert "planted states 2010-01-05" in conflict and "copyright line reads “© 2024 Harbour Gazette.”" in conflict


def test_mentions_are_the_texts_dates_after_the_stated_date() -> None:
    doc = document_from_text(
        "\n\n".join(
            [
                TITLE,
                "Published: January 5, 2010",
                "In 2009 the port, which handled 2015 ships and $2024 million, grew; in the 1990s it shrank.",
                "On 3 March 2024 figures came out; in May 2023 and on 2021-06-30 too, and by 2030 it will double.",
                "Updated: March 6, 2024",
                "© 2012 Example News",
            ]
        )
    )
    assert doc.metadata.date == "2010-01-05"
    found = [(value, span.slice(doc.clean)) for value, span in mentions_after(doc.clean, doc.lines, "2010-01-05")]
    # "2009" is before the date, "2015 ships" a count, "$2024" an amount, "1990s" a decade,
    # "by 2030" looks ahead; the update and copyright lines are the page's own claims.
    assert found == [("2021-06-30", "2021-06-30"), ("2023-05", "May 2023"), ("2024-03-03", "3 March 2024")]
    assert mentions_after(doc.clean, doc.lines, None) == ()
    assert mentions_after(doc.clean, doc.lines, "2024-12-31") == ()
