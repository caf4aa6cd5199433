"""Disguised verbatim copies (issue 31): each disguise keys like its source, analyze pairs it
as a copy, and check fails it against an index of the source. Negatives: different articles
stay unrelated, a Russian article still pairs with its copy, numbers are never read as letters."""

from __future__ import annotations

import itertools
import re
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from provenance import analyze
from provenance.cli import main
from provenance.documents import document_from_text
from provenance.errors import IndexStateError
from provenance.index import open_index
from provenance.model import Analysis, PairRelation
from provenance.settings import Settings
from provenance.text import matching_key, matching_keys, tokens
from tests.conftest import git, init_repo
from tests.texts import FESTIVAL

ARTICLE = """Town council approves budget for a new public library

March 3, 2024

RIVERTON — The town council on Tuesday approved a budget of $2.3 million for a new public library,
ending a debate that had divided residents for more than a year. The building will rise on the site of the
old bus depot, next to the primary school, and is due to open in the spring of next year.

“We finally have a place where the children of this town can read after school,” said Maria Lopez, who
chairs the library committee. Opponents had argued that the money should go to road repairs instead,
and several of them spoke at length during the two-hour meeting on Tuesday evening.

The council also agreed to extend the opening hours of the swimming pool during the summer holidays and
to plant two hundred trees along the river path, a project that volunteers have promised to help with.
Work on the library is expected to begin in June, once the old depot has been cleared and the contract
for the building has been signed with a firm from the county seat.

Mayor Daniel Price said the library would also house a small museum of local history, with photographs
and maps donated by families who have lived in Riverton for generations. “This is a building for all of
us, and it will stand for a hundred years,” he said after the vote, which passed by five votes to two.
"""


RUSSIAN = """Городской совет утвердил бюджет новой библиотеки

3 марта 2024 года

Городской совет во вторник утвердил бюджет в размере двух миллионов рублей на строительство новой
публичной библиотеки, завершив спор, который более года разделял жителей города. Здание построят на месте
старого автовокзала, рядом с начальной школой, и откроют весной следующего года.

«Наконец у детей нашего города будет место, где можно читать после школы», — сказала Мария Лопес,
которая возглавляет библиотечный комитет. Противники проекта утверждали, что деньги лучше потратить на
ремонт дорог, и некоторые из них долго выступали на двухчасовом заседании во вторник вечером.

Совет также согласился продлить часы работы бассейна во время летних каникул и посадить двести деревьев
вдоль речной тропы; волонтёры пообещали помочь с этим проектом.
"""


def _every_char(text: str, marks: list[str]) -> str:
    cycle = itertools.cycle(marks)
    return "".join(c if c.isspace() else c + next(cycle) for c in text)


def _every_word(text: str, keep: Callable[[int, str], list[str]]) -> str:
    count = itertools.count(1)
    return "\n".join(" ".join(w for word in line.split() for w in keep(next(count), word)) for line in text.split("\n"))


FILLER = ["indeed", "reportedly", "locally", "frankly", "apparently", "notably"]

