"""Who runs the per-partition work of the staged dedup: this process, a process pool, or Ray.

The staged mode (`zhclean.dedup.clusters`) cuts its heavy stages into independent tasks,
one per partition of band rows or of edges, that read and write files in the work
directory. An executor only has to call a function once per partition id and hand back the
results in order:

    executor.map_partitions(function, partition_ids) -> [function(id) for id in partition_ids]

* `SerialExecutor` (the default): in this process, one after the other.
* `ProcessPoolPartitionExecutor(workers)`: a local process pool.
* `RayPartitionExecutor()`: one `ray.remote` task per partition on the running Ray (the
  engine connects first). The work directory must be on a file system every node sees, as
  the Ray engine's output directory already must be.

`function` must be picklable (a module-level function or a `functools.partial` of one) and
idempotent: a task writes its outputs under temporary names and renames them, so a retried
task (a lost Ray worker, a restarted stage) leaves no half-written file.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any, Protocol, TypeVar

Result = TypeVar("Result")


class PartitionExecutor(Protocol):
    def map_partitions(self, function: Callable[[int], Result], partitions: Sequence[int]) -> list[Result]:
        """`[function(p) for p in partitions]`, in that order, run wherever the executor runs."""
        ...


class SerialExecutor:
    """Runs every partition in this process: the default, and what tests compare against."""

    def map_partitions(self, function: Callable[[int], Result], partitions: Sequence[int]) -> list[Result]:
        return [function(partition) for partition in partitions]

    def __repr__(self) -> str:
        return "SerialExecutor()"


class ProcessPoolPartitionExecutor:
    """A local pool of `workers` processes, started on first use and kept for every later
    stage and round (the components take several), until `close()` or the end of a
    `with` block.

    "forkserver", not fork: the driver may be running Ray's or pyarrow's threads, and a
    process with threads should not fork (the children could inherit a held lock)."""

    def __init__(self, workers: int) -> None:
        self._pool: ProcessPoolExecutor | None = None  # first: __del__ runs even if we raise
        if workers < 1:
            raise ValueError("workers must be positive")
        self.workers = workers

    def map_partitions(self, function: Callable[[int], Result], partitions: Sequence[int]) -> list[Result]:
        if len(partitions) <= 1 or self.workers == 1:
            return [function(partition) for partition in partitions]
        if self._pool is None:
            context = multiprocessing.get_context("forkserver")
            self._pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=context)
        return list(self._pool.map(function, partitions))

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None

    def __enter__(self) -> ProcessPoolPartitionExecutor:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __del__(self) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"ProcessPoolPartitionExecutor(workers={self.workers})"


def _call(function: Callable[[int], Any], partition: int) -> Any:
    return function(partition)


class RayPartitionExecutor:
    """One Ray task per partition (`num_cpus` each) on the Ray this process is connected to.

    The function is put in the object store once and shared by every task. Ray retries a
    task whose worker died (`max_retries`); the tasks are idempotent (see the module
    docstring), so a retry is safe."""

    def __init__(self, num_cpus: float = 1, max_retries: int = 3) -> None:
        self.num_cpus = num_cpus
        self.max_retries = max_retries

    def map_partitions(self, function: Callable[[int], Result], partitions: Sequence[int]) -> list[Result]:
        if not partitions:
            return []
        import ray

        if not ray.is_initialized():
            raise RuntimeError("RayPartitionExecutor needs a running Ray: call ray.init() first")
        remote = ray.remote(num_cpus=self.num_cpus, max_retries=self.max_retries)(_call)
        shared = ray.put(function)
        return list(ray.get([remote.remote(shared, partition) for partition in partitions]))

    def __repr__(self) -> str:
        return f"RayPartitionExecutor(num_cpus={self.num_cpus})"
