"""Rejects documents that are mostly not Chinese characters: `HanShareFilter`.

Reason: `cjk_ratio.too_low` (the step keeps the name recipes and outputs already use).
Han characters are counted over every CJK Unified Ideographs block (Extension A onward and
the compatibility blocks, see `zhclean.text.chars.HAN_RANGES`), not the
`[\\u4e00-\\u9fa5]` most peers use; the share is over non-space characters.
"""

from __future__ import annotations

from typing import ClassVar

from zhclean.document import Document, Reject
from zhclean.steps import Filter
from zhclean.text.chars import count_han, count_non_space

# Chinese prose with numbers, Latin names and punctuation runs at 60–85% Han; technical
# Wikipedia articles dip to ~35%. Below 20% the page is in another language with some
# Chinese, or a table of codes and numbers.
DEFAULT_MIN_HAN_SHARE = 0.2


class HanShareFilter(Filter):
    name: ClassVar[str] = "cjk_ratio"
    codes: ClassVar[tuple[str, ...]] = ("too_low",)

    def __init__(self, min_han_share: float = DEFAULT_MIN_HAN_SHARE) -> None:
        self.min_han_share = min_han_share

    def check(self, doc: Document) -> Reject | None:
        characters = count_non_space(doc.text)
        han = count_han(doc.text)
        share = han / characters if characters else 0.0
        if share < self.min_han_share:
            return Reject(
                "too_low", {"han_share": round(share, 4), "han": han, "min_han_share": self.min_han_share}
            )
        return None
