"""Fingerprint: shingle sets and MinHash signatures of documents, computed in bulk.

Shingles are word n-grams over the tokens of a document's matching keys (the
paragraph keys of :mod:`provenance.segment`, so furniture never contributes), kept as a
*set* of stable 64-bit hashes: a sorted unique ``uint64`` array. Repetition inside one
document (key points repeated in the body, a pull quote) therefore counts once. A
document shorter than one shingle gets one shingle of all its tokens.

The shingles inside the document's quoted statements are left out (when its statements
are given): every outlet covering one press conference quotes the same words, and those
words are evidence of the same event, not of copied text (quote trails trace them). Two
reports sharing only a statement then share no shingles, and a statement quoted by a
thousand articles makes no pairs among them; a copy still shares its narrative.

Hashes are stable across processes and platforms (never Python's salted ``hash()``):
each token's UTF-8 bytes get a polynomial hash modulo 2**64 computed with one numpy
``add.reduceat`` (no Python loop over tokens), mixed by the MurmurHash3 64-bit finaliser; shingles
combine their tokens' hashes the same way.

Signatures are bit-identical to datasketch ``MinHash(num_perm, seed=seed,
hashfunc=lambda v: v)`` (scheme ``affine32``, the datasketch 2 default) updated with the
low 32 bits of each shingle hash: ``fmix32(v)`` then ``a * v + b`` in wrapping uint32
arithmetic, with the permutations taken from one seeded datasketch prototype. They are
computed for many documents at once as one numpy matrix per chunk (issue 9 measured
~12,700 docs/s for a vectorised signature against ~1,900 for datasketch
``update_batch``). A :class:`Fingerprint` records the parameters that made it, and
comparing fingerprints made with other parameters raises :class:`FingerprintError`.
Fingerprints serialise to bytes (little-endian arrays and a JSON header; no pickles).

This module never looks at more than one document's shingles at a time for scoring and
never compares documents: that is :mod:`provenance.candidates`.
"""

from __future__ import annotations

import hashlib
import json
import struct
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field

import numpy as np
from datasketch import MinHash

from provenance.arrays import sorted_unique
from provenance.errors import FingerprintError
from provenance.model import Document
from provenance.settings import FingerprintSettings

# Bump when tokenising (provenance.text) or the hashing below changes: stored signatures
# made with another version are refused rather than silently mixed. tokens-v2: keys undo
# disguise (issue 31); bigrams: fingerprints carry a sample of word bigrams; words: and
# their words (issue 28, the rewrite tier).
HASH_SCHEME = "tokens-v2/poly64-fmix64/minhash-affine32/statements-masked/bigrams/words"

_U64 = np.uint64
_MASK32 = _U64(0xFFFFFFFF)
_TOKEN_BASE = 0x100000001B3  # the FNV-1 64-bit prime: odd, so invertible modulo 2**64
_SHINGLE_MULT = _U64(0x9E3779B97F4A7C15)  # golden-ratio constant (splitmix64)
_SPACE = 32
_MAGIC = b"PVFP"
# Texts hashed together: ~65 generated articles. token_hashes makes several arrays of 8
# bytes for every byte it hashes, ~2 MiB each at this size. A build task's 200 articles
# at once (~6 MiB each) cost no more in a pool worker, whose heap keeps freed memory
# (engine._roomy_heap), but in a process whose heap hands it back to the kernel (the
# main process of --jobs 1) every batch was paged in afresh: fingerprints of 1,000
# articles in chunks of 200, 82 against 116 µs an article there (2^19 characters: 109).
BATCH_CHARS = 1 << 18
# Permutations x shingles worked on at once by :func:`signatures` (2 MiB of uint32): one
# buffer that stays in cache, reused. Chunks of 16 MiB, fresh temporaries each, spent
# their time in page faults and memory traffic: 167 against 33 us a generated article.
_BLOCK_CELLS = 1 << 19


