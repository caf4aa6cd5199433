"""One frozen ``Settings`` object, composed of per-stage slices.

Every threshold the pipeline uses lives here, with the measurement that chose it in
the comment above it and what it does, in a line for users, in the docstring below it
(``python -m provenance.docs`` makes docs/settings.md of them and of the ranges; a
setting without that docstring fails tests/test_docs.py). Each stage receives only its
own slice. Settings can be overridden from ``[tool.provenance]`` in a corpus's
``pyproject.toml`` and from the command line (``--set stage.name=value``);
:func:`with_overrides` is the one place that turns such strings into typed values.
"""

from __future__ import annotations

import dataclasses
import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from provenance.errors import SettingsError


@dataclass(frozen=True, slots=True)
class Range:
    """The values a numeric setting allows: ``lo`` to ``hi`` (None: unbounded), ``lo`` itself
    excluded when ``open_lo``; whole numbers only when ``integer``.

    >>> Range(1, 32, integer=True).describe(), Range(0.0, 1.0).allows(1.5)
    ('an integer from 1 to 32', False)
    """

    lo: float | None
    hi: float | None
    integer: bool = False
    open_lo: bool = False

    def allows(self, value: object) -> bool:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return False
        if (self.integer and not isinstance(value, int)) or not math.isfinite(value):
            return False
        if self.lo is not None and (value <= self.lo if self.open_lo else value < self.lo):
            return False
        return self.hi is None or value <= self.hi

    def describe(self) -> str:
        kind = "an integer" if self.integer else "a number"
        lo, hi = _shown_number(self.lo), _shown_number(self.hi)
        if self.lo is None:
            return f"{kind} of at most {hi}"
        if self.open_lo:
            return f"{kind} above {lo}" + ("" if self.hi is None else f" and at most {hi}")
        return f"{kind} of at least {lo}" if self.hi is None else f"{kind} from {lo} to {hi}"


def _shown_number(value: float | None) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


# Field makers: the default and the allowed range of a setting, kept in the field's metadata
# ("range") so the one validator below, and the settings reference (docs/settings.md), read them from there.
def count(default: int, lo: int, hi: int | None = None) -> int:
    """A whole-number setting from ``lo`` (to ``hi``)."""
    return field(default=default, metadata={"range": Range(lo, hi, integer=True)})


def number(default: float, lo: float | None = None, hi: float | None = None, *, above: float | None = None) -> float:
    """A real-number setting from ``lo`` (or strictly above ``above``) to ``hi``."""
    bound = lo if above is None else above
    return field(default=default, metadata={"range": Range(bound, hi, open_lo=above is not None)})


def share(default: float) -> float:
    """A share, similarity or ratio: 0 to 1."""
    return number(default, 0.0, 1.0)


def weight(default: float) -> float:
    """Lineage evidence, on the scale where 1.0 decides a parent on its own: 10 is far past any use."""
    return number(default, 0.0, 10.0)


class _Checked:
    """Base of the settings slices: a slice is checked against its ranges whenever it is made
    (defaults, ``replace``, a library caller's own), so no stage ever sees a value out of range."""

    __slots__ = ()

    def __post_init__(self) -> None:
        problem = slice_problem(self)
        if problem is not None:
            raise SettingsError(problem)


@dataclass(frozen=True, slots=True)
class IngestSettings(_Checked):
    # File endings read when a directory is given; explicit file paths are always read.
    extensions: tuple[str, ...] = (".txt", ".md")
    """file endings read from directories (explicit files are always read)"""
    # Larger files are rejected as "too-large": news articles are kilobytes, a 10 MB
    # "article" is a dump or a mistake, and reading it would dominate a run.
    max_bytes: int = count(10_000_000, 1)
    """larger files are rejected as `too-large`"""
    # Share of control characters (other than tab/newline/CR/FF) above which decoded
    # text is treated as binary. Real text has none; 1% tolerates stray form feeds.
    max_control_ratio: float = share(0.01)
    """share of control characters above which a file is `binary`"""
    # Symlinks are read only where they resolve inside the folder given (a corpus's links
    # to ~/.aws/credentials must not reach a report); true reads them wherever they point.
    follow_symlinks: bool = False
    """read symlinks to files wherever they lead (`--follow-symlinks`); else only those inside the folder given"""


@dataclass(frozen=True, slots=True)
class NormalizeSettings(_Checked):
    # A line this short (in words) without sentence punctuation, standing between
    # paragraphs, is heading-like (a title, a section heading or a link headline).
    heading_max_words: int = count(14, 1)
    """longest line (words) without sentence punctuation treated as heading-like"""
    # Heading-like lines shorter than this are section headings; longer ones that
    # repeat inside the document or are followed by a timestamp are link furniture.
    section_heading_max_words: int = count(6, 1)
    """heading-like lines inside the body longer than this are related-link furniture"""
    # A short line that recurs in at least this many documents is page furniture
    # (site navigation, newsletter boxes), never shared content.
    furniture_min_docs: int = count(3, 2)
    """a short unpunctuated line in this many documents is furniture"""
    # Lines repeated across documents are only furniture when this short (words):
    # a whole article republished three times must not be erased.
    furniture_repeat_max_words: int = count(16, 1)
    """only lines this short can become furniture by repetition"""
    # How many leading non-blank lines are searched for the title.
    title_search_lines: int = count(8, 1)
    """leading lines searched for a title"""
    # A title has at least this many words (mastheads like "The Daily" have fewer).
    title_min_words: int = count(4, 1)
    """shorter heading lines (mastheads) are not titles"""


