"""Rejects text garbled by a wrong decode.

Reasons: `mojibake.replacement_chars` (U+FFFD share), `mojibake.garbled` (share of
characters typical of UTF-8 read as GBK or Windows-1252, and 锟斤拷). Uses the shares the
`normalize` cleaner put in `meta`, or measures them itself when it did not run.
"""

from __future__ import annotations

from typing import ClassVar

from zhclean.clean.normalize import MOJIBAKE
from zhclean.document import Document, Reject
from zhclean.steps import Filter
from zhclean.text.chars import count_non_space

# A few U+FFFD in a long page are stray bytes (decode.py accepts ≤ 1%); 2% means whole
# sentences are lost.
DEFAULT_MAX_REPLACEMENT_SHARE = 0.02
# The marker characters are rare in real text (well under 0.1%); in mis-decoded UTF-8
# Chinese they are 5–15% of the characters.
DEFAULT_MAX_MOJIBAKE_SHARE = 0.02


class MojibakeFilter(Filter):
    name: ClassVar[str] = "mojibake"
    codes: ClassVar[tuple[str, ...]] = ("replacement_chars", "garbled")

    def __init__(
        self,
        max_replacement_share: float = DEFAULT_MAX_REPLACEMENT_SHARE,
        max_mojibake_share: float = DEFAULT_MAX_MOJIBAKE_SHARE,
    ) -> None:
        self.max_replacement_share = max_replacement_share
        self.max_mojibake_share = max_mojibake_share

    def check(self, doc: Document) -> Reject | None:
        replacement = doc.meta.get("replacement_char_share")
        mojibake = doc.meta.get("mojibake_share")
        if replacement is None or mojibake is None:
            characters = max(1, count_non_space(doc.text))
            replacement = doc.text.count("\ufffd") / characters
            mojibake = sum(len(match) for match in MOJIBAKE.findall(doc.text)) / characters
        if replacement > self.max_replacement_share:
            return Reject(
                "replacement_chars", {"share": round(replacement, 4), "max_share": self.max_replacement_share}
            )
        if mojibake > self.max_mojibake_share:
            return Reject("garbled", {"share": round(mojibake, 4), "max_share": self.max_mojibake_share})
        return None
