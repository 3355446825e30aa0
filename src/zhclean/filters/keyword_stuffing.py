"""Rejects SEO keyword stuffing: lines that are lists of search phrases joined by | , 、 _
or spaces (`北京搬家|北京搬家公司|搬家公司电话|…`), the signature of doorway pages and
hacked sites.

Reason: `keyword_stuffing.keyword_lists`, with the share of characters in such lines.
"""

from __future__ import annotations

import re
from typing import ClassVar

from zhclean.document import Document, Reject
from zhclean.steps import Filter
from zhclean.text.chars import count_non_space

# A keyword-list line: at least 5 short items (≤ 12 characters, no sentence punctuation)
# joined by list separators. Items of 12 characters hold any search phrase; 5 items rule
# out an ordinary enumeration like 甲、乙、丙.
# Spaces are matched as `[^\S\n]` (whitespace but not a newline), never `\s`: a match stays
# on its line, so each line is tried once (with `\s`, a run of blank lines made every
# line start scan all the lines after it: minutes on 100 kB of newlines).
KEYWORD_LIST_LINE = re.compile(
    r"^[^\S\n]*(?:[^\s|｜,，、_/;；。！？!?]{1,12}[^\S\n]*[|｜,，、_/;；][^\S\n]*){4,}"
    r"[^\s|｜,，、_/;；。！？!?]{1,12}[^\S\n]*[|｜,，、_/;；]?[^\S\n]*$",
    re.MULTILINE,
)
# Such lines making up 30% of a text: more keywords than content.
DEFAULT_MAX_KEYWORD_LINE_SHARE = 0.3
DEFAULT_MIN_CHARS = 100


class KeywordStuffingFilter(Filter):
    name: ClassVar[str] = "keyword_stuffing"
    codes: ClassVar[tuple[str, ...]] = ("keyword_lists",)

    def __init__(
        self,
        max_keyword_line_share: float = DEFAULT_MAX_KEYWORD_LINE_SHARE,
        min_chars: int = DEFAULT_MIN_CHARS,
    ) -> None:
        self.max_keyword_line_share = max_keyword_line_share
        self.min_chars = min_chars

    def check(self, doc: Document) -> Reject | None:
        characters = count_non_space(doc.text)
        if characters < self.min_chars:
            return None
        listed = sum(count_non_space(match) for match in KEYWORD_LIST_LINE.findall(doc.text))
        share = listed / characters
        if share > self.max_keyword_line_share:
            return Reject(
                "keyword_lists",
                {
                    "keyword_line_share": round(share, 4),
                    "max_keyword_line_share": self.max_keyword_line_share,
                },
            )
        return None
