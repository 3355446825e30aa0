"""Building regular expressions from word lists, on the public `re` API only."""

from __future__ import annotations

import re
from typing import Any


def two_character_gate(literals: list[str]) -> str:
    """A lookahead that lets a scan for `literals` through only where one of them could
    start: a literal's first two characters in a row (or a one-character literal). Two set
    lookups per position instead of entering the alternation at every character that
    starts some literal: about 2x faster on web text, and 100 kB of `aaaa` (every
    position an `a`, as in `av…`) takes 2 ms instead of 50."""
    longer = [literal for literal in literals if len(literal) > 1]
    singles = {literal for literal in literals if len(literal) == 1}
    alternatives = []
    if longer:
        first = character_class({literal[0] for literal in longer})
        alternatives.append(first + character_class({literal[1] for literal in longer}))
    if singles:
        alternatives.append(character_class(singles))
    return "(?=" + "|".join(alternatives) + ")" if alternatives else ""


def trie_pattern(words: list[str]) -> str:
    """One regex for `words` shaped as a trie: at each position it matches the longest word
    starting there, as the flat longest-first alternation does, but every branch starts
    with a distinct literal, so `re` both skips ahead with a charset check and picks a
    branch without trying the 300 words in turn (measured 7× faster on web text)."""
    trie: dict[str, dict] = {}  # type: ignore[type-arg]
    for word in words:
        node = trie
        for character in word:
            node = node.setdefault(character, {})
        node[""] = {}

    def build(node: dict[str, Any]) -> str:
        branches = [
            re.escape(character) + build(child) for character, child in sorted(node.items()) if character
        ]
        if not branches:
            return ""
        if len(branches) == 1 and "" not in node:
            return branches[0]
        # The empty branch last: a longer word wins over a word that is its prefix.
        return "(?:" + "|".join(branches) + ("|" if "" in node else "") + ")"

    return build(trie)


def character_class(characters: set[str]) -> str:
    """A regex set of exactly `characters`."""
    return "[" + "".join(re.escape(character) for character in sorted(characters)) + "]"


# -- literals a pattern requires --------------------------------------------------------------

# Character classes larger than this are not worth listing as literals.
MAX_CLASS_LITERALS = 16
# Escapes that stand for one literal character; every other letter escape (\d \s \w \b …)
# is a class or an assertion and requires nothing.
LITERAL_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "f": "\f", "v": "\v", "a": "\a"}
QUANTIFIER = re.compile(r"[?*+]|\{(\d*)(?:,(\d*))?\}")

# One element of a parsed sequence: a literal character, a set of alternatives (one of
# which every match contains) or None (requires nothing).
Requirement = frozenset[str] | None


class UnsupportedPattern(ValueError):
    """A construct `required_literals` does not read; the caller treats it as "no
    requirement", which is always safe."""


def required_literals(pattern: str) -> frozenset[str] | None:
    """A set of strings at least one of which occurs in every match of `pattern`, or None.

    Read from the pattern's text: a literal run is required; an alternation requires the
    union of what its branches require; a group repeated at least once requires what its
    body does; anchors, lookarounds, optional parts and broad classes require nothing. In a
    sequence the most selective element is kept (longest, non-ASCII first, then fewest
    literals). Used only to *skip* a rule on a text that holds none of the literals, so a
    construct this does not read gives None and the rule always runs."""
    try:
        requirement, end = _alternation(pattern, 0)
    except UnsupportedPattern:
        return None
    if end != len(pattern) or requirement is None or any(not literal for literal in requirement):
        return None
    # A literal that contains a shorter one of the set adds nothing.
    return frozenset(
        literal
        for literal in requirement
        if not any(other != literal and other in literal for other in requirement)
    )


def _alternation(pattern: str, index: int) -> tuple[Requirement, int]:
    """Branches separated by `|` up to a closing parenthesis or the end."""
    branches: list[Requirement] = []
    while True:
        requirement, index = _sequence(pattern, index)
        branches.append(requirement)
        if index < len(pattern) and pattern[index] == "|":
            index += 1
            continue
        break
    if len(branches) == 1:
        return branches[0], index
    if any(branch is None for branch in branches):
        return None, index
    return frozenset().union(*branches), index  # type: ignore[arg-type]


def _sequence(pattern: str, index: int) -> tuple[Requirement, int]:
    options: list[frozenset[str]] = []
    run: list[str] = []

    def end_run() -> None:
        if run:
            options.append(frozenset({"".join(run)}))
            run.clear()

    while index < len(pattern) and pattern[index] not in "|)":
        item, literal, index = _atom(pattern, index)
        minimum, quantified_end = _quantifier(pattern, index)
        if literal is not None and quantified_end == index:
            run.append(literal)  # a literal character, not repeated: part of the run
            continue
        index = quantified_end
        if literal is not None:
            item = frozenset({literal})
        end_run()
        if minimum >= 1 and item is not None:
            options.append(item)
    end_run()
    if not options:
        return None, index
    return max(options, key=lambda literals: (min(map(_selectivity, literals)), -len(literals))), index


