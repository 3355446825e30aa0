"""Masks personal data in kept text: mainland mobile numbers, resident ID numbers, bank
card numbers, e-mail addresses, QQ numbers, WeChat ids and public IP addresses.

Training text must not teach a model people's phone and ID numbers, and Chinese pages
carry plenty (contact lines, classifieds, leaked forms). Precision matters as much as
recall: a masked date, price or order number damages exactly the text worth keeping. So
a number is taken for personal data only by its full shape and, where one exists, its
check: an ID number's ISO 7064 check digit and birth date, a card number's Luhn digit
and issuer prefix, an IP address's being globally routable. QQ numbers and WeChat ids,
which look like any other digit run or word, only where the text names them.

The patterns are data (the rule file `pii.toml`, one rule id per kind, `pii.<kind>`);
they are joined into one alternation and the text is scanned once. Text without a digit,
an `@` or a messenger key is returned at once.

`action`:
* `mask` (default): each item becomes its kind's tag (`[手机号]`, `[身份证号]` …; `tags`
  overrides them, as `"kind=tag"` strings);
* `remove`: each item is deleted;
* `reject`: a document holding more than `max_items` items is rejected as
  `pii.too_many` (a leaked form or a contact-list page); one holding fewer is masked.

Every item is recorded as a `Removal` (code `pii.<kind>`, the rule's id, the item's
text), so `zhclean audit OUT --rule pii.mobile` lists what was masked. The output's
`removed` column then holds the items themselves; with `record_items = false` it holds
them starred out (`138******78`), enough to audit the shapes without keeping the data.
"""

from __future__ import annotations

import datetime
import ipaddress
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from zhclean.document import Document, Reject, Removal
from zhclean.rules import load_rules_file
from zhclean.steps import Cleaned, Cleaner

DEFAULT_RULES_FILE = "pii.toml"
ACTIONS = ("mask", "remove", "reject")
# A contact line holds a phone, maybe an e-mail and a QQ; more than five items in one
# document is a list of people (a leaked form, a directory) rather than an article.
DEFAULT_MAX_ITEMS = 5
SKIP_KIND = "skip"
CONTEXT_KIND = "context"

# Full-width digits and letters (how some pages write numbers) to ASCII, for the checks.
FULL_WIDTH_TO_ASCII = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
SEPARATORS = re.compile(r"[ \-－]")
# Skipped before a `not_after` context is looked for: "订单号：", "单号 #".
CONTEXT_FILLER = " \t:：#＃="
# How far before / after a match a context word is looked for.
CONTEXT_WINDOW = 12

# ISO 7064 MOD 11-2 (GB 11643-1999): the weights of the first 17 digits, and the check
# character for each remainder of the weighted sum mod 11.
ID_WEIGHTS = tuple(pow(2, 17 - position, 11) for position in range(17))
ID_CHECK_CHARACTERS = "10X98765432"
# First two digits of a resident ID: the province-level division (GB/T 2260).
ID_PROVINCES = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 61 62 63 64 65"
    " 71 81 82 83 91".split()
)
OLDEST_BIRTH_YEAR = 1900


def ascii_text(fragment: str) -> str:
    """The fragment with full-width digits and letters made ASCII and separators dropped."""
    return SEPARATORS.sub("", fragment.translate(FULL_WIDTH_TO_ASCII))


def id_shaped(number: str) -> bool:
    """18 characters that start with a province code and a birth date that exists."""
    if len(number) != 18 or not number[:17].isdigit() or number[:2] not in ID_PROVINCES:
        return False
    try:
        birth = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:  # 19900230: no such day
        return False
    return OLDEST_BIRTH_YEAR <= birth.year and birth <= datetime.date.today()


def valid_id_card(fragment: str, rule: PiiRule) -> bool:
    number = ascii_text(fragment).upper()
    if not id_shaped(number):
        return False
    total = sum(int(digit) * weight for digit, weight in zip(number[:17], ID_WEIGHTS, strict=True))
    return ID_CHECK_CHARACTERS[total % 11] == number[17]


def luhn_valid(number: str) -> bool:
    total = 0
    for position, character in enumerate(reversed(number)):
        digit = int(character)
        if position % 2 == 1:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