# Each disguise of the issue, applied to a whole article.
DISGUISES: dict[str, Callable[[str], str]] = {
    "zero-width": lambda t: _every_char(t, ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"]),
    "tag characters": lambda t: _every_char(t, [chr(0xE0020 + i) for i in range(0, 95, 7)]),
    "variation selectors": lambda t: _every_char(t, ["\ufe0f", "\ufe0e", "\U000e0100"]),
    "combining marks": lambda t: "".join(
        c + m if c.isalpha() else c for c, m in zip(t, itertools.cycle("\u0336\u0301\u0308\u0324\u035c"), strict=False)
    ),
    "cyrillic o and e": lambda t: t.replace("o", "\u043e").replace("e", "\u0435"),
    "html entities": lambda t: t.replace("&", "&amp;").replace("e", "&#101;").replace(" ", "&nbsp;"),
    "span-wrapped words": lambda t: re.sub(r"\S+", lambda m: f"<span>{m.group()}</span>", t),
    "blank line between words": lambda t: "\n\n".join(t.split()),
    "every 5th word dropped": lambda t: _every_word(t, lambda n, w: [] if n % 5 == 0 else [w]),
    "a word inserted every 4": lambda t: _every_word(t, lambda n, w: [w, FILLER[n % 6]] if n % 4 == 0 else [w]),
    "leetspeak": lambda t: t.translate(str.maketrans("eoai", "3041")),
}
# Disguises that keep every word: the copy's key is the source's.
CHARACTER_LEVEL = ("zero-width", "tag characters", "variation selectors", "combining marks", "cyrillic o and e")
# Disguises that change words: what is left of the source in the copy is still most of it.
WORD_LEVEL = ("every 5th word dropped", "a word inserted every 4")


def _analyze(tmp_path: Path, texts: dict[str, str]) -> Analysis:
    for name, text in texts.items():
        (tmp_path / f"{name}.txt").write_text(text, encoding="utf-8")
    return analyze([tmp_path])


def _relation(analysis: Analysis, a: str, b: str) -> PairRelation | None:
    return next((r for r in analysis.relations if {r.a, r.b} == {a, b}), None)


def _identical(analysis: Analysis, a: str, b: str) -> bool:
    """Whether ``a`` and ``b`` are one group of identical texts (the disguise wholly undone)."""
    return any({a, b} <= {g.head, *g.copies} for g in analysis.duplicates)


@pytest.mark.parametrize("name", list(DISGUISES))
def test_analyze_pairs_a_disguised_copy_with_its_source(name: str, tmp_path: Path) -> None:
    analysis = _analyze(tmp_path, {"source": ARTICLE, "copy": DISGUISES[name](ARTICLE), "other": FESTIVAL})
    if _identical(analysis, "copy", "source"):
        # Undone to the same text: one group, the copy a full republication of its head.
        assert analysis.pairs == (), name
        edges = {e.doc: e for e in analysis.lineage}
        assert {edges["copy"].parent, edges["source"].parent} & {"copy", "source"}, name
        return
    pairs = {(p.a, p.b): p for p in analysis.pairs}
    assert set(pairs) == {("copy", "source")}, name
    pair = pairs["copy", "source"]
    relation = _relation(analysis, "copy", "source")
    assert relation is not None
    if name in WORD_LEVEL:
        # found by the bigram sketch; the passages are edited (a fifth of the words differ)
        assert max(pair.containment_a_in_b, pair.containment_b_in_a) >= Settings().candidates.bigram_containment
        assert relation.relation in {"full copy", "rewrite"}
    else:
        assert min(pair.containment_a_in_b, pair.containment_b_in_a) >= 0.75, name
        assert relation.relation == "full copy", name
    shares = {c.doc: c.republished_share for c in analysis.compositions}
    assert min(shares["copy"], shares["source"]) >= 0.8, name


@pytest.fixture
def corpus_repo(tmp_path: Path) -> Path:
    """A git repository whose ``corpus/`` holds the source and an unrelated article, on branch ``drop``."""
    corpus = tmp_path / "repo" / "corpus"
    corpus.mkdir(parents=True)
    (corpus / "library.txt").write_text(ARTICLE, encoding="utf-8")
    (corpus / "festival.txt").write_text(FESTIVAL, encoding="utf-8")
    return init_repo(tmp_path / "repo")


@pytest.mark.parametrize("name", list(DISGUISES))
def test_check_fails_a_disguised_copy(name: str, corpus_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (corpus_repo / "corpus" / "copy.txt").write_text(DISGUISES[name](ARTICLE), encoding="utf-8")
    git(corpus_repo, "add", "-A")
    git(corpus_repo, "commit", "-q", "-m", "drop")
    code = main(["check", "--against", str(corpus_repo / "corpus"), "--since", "main"])
    lines = capsys.readouterr().out.splitlines()
    verdict = next(line for line in lines if line.startswith(("PASS", "FAIL")) and "copy.txt" in line)
    assert code == 1, lines
    assert verdict.startswith("FAIL corpus/copy.txt: "), verdict
    assert "corpus/library.txt" in verdict and "festival" not in verdict


def test_different_articles_stay_unrelated_after_folding(tmp_path: Path) -> None:
    disguised = DISGUISES["cyrillic o and e"](FESTIVAL)
    analysis = _analyze(tmp_path, {"library": DISGUISES["leetspeak"](ARTICLE), "festival": disguised})
    assert analysis.pairs == ()


def test_a_russian_article_pairs_with_its_copy_and_keys_as_russian(tmp_path: Path) -> None:
    copy = RUSSIAN.replace("библиотеки", "библиотеки").replace("\n\n", "\n\n\u200b", 2)
    analysis = _analyze(tmp_path, {"source": RUSSIAN, "copy": copy, "other": FESTIVAL})
    linked = [(p.a, p.b) for p in analysis.pairs] == [("copy", "source")]
    assert linked or _identical(analysis, "copy", "source")
    assert tokens("Москва и Пекин") == ["москва", "и", "пекин"]  # genuine Cyrillic is not latinised


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("北京欢迎你，今天很冷。", "北 京 欢 迎 你 今 天 很 冷"),
        ("東京でガｶﾞを見た", "東 京 で ガ ガ を 見 た"),
        ("قالت الوزارة إن المحادثات", "قالت الوزارة إن المحادثات"),
        ("नमस्ते दुनिया", "नमस त द न य"),  # as before: the tokenizer splits at Devanagari vowel signs
        ("Ο πρωθυπουργός είπε", "ο πρωθυπουργοσ ειπε"),
    ],
)
def test_non_latin_keys_keep_their_script(text: str, expected: str) -> None:
    assert matching_key(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "It cost $16.4 million in 2024, the G7 said; 10am, 1990s, 4th, A380 and MP3 stay as they are.",
        "Th3 pr0t3st c0st $16.4 m1ll10n 1n 2024, th3 G7 s41d.",  # read as letters, the numbers are not
    ],
)
def test_numbers_are_never_read_as_letters(text: str) -> None:
    key = matching_key(text).split()
    assert {"16", "4", "2024"} <= set(key)
    if "pr0t3st" in text:
        assert {"the", "protest", "cost", "million", "in"} <= set(key)
    else:
        assert {"g7", "10am", "1990s", "4th", "a380", "mp3"} <= set(key)