def _quantifier(pattern: str, index: int) -> tuple[int, int]:
    """The minimum repeat count of the atom just read (1 without a quantifier) and where
    the pattern goes on; a lazy or possessive mark after the quantifier is skipped."""
    match = QUANTIFIER.match(pattern, index)
    if match is None or (match.group(0).startswith("{") and match.group(1) == "" and match.group(2) is None):
        return 1, index
    text = match.group(0)
    minimum = {"?": 0, "*": 0, "+": 1}.get(text)
    if minimum is None:
        minimum = int(match.group(1) or 0)
    index = match.end()
    if index < len(pattern) and pattern[index] in "?+":
        index += 1
    return minimum, index


def _selectivity(literal: str) -> int:
    """How rarely `literal` occurs, roughly: its length, a non-ASCII character counting
    double (digits and ASCII punctuation such as "19" or ":" are everywhere in web text)."""
    return sum(1 if character.isascii() else 2 for character in literal)


def _atom(pattern: str, index: int) -> tuple[Requirement, str | None, int]:
    """One atom: (its requirement, the character if it is one literal, where it ends)."""
    character = pattern[index]
    if character == "\\":
        return _escape(pattern, index)
    if character == "[":
        return _character_class(pattern, index)
    if character == "(":
        return _group(pattern, index)
    if character in ".^$":
        return None, None, index + 1
    if character in "*+?{":
        raise UnsupportedPattern(f"a quantifier with nothing before it at {index}")
    return None, character, index + 1


def _escape(pattern: str, index: int) -> tuple[Requirement, str | None, int]:
    if index + 1 >= len(pattern):
        raise UnsupportedPattern("a trailing backslash")
    character = pattern[index + 1]
    if character in LITERAL_ESCAPES:
        return None, LITERAL_ESCAPES[character], index + 2
    if character.isalnum():  # \d \s \w \b \A \Z, back-references, \x.. \u.. (not read)
        if character in "xuUN0123456789":
            raise UnsupportedPattern(f"escape \\{character}")
        return None, None, index + 2
    return None, character, index + 2


def _character_class(pattern: str, index: int) -> tuple[Requirement, str | None, int]:
    end = index + 1
    if end < len(pattern) and pattern[end] == "^":
        negated = True
        end += 1
    else:
        negated = False
    members: list[str] = []
    first = True
    while end < len(pattern) and (pattern[end] != "]" or first):
        first = False
        if pattern[end] == "\\":
            escaped = pattern[end + 1]
            if escaped.isalnum() and escaped not in LITERAL_ESCAPES:
                negated = True  # \d \s \w inside a class: too broad to list
                members.append("")
            else:
                members.append(LITERAL_ESCAPES.get(escaped, escaped))
            end += 2
        else:
            members.append(pattern[end])
            end += 1
    if end >= len(pattern):
        raise UnsupportedPattern("an unterminated character class")
    characters: set[str] = set()
    position = 0
    while position < len(members):
        if (
            position + 2 < len(members)
            and members[position + 1] == "-"
            and members[position]
            and members[position + 2]
        ):
            low, high = ord(members[position]), ord(members[position + 2])
            if high - low >= MAX_CLASS_LITERALS:
                negated = True
            characters.update(chr(code) for code in range(low, high + 1))
            position += 3
        else:
            characters.add(members[position])
            position += 1
    end += 1
    if negated or not 0 < len(characters) <= MAX_CLASS_LITERALS:
        return None, None, end
    if len(characters) == 1:
        return None, next(iter(characters)), end
    return frozenset(characters), None, end


def _group(pattern: str, index: int) -> tuple[Requirement, str | None, int]:
    body = index + 1
    lookaround = False
    if pattern.startswith("(?", index):
        if pattern.startswith(("(?:", "(?>"), index):
            body = index + 3
        elif pattern.startswith("(?P<", index):
            body = pattern.index(">", index) + 1
        elif pattern.startswith(("(?=", "(?!", "(?<=", "(?<!"), index):
            lookaround = True
            body = index + (4 if pattern.startswith("(?<", index) else 3)
        else:  # inline flags, conditionals, comments
            raise UnsupportedPattern(f"group {pattern[index : index + 4]!r}")
    requirement, end = _alternation(pattern, body)
    if end >= len(pattern) or pattern[end] != ")":
        raise UnsupportedPattern("an unbalanced parenthesis")
    return (None if lookaround else requirement), None, end + 1
