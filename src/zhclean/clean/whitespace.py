"""Whitespace normalization: trims lines, collapses runs of spaces, drops blank lines.

Layout whitespace is not content, so nothing is recorded as removed.
"""

from __future__ import annotations

import re
from typing import ClassVar

from zhclean.steps import Cleaned, Cleaner
from zhclean.text.chars import cell_break_pattern, unify_line_breaks

# Runs of ordinary spaces, NBSP and the ideographic space U+3000 that Chinese pages use
# for paragraph indents; a lone ASCII space is left alone (replacing it with itself would
# only cost time). Newlines are kept: they separate paragraphs.
SPACES = r" \f\v\u00a0\u3000\u2000-\u200a\u202f\u205f"
OTHER_SPACES = SPACES.removeprefix(" ")
# A run of two or more, or one that is not an ASCII space: the first character is matched
# before the choice, because `re` scans for a pattern that starts with one class at C
# speed but tries an alternation (`[…]{2,}|[…]`) at every position, twice the time.
HORIZONTAL_SPACE = re.compile(f"[{SPACES}](?:[{SPACES}]+|(?<=[{OTHER_SPACES}]))")
# A run holding a tab becomes one tab: a table's cell break.
TAB_RUN = cell_break_pattern(SPACES)


class WhitespaceNormalizer(Cleaner):
    """One tab for a run of horizontal space holding a tab (a table's cell break), one
    space for any other run, lines trimmed, at most
    `max_blank_lines` blank lines in a row (0: paragraphs are plain lines)."""

    name: ClassVar[str] = "whitespace"
    # Running it on its own output changes nothing (property test in tests/hardening).
    idempotent: ClassVar[bool] = True

    def __init__(self, max_blank_lines: int = 0) -> None:
        self.max_blank_lines = max_blank_lines

    def clean(self, text: str) -> Cleaned:
        spaced = unify_line_breaks(text)
        if "\t" in spaced:
            spaced = TAB_RUN.sub("\t", spaced)
        spaced = HORIZONTAL_SPACE.sub(" ", spaced)
        lines: list[str] = []
        blank_run = 0
        for line in spaced.split("\n"):
            line = line.strip(" \t")
            if line:
                blank_run = 0
                lines.append(line)
            elif lines and blank_run < self.max_blank_lines:
                blank_run += 1
                lines.append("")
        while lines and not lines[-1]:
            lines.pop()
        normalized = "\n".join(lines)
        # The same object when nothing changed, so the pipeline skips copying the document.
        return Cleaned(text if normalized == text else normalized)
