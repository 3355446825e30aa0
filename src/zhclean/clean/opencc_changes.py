"""Which texts OpenCC would change: a scan instead of a conversion for the rest.

Almost every page of a Simplified Chinese crawl comes out of `t2s` unchanged, yet the
conversion and the comparison after it cost ≈70 µs on a 1,200-character news text. OpenCC
converts by longest match against its dictionaries: at each position the longest key
found is replaced by its first value. A text in which no key whose first value differs
from the key occurs therefore comes out unchanged (keys whose value is the key copy
themselves). So a text can skip the conversion when it holds none of those keys, and the
test for that is:

* `characters`: one character of each changing key: the key itself for one-character
  keys (the Traditional characters), and for a phrase its first character that is also
  a changing one-character key (`乾隆` → `乾隆` copies, `一併` → `一并` is caught by 併).
  A text holding none of them skips the conversion — one regular-expression scan.
* `phrases`: changing phrases with no such character (`回覆` → `回复`, `深沈` → `深沉`:
  覆 and 沈 are ordinary Simplified characters) are checked as substrings, and only in
  texts holding the character they change.

The keys come from the dictionaries of the OpenCC configuration (`t2s.json` lists them:
a normalization step and a chain of dictionary groups), read with `opencc_dict`, the
tool the `opencc` wheel ships. `opencc_changes.json` holds them for the OpenCC version it
names (written by `python -m zhclean.clean.opencc_changes`); with another version they
are read from its dictionaries on first use (≈0.2 s), and without the tool every text
is converted, as before.
"""

from __future__ import annotations

import functools
import json
import re
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

CHANGES_FILE = Path(__file__).with_name("opencc_changes.json")
CONFIGS = ("t2s", "tw2s", "hk2s")


class ChangeDetector:
    """`may_change(text)`: False only when OpenCC would return `text` unchanged.

    One regular-expression scan for the characters, the phrases' index characters and
    any character beyond U+FFFF (`re` tests a class of BMP characters against a bitmap,
    ≈4 µs a news text, but a class listing Extension B ideographs one by one, ≈1.5 ms:
    those are looked up in a set instead). Only a text holding an index character (覆,
    沈 …) looks for the phrases themselves."""

    def __init__(self, characters: str, phrases: dict[str, list[str]]) -> None:
        self.characters = characters
        self.phrases = phrases
        self._characters = frozenset(characters)
        self._phrases = {
            index: re.compile("|".join(map(re.escape, sorted(listed, key=len, reverse=True))))
            for index, listed in phrases.items()
        }
        scanned = sorted(set(characters) | set(phrases))
        bmp = "".join(re.escape(c) for c in scanned if ord(c) <= 0xFFFF)
        self._scan = re.compile(f"[{bmp}\U00010000-\U0010ffff]")

    def may_change(self, text: str) -> bool:
        checked: set[str] = set()
        match = self._scan.search(text)
        while match is not None:
            found = match.group()
            if found in self._characters:
                return True
            if found not in checked:
                checked.add(found)
                phrases = self._phrases.get(found)
                if phrases is not None and phrases.search(text):
                    return True
            match = self._scan.search(text, match.end())
        return False


def opencc_paths() -> tuple[Path, Path]:
    """(directory of the configurations and dictionaries, the `opencc_dict` tool) of the
    installed `opencc` wheel."""
    import opencc

    clib = Path(opencc.__file__).parent / "clib"
    return clib / "share" / "opencc", clib / "bin" / "opencc_dict"


def dictionary_files(config: Any) -> Iterator[str]:
    """The dictionary files a configuration (parsed JSON) names, in any nesting."""
    if isinstance(config, dict):
        if isinstance(config.get("file"), str):
            yield config["file"]
        for value in config.values():
            yield from dictionary_files(value)
    elif isinstance(config, list):
        for value in config:
            yield from dictionary_files(value)


def read_dictionary(path: Path, tool: Path) -> dict[str, str]:
    """key -> first value of one OpenCC dictionary (`.ocd2` through `opencc_dict`)."""
    if path.suffix == ".txt":
        text = path.read_text(encoding="utf-8")
    else:
        with tempfile.TemporaryDirectory(prefix="zhclean-opencc-") as scratch:
            dumped = Path(scratch) / "dictionary.txt"
            subprocess.run(
                [str(tool), "-i", str(path), "-o", str(dumped), "-f", path.suffix[1:], "-t", "text"],
                check=True,
                capture_output=True,
            )
            text = dumped.read_text(encoding="utf-8")
    entries = {}
    for line in text.splitlines():
        key, _, values = line.partition("\t")
        if key:
            entries[key] = values.split(" ")[0]
    return entries


def index_character(phrase: str, value: str) -> str:
    """The character a phrase is looked for under: the first one the conversion changes
    (覆 of 回覆 → 回复), or its first, when the lengths differ. Any of its characters
    would be correct; the changed one is the rarer in Simplified text."""
    if len(phrase) == len(value):
        return next(before for before, after in zip(phrase, value, strict=True) if before != after)
    return phrase[0]


def changes_from_dictionaries(config: str) -> dict[str, Any]:
    """`{"characters": str, "phrases": {index character: [phrase, …]}}` for a configuration."""
    share, tool = opencc_paths()
    parsed = json.loads((share / f"{config}.json").read_text(encoding="utf-8"))
    entries: dict[str, str] = {}
    for name in dict.fromkeys(dictionary_files(parsed)):
        for key, value in read_dictionary(share / name, tool).items():
            if value != key:
                entries.setdefault(key, value)
    changing = set(entries)
    single = {key for key in changing if len(key) == 1}
    characters = set(single)
    phrases: dict[str, list[str]] = {}
    for key in sorted(changing - single):
        caught = next((character for character in key if character in single), None)
        if caught is not None:
            characters.add(caught)
        else:
            phrases.setdefault(index_character(key, entries[key]), []).append(key)
    return {"characters": "".join(sorted(characters)), "phrases": phrases}


@functools.cache
def change_detector(config: str) -> ChangeDetector | None:
    """The detector for an OpenCC configuration, or None (convert every text) when its
    dictionaries cannot be read."""
    import opencc

    try:
        stored = json.loads(CHANGES_FILE.read_text(encoding="utf-8"))
        if stored.get("opencc_version") == opencc.__version__ and config in stored["configs"]:
            return ChangeDetector(**stored["configs"][config])
    except (OSError, ValueError, KeyError, TypeError):
        pass
    try:
        return ChangeDetector(**changes_from_dictionaries(config))
    except (OSError, ValueError, subprocess.CalledProcessError):
        return None


def write_changes_file(path: Path = CHANGES_FILE) -> None:
    import opencc

    data = {
        "opencc_version": opencc.__version__,
        "configs": {config: changes_from_dictionaries(config) for config in CONFIGS},
    }
    path.write_text(json.dumps(data, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")


if __name__ == "__main__":
    write_changes_file(Path(sys.argv[1]) if len(sys.argv) > 1 else CHANGES_FILE)
