"""Unicode normalization that keeps Chinese punctuation.

NFKC would turn `，。：；！？（）` into ASCII and change the text a model learns from; this
cleaner only undoes what is noise:

* full-width ASCII letters, digits and a few symbols (`ＡＢＣ１２３＠％`) → half-width; the
  full-width punctuation Chinese uses (`，。：；！？（）【】《》“”`) is kept;
* U+3000 indents, NBSP and other odd spaces → one space; lines trimmed; blank lines
  limited to `max_blank_lines` in a row;
* zero-width characters, bidi controls, soft hyphens and C0/C1 control characters removed;
* leftover HTML entities (`&nbsp;`, `&amp;quot;`, `&#20013;`) decoded — SEO spam hides
  text in numeric entities, and a filter must see what a reader sees.

Nothing here is content, so no `Removal` is recorded. What the text looked like goes to
`meta`: `replacement_char_share` (U+FFFD per character) and `mojibake_share` (characters
typical of a wrong decode per character), which `MojibakeFilter` decides on.
"""

from __future__ import annotations

import html
import re
from typing import ClassVar

from zhclean.steps import Cleaned, Cleaner
from zhclean.text.chars import cell_break_pattern, unify_line_breaks

# Full-width forms U+FF01–U+FF5E map to ASCII by subtracting 0xFEE0. Converted: letters,
# digits and symbols that have no Chinese-punctuation role. Kept: ！（），．：；？［］｛｝～｀
# and the like that Chinese typesetting uses as punctuation.
FULL_WIDTH_KEPT = set("！（），．：；？［］｛｝～、＂＇｜")
FULL_WIDTH_TO_HALF = {
    code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F) if chr(code) not in FULL_WIDTH_KEPT
}

# Removed outright: zero-width space/joiners, LRM/RLM, bidi embeddings and isolates, word
# joiner and invisible operators, BOM, soft hyphen, Mongolian vowel separator, and C0/C1
# controls other than tab and newline (U+0085 NEL is a line break, handled below).
INVISIBLE_CODES = (
    list(range(0x200B, 0x2010))
    + list(range(0x202A, 0x202F))
    + list(range(0x2060, 0x2065))
    + list(range(0x2066, 0x206A))
    + [0xFEFF, 0x00AD, 0x180E, 0x034F]
    + [code for code in range(0x00, 0x20) if code not in (0x09, 0x0A, 0x0D)]
    + [0x7F]
    + [code for code in range(0x80, 0xA0) if code != 0x85]
)
TRANSLATION = {**FULL_WIDTH_TO_HALF, **{code: None for code in INVISIBLE_CODES}}
# Characters no valid text needs and a wrong decode produces; used to skip the translate
# call entirely on clean text (most documents), which keeps this cleaner cheap.
NEEDS_TRANSLATION = re.compile("[" + "".join(re.escape(chr(code)) for code in sorted(TRANSLATION)) + "]")

# Horizontal space other than the tab: a run of it becomes one space.
SPACE_CLASS = r" \f\v\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000"
HORIZONTAL_SPACE = re.compile(f"[{SPACE_CLASS}]+")
# A run holding a tab becomes one tab: a table's cell break.
TAB_RUN = cell_break_pattern(SPACE_CLASS)
# Starts at a line break or where a run of spaces and tabs starts (the lookbehind):
# ` *\n *` alone rescanned the rest of a long space run from each of its spaces (19 s on
# 100 kB of spaces). A line break right after the spaces a previous match took
# ("a\n \n b") starts a match of its own, so one pass leaves no space beside any line break.
SPACE_AROUND_NEWLINE = re.compile(r"\n[ \t]*|(?<![ \t])[ \t]+\n[ \t]*")
# Named, decimal and hexadecimal references; a bounded name keeps the scan linear.
HTML_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z][a-zA-Z0-9]{1,31});")