@dataclass(frozen=True, slots=True)
class FingerprintSettings(_Checked):
    # Word n-gram size for shingles. 5 keeps stock three- and four-word phrases from
    # linking unrelated articles while one edited word breaks only 5 shingles. Measured
    # (bench/quality.py): 3-grams make 15% of unrelated generated articles collide in
    # the MinHash index (quadratic candidate growth at scale) against ~0 with 5-grams;
    # short, paraphrased answers (Clough light revisions) need 3 (see bench/floors.json).
    # Longer than 32 words a shingle only matches verbatim runs of a paragraph and more.
    shingle_size: int = count(5, 1, 32)
    """word n-gram size of shingles: larger is stricter (precision) and keeps unrelated articles from colliding at
    scale, smaller finds heavier edits (recall; use `3` for short paraphrased texts such as the Clough answers)"""
    # MinHash permutations; 128 gives a standard error of about 0.044 on Jaccard. The
    # signatures of a corpus take num_perm x 4 bytes a document in memory and in the index:
    # past 1024 the error gains nothing worth the memory.
    num_perm: int = count(128, 1, 1024)
    """MinHash permutations: more is more accurate and slower; each is one band of the candidate index"""
    # datasketch seeds numpy's RandomState, which takes 32-bit seeds.
    seed: int = count(1, 0, 2**32 - 1)
    """MinHash seed; signatures with other seeds are refused"""
    # Word bigrams kept for the second sketch (issue 31): those whose hash is a multiple of
    # this. A quarter keeps ~75 of a 300-word article's, enough to tell a copy with every
    # fifth word dropped (0.75 of its bigrams in the source) from a report of the same
    # event (bench/disguise_thresholds.py), at ~2 KB a document.
    bigram_sample: int = count(4, 1, 1024)
    """word bigrams kept for the second sketch (one in this many, by hash): more is smaller and less sure"""


@dataclass(frozen=True, slots=True)
class CandidateSettings(_Checked):
    """Candidate search and exact verification of pairs (issue: candidates)."""

    # The search is tuned to find every pair in which this share of the smaller
    # document's shingles occurs in the other; the size-aware collision threshold is
    # derived from it. 0.2 finds every Clough light revision (0.15 at the lowest, with
    # the floor below) and every generated excerpt; 0.3 lost one light revision.
    search_containment: float = number(0.2, above=0.0, hi=1.0)
    """smallest containment (of the smaller document in the other) the search is tuned to find; lower finds more
    excerpts and light edits (recall) at the cost of more candidates to verify"""
    # Standard deviations of slack below the expected number of colliding minhash rows
    # at that containment (binomial): 3 keeps the miss rate per pair near 0.1%.
    search_slack: float = number(3.0, 0.0, 10.0)
    """standard deviations of slack under the expected number of colliding minhash rows: higher is more recall, more
    candidates"""
    # Never fewer colliding rows than this: one shared shingle must not make a candidate.
    # 3 lost a Clough light revision that collides in 2 of 128 rows.
    min_collisions: int = count(2, 1)
    """fewest colliding minhash rows that make a candidate: higher is fewer candidates, loses short or lightly revised
    reuse"""
    # Shingles in more than this many distinct texts (boilerplate, stock phrases) are
    # dropped before search and verification (passim's max_df, whose default is 100).
    # 500 keeps a wire story's family of up to 500 different republications linkable
    # and bounds the pairs one minhash bucket can emit at 125k.
    max_df: int = count(500, 1)
    """shingles in more distinct texts are dropped before search and verification (boilerplate, stock phrases never link
    documents); lower is faster and drops more common text, too low loses a large family of near-copies (verbatim copies
    count once)"""
    # In the search, the documents sharing one minhash value (a bucket) pair each with the
    # this many largest of them, not all with all: the work stays linear however many
    # documents share a stock phrase or one widely excerpted passage, and an excerpt still
    # meets the fuller text it came from (the largest of the buckets they share).
    bucket_hubs: int = count(32, 1)
    """in the search, documents sharing one minhash value pair each with this many largest of them, not all with all:
    work stays linear however many documents share a stock phrase or a widely excerpted passage"""
    # Candidates verified per document: those with the highest containment estimated from
    # the search, this many a document (a pair is kept when it is among the best of either
    # side). Bounds verification on corpora where every document shares a sentence or two
    # with hundreds of others; a copy or an excerpt estimates far above such pairs.
    max_partners: int = count(16, 1)
    """candidates verified per document, best estimated containment first (a pair is kept when among the best of either
    side): bounds verification where every document shares a sentence or two with hundreds of others"""
    # A verified pair has at least this containment (either direction, exact). Clough
    # with 3-grams: non-derived answers reach 0.09, light revisions start at 0.15; with
    # 5-grams news_events_dev cross-event pairs reach 0.014 and unrelated seeds 0.004.
    verify_containment: float = share(0.12)
    """exact containment (either direction) a verified pair needs: higher is more precision, lower reports heavier
    revisions"""
    # ... and shares at least this many shingles (about one sentence), so two short
    # texts never link on a stock phrase or two.
    verify_shared: int = count(10, 1)
    """exact shared shingles a verified pair needs: keeps two short texts from linking on a stock phrase"""
    # The second sketch (issue 31): a pair no 5-gram links but whose sampled word bigrams
    # (fingerprint.bigram_sample) lie at least this much in one another is a copy with words
    # dropped or inserted throughout. Searched and verified like the shingles, at a
    # containment only near-full copies reach. bench/disguise_thresholds.py on 234 real
    # articles (news_events_dev, COUNTER), quoted statements left out as in the analysis,
    # with every fifth word dropped, a word added every fourth, or one in five either at
    # random: 0.47-0.96, 97.9-99.6% at 0.6 (99.6-100% at 0.5). Pairs of near-full length no
    # 5-gram links score at most 0.34 (news_events_dev same event, 674 pairs), 0.31
    # (COUNTER non-derived, 36) and 0.16 (Clough non-derived); bench.real_quality reports
    # no pair from this sketch on either data set.
    # Above 1 turns the second sketch off.
    bigram_containment: float = number(0.6, above=0.0, hi=2.0)
    """sampled-bigram containment making a pair no 5-gram links a copy with words dropped or added (over 1: off)"""
    # ... sharing at least this many sampled bigrams (about 30 bigrams: a paragraph).
    bigram_shared: int = count(8, 1)
    """sampled bigrams such a pair shares at least"""
    # ... between texts of near-full length: the smaller sample holds at least this share
    # of the larger's size (a copy with every fifth word dropped holds 0.8). Without it one
    # COUNTER non-derived pair (a 120-word agency story in a 900-word report, 0.13) scores 0.62.
    bigram_size_ratio: float = share(0.5)
    """the smaller bigram sample holds at least this share of the larger's size: near-full copies only"""
    # MinHash permutations of the bigram search, read two at a time as one band key
    # (fingerprint.band_signatures): the disguised copies of bench/disguise_thresholds.py
    # that verify (J >= 0.38) share a key in one of 32 bands with probability >= 0.993
    # (0.13 expected misses of 699; 32 permutations in 16 bands: 5.7; the bench's search
    # found all 693 copies at the threshold). A pair sharing a key is then kept when its
    # rows collide as often as candidates.search_slack allows at bigram_containment (a
    # bigram low in both rows of a band otherwise pairs every two texts holding it). Among
    # 10k generated articles: one row a bucket gave 1.36M colliding pairs, bands 15k, of
    # which 12.6k of near-full length and 898 after the row count (850 verify).
    bigram_perm: int = count(64, 2, 1024)
    """MinHash permutations of the bigram search, read two at a time as one band key"""
    # The rewrite tier (issue 28): journalists' rewrites keep few 5-grams (COUNTER derived
    # pairs: median 5-gram containment 0.01-0.03) but most rare words. A word is rare when
    # in at most rewrite_rare_share of the documents (at least 2); a pair is a rewrite
    # candidate when the smaller document's rare words (quoted statements left out) lie at
    # least rewrite_containment in the other's, and is reported only when alignment finds
    # reworded sentences (align.rewrite_*). bench/rewrite_signals.py with rare = at most 5%
    # of the documents: containment >= 0.23 with one aligned sentence gives COUNTER binary
    # F1 0.846 (0.845 without the sentence) and no judged negative of news_events_dev
    # (0.15: 2, 0.20: 0 and F1 0.839; 0.30: 0.808). Above 1 turns the tier off.
    rewrite_containment: float = number(0.23, above=0.0, hi=2.0)
    """rare-word containment (of the smaller document in the other) making a pair a rewrite candidate (over 1: off)"""
    rewrite_rare_share: float = share(0.05)
    """a word in at most this share of the documents is rare (the rewrite tier's words; the rest are common)"""
    # ... sharing at least this many rare words: two short texts never pair on a name or two.
    rewrite_shared: int = count(8, 1)
    """rare words a rewrite candidate shares at least"""
    # Rare words are shared by many more documents than shingles are: each document of a
    # bucket pairs with this many of its largest members (bucket_hubs for shingles). 8 finds
    # what 32 does on COUNTER (binary F1 0.772) at 321 against 730 MiB of peak for 10k
    # generated articles; 4 loses a little (0.769).
    # 10k generated articles, rewrite search peak: 64 perms 321 MiB, 32 176, 16 98; COUNTER
    # binary F1 0.772, 0.765, 0.729 (bench.real_quality).
    rewrite_perm: int = count(32, 2)
    """MinHash permutations of the rewrite tier's rare-word search (time and memory grow with them)"""
    rewrite_hubs: int = count(8, 1)
    """members of a rare-word bucket each document pairs with (the largest ones; memory and time grow with it)"""


