"""Rejects spam by keyword density per category: gambling, pornography, advertising
spam and fraud (fake invoices, get-rich schemes).

Reasons: `spam_words.<category code>` (declared below; the rule file may not add codes).
The word lists are data, `zhclean/rules/spam_words.toml`, one table per category with a stable
id, its words and its own thresholds. One compiled alternation scans the text once (a
trie of the words, run on the case-folded text, so that `re` can skip to the characters
that start a word); `detail` has the hits per category, the density per 1,000
characters and the most frequent words, so an audit shows why.

Density alone cannot tell spam from a report about spam: news of a gambling crackdown or
a fraud case repeats 赌场, 下注 or 汇款 as densely as the pitch does. The rule file's
context rule (`kind = "context"`, `spam.context`) separates them: a document with several distinct report words (警方,
抓获, 记者 …) and no more pitches (您, 立即, 欢迎来电, 加微信 …) than that is a report and passes every
category; a category with `require_pitch` (advertising: its words fill notices and
course descriptions too) also needs at least one pitch. A category may accept fewer
distinct words from a text that pitches repeatedly (`pitched_min_distinct` with at least
`pitched_min_pitches` pitches): a short advertising mail names three selling points and
asks twice, while a notice that names as many has nobody to ask. `detail` gives both counts.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import ClassVar

from zhclean.document import Document, Reject
from zhclean.rules import load_rules_file
from zhclean.steps import Filter
from zhclean.text.chars import count_non_space
from zhclean.text.patterns import character_class, trie_pattern, two_character_gate

DEFAULT_RULES_FILE = "spam_words.toml"
CATEGORY_CODES = ("gambling", "pornography", "advertising", "fraud")


# The letters `re.IGNORECASE` treats as one though `str.lower` keeps them apart (ſ and s,
# ı and i, µ and μ, the Greek and Cyrillic variant letters), as groups of code points: the
# table `re` itself uses (CPython 3.11-3.13), written out so that no private module of
# `re` is imported. tests/filters/test_filters.py checks each group against re.IGNORECASE.
EXTRA_CASE_GROUPS = (
    (105, 305), (115, 383), (181, 956), (837, 953, 8126), (912, 8147), (944, 8163), (946, 976),
    (949, 1013), (952, 977), (954, 1008), (960, 982), (961, 1009), (962, 963), (966, 981),
    (1074, 7296), (1076, 7297), (1086, 7298), (1089, 7299), (1090, 7300, 7301), (1098, 7302),
    (1123, 7303), (7304, 42571), (7777, 7835), (64261, 64262),
)  # fmt: skip


def case_fold_table() -> dict[int, int]:
    """Each letter of `EXTRA_CASE_GROUPS` to the smallest code of its group: a text lower-cased
    and then translated by this table meets a word wherever a case-insensitive regex of
    the word would."""
    table: dict[int, int] = {}
    for group in EXTRA_CASE_GROUPS:
        canonical = min(group)
        for member in group:
            if member != canonical:
                table[member] = canonical
    return table


CASE_FOLD_TABLE = case_fold_table()
NEEDS_CASE_FOLD = re.compile(character_class({chr(code) for code in CASE_FOLD_TABLE}))


def fold_case(text: str) -> str:
    """`text` lower-cased as `re.IGNORECASE` compares it. Matching words on this with a
    case-sensitive pattern replaces the case-insensitive one, which `re` cannot skip ahead
    in (50 ms on 100 kB of `a.`; the case-sensitive scan skips to the characters that
    start a word)."""
    lowered = text.lower()
    return lowered.translate(CASE_FOLD_TABLE) if NEEDS_CASE_FOLD.search(lowered) else lowered


@dataclass(frozen=True)
class Category:
    id: str
    code: str
    min_hits: int
    min_distinct: int
    min_hits_per_1k_chars: float
    require_pitch: bool = False
    # Fewer distinct words suffice from a text with at least this many pitches (0: never).
    pitched_min_distinct: int = 0
    pitched_min_pitches: int = 0

    def dense(self, hits: int, distinct: int, hits_per_1k_chars: float) -> bool:
        """Enough hits, densely enough, of enough distinct words for the category to apply
        to some text (with enough pitches, if it takes fewer words from a pitch)."""
        fewest_distinct = min(self.min_distinct, self.pitched_min_distinct or self.min_distinct)
        return (
            hits >= self.min_hits
            and distinct >= fewest_distinct
            and hits_per_1k_chars >= self.min_hits_per_1k_chars
        )

    def enough_words(self, distinct: int, pitches: int) -> bool:
        if distinct >= self.min_distinct:
            return True
        return (
            self.pitched_min_pitches > 0
            and pitches >= self.pitched_min_pitches
            and distinct >= self.pitched_min_distinct
        )


@dataclass(frozen=True)
class Context:
    """Pitch versus report (the rule file's rule of `kind = "context"`); None patterns: the
    file has none."""

    id: str
    min_report_distinct: int
    report: re.Pattern[str] | None
    pitch: re.Pattern[str] | None

    def counts(self, folded: str, min_pitches: int = 1) -> tuple[int, list[str]]:
        """Pitches and the distinct report words in `folded` (case-folded text). Pitches
        are counted only as far as the verdict needs: up to one more than the number of
        report words (at least `min_pitches`), so a long pitch-dense spam stops after its
        first few."""
        reports = sorted(set(self.report.findall(folded))) if self.report else []
        pitches = 0
        if self.pitch:
            enough = max(min_pitches, len(reports) + 1)
            for pitches, _ in enumerate(self.pitch.finditer(folded), start=1):
                if pitches >= enough:
                    break
        return pitches, reports

    def is_report(self, pitches: int, reports: list[str]) -> bool:
        # A tie is a report: a story quotes as many urgings (立即, 开户 at a bank) as it
        # names sources, while a pitch outnumbers the report words it borrows.
        return len(reports) >= self.min_report_distinct and pitches <= len(reports)


@dataclass(frozen=True)
class CompiledWords:
    pattern: re.Pattern[str]  # a trie of the case-folded words, run on the case-folded text
    category_of: dict[str, str]  # case-folded word → category code
    categories: dict[str, Category]
    context: Context
    pitches_needed: int  # pitches counted at most: as many as any category's verdict needs


def compile_words(file_name: str) -> CompiledWords:
    data = load_rules_file(file_name)
    category_of: dict[str, str] = {}
    categories: dict[str, Category] = {}
    contexts = [table for table in data["rules"] if table.get("kind") == "context"]
    for table in data["rules"]:
        if table.get("kind") == "context":
            continue
        code = table["code"]
        if code not in CATEGORY_CODES:
            raise ValueError(f"{file_name}: category code {code!r} is not one of {CATEGORY_CODES}")
        categories[code] = Category(
            id=table["id"],
            code=code,
            min_hits=int(table["min_hits"]),
            min_distinct=int(table["min_distinct"]),
            min_hits_per_1k_chars=float(table["min_hits_per_1k_chars"]),
            require_pitch=bool(table.get("require_pitch", False)),
            pitched_min_distinct=int(table.get("pitched_min_distinct", 0)),
            pitched_min_pitches=int(table.get("pitched_min_pitches", 0)),
        )
        for word in table["words"]:
            category_of.setdefault(fold_case(word), code)
    words = sorted(category_of, key=len, reverse=True)
    table = contexts[0] if contexts else {}
    report_words = sorted({fold_case(word) for word in table.get("report_words", [])}, key=len, reverse=True)
    pitch_patterns = table.get("pitch_patterns", [])
    context = Context(
        id=table.get("id", "spam.context"),
        min_report_distinct=int(table.get("min_report_distinct", 0)),
        report=re.compile(trie_pattern(report_words)) if report_words else None,
        pitch=re.compile("|".join(f"(?:{pattern})" for pattern in pitch_patterns))
        if pitch_patterns
        else None,
    )
    pitches_needed = max([1, *(category.pitched_min_pitches for category in categories.values())])
    return CompiledWords(
        re.compile(two_character_gate(words) + trie_pattern(words)),
        category_of,
        categories,
        context,
        pitches_needed,
    )


class SpamWordFilter(Filter):
    name: ClassVar[str] = "spam_words"
    codes: ClassVar[tuple[str, ...]] = CATEGORY_CODES

    def __init__(self, rules_file: str = DEFAULT_RULES_FILE) -> None:
        self.rules_file = rules_file
        self._words: CompiledWords | None = None

    def words(self) -> CompiledWords:
        if self._words is None:
            self._words = compile_words(self.rules_file)
        return self._words

    def check(self, doc: Document) -> Reject | None:
        compiled = self.words()
        folded = fold_case(doc.text)
        hits = compiled.pattern.findall(folded)
        if not hits:
            return None
        characters = max(1, count_non_space(doc.text))
        by_category: dict[str, Counter[str]] = {}
        for word in hits:
            by_category.setdefault(compiled.category_of[word], Counter())[word] += 1
        context: tuple[int, list[str]] | None = None  # counted once, only when a category is dense
        for code in CATEGORY_CODES:  # fixed order: the same document always gets the same reason
            words = by_category.get(code)
            if not words:
                continue
            category = compiled.categories[code]
            total = sum(words.values())
            density = total * 1000 / characters
            if not category.dense(total, len(words), density):
                continue
            if context is None:
                context = compiled.context.counts(folded, compiled.pitches_needed)
            pitches, reports = context
            if compiled.context.is_report(pitches, reports):
                return None  # a report about the topic: no category applies
            if category.require_pitch and not pitches:
                continue
            if not category.enough_words(len(words), pitches):
                continue
            return Reject(
                code,
                {
                    "rule": category.id,
                    "hits": total,
                    "distinct": len(words),
                    "hits_per_1k_chars": round(density, 2),
                    "top_words": dict(words.most_common(5)),
                    "min_hits_per_1k_chars": category.min_hits_per_1k_chars,
                    "pitches": pitches,
                    "report_words": reports,
                },
            )
        return None
