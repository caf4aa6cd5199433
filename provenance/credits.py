"""Credits: what a document says about whose piece it carries, and in which language.

Metadata finds outlet cues (``CNBC reported``, ``(AP) —``, ``Source: cnnespanol``);
this module decides what each cue is evidence *of*:

* ``piece``: the document carries that outlet's piece (a credit prefix before a
  headline, a source or via line, an agency dateline or byline, a wire agency's or a
  syndication service's copyright line, a closing credit: ``Jane Roe, X``, ``— X``,
  ``Reporting by ... for X``, ``originally published by X``; ``X reported`` or
  ``according to X`` in the lead);
* ``fact``: one fact or quote inside the text is attributed to the outlet
  (``according to X`` deep in the body, ``told X``, ``said on X's show``);
* ``self``: the page's own publisher (a copyright footer of a non-agency outlet).

It also finds translation cues (a source line naming a foreign-language edition
whose language differs from the document's, a translation notice among the page
furniture) and guesses the document's language from its function words. Pure
functions of a :class:`~provenance.model.Document`; lineage weighs the results.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from provenance.metadata import PERSONS
from provenance.model import Document, Evidence, OutletCue, Span
from provenance.settings import LineageSettings
from provenance.text import FOLDS_TO_ASCII, tokens

CreditScope = Literal["piece", "fact", "self"]

# News agencies syndicate their copy: their copyright or byline on a page means the
# page carries the agency's piece, whereas a newspaper's copyright is its own footer.
WIRE_AGENCIES = frozenset(
    {"AP", "Reuters", "AFP", "dpa", "EFE", "ANSA", "UPI", "Xinhua", "Kyodo", "Yonhap", "TASS", "Interfax"}
)

# Cue kinds that credit the whole piece wherever they stand: at the top ("CNBC:", a byline)
# or closing it (a writer signed with an outlet, "— Reuters", "Reporting by ... for X",
# "originally published by X").
_PIECE_KINDS = frozenset(
    {
        "credit prefix",
        "source line",
        "dateline credit",
        "byline",
        "outlet line",
        "signed byline",
        "sign-off",
        "reporting credit",
        "republication notice",
    }
)
# A copyright held by a syndication service ("Copyright 2018 by CNN NewSource", "The-CNN-Wire
# ™ & © 2019 Cable News Network"): the page carries that outlet's syndicated piece, it is not
# the outlet's own page. The word must stand beside the outlet's name, not in it (an outlet
# may be called "... Wire").
_SYNDICATION = re.compile(r"news? ?source|news service|syndicat|content agency|\bwire\b|newswire", re.IGNORECASE)
# Cue kinds that credit the piece when they stand in the lead, a fact elsewhere.
_LEAD_KINDS = frozenset({"reported", "according to"})

# A byline naming writers and no outlet ("Lucas Shaw", "By Jane Roe and John Doe"), and how
# the writers of a signed byline ("By Jane Roe and John Doe, Example Times") are told apart.
_BARE_BYLINE = re.compile(rf"(?:By[ \t]+)?{PERSONS}(?:[ \t]*,[ \t]*{PERSONS})*")
_WRITERS = re.compile(r"(?:By\s+)?(?P<w>[^,|/]+)")
_WRITER_SPLIT = re.compile(r"\s*(?:,|\band\b|&)\s*")
_BYLINE_MAX_CHARS = 160

# Foreign-language editions named in credits ("cnnespanol", "BBC Mundo", "DW Deutsch").
_EDITION_LANGUAGE: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (language, re.compile(pattern, re.IGNORECASE))
    for language, pattern in (
        ("es", r"espa[nñ]ol|mundo\b|latino|en español"),
        ("pt", r"brasil|portugu[eê]s"),
        ("fr", r"fran[cç]ais|afrique"),
        ("de", r"deutsch"),
        ("ar", r"arabic|عربي"),
        ("ru", r"russian|русск"),
        ("zh", r"chinese|中文"),
        ("tr", r"t[uü]rk[cç]e"),
    )
)

# Notices that a page is a translation (aggregators of machine-translated news).
TRANSLATION_NOTICE = re.compile(
    r"non-english news|translated (?:from|by|automatically|with|into)|machine[- ]translat|"
    r"automatic(?:ally)? translat|auto-translat|traducido|traduit|übersetzt|tradotto",
    re.IGNORECASE,
)

LANGUAGE_NAMES = {
    "en": "English",
    "es": "Spanish",
    "pt": "Portuguese",
    "fr": "French",
    "de": "German",
    "it": "Italian",
    "nl": "Dutch",
    "ar": "Arabic",
    "ru": "Russian",
    "zh": "Chinese",
    "ja": "Japanese",
    "ko": "Korean",
    "tr": "Turkish",
    "el": "Greek",
    "he": "Hebrew",
    "th": "Thai",
    "und": "an undetermined language",
}

# Every translation notice holds one of these (casefolded): a plain substring test skips
# the case-insensitive pattern on the texts that cannot match (0.27 ms a document).
_NOTICE_WORDS = ("translat", "non-english", "tradu", "übersetzt", "tradotto")


def _overlaps(folded: str, word: str) -> bool:
    """Can ``folded`` (one character's casefold) supply part of an occurrence of ``word``?

    >>> _overlaps("st", "translat"), _overlaps("ss", "translat"), _overlaps("t\u0308", "translat")
    (True, False, True)
    """
    if folded in word or word in folded:
        return True
    return any(word.startswith(folded[k:]) or word.endswith(folded[: len(folded) - k]) for k in range(1, len(folded)))


def _ascii_run(word: str) -> bytes:
    """The longest run of ASCII characters of ``word``, as bytes (``übersetzt`` → ``bersetzt``)."""
    runs: list[str] = re.findall(r"[\x00-\x7f]+", word)
    return max(runs, key=len).encode()


# Of those, the ones that could make a notice word (ſ → s in "translat", ẗ, ﬅ → st, …),
# and the ASCII letters each notice word must show in the text's bytes (see _may_hint).
_NOTICE_FOLDS = "".join(c for c in FOLDS_TO_ASCII if any(_overlaps(c.casefold(), w) for w in _NOTICE_WORDS))
_NOTICE_BYTES = tuple(_ascii_run(word) for word in _NOTICE_WORDS)


def _may_hint(text: str) -> bool:
    """False only when no notice word is in ``text.casefold()``, told without folding it.

    A notice word's ASCII letters in the casefolded text come from ASCII letters of the
    text, lower-cased, unless a character of _NOTICE_FOLDS supplies one: without those,
    the word's ASCII run is among the lower-cased bytes of the text. Lower-casing the
    UTF-8 bytes touches only ASCII letters and costs a fraction of casefolding a text
    outside Latin-1 (document_facts of a generated article: 83 against 59 µs).

    >>> _may_hint("A TRANSLATED story"), _may_hint("Übersetzt"), _may_hint("tranſlated"), _may_hint("Trade")
    (True, True, True, False)
    """
    if not text.isascii() and any(c in text for c in _NOTICE_FOLDS):
        return True
    data = text.encode("utf-8", "surrogatepass").lower()
    return any(run in data for run in _NOTICE_BYTES)


# Frequent function words per language: enough to tell the common news languages
# apart on a few hundred words (a document is mostly function words by count).
_FUNCTION_WORD_LISTS: dict[str, str] = {
    "en": "the of and to in is that for on with was as it by at from his her said have has",
    "es": "el la los las de y en que por con para del una un es se su al lo como",
    "pt": "o a os as de e em que por com para do da uma um é se seu ao não",
    "fr": "le la les de et en que pour avec des du une un est se sur au dans qui",
    "de": "der die das und in den von zu mit ist des sich auf für im dem nicht ein eine",
    "it": "il la i le di e in che per con del della una un è si al non sono",
    "nl": "de het een en van in is op te dat met voor niet zijn aan ook",
}
_FUNCTION_WORDS = {code: frozenset(words.split()) for code, words in _FUNCTION_WORD_LISTS.items()}
_SCRIPTS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("ru", re.compile(r"[\u0400-\u04ff]")),
    ("ar", re.compile(r"[\u0600-\u06ff]")),
    ("zh", re.compile(r"[\u4e00-\u9fff]")),
    ("ja", re.compile(r"[\u3040-\u30ff]")),
    ("ko", re.compile(r"[\uac00-\ud7af]")),
    ("el", re.compile(r"[\u0370-\u03ff]")),
    ("he", re.compile(r"[\u0590-\u05ff]")),
    ("th", re.compile(r"[\u0e00-\u0e7f]")),
)


# Any character of those scripts: one scan instead of one per script.
_ANY_SCRIPT = re.compile("|".join(pattern.pattern for _, pattern in _SCRIPTS))


@dataclass(frozen=True, slots=True)
class Credit:
    """An outlet cue read as evidence: what it credits, why, and how strongly."""

    outlet: str
    scope: CreditScope
    cue: OutletCue
    weight: float
    reason: str


def language(text: str) -> str:
    """A guess at the language of ``text``: an ISO 639-1 code, or ``"und"``.

    Non-Latin scripts decide by script (Japanese kana before Han); Latin-script text by
    the share of each language's function words among its tokens.

    >>> language("The minister said on Friday that the talks had failed.")
    'en'
    >>> language("El ministro dijo el viernes que las conversaciones habían fracasado.")
    'es'
    >>> language("Министр заявил в пятницу, что переговоры провалились.")
    'ru'
    >>> language("12345")
    'und'
    """
    if not any(map(str.isalpha, text)):
        return "und"
    # Text in none of the scripts below (most Latin-script news) goes straight to the
    # function words; collecting letters one by one cost ~1 ms an article (issue 9).
    if _ANY_SCRIPT.search(text):
        sample = "".join([ch for ch in text if ch.isalpha()][:5000])
        script_counts = {code: len(pattern.findall(sample)) for code, pattern in _SCRIPTS}
        if script_counts["ja"] > 0.05 * len(sample):
            return "ja"
        code, count = max(script_counts.items(), key=lambda item: item[1])
        if count > 0.3 * len(sample):
            return code
    words = tokens(text[:20000])
    if not words:
        return "und"
    counts = Counter(words)
    scores = {code: sum(counts[w] for w in vocab.intersection(counts)) for code, vocab in _FUNCTION_WORDS.items()}
    best, score = max(scores.items(), key=lambda item: (item[1], item[0] == "en"))
    return best if score >= max(1, 0.05 * len(words)) else "und"


def edition_language(cue_text: str) -> str | None:
    """The language of a foreign-language edition named in a credit, if any.

    >>> edition_language("Source: cnnespanol"), edition_language("Source: Reuters")
    ('es', None)
    """
    for code, pattern in _EDITION_LANGUAGE:
        if pattern.search(cue_text):
            return code
    return None


def _paragraph_index(doc: Document, position: int) -> int | None:
    for index, paragraph in enumerate(doc.paragraphs):
        if paragraph.clean.start <= position < paragraph.clean.end:
            return index
    return None


def _lead_paragraphs(doc: Document, settings: LineageSettings) -> set[int]:
    """Indices of the lead: the first body paragraphs that read as prose (not headings)."""
    lead: list[int] = []
    for index, paragraph in enumerate(doc.paragraphs):
        if len(paragraph.key.split()) >= settings.lead_min_words:
            lead.append(index)
        if len(lead) >= settings.lead_paragraphs:
            break
    return set(lead)


def _credit_line(doc: Document, index: int, settings: LineageSettings) -> bool:
    """True when paragraph ``index`` is one short line: a credit standing on its own."""
    paragraph = doc.paragraphs[index]
    text = paragraph.clean.slice(doc.clean)
    return "\n" not in text.strip() and len(paragraph.key.split()) <= settings.credit_line_max_words


def _line_of(doc: Document, cue: OutletCue) -> str:
    """The line the cue stands on."""
    start = doc.clean.rfind("\n", 0, cue.span.start) + 1
    end = doc.clean.find("\n", cue.span.end)
    return doc.clean[start : end if end >= 0 else len(doc.clean)]


def classify(doc: Document, cue: OutletCue, settings: LineageSettings) -> Credit:
    """Read one outlet cue of ``doc`` as a piece, fact or self credit, with its weight."""
    index = _paragraph_index(doc, cue.span.start)
    if cue.kind == "outlet line" and cue.outlet not in WIRE_AGENCIES:
        return Credit(cue.outlet, "self", cue, settings.weight_self_credit, "the page's own masthead line")
    if cue.kind in _PIECE_KINDS:
        return Credit(cue.outlet, "piece", cue, settings.weight_piece_credit, f"{cue.kind} credits the piece")
    if cue.kind == "copyright":
        if cue.outlet in WIRE_AGENCIES:
            return Credit(cue.outlet, "piece", cue, settings.weight_piece_credit, "a news agency's copyright line")
        # the service named beside the outlet, not in its name ("© 2021 Harbour Wire" is the page's own)
        if _SYNDICATION.search(_line_of(doc, cue).replace(cue.outlet, " ")):
            reason = "a syndication service's copyright line"
            return Credit(cue.outlet, "piece", cue, settings.weight_piece_credit, reason)
        return Credit(cue.outlet, "self", cue, settings.weight_self_credit, "the page's own copyright line")
    if cue.kind in _LEAD_KINDS and index is not None and index in _lead_paragraphs(doc, settings):
        return Credit(cue.outlet, "piece", cue, settings.weight_lead_credit, f"“{cue.text}” in the lead")
    if cue.kind in _LEAD_KINDS and index is not None and _credit_line(doc, index, settings):
        # "Example Times reported the story first." on a line of its own credits the piece.
        return Credit(cue.outlet, "piece", cue, settings.weight_piece_credit, f"“{cue.text}” as a credit line")
    return Credit(cue.outlet, "fact", cue, settings.weight_fact_credit, f"“{cue.text}” attributes one fact")


def credits(doc: Document, settings: LineageSettings) -> tuple[Credit, ...]:
    """Every outlet cue of ``doc`` classified, in text order."""
    return tuple(classify(doc, cue, settings) for cue in doc.metadata.outlet_cues)


def piece_outlets(found: Sequence[Credit]) -> list[tuple[str, float]]:
    """Outlets credited for the whole piece, strongest first (weights summed per outlet).

    Ties are broken by name so the order is deterministic.
    """
    totals: dict[str, float] = {}
    for credit in found:
        if credit.scope == "piece":
            totals[credit.outlet] = totals.get(credit.outlet, 0.0) + credit.weight
    return sorted(totals.items(), key=lambda item: (-item[1], item[0]))


def signed_writers(found: Sequence[Credit]) -> list[tuple[str, Credit]]:
    """Each writer a signed byline names ("Lucas Shaw, Bloomberg"), with its credit.

    >>> from provenance.api import document_from_text
    >>> doc = document_from_text("Title of it\\n\\nBy Jane Roe and John Doe, Example Times\\n\\nText.")
    >>> [(w, c.outlet) for w, c in signed_writers(credits(doc, LineageSettings()))]
    [('Jane Roe', 'Example Times'), ('John Doe', 'Example Times')]
    """
    out: list[tuple[str, Credit]] = []
    for credit in found:
        if credit.cue.kind == "signed byline" and (match := _WRITERS.match(credit.cue.text)) is not None:
            out.extend((w, credit) for w in _WRITER_SPLIT.split(match.group("w").strip()) if w)
    return out


def bare_byline(doc: Document, writer: str) -> Span | None:
    """The line where ``doc`` names ``writer`` in a byline that names no outlet ("Lucas Shaw",
    "By Lucas Shaw and Jane Roe"), if any.

    Read from the clean text (the lines of a document built by a worker keep only its
    furniture): each place the name stands, in any case, and the line around it.

    >>> from provenance.api import document_from_text
    >>> doc = document_from_text("Title of it\\n\\nBy JANE ROE and John Doe\\n\\nJane Roe spoke.")
    >>> bare_byline(doc, "Jane Roe"), bare_byline(doc, "Tom Post")
    (Span(start=13, end=37), None)
    """
    folded = writer.casefold()
    clean = doc.clean
    for found in re.finditer(re.escape(writer), clean, re.IGNORECASE):
        start = clean.rfind("\n", 0, found.start()) + 1
        end = clean.find("\n", found.end())
        end = len(clean) if end < 0 else end
        if end - start > _BYLINE_MAX_CHARS:
            continue
        text = clean[start:end].strip()
        if not _BARE_BYLINE.fullmatch(text):
            continue
        names = _WRITER_SPLIT.split(text[2:].strip() if text.startswith("By") else text)
        if any(name.casefold() == folded for name in names):
            return Span(start, end)
    return None


def translation_evidence(doc: Document, found: Sequence[Credit], settings: LineageSettings) -> list[Evidence]:
    """Cues that ``doc`` is a translation: a foreign edition credited, a translation notice."""
    evidence: list[Evidence] = []
    own: str | None = None  # the text's language, guessed only when an edition is credited
    for credit in found:
        edition = edition_language(credit.cue.text) if credit.scope == "piece" else None
        if edition is None:
            continue
        if own is None:
            own = language(" ".join(segment.clean.slice(doc.clean) for segment in doc.paragraphs))
        if edition != own:
            evidence.append(
                Evidence(
                    "translation",
                    f"credits “{credit.cue.text}”, a {LANGUAGE_NAMES[edition]}-language edition, "
                    f"in a text written in {LANGUAGE_NAMES.get(own, own)}",
                    settings.weight_translation_credit,
                    credit.cue.span,
                )
            )
    # One scan of the whole text first: no notice anywhere (nearly always) means none in a
    # line (the pattern never spans a line break), and 20 line scans cost ~0.3 ms a document.
    hinted = _may_hint(doc.clean) and any(word in doc.clean.casefold() for word in _NOTICE_WORDS)
    lines = doc.lines if hinted and TRANSLATION_NOTICE.search(doc.clean) else ()
    for line in lines:
        text = line.clean.slice(doc.clean)
        match = TRANSLATION_NOTICE.search(text)
        if match:
            evidence.append(
                Evidence(
                    "translation",
                    f"translation notice “{text.strip()}”",
                    settings.weight_translation_notice,
                    line.clean,
                )
            )
    return evidence