def valid_bank_card(fragment: str, rule: PiiRule) -> bool:
    number = ascii_text(fragment)
    return (
        16 <= len(number) <= 19
        and number.isdigit()
        and number.startswith(rule.prefixes)
        and luhn_valid(number)
        # An ID number's shape with a wrong check digit is a mistyped or made-up ID
        # number, which must survive as such; 18-digit cards are rare (most are 16 or 19).
        and not id_shaped(number)
    )


def valid_mobile(fragment: str, rule: PiiRule) -> bool:
    number = ascii_text(fragment).lstrip("+(（").removeprefix("0086").removeprefix("86").lstrip(")）")
    return len(number) == 11 and number.startswith(rule.prefixes)


ONE_DIGIT_QUAD = re.compile(r"\d\.\d\.\d\.\d")


def public_ip(fragment: str, rule: PiiRule) -> bool:
    # Four one-digit parts number sections and versions ("2.1.2.1资质要求"); the public
    # addresses written so are resolvers (1.1.1.1, 8.8.8.8), no one's personal data.
    if ONE_DIGIT_QUAD.fullmatch(fragment):
        return False
    try:
        return ipaddress.ip_address(fragment).is_global
    except ValueError:  # 999.1.1.1, 12:30:45, a leading zero
        return False


WECHAT_SEPARATOR = re.compile(r"[:：号是为]")


def valid_wechat_id(fragment: str, rule: PiiRule, lead: str = "") -> bool:
    """An id with a digit, "_" or "-" is an id. One of letters only needs a separator
    in `lead` (the key and what follows it) that says the key names it ("微信号：zhangsan"),
    or to be lower case right after a Han key ("加V信zhangsan"); "微信 WeChat" and
    "wxpython" are not ids."""
    if any(not character.isalpha() for character in fragment):
        return True
    if WECHAT_SEPARATOR.search(lead) is not None:
        return True
    return fragment.isascii() and fragment.islower() and not lead[-1:].isascii()


CHECKS: dict[str, Callable[..., bool]] = {
    "mobile": valid_mobile,
    "id_card": valid_id_card,
    "bank_card": valid_bank_card,
    "public_ip": public_ip,
    "wechat_id": valid_wechat_id,
}


def starred(fragment: str) -> str:
    """The fragment with all but its first 3 and last 2 characters starred out: the
    shape an audit needs, not the number."""
    if len(fragment) <= 5:
        return "*" * len(fragment)
    return fragment[:3] + "*" * (len(fragment) - 5) + fragment[-2:]


@dataclass(frozen=True)
class PiiRule:
    id: str
    kind: str
    tag: str
    pattern: str
    check: str = ""
    not_after: tuple[str, ...] = ()
    not_before: tuple[str, ...] = ()
    prefixes: tuple[str, ...] = ()
    starts: str = ""
    needs: str = ""


def load_pii_rules(file_name: str) -> list[PiiRule]:
    """The rules of `file_name` that find or skip text, in file order. `not_after` and
    `not_before` list words, or name the id of a `kind = "context"` rule holding them."""
    data = load_rules_file(file_name)
    contexts = {
        entry["id"]: entry.get("words", []) for entry in data["rules"] if entry.get("kind") == CONTEXT_KIND
    }

    def words(value: Any) -> tuple[str, ...]:
        if isinstance(value, str):
            if value not in contexts:
                raise ValueError(f"{file_name}: no context rule {value!r} (have: {', '.join(contexts)})")
            value = contexts[value]
        return tuple(value or ())

    rules = []
    for entry in data["rules"]:
        if entry.get("kind") == CONTEXT_KIND:
            continue
        check = entry.get("check", "")
        if check and check not in CHECKS:
            known = ", ".join(CHECKS)
            raise ValueError(f"{file_name}: rule {entry['id']}: unknown check {check!r} (known: {known})")
        rules.append(
            PiiRule(
                id=entry["id"],
                kind=entry["kind"],
                tag=entry.get("tag", ""),
                pattern=entry["pattern"],
                check=check,
                not_after=words(entry.get("not_after")),
                not_before=words(entry.get("not_before")),
                prefixes=tuple(entry.get("prefixes", ())),
                starts=entry.get("starts", ""),
                needs=entry.get("needs", ""),
            )
        )
    return rules


