"""Rejects text with too few Chinese function words: keyword lists, tag clouds, tables,
product listings and SEO pages string nouns together without 的, 了, 是, 在 ….

Reason: `stop_words.too_few`. Counted on characters with one compiled regex (no
segmentation needed: these function words are single characters or short fixed words).
The list is data: `zhclean/rules/stop_words.toml`.
"""

from __future__ import annotations

import re
from typing import ClassVar

from zhclean.document import Document, Reject
from zhclean.rules import rule_words
from zhclean.steps import Filter
from zhclean.text.chars import count_han

DEFAULT_RULES_FILE = "stop_words.toml"
# Gopher requires 2 stop words per document; FineWeb-2's cmn_Hani config keeps the same
# count with a Chinese list. Distinct words, so one repeated 的 does not pass a list page.
DEFAULT_MIN_DISTINCT = 2
# Function words are 8–12% of the characters of running Chinese text (的 alone ≈ 4%).
# Lists of names and units in news (人大代表名单) sit at 1.0–1.2%: still text a reader
# sees, so the floor is 0.8%, under which the text is not sentences at all.
DEFAULT_MIN_SHARE = 0.008
# Below this many Han characters the share is noise; the length filter handles those.
DEFAULT_MIN_HAN_FOR_SHARE = 100


class StopWordFilter(Filter):
    name: ClassVar[str] = "stop_words"
    codes: ClassVar[tuple[str, ...]] = ("too_few",)

    def __init__(
        self,
        rules_file: str = DEFAULT_RULES_FILE,
        min_distinct: int = DEFAULT_MIN_DISTINCT,
        min_share: float = DEFAULT_MIN_SHARE,
        min_han_for_share: int = DEFAULT_MIN_HAN_FOR_SHARE,
    ) -> None:
        self.rules_file = rules_file
        self.min_distinct = min_distinct
        self.min_share = min_share
        self.min_han_for_share = min_han_for_share
        self._pattern: re.Pattern[str] | None = None

    def pattern(self) -> re.Pattern[str]:
        if self._pattern is None:
            words = sorted(set(rule_words(self.rules_file)), key=len, reverse=True)
            self._pattern = re.compile("|".join(re.escape(word) for word in words))
        return self._pattern

    def check(self, doc: Document) -> Reject | None:
        hits = self.pattern().findall(doc.text)
        distinct = len(set(hits))
        han = count_han(doc.text)
        share = sum(len(hit) for hit in hits) / han if han else 0.0
        too_few_distinct = distinct < self.min_distinct
        too_sparse = han >= self.min_han_for_share and share < self.min_share
        if too_few_distinct or too_sparse:
            return Reject(
                "too_few",
                {
                    "distinct": distinct,
                    "share": round(share, 4),
                    "han": han,
                    "min_distinct": self.min_distinct,
                    "min_share": self.min_share,
                },
            )
        return None