@dataclass(frozen=True, slots=True)
class FingerprintParams:
    """Everything that must agree for two fingerprints to be comparable."""

    shingle_size: int
    num_perm: int
    seed: int
    scheme: str = HASH_SCHEME
    bigram_sample: int = 4

    @classmethod
    def from_settings(cls, settings: FingerprintSettings) -> FingerprintParams:
        return cls(settings.shingle_size, settings.num_perm, settings.seed, bigram_sample=settings.bigram_sample)

    def require_same(self, other: FingerprintParams) -> None:
        """Raise :class:`FingerprintError` unless ``other`` has the same parameters.

        >>> FingerprintParams(5, 128, 1).require_same(FingerprintParams(5, 128, 1))
        >>> FingerprintParams(5, 128, 1).require_same(FingerprintParams(4, 128, 1))
        Traceback (most recent call last):
        ...
        provenance.errors.FingerprintError: fingerprints made with different settings cannot be compared: \
shingle_size=5 vs 4
        """
        if self != other:
            diffs = [
                f"{name}={mine} vs {theirs}"
                for name, mine, theirs in zip(asdict(self), asdict(self).values(), asdict(other).values(), strict=True)
                if mine != theirs
            ]
            raise FingerprintError("fingerprints made with different settings cannot be compared: " + ", ".join(diffs))


@dataclass(frozen=True, slots=True, eq=False)
class Fingerprint:
    """A document's shingle set (sorted unique ``uint64``) and MinHash signature (``uint32``),
    its sample of word bigrams (sorted unique ``uint64``, see :func:`bigram_sets`) and its
    words (sorted unique ``uint64`` token hashes, quoted statements left out: the rewrite
    tier's sketch, :func:`provenance.candidates.rewrite_pairs`).

    ``digest`` is :func:`shingle_digest` of the shingles when it was made with them (in
    the worker that fingerprinted the document), empty when not: :meth:`content_digest`
    gives it either way. The candidate search groups identical texts by it, and hashing
    100k sets there took 0.7 s of the main process.
    """

    params: FingerprintParams
    shingles: np.ndarray
    signature: np.ndarray
    digest: bytes = b""
    bigrams: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.uint64))
    words: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.uint64))

    @property
    def size(self) -> int:
        return int(self.shingles.size)

    def content_digest(self) -> bytes:
        """:func:`shingle_digest` of the shingles."""
        return self.digest or shingle_digest(self.shingles)

    def to_bytes(self) -> bytes:
        """Portable bytes: magic, header length, JSON parameters, shingles, signature, bigrams, words."""
        counts = {"shingles": self.size, "bigrams": int(self.bigrams.size), "words": int(self.words.size)}
        header = json.dumps({**asdict(self.params), **counts}, sort_keys=True).encode("utf-8")
        return b"".join(
            (
                _MAGIC,
                struct.pack("<I", len(header)),
                header,
                self.shingles.astype("<u8").tobytes(),
                self.signature.astype("<u4").tobytes(),
                self.bigrams.astype("<u8").tobytes(),
                self.words.astype("<u8").tobytes(),
            )
        )

    @classmethod
    def from_bytes(cls, data: bytes) -> Fingerprint:
        """Read what :meth:`to_bytes` wrote; a damaged blob raises :class:`FingerprintError`."""
        try:
            if data[:4] != _MAGIC:
                raise ValueError("not a provenance fingerprint")
            (length,) = struct.unpack_from("<I", data, 4)
            header = json.loads(data[8 : 8 + length].decode("utf-8"))
            count = int(header.pop("shingles"))
            pairs = int(header.pop("bigrams", 0))
            singles = int(header.pop("words", 0))
            params = FingerprintParams(**header)
            start = 8 + length
            shingles = np.frombuffer(data, dtype="<u8", count=count, offset=start).astype(np.uint64)
            signature = np.frombuffer(data, dtype="<u4", count=params.num_perm, offset=start + 8 * count)
            at = start + 8 * count + 4 * params.num_perm
            bigrams = np.frombuffer(data, dtype="<u8", count=pairs, offset=at).astype(np.uint64)
            words = np.frombuffer(data, dtype="<u8", count=singles, offset=at + 8 * pairs).astype(np.uint64)
        except (ValueError, TypeError, KeyError, struct.error, UnicodeDecodeError) as exc:
            raise FingerprintError(f"cannot read a stored fingerprint ({exc})") from exc
        return cls(params, shingles, signature.astype(np.uint32), bigrams=bigrams, words=words)

    def require_comparable(self, other: Fingerprint) -> None:
        self.params.require_same(other.params)


