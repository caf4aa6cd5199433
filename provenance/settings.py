"""One frozen ``Settings`` object, composed of per-stage slices.

Every threshold the pipeline uses lives here, with the measurement that chose it in
the comment beside it. Each stage receives only its own slice. Settings can be
overridden from ``[tool.provenance]`` in a corpus's ``pyproject.toml`` and from the
command line (``--set stage.name=value``); :func:`with_overrides` is the one place
that turns such strings into typed values.
"""

from __future__ import annotations

import dataclasses
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from provenance.errors import SettingsError


@dataclass(frozen=True, slots=True)
class IngestSettings:
    # File endings read when a directory is given; explicit file paths are always read.
    extensions: tuple[str, ...] = (".txt", ".md")
    # Larger files are rejected as "too-large": news articles are kilobytes, a 10 MB
    # "article" is a dump or a mistake, and reading it would dominate a run.
    max_bytes: int = 10_000_000
    # Share of control characters (other than tab/newline/CR/FF) above which decoded
    # text is treated as binary. Real text has none; 1% tolerates stray form feeds.
    max_control_ratio: float = 0.01


@dataclass(frozen=True, slots=True)
class NormalizeSettings:
    # A line this short (in words) without sentence punctuation, standing between
    # paragraphs, is heading-like (a title, a section heading or a link headline).
    heading_max_words: int = 14
    # Heading-like lines shorter than this are section headings; longer ones that
    # repeat inside the document or are followed by a timestamp are link furniture.
    section_heading_max_words: int = 6
    # A short line that recurs in at least this many documents is page furniture
    # (site navigation, newsletter boxes), never shared content.
    furniture_min_docs: int = 3
    # Lines repeated across documents are only furniture when this short (words):
    # a whole article republished three times must not be erased.
    furniture_repeat_max_words: int = 16
    # How many leading non-blank lines are searched for the title.
    title_search_lines: int = 8
    # A title has at least this many words (mastheads like "The Daily" have fewer).
    title_min_words: int = 4


@dataclass(frozen=True, slots=True)
class FingerprintSettings:
    # Word n-gram size for shingles. 5 keeps stock three- and four-word phrases from
    # linking unrelated articles while one edited word breaks only 5 shingles.
    shingle_size: int = 5
    # MinHash permutations; 128 gives a standard error of about 0.044 on Jaccard.
    num_perm: int = 128
    seed: int = 1


@dataclass(frozen=True, slots=True)
class CandidateSettings:
    """Candidate search and exact verification of pairs (issue: candidates)."""


@dataclass(frozen=True, slots=True)
class AlignSettings:
    """Passage alignment of verified pairs (issue: alignment).

    Figures (recall / precision by characters): ``python -m bench.align_quality`` on
    bench.corpus corpora (synthetic: 200 sources, real: 27) and on the tests' own corpus
    (tests/reuse_corpus.py, 60 sources: merged and split sentences, trims, reordering).
    Lengths ("chars") are of matching keys, a Chinese or Japanese character counting
    four (``provenance.text.key_size``), so thresholds hold across scripts.
    """

    # fuzz.ratio of two sentence keys (0–1) from which they count as the same sentence.
    # 0.75 / 0.85 change recall by at most 0.0004 on the bench and our corpora; 0.75
    # lets in 60% more wrong characters on the synthetic corpus (precision 0.9990 vs
    # 0.9994). Only text with a fifth of its words changed wants 0.75 (recall 0.934 -> 0.985).
    sentence_cutoff: float = 0.8
    # Only sentences with keys at least this long anchor a passage; shorter ones join a
    # passage next to an anchor. 25 let two short sentences of a site widget ("% of
    # readers think this story is Fact. Add your two cents.") match across outlets
    # (real corpus precision 0.9983 vs 1.0); 15–40 give the same recall everywhere.
    anchor_chars: int = 40
    # Passages whose shorter side has a key shorter than this are dropped: 20 lets in
    # 1.6x more wrong characters (datelines, credit lines), 60 loses recall (real 0.9793).
    min_passage_chars: int = 40
    # Also compare two adjacent sentences of a paragraph with one sentence of the other
    # document (one side merged what the other split): recall without it 0.842 on our
    # corpus (0.9993 with), 0.978 / 0.979 on the synthetic / real corpora (0.983 / 0.982).
    windows: bool = True
    # Two passages separated by one sentence on each side are joined when those two
    # sentences are at least this similar (a heavily edited sentence inside a copy):
    # recall 0.902 -> 0.934 with a fifth of the words changed; 0.5 also joins differing
    # date lines (precision 0.9988 / 0.9978 on synthetic / real instead of 0.9994 / 0.9983).
    bridge_cutoff: float = 0.7
    # A sentence next to a passage that is a cut-down version of its counterpart
    # (fuzz.partial_ratio, 0–1) extends the passage to the words they share: recall
    # 0.9880 -> 0.9993 on our corpus, 0.9810 -> 0.9831 synthetic, 0.9802 -> 0.9815 real.
    trim_cutoff: float = 0.9
    # ... when the cut-down sentence has a key at least this long.
    trim_min_chars: int = 20
    # Matched sentences at a passage's edge whose lengths differ more than this (shorter
    # over longer) are cut to the words they share too: precision 0.9993 -> 0.9999 on
    # our corpus (0.7: 0.9994; 0.95 costs 0.0002 recall), the bench corpora unchanged.
    trim_length_ratio: float = 0.85
    # A sentence whose word 3-grams lie at least this much inside another sentence of
    # the same document is an internal repeat (key points, pull quotes; seed 000's edited
    # key point holds 0.85 of its 3-grams in the body sentence it restates).
    repeat_containment: float = 0.8
    # ... when it has at least this many words.
    repeat_min_words: int = 6


