"""Where every reason and rule id shown in an audit is defined.

* A reason `"<step>.<code>"` is defined by its step: the step's class and module, its
  declared codes, and the parameters the run used (`stats.json` → `step_params`), which
  hold the thresholds. `io.*` reasons come from the readers and `pipeline.*` from the
  engine.
* A rule id (in a Removal, or named in a Reject's detail) is defined by an entry of a rule
  file (`zhclean.rules`): the file, the line of its `id = "…"`, the entry's fields (its
  pattern, words …) and the file's version hash. Rule ids that no file defines (rules built
  into a step's code) are attributed to the step that emitted them.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from zhclean.rules import (
    RulesFileError,
    load_rules_file,
    rule_id_lines,
    rules_file_hash,
    rules_file_path,
    rules_version,
    shipped_rules_files,
)

# Reasons whose prefix is not a step.
NON_STEP_ORIGINS = {
    "io": (
        "reader",
        "zhclean.io.readers",
        "the record could not be read (raised by the input reader, before any step)",
    ),
    "read": (
        "reader",
        "zhclean.io.readers",
        "records read from the inputs; those unreadable are rejected as io.*",
    ),
    "pipeline": ("engine", "zhclean.engines.unit", "rejected by the engine after the last step"),
    "limit": (
        "limit",
        "zhclean.pipeline",
        "the record went past a per-record limit (bytes, DOM depth or nodes, seconds): "
        "see --max-record-bytes, --max-seconds-per-record and the main_content parameters",
    ),
}


@dataclass(frozen=True)
class RuleDefinition:
    id: str
    file: str  # rule file name as steps name it (e.g. "ad_lines.toml")
    path: str  # where it was read from
    line: int | None  # 1-based line of `id = "…"`
    fields: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": "rule",
            "rule": self.id,
            "file": self.file,
            "path": self.path,
            "line": self.line,
            "fields": self.fields,
        }

    @property
    def location(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file


@dataclass(frozen=True)
class RulesFile:
    name: str
    path: str
    sha256: str
    version: str
    rule_count: int
    recorded_sha256: str | None = None  # what the run's stats.json recorded, if it did

    @property
    def changed_since_run(self) -> bool:
        return self.recorded_sha256 is not None and self.recorded_sha256 != self.sha256

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "path": self.path,
            "sha256": self.sha256,
            "version": self.version,
            "rules": self.rule_count,
            "recorded_sha256": self.recorded_sha256,
            "changed_since_run": self.changed_since_run,
        }


@dataclass
class Definitions:
    """Every definition an audit may link to."""

    step_params: dict[str, dict[str, Any]]
    rules: dict[str, RuleDefinition] = field(default_factory=dict)
    rules_files: dict[str, RulesFile] = field(default_factory=dict)
    step_classes: dict[str, type] = field(default_factory=dict)

    @classmethod
    def for_output(cls, stats: dict[str, Any]) -> Definitions:
        step_params = {
            entry["name"]: dict(entry.get("params") or {}) for entry in stats.get("step_params", [])
        }
        definitions = cls(step_params=step_params, step_classes=exported_step_classes())
        recorded = recorded_rules_hashes(stats)
        for name in rule_file_names(step_params):
            rules = rule_definitions(name)
            if rules is None:
                continue
            for rule in rules:
                definitions.rules.setdefault(rule.id, rule)
            definitions.rules_files[name] = RulesFile(
                name=name,
                path=str(rules_file_path(name)),
                sha256=rules_file_hash(name),
                version=rules_version(name),
                rule_count=len(rules),
                recorded_sha256=recorded.get(name),
            )
        return definitions

    def step_of(self, reason_or_code: str) -> str:
        return reason_or_code.split(".", 1)[0]

    def reason_definition(self, reason: str) -> dict[str, Any]:
        """How `reason` is defined: its step (class, module, codes, parameters) or origin."""
        step = self.step_of(reason)
        code = reason.split(".", 1)[1] if "." in reason else ""
        if step in NON_STEP_ORIGINS and step not in self.step_params:
            kind, module, what = NON_STEP_ORIGINS[step]
            return {"kind": kind, "step": step, "code": code, "module": module, "description": what}
        definition: dict[str, Any] = {"kind": "step", "step": step, "code": code}
        if step in self.step_params:
            definition["params"] = self.step_params[step]
        step_class = self.step_classes.get(step)
        if step_class is not None:
            definition["class"] = f"{step_class.__module__}.{step_class.__qualname__}"
            definition["codes"] = list(getattr(step_class, "codes", ()))
            source = source_file(step_class)
            if source:
                definition["source"] = source
            doc = inspect.getdoc(step_class)
            if doc:
                definition["description"] = doc.split("\n\n", 1)[0]
        if step not in self.step_params and step_class is None:
            definition["kind"] = "unknown"
        return definition

    def rule_definition(self, rule_id: str, emitted_by: str = "") -> dict[str, Any]:
        """How a rule is defined: its rule file entry, else the step that emitted it."""
        rule = self.rules.get(rule_id)
        if rule is not None:
            definition = rule.as_dict()
            rules_file = self.rules_files.get(rule.file)
            if rules_file is not None:
                definition["file_sha256"] = rules_file.sha256
                definition["file_version"] = rules_file.version
            return definition
        step = self.step_of(emitted_by) if emitted_by else ""
        return {
            "kind": "code",
            "rule": rule_id,
            "step": step,
            "description": f"not in any rule file: built into the code of step {step!r}"
            if step
            else "not in any rule file",
        }

    def rule_ids_in(self, value: Any) -> list[str]:
        """Rule ids named anywhere in a Reject's detail (any string equal to a known id)."""
        found: list[str] = []
        for text in strings_in(value):
            if text in self.rules and text not in found:
                found.append(text)
        return found