def shingle_digest(shingles: np.ndarray) -> bytes:
    """A 16-byte digest of a shingle set: equal digests, identical texts (furniture aside)."""
    return hashlib.blake2b(shingles.astype("<u8").tobytes(), digest_size=16).digest()


def _fmix64(h: np.ndarray) -> np.ndarray:
    """MurmurHash3's 64-bit finaliser (a bijection that spreads every input bit)."""
    h = h ^ (h >> _U64(33))
    h = h * _U64(0xFF51AFD7ED558CCD)
    h = h ^ (h >> _U64(33))
    h = h * _U64(0xC4CEB9FE1A85EC53)
    out: np.ndarray = h ^ (h >> _U64(33))
    return out


def fmix32(h: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finaliser, as datasketch's affine32 scheme applies it."""
    h = h ^ (h >> np.uint32(16))
    h = h * np.uint32(0x85EBCA6B)
    h = h ^ (h >> np.uint32(13))
    h = h * np.uint32(0xC2B2AE35)
    out: np.ndarray = h ^ (h >> np.uint32(16))
    return out


def _powers(base: int, n: int) -> np.ndarray:
    """``base ** i mod 2**64`` for ``i < n`` (numpy integer products wrap)."""
    out = np.full(n, base, dtype=np.uint64)
    if n:
        out[0] = 1
    return np.cumprod(out, dtype=np.uint64)


def token_hashes(data: bytes) -> np.ndarray:
    """Stable 64-bit hashes of the space-separated tokens of ``data`` (UTF-8, single spaces).

    A token's hash is ``fmix64(sum((byte + 1) * B**i) + len * M)`` over its bytes, all
    modulo 2**64, computed for every token at once: each byte's term with the power of
    its place in its token, then one running sum, whose difference across a token is the
    token's sum. (A running maximum of token starts for the places, a masked write to
    zero the spaces and ``add.reduceat`` took twice as long: 51 against 26 µs a
    generated article; the values are the same.)

    >>> a = token_hashes("russia’s troops".encode())
    >>> b = token_hashes("troops".encode())
    >>> len(a), bool(a[1] == b[0])
    (2, True)
    """
    raw = np.frombuffer(data, dtype=np.uint8)
    if raw.size == 0:
        return np.zeros(0, dtype=np.uint64)
    spaces = np.flatnonzero(raw == _SPACE)
    starts = np.empty(spaces.size + 1, dtype=np.int64)
    starts[0] = 0
    starts[1:] = spaces + 1
    ends = np.empty_like(starts)
    ends[:-1] = spaces
    ends[-1] = raw.size
    lengths = ends - starts
    # A byte's place in its token: each token's start repeated over its bytes and the
    # space after it (the last token has none, hence the cut).
    place = np.arange(raw.size, dtype=np.int64) - np.repeat(starts, lengths + 1)[: raw.size]
    terms = (raw.astype(np.uint64) + _U64(1)) * _powers(_TOKEN_BASE, int(lengths.max()) + 1)[place]
    running = np.empty(raw.size + 1, dtype=np.uint64)
    running[0] = 0
    np.cumsum(terms, out=running[1:])
    poly = running[ends] - running[starts]  # an empty token (two spaces) sums to 0
    return _fmix64(poly + lengths.astype(np.uint64) * _SHINGLE_MULT)


def _combine(window: Sequence[np.ndarray]) -> np.ndarray:
    h = np.zeros_like(window[0])
    for part in window:
        h = h * _SHINGLE_MULT + part
    return _fmix64(h + _U64(len(window)))


def shingle_sets(texts: Sequence[str], size: int) -> list[np.ndarray]:
    """Sorted unique shingle hashes of each text (tokens separated by single spaces).

    A text shorter than ``size`` tokens gets one shingle of all its tokens; an empty
    text gets none.

    >>> a, b, c = shingle_sets(["a b c d", "b c d e a b c", ""], size=3)
    >>> len(a), len(b), len(c), len(np.intersect1d(a, b))
    (2, 5, 0, 2)
    """
    return _sets(texts, size, 0)[0]


def bigram_sets(texts: Sequence[str], sample: int) -> list[np.ndarray]:
    """Each text's word bigrams whose hash is a multiple of ``sample``, sorted unique.

    The second sketch (issue 31): dropping every fifth word or adding one every fourth
    leaves no 5-word shingle of a copy, but three of every four or five bigrams. The
    same bigrams are sampled in every text, so containment on the samples estimates
    containment on all bigrams (a quarter of them: ~0.05 standard error at 300 words).

    >>> a, b = bigram_sets(["a b c d e f g h", "a b c e f g h"], 1)
    >>> len(a), len(b), len(np.intersect1d(a, b))
    (7, 6, 5)
    """
    return _sets(texts, 2, sample)[1]


def word_sets(texts: Sequence[str]) -> list[np.ndarray]:
    """Each text's words as token hashes, sorted unique (the rewrite tier's sketch).

    >>> a, b = word_sets(["a b a c", "c b"])
    >>> len(a), len(b), len(np.intersect1d(a, b))
    (3, 2, 2)
    """
    return _sets(texts, 1, 1)[2]


def _sets(texts: Sequence[str], size: int, sample: int) -> tuple[list[np.ndarray], list[np.ndarray], list[np.ndarray]]:
    """:func:`shingle_sets` of ``texts`` and, when ``sample``, their :func:`bigram_sets` and
    :func:`word_sets` (one hashing)."""
    counts = np.array([t.count(" ") + 1 if t else 0 for t in texts], dtype=np.int64)
    hashes = token_hashes(" ".join(t for t in texts if t).encode("utf-8"))
    pairs = _bigrams(hashes, counts, sample) if sample else []
    ends = np.cumsum(counts)
    singles = (
        [sorted_unique(hashes[end - count : end]) for end, count in zip(ends.tolist(), counts.tolist(), strict=True)]
        if sample
        else []
    )
    doc_of = np.repeat(np.arange(len(texts)), counts)
    offsets = np.concatenate(([0], np.cumsum(counts)))
    n = hashes.size
    if n >= size:
        valid = doc_of[: n - size + 1] == doc_of[size - 1 :]
        values = _combine([hashes[i : n - size + 1 + i] for i in range(size)])[valid]
        # Windows come in document order, so each document's shingles are one slice.
        bounds = np.searchsorted(doc_of[: n - size + 1][valid], np.arange(len(texts) + 1))
    else:
        values, bounds = np.zeros(0, dtype=np.uint64), np.zeros(len(texts) + 1, dtype=np.int64)
    out: list[np.ndarray] = []
    for index, count in enumerate(counts):
        if 0 < count < size:
            out.append(_combine([hashes[offsets[index] + i : offsets[index] + i + 1] for i in range(int(count))]))
        else:
            out.append(sorted_unique(values[bounds[index] : bounds[index + 1]]))
    return out, pairs, singles


def _bigrams(hashes: np.ndarray, counts: np.ndarray, sample: int) -> list[np.ndarray]:
    """The sampled bigram sets of texts whose token hashes are ``hashes`` (``counts`` each)."""
    doc_of = np.repeat(np.arange(counts.size), counts)
    n = hashes.size
    if n < 2:
        return [np.zeros(0, dtype=np.uint64) for _ in range(counts.size)]
    values = _combine([hashes[:-1], hashes[1:]])
    keep = (doc_of[:-1] == doc_of[1:]) & (values % _U64(sample) == 0)
    values, owner = values[keep], doc_of[:-1][keep]
    bounds = np.searchsorted(owner, np.arange(counts.size + 1))
    return [sorted_unique(values[bounds[i] : bounds[i + 1]]) for i in range(counts.size)]


def permute(values: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Permuted hash values under :func:`permutations` ``(a, b)``: a row per shingle, a column per permutation."""
    out: np.ndarray = a[None, :] * fmix32((values & _MASK32).astype(np.uint32))[:, None] + b[None, :]
    return out


def permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The ``(a, b)`` uint32 permutation parameters of a seeded datasketch prototype."""
    a, b = MinHash(num_perm=num_perm, seed=seed, scheme="affine32").permutations
    return a.astype(np.uint32), b.astype(np.uint32)


def signatures(shingles: Sequence[np.ndarray], num_perm: int, seed: int) -> np.ndarray:
    """MinHash signatures, one row per shingle set, as datasketch computes them.

    An empty set gets datasketch's empty signature (all ``2**32 - 1``).

    >>> sets = [np.array([1, 2, 3], dtype=np.uint64), np.zeros(0, dtype=np.uint64), np.array([3], dtype=np.uint64)]
    >>> sig = signatures(sets, 4, 1)
    >>> sig.shape, bool((sig[1] == 2**32 - 1).all()), bool((sig[0] <= sig[2]).all())
    ((3, 4), True, True)
    """
    a, b = permutations(num_perm, seed)
    out = np.full((len(shingles), num_perm), np.iinfo(np.uint32).max, dtype=np.uint32)
    sizes = np.array([s.size for s in shingles], dtype=np.int64)
    filled = np.flatnonzero(sizes)
    if not filled.size:
        return out
    hv = fmix32((np.concatenate([shingles[i] for i in filled.tolist()]) & _MASK32).astype(np.uint32))
    bounds = np.concatenate(([0], np.cumsum(sizes[filled])[:-1]))
    # (perm, shingle) layout: the reduction runs along contiguous memory (3.7x faster than
    # reducing the (shingle, perm) matrix along axis 0, measured on 30k shingles). A few
    # permutations at a time, in one buffer; wrapping uint32 arithmetic as before.
    step = max(1, min(num_perm, _BLOCK_CELLS // hv.size))
    buffer = np.empty((step, hv.size), dtype=np.uint32)
    for first in range(0, num_perm, step):
        last = min(num_perm, first + step)
        block = buffer[: last - first]
        np.multiply(a[first:last, None], hv[None, :], out=block)
        block += b[first:last, None]
        out[filled, first:last] = np.minimum.reduceat(block, bounds, axis=1).T
    return out


def band_signatures(sets: Sequence[np.ndarray], num_perm: int, seed: int) -> np.ndarray:
    """MinHash signatures with every two rows made one band key (``num_perm // 2`` columns).

    Two sets share a band key when they share both of its minhash values (probability
    ``J**2``, or a 32-bit collision that verification discards): the bigram sketch's
    search (:func:`provenance.candidates.bigram_pairs`) wants near-full copies only, and
    single rows made every two articles sharing a few common bigrams a candidate pair.
    An empty set gets one key shared by every empty set.

    >>> a, b = np.arange(1, 50, dtype=np.uint64), np.arange(2, 50, dtype=np.uint64)
    >>> keys = band_signatures([a, b, np.arange(100, 150, dtype=np.uint64)], 64, 1)
    >>> keys.shape, int((keys[0] == keys[1]).sum()) > 16, int((keys[0] == keys[2]).sum())
    ((3, 32), True, 0)
    """
    return band_keys(signatures(sets, num_perm, seed))


def band_keys(rows: np.ndarray) -> np.ndarray:
    """:func:`band_signatures` of a signature matrix: each two columns mixed into one key."""
    wide = rows.astype(np.uint64)
    joined = (wide[:, 0 : rows.shape[1] - 1 : 2] << _U64(32)) | wide[:, 1 : rows.shape[1] : 2]
    out: np.ndarray = (_fmix64(joined) >> _U64(32)).astype(np.uint32)
    return out


def document_text(doc: Document) -> str:
    """The matching keys of a document's paragraphs (furniture excluded), as one token stream."""
    return " ".join(p.key for p in doc.paragraphs if p.key)


def fingerprint_texts(
    texts: Sequence[str], settings: FingerprintSettings, masks: Sequence[Sequence[str]] | None = None
) -> list[Fingerprint]:
    """Fingerprints of key texts (tokens separated by single spaces), computed in bulk.

    ``masks`` (one sequence of key texts per text) are left out: a shingle of a mask is
    no shingle of its text (the quoted statements of a document; see the module docstring).

    >>> s = FingerprintSettings(shingle_size=2)
    >>> plain, masked = fingerprint_texts(["a b c d e", "a b c d e"], s, [[], ["c d e"]])
    >>> plain.size, masked.size
    (4, 2)
    """
    params = FingerprintParams.from_settings(settings)
    out: list[Fingerprint] = []
    for start, stop in char_batches(texts):
        sets, pairs, words = _sets(texts[start:stop], settings.shingle_size, settings.bigram_sample)
        if masks is not None:
            sets, pairs, words = _masked(sets, pairs, words, masks[start:stop], settings)
        sigs = signatures(sets, settings.num_perm, settings.seed)
        out.extend(
            Fingerprint(params, s, sig, shingle_digest(s), p, w)
            for s, sig, p, w in zip(sets, sigs, pairs, words, strict=True)
        )
    return out


def _masked(
    sets: list[np.ndarray],
    pairs: list[np.ndarray],
    words: list[np.ndarray],
    masks: Sequence[Sequence[str]],
    settings: FingerprintSettings,
) -> tuple[list[np.ndarray], list[np.ndarray], list[np.ndarray]]:
    """Each text's shingles, sampled bigrams and words without those of its masks (a mask
    shorter than a shingle or a bigram removes none of them; a one-word mask, a term, keeps
    its word), the masks hashed once for all."""
    size = settings.shingle_size
    flat = [key for keys in masks for key in keys if " " in key]  # a one-word mask has no bigram
    if not flat:
        return sets, pairs, words
    removed, removed_pairs, removed_words = _sets(flat, size, settings.bigram_sample)
    out, out_pairs, out_words = list(sets), list(pairs), list(words)
    at = 0
    for index, keys in enumerate(masks):
        taken = [key for key in keys if " " in key]
        if not taken:
            continue
        long = [removed[at + k] for k, key in enumerate(taken) if key.count(" ") + 1 >= size]
        if long:
            out[index] = _without(sets[index], np.concatenate(long))
        out_pairs[index] = _without(pairs[index], np.concatenate(removed_pairs[at : at + len(taken)]))
        out_words[index] = _without(words[index], np.concatenate(removed_words[at : at + len(taken)]))
        at += len(taken)
    return out, out_pairs, out_words


def _without(values: np.ndarray, drop: np.ndarray) -> np.ndarray:
    """Sorted unique ``values`` without those in ``drop`` (a binary search of each dropped
    value: ``np.isin`` sorts both arrays together, several times the cost on small sets).

    >>> _without(np.array([2, 4, 6], np.uint64), np.array([6, 5, 2, 9], np.uint64)).tolist()
    [4]
    """
    if not values.size or not drop.size:
        return values
    at = np.minimum(np.searchsorted(values, drop), values.size - 1)
    hit = at[values[at] == drop]
    if not hit.size:
        return values
    keep = np.ones(values.size, dtype=bool)
    keep[hit] = False
    out: np.ndarray = values[keep]
    return out


def char_batches(texts: Sequence[str], limit: int = BATCH_CHARS) -> Iterator[tuple[int, int]]:
    """Ranges of ``texts`` of about ``limit`` characters each (at least one text), so that
    the temporary arrays of :func:`token_hashes` stay bounded.

    A range takes texts while it holds fewer than ``limit`` characters: its end is the
    first place where the running count of characters reaches ``limit`` more than at
    its start, found by binary search (the 412k quote keys of 100k generated articles:
    52 against 85 ms counted one by one in Python).

    >>> list(char_batches(["ab", "cd", "efgh", "i"], 3))
    [(0, 2), (2, 3), (3, 4)]
    """
    running = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum(np.fromiter(map(len, texts), dtype=np.int64, count=len(texts)), out=running[1:])
    start = 0
    while start < len(texts):
        stop = int(np.searchsorted(running, running[start] + limit))
        stop = min(max(stop, start + 1), len(texts))
        yield start, stop
        start = stop


def fingerprint(
    documents: Sequence[Document],
    settings: FingerprintSettings,
    statements: Sequence[Sequence[str]] | None = None,
) -> list[Fingerprint]:
    """Fingerprints of documents, in their order; ``statements`` are the matching keys of
    each document's quoted statements (:func:`provenance.trails.statement_keys`), left out."""
    return fingerprint_texts([document_text(d) for d in documents], settings, statements)