@dataclass(frozen=True, slots=True)
class AlignSettings(_Checked):
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
    sentence_cutoff: float = share(0.8)
    """`fuzz.ratio` of two sentence keys from which they are the same sentence: lower finds heavier edits (recall),
    higher draws in fewer short neighbours (precision)"""
    # Only sentences with keys at least this long anchor a passage; shorter ones join a
    # passage next to an anchor. 25 let two short sentences of a site widget ("% of
    # readers think this story is Fact. Add your two cents.") match across outlets
    # (real corpus precision 0.9983 vs 1.0); 15–40 give the same recall everywhere.
    anchor_chars: int = count(40, 1)
    """only sentences this long start a passage; shorter ones join one next to them"""
    # Passages whose shorter side has a key shorter than this are dropped: 20 lets in
    # 1.6x more wrong characters (datelines, credit lines), 60 loses recall (real 0.9793).
    min_passage_chars: int = count(40, 0)
    """shorter passages are dropped (matching datelines and bylines): lower adds noise, higher loses short quotes"""
    # Also compare two adjacent sentences of a paragraph with one sentence of the other
    # document (one side merged what the other split): recall without it 0.842 on our
    # corpus (0.9993 with), 0.978 / 0.979 on the synthetic / real corpora (0.983 / 0.982).
    windows: bool = True
    """also match two adjacent sentences with one (one side merged what the other split); off is faster and loses such
    passages"""
    # The rewrite tier's verification (issue 28): a sentence of one document and one of the
    # other (neither mostly a quoted statement) are the same sentence reworded when they
    # share rewrite_words rare words (candidates.rewrite_rare_share) and these are at least
    # rewrite_similarity of the smaller's; sentences pair one to one, best first.
    # bench/rewrite_signals.py: 0.3 with 3 words, COUNTER binary F1 0.846 with one such
    # sentence (0.4: 0.832, 0.5: 0.830; two sentences: 0.749); no judged negative of
    # news_events_dev passes the candidates' containment with one.
    rewrite_similarity: float = share(0.3)
    """share of the shorter sentence's rare words the other holds for two sentences to be one reworded"""
    rewrite_words: int = count(3, 1)
    """rare words two reworded sentences share at least"""
    rewrite_sentences: int = count(1, 1)
    """reworded sentences a rewrite candidate needs to be reported"""
    # Two passages separated by one sentence on each side are joined when those two
    # sentences are at least this similar (a heavily edited sentence inside a copy):
    # recall 0.902 -> 0.934 with a fifth of the words changed; 0.5 also joins differing
    # date lines (precision 0.9988 / 0.9978 on synthetic / real instead of 0.9994 / 0.9983).
    bridge_cutoff: float = share(0.7)
    """join two passages across one sentence per side this similar (a heavily edited sentence): lower joins unrelated
    neighbours"""
    # A sentence next to a passage that is a cut-down version of its counterpart
    # (fuzz.partial_ratio, 0–1) extends the passage to the words they share: recall
    # 0.9880 -> 0.9993 on our corpus, 0.9810 -> 0.9831 synthetic, 0.9802 -> 0.9815 real.
    trim_cutoff: float = share(0.9)
    """`fuzz.partial_ratio` from which a sentence next to a passage is a cut-down version of its counterpart (excerpt
    ending mid-sentence)"""
    # ... when the cut-down sentence has a key at least this long.
    trim_min_chars: int = count(20, 0)
    """shortest cut-down sentence considered"""
    # Matched sentences at a passage's edge whose lengths differ more than this (shorter
    # over longer) are cut to the words they share too: precision 0.9993 -> 0.9999 on
    # our corpus (0.7: 0.9994; 0.95 costs 0.0002 recall), the bench corpora unchanged.
    trim_length_ratio: float = share(0.85)
    """matched sentences at a passage's edge differing more in length (shorter/longer) are cut to the words they share:
    higher cuts more (precision)"""
    # A sentence whose word 3-grams lie at least this much inside another sentence of
    # the same document is an internal repeat (key points, pull quotes; seed 000's edited
    # key point holds 0.85 of its 3-grams in the body sentence it restates).
    repeat_containment: float = share(0.8)
    """share of a sentence's word 3-grams inside another sentence of the same document that makes it an internal repeat
    (key points, pull quotes)"""
    # ... when it has at least this many words.
    repeat_min_words: int = count(6, 1)
    """shorter sentences are never internal repeats"""


