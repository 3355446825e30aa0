"""Traditional → Simplified Chinese with OpenCC, recording the original script.

A peer rejects any document containing a Traditional character; that throws away Taiwan
and Hong Kong text a model should learn from. Converting keeps it, and `meta` says what it
was: `script_original` (`"Hant"` or `"Hans"`) and `traditional_char_share` (characters the
conversion changed, per Han character).

`config` is an OpenCC configuration: `t2s` (generic), `tw2s` (Taiwan variants), `hk2s`
(Hong Kong variants), or `off` to only detect the script without converting.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from zhclean.clean.opencc_changes import ChangeDetector, change_detector
from zhclean.steps import Cleaned, Cleaner
from zhclean.text.chars import count_han

CONFIGS = ("t2s", "tw2s", "hk2s", "off")
# OpenCC changes a few characters of ordinary Simplified text too (variants such as 著→着
# in some senses), typically well under 1% of Han characters; Traditional text changes
# 15–30%. 5% separates the two with room on both sides (measured on OpenCC's own
# Traditional test sentences vs People's Daily text).
DEFAULT_MIN_TRADITIONAL_SHARE = 0.05


LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def without_surrogates(text: str) -> str:
    if text.isascii():
        return text
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return LONE_SURROGATE.sub("\ufffd", text)
    return text


class TraditionalToSimplified(Cleaner):
    """Converts with OpenCC `config`; `off` only records the script in `meta`."""

    name: ClassVar[str] = "traditional"

    def __init__(
        self, config: str = "t2s", min_traditional_share: float = DEFAULT_MIN_TRADITIONAL_SHARE
    ) -> None:
        if config not in CONFIGS:
            raise ValueError(f"config must be one of {CONFIGS}, not {config!r}")
        self.config = config
        self.min_traditional_share = min_traditional_share
        self._converter: Any = None
        self._detector: ChangeDetector | None = None

    def converter(self) -> Any:
        if self._converter is None:
            import opencc

            # Detection always uses the generic table; conversion uses the chosen one.
            table = "t2s" if self.config == "off" else self.config
            self._converter = opencc.OpenCC(table)
            self._detector = change_detector(table)
        return self._converter

    def clean(self, text: str) -> Cleaned:
        # OpenCC takes UTF-8, which cannot hold a lone surrogate (a JSON `\ud800`): each
        # becomes U+FFFD first, one character for one, instead of an exception.
        text = without_surrogates(text)
        converter = self.converter()
        # Most texts hold nothing OpenCC changes: a scan says so, and they skip the
        # conversion and the comparison (`opencc_changes`).
        if self._detector is not None and not self._detector.may_change(text):
            converted = text
        else:
            converted = converter.convert(text)
        # Characters the conversion changed; phrase tables may change the length, then
        # the position-wise count is rough but still at least 1.
        changed = 0
        if converted != text:
            pairs = zip(text, converted, strict=False)
            changed = max(1, sum(1 for before, after in pairs if before != after))
        # (Nothing changed: the share is 0 whatever the Han count, so it is not counted.)
        han = count_han(text) if changed else 0
        share = changed / han if han else 0.0
        meta = {
            "script_original": "Hant" if share >= self.min_traditional_share else "Hans",
            "traditional_char_share": round(share, 4),
        }
        if self.config == "off" or converted == text:
            return Cleaned(text, meta=meta)
        return Cleaned(converted, meta=meta)