_VOCABULARY = ["the", "council", "approved", "a", "budget", "for", "new", "public", "library", "on", "tuesday"]
_WORDS = st.lists(st.sampled_from(_VOCABULARY), min_size=1)
_PLAIN = _WORDS.map(" ".join)


@given(_PLAIN, st.sampled_from(list(CHARACTER_LEVEL)))
def test_character_level_disguise_keeps_the_key(text: str, name: str) -> None:
    disguised = DISGUISES[name](text)
    assert matching_key(disguised) == matching_key(text)
    assert matching_keys(disguised, [(0, len(disguised))]) == [matching_key(text)]


@given(_PLAIN, st.sampled_from(["html entities", "span-wrapped words", "blank line between words"]))
def test_markup_and_line_breaks_keep_the_key(text: str, name: str) -> None:
    assert matching_key(DISGUISES[name](text)) == matching_key(text)


def test_disguised_sentences_keep_their_bounds_and_offsets() -> None:
    for name in ("zero-width", "span-wrapped words", "html entities", "blank line between words"):
        plain = document_from_text(ARTICLE)
        doc = document_from_text(DISGUISES[name](ARTICLE))
        assert " ".join(s.key for s in doc.sentences) == " ".join(s.key for s in plain.sentences), name
        assert len(doc.sentences) >= 8, name  # split at its full stops, never one sentence a paragraph
        for sentence in doc.sentences:  # spans still index the raw text, and hold the sentence
            raw = doc.raw_span(sentence.clean).slice(doc.raw)
            assert matching_key(raw) == sentence.key, name


def test_an_index_of_the_previous_schema_is_refused(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "library.txt").write_text(ARTICLE, encoding="utf-8")
    assert main(["index", "build", str(corpus)]) == 0
    index = corpus / ".provenance" / "index.sqlite"
    with sqlite3.connect(index) as connection:
        connection.execute("UPDATE meta SET value = 1 WHERE key = 'schema_version'")
    with pytest.raises(IndexStateError, match="rebuild"):
        open_index(index)