class CompiledPii:
    """The rules, compiled for one-pass scans.

    A text's scan joins the rules it `needs` into one alternation (rule i's match in group
    `r<i>`, its masked part in `v<i>`) behind a one-character gate: a lookahead for the
    union of the rules' `starts`, so the alternation is entered only where some rule can
    begin. `pre_check` is the union of the needs of every rule that finds something: a
    text without it holds no item and is not scanned. Each rule alone (`single`) is tried
    where an earlier rule matched but failed its check."""

    def __init__(self, rules: list[PiiRule]) -> None:
        self.rules = tuple(rules)
        self.branches: list[str] = []
        self.value_groups: list[str | None] = []
        for index, rule in enumerate(rules):
            # The class is joined into one with the others: a negated class would not join.
            start_class = rule.starts.split("|", 1)[0]
            if rule.starts and not (
                start_class.startswith("[") and start_class.endswith("]") and not start_class.startswith("[^")
            ):
                raise ValueError(
                    f"rule {rule.id}: starts must be a character class [...], optionally followed by "
                    f"|-separated two-character openings, not {rule.starts!r}"
                )
            source = rule.pattern.replace("(?P<value>", f"(?P<v{index}>")
            self.value_groups.append(f"v{index}" if source != rule.pattern else None)
            self.branches.append(f"(?P<r{index}>{source})")
        self.single = tuple(re.compile(rule.pattern) for rule in rules)
        self.needs = {need: re.compile(need) for need in {rule.needs for rule in rules if rule.needs}}
        finders = [rule for rule in rules if rule.kind != SKIP_KIND]
        if any(not rule.needs for rule in finders):
            self.pre_check = re.compile(r"(?s:.)")
        else:
            self.pre_check = re.compile(
                "|".join(f"(?:{need})" for need in sorted({rule.needs for rule in finders}))
            )
        self.scans: dict[tuple[int, ...], re.Pattern[str]] = {}

    def scan(self, text: str) -> re.Pattern[str] | None:
        """The one pattern for `text`: its rules' alternation behind the gate; None when
        no rule that finds something can match (or the text lacks every need)."""
        present = {need: pattern.search(text) is not None for need, pattern in self.needs.items()}
        active = tuple(
            index for index, rule in enumerate(self.rules) if not rule.needs or present[rule.needs]
        )
        if all(self.rules[index].kind == SKIP_KIND for index in active):
            return None
        if active not in self.scans:
            starts = [self.rules[index].starts for index in active]
            gate = "" if not all(starts) else start_gate(starts)
            self.scans[active] = re.compile(
                gate + "(?:" + "|".join(self.branches[index] for index in active) + ")"
            )
        return self.scans[active]


def start_gate(starts: list[str]) -> str:
    """One lookahead for every rule's `starts`: the union of their classes, then the
    openings some rules allow only before a second character ("[(（][+＋]": a bracket
    opens a number only as "(+86)", so a run of brackets does not enter the alternation)."""
    classes = "".join(start.split("|", 1)[0][1:-1] for start in starts)
    openings = [opening for start in starts for opening in start.split("|")[1:]]
    return "(?=" + "|".join([f"[{classes}]", *openings]) + ")"


@dataclass(frozen=True)
class Item:
    start: int
    end: int
    rule: PiiRule


