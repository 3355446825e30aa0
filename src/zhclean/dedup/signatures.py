"""Signatures: what the deduplicators compute per document (in worker processes).

Both are `bytes` (compact to pickle and to store): a row of little-endian uint16 words.

* `exact_signature`: a 128-bit BLAKE2b digest of the normalized text (8 words).
* `minhash_signature`: a one-permutation MinHash over the character n-grams of the
  normalized text (256 words by default; 16 bands × 8 rows use the first 128 to find
  candidates, all 256 verify them).

Why one-permutation hashing. Classic MinHash applies k hash functions to every shingle:
k × shingles multiply-shifts, ≈ 128 × 1,200 for a news article — in numpy that is ≈ 0.3 ms
a document (the first prototype measured ×12–15 datasketch). One-permutation hashing (Li, Owen &
Zhang, NIPS 2012) hashes each shingle once to 64 bits, splits the hash range into k bins
and keeps the smallest hash in each bin: the chance that two documents agree on a bin is
their Jaccard similarity, as for k independent permutations, at the cost of one hash per
shingle. A bin no shingle of the document fell into (short documents leave many empty)
gets the minimum of an independent multiply-add permutation of all the document's
shingles, as classic MinHash would. This keeps the OPH argument: a word is the minimum
of the bin's shingles when the union of two documents has any in that bin, and both
documents hold that minimum exactly when it is a shared shingle (if the bin is empty
for one of them only, the minimum is the other's alone and they disagree, as they should);
when the bin is empty for both, both take the permutation's minimum, shared with
probability J. So every word agrees with probability J, and a short text's estimate has
the variance of classic MinHash: densification by copying other bins (Shrivastava 2017)
measured ≈ 2× the standard deviation on short question pairs. The fallback costs empty
bins × shingles products, at most ≈ 24 k (many empty bins only when there are few
shingles).

Words are 16 bits (b-bit MinHash, Li & König 2010): two different minima share their low
16 bits with probability 2^-16, which biases the estimate by < 0.00002, and halves the
signature, so 256 words take the space of 128 × 32 bits. More words than the bands use
make the verification estimate tighter: its standard deviation at J = 0.75 is 0.027
with 256 words against 0.038 with 128.

Shingles are hashed with a polynomial over the code points (vectorised: n multiply-adds
over the whole array) followed by the MurmurHash3 64-bit finalizer (so the top bits that
choose the bin are well mixed).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np

from zhclean.dedup.normalize import normalized_code_points_of

MASK64 = (1 << 64) - 1
FMIX_MULTIPLIER_1 = np.uint64(0xFF51AFD7ED558CCD)
FMIX_MULTIPLIER_2 = np.uint64(0xC4CEB9FE1A85EC53)
SHIFT_33 = np.uint64(33)
SHIFT_32 = np.uint64(32)
LOW_16_BITS = np.uint64(0xFFFF)
# Marks a bin no shingle fell into. A shingle hashing to exactly 2^64 - 1 is treated as
# absent: it happens with probability 2^-64 a shingle, and the same way in every document.
EMPTY_BIN = np.uint64(MASK64)
EXACT_SIGNATURE_WORDS = 8
WORD_DTYPE = np.dtype("<u2")


def splitmix64(state: int) -> int:
    """One step of SplitMix64 (Steele et al., 2014): a well-mixed 64-bit value per seed."""
    state = (state + 0x9E3779B97F4A7C15) & MASK64
    value = state
    value = ((value ^ (value >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
    value = ((value ^ (value >> 27)) * 0x94D049BB133111EB) & MASK64
    return value ^ (value >> 31)


def fmix64(values: np.ndarray) -> np.ndarray:
    """MurmurHash3's 64-bit finalizer, in place on a uint64 array (a bijection)."""
    values ^= values >> SHIFT_33
    values *= FMIX_MULTIPLIER_1
    values ^= values >> SHIFT_33
    values *= FMIX_MULTIPLIER_2
    values ^= values >> SHIFT_33
    return values


