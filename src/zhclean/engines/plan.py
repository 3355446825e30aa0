"""Planning: which units of work a run is made of.

A unit is an input file (or a directory of HTML files) and its reader, or one of `parts`
interleaved shares of a file. Units are what workers run, what the manifest records as
done and what names the shards (`part-<unit>-…`): so what is kept or rejected never
depends on how many workers ran, on which executor, or in which order they finished.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from zhclean.io.readers import HTML_SUFFIXES, InputError, format_for_path
from zhclean.io.storage import StoragePath, as_path, identity_of


@dataclass(frozen=True)
class Unit:
    """One unit of work: an input file (or a directory of HTML files) and its reader, or
    one of `parts` interleaved shares of it (records `part`, `part + parts`, …), so that a
    single large file still keeps every worker busy."""

    index: int
    path: StoragePath
    format: str
    part: int = 0
    parts: int = 1

    @property
    def prefix(self) -> str:
        return f"part-{self.index:05d}"


def plan_inputs(inputs: list[StoragePath], format: str | None) -> list[tuple[StoragePath, str]]:
    """Input files and their readers, in the order the user named them; errors for missing
    inputs come first, before any work starts."""
    missing = [str(path) for path in inputs if not path.exists()]
    if missing:
        raise InputError(f"input not found: {', '.join(missing)}")
    return [(file, file_format) for path in inputs for file, file_format in expand_input(path, format)]


def plan_units(files: list[tuple[StoragePath, str]], workers: int) -> list[Unit]:
    """One unit per file; when there are fewer files than workers, each file is split into
    interleaved parts so every worker has one. Each part reads the whole file but processes
    only its share: reading is cheap next to extraction, and no pre-scan is needed."""
    parts = max(1, -(-workers // len(files))) if files and len(files) < workers else 1
    units: list[Unit] = []
    for path, file_format in files:
        for part in range(parts):
            units.append(Unit(len(units), path, file_format, part, parts))
    return units


def plan_from_manifest(plan: list[list[Any]], files: list[tuple[StoragePath, str]]) -> list[Unit]:
    """The units a run started with. Each keeps the path as first given (its `source`
    column names it so) unless that no longer leads to the same input (a relative path
    resumed from another directory): then the path given now is used."""
    given = {identity_of(path): path for path, _ in files}
    units = []
    for index, (path_text, file_format, part, parts, *identity) in enumerate(plan):
        path = as_path(path_text)
        if identity and identity_of(path) != identity[0] and identity[0] in given:
            path = given[identity[0]]
        units.append(Unit(index, path, file_format, part, parts))
    return units


def plan_entry(unit: Unit) -> list[Any]:
    return [str(unit.path), unit.format, unit.part, unit.parts, identity_of(unit.path)]


def expand_input(path: StoragePath, format: str | None) -> list[tuple[StoragePath, str]]:
    """A directory of HTML files is one unit; any other directory (e.g. a previous run's
    `kept/`) is expanded to the readable files in it, each its own unit. Names starting
    with a dot or an underscore (temporary shards, a run's `_stats.json`) are not inputs."""
    if not path.is_dir() or format == "html":
        return [(path, format or format_for_path(path))]
    files = sorted(  # type: ignore[type-var]
        file for file in path.rglob("*") if not file.name.startswith((".", "_")) and file.is_file()
    )
    if format is None and any(file.name.lower().endswith(HTML_SUFFIXES) for file in files):
        return [(path, "html")]
    readable = []
    for file in files:
        try:
            file_format = format_for_path(file)
        except InputError:
            continue
        if format is None or file_format == format:
            readable.append((file, file_format))
    if not readable:
        raise InputError(f"no readable input files in directory {path}")
    return readable
