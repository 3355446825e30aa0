"""Rejects SEO keyword stuffing: lines that are lists of search phrases joined by | , 、 _
or spaces (`北京搬家|北京搬家公司|搬家公司电话|…`), the signature of doorway pages and
hacked sites.

A list of search phrases varies a few keywords: most of its items share a character
bigram with another item (搬家, 资料). Short clauses joined by commas in a line that a
mail or a poem breaks before its full stop (压力比较大,因为是单亲家庭,…) have the
shape of a list but share little, and stay, as does an enumeration of names.

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
SEPARATORS = "|｜,，、_/;；"
ITEM = rf"[^\s{SEPARATORS}。！？!?]{{1,12}}"
KEYWORD_LIST_LINE = re.compile(
    rf"^[^\S\n]*(?:{ITEM}[^\S\n]*[{SEPARATORS}][^\S\n]*){{4,}}{ITEM}[^\S\n]*[{SEPARATORS}]?[^\S\n]*$",
    re.MULTILINE,
)
LIST_SEPARATOR = re.compile(f"[{SEPARATORS}]")
# Half the items sharing a bigram with another: a phrase list that varies its keywords.
MIN_SHARED_ITEM_SHARE = 0.5
# Such lines making up 30% of a text: more keywords than content.
DEFAULT_MAX_KEYWORD_LINE_SHARE = 0.3
DEFAULT_MIN_CHARS = 100


def varies_keywords(line: str) -> bool:
    """Whether at least MIN_SHARED_ITEM_SHARE of the line's items share a character
    bigram with another of its items."""
    items = [item.strip() for item in LIST_SEPARATOR.split(line) if item.strip()]
    bigrams = [{item[index : index + 2] for index in range(len(item) - 1)} for item in items]
    seen_once: set[str] = set()
    seen_twice: set[str] = set()
    for grams in bigrams:
        seen_twice |= seen_once & grams
        seen_once |= grams
    sharing = sum(1 for grams in bigrams if grams & seen_twice)
    return sharing >= MIN_SHARED_ITEM_SHARE * len(items)


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
        listed = sum(
            count_non_space(line) for line in KEYWORD_LIST_LINE.findall(doc.text) if varies_keywords(line)
        )
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
