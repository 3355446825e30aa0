"""Keeps the main text of a page given as plain text (a WET record, all visible text).

Without markup, what tells a Chinese article from the menus, link lists and sidebars
around it is the shape of its lines: prose lines are long and punctuated (，。！？), while
navigation, link lists and widget labels are short and bare. This cleaner (a text-only
cousin of jusText's block classification) does:

1. classify each line: `prose` (at least `min_prose_han` Han characters ending like a
   sentence, at least `min_clause_prose_han` with a clause mark anywhere, or
   `min_bare_prose_han` regardless; or a list item — numbered or bulleted — of at least
   `min_item_han` that ends like a sentence), `teaser` (a link list's truncated title,
   ending in `...`), or `other`. A headline may have commas (中国这次强硬反击，传递了
   四个信号) but does not end like a sentence, so a list of headlines is not prose;
2. group lines into regions: prose lines joined across gaps of at most `max_gap_lines`
   non-prose lines (sub-headings, captions, bylines inside an article stay with it);
3. keep every region whose prose weight is at least `min_region_share` of the heaviest
   region's, or at least `min_region_han` Han characters; everything else — the menus
   before the article, the link lists and footers after it, small sidebar blocks — goes.

A text with no prose line, or fewer than `min_lines` lines, is returned unchanged (a
poem, a list, a short post: the filters decide on those). Removals: code
`boilerplate_runs.outside_main`, rules `runs.before_main`, `runs.after_main`,
`runs.minor_region`.
"""

from __future__ import annotations

import re
from typing import ClassVar

from zhclean.document import Removal
from zhclean.steps import Cleaned, Cleaner
from zhclean.text.chars import count_han

# A prose line has a clause: 10 Han characters is about one short clause (a Chinese
# sentence averages 25–35 characters; People's Daily 1998 median clause ≈ 9).
DEFAULT_MIN_PROSE_HAN = 10
# Long unpunctuated lines happen in old pages that separate sentences with spaces; 40
# Han characters is longer than almost any headline or menu row.
DEFAULT_MIN_BARE_PROSE_HAN = 40
# A line with a clause mark but no sentence end at its end is a headline or a teaser
# (headlines run 10–30 Han characters) unless it is longer than a headline: a paragraph
# cut mid-sentence, a sentence ending in a link.
DEFAULT_MIN_CLAUSE_PROSE_HAN = 30
# Sub-headings, image captions and a byline inside an article: rarely more than 3 in a row.
DEFAULT_MAX_GAP_LINES = 3
# A second block of prose is kept if it weighs at least 15% of the main one (a second
# post, the second half of an article split by a picture gallery); a sidebar of comments
# or teasers is usually under 10%.
DEFAULT_MIN_REGION_SHARE = 0.15
# …and always kept past 300 Han characters (a full paragraph or two): losing real text
# costs more than keeping a long sidebar.
DEFAULT_MIN_REGION_HAN = 300
# Below 5 lines there is no page layout to speak of.
DEFAULT_MIN_LINES = 5
# "3、身体健康。": a numbered item that ends like a sentence is a clause of the text, however
# short; a menu entry or a link title has no full stop.
DEFAULT_MIN_ITEM_HAN = 2

CLAUSE_PUNCTUATION = re.compile(r"[，。！？；：、,!?;]")
# A link list's truncated title: ASCII dots or one ellipsis at the end (`……`, the Chinese
# ellipsis, is two and ends real sentences).
TEASER_END = re.compile(r"(?:\.{3,}|(?<!…)…)\s*$")
LIST_ITEM = re.compile(
    r"^[\s\u3000]*(?:\d{1,3}[、.．)）]|[（(]\d{1,3}[)）]|[一二三四五六七八九十]{1,3}、|[①-⑳]|[*•·\-–])"
)
SENTENCE_END = re.compile(r"[。！？；!?;]\s*$")
# The end of a sentence, with a closing quote or bracket after the mark (…说：“好。”).
SENTENCE_FINAL = re.compile(r"[。！？!?…；;：:][”」』’）)]?\s*$")