@dataclass(frozen=True, slots=True)
class QuoteSettings(_Checked):
    """Direct-quote extraction, attribution and trails (issue: quotes)."""

    # A quote of at least this many words is a statement whatever its shape; shorter
    # quotes are statements from clause_min_words when they look like a sentence or hold
    # a clause word ("the Russians wouldn’t do anything"). bench/quote_thresholds.py on
    # 270 hand-labelled quotes of news_events_dev: 11/3 is 0.926 accurate with 2
    # statements called phrases (8/3: 0.900, 1; 15/3: 0.937 but 5 statements lost, and
    # a lost statement loses its speaker, which costs more than a phrase called a statement).
    statement_min_words: int = count(11, 1)
    """quotes this long are statements whatever their shape; shorter ones are phrases unless they look like a
    sentence"""
    clause_min_words: int = count(3, 1)
    """shortest quote that can be a statement by shape (capital and full stop) or by a clause word (`wouldn’t`, `I`)"""
    # How far (characters) after a closing mark and before an opening mark a cue is searched:
    # the longest cue with an appositive seen in the seeds and the dev set is ~110 characters.
    cue_window_chars: int = count(160, 1)
    """how far after a closing mark and before an opening mark attribution cues are read"""
    # A pronoun ("she said") resolves to a person named in the same or this many previous
    # paragraphs. On news_events_dev + seeds, 2 resolves 11 pronoun cues, all right by hand;
    # 3 adds 3, all wrong (a name three paragraphs up is a different person).
    pronoun_paragraphs: int = count(2, 0)
    """`“…,” she said` resolves to a person named in the same or this many previous paragraphs, else stays
    unattributed"""
    # A closing mark with no opener pairs with a stray closing-shaped mark at most this many
    # words before (a quoted term, as in seed 004's `partnership." without limits”`).
    misplaced_mark_max_words: int = count(8, 0)
    """a closing mark with no opener pairs with a stray closing-shaped mark at most this many words before it"""
    # A pull-quote line has this many words (a shorter line is a caption, a longer one a
    # paragraph); pull quotes are one to three sentences.
    pull_quote_min_words: int = count(5, 1)
    """shortest line read as a pull quote (above a name line and a title line)"""
    pull_quote_max_words: int = count(80, 1)
    """longest line read as a pull quote"""
    # The title line under a pull-quote name is at most this long (words); body text after
    # the block must have a longer line, so an author signature at the end is not a pull quote.
    pull_quote_title_max_words: int = count(12, 1)
    """longest title line under a pull-quote name"""
    # Trails: variants are indexed by word trigrams (a 5-word trimmed quote still shares
    # three of them with its full version).
    ngram_words: int = count(3, 1)
    """word n-grams that index quote variants for trail candidates"""
    # A trigram shared by more distinct quote variants than this is a stock phrase and is
    # not indexed, which bounds the pairs scored per trigram (passim drops common shingles too).
    max_postings: int = count(200, 1)
    """n-grams shared by more distinct variants are stock phrases and not indexed (keeps candidates linear)"""
    # Each variant probes the index with its this many rarest n-grams (a trimmed copy's
    # rarest n-grams are in the full version too). On news_events_dev + seeds, 2, 3, 4 and
    # all n-grams give the same 253 trails, 1 misses a link: 4 keeps a margin.
    probe_grams: int = count(4, 1)
    """each quote variant looks up its this many rarest n-grams in the index; more finds more heavily edited copies,
    fewer is faster"""
    # Each quote variant is scored against at most this many other variants, those sharing
    # the most probes first (pairs already joined through others are skipped): bounds the
    # work to linear even when hundreds of near-copies differ just enough not to link.
    max_candidates: int = count(32, 1)
    """each quote variant is scored against at most this many variants found by its probes (bounds trail grouping to
    linear work)"""
    # A statement of at least this many words joins a longer one that contains it (trimmed):
    # "We rolled this out wrong" (5 words) is a trimmed copy in news_events_dev.
    trim_min_words: int = count(5, 1)
    """shortest statement that joins a longer one containing it (trimmed); shorter quotes must be nearly equal"""
    # Share of the shorter statement's words found in the longer one, in runs of
    # min_block_words. bench/quote_thresholds.py on the 293 candidate pairs of news_events_dev:
    # same-quote pairs score >= 0.83, different quotes <= 0.72 (overlapping excerpts).
    link_containment: float = share(0.8)
    """share of the shorter statement's words found in the longer one: lower links more heavily edited quotes (recall),
    higher keeps different quotes apart (precision)"""
    min_block_words: int = count(2, 1)
    """containment counts matched words only in runs this long, so scattered common words do not link quotes"""
    # Otherwise two quotes are one when their folded texts reach this rapidfuzz ratio: the
    # highest different-quote pair there scores 0.70, changed-word variants 0.90 and more
    # (above 0: rapidfuzz refuses a cutoff of 0).
    link_ratio: float = number(0.85, above=0.0, hi=1.0)
    """otherwise two quotes are one when their folded texts reach this rapidfuzz ratio"""
    # Diffs list up to this many words of one change; longer runs are counted.
    diff_list_max: int = count(6, 0)
    """diffs list up to this many words of one change; longer runs are counted"""
    # Per document, the other documents sharing one of its quotes are counted up to this
    # many and this many are named: a statement carried by every outlet would otherwise give
    # each document a list of all the others (quadratic in the trail's size).
    # A linked group of more quote variants than this is split into trails around its longest
    # variants through the candidate index (linear), not by comparing every variant with each
    # reference in turn (quadratic: text recombined from stock quotes chains thousands).
    reference_group_max: int = count(64, 1)
    """a linked group of more quote variants is split into trails around its longest variants through the candidate
    index (linear) rather than each variant against each reference (quadratic)"""
    partners_counted: int = count(100, 1)
    """per document, other documents sharing one of its quotes are counted up to this many (a count at the cap means at
    least that many)"""
    partners_listed: int = count(10, 0)
    """... and this many are named (`shared_with`); the trails hold every carrier"""


