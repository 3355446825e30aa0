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
    WORK_COMPRESSION,
    WORK_SCHEMA,
    ShardWriter,
    document_from_work_row,
    kept_row,
    quality_of,
    read_rows,
    rejected_row,
    shard_paths,
    work_row,
)
from zhclean.io.storage import StoragePath, parquet_file
from zhclean.pipeline import DEFAULT_MAX_SECONDS_PER_RECORD, Pipeline, PipelineStats, reason_for
from zhclean.steps import DedupEntry, Step, dedup_key

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


# What a deduplicator's global stage decided: `dedup_key` → (code, detail).
Duplicates = dict[str, tuple[str, dict[str, Any]]]


class WorkShardWriter(ShardWriter):
    """The survivors of a segment, with their signatures, to the segment's work shards."""

    def __init__(self, out_dir: StoragePath, segment: int, prefix: str) -> None:
        super().__init__(work_dir(out_dir, segment), prefix, WORK_SCHEMA, compression=WORK_COMPRESSION)

    def write_survivor(self, document: Document, signature: Any) -> None:
        self.write(work_row(document, pickle.dumps(signature, protocol=5)))


@dataclass(frozen=True)
class WorkShardEntries:
    """A segment's work shards as its deduplicator's entries, one part a shard
    (`DedupEntryParts`): a staged deduplicator reads the shards in parallel."""

    paths: tuple[StoragePath, ...]

    @classmethod
    def of_segment(cls, out_dir: StoragePath, segment: int) -> WorkShardEntries:
        return cls(tuple(shard_paths(work_dir(out_dir, segment))))

    def __len__(self) -> int:
        return len(self.paths)

    def __iter__(self) -> Iterator[DedupEntry]:
        for index in range(len(self.paths)):
            yield from self.read_part(index)

    def count(self) -> int:
        return sum(self.part_size(index) for index in range(len(self.paths)))

    def part_size(self, index: int) -> int:
        return int(parquet_file(self.paths[index]).metadata.num_rows)

    def read_part(self, index: int) -> Iterator[DedupEntry]:
        columns = ["id", "source", "signature", "length", "quality"]
        for row in read_rows([self.paths[index]], columns):
            yield DedupEntry(
                id=dedup_key(row["id"], row["source"]),
                signature=pickle.loads(row["signature"]),
                length=row["length"],
                quality=row["quality"],
            )


class HeldWork:
    """What a run passes between its segments, held in this process instead of written to
    work shards and read back: for a run small enough that this process runs all of it
    (the driver decides). Writing and reading the shards cost more than the rest of a
    small dedup run. Each document is held as the next segment would have read it back
    from a work shard (`as_read_back`), so the output is the same either way."""

    def __init__(self) -> None:
        self.survivors: dict[tuple[int, int], list[tuple[Document, Any]]] = {}
        self.duplicates: dict[int, Duplicates] = {}

    def writer(self, segment: int, unit: Unit) -> HeldSurvivors:
        survivors: list[tuple[Document, Any]] = []
        self.survivors[(segment, unit.index)] = survivors
        return HeldSurvivors(survivors)

    def entries(self, segment: int) -> Iterator[DedupEntry]:
        """The segment's survivors for its deduplicator, in unit order (as its work shards
        would be read)."""
        for (held_segment, _), survivors in sorted(self.survivors.items(), key=lambda item: item[0]):
            if held_segment != segment:
                continue
            for document, signature in survivors:
                yield DedupEntry(
                    id=dedup_key(document.id, document.source),
                    signature=signature,
                    length=len(document.text),
                    quality=quality_of(document),
                )


class HeldSurvivors:
    """`WorkShardWriter`'s part for a run held in memory (`HeldWork`)."""

    def __init__(self, survivors: list[tuple[Document, Any]]) -> None:
        self.survivors = survivors

    def write_survivor(self, document: Document, signature: Any) -> None:
        self.survivors.append((as_read_back(document), signature))

    def close(self) -> None:
        pass

    def abort(self) -> None:
        self.survivors.clear()


