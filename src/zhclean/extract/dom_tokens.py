"""Which DOM elements are ads and boilerplate, and which are likely content roots.

The tokens are data, in `zhclean/rules/dom_tokens.toml` (one rule per concept, each with a stable
id). This module compiles them into dictionary lookups: an element is classified from its
tag, its `class` / `id` words, a few attributes and its inline `style`. Results for a
given (class, id) pair are cached, because a page repeats the same few class names
hundreds of times.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from itertools import accumulate
from operator import add
from typing import Any

from zhclean.text.patterns import trie_pattern

DEFAULT_RULES_FILE = "dom_tokens.toml"
# Words of class and id values: runs of letters/digits; camelCase humps split below.
WORD_PATTERN = re.compile(r"[^\W_]+")
CAMEL_HUMP = re.compile(r"(?<=[a-z])(?=[A-Z])")
TRAILING_DIGITS = re.compile(r"\d+$")
SEPARATORS = re.compile(r"[\W_]+")
# Affixes shorter than this hit ordinary words ("ad" in "head"), so they only match whole.
MIN_AFFIX_CHARS = 4
# Bounded so that a page generating unique class names cannot grow the cache forever.
MAX_CACHED_CLASS_NAMES = 50_000

NO_MATCH = -1


@dataclass(frozen=True)
class DomRule:
    id: str
    kind: str  # "boilerplate", "content", "structure" or "text"
    category: str
    inline: bool = False  # also drops inline elements, not only block containers


def class_words(value: str) -> list[str]:
    """Lower-case words of a class or id value: "topAd2 side_bar" -> top, ad, side, bar."""
    words = []
    for word in WORD_PATTERN.findall(value):
        for part in CAMEL_HUMP.split(word):
            part = TRAILING_DIGITS.sub("", part).lower()
            if part:
                words.append(part)
    return words


def joined_names(value: str) -> list[str]:
    """Each class name (or the id) with separators and trailing digits removed, lower-case:
    "rich_media_content" -> "richmediacontent", "postmessage_1234" -> "postmessage"."""
    names = []
    for name in value.split():
        joined = TRAILING_DIGITS.sub("", SEPARATORS.sub("", name)).lower()
        if joined:
            names.append(joined)
    return names


class DomTokenRules:
    """Compiled rules. `classify` returns (boilerplate rule index or NO_MATCH, whether a
    content rule matched)."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.header: dict[str, Any] = dict(data.get("header", {}))
        self.rules: list[DomRule] = []
        self.by_word: dict[str, int] = {}
        self.by_joined: dict[str, int] = {}
        self.by_tag: dict[str, int] = {}
        self.by_attribute: dict[str, int] = {}  # "name" or "name=value"
        self.affixes: list[tuple[str, int]] = []
        self.styles: list[tuple[str, int]] = []
        self.content_words: set[str] = set()
        self.content_joined: set[str] = set()
        self.content_tags: set[str] = set()
        self.content_attributes: set[str] = set()
        entries = data["rules"]
        for entry in entries:
            if entry.get("kind") == "text":
                continue  # below, after every token rule
            rule = DomRule(
                id=entry["id"],
                kind=entry.get("kind", "boilerplate"),
                category=entry["category"],
                inline=bool(entry.get("inline", False)),
            )
            index = len(self.rules)
            self.rules.append(rule)
            if rule.kind == "structure":
                continue  # no tokens: applied by the extractor from the page's shape
            if rule.kind == "content":
                self.content_words.update(word.lower() for word in entry.get("words", []))
                self.content_joined.update(word.lower() for word in entry.get("joined", []))
                self.content_tags.update(entry.get("tags", []))
                self.content_attributes.update(attribute.lower() for attribute in entry.get("attributes", []))
                continue
            # The first rule to name a token owns it: rules are ordered by confidence.
            for word in entry.get("words", []):
                self.by_word.setdefault(word.lower(), index)
                self.by_joined.setdefault(SEPARATORS.sub("", word.lower()), index)
            for word in entry.get("joined", []):
                self.by_joined.setdefault(word.lower(), index)
            for tag in entry.get("tags", []):
                self.by_tag.setdefault(tag, index)
            for attribute in entry.get("attributes", []):
                self.by_attribute.setdefault(attribute.lower(), index)
            for affix in entry.get("affixes", []):
                if len(affix) >= MIN_AFFIX_CHARS:
                    self.affixes.append((affix.lower(), index))
            for style in entry.get("styles", []):
                self.styles.append((style.lower().replace(" ", ""), index))
        # Text rules: every phrase of every rule in one literal alternation, matched on
        # lower-cased text (no quantifiers: no backtracking), then mapped to its rule.
        self.phrase_rules: dict[str, tuple[int, int]] = {}  # phrase -> (max chars, rule index)
        for entry in (entry for entry in entries if entry.get("kind") == "text"):
            rule = DomRule(id=entry["id"], kind="text", category=entry["category"])
            index = len(self.rules)
            self.rules.append(rule)
            for phrase in entry["phrases"]:
                self.phrase_rules.setdefault(phrase.lower(), (int(entry["max_chars"]), index))
        self.phrase_pattern = (
            re.compile(trie_pattern(list(self.phrase_rules))) if self.phrase_rules else None
        )
        self.max_text_rule_chars = max((max_chars for max_chars, _ in self.phrase_rules.values()), default=0)
        self.inline_rules = frozenset(index for index, rule in enumerate(self.rules) if rule.inline)
        # Every affix in one anchored alternation: one regex call per word, not one
        # startswith/endswith pair per affix. First rule to name an affix owns it.
        self.affix_rule: dict[str, int] = {}
        for affix, index in self.affixes:
            self.affix_rule.setdefault(affix, index)
        alternation = "|".join(re.escape(affix) for affix in sorted(self.affix_rule, key=len, reverse=True))
        self.affix_pattern = re.compile(f"^({alternation})|({alternation})$") if alternation else None
        self.attribute_names = frozenset(key.split("=", 1)[0] for key in self.by_attribute) | frozenset(
            key.split("=", 1)[0] for key in self.content_attributes
        )
        self._class_cache: dict[tuple[str, str], tuple[int, bool]] = {}
        self._element_cache: dict[tuple[Any, ...], tuple[int, bool]] = {}

    def rule_index(self, rule_id: str) -> int:
        """The position of the rule with this id (a structure rule the extractor applies)."""
        for index, rule in enumerate(self.rules):
            if rule.id == rule_id:
                return index
        raise KeyError(f"{rule_id} is not in the DOM rules file")

    def classify_text(self, text: str, chars: int) -> int:
        """The text rule a short block matches, or NO_MATCH."""
        if chars > self.max_text_rule_chars or self.phrase_pattern is None:
            return NO_MATCH
        for match in self.phrase_pattern.finditer(text.lower()):
            max_chars, index = self.phrase_rules[match.group()]
            if chars <= max_chars:
                return index
        return NO_MATCH

    def classify_texts(self, texts: list[str], chars: list[int]) -> list[tuple[int, int]]:
        """(block index, text rule index) of every block `classify_text` would match, in
        block order: the short blocks joined by NUL and searched in one regex pass, as a
        page has tens of thousands of blocks and a call per block cost a third of
        choosing the content. NUL never occurs in a phrase, so no match spans two blocks,
        and each block sees the same matches as when searched alone."""
        limit = self.max_text_rule_chars
        if self.phrase_pattern is None:
            return []
        candidates = [index for index, count in enumerate(chars) if count <= limit]
        if not candidates:
            return []
        selected = list(map(texts.__getitem__, candidates))
        joined = "\x00".join(selected)
        lowered = joined.lower()
        if len(lowered) == len(joined):
            lengths = list(map(len, selected))
        else:  # str.lower changed a length (İ -> i̇): lower block by block
            selected = list(map(str.lower, selected))
            lowered = "\x00".join(selected)
            lengths = list(map(len, selected))
        # Where each block starts in the joined text: its length plus one separator each.
        starts = list(map(add, accumulate(lengths, initial=0), range(len(lengths) + 1)))
        matched: list[tuple[int, int]] = []
        last_position = -1
        phrase_rules = self.phrase_rules
        for match in self.phrase_pattern.finditer(lowered):
            position = bisect_right(starts, match.start()) - 1
            if position == last_position:
                continue  # the block already matched
            index = candidates[position]
            max_chars, rule_index = phrase_rules[match.group()]
            if chars[index] <= max_chars:
                matched.append((index, rule_index))
                last_position = position
        return matched

    def classify_names(self, class_value: str, id_value: str) -> tuple[int, bool]:
        key = (class_value, id_value)
        cached = self._class_cache.get(key)
        if cached is not None:
            return cached
        boilerplate = NO_MATCH
        content = False
        for value in (id_value, class_value):
            if not value:
                continue
            for name in joined_names(value):
                if boilerplate == NO_MATCH:
                    boilerplate = self.by_joined.get(name, NO_MATCH)
                content = content or name in self.content_joined
            for word in class_words(value):
                if boilerplate == NO_MATCH:
                    boilerplate = self.by_word.get(word, NO_MATCH)
                if boilerplate == NO_MATCH and len(word) > MIN_AFFIX_CHARS:
                    match = self.affix_pattern.search(word) if self.affix_pattern else None
                    if match is not None:
                        boilerplate = self.affix_rule[match.group(1) or match.group(2)]
                content = content or word in self.content_words
            if boilerplate != NO_MATCH:
                break
        if len(self._class_cache) >= MAX_CACHED_CLASS_NAMES:
            self._class_cache.clear()
        self._class_cache[key] = (boilerplate, content)
        return boilerplate, content

    def classify_tag(self, tag: str) -> tuple[int, bool]:
        """(boilerplate rule index or NO_MATCH, content root?) of an element without
        attributes."""
        return self.by_tag.get(tag, NO_MATCH), tag in self.content_tags

    def classify(self, tag: str, attributes: dict[str, str | None]) -> tuple[int, bool]:
        """(boilerplate rule index or NO_MATCH, content root?) for one element.

        Called for every element of every page, so the answer is cached on what decides
        it: the tag, class, id, style and the few attributes rules name (never `href`)."""
        if not attributes:
            return self.by_tag.get(tag, NO_MATCH), tag in self.content_tags
        get = attributes.get
        named: tuple[tuple[str, str], ...] = ()
        if not self.attribute_names.isdisjoint(attributes):  # rare: skip the loop at C speed
            for name in attributes:
                if name in self.attribute_names:
                    named += ((name, (get(name) or "").strip().lower()),)
        key = (tag, get("class"), get("id"), get("style"), named)
        cached = self._element_cache.get(key)
        if cached is not None:
            return cached
        result = self._classify(tag, key[1] or "", key[2] or "", key[3] or "", named)
        if len(self._element_cache) >= MAX_CACHED_CLASS_NAMES:
            self._element_cache.clear()
        self._element_cache[key] = result
        return result

    def _classify(
        self, tag: str, class_value: str, id_value: str, style: str, named: tuple[tuple[str, str], ...]
    ) -> tuple[int, bool]:
        boilerplate = self.by_tag.get(tag, NO_MATCH)
        content = tag in self.content_tags
        if class_value or id_value:
            by_name, content_name = self.classify_names(class_value, id_value)
            if boilerplate == NO_MATCH:
                boilerplate = by_name
            content = content or content_name
        for name, value in named:
            key = f"{name}={value}"
            if boilerplate == NO_MATCH:
                boilerplate = self.by_attribute.get(key, self.by_attribute.get(name, NO_MATCH))
            content = content or key in self.content_attributes
        if style and boilerplate == NO_MATCH:
            squashed = style.lower().replace(" ", "")
            for pattern, index in self.styles:
                if pattern in squashed:
                    boilerplate = index
                    break
        return boilerplate, content