def is_table_row(line: str) -> bool:
    """A row of a table: at least two cells separated by tabs (as `visible_text` and the
    main-content extractor write rows)."""
    return "\t" in line and sum(1 for cell in line.split("\t") if cell.strip()) >= 2


class BoilerplateRunCleaner(Cleaner):
    """Drops the lines outside the main runs of prose of a page's text."""

    name: ClassVar[str] = "boilerplate_runs"

    def __init__(
        self,
        min_prose_han: int = DEFAULT_MIN_PROSE_HAN,
        min_bare_prose_han: int = DEFAULT_MIN_BARE_PROSE_HAN,
        min_clause_prose_han: int = DEFAULT_MIN_CLAUSE_PROSE_HAN,
        max_gap_lines: int = DEFAULT_MAX_GAP_LINES,
        min_region_share: float = DEFAULT_MIN_REGION_SHARE,
        min_region_han: int = DEFAULT_MIN_REGION_HAN,
        min_lines: int = DEFAULT_MIN_LINES,
        min_item_han: int = DEFAULT_MIN_ITEM_HAN,
    ) -> None:
        self.min_prose_han = min_prose_han
        self.min_bare_prose_han = min_bare_prose_han
        self.min_clause_prose_han = min_clause_prose_han
        self.max_gap_lines = max_gap_lines
        self.min_region_share = min_region_share
        self.min_region_han = min_region_han
        self.min_lines = min_lines
        self.min_item_han = min_item_han

    def prose_weight(self, line: str) -> int:
        """Han characters of a prose line, 0 for any other line."""
        han = count_han(line)
        if han < self.min_prose_han:
            is_item = LIST_ITEM.match(line) is not None and SENTENCE_END.search(line) is not None
            return han if is_item and han >= self.min_item_han else 0
        if TEASER_END.search(line) is not None:
            return 0
        if han >= self.min_bare_prose_han or SENTENCE_FINAL.search(line) is not None:
            return han
        if han >= self.min_clause_prose_han and CLAUSE_PUNCTUATION.search(line) is not None:
            return han
        return 0

    def clean(self, text: str) -> Cleaned:
        lines = text.split("\n")
        content_indexes = [index for index, line in enumerate(lines) if line.strip()]
        if len(content_indexes) < self.min_lines:
            return Cleaned(text)
        weights = {index: self.prose_weight(lines[index]) for index in content_indexes}
        # Regions: [first, last] positions in content_indexes, joined across short gaps.
        regions: list[list[int]] = []
        last_prose = -1
        # Table rows between prose lines do not count as a gap: a table of short cells in an
        # article is part of it, however many rows it has.
        rows_before = 0  # table rows since the last prose line
        for position, index in enumerate(content_indexes):
            if not weights[index]:
                rows_before += is_table_row(lines[index])
                continue
            gap = position - last_prose - 1 - rows_before
            rows_before = 0
            if regions and gap <= self.max_gap_lines:
                regions[-1][1] = position
            else:
                regions.append([position, position])
            last_prose = position
        if not regions:
            return Cleaned(text)
        region_weights = [
            sum(weights[content_indexes[position]] for position in range(first, last + 1))
            for first, last in regions
        ]
        heaviest = max(region_weights)
        kept_positions: set[int] = set()
        kept_regions = [
            (first, last)
            for (first, last), weight in zip(regions, region_weights, strict=True)
            if weight >= self.min_region_share * heaviest or weight >= self.min_region_han
        ]
        for first, last in kept_regions:
            kept_positions.update(range(first, last + 1))
        if len(kept_positions) == len(content_indexes):
            return Cleaned(text)
        first_kept = kept_regions[0][0]
        last_kept = kept_regions[-1][1]
        removals: list[Removal] = []
        kept_lines: list[str] = []
        for position, index in enumerate(content_indexes):
            line = lines[index]
            if position in kept_positions:
                kept_lines.append(line)
                continue
            if position < first_kept:
                rule = "runs.before_main"
            elif position > last_kept:
                rule = "runs.after_main"
            else:
                rule = "runs.minor_region"
            removals.append(self.removal("outside_main", rule, line.strip()))
        return Cleaned("\n".join(kept_lines), tuple(removals))
