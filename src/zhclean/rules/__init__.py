"""Rule files: patterns, word lists and tokens kept as data, in this package's folder.

    from zhclean.rules import load_rules_file, rules_file_hash

    rules = load_rules_file("ad_lines.toml")        # parsed and checked, a fresh dict per call
    fingerprint = rules_file_hash("ad_lines.toml")  # sha256 of the file's bytes

A step that uses rules takes them from its `rules_file` parameter: a file name of this
folder (the default) or the path of a user's own file in the same schema.

The schema, one for every file (checked when a file loads, and for every shipped file by
the test suite):

    [header]
    name = "ad_lines"            # the file's stem
    version = 2                  # an integer, raised when a rule changes meaning
    prefixes = ["ad"]            # every rule id starts with one of these and a dot
    source = "…"                 # where the rules come from
    licence = "Apache-2.0"

    [[rules]]
    id = "ad.qr_follow.scan"     # stable and unique: named in every Removal and Reject
    …                            # the fields the step reads
"""

from __future__ import annotations

import copy
import functools
import hashlib
import re
import sys
from importlib import resources
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

HEADER_FIELDS = {"name": str, "version": int, "prefixes": list, "source": str, "licence": str}


class RulesFileError(ValueError):
    """A rule file that does not follow the schema; the message names the file and the fault."""


def rules_directory() -> Path:
    """The folder of the shipped rule files (inside the installed package)."""
    return Path(str(resources.files(__name__)))


def shipped_rules_files() -> list[str]:
    """The names of every rule file shipped with zhclean."""
    return sorted(path.name for path in rules_directory().glob("*.toml"))


def rules_file_path(file_name: str) -> Path:
    """Where `file_name` is read from: a path that exists as given (a user's own file),
    else the shipped file of that name; FileNotFoundError naming both places."""
    given = Path(file_name)
    if given.is_file() and (given.is_absolute() or len(given.parts) > 1):
        return given
    shipped = rules_directory() / file_name
    if shipped.is_file():
        return shipped
    raise FileNotFoundError(f"rule file {file_name!r} not found (looked in: {given}, {shipped})")


@functools.lru_cache(maxsize=64)
def _read_bytes(path: Path) -> bytes:
    return path.read_bytes()


@functools.lru_cache(maxsize=64)
def _parsed(path: Path) -> dict[str, Any]:
    try:
        data = tomllib.loads(_read_bytes(path).decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise RulesFileError(f"rule file {path}: not valid UTF-8 TOML: {error}") from None
    check_schema(data, path)
    return data


@functools.lru_cache(maxsize=64)
def _header(path: Path) -> dict[str, Any]:
    """The file's [header] table, parsed from the text before the first [[rules]] when
    that holds it (as in every shipped file), else from the whole file. A run records the
    version of every rule file in its stats: parsing them whole took 10 ms, a fiftieth of
    deduplicating 3,000 news texts."""
    head, rules_follow, _ = _read_bytes(path).decode("utf-8", "replace").partition("\n[[rules]]")
    if rules_follow:
        try:
            header = tomllib.loads(head).get("header")
        except tomllib.TOMLDecodeError:
            header = None
        if isinstance(header, dict) and isinstance(header.get("version"), int):
            return header
    return _parsed(path)["header"]


def check_schema(data: dict[str, Any], path: Path) -> None:
    """Raises RulesFileError unless `data` has the header and the uniquely, prefixed ids
    that every rule file has (see the module docstring)."""
    header = data.get("header")
    if not isinstance(header, dict):
        raise RulesFileError(f"rule file {path}: no [header] table")
    for key, kind in HEADER_FIELDS.items():
        value = header.get(key)
        if not isinstance(value, kind) or isinstance(value, bool):
            raise RulesFileError(f"rule file {path}: header field {key!r} must be a {kind.__name__}")
    if header["name"] != path.stem:
        raise RulesFileError(
            f"rule file {path}: header name {header['name']!r} is not the file's stem {path.stem!r}"
        )
    extra = sorted(set(data) - {"header", "rules"})
    if extra:
        raise RulesFileError(f"rule file {path}: unknown top-level tables {extra}; rules go in [[rules]]")
    rules = data.get("rules")
    if not isinstance(rules, list) or not rules or not all(isinstance(rule, dict) for rule in rules):
        raise RulesFileError(f"rule file {path}: needs a non-empty [[rules]] array of tables")
    prefixes = tuple(f"{prefix}." for prefix in header["prefixes"])
    seen: set[str] = set()
    for position, rule in enumerate(rules, start=1):
        rule_id = rule.get("id")
        if not isinstance(rule_id, str) or not rule_id.startswith(prefixes):
            raise RulesFileError(
                f"rule file {path}: rule {position} needs a string id starting with one of {list(prefixes)}"
            )
        if rule_id in seen:
            raise RulesFileError(f"rule file {path}: duplicate rule id {rule_id!r}")
        seen.add(rule_id)


def load_rules_file(file_name: str) -> dict[str, Any]:
    """The parsed, schema-checked content of a rule file. Each call returns a fresh copy:
    callers may change it freely."""
    return copy.deepcopy(_parsed(rules_file_path(file_name)))


def rules_file_hash(file_name: str) -> str:
    """sha256 hex digest of the rule file's bytes: changes whenever any rule changes, so
    it can go into a pipeline fingerprint or an output manifest."""
    return hashlib.sha256(_read_bytes(rules_file_path(file_name))).hexdigest()


def rules_version(file_name: str) -> str:
    """A short human-readable version: the header's `version` plus the first 12 hex
    digits of the content hash (`"3+1a2b3c4d5e6f"`), so an edit without a version bump
    still shows."""
    version = _header(rules_file_path(file_name))["version"]
    return f"{version}+{rules_file_hash(file_name)[:12]}"


def rule_words(file_name: str) -> list[str]:
    """Every rule's `words`, in file order: a word list kept as a rule file."""
    return [word for rule in load_rules_file(file_name)["rules"] for word in rule.get("words", [])]


def rule_id_lines(file_name: str) -> dict[str, int]:
    """The 1-based line of each rule's `id = "…"`, so an audit can point at it."""
    text = _read_bytes(rules_file_path(file_name)).decode("utf-8")
    id_line = re.compile(r"""^\s*id\s*=\s*["']([^"']+)["']""")
    lines: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        match = id_line.match(line)
        if match:
            lines.setdefault(match.group(1), number)
    return lines


__all__ = [
    "RulesFileError",
    "check_schema",
    "load_rules_file",
    "rule_id_lines",
    "rule_words",
    "rules_directory",
    "rules_file_hash",
    "rules_file_path",
    "rules_version",
    "shipped_rules_files",
]
