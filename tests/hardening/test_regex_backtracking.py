"""No regular expression in the rule files or in the code backtracks catastrophically.

Every pattern is found, not listed by hand: module-level compiled patterns of every
zhclean module, the patterns every exported step builds lazily (found by walking the
step after a warm-up call), and every `pattern` of every rule file compiled as
its loader does. Each meets adversarial inputs of 100,000 characters: long runs of every
character class a pattern cares about, its own literals repeated, near-matches (its
literals with the last one changed) repeated, and alternations of those. Each run must
take under 50 ms.

The machine running the suite may be loaded (2 cores shared with other jobs), so the
bound is 50 ms times a load factor: the time of a known-linear scan measured now over the
same time measured on an idle machine (never below 1). A pattern over the bound is timed
once more before failing, so one scheduling hiccup is not a failure; a pattern that
backtracks is over it every time (by orders of magnitude, not by a factor of two).
"""

from __future__ import annotations

import importlib
import pkgutil
import re
import time
from collections.abc import Iterator
from typing import Any

import pytest

import zhclean
from zhclean.clean.ad_lines import compile_rules
from zhclean.document import Document
from zhclean.registry import exported_steps
from zhclean.rules import load_rules_file, shipped_rules_files

LIMIT_SECONDS = 0.050
INPUT_BYTES = 100_000
INPUT_CHARS = 100_000  # before the cut to INPUT_BYTES of UTF-8
# What `baseline_seconds` measures on an idle machine of this kind (median of 5: 0.47 ms, with one of the two cores busy).
IDLE_BASELINE_SECONDS = 0.0005
CHARACTER_CLASSES = " \t\n\u3000中文字。，：:；！？…—a Z1０.-/_<>\"'&#@%=()[]【】（）《》\\|*+?x\x00é\ufffd"

Pattern = Any  # re.Pattern[str] | re.Pattern[bytes]


