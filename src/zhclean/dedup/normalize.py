"""The text two copies of a repost share: NFKC, lower case, no whitespace, punctuation,
symbols or control/format characters.

Reposts of one article differ in spacing (full-width vs ASCII, an indent of U+3000, a
zero-width space some portals insert), in punctuation style (`，` vs `,`) and in letter
case of embedded Latin text. None of that is content, so the deduplicators compare the
code points that remain after:

1. NFKC (full-width letters and digits become ASCII, compatibility ideographs become
   their unified form),
2. lower case,
3. dropping every code point of Unicode category P (punctuation), S (symbols), Z
   (separators) and C (controls, format characters such as U+200B, unassigned and
   private-use code points), and whitespace.

`unicodedata.normalize("NFKC", …)` costs ≈180 µs on a typical 1,200-character Chinese
news text (measured on inews.jsonl: most such texts contain full-width punctuation, so
they are not NFKC already) — more than the whole MinHash signature. Almost every code
point maps to exactly one code point under NFKC + lower case, independently of its
neighbours, so this module does the three steps at once with a lookup table over all code
points (numpy, ≈10 µs a text), whose entries are worked out the first time a text holds
the code point (`_lazy_table`). Code points whose mapping is not one code point or depends
on their neighbours (combining marks, conjoining Hangul jamo, Greek capital sigma whose
lower case depends on its position) send the text down the exact `unicodedata` path; the
tests check both paths agree.
"""

from __future__ import annotations

import contextlib
import functools
import unicodedata
from collections.abc import Iterator, Sequence

import numpy as np

UNICODE_SIZE = 0x110000
# Marker in the mapping table: this code point needs the exact (string) path.
NEEDS_EXACT_PATH = np.uint32(0xFFFFFFFF)
# Marker in the mapping table: this entry has not been worked out yet (see `_lazy_table`).
# It and `NEEDS_EXACT_PATH` are the two largest uint32 values, so one comparison finds
# both. (No code point is above 0x10FFFF, so the markers never collide with a mapping.)
UNRESOLVED = np.uint32(0xFFFFFFFE)
# Marker in the mapping table: this code point is dropped.
DROPPED = np.uint32(0xFFFFFFFD)

DROPPED_CATEGORY_CLASSES = frozenset("PSZC")

# Ranges whose code points are all identity under NFKC + lower case and kept, or all
# dropped: skipping them makes building the table faster. Only ranges fully assigned since
# Unicode 3.1 (so every Python's unicodedata agrees): CJK Unified Ideographs, extensions
# A and B, which have no decomposition and no case. Planes 4–13 are unassigned (category
# Cn) and planes 15–16 private use (category Co) in every Unicode version so far.
IDENTITY_RANGES = ((0x3400, 0x4DB6), (0x4E00, 0x9FA6), (0x20000, 0x2A6D7))
DROPPED_RANGES = ((0x40000, 0xE0000), (0xF0000, UNICODE_SIZE))

# Combining Hangul jamo compose with their neighbours under NFKC.
HANGUL_JAMO_RANGES = ((0x1100, 0x1200), (0x3130, 0x3190), (0xA960, 0xA980), (0xD7B0, 0xD800))
# Greek capital sigma (and what NFKC turns into it, e.g. mathematical bold sigma)
# lower-cases to ς at the end of a word and σ elsewhere.
CONTEXT_DEPENDENT_LOWER_CASE = frozenset({0x03A3})


def _needs_exact_path(code_point: int, character: str) -> bool:
    if unicodedata.category(character).startswith("M") or unicodedata.combining(character):
        return True
    if any(ord(c) in CONTEXT_DEPENDENT_LOWER_CASE for c in unicodedata.normalize("NFKC", character)):
        return True
    return any(low <= code_point < high for low, high in HANGUL_JAMO_RANGES)