@dataclass(frozen=True, slots=True)
class LineageSettings(_Checked):
    """Roles, parents and direction evidence (issue: lineage)."""

    # The lead: this many first prose paragraphs. "X reported" or "according to X" there
    # credits the whole piece (seed 001 opens with "..., CNBC reported."); deeper in the
    # body it attributes one fact (seed 002 cites the SCMP in its fourth paragraph).
    lead_paragraphs: int = count(2, 0)
    """first prose paragraphs where "X reported" / "according to X" credit the whole piece (deeper: one fact)"""
    # A paragraph is prose (not a heading, caption line or byline) from this many words.
    lead_min_words: int = count(8, 1)
    """a paragraph counts as prose for the lead from this many words"""
    # "X reported the story first." alone on a line this short (words) is a credit line for
    # the piece wherever it stands; in a longer paragraph outside the lead it is one fact.
    credit_line_max_words: int = count(12, 1)
    """"X reported the story first." alone on a line this short credits the piece wherever it stands"""
    # Weights of credit evidence, on the scale where 1.0 decides a parent on its own.
    # A credit line ("CNBC:", "Source: X", "(AP) —", "By The Associated Press") decides.
    weight_piece_credit: float = weight(1.0)
    """weight of a credit line ("CNBC:", "Source: X", "(AP) —", agency byline or copyright)"""
    # "X reported" in the lead: the text is a rewrite of X's report, slightly less sure.
    weight_lead_credit: float = weight(0.8)
    """weight of "X reported" in the lead (an attributed rewrite)"""
    # A single attributed fact says little about where the piece came from.
    weight_fact_credit: float = weight(0.1)
    """weight of a single attributed fact ("according to X" in the body, "told X")"""
    # A page's own copyright footer identifies its publisher, not a source.
    weight_self_credit: float = weight(0.5)
    """weight of the page's own masthead or copyright footer (its publisher)"""
    # A credited foreign-language edition whose language differs from the text's.
    weight_translation_credit: float = weight(0.9)
    """weight of a credited foreign-language edition whose language differs from the text's"""
    # A translation notice in the page furniture ("non-English news", "translated from").
    weight_translation_notice: float = weight(0.6)
    """weight of a translation notice in the page furniture"""
    # Translation evidence (summed weights) from which a document is a translated republication.
    translation_min: float = weight(0.9)
    """translation evidence (summed) from which a document is a translated republication"""
    # --- direction of a pair (positive evidence: the first document is the copy) ---
    # Containment asymmetry below this says nothing (light edits move both sides a little).
    containment_asymmetry_min: float = share(0.1)
    """containment difference below which a pair's asymmetry says nothing about direction"""
    # ... and from this difference it counts with its full weight.
    containment_asymmetry_full: float = number(0.4, above=0.0, hi=1.0)
    """containment difference from which asymmetry counts with its full weight"""
    # ... and it counts only as far as one side is mostly contained: nothing when the more
    # contained side has at most this share in the other, fully from the next one. An
    # excerpt with long commentary holds much own text, so asymmetry only compares lengths
    # (generated excerpts with commentary: 0.35-0.6 either way).
    contained_min: float = share(0.5)
    """containment asymmetry counts only when the more contained side has more than this share in the other …"""
    contained_full: float = share(0.8)
    """… and fully from this share (an excerpt with long commentary is not mostly contained)"""
    weight_containment: float = weight(1.0)
    """weight of containment asymmetry (the contained one is the copy)"""
    # "Read more" after the text: the page is a cut-down version of a longer piece.
    weight_truncation: float = weight(0.6)
    """weight of a truncation mark ("Read more") on one side"""
    # "Editor:", "Editor's note:", "Comment:" paragraphs: the page republishes with comment.
    weight_commentary: float = weight(0.4)
    """weight of a marked own comment ("Editor:", "Editor's note:") on one side"""
    # One side credits an outlet the other identifies itself as (masthead, copyright).
    weight_credit_match: float = weight(1.0)
    """weight of one side crediting the outlet the other identifies itself as"""
    # "Lucas Shaw, Bloomberg" on one page, "Lucas Shaw" alone on the other, which credits nobody:
    # the byline the outlet's own page prints.
    weight_writer_match: float = weight(1.0)
    """weight of one side signing a writer as an outlet's and the other carrying that writer's bare byline"""
    # One side credits an outlet for the piece, the other carries it without any credit.
    weight_credit_claim: float = weight(0.4)
    """weight of one side crediting an outlet for the piece while the other credits nobody"""
    # A later stated date.
    weight_date: float = weight(0.5)
    """weight of a later stated date"""
    # Per shared quote carried shortened on one side and in full on the other, up to the cap.
    weight_quotes: float = weight(0.2)
    """weight per shared quote carried shortened on one side and whole on the other"""
    quotes_cap: int = count(3, 0)
    """most quotes counted for that signal"""
    # Encoding damage (hex-escape residue, mojibake) typical of scraped copies.
    weight_damage: float = weight(0.3)
    """weight of encoding damage typical of scraped copies"""
    # A direction is decided from this summed weight ...
    decide_min: float = weight(0.3)
    """summed evidence from which a direction is decided (lower: more decisions, more errors)"""
    # ... unless both sides have at least this much evidence and the sum stays below it.
    conflict_min: float = weight(0.6)
    """evidence on both sides of at least this leaves a pair undecided unless the sum exceeds it"""
    # Confidence = 1 - exp(-rate * evidence): 1.0 of evidence gives 0.78, 2.0 gives 0.95.
    confidence_rate: float = number(1.5, above=0.0, hi=100.0)
    """confidence = 1 − exp(−rate × evidence)"""
    # Confidence reported for an original: no upstream found is not proof of origin.
    original_confidence: float = share(0.9)
    """confidence reported for an original (no upstream found is not proof of origin)"""
    # Documents named as examples when a document is independent coverage (it carries
    # statements that documents it shares no text with carry too); the rest are counted.
    independent_examples: int = count(3, 0)
    """documents named when a document is independent coverage (shares statements, not text, with them); the rest are
    counted"""
    # --- external parents ---
    # A piece credit this strong makes the credited outlet a parent.
    external_min: float = weight(0.8)
    """piece-credit weight from which the credited outlet becomes an `external:` parent"""
    # A document carries a credited piece when this share of the crediting document is in it.
    carrier_min: float = share(0.5)
    """share of a crediting document found in another for that one to carry the credited piece"""
    # A carrier's link to the outlet is indirect: its weight is the credit's times this.
    carrier_discount: float = share(0.8)
    """a carrier's link to the outlet weighs the credit times this"""
    # --- roles and relations ---
    # A copy covering this share of its source (and the source of it) is a full copy.
    full_min: float = share(0.8)
    """coverage (both ways) from which a copy is a full copy / full republication"""
    # Own text (not found elsewhere) from this share makes an excerpt "with commentary".
    commentary_min: float = share(0.2)
    """own share from which a republication is "with commentary" (`excerpt with commentary`)"""
    # A passage this similar (rapidfuzz ratio of the keys) is a near-exact copy: a copy with
    # a word changed here and there stays above it, a paraphrase falls below. Clough near
    # copies cover most of their text with such passages, revisions very little (0.97
    # separates them best of 0.90, 0.95, 0.97, 1.0).
    exact_similarity: float = share(0.97)
    """passage similarity from which a passage is a near-exact copy (a changed word stays above, a paraphrase falls
    below)"""
    # Shared text with less than this share in near-exact passages is paraphrased: a rewrite
    # (Clough, share of the aligned text: near copies 0.78-1.0 but for three, light and
    # heavy revisions 0-0.31 but for four).
    rewrite_exact_max: float = share(0.5)
    """shared text with less than this share in near-exact passages is paraphrased: a rewrite (higher: more rewrites,
    fewer copies)"""
    # A pair whose shared text is at least this share in identical passages (same matching
    # keys) was carried verbatim; between rewrite_exact_max and this, with light edits.
    verbatim_min: float = share(0.9)
    """share of a pair's shared text in identical passages from which its form is `verbatim` (below: `edited`)"""
    # Fewer aligned sentences than this on the side with fewer (and not all of that side) is
    # too little to call reuse: a wire lead or a caption two reports both carry.
    part_min_sentences: int = count(3, 1)
    """aligned sentences from which a shared passage is substantial (extent `part`); fewer, and under part_min_share:
    extent `none`"""
    # news_events_dev: the shared wire leads judged same-event cover at most 0.21 of a side;
    # COUNTER's reworded pairs often align only one or two sentences (bench.real_quality).
    part_min_share: float = share(0.3)
    """share of one side's text aligned from which shared text is substantial (extent `part`) however few its
    sentences"""
    # A roundup can carry several pieces; past this many, the rest are left out of `pieces`.
    pieces_max: int = count(16, 1)
    """most pieces one document is listed in (a roundup carrying more is listed in the first, by source id)"""