def as_read_back(document: Document) -> Document:
    """`document` as a later segment reads it back from a work shard: without `raw` (not
    stored), `url` a string, `meta` and `fields` through JSON. Nearly every document comes
    back equal, and is passed as it is; the others make the round trip."""
    if (
        document.raw is None
        and isinstance(document.url, str)
        and survives_json(document.meta)
        and survives_json(document.fields)
    ):
        return document
    return document_from_work_row(work_row(document, None))


def survives_json(value: Any) -> bool:
    """Whether `value` comes back from JSON equal and of the same types."""
    if value is None or type(value) in (str, int, float, bool):
        return True
    if type(value) is dict:
        return all(type(key) is str and survives_json(item) for key, item in value.items())
    if type(value) is list:
        return all(survives_json(item) for item in value)
    return False


def run_unit(task: UnitTask, report: Report, held: HeldWork | None = None) -> PipelineStats:
    """Runs one segment over one unit and writes its shards; returns the unit's counts.
    With `held`, the documents between segments are held there instead of in work shards.

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
    # The last segment writes what it keeps; an earlier one passes its survivors, with
    # their signatures, to the next segment (work shards, or `held`).
    kept_writer: ShardWriter | None = None
    survivor_writer: WorkShardWriter | HeldSurvivors | None = None
    output_writer: ShardWriter | HeldSurvivors
    if last_segment:
        kept_writer = output_writer = ShardWriter(out / "kept", task.unit.prefix, OUTPUT_SCHEMA)
    elif held is not None:
        survivor_writer = output_writer = held.writer(task.segment, task.unit)
    else:
        survivor_writer = output_writer = WorkShardWriter(out, task.segment, task.unit.prefix)
    writers = (rejected_writer, output_writer)
    counts = [0, 0, 0]
    last_report = time.monotonic()
    try:
        for batch in batched(unit_inputs(task, pipeline, progress, held), task.batch_size):
            if task.segment == 0:
                pipeline.count_read(batch)
            survivors = []
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
                elif kept_writer is not None:
                    kept_writer.write(kept_row(outcome))
                    pipeline.stats.kept += 1
                    pipeline.stats.kept_removals.update(removal.code for removal in outcome.removed)
                    counts[1] += 1
                else:
                    survivors.append(outcome)
            if survivors:
                assert deduplicator is not None and survivor_writer is not None  # not the last segment
                signatures = deduplicator.signatures(survivors)
                for document, signature in zip(survivors, signatures, strict=True):
                    survivor_writer.write_survivor(document, signature)
            now = time.monotonic()
            if now - last_report >= PROGRESS_INTERVAL_SECONDS:
                report(counts[0], counts[1], counts[2], progress.position // task.unit.parts)
                counts = [0, 0, 0]
                last_report = now
    except BaseException:
        for writer in writers:
            writer.abort()
        raise
    for writer in writers:
        writer.close()
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


def unit_inputs(
    task: UnitTask, pipeline: Pipeline, progress: ByteProgress, held: HeldWork | None = None
) -> Iterator[Document | Rejected]:
    """Segment 0 reads the input file; later segments read the unit's work shards (or
    take what `held` holds) and reject the documents the previous deduplicator named."""
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
    documents: Iterator[Document]
    if held is not None:
        duplicates = held.duplicates.get(previous, {})
        survivors = held.survivors.pop((previous, task.unit.index), [])  # freed as the unit is read
        documents = (document for document, _ in survivors)
    else:
        duplicates = load_duplicates(duplicates_path(task.out_dir, previous))
        paths = [
            path
            for path in shard_paths(work_dir(task.out_dir, previous))
            if path.name.startswith(task.unit.prefix + "-")
        ]
        columns = ["id", "url", "text", "html", "source", "meta", "removed", "fields"]
        documents = (document_from_work_row(row) for row in read_rows(paths, columns))
    for document in documents:
        key = dedup_key(document.id, document.source)
        if key in duplicates:
            code, detail = duplicates[key]
            reason = reason_for(deduplicator, code)
            stats.rejected[reason] += 1
            yield Rejected(document, reason, detail)
        else:
            stats.docs_out += 1
            yield document


def load_duplicates(path: StoragePath) -> Duplicates:
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
