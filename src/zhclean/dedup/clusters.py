"""From signatures to clusters of duplicates, for the exact and MinHash deduplicators: the
graph and the memory mode in `zhclean.dedup.graph`, the staged mode for corpora larger
than memory in `zhclean.dedup.staged` (its partitioned connected components in
`zhclean.dedup.components`). Both modes run the same functions on the same rows and give
identical results.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from zhclean.dedup.graph import ClusterSpec, Duplicate, cluster_name, find_in_memory
from zhclean.dedup.parallel import PartitionExecutor
from zhclean.dedup.staged import DEFAULT_MAX_EDGES_IN_MEMORY, StagedClustering
from zhclean.document import Reject
from zhclean.steps import DedupEntry, Deduplicator


def find_duplicates(
    entries: Iterable[DedupEntry],
    spec: ClusterSpec,
    mode: str,
    workdir: Path | None,
    partitions: int,
    chunk_docs: int,
    executor: PartitionExecutor | None = None,
    max_edges_in_memory: int = DEFAULT_MAX_EDGES_IN_MEMORY,
) -> list[Duplicate]:
    """Duplicates among `entries`; `mode` is "memory" or "staged" (staged without a work
    directory uses a temporary one, removed afterwards). `executor` and
    `max_edges_in_memory` are for the staged mode (the memory mode is one process)."""
    if mode == "memory":
        return find_in_memory(entries, spec)
    if mode != "staged":
        raise ValueError(f"unknown dedup mode {mode!r}: 'memory' or 'staged'")
    if workdir is not None:
        return StagedClustering(workdir, spec, partitions, chunk_docs, executor, max_edges_in_memory).run(
            entries
        )
    import tempfile

    with tempfile.TemporaryDirectory(prefix="zhclean-dedup-") as scratch:
        return StagedClustering(
            Path(scratch), spec, partitions, chunk_docs, executor, max_edges_in_memory
        ).run(entries)


class ClusteringDeduplicator(Deduplicator):
    """What exact and MinHash dedup share: signatures become clusters through
    `find_duplicates` and every copy but the kept one is rejected as `duplicate`.
    Subclasses give `spec()` and set `mode`, `partitions`, `chunk_docs` and
    `max_edges_in_memory`."""

    mode: str
    partitions: int
    chunk_docs: int
    max_edges_in_memory: int

    def spec(self) -> ClusterSpec:
        raise NotImplementedError

    def duplicate_detail(self, duplicate: Duplicate) -> dict[str, Any]:
        return {
            "cluster": cluster_name(duplicate.kept_id),
            "kept_id": duplicate.kept_id,
            "cluster_size": duplicate.cluster_size,
        }

    def find_duplicates(
        self,
        entries: Iterable[DedupEntry],
        workdir: Path | None = None,
        executor: PartitionExecutor | None = None,
    ) -> dict[str, Reject]:
        """`executor` runs the staged mode's per-partition tasks (default: this process)."""
        duplicates = find_duplicates(
            entries,
            self.spec(),
            self.mode,
            workdir,
            self.partitions,
            self.chunk_docs,
            executor,
            self.max_edges_in_memory,
        )
        return {
            duplicate.id: Reject("duplicate", self.duplicate_detail(duplicate)) for duplicate in duplicates
        }