def _mapping(code_point: int) -> int:
    """The table entry of one code point: its NFKC lower-case form (one code point),
    `DROPPED`, or `NEEDS_EXACT_PATH`."""
    character = chr(code_point)
    if _needs_exact_path(code_point, character):
        return int(NEEDS_EXACT_PATH)
    # Normalize first, then look at the category: Kangxi radicals (So) become
    # ideographs under NFKC, full-width punctuation stays punctuation.
    mapped = unicodedata.normalize("NFKC", character).lower()
    if mapped == character:
        if unicodedata.category(character)[0] in DROPPED_CATEGORY_CLASSES or character.isspace():
            return int(DROPPED)
        return code_point
    kept = [
        c for c in mapped if unicodedata.category(c)[0] not in DROPPED_CATEGORY_CLASSES and not c.isspace()
    ]
    if not kept:
        return int(DROPPED)
    # One code point kept of the form (℃ -> °c -> c) is the mapping, unless a code point
    # of the form composes with a neighbour or lower-cases by position: half-width
    # katakana voiced marks map to combining marks, half-width Hangul to conjoining jamo.
    if len(kept) == 1 and not any(_needs_exact_path(ord(c), c) for c in mapped):
        return ord(kept[0])
    return int(NEEDS_EXACT_PATH)


@functools.cache
def _lazy_table() -> np.ndarray:
    """The mapping table with every entry outside the known ranges still `UNRESOLVED`.

    Working out an entry costs a few `unicodedata` calls (≈3 µs); doing it for all
    ≈330 k code points outside the known ranges took 0.5–2 s in every process that computed a
    signature, for a corpus that uses a few thousand distinct code points. So entries are
    worked out the first time a text holds them (`_resolve`), and a process pays for the
    code points it sees: a few milliseconds for a Chinese corpus. The entries are the
    same either way (a pure function of the code point)."""
    table = np.full(UNICODE_SIZE, UNRESOLVED, dtype=np.uint32)
    for low, high in IDENTITY_RANGES:
        table[low:high] = np.arange(low, high, dtype=np.uint32)
    for low, high in DROPPED_RANGES:
        table[low:high] = DROPPED
    return table


def _resolve(code_points: np.ndarray) -> None:
    """Fills in the table entries of those of `code_points` still unresolved."""
    table = _lazy_table()
    # A set, not np.unique: numpy 2's unique imports numpy.ma (≈30 ms) on first use.
    for code_point in set(code_points[table[code_points] == UNRESOLVED].tolist()):
        table[code_point] = _mapping(code_point)


@functools.cache
def code_point_table() -> np.ndarray:
    """uint32 table: for each code point, its NFKC lower-case form (one code point),
    `DROPPED`, or `NEEDS_EXACT_PATH`. Every entry resolved (0.5–2 s the first time in a
    process); `normalized_code_points` resolves only the entries it meets."""
    _resolve(np.arange(UNICODE_SIZE, dtype=np.uint32))
    table = _lazy_table().copy()
    table.flags.writeable = False
    return table


