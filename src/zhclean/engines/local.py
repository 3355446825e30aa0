"""The local engine: a recipe over input files on one machine, with a process pool.

Units of work are input files. Each unit is read, run through the pipeline and written to
its own shards (`part-<unit>-…`), so what is kept or rejected never depends on how many
workers ran or in which order they finished.

A deduplicator needs every document at once, so a pipeline with deduplicators runs in
phases: the survivors of the steps before a deduplicator go to work shards with their
signatures; the deduplicator reads only the signatures, decides, and writes the list of
duplicates; then each unit's work shards go through the next steps.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import os
import pickle
import queue
import re
import signal
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from multiprocessing.managers import SyncManager
from pathlib import Path
from typing import Any

import pyarrow as pa

from zhclean import __version__
from zhclean.audit.definitions import rules_files_used
from zhclean.document import Document, Rejected
from zhclean.io.readers import (
    HTML_SUFFIXES,
    ByteProgress,
    InputError,
    ReaderOptions,
    format_for_path,
    input_size,
    read_records,
)
from zhclean.io.shards import (
    OUTPUT_SCHEMA,
    WORK_COMPRESSION,
    WORK_SCHEMA,
    ShardWriter,
    document_from_work_row,
    kept_row,
    read_rows,
    rejected_row,
    shard_paths,
    work_row,
    write_empty_shard,
)
from zhclean.io.storage import (
    ObjectPath,
    StoragePath,
    as_path,
    identity_of,
    parquet_file,
    remove_tree,
    write_table_atomic,
    write_text_atomic,
)
from zhclean.pipeline import DEFAULT_MAX_SECONDS_PER_RECORD, Pipeline, PipelineStats, batched, reason_for
from zhclean.steps import DedupEntry, Deduplicator, Reject, Step, dedup_key

# The run's own files. Their names start with an underscore, which pyarrow, pandas,
# polars, DuckDB and 🤗 datasets skip when they read a directory of Parquet files, so
# `pandas.read_parquet(OUT)` reads the shards and nothing else.
STATS_NAME = "_stats.json"
MANIFEST_NAME = "_manifest.json"
# Entries the output directory may hold that a run owns (and `--overwrite` replaces);
# `stats.json` and `manifest.json` are the names older versions gave the run's files.
OWNED_OUTPUTS = ("kept", "rejected", "_work", STATS_NAME, MANIFEST_NAME, "stats.json", "manifest.json", "report.html")
ENGINES = ("local", "ray")
# Workers report progress at most this often, so the queue never becomes the bottleneck.
PROGRESS_INTERVAL_SECONDS = 0.25
# Below these sizes a segment runs in the main process whatever --workers says: the first
# segment when its inputs hold fewer bytes (≈ a few dozen pages, or a thousand short
# texts, a fraction of a second of work), a later one when fewer documents enter it
# (there the work is a signature and a copy, ≈0.2 ms a document).
SMALL_SEGMENT_BYTES = 512 * 1024
SMALL_SEGMENT_DOCS = 2_000


class OutputError(Exception):
    """The output directory cannot be used as asked."""


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


@dataclass
class RunResult:
    stats: PipelineStats
    seconds: float
    out_dir: StoragePath
    stats_path: StoragePath
    extra: dict[str, Any] = field(default_factory=dict)


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


def prepare_output(out_dir: StoragePath, overwrite: bool) -> None:
    if out_dir.is_file():
        raise OutputError(f"output {out_dir} exists and is not a directory")
    if out_dir.is_dir() and any(out_dir.iterdir()):
        if not overwrite:
            if unfinished_run(out_dir):
                raise OutputError(
                    f"output directory {out_dir} holds an interrupted run; pass --resume to continue it "
                    "(same inputs and recipe), or --overwrite to start again"
                )
            raise OutputError(f"output directory {out_dir} is not empty; pass --overwrite to replace its results")
        for name in OWNED_OUTPUTS:
            target = out_dir / name
            if target.is_dir():
                remove_tree(target)
            elif target.exists():
                target.unlink()
    out_dir.mkdir(parents=True, exist_ok=True)


def unfinished_run(out_dir: StoragePath) -> bool:
    path = out_dir / MANIFEST_NAME
    if not path.exists():
        return False
    try:
        return not json.loads(path.read_text(encoding="utf-8")).get("finished", False)
    except (OSError, ValueError):
        return False


def segment_bounds(steps: list[Step]) -> list[tuple[int, int, Deduplicator | None]]:
    return Pipeline(steps).segments()


def work_dir(out_dir: StoragePath, segment: int) -> StoragePath:
    return out_dir / "_work" / f"segment-{segment}"


def duplicates_path(out_dir: StoragePath, segment: int) -> StoragePath:
    return out_dir / "_work" / f"duplicates-{segment}.parquet"


# -- one unit, in a worker -------------------------------------------------------------------


def run_unit(task: UnitTask, report: Callable[[int, int, int, int], None]) -> PipelineStats:
    """Runs one segment over one unit and writes its shards; returns the unit's counts.

    `report(records, kept, rejected, stored_bytes_position)` is called now and then."""
    pipeline = Pipeline(task.steps, batch_size=task.batch_size, max_seconds_per_record=task.max_seconds_per_record)
    bounds = pipeline.segments()
    start, end, deduplicator = bounds[task.segment]
    last_segment = deduplicator is None
    progress = ByteProgress()
    out = task.out_dir
    rejected_writer = ShardWriter(out / "rejected", f"{task.unit.prefix}-s{task.segment}", OUTPUT_SCHEMA)
    if last_segment:
        survivor_writer = ShardWriter(out / "kept", task.unit.prefix, OUTPUT_SCHEMA)
    else:
        survivor_writer = ShardWriter(
            work_dir(out, task.segment), task.unit.prefix, WORK_SCHEMA, compression=WORK_COMPRESSION
        )
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
    detail = {"hint": "this recipe has no decode/extract step for pages; use the extract, heuristics or default recipe"}
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
    paths = [path for path in shard_paths(work_dir(task.out_dir, previous)) if path.name.startswith(task.unit.prefix + "-")]
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
    return {
        row["id"]: (row["code"], json.loads(row["detail"]))
        for row in table.to_pylist()
    }


def write_duplicates(path: StoragePath, duplicates: dict[str, Reject]) -> None:
    rows = [
        {"id": key, "code": verdict.code, "detail": json.dumps(verdict.detail, ensure_ascii=False, default=str)}
        for key, verdict in sorted(duplicates.items())
    ]
    schema = pa.schema([("id", pa.string()), ("code", pa.string()), ("detail", pa.string())])
    write_table_atomic(pa.Table.from_pylist(rows, schema=schema), path)


SOURCE_OFFSET = re.compile(r"#\d+$")


def kept_copy_named(duplicates: dict[str, Reject], source_paths: set[str]) -> dict[str, Reject]:
    """Deduplicators name documents by `dedup_key` ("id @ path#offset"); a detail's
    `kept_id` then names no row of the output. Rewritten here as the kept copy's `id`,
    with its `source` as `kept_source`, so the copy is found by either column."""
    renamed = {}
    for key, verdict in duplicates.items():
        kept = verdict.detail.get("kept_id")
        if isinstance(kept, str):
            kept_id, kept_source = split_dedup_key(kept, source_paths)
            if kept_source is not None:
                verdict = Reject(verdict.code, {**verdict.detail, "kept_id": kept_id, "kept_source": kept_source})
        renamed[key] = verdict
    return renamed


def split_dedup_key(key: str, source_paths: set[str]) -> tuple[str, str | None]:
    """(id, source) of a `dedup_key`. Ids and paths may both hold " @ ", so the split is
    the one whose right side is `<an input path>#<offset>`."""
    position = key.find(" @ ")
    while position != -1:
        source = key[position + 3 :]
        if SOURCE_OFFSET.search(source) and SOURCE_OFFSET.sub("", source) in source_paths:
            return key[:position], source
        position = key.find(" @ ", position + 1)
    return key, None


def dedup_entries(out_dir: StoragePath, segment: int) -> Iterator[DedupEntry]:
    columns = ["id", "source", "signature", "length", "quality"]
    for row in read_rows(shard_paths(work_dir(out_dir, segment)), columns):
        yield DedupEntry(id=dedup_key(row["id"], row["source"]), signature=pickle.loads(row["signature"]), length=row["length"], quality=row["quality"])


# -- the whole run ------------------------------------------------------------------------------


class Progress:
    """The progress bar: records/s, kept share, and an ETA from the bytes read."""

    def __init__(self, total_bytes: int | None, description: str, enabled: bool) -> None:
        self.bar: Any = None
        if enabled:  # tqdm takes ~20 ms to import: not for a run without a bar
            from tqdm import tqdm

            tqdm.monitor_interval = 0  # no monitor thread: workers are forked
            self.bar = tqdm(
                total=total_bytes,
                desc=description,
                unit="B",
                unit_scale=True,
                disable=None,  # shown only on a terminal
                file=sys.stderr,
                dynamic_ncols=True,
                bar_format="{desc}: {percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt} [{elapsed}<{remaining}{postfix}]",
            )
        self.records = 0
        self.kept = 0
        self.rejected = 0
        self.started = time.monotonic()
        self.unit_positions: dict[int, int] = {}

    def update(self, unit: int, records: int, kept: int, rejected: int, position: int) -> None:
        self.records += records
        self.kept += kept
        self.rejected += rejected
        if self.bar is None:
            return
        previous = self.unit_positions.get(unit, 0)
        if position > previous:
            self.bar.update(position - previous)
            self.unit_positions[unit] = position
        elapsed = max(1e-6, time.monotonic() - self.started)
        decided = self.kept + self.rejected
        kept_share = f"{100 * self.kept / decided:.0f}%" if decided else "-"
        self.bar.set_postfix_str(f"{self.records:,} rec, {self.records / elapsed:,.0f} rec/s, kept {kept_share}", refresh=False)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def run_segment(
    tasks: list[UnitTask],
    workers: int | WorkerPool,
    progress: Progress,
    sizes: dict[int, int],
    on_done: Callable[[UnitTask, PipelineStats], None],
) -> None:
    """Runs the tasks, calling `on_done` in this process as each unit completes (the
    manifest records it there, so a crash never marks an unfinished unit done).

    `workers` is a process count (a pool is started for these tasks alone) or a
    `WorkerPool` a run keeps for all its segments; 1 runs the tasks in this process."""

    def add(task: UnitTask, stats: PipelineStats) -> None:
        on_done(task, stats)
        progress.update(task.unit.index, 0, 0, 0, sizes.get(task.unit.index, 0))

    count = workers.workers if isinstance(workers, WorkerPool) else workers
    if count <= 1 or len(tasks) <= 1:
        for task in tasks:
            add(task, run_unit(task, functools.partial(progress.update, task.unit.index)))
    elif isinstance(workers, WorkerPool):
        workers.run(tasks, progress, add)
    else:
        with WorkerPool(min(workers, len(tasks))) as pool:
            pool.run(tasks, progress, add)


class WorkerPool:
    """Worker processes and the queue they report progress on, started on first use and
    kept until `close()`: a run with deduplicators has a segment before and after each,
    and starting a manager and a pool of workers costs ≈0.1 CPU s and ≈0.3 s of wall time
    each time (and a reused worker keeps the tables its steps built)."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._manager: SyncManager | None = None
        self._messages: Any = None
        self._pool: ProcessPoolExecutor | None = None

    def run(
        self, tasks: list[UnitTask], progress: Progress, add: Callable[[UnitTask, PipelineStats], None]
    ) -> None:
        if self._pool is None:
            self._manager = SyncManager()
            self._manager.start(initializer=die_with_parent)
            self._messages = self._manager.Queue()
            self._pool = ProcessPoolExecutor(max_workers=self.workers, initializer=die_with_parent)
        futures: dict[Future[PipelineStats], UnitTask] = {
            self._pool.submit(run_unit_reporting, task, self._messages): task for task in tasks
        }
        pending = set(futures)
        try:
            while pending:
                done, pending = wait(pending, timeout=PROGRESS_INTERVAL_SECONDS, return_when=FIRST_COMPLETED)
                drain(self._messages, progress)
                for future in done:
                    add(futures[future], future.result())
            drain(self._messages, progress)
        except BaseException:
            for future in pending:
                future.cancel()
            raise

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None
        if self._manager is not None:
            self._manager.shutdown()
            self._manager = None

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def segment_workers(workers: int, segment: int, input_bytes: int, docs_in: int | None) -> int:
    """How many processes a segment is worth: `workers`, or 1 for a small one, run in this
    process. Starting workers costs more than a small input takes (a one-record run spent
    more time starting pools than working); which process runs a unit changes nothing in
    its output."""
    if workers <= 1:
        return 1
    if segment == 0:
        return workers if input_bytes >= SMALL_SEGMENT_BYTES else 1
    return workers if docs_in is None or docs_in >= SMALL_SEGMENT_DOCS else 1