@dataclass(frozen=True, slots=True)
class QuoteSettings:
    """Direct-quote extraction, attribution and trails (issue: quotes)."""


@dataclass(frozen=True, slots=True)
class LineageSettings:
    """Roles, parents and direction evidence (issue: lineage)."""


@dataclass(frozen=True, slots=True)
class ReportSettings:
    """Renderers: cut lengths and table sizes (issue: reports)."""


@dataclass(frozen=True, slots=True)
class Settings:
    ingest: IngestSettings = field(default_factory=IngestSettings)
    normalize: NormalizeSettings = field(default_factory=NormalizeSettings)
    fingerprint: FingerprintSettings = field(default_factory=FingerprintSettings)
    candidates: CandidateSettings = field(default_factory=CandidateSettings)
    align: AlignSettings = field(default_factory=AlignSettings)
    quotes: QuoteSettings = field(default_factory=QuoteSettings)
    lineage: LineageSettings = field(default_factory=LineageSettings)
    report: ReportSettings = field(default_factory=ReportSettings)

    def as_dict(self) -> dict[str, dict[str, Any]]:
        """Plain nested dict (tuples as lists) for JSON and reports."""
        out: dict[str, dict[str, Any]] = {}
        for stage in fields(self):
            values = dataclasses.asdict(getattr(self, stage.name))
            out[stage.name] = {k: list(v) if isinstance(v, tuple) else v for k, v in values.items()}
        return out


def _coerce(current: object, raw: object, name: str) -> object:
    """Convert an override to the type of the current value, or raise SettingsError."""
    try:
        if isinstance(current, bool):
            if isinstance(raw, bool):
                return raw
            text = str(raw).strip().lower()
            if text in {"1", "true", "yes", "on"}:
                return True
            if text in {"0", "false", "no", "off"}:
                return False
            raise SettingsError(f"{name}: expected true or false, got {raw!r}")
        if isinstance(current, int):
            return int(raw)  # type: ignore[call-overload]
        if isinstance(current, float):
            return float(raw)  # type: ignore[arg-type]
        if isinstance(current, tuple):
            items = raw if isinstance(raw, list | tuple) else str(raw).split(",")
            return tuple(str(item).strip() for item in items if str(item).strip())
        return str(raw)
    except (TypeError, ValueError) as exc:
        raise SettingsError(f"{name}: cannot use {raw!r} ({exc})") from exc


def with_overrides(settings: Settings, overrides: dict[str, object]) -> Settings:
    """Return ``settings`` with ``{"stage.name": value}`` overrides applied.

    >>> with_overrides(Settings(), {"fingerprint.shingle_size": "4"}).fingerprint.shingle_size
    4
    """
    for dotted, raw in sorted(overrides.items()):
        stage_name, _, key = dotted.partition(".")
        stage = getattr(settings, stage_name, None) if stage_name in _stage_names() else None
        if stage is None or key not in {f.name for f in fields(stage)}:
            raise SettingsError(f"unknown setting {dotted!r} (see the settings table in the README)")
        value = _coerce(getattr(stage, key), raw, dotted)
        settings = replace(settings, **{stage_name: replace(stage, **{key: value})})
    return settings


def _stage_names() -> set[str]:
    return {f.name for f in fields(Settings)}


def flatten_table(table: dict[str, Any]) -> dict[str, object]:
    """``{"fingerprint": {"shingle_size": 4}}`` to ``{"fingerprint.shingle_size": 4}``."""
    flat: dict[str, object] = {}
    for stage, values in table.items():
        if not isinstance(values, dict):
            raise SettingsError(f"[tool.provenance] {stage!r} must be a table of settings")
        for key, value in values.items():
            flat[f"{stage}.{key}"] = value
    return flat


def from_pyproject(path: Path) -> dict[str, object]:
    """Overrides from ``[tool.provenance]`` of a ``pyproject.toml`` (empty when absent)."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise SettingsError(f"{path}: cannot read settings ({exc})") from exc
    table = data.get("tool", {}).get("provenance", {})
    table = {k: v for k, v in table.items() if k in _stage_names()}
    return flatten_table(table)