class MinHashScheme:
    """The constants of one (seed, ngram_chars, bins) choice, computed once per step."""

    def __init__(self, seed: int, ngram_chars: int, bins: int) -> None:
        if ngram_chars < 1:
            raise ValueError("ngram_chars must be at least 1")
        if bins < 1:
            raise ValueError("a signature needs at least one bin")
        self.seed = seed
        self.ngram_chars = ngram_chars
        self.bins = bins
        self.multiplier = np.uint64(splitmix64(seed) | 1)
        self.offset = np.uint64(splitmix64(seed + 1))
        self.bin_count = np.uint64(bins)
        generator = np.random.Generator(np.random.PCG64(splitmix64(seed + 2)))
        # Per-bin fallback permutations x -> a·x + b (mod 2^64), a odd: a bijection.
        self.fallback_multipliers = generator.integers(0, 2**63, size=bins, dtype=np.uint64) * np.uint64(
            2
        ) + np.uint64(1)
        self.fallback_offsets = generator.integers(0, 2**63, size=bins, dtype=np.uint64)

    def shingle_hashes(self, code_points: np.ndarray) -> np.ndarray:
        """64-bit hashes of the character n-grams; a text shorter than n is one shingle."""
        values = code_points.astype(np.uint64)
        if len(values) == 0:
            return fmix64(np.array([self.offset], dtype=np.uint64))
        return self.ngram_hashes(values, min(self.ngram_chars, len(values)))

    def ngram_hashes(self, values: np.ndarray, width: int) -> np.ndarray:
        """The hash of every run of `width` consecutive `values` (uint64)."""
        count = len(values) - width + 1
        hashes = values[:count] + self.offset
        for position in range(1, width):
            hashes *= self.multiplier
            hashes += values[position : position + count]
        # The length enters the hash so a 3-character text never equals a 5-gram.
        hashes += np.uint64(width)
        return fmix64(hashes)

    def signature_words(self, code_points: np.ndarray) -> np.ndarray:
        hashes = self.shingle_hashes(code_points)
        minima = np.full(self.bins, EMPTY_BIN, dtype=np.uint64)
        np.minimum.at(minima, self.bin_of(hashes), hashes)
        self.fill_empty_bins(minima, hashes)
        # The low 16 bits of each bin's smallest hash are its word.
        return (minima & LOW_16_BITS).astype(np.uint16)

    def bin_of(self, hashes: np.ndarray) -> np.ndarray:
        """Bin of a hash: floor(top 32 bits × bins / 2^32) (Lemire's multiply-shift range
        reduction: any number of bins, no division)."""
        return (((hashes >> SHIFT_32) * self.bin_count) >> SHIFT_32).astype(np.intp)

    def fill_empty_bins(self, minima: np.ndarray, hashes: np.ndarray) -> None:
        """Gives each bin of one document that no shingle fell into the minimum of its
        fallback permutation over all the document's shingle `hashes`."""
        empty = np.flatnonzero(minima == EMPTY_BIN)
        if len(empty):
            # empty bins × shingles (at most ≈ 24 k products: many empty bins only when
            # there are few shingles), one row per bin: the minimum of a contiguous row
            # is ≈ 6× faster than the same minimum down a column (measured on news texts,
            # most of which have a few empty bins).
            permuted = self.fallback_multipliers[empty, None] * hashes[None, :]
            permuted += self.fallback_offsets[empty, None]
            minima[empty] = permuted.min(axis=1)

    def signature_matrix(self, documents: Sequence[np.ndarray]) -> np.ndarray:
        """`signature_words` of many documents' code points, one row each, computed
        together: the ≈ 30 numpy calls of one document cost more than their arithmetic on
        a news text, so the documents of at least n code points are hashed and binned as
        one array (a text shorter than n, rare, goes alone)."""
        matrix = np.empty((len(documents), self.bins), dtype=np.uint16)
        whole = []
        for index, code_points in enumerate(documents):
            if len(code_points) >= self.ngram_chars:
                whole.append(index)
            else:
                matrix[index] = self.signature_words(code_points)
        if whole:
            matrix[whole] = self._whole_ngram_words([documents[index] for index in whole])
        return matrix

    def _whole_ngram_words(self, documents: list[np.ndarray]) -> np.ndarray:
        """`signature_matrix` of documents of at least n code points each."""
        lengths = np.fromiter(map(len, documents), dtype=np.int64, count=len(documents))
        width = self.ngram_chars
        hashes = self.ngram_hashes(np.concatenate(documents).astype(np.uint64), width)
        # The last n - 1 positions of every document but the last start an n-gram that runs
        # into the next document: not a shingle of either.
        ends = np.cumsum(lengths)
        within = np.ones(len(hashes), dtype=bool)
        within[(ends[:-1, None] - np.arange(1, width)).ravel()] = False
        hashes = hashes[within]
        shingles = lengths - width + 1
        starts = np.cumsum(shingles) - shingles
        minima = np.full((len(documents), self.bins), EMPTY_BIN, dtype=np.uint64)
        slots = np.repeat(np.arange(len(documents)) * self.bins, shingles) + self.bin_of(hashes)
        np.minimum.at(minima.reshape(-1), slots, hashes)
        for index in np.flatnonzero((minima == EMPTY_BIN).any(axis=1)).tolist():
            self.fill_empty_bins(minima[index], hashes[starts[index] : starts[index] + shingles[index]])
        return (minima & LOW_16_BITS).astype(np.uint16)


