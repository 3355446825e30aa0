"""Running one segment of the pipeline over one unit, in whichever worker the executor
chose. Everything a unit writes is named by the unit (`part-<unit>-…`) and written under
temporary names until complete, so a unit can be re-run after a crash or a lost worker
(`remove_unit_outputs` first) and the output is the same.
"""

from __future__ import annotations

import json
import pickle
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from zhclean.batching import batched
from zhclean.document import Document, Rejected
from zhclean.engines.plan import Unit
from zhclean.engines.progress import PROGRESS_INTERVAL_SECONDS
from zhclean.io.readers import ByteProgress, ReaderOptions, read_records
from zhclean.io.shards import (
    OUTPUT_SCHEMA,
    WORK_SCHEMA,
    ShardWriter,
    document_from_work_row,
    kept_row,
    read_rows,
    rejected_row,
    shard_paths,
    work_row,
)
from zhclean.io.storage import StoragePath, parquet_file
from zhclean.pipeline import DEFAULT_MAX_SECONDS_PER_RECORD, Pipeline, PipelineStats, reason_for
from zhclean.steps import Step, dedup_key

# `report(records, kept, rejected, stored_bytes_position)`, called now and then by a unit.
Report = Callable[[int, int, int, int], None]


@dataclass(frozen=True)
class UnitTask:
    """What a worker needs to run one segment of the pipeline over one unit."""

    unit: Unit
    segment: int
    steps: list[Step]
    reader_options: ReaderOptions
    out_dir: StoragePath
    batch_size: int
    max_seconds_per_record: float | None = DEFAULT_MAX_SECONDS_PER_RECORD


def work_dir(out_dir: StoragePath, segment: int) -> StoragePath:
    return out_dir / "_work" / f"segment-{segment}"


def duplicates_path(out_dir: StoragePath, segment: int) -> StoragePath:
    return out_dir / "_work" / f"duplicates-{segment}.parquet"


def run_unit(task: UnitTask, report: Report) -> PipelineStats:
    """Runs one segment over one unit and writes its shards; returns the unit's counts.

    `report(records, kept, rejected, stored_bytes_position)` is called now and then."""
    pipeline = Pipeline(
        task.steps, batch_size=task.batch_size, max_seconds_per_record=task.max_seconds_per_record
    )
    bounds = pipeline.segments()
    start, end, deduplicator = bounds[task.segment]
    last_segment = deduplicator is None
    progress = ByteProgress()
    out = task.out_dir
    rejected_writer = ShardWriter(out / "rejected", f"{task.unit.prefix}-s{task.segment}", OUTPUT_SCHEMA)
    if last_segment:
        survivor_writer = ShardWriter(out / "kept", task.unit.prefix, OUTPUT_SCHEMA)
    else:
        survivor_writer = ShardWriter(work_dir(out, task.segment), task.unit.prefix, WORK_SCHEMA)
    counts = [0, 0, 0]
    last_report = time.monotonic()
    try:
        for batch in batched(unit_inputs(task, pipeline, progress), task.batch_size):
            if task.segment == 0:
                pipeline.count_read(batch)
            for outcome in pipeline.process_batch(batch, start, end):
                counts[0] += 1
                if last_segment and isinstance(outcome, Document):
                    outcome = reject_unextracted(outcome)
                    if isinstance(outcome, Rejected):
                        pipeline.stats.output_rejected[outcome.reason] += 1
                if isinstance(outcome, Rejected):
                    rejected_writer.write(rejected_row(outcome))
                    pipeline.stats.rejected += 1
                    counts[2] += 1
                elif last_segment:
                    survivor_writer.write(kept_row(outcome))
                    pipeline.stats.kept += 1
                    pipeline.stats.kept_removals.update(removal.code for removal in outcome.removed)
                    counts[1] += 1
                else:
                    signature = pickle.dumps(deduplicator.signature(outcome), protocol=5)  # type: ignore[union-attr]
                    survivor_writer.write(work_row(outcome, signature))
            now = time.monotonic()
            if now - last_report >= PROGRESS_INTERVAL_SECONDS:
                report(counts[0], counts[1], counts[2], progress.position // task.unit.parts)
                counts = [0, 0, 0]
                last_report = now
    except BaseException:
        rejected_writer.abort()
        survivor_writer.abort()
        raise
    rejected_writer.close()
    survivor_writer.close()
    # Each of a file's `parts` reads the whole file: its share of the bar is 1/parts of it.
    report(counts[0], counts[1], counts[2], progress.position // task.unit.parts)
    return pipeline.stats


def reject_unextracted(document: Document) -> Document | Rejected:
    """A page that reaches the output still as bytes or markup was never turned into text
    (a text-only recipe run on a crawl): keeping it would keep an empty row and lose the
    page, so it is rejected with a hint instead."""
    if document.text or (document.raw is None and document.html is None):
        return document
    detail = {
        "hint": "this recipe has no decode/extract step for pages; use the extract, heuristics or default recipe"
    }
    return Rejected(document, "pipeline.not_extracted", detail)


def unit_inputs(task: UnitTask, pipeline: Pipeline, progress: ByteProgress) -> Iterator[Document | Rejected]:
    """Segment 0 reads the input file; later segments read the unit's work shards and
    reject the documents the previous deduplicator named."""
    if task.segment == 0:
        unit = task.unit
        records = read_records(unit.path, unit.format, task.reader_options, progress)
        if unit.parts == 1:
            yield from records
        else:
            yield from (record for index, record in enumerate(records) if index % unit.parts == unit.part)
        return
    previous = task.segment - 1
    deduplicator_index = pipeline.segments()[previous][1]
    deduplicator = pipeline.steps[deduplicator_index]
    stats = pipeline.stats.steps[deduplicator_index]
    duplicates = load_duplicates(duplicates_path(task.out_dir, previous))
    paths = [
        path
        for path in shard_paths(work_dir(task.out_dir, previous))
        if path.name.startswith(task.unit.prefix + "-")
    ]
    columns = ["id", "url", "text", "html", "source", "meta", "removed", "fields"]
    for row in read_rows(paths, columns):
        document = document_from_work_row(row)
        key = dedup_key(document.id, document.source)
        if key in duplicates:
            code, detail = duplicates[key]
            reason = reason_for(deduplicator, code)
            stats.rejected[reason] += 1
            yield Rejected(document, reason, detail)
        else:
            stats.docs_out += 1
            yield document


def load_duplicates(path: StoragePath) -> dict[str, tuple[str, dict[str, Any]]]:
    if not path.exists():
        return {}
    table = parquet_file(path).read()
    return {row["id"]: (row["code"], json.loads(row["detail"])) for row in table.to_pylist()}


def remove_unit_outputs(out_dir: StoragePath, unit: Unit, segment: int, last_segment: bool) -> None:
    """Removes whatever an interrupted run of this unit and segment left, complete shards
    and temporary files alike, so that running it again duplicates nothing."""
    patterns = [(out_dir / "rejected", f"{unit.prefix}-s{segment}-")]
    if last_segment:
        patterns.append((out_dir / "kept", f"{unit.prefix}-"))
    else:
        patterns.append((work_dir(out_dir, segment), f"{unit.prefix}-"))
    for directory, prefix in patterns:
        if not directory.is_dir():
            continue
        for path in directory.iterdir():
            name = path.name.removeprefix(".")
            if name.startswith(prefix):
                path.unlink()