@dataclass(frozen=True, slots=True)
class CheckSettings(_Checked):
    """Policy of the CI gate, ``provenance check`` (issue: CI gate); ``[tool.provenance.check]``."""

    # A file of the drop that cannot be read as text (empty, binary, undecodable,
    # too large) fails the check.
    fail_on_rejected: bool = True
    """`provenance check`: a new file that cannot be read as text (empty, binary, undecodable, too large) fails"""
    # Exact duplicates fail: the same bytes, or the same text once page furniture is set
    # aside (identical shingle sets).
    fail_on_exact: bool = True
    """an exact duplicate fails: the same bytes, or the same shingle set (identical once page furniture is set aside)"""
    # Near-duplicates fail: Jaccard of the shingle sets from near_duplicate. Measured
    # (bench/check_thresholds.py): generated full copies score 0.865 at the lowest (wrapped in
    # furniture, hex- or mojibake-damaged included), excerpts at most 0.787 (an 80% excerpt),
    # light edits 0.60-0.84; news_events_dev's republished wire copies 0.828 and up.
    fail_on_near_duplicate: bool = True
    """a near-duplicate (Jaccard from `check.near_duplicate`) fails, credited or not"""
    near_duplicate: float = share(0.8)
    """Jaccard from which a match is a near-duplicate: generated full copies score 0.865 and up, excerpts at most 0.787;
    higher lets light edits through"""
    # A republication is a match holding republication_min of either file. news_events_dev:
    # the 43 verified pairs below 0.2 share 29-110 shingles, read by hand as the same company
    # statement quoted by independent reports; from 0.24 pairs share a wire caption or copied
    # sentences. Generated excerpts score 0.848 and up, excerpts with commentary 0.175 and up
    # (1 of 34 below 0.2).
    republication_min: float = share(0.2)
    """share of either file a match must hold to be a republication; below, shared text (a commonly quoted statement) is
    reported and passes"""
    # A republication without a credit line ("Source: X", "(AP) —", "X reported" in the
    # lead: a piece credit of provenance.credits) fails.
    fail_on_uncredited: bool = True
    """a republication without a credit line (`Source: X`, `(AP) —`, `X reported` in the lead) fails"""
    # Any republication fails, credited or not (a corpus that must hold originals only).
    fail_on_republication: bool = False
    """any republication fails, credited or not (a corpus of originals only)"""
    # Known syndication that passes: "NEW -> OTHER" glob patterns on ids or paths
    # (relative to the corpus root; a bare "OTHER" is "* -> OTHER"), and outlets whose
    # credit in the new file makes a republication pass.
    allow_pairs: tuple[str, ...] = ()
    """known syndication: `"NEW -> OTHER"` glob patterns on ids or corpus-relative paths (`*` crosses `/`; a bare
    `"OTHER"` is `"* -> OTHER"`); the pair passes every rule"""
    allow_outlets: tuple[str, ...] = ()
    """syndication partners: a new file crediting one of these outlets passes every rule but same bytes
    (case-insensitive)"""
    # The corpus documents sharing most text with a new file that are analysed with it
    # (the rest are counted in a note): bounds the sub-corpus at drop size x (1 + max_matches)
    # however large the family of copies in the corpus.
    max_matches: int = count(10, 1)
    """indexed documents sharing most text with a new file that are analysed with it (the others are counted in a note);
    bounds the work per file"""


