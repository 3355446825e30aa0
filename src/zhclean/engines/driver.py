"""The run driver: a recipe over input files, on any executor.

A run is planned as units of work (`zhclean.engines.plan`), each run by `run_unit`
(`zhclean.engines.unit`) wherever the executor puts it (`zhclean.engines.executor`: a
local process pool, or Ray), with the manifest (`zhclean.engines.manifest`) recording each
completed unit so `--resume` skips it.

A deduplicator needs every document at once, so a pipeline with deduplicators runs in
segments: the survivors of the steps before a deduplicator go to work shards with their
signatures; the deduplicator reads only the signatures, decides, and writes the list of
duplicates; then each unit's work shards go through the next steps.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import json
import re
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa

from zhclean import __version__
from zhclean.audit.definitions import rules_files_used
from zhclean.document import Reject
from zhclean.engines.executor import Executor, make_executor
from zhclean.engines.manifest import STATS_NAME, Manifest, open_manifest
from zhclean.engines.plan import Unit, plan_entry, plan_from_manifest, plan_inputs, plan_units
from zhclean.engines.progress import Progress
from zhclean.engines.unit import (
    Duplicates,
    HeldWork,
    UnitTask,
    WorkShardEntries,
    duplicates_path,
    remove_unit_outputs,
    run_unit,
)
from zhclean.io.readers import ReaderOptions, input_size
from zhclean.io.shards import shard_paths, write_empty_shard
from zhclean.io.storage import (
    ObjectPath,
    StoragePath,
    as_path,
    identity_of,
    remove_tree,
    write_table_atomic,
    write_text_atomic,
)
from zhclean.pipeline import DEFAULT_MAX_SECONDS_PER_RECORD, Pipeline, PipelineStats
from zhclean.steps import DedupEntry, Deduplicator, Step

# A run whose inputs hold at most this many bytes, and which this process would run all of
# anyway (`runs_here`), holds the documents between its segments in memory
# instead of writing work shards (`HeldWork`): a few thousand news texts take seconds to
# write and read back, more than their dedup. A limit on the input keeps what is held to
# a few hundred MB.
HELD_RUN_MAX_BYTES = 64 * 1024 * 1024


@dataclass
class RunResult:
    stats: PipelineStats
    seconds: float
    out_dir: StoragePath
    stats_path: StoragePath
    extra: dict[str, Any] = field(default_factory=dict)


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
    engine: str | Executor = "local",
    ray_address: str | None = None,
) -> RunResult:
    """Runs `steps` over every input and writes `out_dir/{kept,rejected}/` (shards of one
    schema), `_stats.json` and `_manifest.json`. Raises InputError/OutputError for user
    errors before any work. Inputs and `out_dir` are local paths or object-store URLs
    (`zhclean.io.storage.as_path`).

    With `resume`, units the manifest records as complete are not run again, and the
    partial shards of the others are removed before they are: the output ends identical
    to an uninterrupted run's.

    `engine` is an executor, or the name of one (`"local"`: `workers` processes of this
    machine; `"ray"`: the Ray at `ray_address`, `zhclean[ray]`); the output is the same
    whichever runs it, shard for shard."""
    executor = make_executor(engine, workers, ray_address) if isinstance(engine, str) else engine
    with contextlib.ExitStack() as owned:
        if isinstance(engine, str):  # made here, so closed here; a caller's executor stays open
            owned.callback(executor.close)
        # The run, segment by segment: plan (or take the resumed plan), run the units not
        # yet done on the executor, run each deduplicator's global stage, write the stats.
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
            units = plan_units(files, executor.workers)
            manifest.data["plan"] = [plan_entry(unit) for unit in units]
            manifest.save()
        began = time.monotonic()
        file_sizes = {unit.path: input_size(unit.path) for unit in units if unit.part == 0}
        # A file split into parts counts once in the bar's total: each part is 1/parts of it.
        sizes = {unit.index: file_sizes.get(unit.path, 0) // unit.parts for unit in units}
        bounds = Pipeline(steps).segments()
        total = PipelineStats.for_steps(steps)
        held = None
        if (
            len(bounds) > 1
            and not manifest.data["completed"]
            and not manifest.data["dedup"]
            and sum(sizes.values()) <= HELD_RUN_MAX_BYTES
            and runs_here(executor, sum(sizes.values()))
        ):
            held = HeldWork()
            # Nothing is kept to resume from: the manifest records the run when it is done.
            manifest.defer_saves()
            # (Imported here, where a deduplicator has imported its package already.)
            from zhclean.dedup.normalize import remembered_normalization

            owned.enter_context(remembered_normalization())
        for segment, (_, _, deduplicator) in enumerate(bounds):
            tasks = []
            for unit in units:
                done = manifest.unit_stats(segment, unit.index)
                if done is not None:
                    total.merge(done)
                else:
                    remove_unit_outputs(out_dir, unit, segment, last_segment=deduplicator is None)
                    tasks.append(
                        UnitTask(
                            unit, segment, steps, reader_options, out_dir, batch_size, max_seconds_per_record
                        )
                    )
            if tasks:
                description = "reading" if segment == 0 else f"after {bounds[segment - 1][2].name}"  # type: ignore[union-attr]
                todo_sizes = (
                    {task.unit.index: sizes[task.unit.index] for task in tasks} if segment == 0 else {}
                )
                progress = Progress(
                    sum(todo_sizes.values()) if segment == 0 else None, description, show_progress
                )

                def record(
                    task: UnitTask,
                    stats: PipelineStats,
                    segment: int = segment,
                    progress: Progress = progress,
                    sizes: dict[int, int] = todo_sizes,
                ) -> None:
                    total.merge(stats)
                    manifest.mark_unit(segment, task.unit, stats, out_dir)
                    # The unit's whole share of the bar, whatever its last report said.
                    progress.update(task.unit.index, 0, 0, 0, sizes.get(task.unit.index, 0))

                previous_dedup = manifest.dedup_stats(segment - 1) if segment > 0 else None
                documents = int(previous_dedup["docs_in"]) if previous_dedup else None
                try:
                    if held is not None:
                        for task in tasks:
                            report = functools.partial(progress.update, task.unit.index)
                            record(task, run_unit(task, report, held))
                    else:
                        executor.run_units(tasks, progress, todo_sizes, record, documents)
                finally:
                    progress.close()
            if deduplicator is not None:
                step_index = steps.index(deduplicator)
                source_paths = {str(unit.path) for unit in units}
                run_deduplicator(
                    deduplicator, step_index, segment, out_dir, total, manifest, executor, source_paths, held
                )
        remove_tree(out_dir / "_work")
        for directory in (out_dir / "kept", out_dir / "rejected"):
            if not shard_paths(directory):
                write_empty_shard(directory)
        seconds = time.monotonic() - began
        stats_path = write_stats(
            out_dir, total, seconds, units, steps, recipe_name, recipe_fingerprint, executor.workers
        )
        manifest.finish()
        return RunResult(stats=total, seconds=seconds, out_dir=out_dir, stats_path=stats_path)


def runs_here(executor: Executor, input_bytes: int) -> bool:
    """Whether `executor` would run a whole run over inputs of `input_bytes` in this
    process (an executor that does not say, Ray's, never does)."""
    answer = getattr(executor, "runs_here", None)
    return bool(answer is not None and answer(input_bytes))


def run_deduplicator(
    deduplicator: Deduplicator,
    step_index: int,
    segment: int,
    out_dir: StoragePath,
    total: PipelineStats,
    manifest: Manifest,
    executor: Executor,
    source_paths: set[str] | None = None,
    held: HeldWork | None = None,
) -> None:
    """The global stage: every signature of the segment's survivors in, the duplicate list
    out (to a file the next segment's workers read, or to `held`). A staged deduplicator's
    per-partition stages run on the executor (`map_partitions`); the memory mode runs here.

    The deduplicator's scratch directory is `_work/dedup-N` beside the output; with an
    output on an object store it is a local temporary directory instead (deduplicators
    spill with local file operations)."""
    done = manifest.dedup_stats(segment)
    if done is None:
        began = time.perf_counter()
        entries: WorkShardEntries | CountingIterator
        if held is not None:
            entries = CountingIterator(held.entries(segment))
        else:
            entries = WorkShardEntries.of_segment(out_dir, segment)
        if isinstance(out_dir, ObjectPath):
            with tempfile.TemporaryDirectory(prefix="zhclean-dedup-") as scratch:
                duplicates = deduplicator.find_duplicates(entries, Path(scratch), executor=executor)
        else:
            local_scratch = out_dir / "_work" / f"dedup-{segment}"
            local_scratch.mkdir(parents=True, exist_ok=True)
            duplicates = deduplicator.find_duplicates(entries, local_scratch, executor=executor)
        duplicates = kept_copy_named(duplicates, source_paths or set())
        if held is not None:
            held.duplicates[segment] = duplicates_as_read_back(duplicates)
        else:
            write_duplicates(duplicates_path(out_dir, segment), duplicates)
        done = {"docs_in": entries.count(), "seconds": time.perf_counter() - began}
        manifest.mark_dedup(segment, done)
    total.steps[step_index].docs_in += int(done["docs_in"])
    total.steps[step_index].seconds += float(done["seconds"])


class CountingIterator:
    """Passes items through and counts them, so a deduplicator can stream its input."""

    def __init__(self, items: Iterator[DedupEntry]) -> None:
        self.items = items
        self.counted = 0

    def __iter__(self) -> Iterator[DedupEntry]:
        for item in self.items:
            self.counted += 1
            yield item

    def count(self) -> int:
        return self.counted


def write_duplicates(path: StoragePath, duplicates: dict[str, Reject]) -> None:
    rows = [
        {"id": key, "code": verdict.code, "detail": detail_json(verdict)}
        for key, verdict in sorted(duplicates.items())
    ]
    schema = pa.schema([("id", pa.string()), ("code", pa.string()), ("detail", pa.string())])
    write_table_atomic(pa.Table.from_pylist(rows, schema=schema), path)


def detail_json(verdict: Reject) -> str:
    return json.dumps(verdict.detail, ensure_ascii=False, default=str)


def duplicates_as_read_back(duplicates: dict[str, Reject]) -> Duplicates:
    """The duplicates as the next segment reads them from the duplicates file
    (`zhclean.engines.unit.load_duplicates`): details through JSON."""
    return {key: (verdict.code, json.loads(detail_json(verdict))) for key, verdict in duplicates.items()}


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
                verdict = Reject(
                    verdict.code, {**verdict.detail, "kept_id": kept_id, "kept_source": kept_source}
                )
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
        "inputs": [
            {"path": str(path), "format": file_format}
            for path, file_format in dict.fromkeys((unit.path, unit.format) for unit in units)
        ],
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