def shingled_code_points(texts: Sequence[str]) -> list[np.ndarray]:
    """The code points a MinHash signature shingles, of each text: the normalized text's,
    or the raw text's when nothing is left after normalization (only punctuation, say), so
    such texts still only match their exact copies."""
    return [
        code_points if len(code_points) else raw_code_points(text)
        for text, code_points in zip(texts, normalized_code_points_of(texts), strict=True)
    ]


def raw_code_points(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


def minhash_signature(text: str, scheme: MinHashScheme) -> bytes:
    """The MinHash signature of `text` as `scheme.bins` little-endian uint16 words."""
    return scheme.signature_words(shingled_code_points([text])[0]).astype(WORD_DTYPE).tobytes()


def minhash_signatures(texts: Sequence[str], scheme: MinHashScheme) -> list[bytes]:
    """`minhash_signature` of each text, computed together (`MinHashScheme.signature_matrix`)."""
    matrix = scheme.signature_matrix(shingled_code_points(texts)).astype(WORD_DTYPE)
    return [row.tobytes() for row in matrix]


def exact_signature(text: str) -> bytes:
    """A 128-bit digest of the normalized text (of the raw text when nothing is left)."""
    return exact_signatures([text])[0]


def exact_signatures(texts: Sequence[str]) -> list[bytes]:
    """`exact_signature` of each text, normalized together."""
    return [
        exact_digest(text, code_points)
        for text, code_points in zip(texts, normalized_code_points_of(texts), strict=True)
    ]


def exact_digest(text: str, normalized: np.ndarray) -> bytes:
    if len(normalized) == 0:
        payload = b"raw:" + text.encode("utf-8", "surrogatepass")
    else:
        payload = b"normalized:" + normalized.astype("<u4", copy=False).tobytes()
    return hashlib.blake2b(payload, digest_size=WORD_DTYPE.itemsize * EXACT_SIGNATURE_WORDS).digest()


def signature_array(signature: bytes | np.ndarray) -> np.ndarray:
    """A signature as a uint16 array (a view, no copy, for `bytes`)."""
    if isinstance(signature, np.ndarray):
        return signature.astype(np.uint16, copy=False)
    return np.frombuffer(signature, dtype=WORD_DTYPE)


def estimated_jaccard(first: bytes | np.ndarray, second: bytes | np.ndarray) -> float:
    """The fraction of signature words two MinHash signatures agree on."""
    return float(np.mean(signature_array(first) == signature_array(second)))