@dataclass(frozen=True, slots=True)
class ReportSettings(_Checked):
    """Renderers: cut lengths and table sizes (issue: reports).

    Presentation only: the JSON, the workbook and the CSV files always hold every
    record; these caps keep the Markdown report a document a person reads.
    """

    # Most rows in one Markdown table; the rest are counted ("and N more, see the JSON
    # or the workbook"). Uncapped, a 10,000-document synthetic corpus gave a 30 MB
    # Markdown report (bench/bench_report.py), far past what a browser renders as a
    # page or a person reads; with 50 rows per table it is 256 KB.
    table_rows: int = count(50, 1)
    """most rows in one Markdown table; the rest are counted and left to the JSON and the workbook (which always hold
    every record)"""
    # Most documents drawn in the Mermaid lineage graph (documents in a relation
    # first, grouped by parent). Mermaid refuses diagrams over 50,000 characters
    # (``maxTextSize``); a node and its edge take about 150, so 80 stay well under
    # and the layout still reads on one screen.
    graph_nodes: int = count(80, 1)
    """most documents drawn in the Mermaid lineage graph (documents in a relation only)"""
    # Clusters shown with side-by-side excerpts of their shared passages (largest first).
    cluster_sections: int = count(10, 1)
    """clusters (largest first) described in the findings and shown with side-by-side passages"""
    # Documents given an appendix entry (documents in a relation first).
    appendix_documents: int = count(30, 1)
    """documents given a per-document evidence entry in the appendix (documents in a relation first)"""
    # Characters shown of a quoted text or passage before it is cut with "…": two
    # lines of a table cell on a laptop screen.
    excerpt_chars: int = count(160, 1)
    """characters of a passage or quote shown before it is cut (with "…")"""
    # Documents named in one table cell (a quote's carriers); the rest are counted.
    cell_items: int = count(10, 1)
    """documents named in one table cell of the Markdown report (a quote's carriers); the rest are counted"""


# Slices that decide what a run *does with* its findings, not what it finds: kept out of
# the analysis reports so a policy change does not change a report.
_POLICY_STAGES = frozenset({"check"})


@dataclass(frozen=True, slots=True)
class Settings:
    ingest: IngestSettings = field(default_factory=IngestSettings)
    normalize: NormalizeSettings = field(default_factory=NormalizeSettings)
    fingerprint: FingerprintSettings = field(default_factory=FingerprintSettings)
    candidates: CandidateSettings = field(default_factory=CandidateSettings)
    align: AlignSettings = field(default_factory=AlignSettings)
    quotes: QuoteSettings = field(default_factory=QuoteSettings)
    lineage: LineageSettings = field(default_factory=LineageSettings)
    check: CheckSettings = field(default_factory=CheckSettings)
    report: ReportSettings = field(default_factory=ReportSettings)

    def as_dict(self) -> dict[str, dict[str, Any]]:
        """Plain nested dict (tuples as lists) for JSON and reports."""
        out: dict[str, dict[str, Any]] = {}
        for stage in fields(self):
            values = dataclasses.asdict(getattr(self, stage.name))
            out[stage.name] = {k: list(v) if isinstance(v, tuple) else v for k, v in values.items()}
        return out

    def analysis_dict(self) -> dict[str, dict[str, Any]]:
        """The slices that shape an analysis, for its reports: all but the gate's policy (``check``).

        >>> "check" in Settings().as_dict(), "check" in Settings().analysis_dict()
        (True, False)
        """
        return {stage: values for stage, values in self.as_dict().items() if stage not in _POLICY_STAGES}


