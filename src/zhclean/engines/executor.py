"""Executors: who runs the units of a segment and the partitions of a staged dedup.

The run driver (`zhclean.engines.driver`) decides what to run and keeps the manifest; an
executor only decides where. Two calls make an executor:

    executor.run_units(tasks, progress, sizes, on_done, documents)
        runs every `UnitTask` (`zhclean.engines.unit.run_unit`) and calls `on_done(task,
        stats)` in the driver's process as each completes, in completion order; progress
        messages from workers go to `progress.update`. `sizes` are the input bytes of each
        unit (first segment), `documents` how many documents enter a later segment, when
        known: an executor may run small work where it is cheapest.
    executor.map_partitions(function, partitions) -> [function(p) for p in partitions]
        the staged deduplicators' per-partition tasks (`zhclean.dedup.parallel`).

`LocalExecutor` runs both on a process pool of this machine, `RayExecutor`
(`zhclean.engines.ray`) on Ray. A new backend (Slurm, Spark) is one more class with these
two methods, plus `close`.

An executor may also answer `runs_here(input_bytes)`: whether it would run a whole run
over inputs of that size in the driver's process. When it says so, the driver holds the
documents between segments in memory instead of in work shards; without the method, or
when it says no, they go through work shards.
"""

from __future__ import annotations

import functools
import os
import queue
import signal
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from zhclean.engines.progress import PROGRESS_INTERVAL_SECONDS, Progress
from zhclean.engines.unit import UnitTask, run_unit
from zhclean.io.readers import InputError
from zhclean.pipeline import PipelineStats

if TYPE_CHECKING:
    from concurrent.futures import Future, ProcessPoolExecutor
    from multiprocessing.managers import SyncManager

Result = TypeVar("Result")
OnDone = Callable[[UnitTask, PipelineStats], None]
ENGINES = ("local", "ray")
# Below these sizes the local executor runs a segment in the driver's process whatever
# `workers` says: the first segment when its inputs hold fewer bytes (≈ a few dozen pages,
# or a thousand short texts, a fraction of a second of work), a later one when fewer
# documents enter it (there the work is a signature and a copy, ≈ 0.2 ms a document).
# Starting workers costs more than such an input takes.
SMALL_SEGMENT_BYTES = 512 * 1024
SMALL_SEGMENT_DOCS = 2_000


class Executor(Protocol):
    workers: int

    def run_units(
        self,
        tasks: list[UnitTask],
        progress: Progress,
        sizes: dict[int, int],
        on_done: OnDone,
        documents: int | None = None,
    ) -> None:
        """Runs the tasks; `on_done(task, stats)` in this process as each completes."""
        ...

    def map_partitions(self, function: Callable[[int], Result], partitions: Sequence[int]) -> list[Result]:
        """`[function(p) for p in partitions]`, in that order, run wherever the executor runs."""
        ...

    def close(self) -> None: ...


def make_executor(engine: str, workers: int = 1, address: str | None = None) -> Executor:
    """The executor an engine name stands for: the one place that reads the name."""
    if engine == "local":
        return LocalExecutor(workers)
    if engine == "ray":
        from zhclean.engines.ray import RayExecutor

        return RayExecutor(address, workers)
    raise InputError(f"unknown engine {engine!r}; valid: {', '.join(ENGINES)}")


class LocalExecutor:
    """This machine: units on a pool of `workers` processes, dedup partitions on a second
    pool. Both start on first use and are kept until `close()`: a run with deduplicators
    has a segment before and after each, and starting a manager and a pool of workers
    costs ≈ 0.1 CPU s and ≈ 0.3 s of wall time each time (and a reused worker keeps the
    tables its steps built). A small segment (`SMALL_SEGMENT_BYTES`, `SMALL_SEGMENT_DOCS`),
    one task or one worker runs in this process; which process runs a unit changes nothing
    in its output.

    Units run on a fork-started pool: the steps and their inputs are inherited, nothing is
    pickled but the task. The partition pool is "forkserver": by the dedup stage the
    driver may be running pyarrow's threads, and a process with threads should not fork
    (a child could inherit a held lock)."""

    def __init__(self, workers: int = 1) -> None:
        # First: __del__ runs even if we raise.
        self._partition_pool: ProcessPoolExecutor | None = None
        self._unit_pool: ProcessPoolExecutor | None = None
        self._manager: SyncManager | None = None
        self._messages: Any = None
        if workers < 1:
            raise ValueError("workers must be positive")
        self.workers = workers

    def run_units(
        self,
        tasks: list[UnitTask],
        progress: Progress,
        sizes: dict[int, int],
        on_done: OnDone,
        documents: int | None = None,
    ) -> None:
        if len(tasks) <= 1 or self.is_small(tasks, sizes, documents):
            for task in tasks:
                on_done(task, run_unit(task, functools.partial(progress.update, task.unit.index)))
            return
        # Imported here: a run that never starts a pool (most small ones) saves ≈ 20 ms.
        from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
        from multiprocessing.managers import SyncManager

        if self._unit_pool is None:
            self._manager = SyncManager()
            self._manager.start(initializer=die_with_parent)
            self._messages = self._manager.Queue()
            self._unit_pool = ProcessPoolExecutor(max_workers=self.workers, initializer=die_with_parent)
        futures: dict[Future[PipelineStats], UnitTask] = {
            self._unit_pool.submit(run_unit_reporting, task, self._messages): task for task in tasks
        }
        pending = set(futures)
        try:
            while pending:
                done, pending = wait(pending, timeout=PROGRESS_INTERVAL_SECONDS, return_when=FIRST_COMPLETED)
                drain(self._messages, progress)
                for future in done:
                    on_done(futures[future], future.result())
            drain(self._messages, progress)
        except BaseException:
            for future in pending:
                future.cancel()
            raise

    def is_small(self, tasks: list[UnitTask], sizes: dict[int, int], documents: int | None) -> bool:
        """Whether the segment is worth no more than this process (see the class docstring)."""
        if self.workers <= 1:
            return True
        if tasks[0].segment == 0:
            return sum(sizes.get(task.unit.index, 0) for task in tasks) < SMALL_SEGMENT_BYTES
        return documents is not None and documents < SMALL_SEGMENT_DOCS

    def runs_here(self, input_bytes: int) -> bool:
        return self.workers <= 1 or input_bytes < SMALL_SEGMENT_BYTES

    def map_partitions(self, function: Callable[[int], Result], partitions: Sequence[int]) -> list[Result]:
        if len(partitions) <= 1 or self.workers == 1:
            return [function(partition) for partition in partitions]
        if self._partition_pool is None:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            context = multiprocessing.get_context("forkserver")
            self._partition_pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=context)
        return list(self._partition_pool.map(function, partitions))

    def close(self) -> None:
        if self._unit_pool is not None:
            self._unit_pool.shutdown()
            self._unit_pool = None
        if self._manager is not None:
            self._manager.shutdown()
            self._manager = None
        if self._partition_pool is not None:
            self._partition_pool.shutdown()
            self._partition_pool = None

    def __enter__(self) -> LocalExecutor:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __del__(self) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"LocalExecutor(workers={self.workers})"


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
