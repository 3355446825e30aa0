"""What runs the per-partition work of the staged dedup.

The staged mode (`zhclean.dedup.staged`) cuts its heavy stages into independent tasks,
one per partition of band rows or of edges, that read and write files in the work
directory. An executor only has to call a function once per partition id and hand back the
results in order:

    executor.map_partitions(function, partition_ids) -> [function(id) for id in partition_ids]

`SerialExecutor` (the default) runs them in this process. The run's executors
(`zhclean.engines.executor.LocalExecutor`: a process pool; `zhclean.engines.ray.RayExecutor`:
Ray tasks) implement the same method, so a deduplicator runs its partitions wherever the
run's units ran.

`function` must be picklable (a module-level function or a `functools.partial` of one) and
idempotent: a task writes its outputs under temporary names and renames them, so a retried
task (a lost Ray worker, a restarted stage) leaves no half-written file.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from zhclean.steps import PartitionExecutor

__all__ = ["PartitionExecutor", "SerialExecutor"]

Result = TypeVar("Result")


class SerialExecutor:
    """Runs every partition in this process: the default, and what tests compare against."""

    def map_partitions(self, function: Callable[[int], Result], partitions: Sequence[int]) -> list[Result]:
        return [function(partition) for partition in partitions]

    def __repr__(self) -> str:
        return "SerialExecutor()"