def baseline_seconds() -> float:
    """A scan known to be linear: the load of the machine, in seconds."""
    pattern = re.compile(r"[。！？]|(?:版权|免责)声明")
    text = hundred_kilobytes("今天天气很好我们去公园散步" * (INPUT_CHARS // 13))
    timings = []
    for _ in range(5):
        began = time.thread_time()
        for _match in pattern.finditer(text):
            pass
        timings.append(time.thread_time() - began)
    return sorted(timings)[2]


def walk(value: Any, depth: int, seen: set[int]) -> Iterator[Pattern]:
    if id(value) in seen or depth < 0:
        return
    seen.add(id(value))
    if isinstance(value, re.Pattern):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from walk(item, depth - 1, seen)
    elif isinstance(value, (list, tuple, set, frozenset)):
        for item in list(value)[:10_000]:
            yield from walk(item, depth - 1, seen)
    elif hasattr(value, "__dict__") and type(value).__module__.startswith("zhclean"):
        yield from walk(vars(value), depth - 1, seen)
    elif hasattr(value, "__slots__") and type(value).__module__.startswith("zhclean"):
        for slot in value.__slots__:
            yield from walk(getattr(value, slot, None), depth - 1, seen)


def code_patterns() -> Iterator[tuple[str, Pattern]]:
    for module_info in pkgutil.walk_packages(zhclean.__path__, "zhclean."):
        if module_info.name.endswith("__main__"):
            continue
        try:
            module = importlib.import_module(module_info.name)
        except ImportError:  # an optional extra (ray) that is not installed
            continue
        for name, value in vars(module).items():
            if isinstance(value, re.Pattern):
                yield f"{module_info.name}.{name}", value
    # A digit, an "@" and a link in the warm-up: steps that leave rules out of a text
    # that cannot match them (pii) build the pattern of all their rules only for a text
    # that holds what each rule needs.
    warm_up = Document(
        id="warm",
        text="今天天气很好，我们去公园散步。\n扫码关注公众号，版权所有。\n电话 13812345678，邮箱 a@b.cn，https://a.cn/1",
        html="<p>今天天气很好。</p>",
    )
    for name, step_class in exported_steps().items():
        try:
            step = step_class()
        except TypeError:  # a step that needs a model path
            continue
        try:
            step.apply(warm_up)
        except Exception:  # deduplicators refuse per-document use; the walk still runs
            pass
        for pattern in walk(vars(step), 4, set()):
            yield f"step {name}", pattern


def rule_patterns() -> Iterator[tuple[str, Pattern]]:
    """Every rule of every rule file, compiled as its step compiles it: ad_lines.toml through
    `compile_rules` (which keeps each rule on one line), other files' patterns as written."""
    for rule in compile_rules("ad_lines.toml"):
        for pattern in walk(vars(rule), 1, set()):
            yield f"ad_lines.toml {rule.id}", pattern
    for name in shipped_rules_files():
        if name == "ad_lines.toml":
            continue
        data = load_rules_file(name)
        for rule in rules_with_patterns(data):
            yield f"{name} {rule.get('id')}", re.compile(rule["pattern"], re.IGNORECASE | re.MULTILINE)


def rules_with_patterns(data: Any) -> Iterator[dict[str, Any]]:
    if isinstance(data, dict):
        if isinstance(data.get("pattern"), str):
            yield data
        for value in data.values():
            yield from rules_with_patterns(value)
    elif isinstance(data, list):
        for value in data:
            yield from rules_with_patterns(value)


def all_patterns() -> list[tuple[str, Pattern]]:
    unique: dict[tuple[Any, int], tuple[str, Pattern]] = {}
    for name, pattern in [*rule_patterns(), *code_patterns()]:  # rule ids name rule patterns
        unique.setdefault((pattern.pattern, pattern.flags), (name, pattern))
    return list(unique.values())


def literals_of(source: str) -> str:
    """The literal characters of a pattern, in order (escapes, classes' brackets and
    operators dropped): what a near-match is built from."""
    source = re.sub(
        r"\\[dDsSwWbBAZ]|\\[pP]\{[^}]*\}|\{\d*,?\d*\}|\(\?[:!=<]*|[\\()\[\]{}?*+|^$.]", "", source
    )
    return source or "x"


def adversarial_inputs(pattern: Pattern) -> Iterator[tuple[str, str]]:
    source = pattern.pattern if isinstance(pattern.pattern, str) else pattern.pattern.decode("latin-1")
    literals = literals_of(source)[:200]
    for character in CHARACTER_CLASSES:
        yield f"run of {character!r}", character * INPUT_CHARS
    for first, second in ("中 ", "a ", "1-", "中。", "a.", "<d", "：中", "\n "):
        yield f"alternation {first!r}{second!r}", (first * 40 + second) * (INPUT_CHARS // 41)
    near = literals[:-1] + ("x" if literals[-1:] != "x" else "y")
    for label, unit in (
        ("literals", literals),
        ("near-match", near),
        ("half literals", literals[: max(1, len(literals) // 2)]),
    ):
        yield f"{label} repeated", (unit * (INPUT_CHARS // len(unit) + 1))[:INPUT_CHARS]
        yield f"{label} spaced", ((unit + " ") * (INPUT_CHARS // (len(unit) + 1) + 1))[:INPUT_CHARS]
    # Each branch's start (a prefix of every alternative) repeated: the classic trigger
    # for nested quantifiers over alternations.
    for branch in source.split("|")[:20]:
        prefix = literals_of(branch)[:8]
        yield f"branch prefix {prefix!r}", (prefix * (INPUT_CHARS // len(prefix) + 1))[:INPUT_CHARS]


def hundred_kilobytes(text: str) -> str:
    """`text` cut to 100 kB of UTF-8 (the unit the limit is stated in): 100,000 ASCII characters, about
    33,000 Chinese ones."""
    encoded = text.encode("utf-8", errors="surrogatepass")[:INPUT_BYTES]
    for cut in range(4):  # the cut may fall inside a character
        try:
            return encoded[: len(encoded) - cut].decode("utf-8", errors="surrogatepass")
        except UnicodeDecodeError:
            continue
    return encoded.decode("utf-8", errors="ignore")


def scan_seconds(pattern: Pattern, text: str) -> float:
    """CPU seconds of this thread for one scan: on a busy machine, wall time would also
    count the time other processes held the core."""
    text = hundred_kilobytes(text)
    subject: str | bytes = (
        text if isinstance(pattern.pattern, str) else text.encode("utf-8", errors="surrogatepass")
    )
    began = time.thread_time()
    for _match in pattern.finditer(subject):  # type: ignore[arg-type]
        pass
    return time.thread_time() - began


PATTERNS = all_patterns()


def test_every_pattern_source_is_found() -> None:
    names = " ".join(name for name, _ in PATTERNS)
    assert len(PATTERNS) > 50
    for expected in (
        "ad_lines.toml",
        "step main_content",
        "step ad_lines",
        "step spam_words",
        "zhclean.io.decode",
        "pii.toml pii.mobile",
        "step pii",
    ):
        assert expected in names, expected


@pytest.fixture(scope="module")
def limit_seconds() -> float:
    load = max(1.0, baseline_seconds() / IDLE_BASELINE_SECONDS)
    return LIMIT_SECONDS * load


@pytest.mark.parametrize(
    ("name", "pattern"), PATTERNS, ids=[f"{name}:{ascii(pattern.pattern[:30])}" for name, pattern in PATTERNS]
)
def test_pattern_is_linear_on_adversarial_input(name: str, pattern: Pattern, limit_seconds: float) -> None:
    slow: list[tuple[str, float]] = []
    for label, text in adversarial_inputs(pattern):
        seconds = scan_seconds(pattern, text)
        if seconds > limit_seconds:
            seconds = min(seconds, scan_seconds(pattern, text))  # one hiccup is not a failure
        if seconds > limit_seconds:
            slow.append((label, round(seconds * 1000, 1)))
    assert not slow, f"{name} {ascii(pattern.pattern)}: ms over {limit_seconds * 1000:.0f} ms: {slow}"