# Mojibake markers. `锟斤拷` is U+FFFD's UTF-8 bytes read as GBK; the single characters are
# what the commonest Chinese characters and punctuation (，。的是“”) become when UTF-8 is
# read as GBK — rare enough in real text that a run of them means a wrong decode. The
# Latin pairs are UTF-8 Chinese read as Windows-1252 (`å¤§` for 大).
MOJIBAKE = re.compile(r"锟斤拷|烫烫烫|屯屯屯|[锛銆鈥鐨鏄涓鍦浠鍙鎴]|[åæçèé][\u0080-\u00bf\u0152-\u2122]{1,2}")
# The characters a MOJIBAKE match starts with. `re` scans for an alternation of literals
# and classes position by position (≈25 µs a news text) but for one class with a bitmap
# (≈3 µs): a text without any of these has no match and skips the alternation.
MOJIBAKE_STARTS = re.compile("[锟烫屯锛銆鈥鐨鏄涓鍦浠鍙鎴åæçèé]")

# Two passes decode double-escaped text (`&amp;nbsp;`), a common CMS bug; a third level is
# rare and may be deliberate (a page about HTML).
DEFAULT_ENTITY_PASSES = 2
# One blank line keeps paragraph breaks (which repetition filters count); more is layout.
DEFAULT_MAX_BLANK_LINES = 1


def decode_entities(text: str, passes: int) -> str:
    for _ in range(passes):
        if "&" not in text or HTML_ENTITY.search(text) is None:
            break
        text = HTML_ENTITY.sub(lambda match: html.unescape(match.group(0)), text)
    return text


def collapse_whitespace(text: str, max_blank_lines: int) -> str:
    # Each substitution runs only when the text holds what it changes (`in` is a memchr-
    # speed scan; most texts have no CR, no space beside a line break, no blank-line run),
    # which halves this function's time on news text. The result is the same: a
    # substitution with nothing to change returns its input.
    text = unify_line_breaks(text)
    if "\t" in text:
        text = TAB_RUN.sub("\t", text)
    text = HORIZONTAL_SPACE.sub(" ", text)
    if " \n" in text or "\n " in text or "\t\n" in text or "\n\t" in text:
        text = SPACE_AROUND_NEWLINE.sub("\n", text)
    text = text.strip()
    limit = "\n" * (max_blank_lines + 1)
    if limit + "\n" in text:
        text = re.sub(f"\n{{{max_blank_lines + 2},}}", limit, text)
    return text


def mojibake_characters(text: str) -> int:
    """Characters of `text` in MOJIBAKE matches."""
    if MOJIBAKE_STARTS.search(text) is None:
        return 0
    return sum(len(match) for match in MOJIBAKE.findall(text))


class Normalizer(Cleaner):
    """Full-width ASCII to half-width, invisible and control characters out, entities
    decoded, whitespace collapsed; Chinese punctuation untouched."""

    name: ClassVar[str] = "normalize"
    # Running it on its own output changes nothing (property test in tests/hardening).
    idempotent: ClassVar[bool] = True

    def __init__(
        self,
        decode_html_entities: bool = True,
        entity_passes: int = DEFAULT_ENTITY_PASSES,
        max_blank_lines: int = DEFAULT_MAX_BLANK_LINES,
    ) -> None:
        self.decode_html_entities = decode_html_entities
        self.entity_passes = entity_passes
        self.max_blank_lines = max_blank_lines

    def clean(self, text: str) -> Cleaned:
        original = text
        if self.decode_html_entities:
            text = decode_entities(text, self.entity_passes)
        if NEEDS_TRANSLATION.search(text) is not None:
            text = text.translate(TRANSLATION)
        text = collapse_whitespace(text, self.max_blank_lines)
        characters = max(1, len(text) - text.count(" ") - text.count("\n"))
        meta = {
            "replacement_char_share": round(text.count("\ufffd") / characters, 6),
            "mojibake_share": round(mojibake_characters(text) / characters, 6),
        }
        return Cleaned(original if text == original else text, meta=meta)
