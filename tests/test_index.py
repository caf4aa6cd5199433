"""The signature index: built once, updated incrementally by content hash, refused when settings changed."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
import pytest

from provenance.candidates import search
from provenance.check import drop_common as without_common
from provenance.check import drop_files, index_candidates
from provenance.cli import main
from provenance.errors import IndexStateError
from provenance.fingerprint import Fingerprint, FingerprintParams, signatures
from provenance.index import build_index, default_index, open_index, update_index
from provenance.settings import CandidateSettings, Settings, with_overrides
from tests.conftest import copy_seeds

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
PARAMS = FingerprintParams(5, 128, 1)

BOILERPLATE = (
    "This article is distributed under the terms of the regional press syndication agreement and may "
    "be reproduced in print and online by member newspapers provided that this notice is kept intact."
)


_VOCABULARY = (
    "council budget river school road bridge market harbour library station mayor resident plan vote year "
    "water park street museum festival hospital court police weather train bus farm price tax office "
    "week night morning summer winter spring autumn north south east west old new small large quiet busy "
    "opened closed approved rejected delayed visited repaired announced planned moved built painted"
)


def _article(topic: str, seed: int) -> str:
    """An invented article: random plain words, so two of them share no five-word run."""
    rng = np.random.default_rng(seed)
    sentences = [" ".join(rng.choice(_VOCABULARY.split(), size=14)).capitalize() + "." for _ in range(8)]
    return f"News about the {topic} plan\n\n" + " ".join(sentences) + "\n"


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    return copy_seeds(tmp_path / "corpus")


def _fp(shingles: np.ndarray) -> Fingerprint:
    return Fingerprint(PARAMS, shingles, signatures([shingles], PARAMS.num_perm, PARAMS.seed)[0])


def test_index_candidates_decide_as_the_corpus_search(tmp_path: Path) -> None:
    """Candidates against a stored matrix are the pairs (new, indexed) the in-memory search finds."""
    rng = np.random.default_rng(7)
    sets = []
    for _ in range(40):
        source = np.unique(rng.integers(0, 2**64, int(rng.integers(100, 900)), dtype=np.uint64))
        sets.append(source)
        for _ in range(int(rng.integers(0, 3))):
            kept = rng.choice(source, size=int(source.size * rng.uniform(0.1, 1.0)), replace=False)
            own = rng.integers(0, 2**64, int(kept.size * rng.uniform(0, 1.2)), dtype=np.uint64)
            sets.append(np.unique(np.concatenate((kept, own))))
    fps = [_fp(s) for s in sets]
    settings = CandidateSettings()
    pairs, _, _ = search(fps, settings)
    queries = list(range(0, len(fps), 5))
    corpus = [i for i in range(len(fps)) if i not in queries]
    matrix = np.stack([fps[i].signature for i in corpus])
    sizes = np.array([fps[i].size for i in corpus])
    found = index_candidates(
        matrix,
        sizes,
        np.ones(len(corpus), bool),
        np.stack([fps[q].signature for q in queries]),
        np.array([fps[q].size for q in queries]),
        settings,
    )
    got = {(q, corpus[i]) for q, rows in zip(queries, found, strict=True) for i in rows.tolist()}
    expected = {(i, j) if i in queries else (j, i) for i, j in pairs.tolist() if (i in queries) != (j in queries)}
    assert expected and got == expected


def test_build_then_update_fingerprints_only_what_changed(corpus: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["index", "build", str(corpus)]) == 0
    out = capsys.readouterr().out
    assert "5 documents; added 5, changed 0, removed 0, unchanged 0; fingerprinted 5" in out
    assert default_index(corpus).is_file()
    # nothing changed: nothing fingerprinted
    assert main(["index", "update", str(corpus)]) == 0
    assert "added 0, changed 0, removed 0, unchanged 5; fingerprinted 0" in capsys.readouterr().out
    # one added, one changed, one deleted (the seed excerpt's source stays)
    (corpus / "wire").mkdir()
    (corpus / "wire" / "parks.txt").write_text(_article("parks", 1), encoding="utf-8")
    seed = corpus / "001_b11ff0966c21501b.txt"
    seed.write_text(seed.read_text(encoding="utf-8") + "\nA line added by an editor.\n", encoding="utf-8")
    (corpus / "002_deb1d1c265629a32.txt").unlink()
    (corpus / "004_764842f75cb87e49.txt").touch()  # a new mtime, the same bytes: unchanged
    assert main(["index", "update", "--index", str(default_index(corpus))]) == 0
    assert "5 documents; added 1, changed 1, removed 1, unchanged 3; fingerprinted 2" in capsys.readouterr().out
    with open_index(default_index(corpus)) as store:
        rows = dict(store.connection.execute("SELECT id, path FROM documents"))
    assert rows["wire/parks"] == "wire/parks.txt" and "002_deb1d1c265629a32" not in rows


def test_a_changed_setting_is_named_never_mixed(corpus: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["index", "build", str(corpus)]) == 0
    capsys.readouterr()
    assert main(["index", "update", str(corpus), "--set", "fingerprint.shingle_size=4"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("Error: index ") and "built with fingerprint.shingle_size=5, current 4" in err
    assert err.endswith("--rebuild`")
    new = next(corpus.glob("*.txt"))
    assert main(["check", str(new), "--against", str(corpus), "--set", "normalize.title_min_words=3"]) == 2
    assert "normalize.title_min_words=4, current 3" in capsys.readouterr().err
    # the same from the corpus's pyproject.toml, then a rebuild accepts it
    (corpus.parent / "pyproject.toml").write_text("[tool.provenance.fingerprint]\nshingle_size = 4\n", "utf-8")
    assert main(["index", "update", str(corpus)]) == 2
    assert "shingle_size=5, current 4" in capsys.readouterr().err
    assert main(["index", "build", str(corpus)]) == 2
    assert "exists" in capsys.readouterr().err
    assert main(["index", "build", str(corpus), "--rebuild"]) == 0
    assert main(["index", "update", str(corpus)]) == 0


def test_common_shingles_follow_the_corpus(tmp_path: Path) -> None:
    """Boilerplate in more than max_df texts is dropped from search; deleting copies brings it back."""
    root = tmp_path / "corpus"
    root.mkdir()
    topics = ["parks", "roads", "schools", "water", "housing", "buses"]
    for n, topic in enumerate(topics):
        (root / f"{topic}.txt").write_text(_article(topic, n) + "\n" + BOILERPLATE + "\n", encoding="utf-8")
    settings = with_overrides(Settings(), {"candidates.max_df": 3})
    index = default_index(root)
    report = build_index(root, index, settings)
    assert report.common_shingles > 0
    with open_index(index) as store:
        common = store.common
        rows = store.connection.execute("SELECT shingles, search_shingles FROM documents").fetchall()
    assert all(search == total - common.size for total, search in rows)
    for topic in topics[:3]:
        (root / f"{topic}.txt").unlink()
    report = update_index(root, index, settings)
    assert (report.removed, report.fingerprinted, report.common_shingles) == (3, 0, 0)
    assert report.resigned == 3  # the documents that held the formerly common shingles
    with open_index(index) as store:
        rows = store.connection.execute("SELECT shingles, search_shingles FROM documents").fetchall()
    assert all(search == total for total, search in rows)


def test_a_drop_copying_boilerplate_is_not_a_republication(tmp_path: Path) -> None:
    root = tmp_path / "corpus"
    root.mkdir()
    for n, topic in enumerate(["parks", "roads", "schools", "water"]):
        (root / f"{topic}.txt").write_text(_article(topic, n) + "\n" + BOILERPLATE + "\n", encoding="utf-8")
    settings = with_overrides(Settings(), {"candidates.max_df": 3})
    build_index(root, default_index(root), settings)
    new = tmp_path / "drop" / "bins.txt"
    new.parent.mkdir()
    new.write_text(_article("bins", 9) + "\n" + BOILERPLATE + "\n", encoding="utf-8")
    from provenance.check import check_drop

    files, rejected = drop_files([new], root, settings)
    with open_index(default_index(root)) as store:
        result = check_drop(files, rejected, store, settings)
    (verdict,) = result.verdicts
    assert verdict.status == "pass" and verdict.role == "unrelated", verdict


def test_corpus_files_that_cannot_be_read_are_judged_from_the_index(corpus: Path, tmp_path: Path) -> None:
    settings = Settings()
    build_index(corpus, default_index(corpus), settings)
    copy = tmp_path / "copy.txt"
    copy.write_text((corpus / "004_764842f75cb87e49.txt").read_text(encoding="utf-8"), encoding="utf-8")
    (corpus / "004_764842f75cb87e49.txt").unlink()  # gone since the index was made
    from provenance.check import check_drop

    files, rejected = drop_files([copy], corpus, settings)
    with open_index(default_index(corpus)) as store:
        (verdict,) = check_drop(files, rejected, store, settings).verdicts
    assert verdict.status == "fail" and verdict.findings[0].rule == "exact"
    assert "004_764842f75cb87e49.txt (same bytes)" in verdict.summary
    assert not verdict.matches[0].available


def test_not_an_index(tmp_path: Path) -> None:
    bogus = tmp_path / "index.sqlite"
    bogus.write_bytes(b"not a database at all, just some bytes " * 20)
    with pytest.raises(IndexStateError, match="is not a provenance index"):
        open_index(bogus)
    other = tmp_path / "other.sqlite"
    with sqlite3.connect(other) as connection:
        connection.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value)")
        connection.execute("INSERT INTO meta VALUES ('schema_version', 99)")
    with pytest.raises(IndexStateError, match="schema 99"):
        open_index(other)
    with pytest.raises(IndexStateError, match="no index at"):
        open_index(tmp_path / "missing.sqlite")


def test_without_common_resigns_only_when_needed() -> None:
    values = np.arange(1, 50, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)
    fp = _fp(np.sort(values))
    assert without_common(fp, np.zeros(0, np.uint64)) is fp
    assert without_common(fp, np.array([7], np.uint64)) is fp
    dropped = without_common(fp, np.sort(values)[:5])
    assert dropped.size == fp.size - 5
    assert np.array_equal(dropped.signature, signatures([np.sort(values)[5:]], 128, 1)[0])


def test_lines_that_become_furniture_after_indexing_are_reported(tmp_path: Path) -> None:
    root = tmp_path / "corpus"
    root.mkdir()
    footer = "\nSubscribe to the Riverton Gazette\n"
    for n, topic in enumerate(["parks", "roads"]):
        (root / f"{topic}.txt").write_text(_article(topic, n) + footer, encoding="utf-8")
    settings = Settings()  # a short line in 3 documents is furniture
    assert build_index(root, default_index(root), settings).stale_lines == 0
    (root / "water.txt").write_text(_article("water", 5) + footer, encoding="utf-8")
    report = update_index(root, default_index(root), settings)
    assert report.fingerprinted == 1 and report.stale_lines == 1
    assert "1 short line has become (or stopped being) repeated furniture" in report.summary()
    assert "--rebuild" in report.summary()
    rebuilt = build_index(root, default_index(root), settings, rebuild=True)
    assert rebuilt.stale_lines == 0


def test_max_matches_bounds_the_analysed_matches(corpus: Path, tmp_path: Path) -> None:
    from provenance.check import check_drop

    copy = tmp_path / "copy.txt"
    copy.write_text((corpus / "000_3a0f44c342259dfd.txt").read_text(encoding="utf-8") + "\nEditor: a note.\n", "utf-8")
    for limit, matches in ((10, 2), (1, 1)):
        settings = with_overrides(Settings(), {"check.max_matches": limit})
        build_index(corpus, default_index(corpus), settings, rebuild=True)
        files, rejected = drop_files([copy], corpus, settings)
        with open_index(default_index(corpus)) as store:
            (verdict,) = check_drop(files, rejected, store, settings).verdicts
        assert len(verdict.matches) == matches
        assert verdict.matches[0].doc == "000_3a0f44c342259dfd"
        assert ("1 more indexed documents share some text with it" in verdict.notes) == (limit == 1)
