"""Reading a cleaned output directory (`OUT/kept/`, `OUT/rejected/`, `OUT/_stats.json`) for
an audit: only the columns a question needs, batch by batch, so that an audit of millions
of rows stays within seconds and a bounded amount of memory.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa

from zhclean.io.storage import StoragePath, as_path, parquet_file

# Rows per batch when scanning a column: large enough that per-batch overhead vanishes,
# small enough that a batch of texts stays in the tens of megabytes.
SCAN_BATCH_ROWS = 65_536


class AuditError(Exception):
    """A user error in an audit command (no such output, unknown reason …): one line on
    stderr and exit code 2."""


@dataclass(frozen=True)
class CleanedOutput:
    """An output directory written by `zhclean clean`."""

    path: StoragePath
    stats: dict[str, Any]
    kept_shards: tuple[StoragePath, ...]
    rejected_shards: tuple[StoragePath, ...]

    @property
    def step_params(self) -> dict[str, dict[str, Any]]:
        """Each step's parameters by step name, as the run recorded them."""
        return {entry["name"]: dict(entry.get("params") or {}) for entry in self.stats.get("step_params", [])}

    def rows(self, which: str) -> int:
        """Row count of `kept` or `rejected`, from Parquet footers only (no data read)."""
        return sum(parquet_file(path).metadata.num_rows for path in self.shards(which))

    def shards(self, which: str) -> tuple[StoragePath, ...]:
        if which == "kept":
            return self.kept_shards
        if which == "rejected":
            return self.rejected_shards
        raise ValueError(f"which must be 'kept' or 'rejected', not {which!r}")


def completed_shards(directory: StoragePath) -> tuple[StoragePath, ...]:
    """Completed shards in name order; a shard still being written has a temporary name
    starting with a dot (see io/shards.py) and is not part of the output yet."""
    if not directory.is_dir():
        return ()
    return tuple(sorted(path for path in directory.glob("*.parquet") if not path.name.startswith(".")))


def open_output(path: str | Path | StoragePath) -> CleanedOutput:
    """The output at `path` (a local directory or an object-store URL such as
    `s3://bucket/out`); AuditError when it is not one."""
    directory = as_path(path)
    if not directory.is_dir():
        raise AuditError(f"output directory not found: {directory}")
    # `_stats.json` since the run's own files got names Parquet readers skip; older
    # outputs have `stats.json`.
    stats_path = directory / "_stats.json"
    if not stats_path.is_file():
        stats_path = directory / "stats.json"
    kept = completed_shards(directory / "kept")
    rejected = completed_shards(directory / "rejected")
    if not stats_path.is_file() and not kept and not rejected:
        raise AuditError(f"{directory} is not a zhclean output (no stats.json, kept/ or rejected/)")
    stats: dict[str, Any] = {}
    if stats_path.is_file():
        try:
            stats = json.loads(stats_path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as error:
            raise AuditError(f"cannot read {stats_path}: {error}") from None
    return CleanedOutput(directory, stats, kept, rejected)


def available_columns(path: StoragePath) -> set[str]:
    return set(parquet_file(path).schema_arrow.names)


def scan(
    shards: tuple[StoragePath, ...] | list[StoragePath],
    columns: list[str],
    batch_rows: int = SCAN_BATCH_ROWS,
    dictionary_columns: tuple[str, ...] = (),
) -> Iterator[tuple[int, int, pa.RecordBatch]]:
    """(shard index, row offset of the batch in its shard, batch) over every shard, reading
    only `columns` (those a shard lacks are left out of its batches). `dictionary_columns`
    are read dictionary-encoded: a column of a few dozen reasons repeated a million times
    then costs one small dictionary and an array of indices."""
    for shard_index, path in enumerate(shards):
        parquet = parquet_file(path, read_dictionary=list(dictionary_columns) or None)
        present = [name for name in columns if name in parquet.schema_arrow.names]
        offset = 0
        for batch in parquet.iter_batches(columns=present, batch_size=batch_rows):
            yield shard_index, offset, batch
            offset += batch.num_rows


def take_rows(path: StoragePath, rows: list[int], columns: list[str]) -> list[dict[str, Any]]:
    """The given rows of one shard (in the order given), reading only the row groups that
    hold them: a sample of ten rows from a large shard reads ten row groups at most."""
    if not rows:
        return []
    parquet = parquet_file(path)
    present = [name for name in columns if name in parquet.schema_arrow.names]
    metadata = parquet.metadata
    starts: list[int] = []
    position = 0
    for group in range(metadata.num_row_groups):
        starts.append(position)
        position += metadata.row_group(group).num_rows
    wanted_groups: dict[int, list[int]] = {}
    for row in rows:
        group = max(index for index, start in enumerate(starts) if start <= row)
        wanted_groups.setdefault(group, []).append(row)
    found: dict[int, dict[str, Any]] = {}
    for group, group_rows in wanted_groups.items():
        table = parquet.read_row_group(group, columns=present)
        picked = table.take(pa.array([row - starts[group] for row in group_rows], type=pa.int64()))
        for row, record in zip(group_rows, picked.to_pylist(), strict=False):
            found[row] = record
    return [found[row] for row in rows]


def parse_json_column(value: str | None) -> Any:
    """A `detail`/`meta` cell: JSON text written by the engine; an unreadable cell is shown
    as its raw text rather than failing the audit."""
    if not value:
        return {}
    try:
        return json.loads(value)
    except json.JSONDecodeError:
        return {"unparsed": value}
