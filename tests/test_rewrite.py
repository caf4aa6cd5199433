# ruff: noqa: E501  (the texts are paragraphs, one a line)
"""The rewrite tier (issue 28): reworded reuse found, independent reports of one event not."""

from __future__ import annotations

from pathlib import Path

from provenance import analyze

# Self-made texts: an agency story, a newspaper's rewrite of it, and an independent report of
# the same event sharing its names, numbers and quote; fillers make function words common.

INDEPENDENT = 'Sandhu hails barrier vote as harbour residents count the cost\n\nResidents of the Riverton harbour district gathered outside the town hall on Tuesday evening as news of the 7-2 vote spread along the quay.\n\n"We cannot keep asking families to bail out their kitchens every winter," Priya Sandhu said after the meeting, repeating the line she had used all campaign.\n\nMany residents, like retired ferry pilot Owen Latch, still remember the floods of 2015, when water reached the first floor of the Anchor inn on Quay Street.\n\nLatch said his insurance premium has tripled and his neighbours are selling up and moving inland to Pellham.\n\nA spokesman for the Aldwick Anglers Association said his members would study the 84 million pound plan carefully before deciding whether to object.\n\nLocal shopkeepers mostly welcomed the decision, though several complained that nobody had asked them about the noise and traffic of two years of construction.\n'

REWRITE = 'Riverton to get flood gates\n\nCouncillors in Riverton have backed plans for a movable barrier on the Aldwick estuary by seven votes to two, settling a ten-year dispute over defending the harbour district from floods.\n\nEngineering company Mardell Hobbs drew up the scheme, which is expected to cost about 84 million pounds and be completed in spring 2027.\n\nPriya Sandhu, head of the council\'s infrastructure committee, reminded members that the harbour district had been flooded on four occasions since 2015.\n\n"We cannot keep asking families to bail out their kitchens every winter," she said.\n\nCritics said the funds should instead go on raising houses and restoring upstream salt marshes.\n\nLocal fishermen fear the gates could disrupt sea trout migrating through the channel.\n\nA full environmental assessment will be published next month, the council said, and three public meetings will be held before work starts.\n'

SOURCE = 'Flood barrier approved for Riverton after heated council debate\n\nThe Riverton city council voted 7-2 on Tuesday to build a movable flood barrier across the Aldwick estuary, ending a decade of argument over how to protect the low-lying harbour district.\n\nThe barrier, designed by the engineering firm Mardell Hobbs, will cost an estimated 84 million pounds and should be finished by the spring of 2027.\n\nCouncillor Priya Sandhu, who chaired the infrastructure committee, told colleagues that the harbour district had flooded four times since 2015.\n\n"We cannot keep asking families to bail out their kitchens every winter," Sandhu said.\n\nOpponents argued that the money would be better spent on raising individual homes and restoring salt marshes upstream of the estuary.\n\nFishermen in the harbour also worry that the gates will disturb the migration of sea trout through the narrow channel.\n\nThe council said it would publish the full environmental assessment next month and hold three public meetings before construction begins.\n'

FILLER = "The {n} th annual county show opened on Saturday with record crowds and the best weather for years.\n\nOrganisers said more than {n} thousand visitors came through the gates before noon, and the car parks were full by the afternoon.\n\nThe prize for the best heifer went to a farm near the coast, and the judges said the standard of the entries had never been higher in the history of the show.\n\nChildren queued for the pony rides while their parents toured the food hall, where local cheese makers and bakers sold out before the end of the day.\n\nThe show continues on Sunday with sheepdog trials, a vintage tractor parade and a brass band concert in the main ring.\n"


def _corpus(tmp_path: Path) -> Path:
    for name, text in (("source", SOURCE), ("rewrite", REWRITE), ("independent", INDEPENDENT)):
        (tmp_path / f"{name}.txt").write_text(text, encoding="utf-8")
    for n in range(1, 5):
        (tmp_path / f"filler{n}.txt").write_text(FILLER.format(n=n), encoding="utf-8")
    return tmp_path


def test_a_paraphrased_article_is_found_with_its_reworded_sentences(tmp_path: Path) -> None:
    analysis = analyze([_corpus(tmp_path)])
    pairs = {(p.a, p.b): p for p in analysis.pairs}
    assert pairs[("rewrite", "source")].sketch == "rewrite"
    relation = next(r for r in analysis.relations if (r.a, r.b) == ("rewrite", "source"))
    assert relation.relation == "rewrite"
    reworded = [p for p in analysis.passages if (p.a, p.b) == ("rewrite", "source")]
    assert len(reworded) >= 3 and all(p.kind == "rewritten" for p in reworded)


def test_independent_reports_of_one_event_sharing_names_numbers_and_a_quote_are_not_reuse(tmp_path: Path) -> None:
    analysis = analyze([_corpus(tmp_path)])
    linked = {(p.a, p.b) for p in analysis.pairs}
    assert ("independent", "source") not in linked and ("independent", "rewrite") not in linked