def die_with_parent() -> None:
    """Worker processes end when the run's main process is killed (even by SIGKILL):
    an orphaned worker would go on writing shards while `--resume` redoes its unit."""
    if sys.platform.startswith("linux"):
        import ctypes

        PR_SET_PDEATHSIG = 1
        ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() == 1:  # the parent died before prctl took effect
            os._exit(1)


def run_unit_reporting(task: UnitTask, messages: Any) -> PipelineStats:
    unit = task.unit.index
    return run_unit(task, lambda r, k, j, p: messages.put((unit, r, k, j, p)))


def drain(messages: Any, progress: Progress) -> None:
    while True:
        try:
            progress.update(*messages.get_nowait())
        except queue.Empty:
            return


def run_clean(
    inputs: list[StoragePath] | list[Path],
    out_dir: StoragePath,
    steps: list[Step],
    *,
    recipe_name: str = "custom",
    recipe_fingerprint: str = "",
    workers: int = 1,
    format: str | None = None,
    reader_options: ReaderOptions | None = None,
    overwrite: bool = False,
    resume: bool = False,
    show_progress: bool = True,
    batch_size: int = 256,
    max_seconds_per_record: float | None = DEFAULT_MAX_SECONDS_PER_RECORD,
    engine: str = "local",
    ray_address: str | None = None,
) -> RunResult:
    """Runs `steps` over every input and writes `out_dir/{kept,rejected}/` (shards of one
    schema), `_stats.json` and `_manifest.json`. Raises InputError/OutputError for user
    errors before any work. Inputs and `out_dir` are local paths or object-store URLs
    (`zhclean.io.storage.as_path`).

    With `resume`, units the manifest records as complete are not run again, and the
    partial shards of the others are removed before they are: the output ends identical
    to an uninterrupted run's.

    `engine="ray"` hands the same units to Ray workers (`zhclean[ray]`); the output is the
    same as the local engine's, shard for shard."""
    if engine not in ENGINES:
        raise InputError(f"unknown engine {engine!r}; valid: {', '.join(ENGINES)}")
    files = plan_inputs([as_path(path) for path in inputs], format)
    out_dir = as_path(out_dir)
    reader_options = reader_options or ReaderOptions()
    run_identity = {
        "recipe_fingerprint": recipe_fingerprint,
        "inputs": [[identity_of(path), file_format] for path, file_format in files],
        "reader_options": json.loads(json.dumps(dataclasses.asdict(reader_options))),
    }
    manifest = open_manifest(out_dir, run_identity, overwrite=overwrite, resume=resume)
    # Both exist whatever the run keeps or rejects (an empty one gets a 0-row shard at the end).
    for directory in (out_dir / "kept", out_dir / "rejected"):
        directory.mkdir(parents=True, exist_ok=True)
    # A resumed run keeps the units it started with, whatever --workers says now.
    if "plan" in manifest.data:
        units = plan_from_manifest(manifest.data["plan"], files)
    else:
        units = plan_units(files, workers)
        manifest.data["plan"] = [plan_entry(unit) for unit in units]
        manifest.save()
    began = time.monotonic()
    file_sizes = {unit.path: input_size(unit.path) for unit in units if unit.part == 0}
    # A file split into parts counts once in the bar's total: each part is 1/parts of it.
    sizes = {unit.index: file_sizes.get(unit.path, 0) // unit.parts for unit in units}
    bounds = segment_bounds(steps)
    total = PipelineStats.for_steps(steps)
    # One pool for every segment of the run, started only if a segment is big enough.
    with WorkerPool(min(workers, len(units))) as pool:
        for segment, (_, _, deduplicator) in enumerate(bounds):
            tasks = []
            for unit in units:
                done = manifest.unit_stats(segment, unit.index)
                if done is not None:
                    total.merge(done)
                else:
                    remove_unit_outputs(out_dir, unit, segment, last_segment=deduplicator is None)
                    options = (reader_options, out_dir, batch_size, max_seconds_per_record)
                    tasks.append(UnitTask(unit, segment, steps, *options))
            if tasks:
                description = "reading" if segment == 0 else f"after {bounds[segment - 1][2].name}"  # type: ignore[union-attr]
                todo_sizes = {task.unit.index: sizes[task.unit.index] for task in tasks} if segment == 0 else {}
                progress = Progress(sum(todo_sizes.values()) if segment == 0 else None, description, show_progress)

                def record(task: UnitTask, stats: PipelineStats, segment: int = segment) -> None:
                    total.merge(stats)
                    manifest.mark_unit(segment, task.unit, stats, out_dir)

                try:
                    if engine == "ray":
                        from zhclean.engines.ray import run_segment_on_ray

                        run_segment_on_ray(tasks, progress, todo_sizes, record, address=ray_address)
                    else:
                        previous = manifest.dedup_stats(segment - 1) if segment > 0 else None
                        docs_in = int(previous["docs_in"]) if previous else None
                        count = segment_workers(workers, segment, sum(todo_sizes.values()), docs_in)
                        run_segment(tasks, pool if count > 1 else 1, progress, todo_sizes, record)
                finally:
                    progress.close()
            if deduplicator is not None:
                step_index = steps.index(deduplicator)
                source_paths = {str(unit.path) for unit in units}
                run_deduplicator(
                    deduplicator, step_index, segment, out_dir, total, manifest, engine, ray_address, source_paths
                )
    remove_tree(out_dir / "_work")
    for directory in (out_dir / "kept", out_dir / "rejected"):
        if not shard_paths(directory):
            write_empty_shard(directory)
    seconds = time.monotonic() - began
    stats_path = write_stats(out_dir, total, seconds, units, steps, recipe_name, recipe_fingerprint, workers)
    manifest.finish()
    return RunResult(stats=total, seconds=seconds, out_dir=out_dir, stats_path=stats_path)


def run_deduplicator(
    deduplicator: Deduplicator,
    step_index: int,
    segment: int,
    out_dir: StoragePath,
    total: PipelineStats,
    manifest: Manifest,
    engine: str = "local",
    ray_address: str | None = None,
    source_paths: set[str] | None = None,
) -> None:
    """The global stage: every signature of the segment's survivors in, the duplicate list
    out (to a file the next segment's workers read). On the Ray engine, a staged
    deduplicator's per-partition stages run as Ray tasks (`ray.dedup_options`).

    The deduplicator's scratch directory is `_work/dedup-N` beside the output; with an
    output on an object store it is a local temporary directory instead (deduplicators
    spill with local file operations)."""
    done = manifest.dedup_stats(segment)
    if done is None:
        began = time.perf_counter()
        counted = CountingIterator(dedup_entries(out_dir, segment))
        options: dict[str, Any] = {}
        if engine == "ray":  # edges and connected components partitioned over Ray tasks
            from zhclean.engines.ray import dedup_options

            options = dedup_options(deduplicator, ray_address)
        if isinstance(out_dir, ObjectPath):
            with tempfile.TemporaryDirectory(prefix="zhclean-dedup-") as scratch:
                duplicates = deduplicator.find_duplicates(counted, Path(scratch), **options)
        else:
            local_scratch = out_dir / "_work" / f"dedup-{segment}"
            local_scratch.mkdir(parents=True, exist_ok=True)
            duplicates = deduplicator.find_duplicates(counted, local_scratch, **options)
        duplicates = kept_copy_named(duplicates, source_paths or set())
        write_duplicates(duplicates_path(out_dir, segment), duplicates)
        done = {"docs_in": counted.count, "seconds": time.perf_counter() - began}
        manifest.mark_dedup(segment, done)
    total.steps[step_index].docs_in += int(done["docs_in"])
    total.steps[step_index].seconds += float(done["seconds"])


class CountingIterator:
    """Passes items through and counts them, so a deduplicator can stream its input."""

    def __init__(self, items: Iterator[DedupEntry]) -> None:
        self.items = items
        self.count = 0

    def __iter__(self) -> Iterator[DedupEntry]:
        for item in self.items:
            self.count += 1
            yield item


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


class Manifest:
    """`_manifest.json`: what this output was made from, and which units (and dedup stages)
    are complete, with their counts and shards. Rewritten atomically after each unit."""

    def __init__(self, path: StoragePath, data: dict[str, Any]) -> None:
        self.path = path
        self.data = data

    def save(self) -> None:
        write_text_atomic(self.path, json.dumps(self.data, indent=1, ensure_ascii=False))

    def unit_stats(self, segment: int, unit_index: int) -> PipelineStats | None:
        entry = self.data["completed"].get(str(segment), {}).get(str(unit_index))
        return PipelineStats.from_dict(entry["stats"]) if entry else None

    def mark_unit(self, segment: int, unit: Unit, stats: PipelineStats, out_dir: StoragePath) -> None:
        shards = {
            directory.name if directory.parent == out_dir else f"_work/{directory.name}": [
                path.name for path in shard_paths(directory) if path.name.startswith(unit.prefix + "-")
            ]
            for directory in (out_dir / "kept", out_dir / "rejected", work_dir(out_dir, segment))
        }
        self.data["completed"].setdefault(str(segment), {})[str(unit.index)] = {
            "path": str(unit.path),
            "stats": stats.as_dict(),
            "shards": {key: value for key, value in shards.items() if value},
        }
        self.save()

    def dedup_stats(self, segment: int) -> dict[str, Any] | None:
        return self.data["dedup"].get(str(segment))

    def mark_dedup(self, segment: int, done: dict[str, Any]) -> None:
        self.data["dedup"][str(segment)] = done
        self.save()

    def finish(self) -> None:
        self.data["finished"] = True
        self.save()


def open_manifest(out_dir: StoragePath, identity: dict[str, Any], *, overwrite: bool, resume: bool) -> Manifest:
    path = out_dir / MANIFEST_NAME
    if resume and path.exists():
        data = json.loads(path.read_text(encoding="utf-8"))
        mismatched = [key for key, value in identity.items() if data.get("identity", {}).get(key) != value]
        if mismatched:
            raise OutputError(
                f"cannot resume {out_dir}: it was made with other {', '.join(mismatched)}; "
                "rerun with the same inputs and recipe, or use --overwrite"
            )
        data["finished"] = False
        return Manifest(path, data)
    if resume and out_dir.is_dir() and any(out_dir.iterdir()):
        raise OutputError(f"cannot resume {out_dir}: it has no {MANIFEST_NAME}; use --overwrite to start again")
    prepare_output(out_dir, overwrite)
    manifest = Manifest(path, {"identity": identity, "completed": {}, "dedup": {}, "finished": False})
    manifest.save()
    return manifest


def write_stats(
    out_dir: StoragePath,
    stats: PipelineStats,
    seconds: float,
    units: list[Unit],
    steps: list[Step],
    recipe_name: str,
    recipe_fingerprint: str,
    workers: int,
) -> StoragePath:
    data = {
        "zhclean_version": __version__,
        "recipe": recipe_name,
        "recipe_fingerprint": recipe_fingerprint,
        "inputs": [{"path": str(path), "format": file_format} for path, file_format in dict.fromkeys((unit.path, unit.format) for unit in units)],
        "workers": workers,
        "seconds": round(seconds, 3),
        "records_per_second": round(stats.read / seconds, 1) if seconds > 0 else None,
        "step_params": [{"name": step.name, "params": step.get_params()} for step in steps],
        # Which version of each rules file the run used, so an audit can tell when a rule
        # changed after the output was made.
        "rules_files": rules_files_used({step.name: step.get_params() for step in steps}),
        **stats.as_dict(),
    }
    path = out_dir / STATS_NAME
    write_text_atomic(path, json.dumps(data, ensure_ascii=False, indent=2, default=str))
    return path