def strings_in(value: Any) -> Iterable[str]:
    """Every string in a JSON value, dictionary keys included."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from strings_in(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from strings_in(item)


def exported_step_classes() -> dict[str, type]:
    """Step classes by name; empty when the registry cannot be imported (the audit still
    works from stats.json alone)."""
    try:
        from zhclean.registry import exported_steps

        return dict(exported_steps())
    except Exception:  # noqa: BLE001 - an audit must not fail because a stage package does
        return {}


def source_file(step_class: type) -> str | None:
    try:
        path = Path(inspect.getfile(step_class)).resolve()
    except (TypeError, OSError):
        return None
    for parent in path.parents:
        if parent.name == "src":
            return str(path.relative_to(parent.parent))
    return path.name


def rule_file_names(step_params: dict[str, dict[str, Any]]) -> list[str]:
    """Rule files an output may refer to: every file a step's `rules_file` parameter
    names, then every shipped file (a step may have read its default)."""
    names: list[str] = []
    for params in step_params.values():
        value = params.get("rules_file")
        if isinstance(value, str) and value not in names:
            names.append(value)
    names += [name for name in shipped_rules_files() if name not in names]
    return names


def rule_definitions(name: str) -> list[RuleDefinition] | None:
    """The rules of one file; None when it is gone or broken (an audit of an old output
    then shows the rules as "defined in code" rather than failing)."""
    try:
        data = load_rules_file(name)
        lines = rule_id_lines(name)
        path = str(rules_file_path(name))
    except (FileNotFoundError, OSError, RulesFileError):
        return None
    return [
        RuleDefinition(
            id=rule["id"],
            file=name,
            path=path,
            line=lines.get(rule["id"]),
            fields={key: value for key, value in rule.items() if key != "id"},
        )
        for rule in data["rules"]
    ]


def recorded_rules_hashes(stats: dict[str, Any]) -> dict[str, str]:
    """Rule file hashes the run recorded in stats.json (`rules_files`), accepting either
    `{name: sha256}` or `{name: {"sha256": …}}`; empty for runs that recorded none."""
    recorded = stats.get("rules_files") or {}
    hashes: dict[str, str] = {}
    if isinstance(recorded, dict):
        for name, value in recorded.items():
            if isinstance(value, str):
                hashes[name] = value
            elif isinstance(value, dict) and isinstance(value.get("sha256"), str):
                hashes[name] = value["sha256"]
    return hashes


def rules_files_used(step_params: dict[str, dict[str, Any]]) -> dict[str, dict[str, str]]:
    """What the engine should record in stats.json as `rules_files`: each rule file a run
    could read, with its sha256 and version. (Written into the run's stats by the run driver.)"""
    used: dict[str, dict[str, str]] = {}
    for name in rule_file_names(step_params):
        try:
            used[name] = {"sha256": rules_file_hash(name), "version": rules_version(name)}
        except (FileNotFoundError, OSError, RulesFileError):
            continue
    return used