class PersonalDataCleaner(Cleaner):
    """Masks (or removes, or rejects on) personal data named by the rule file."""

    name: ClassVar[str] = "pii"
    codes: ClassVar[tuple[str, ...]] = ("emptied", "too_many")

    def __init__(
        self,
        action: str = "mask",
        tags: tuple[str, ...] = (),
        kinds: tuple[str, ...] = (),
        max_items: int = DEFAULT_MAX_ITEMS,
        record_items: bool = True,
        rules_file: str = DEFAULT_RULES_FILE,
    ) -> None:
        if action not in ACTIONS:
            raise ValueError(f"action must be one of {', '.join(ACTIONS)}, not {action!r}")
        for tag in tags:
            if "=" not in tag:
                raise ValueError(f"tags: {tag!r} must be written kind=tag, e.g. mobile=[PHONE]")
        self.action = action
        self.tags = tuple(tags)
        self.kinds = tuple(kinds)
        self.max_items = max_items
        self.record_items = record_items
        self.rules_file = rules_file
        self._compiled: CompiledPii | None = None
        self._tags: dict[str, str] | None = None
        if self.kinds or self.tags:
            # Checked now, not on the first document: a recipe naming a kind the rule
            # file lacks is refused when it is loaded.
            known = {rule.kind for rule in load_pii_rules(rules_file)} - {SKIP_KIND}
            named = {*self.kinds, *(tag.split("=", 1)[0] for tag in self.tags)}
            unknown = sorted(named - known)
            if unknown:
                raise ValueError(f"unknown kind {', '.join(unknown)} (known: {', '.join(sorted(known))})")

    def compiled(self) -> CompiledPii:
        if self._compiled is None:
            rules = load_pii_rules(self.rules_file)
            self._compiled = CompiledPii(rules)
            tags = {rule.kind: rule.tag for rule in rules}
            for tag in self.tags:
                kind, _, replacement = tag.partition("=")
                tags[kind] = replacement
            self._tags = tags
        return self._compiled

    def find(self, text: str) -> list[Item]:
        """The items of `text`, in order, none overlapping; skipped spans (URLs) left out."""
        compiled = self.compiled()
        if compiled.pre_check.search(text) is None:
            return []
        scan = compiled.scan(text)
        if scan is None:
            return []
        items: list[Item] = []
        position = 0
        while True:
            match = scan.search(text, position)
            if match is None:
                return items
            index = int(match.lastgroup[1:])  # type: ignore[index]
            item = self.accept(text, match, compiled.rules[index], compiled.value_groups[index])
            start = match.start()
            # This rule matched here but failed its check: a later one may still fit (18
            # digits that are no ID number may be a card number).
            for later in range(index + 1, len(compiled.rules)):
                if item is not None:
                    break
                single = compiled.single[later].match(text, start)
                if single is not None:
                    group = "value" if "value" in single.re.groupindex else None
                    item = self.accept(text, single, compiled.rules[later], group)
                    if item is not None:
                        match = single
            if item is not None and item.rule.kind != SKIP_KIND:
                if not self.kinds or item.rule.kind in self.kinds:
                    items.append(item)
            position = max(match.end(), start + 1)

    def accept(self, text: str, match: re.Match[str], rule: PiiRule, group: str | None) -> Item | None:
        """The item a rule's match makes (its `group` when the rule marks the masked part),
        or None when the rule's check or contexts refuse it."""
        start, end = match.span(group) if group else match.span()
        fragment = text[start:end]
        if rule.check:
            check = CHECKS[rule.check]
            if rule.check == "wechat_id":
                passed = check(fragment, rule, text[match.start() : start])
            else:
                passed = check(fragment, rule)
            if not passed:
                return None
        if rule.not_after:
            before = text[max(0, start - CONTEXT_WINDOW) : start].rstrip(CONTEXT_FILLER)
            if before.endswith(rule.not_after):
                return None
        if rule.not_before:
            after = text[end : end + CONTEXT_WINDOW].lstrip(CONTEXT_FILLER)
            if after.startswith(rule.not_before):
                return None
        return Item(start, end, rule)

    def masked(self, text: str, items: list[Item]) -> Cleaned:
        """`text` with each item replaced by its tag (deleted with `action = "remove"`)."""
        if not items:
            return Cleaned(text)
        tags = self._tags or {}
        pieces: list[str] = []
        removals: list[Removal] = []
        position = 0
        for item in items:
            pieces.append(text[position : item.start])
            if self.action != "remove":
                pieces.append(tags.get(item.rule.kind, ""))
            fragment = text[item.start : item.end]
            recorded = fragment if self.record_items else starred(fragment)
            removals.append(self.removal(item.rule.kind, item.rule.id, recorded))
            position = item.end
        pieces.append(text[position:])
        return Cleaned("".join(pieces), tuple(removals))

    def clean(self, text: str) -> Cleaned:
        """The text with its items masked or removed (with `action = "reject"`, masked:
        the verdict on a whole document is `apply`'s)."""
        return self.masked(text, self.find(text))

    def apply(self, doc: Document) -> Document | Reject:
        if self.action != "reject" or not doc.text:
            return super().apply(doc)
        items = self.find(doc.text)
        if len(items) > self.max_items:
            counts = Counter(item.rule.kind for item in items)
            detail = {"items": len(items), "max_items": self.max_items, **dict(sorted(counts.items()))}
            return Reject("too_many", detail)
        # Masked as with `mask` (the text is scanned again: only in this mode, and only
        # for documents with items to mask).
        return super().apply(doc) if items else doc
