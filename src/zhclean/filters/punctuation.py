"""Rejects text whose punctuation does not look like sentences.

Reasons:
* `punctuation.too_little` — almost no punctuation: keyword lists, tag clouds, titles
  strung together (SEO pages), tables of names;
* `punctuation.too_many_symbols` — emoji, stars, arrows and box drawing make up a large
  share: decorated ads, ASCII-art signatures;
* `punctuation.few_line_endings` — few lines end like a sentence: menus, link lists.
  Bulleted and numbered list items are left out of the count (a list of terms or figures
  in an article is not a menu; menus in page text carry no bullets).

Full-width Chinese punctuation is counted as punctuation (a peer rewrites it to ASCII
first; here it never is).
"""

from __future__ import annotations

import re
from typing import ClassVar

from zhclean.document import Document, Reject
from zhclean.steps import Filter
from zhclean.text.chars import PUNCTUATION, SENTENCE_END, SYMBOL, count, count_non_space

# Running Chinese text is 10–15% punctuation (People's Daily 1998 ≈ 13%); 2% is one mark
# per 50 characters, below any prose style.
DEFAULT_MIN_PUNCTUATION_SHARE = 0.02
# Decorations beyond 10% of the characters: more ornament than text.
DEFAULT_MAX_SYMBOL_SHARE = 0.1
# FineWeb-2's cmn_Hani `line_punct_thr` is 0.106: at least ~1 line in 10 ends like a
# sentence. Only judged on texts of at least DEFAULT_MIN_LINES lines.
DEFAULT_MIN_LINE_END_SHARE = 0.1
DEFAULT_MIN_LINES = 5
# Shares are noise on tiny texts; the length filter handles those.
DEFAULT_MIN_CHARS = 100

LINE_END = re.compile("[" + re.escape(SENTENCE_END + "，,：:") + r"]\s*$", re.MULTILINE)
NON_EMPTY_LINE = re.compile(r"\S.*$", re.MULTILINE)
# A list item: a bullet (* • · - –) or a number (1, 1.2, 3、, 4) then a space and text.
LIST_ITEM_LINE = re.compile(
    r"^[ \t\u3000]*(?:[*•·\-–—]|\d{1,3}(?:\.\d{1,3}){0,3}[.、．)]?)[ \t\u3000]+\S.*$", re.MULTILINE
)


class PunctuationFilter(Filter):
    name: ClassVar[str] = "punctuation"
    codes: ClassVar[tuple[str, ...]] = ("too_little", "too_many_symbols", "few_line_endings")

    def __init__(
        self,
        min_punctuation_share: float = DEFAULT_MIN_PUNCTUATION_SHARE,
        max_symbol_share: float = DEFAULT_MAX_SYMBOL_SHARE,
        min_line_end_share: float = DEFAULT_MIN_LINE_END_SHARE,
        min_lines: int = DEFAULT_MIN_LINES,
        min_chars: int = DEFAULT_MIN_CHARS,
    ) -> None:
        self.min_punctuation_share = min_punctuation_share
        self.max_symbol_share = max_symbol_share
        self.min_line_end_share = min_line_end_share
        self.min_lines = min_lines
        self.min_chars = min_chars

    def check(self, doc: Document) -> Reject | None:
        text = doc.text
        characters = count_non_space(text)
        if characters < self.min_chars:
            return None
        punctuation_share = count(PUNCTUATION, text) / characters
        if punctuation_share < self.min_punctuation_share:
            return Reject(
                "too_little",
                {
                    "punctuation_share": round(punctuation_share, 4),
                    "min_punctuation_share": self.min_punctuation_share,
                },
            )
        symbol_share = count(SYMBOL, text) / characters
        if symbol_share > self.max_symbol_share:
            return Reject(
                "too_many_symbols",
                {"symbol_share": round(symbol_share, 4), "max_symbol_share": self.max_symbol_share},
            )
        lines = len(NON_EMPTY_LINE.findall(text))
        if lines < self.min_lines:
            return None
        ended = len(LINE_END.findall(text))
        if ended / lines >= self.min_line_end_share:
            return None
        # Few lines end like sentences; judge again without the list items (only here:
        # the extra scan is for the few texts that would otherwise be rejected).
        items = LIST_ITEM_LINE.findall(text)
        if items:
            lines -= len(items)
            ended -= sum(LINE_END.search(item) is not None for item in items)
            if lines < self.min_lines or ended / lines >= self.min_line_end_share:
                return None
        return Reject(
            "few_line_endings",
            {
                "line_end_share": round(ended / lines, 4),
                "lines": lines,
                "min_line_end_share": self.min_line_end_share,
            },
        )
