"""Character classes for Chinese text, shared by the cleaners and filters.

`[\\u4e00-\\u9fa5]`, the class most peers use, misses CJK Extension A (U+3400…) and every
supplementary-plane block, and Python's `str.isalpha` counts Han characters as letters, so
both are avoided here. Counting is done with compiled regexes (`len(text) - len(sub)`), not
per-character Python loops: this runs on every document.
"""

from __future__ import annotations

import re

# Every block of CJK Unified Ideographs (URO, Extensions A–I) plus the two compatibility
# blocks and 〇 (U+3007, the Han zero). Source: Unicode 15.1 Blocks.txt.
HAN_RANGES = (
    "\u3007"
    "\u3400-\u4dbf"  # Extension A
    "\u4e00-\u9fff"  # Unified Ideographs
    "\uf900-\ufaff"  # Compatibility Ideographs
    "\U00020000-\U0002a6df"  # Extension B
    "\U0002a700-\U0002ebef"  # Extensions C, D, E, F
    "\U0002ebf0-\U0002ee5f"  # Extension I
    "\U0002f800-\U0002fa1f"  # Compatibility Ideographs Supplement
    "\U00030000-\U000323af"  # Extensions G, H
)
HAN = re.compile(f"[{HAN_RANGES}]")
NOT_HAN = re.compile(f"[^{HAN_RANGES}]+")
KANA = re.compile(r"[\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9f]")
HANGUL = re.compile(r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]")
LATIN_LETTER = re.compile(r"[A-Za-z\u00c0-\u024f]")
DIGIT = re.compile(r"[0-9]")
WHITESPACE = re.compile(r"\s")

# Chinese (full-width) punctuation as used in running text, and its ASCII counterparts.
CHINESE_PUNCTUATION = "，。、；：？！“”‘’（）《》〈〉【】「」『』〔〕…—～·﹏"
ASCII_PUNCTUATION = r"""!"#$%&'()*+,-./:;<=>?@[\]^_`{|}~"""
PUNCTUATION = re.compile("[" + re.escape(CHINESE_PUNCTUATION + ASCII_PUNCTUATION) + "]")
# Marks that end a sentence (or a clause that can end a line) in Chinese and ASCII text.
SENTENCE_END = "。！？!?；;…”」』\"'）)"
# Symbols that are neither letters, digits, Han nor punctuation: emoji, box drawing,
# dingbats, arrows, stars — decoration and spam markers in web text.
SYMBOL = re.compile(r"[\u2190-\u21ff\u2500-\u27bf\u2b00-\u2bff\U0001f000-\U0001faff\u25a0-\u25ff★☆◆◇■□●○◎※]")

# CR, CRLF and the Unicode line and paragraph separators: each one line break.
LINE_BREAKS = re.compile(r"\r\n?|[\u2028\u2029\x85]")


def cell_break_pattern(spaces: str) -> re.Pattern[str]:
    """A run of horizontal space (the characters of the class body `spaces`, tab excluded)
    that holds a tab: the break between two cells of a table's row, as the main-content
    extractor and `visible_text` write rows. A cleaner that writes it as one tab keeps the
    table's columns. Matched only where the run starts (the lookbehind), so a long run
    without a tab is tried once, not from each of its characters."""
    return re.compile(f"(?<![{spaces}\t])[{spaces}]*\t[{spaces}\t]*")


def unify_line_breaks(text: str) -> str:
    """Every line break as "\\n". `re` tries an alternation position by position (a third
    of the whitespace cleaner's time); `in` is a memchr-speed scan, and most texts hold
    none of these, so the substitution runs only when there is something to change."""
    if "\r" in text or "\u2028" in text or "\u2029" in text or "\x85" in text:
        return LINE_BREAKS.sub("\n", text)
    return text


def count(pattern: re.Pattern[str], text: str) -> int:
    """Matches of a one-character `pattern` in `text`, without building a list."""
    return len(text) - len(pattern.sub("", text))


def count_han(text: str) -> int:
    return len(NOT_HAN.sub("", text)) if text else 0


# Whitespace other than the space, line break and tab that normalized text is made of.
UNCOMMON_WHITESPACE = re.compile(r"[^\S \n\t]")


def count_non_space(text: str) -> int:
    """Characters of `text` that are not whitespace (`str.isspace`). Normalized text has only spaces,
    line breaks and tabs: three str.count scans and one search that finds nothing cost
    half of removing the whitespace to measure what is left (several filters call this
    on every document)."""
    if UNCOMMON_WHITESPACE.search(text) is None:
        return len(text) - text.count(" ") - text.count("\n") - text.count("\t")
    return len(WHITESPACE.sub("", text))
