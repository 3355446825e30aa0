"""The Ray executor: the run's units of work on Ray Data workers, a staged dedup's
partitions as Ray tasks.

    zhclean clean dump/*.warc.gz -o out/ --engine ray                  # a local Ray
    zhclean clean dump/*.warc.gz -o out/ --engine ray --address auto   # a running cluster

Each unit (an input file, or a unit's work shards in a later segment) is one row of a Ray
Data dataset; `map_batches` hands the rows, one at a time, to a pool of `UnitRunner`
actors. A runner runs the SAME `run_unit` as the local executor, so it writes the same shards
under the same names (`part-<unit>-…`): the output does not depend on the engine, on how
many workers ran, or on which finished first.

Why whole units as rows, and not documents as rows through Ray Data's own readers and
writers: the unit is what the manifest records as done and what `--resume` skips, and
shards named by unit are what makes the Ray output equal the local one, shard for shard.
Ray Data still does the scheduling, retries and back-pressure; the runners are actors so a
step's expensive state (jieba, OpenCC, fastText models) is built once per worker and reused
for every unit that worker runs, instead of once per unit.

The run driver (`zhclean.engines.driver`) calls `on_done(task, stats)` as each unit's row
comes back (the manifest is written there, never by a worker), and drives the
deduplicators' global stage: in staged mode its per-partition stages (edges from the band
rows shuffled by hash, connected components partitioned on disk) run as Ray tasks
(`map_partitions`); the memory mode runs in the driver. The output directory and the inputs
must be on a file system every node sees (NFS, a mounted bucket) or object storage
(`s3://…`, see `zhclean.io.storage`), as with any shared-nothing writer.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import pickle
import threading
import traceback
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import numpy as np

from zhclean.engines.progress import PROGRESS_INTERVAL_SECONDS, Progress
from zhclean.engines.unit import UnitTask, remove_unit_outputs, run_unit
from zhclean.io.readers import InputError
from zhclean.pipeline import Pipeline, PipelineStats
from zhclean.steps import Step

Result = TypeVar("Result")

MISSING_RAY = "the Ray engine needs the ray extra: pip install 'zhclean[ray]'"


def import_ray() -> Any:
    try:
        import ray
        import ray.data  # noqa: F401  (the extra is `ray[data]`; plain `ray` lacks it)
    except ImportError:
        raise InputError(MISSING_RAY) from None
    return ray


def connect(ray: Any, address: str | None) -> None:
    """Joins the cluster at `address` (or at `RAY_ADDRESS` when no address is given, as
    `ray.init()` does), or starts a new local Ray with every core of this machine. A Ray the
    caller already started (e.g. `ray.init(num_cpus=2)`) is used as is."""
    if ray.is_initialized():
        return
    address = address or os.environ.get("RAY_ADDRESS")
    if address:
        ray.init(address=address, log_to_driver=False)
    else:
        # "local": a new Ray of our own even while a `ray start` cluster runs on this
        # machine; without it, ray.init joins that cluster and refuses num_cpus.
        ray.init(address="local", num_cpus=os.cpu_count() or 1, include_dashboard=False, log_to_driver=False)


def quiet_ray_data(ray: Any) -> None:
    """Ray Data draws its own progress bars and logs each execution; zhclean's bar (records/s,
    kept share, ETA) already says what matters, and two bars on one terminal garble both."""
    logging.getLogger("ray.data").setLevel(logging.ERROR)
    context = ray.data.DataContext.get_current()
    context.enable_progress_bars = False
    context.enable_operator_progress_bars = False
    context.print_on_execution_start = False
    context.enable_auto_log_stats = False


def step_description(steps: list[Step]) -> list[tuple[str, str]]:
    return [(step.name, repr(sorted(step.get_params().items()))) for step in steps]


class UnitRunner:
    """A Ray Data worker: holds the recipe's steps for its whole life (so their lazy state is
    built once) and runs `run_unit` on each unit row it is given."""

    def __init__(self, steps_pickle: bytes, messages: Any) -> None:
        self.steps: list[Step] = pickle.loads(steps_pickle)
        self.messages = messages

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        outcomes = [self.run(bytes(task_pickle)) for task_pickle in batch["task"]]
        return {"unit": batch["unit"], "outcome": np.array(outcomes, dtype=object)}

    def run(self, task_pickle: bytes) -> bytes:
        """A unit's stats, or the exception it raised (re-raised in the driver, as the local
        engine's `future.result()` does, rather than as a Ray error around it)."""
        task: UnitTask = dataclasses.replace(pickle.loads(task_pickle), steps=self.steps)
        unit = task.unit.index
        try:
            # Ray retries a unit whose worker died; whatever the dead attempt wrote (complete
            # shards or temporary files) goes first, so the retry duplicates nothing.
            last_segment = Pipeline(task.steps).segments()[task.segment][2] is None
            remove_unit_outputs(task.out_dir, task.unit, task.segment, last_segment)
            stats = run_unit(task, lambda r, k, j, p: self.messages.put_nowait((unit, r, k, j, p)))
            return pickle.dumps(("done", stats))
        except Exception as error:  # noqa: BLE001  (handed to the driver, which raises it)
            if hasattr(error, "add_note"):  # Python 3.11+; on 3.10 the driver gets the bare error
                error.add_note("in the Ray worker:\n" + traceback.format_exc())
            return pickle.dumps(("failed", error))