def _exact_normalized_code_points(text: str) -> np.ndarray:
    """The definition, character by character: what the fast paths must agree with."""
    normalized = unicodedata.normalize("NFKC", text).lower()
    kept = "".join(
        character
        for character in normalized
        if unicodedata.category(character)[0] not in DROPPED_CATEGORY_CLASSES and not character.isspace()
    )
    return np.frombuffer(kept.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


# `_dropped_flags` entries: kept, dropped, not worked out yet.
FLAG_KEPT = np.uint8(0)
FLAG_DROPPED = np.uint8(1)
FLAG_UNRESOLVED = np.uint8(2)


@functools.cache
def _dropped_flags() -> np.ndarray:
    """Per code point: is it dropped (category P, S, Z or C, or whitespace)? Entries are
    worked out on first use, as in `_lazy_table`."""
    return np.full(UNICODE_SIZE, FLAG_UNRESOLVED, dtype=np.uint8)


def _whole_text_normalized_code_points(text: str) -> np.ndarray:
    """`_exact_normalized_code_points` with the per-character filter done by a table
    lookup: NFKC and lower case on the whole text (so marks compose with their
    neighbours), then the dropped code points removed. A text with one combining mark
    (an emoji's variation selector, an accent) takes this path; the filter in Python
    cost ≈4 ms on a news article, the lookup ≈20 µs."""
    normalized = unicodedata.normalize("NFKC", text).lower()
    code_points = np.frombuffer(normalized.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    flags = _dropped_flags()
    found = flags[code_points]
    unresolved = found == FLAG_UNRESOLVED
    if unresolved.any():
        for code_point in set(code_points[unresolved].tolist()):
            character = chr(code_point)
            dropped = unicodedata.category(character)[0] in DROPPED_CATEGORY_CLASSES or character.isspace()
            flags[code_point] = FLAG_DROPPED if dropped else FLAG_KEPT
        found = flags[code_points]
    return code_points[found == FLAG_KEPT]


# Texts normalized inside `remembered_normalization`, with their code points.
_remembered: dict[str, np.ndarray] | None = None


@contextlib.contextmanager
def remembered_normalization() -> Iterator[None]:
    """Within the block, each text is normalized once: a second `normalized_code_points`
    of it takes the first one's result (read-only), once. For a run that holds all its
    documents in memory anyway, where the exact and then the MinHash deduplicator
    normalize the same texts (≈ 15 µs a news text, a third of a MinHash signature);
    outside such a block nothing is kept, so memory stays bounded on any corpus."""
    global _remembered
    _remembered = {}
    try:
        yield
    finally:
        _remembered = None


def normalized_code_points(text: str) -> np.ndarray:
    """The code points (uint32) of `text` after NFKC, lower case, and dropping whitespace,
    punctuation, symbols and control/format characters."""
    return normalized_code_points_of([text])[0]


def normalized_code_points_of(texts: Sequence[str]) -> list[np.ndarray]:
    """`normalized_code_points` of each text."""
    if _remembered is None:
        return _normalized_together(texts)
    remembered = _remembered
    found = {index: remembered.pop(text) for index, text in enumerate(texts) if text in remembered}
    missing = [index for index in range(len(texts)) if index not in found]
    if missing:
        computed = _normalized_together([texts[index] for index in missing])
        for index, code_points in zip(missing, computed, strict=True):
            code_points.flags.writeable = False
            remembered[texts[index]] = found[index] = code_points
    return [found[index] for index in range(len(texts))]


def _normalized_together(texts: Sequence[str]) -> list[np.ndarray]:
    """The table lookup over all `texts` at once: per text, its ≈ 10 numpy calls cost as
    much as the lookup itself on a news text (3,153 inews texts, table filled in: 41 ms
    one by one, 29 ms 256 at a time, best of 8 processes)."""
    # surrogatepass: a lone surrogate (possible in a Python str from a bad decode) is
    # category Cs and dropped like any other control code point. Each code point of the
    # joined text is one uint32, so text i is code_points[ends[i] - lengths[i] : ends[i]].
    code_points = np.frombuffer("".join(texts).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    lengths = np.fromiter(map(len, texts), dtype=np.intp, count=len(texts))
    ends = np.cumsum(lengths)
    table = _lazy_table()
    mapped = table[code_points]
    exact_path: set[int] = set()
    if (mapped >= UNRESOLVED).any():  # rare once the texts' characters have been seen
        unresolved = mapped == UNRESOLVED
        if unresolved.any():
            _resolve(code_points[unresolved])
            mapped[unresolved] = table[code_points[unresolved]]
        positions = np.flatnonzero(mapped == NEEDS_EXACT_PATH)
        exact_path = set(np.searchsorted(ends, positions, side="right").tolist())
    dropped = mapped == DROPPED
    normalized = mapped[~dropped]
    # Where each text's code points start and end in `normalized`: its positions in the
    # joined text less the code points dropped before them.
    dropped_positions = np.flatnonzero(dropped)
    starts = ends - lengths
    firsts = (starts - np.searchsorted(dropped_positions, starts)).tolist()
    lasts = (ends - np.searchsorted(dropped_positions, ends)).tolist()
    return [
        _whole_text_normalized_code_points(text) if index in exact_path else normalized[first:last]
        for index, (text, first, last) in enumerate(zip(texts, firsts, lasts, strict=True))
    ]


def normalized_text(text: str) -> str:
    """`normalized_code_points` as a string (for inspection and for other libraries)."""
    return normalized_code_points(text).tobytes().decode("utf-32-le", "surrogatepass")
