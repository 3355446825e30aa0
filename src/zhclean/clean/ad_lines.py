"""Strips Chinese ad and boilerplate lines, and promotional fragments inside lines.

Rules are data (`zhclean/rules/ad_lines.toml`): each has a stable id and a category — QR/WeChat
follow prompts, copyright and licence numbers, reprint notices, disclaimers, bylines,
previous/next navigation, share widgets, read-more and open-app prompts, contact spam, ad
markers, counters, comment boxes, forum index lines. A line rule removes a whole line, but
only a line no longer than the rule's `max_chars`: a long paragraph that mentions 版权所有
is content. A fragment rule cuts only the matched sentence.

A rule marked `keep_sentences` leaves a line that reads as a reported sentence (has a
。！？ and at least `min_sentence_han` Han characters): its words (发表评论, 刊登广告,
举报电话) are widget and footer labels on their own but news in a sentence.

A rule marked `trailing` (copyright, reprint and disclaimer notices) cuts a line only where
such notices sit: after the main text. The line needs `trailing_min_prose_before` Han
characters of prose lines before it and at most `trailing_max_prose_after` after it, so a
sentence in the middle of an article that mentions 版权 or 转载 stays.

Lines repeated within a document are cut too: a short line without sentence punctuation
seen twice (a menu item, 返回顶部 at top and bottom) loses every copy, any other line loses
its later copies.

Every cut is a `Removal` with code `ad_lines.<category>` and the rule id.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import accumulate, chain
from operator import add
from typing import ClassVar

from zhclean.document import Removal
from zhclean.rules import load_rules_file
from zhclean.steps import Cleaned, Cleaner
from zhclean.text import patterns
from zhclean.text.chars import count_han
from zhclean.text.patterns import two_character_gate

DEFAULT_RULES_FILE = "ad_lines.toml"
# A repeated line this short and without sentence punctuation is navigation or a widget
# label, not prose: 20 characters covers 返回顶部, 上一篇：…, 热门推荐 and most menu items,
# while a repeated sentence of prose keeps its first copy.
DEFAULT_MAX_REPEATED_LABEL_CHARS = 20
REPEATED_LABEL_RULE = "ad.repeated.label"
REPEATED_LINE_RULE = "ad.repeated.line"
# A numbered item ("1、英语", "（二）面试", "③ 体检") is an entry of a list: when every record
# of a list repeats it (the subjects of every programme's exam), each copy belongs to its
# record and stays. A filled field ("语言：韩语") is an entry of a record too, but a feed
# repeats its fields ("类别：新闻") as a menu repeats its items: its first copy stays, as
# of a repeated sentence.
NUMBERED_ENTRY = re.compile(
    r"(?:\d{1,2}[、.．]|[（(][一二三四五六七八九十\d]{1,3}[)）]|[一二三四五六七八九十]{1,3}、|[①-⑳])\s*\S"
)
FIELD_ENTRY = re.compile(r"[^：:]{1,8}[：:]\s*\S")
SENTENCE_PUNCTUATION = re.compile(r"[。！？!?；;，,]")
# A trailing notice follows the article: at least a paragraph of prose (100 Han
# characters) before it, and at most a short paragraph (60) after it, as other notices
# and a signature often follow the first notice.
# A reported sentence: 15 Han characters is a full clause with subject and object, longer
# than any footer label or comment-box prompt.
DEFAULT_MIN_SENTENCE_HAN = 15
SENTENCE_MARK = re.compile(r"[。！？!?]")
DEFAULT_TRAILING_MIN_PROSE_BEFORE = 100
DEFAULT_TRAILING_MAX_PROSE_AFTER = 60


@dataclass(frozen=True)
class CompiledRule:
    id: str
    category: str
    scope: str  # "line" or "fragment"
    max_chars: int
    pattern: re.Pattern[str]  # case-sensitive, run on lower-cased text (faster than IGNORECASE)
    # Literals one of which every match contains (None: no such set was found): a rule is
    # only run on a text that contains one of them.
    required: frozenset[str] | None = None
    trailing: bool = False  # only after the main text (see the module docstring)
    keep_sentences: bool = False  # never a reported sentence (see the module docstring)

    @property
    def pattern_ignore_case(self) -> re.Pattern[str]:
        """The pattern for the rare text whose lower-casing changes its length. Compiled
        on first use (`re` keeps it in its cache): compiling it for every rule was a
        quarter of compiling the rules in every process, for texts most runs never see."""
        return re.compile(self.pattern.pattern, re.IGNORECASE | re.MULTILINE)


def required_literals(pattern: str) -> frozenset[str] | None:
    """`zhclean.text.patterns.required_literals`, or None when a literal spans a line break:
    the line-span shortcut in `AdLineCleaner.clean` needs one-line literals."""
    literals = patterns.required_literals(pattern)
    if literals is None or any("\n" in literal for literal in literals):
        return None
    return literals


def single_line(pattern: str) -> str:
    """Rewrites a rule so that it can never match across a line break: `\\s` becomes
    `[ \\t]` and every negated class excludes `\\n`. Rules are run over the whole text at
    once (one C-level scan per rule, no per-line Python loop), so this keeps each match
    inside one line."""
    out: list[str] = []
    index = 0
    in_class = False
    while index < len(pattern):
        char = pattern[index]
        if char == "\\" and index + 1 < len(pattern):
            escape = pattern[index : index + 2]
            if escape == "\\s":
                out.append(" \\t" if in_class else "[ \\t]")
            else:
                out.append(escape)
            index += 2
            continue
        if not in_class and char == "[":
            in_class = True
            if pattern.startswith("[^", index):
                out.append("[^\\n")
                index += 2
                continue
        elif in_class and char == "]" and out and out[-1] not in ("[", "[^\\n"):
            in_class = False
        out.append(char)
        index += 1
    return "".join(out)


def compile_rules(file_name: str) -> list[CompiledRule]:
    """Each rule compiled on its own: a rule that starts with a literal gets the regex
    engine's literal-prefix scan, which a combined alternation loses (measured: 22
    separate whole-text scans are several times faster than one alternation per line)."""
    data = load_rules_file(file_name)
    compiled: list[CompiledRule] = []
    for rule in data["rules"]:  # ids are unique: the loader checks every file
        rule_id = rule["id"]
        source = single_line(rule["pattern"])
        compiled.append(
            CompiledRule(
                rule_id,
                rule["category"],
                rule.get("scope", "line"),
                int(rule.get("max_chars", 0)),
                re.compile(source, re.MULTILINE),
                required_literals(source),
                bool(rule.get("trailing", False)),
                bool(rule.get("keep_sentences", False)),
            )
        )
    return compiled


@dataclass(frozen=True)
class Trigger:
    """One scan for the required literals of every rule. `pattern` stops at each position
    where some required literal starts (it consumes only that first character, so
    overlapping literals are all seen); `rules_by_first` maps that character to the rules
    having a literal that starts with it."""

    pattern: re.Pattern[str]
    rules_by_first: dict[str, tuple[int, ...]]
    unconditional: tuple[int, ...]  # rules without required literals: always run


def compile_trigger(rules: list[CompiledRule]) -> Trigger:
    literals_by_first: dict[str, set[str]] = {}
    rules_by_first: dict[str, list[int]] = {}
    unconditional: list[int] = []
    for index, rule in enumerate(rules):
        if rule.required is None:
            unconditional.append(index)
            continue
        for literal in rule.required:
            literals_by_first.setdefault(literal[0], set()).add(literal)
            if index not in rules_by_first.setdefault(literal[0], []):
                rules_by_first[literal[0]].append(index)
    branches: list[str] = []
    for first, literals in sorted(literals_by_first.items()):
        if first in literals:
            branches.append(re.escape(first))
        else:
            rests = sorted((literal[1:] for literal in literals), key=lambda rest: (-len(rest), rest))
            branches.append(re.escape(first) + "(?=" + "|".join(re.escape(rest) for rest in rests) + ")")
    all_literals = [literal for group in literals_by_first.values() for literal in group]
    # The gate first: most characters that start some literal (的-frequent ones such as
    # 人, 在, 发) are not followed by that literal's second character.
    pattern = (
        re.compile(two_character_gate(all_literals) + "(?:" + "|".join(branches) + ")")
        if branches
        else re.compile("(?!)")
    )
    return Trigger(
        pattern, {first: tuple(indices) for first, indices in rules_by_first.items()}, tuple(unconditional)
    )


# Spans of lines closer than this are scanned as one: a `finditer` call costs about as
# much as scanning a few dozen characters.
_SPAN_MERGE_GAP = 64


class AdLineCleaner(Cleaner):
    """Removes ad and boilerplate lines and fragments named by the rule file."""

    name: ClassVar[str] = "ad_lines"

    def __init__(
        self,
        rules_file: str = DEFAULT_RULES_FILE,
        remove_fragments: bool = True,
        remove_repeated_lines: bool = True,
        max_repeated_label_chars: int = DEFAULT_MAX_REPEATED_LABEL_CHARS,
        trailing_min_prose_before: int = DEFAULT_TRAILING_MIN_PROSE_BEFORE,
        trailing_max_prose_after: int = DEFAULT_TRAILING_MAX_PROSE_AFTER,
        min_sentence_han: int = DEFAULT_MIN_SENTENCE_HAN,
    ) -> None:
        self.min_sentence_han = min_sentence_han
        self.rules_file = rules_file
        self.trailing_min_prose_before = trailing_min_prose_before
        self.trailing_max_prose_after = trailing_max_prose_after
        self.remove_fragments = remove_fragments
        self.remove_repeated_lines = remove_repeated_lines
        self.max_repeated_label_chars = max_repeated_label_chars
        self._rules: list[CompiledRule] | None = None
        self._trigger: Trigger | None = None

    def rules(self) -> list[CompiledRule]:
        if self._rules is None:
            self._rules = compile_rules(self.rules_file)
        return self._rules

    def trigger(self) -> Trigger:
        if self._trigger is None:
            self._trigger = compile_trigger(self.rules())
        return self._trigger

    def rule_spans(self, lowered: str) -> dict[int, list[tuple[int, int]]]:
        """Rules that can match `lowered`, each with the spans of whole lines holding its
        required literals. Every match of a rule contains one of its literals and stays in
        one line (`single_line`), so scanning those lines finds exactly the matches a scan
        of the whole text would; a rule whose literals are absent cannot match at all. This
        replaces 27 full scans (most rules have no literal prefix for `re` to skip with)
        by one scan and a few short ones: ad_lines was ~40% of the `heuristics` time."""
        trigger = self.trigger()
        positions: dict[str, list[int]] = {}
        for match in trigger.pattern.finditer(lowered):
            position = match.start()
            positions.setdefault(lowered[position], []).append(position)
        by_rule: dict[int, list[int]] = {}
        for character, found in positions.items():
            for index in trigger.rules_by_first[character]:
                by_rule.setdefault(index, []).extend(found)
        whole_text = [(0, len(lowered))]
        spans: dict[int, list[tuple[int, int]]] = {index: whole_text for index in trigger.unconditional}
        for index, found in by_rule.items():
            found.sort()
            rule_spans: list[tuple[int, int]] = []
            start = end = -1
            for position in found:
                if position <= end:
                    continue  # already inside the current span's lines
                line_start = lowered.rfind("\n", 0, position) + 1
                line_end = lowered.find("\n", position)
                if line_end < 0:
                    line_end = len(lowered)
                if start >= 0 and line_start - end <= _SPAN_MERGE_GAP:
                    end = line_end
                else:
                    if start >= 0:
                        rule_spans.append((start, end))
                    start, end = line_start, line_end
            rule_spans.append((start, end))
            spans[index] = rule_spans
        return spans

    def clean(self, text: str) -> Cleaned:
        lines = text.split("\n")
        # Where each line starts: the lengths before it, plus one line break each.
        starts = list(map(add, accumulate(map(len, lines[:-1]), initial=0), range(len(lines))))
        removed: dict[int, Removal] = {}
        trailing: dict[int, Removal] = {}  # cut only if they turn out to trail the text
        fragments: dict[int, list[tuple[int, int, CompiledRule]]] = {}
        lowered = text.lower()
        # Lower-casing keeps offsets except for a few letters (İ); those texts match case-insensitively.
        same_length = len(lowered) == len(text)
        spans = self.rule_spans(lowered) if same_length else None
        for rule_index, rule in enumerate(self.rules()):
            if rule.scope == "fragment" and not self.remove_fragments:
                continue
            if spans is None:
                matches: Iterable[re.Match[str]] = rule.pattern_ignore_case.finditer(text)
            elif rule_index in spans:
                matches = chain.from_iterable(
                    rule.pattern.finditer(lowered, start, end) for start, end in spans[rule_index]
                )
            else:
                continue
            for match in matches:
                if match.start() == match.end():
                    continue
                index = bisect_right(starts, match.start()) - 1
                if index in removed:
                    continue
                if rule.scope == "fragment":
                    offset = starts[index]
                    fragments.setdefault(index, []).append(
                        (match.start() - offset, match.end() - offset, rule)
                    )
                    continue
                stripped = lines[index].strip()
                if rule.keep_sentences and self.is_sentence(stripped):
                    continue
                if len(stripped) <= rule.max_chars:
                    if rule.trailing:
                        trailing.setdefault(index, self.removal(rule.category, rule.id, stripped))
                    else:
                        removed[index] = self.removal(rule.category, rule.id, stripped)
        if trailing:
            self.keep_trailing(lines, trailing, removed)
        if self.remove_repeated_lines:
            self.mark_repeated(lines, removed)
        if not removed and not fragments:
            return Cleaned(text)
        removals: list[Removal] = []
        kept: list[str] = []
        for index, line in enumerate(lines):
            if index in removed:
                removals.append(removed[index])
                continue
            if index in fragments:
                line = self.cut_fragments(line, fragments[index], removals)
                if not line:
                    continue
            kept.append(line)
        result = re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip()
        return Cleaned(result, tuple(removals))

    def is_sentence(self, line: str) -> bool:
        return SENTENCE_MARK.search(line) is not None and count_han(line) >= self.min_sentence_han

    def keep_trailing(
        self, lines: list[str], trailing: dict[int, Removal], removed: dict[int, Removal]
    ) -> None:
        """Moves into `removed` the notices that follow the main text: enough prose before
        the line, little after it (prose: a line with sentence punctuation; notices and
        lines cut by other rules do not count). A text with no prose besides its notices
        is all notice, and they all go."""
        prose = [
            0
            if index in removed or index in trailing or not SENTENCE_PUNCTUATION.search(line)
            else count_han(line)
            for index, line in enumerate(lines)
        ]
        total = sum(prose)
        before = 0
        for index in range(len(lines)):
            if index in trailing and index not in removed:
                after = total - before - prose[index]
                follows_text = before >= self.trailing_min_prose_before or total == 0
                if follows_text and after <= self.trailing_max_prose_after:
                    removed[index] = trailing[index]
            before += prose[index]

    def mark_repeated(self, lines: list[str], removed: dict[int, Removal]) -> None:
        counts = Counter(map(str.strip, lines))
        del counts[""]
        if max(counts.values(), default=1) < 2:
            return  # no line repeats (most texts)
        cells = self.table_values(lines, counts)
        seen: set[str] = set()
        for index, line in enumerate(lines):
            stripped = line.strip()
            if not stripped or counts[stripped] < 2 or index in removed:
                continue
            is_short = len(stripped) <= self.max_repeated_label_chars
            if is_short and NUMBERED_ENTRY.match(stripped) is not None:
                continue
            is_label = (
                is_short
                and SENTENCE_PUNCTUATION.search(stripped) is None
                and FIELD_ENTRY.match(stripped) is None
            )
            if is_label:
                if stripped not in cells:
                    removed[index] = self.removal("repeated", REPEATED_LABEL_RULE, stripped)
            elif stripped in seen:
                removed[index] = self.removal("repeated", REPEATED_LINE_RULE, stripped)
            else:
                seen.add(stripped)

    @staticmethod
    def table_values(lines: list[str], counts: Counter[str]) -> set[str]:
        """Repeated short lines that are values in a table or list, not widget labels: a
        menu or a widget repeats as a block, so each copy of its label has a neighbour
        (the line before or after) that another copy has too; a value that recurs down a
        column (是, 同上, a course name) has different neighbours every time."""
        neighbours: dict[str, list[tuple[str, str]]] = {}
        content = [line.strip() for line in lines if line.strip()]
        for position, stripped in enumerate(content):
            if counts[stripped] < 2:
                continue
            before = content[position - 1] if position else ""
            after = content[position + 1] if position + 1 < len(content) else ""
            neighbours.setdefault(stripped, []).append((before, after))
        values: set[str] = set()
        for stripped, pairs in neighbours.items():
            befores = [before for before, _ in pairs]
            afters = [after for _, after in pairs]
            if len(set(befores)) == len(befores) and len(set(afters)) == len(afters):
                values.add(stripped)
        return values

    def cut_fragments(
        self, line: str, spans: list[tuple[int, int, CompiledRule]], removals: list[Removal]
    ) -> str:
        """Cuts each span (overlaps merged, first rule named), returns what is left."""
        pieces: list[str] = []
        position = 0
        for start, end, rule in sorted(spans, key=lambda span: (span[0], -span[1])):
            if end <= position:
                continue
            start = max(start, position)
            pieces.append(line[position:start])
            removals.append(self.removal(rule.category, rule.id, line[start:end]))
            position = end
        pieces.append(line[position:])
        return "".join(pieces).strip()