def run_units_on_ray(
    tasks: list[UnitTask],
    progress: Progress,
    sizes: dict[int, int],
    on_done: Callable[[UnitTask, PipelineStats], None],
    address: str | None = None,
) -> None:
    """Runs one segment's tasks on Ray; `on_done` is called in this process as each unit
    completes, in completion order, exactly as the local executor does."""
    if not tasks:
        return
    ray = import_ray()
    from ray.util.queue import Empty, Queue

    connect(ray, address)
    quiet_ray_data(ray)

    steps = tasks[0].steps
    if any(step_description(task.steps) != step_description(steps) for task in tasks[1:]):
        raise ValueError("the Ray engine runs one recipe per segment; these tasks carry different steps")
    by_unit = {task.unit.index: task for task in tasks}
    # Largest units first, so a big file does not start last and run alone at the end.
    ordered = sorted(tasks, key=lambda task: (-sizes.get(task.unit.index, 0), task.unit.index))
    rows = [
        {"unit": task.unit.index, "task": pickle.dumps(dataclasses.replace(task, steps=[]), protocol=5)}
        for task in ordered
    ]
    cpus = int(ray.cluster_resources().get("CPU", 1))
    workers = max(1, min(cpus, len(rows)))

    # Progress inside a unit comes back through a queue (an actor that needs no CPU slot, so
    # it never takes one from a runner); a thread in the driver drains it into the bar.
    messages = Queue(actor_options={"num_cpus": 0})
    lock = threading.Lock()
    finished = threading.Event()

    def drain() -> None:
        while True:
            size = messages.size()
            if size:
                try:
                    items = messages.get_nowait_batch(size)
                except Empty:
                    items = []
                with lock:
                    for item in items:
                        progress.update(*item)
            if finished.wait(PROGRESS_INTERVAL_SECONDS) and not messages.size():
                return

    dataset = ray.data.from_items(rows, override_num_blocks=len(rows))
    results = dataset.map_batches(
        UnitRunner,
        batch_size=1,
        batch_format="numpy",
        fn_constructor_args=(pickle.dumps(steps, protocol=5), messages),
        # One unit in flight per runner: a unit is minutes of work, and a queue of them on a
        # busy runner while another sits idle would only lengthen the tail.
        compute=ray.data.ActorPoolStrategy(size=workers, max_tasks_in_flight_per_actor=1),
        num_cpus=1,
    )
    drainer = threading.Thread(target=drain, name="zhclean-ray-progress", daemon=True)
    drainer.start()
    try:
        for row in results.iter_rows():
            state, value = pickle.loads(row["outcome"])
            if state == "failed":
                raise value
            task = by_unit[int(row["unit"])]
            with lock:
                on_done(task, value)
    finally:
        finished.set()
        drainer.join()
        messages.shutdown(force=True)


class RayExecutor:
    """Units as rows of a Ray Data dataset run by `UnitRunner` actors (one per CPU of the
    cluster), dedup partitions as `ray.remote` tasks. Connects on first use (`connect`), so
    a resumed run whose units were all done starts Ray only if its dedup needs it.

    `workers` is what the run asked for, recorded in its stats; Ray sizes its pool from the
    cluster's CPUs."""

    def __init__(
        self,
        address: str | None = None,
        workers: int = 1,
        num_cpus_per_partition: float = 1,
        max_retries: int = 3,
    ) -> None:
        self.address = address
        self.workers = workers
        self.num_cpus_per_partition = num_cpus_per_partition
        self.max_retries = max_retries

    def run_units(
        self,
        tasks: list[UnitTask],
        progress: Progress,
        sizes: dict[int, int],
        on_done: Callable[[UnitTask, PipelineStats], None],
        documents: int | None = None,
    ) -> None:
        """Every segment on Ray, whatever its size: starting Ray is paid once per process."""
        run_units_on_ray(tasks, progress, sizes, on_done, self.address)

    def map_partitions(self, function: Callable[[int], Result], partitions: Sequence[int]) -> list[Result]:
        """One Ray task per partition. The function is put in the object store once and
        shared by every task. Ray retries a task whose worker died (`max_retries`); the
        staged dedup's tasks are idempotent, so a retry is safe."""
        if not partitions:
            return []
        ray = import_ray()
        connect(ray, self.address)
        remote = ray.remote(num_cpus=self.num_cpus_per_partition, max_retries=self.max_retries)(
            call_with_partition
        )
        shared = ray.put(function)
        return list(ray.get([remote.remote(shared, partition) for partition in partitions]))

    def close(self) -> None:
        """The Ray connection stays for the process (a caller's own `ray.init` included)."""

    def __repr__(self) -> str:
        return f"RayExecutor(address={self.address!r})"


def call_with_partition(function: Callable[[int], Any], partition: int) -> Any:
    return function(partition)