# Pairs of fields of one slice that must stay ordered: (smaller, larger, strictly).
# contained_min and contained_full bound a division (lineage), so they may not meet.
_ORDERED: dict[str, tuple[tuple[str, str, bool], ...]] = {
    "quotes": (("pull_quote_min_words", "pull_quote_max_words", False),),
    "lineage": (
        ("containment_asymmetry_min", "containment_asymmetry_full", False),
        ("contained_min", "contained_full", True),
    ),
}


def expectation(spec: dataclasses.Field[Any], current: object) -> str:
    """What a setting accepts, in words ("an integer from 1 to 32", "true or false")."""
    bounds = spec.metadata.get("range")
    if isinstance(bounds, Range):
        return bounds.describe()
    if isinstance(current, bool):
        return "true or false"
    return "a list of strings"


def value_problem(spec: dataclasses.Field[Any], value: object) -> bool:
    """True when ``value`` is not of the setting's type or outside its range."""
    bounds = spec.metadata.get("range")
    if isinstance(bounds, Range):
        return not bounds.allows(value)
    if isinstance(spec.default, bool):
        return not isinstance(value, bool)
    return not (isinstance(value, tuple) and all(isinstance(item, str) for item in value))


def slice_problem(values: object) -> str | None:
    """The first setting of a slice out of its range or order, in one sentence, or None.

    >>> slice_problem(FingerprintSettings()) is None
    True
    """
    stage = _STAGE_OF.get(type(values), type(values).__name__)
    for spec in fields(values):  # type: ignore[arg-type]
        value = getattr(values, spec.name)
        if value_problem(spec, value):
            return f"{stage}.{spec.name}={value!r}: must be {expectation(spec, spec.default)}"
    for small, large, strict in _ORDERED.get(stage, ()):
        a, b = getattr(values, small), getattr(values, large)
        if a > b or (strict and a == b):
            relation = "below" if strict else "at most"
            return f"{stage}.{small}={a!r} must be {relation} {stage}.{large}={b!r}"
    return None


def _coerce(spec: dataclasses.Field[Any], raw: object) -> object:
    """An override (command-line text or a TOML value) as the setting's type; ValueError when it is not one."""
    current = spec.default
    if isinstance(current, bool):
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in {"1", "true", "yes", "on"}:
            return True
        if text in {"0", "false", "no", "off"}:
            return False
        raise ValueError(raw)
    if isinstance(current, tuple):
        items = raw if isinstance(raw, list | tuple) else str(raw).split(",")
        return tuple(str(item).strip() for item in items if str(item).strip())
    if isinstance(raw, bool):  # TOML true is not a count
        raise ValueError(raw)
    if isinstance(current, int):
        if isinstance(raw, float):
            if not raw.is_integer():
                raise ValueError(raw)
            return int(raw)
        return int(str(raw).strip()) if isinstance(raw, str) else int(raw)  # type: ignore[call-overload]
    return float(str(raw).strip()) if isinstance(raw, str) else float(raw)  # type: ignore[arg-type]


def _origin(where: str, dotted: str, raw: object) -> str:
    """How the user gave a value: ``--set a.b=v``, ``--option v (a.b)``, or ``FILE: a.b = v``."""
    if where == "--set":
        return f"--set {dotted}={raw}"
    if where.startswith("--"):
        return f"{where} {raw} ({dotted})"
    return f"{where}: {dotted} = {raw!r}"


def with_overrides(
    settings: Settings, overrides: Mapping[str, object], origins: str | Mapping[str, str] = "--set"
) -> Settings:
    """Return ``settings`` with ``{"stage.name": value}`` overrides applied, each checked against
    its type and range; ``origins`` says where each came from (``--set``, an option, a file) for
    the one-line error.

    >>> with_overrides(Settings(), {"fingerprint.shingle_size": "4"}).fingerprint.shingle_size
    4
    >>> with_overrides(Settings(), {"fingerprint.shingle_size": "0"})
    Traceback (most recent call last):
    ...
    provenance.errors.SettingsError: --set fingerprint.shingle_size=0: must be an integer from 1 to 32
    """
    changed: dict[str, dict[str, object]] = {}
    for dotted, raw in sorted(overrides.items()):
        stage_name, _, key = dotted.partition(".")
        stage = getattr(settings, stage_name) if stage_name in _stage_names() else None
        spec = next((f for f in fields(stage) if f.name == key), None) if stage is not None else None
        if spec is None:
            raise SettingsError(f"unknown setting {dotted!r} (see docs/settings.md)")
        where = origins if isinstance(origins, str) else origins.get(dotted, "--set")
        try:
            value = _coerce(spec, raw)
        except (TypeError, ValueError, OverflowError):
            value = raw
        if value_problem(spec, value):
            raise SettingsError(f"{_origin(where, dotted, raw)}: must be {expectation(spec, spec.default)}")
        changed.setdefault(stage_name, {})[key] = value
    # One replace per slice: its fields' order is checked on the final values, not on a half-applied set.
    for stage_name, values in changed.items():
        settings = replace(settings, **{stage_name: replace(getattr(settings, stage_name), **values)})
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


# Each slice's stage name, for errors ("fingerprint.shingle_size").
_STAGE_OF: dict[type, str] = {f.default_factory: f.name for f in fields(Settings)}  # type: ignore[misc]
