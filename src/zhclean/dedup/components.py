"""Connected components of an edge list too large for one process: large-star /
small-star rounds over edges partitioned on disk by node, each round's partitions run as
independent tasks on an executor."""

from __future__ import annotations

import json
import os
from functools import partial
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq

from zhclean.dedup.graph import SHIFT_32, UINT32_MASK, unique
from zhclean.dedup.parallel import PartitionExecutor, SerialExecutor
from zhclean.dedup.signatures import fmix64

COMPLETE_MARKER = "_complete.json"


# -- connected components, partitioned -------------------------------------------------------


class PartitionedComponents:
    """Connected components of the edges in `edges_dir/part-*.parquet`, without any
    process holding more than one partition of them: the "large-star / small-star"
    algorithm (Kiveris, Lattanzi, Mirrokni, Rastogi & Vassilvitskii, "Connected Components
    in MapReduce and Beyond", SoCC 2014), each operation a shuffle of directed edge rows
    (node, neighbour) into `partitions` partitions by a hash of the node.

    * large-star, per node u with neighbours N(u): m = min(N(u) ∪ {u}); every neighbour
      v > u is re-linked to m.
    * small-star, per node u with its smaller neighbours N'(u): m = min(N'(u) ∪ {u});
      every node of N'(u) ∪ {u} other than m is linked to m.

    Both keep every component connected and never add edges (each undirected edge gives
    at most one edge out), and alternating them ends, in O(log² n) rounds, with every
    component a star around its smallest node. Converged is checked locally in each
    large-star task: every node is a centre (all neighbours larger) or a leaf (one
    neighbour, smaller). Then each large-star task's (node, m) pairs are the labels.

    Memory of a task: the rows of its partition, about 2 × edges / partitions rows of 8
    bytes (the rows are uint64: node << 32 | neighbour) and a few working copies — plus
    the skew of a node of high degree, whose rows all land in its partition (a cluster of
    k copies ends as a star of k rows around one node). The driver gathers only the final
    (node, label) pairs, one per document that has an edge — what stage 4 reads anyway.

    Each operation writes one file of rows per task, sorted by target partition, with the
    partition bounds beside it; the next operation's task p reads slice p of every file
    (one seek each). An operation whose directory is complete is not run again, and a task
    whose result file exists is skipped: the stage restarts where it stopped.
    """

    MAX_ROUNDS = 200  # far above the O(log² n) bound for any corpus of < 2^32 documents

    def __init__(
        self, workdir: Path, edges_dir: Path, partitions: int, executor: PartitionExecutor | None = None
    ) -> None:
        self.workdir = Path(workdir)
        self.edges_dir = Path(edges_dir)
        self.partitions = partitions
        self.executor: PartitionExecutor = executor or SerialExecutor()

    def run(self) -> tuple[np.ndarray, np.ndarray]:
        """(nodes, labels) exactly as `connected_components` returns them."""
        self.workdir.mkdir(parents=True, exist_ok=True)
        source = self._operation(0, "map", str(self.edges_dir))
        step = 1
        for _ in range(self.MAX_ROUNDS):
            large = self._operation(step, "large", source)
            if sum(self._results(large)) == 0:
                return self._labels(large)
            source = self._operation(step + 1, "small", large)
            step += 2
        raise RuntimeError(f"connected components did not converge in {self.MAX_ROUNDS} rounds")

    def _operation(self, step: int, kind: str, source: str) -> str:
        directory = self.workdir / f"{step:03d}-{kind}"
        if not (directory / COMPLETE_MARKER).exists():
            directory.mkdir(exist_ok=True)
            todo = [
                index
                for index in range(self.partitions)
                if not (directory / f"result-{index:04d}.json").exists()
            ]
            task = partial(component_task, kind, source, str(directory), self.partitions)
            self.executor.map_partitions(task, todo)
            if kind != "large" or sum(self._results(str(directory))) > 0:
                # The partition bounds of every task in one matrix, so that each task of the
                # next operation reads one small file instead of one per task.
                bounds = np.stack(
                    [
                        np.fromfile(directory / f"bounds-{index:04d}.i64", dtype="<i8")
                        for index in range(self.partitions)
                    ]
                )
                _save_raw_atomically(directory / "bounds.i64", bounds)
            (directory / COMPLETE_MARKER).write_text("{}")
        return str(directory)

    def _results(self, directory: str) -> list[int]:
        return [
            int(json.loads((Path(directory) / f"result-{index:04d}.json").read_text()))
            for index in range(self.partitions)
        ]

    def _labels(self, directory: str) -> tuple[np.ndarray, np.ndarray]:
        pieces = [
            np.fromfile(Path(directory) / f"labels-{index:04d}.u64", dtype="<u8")
            for index in range(self.partitions)
        ]
        rows = np.concatenate(pieces) if pieces else np.empty(0, dtype=np.uint64)
        rows.sort()  # by node: each node is in exactly one partition, so once
        nodes = (rows >> SHIFT_32).astype(np.int64)
        smallest = (rows & UINT32_MASK).astype(np.int64)
        return nodes, np.searchsorted(nodes, smallest)


def node_partitions(nodes: np.ndarray, partitions: int) -> np.ndarray:
    """The partition of each node: a mixed hash, so that runs of consecutive document
    numbers (a burst of reposts) spread over the partitions."""
    return (fmix64(nodes.astype(np.uint64) + np.uint64(0x9E3779B97F4A7C15)) % np.uint64(partitions)).astype(
        np.int64
    )


def _save_raw_atomically(path: Path, array: np.ndarray) -> None:
    """Raw little-endian values, no header: a reader takes a slice with one seek."""
    partial_path = path.with_name(path.name + ".partial")
    array.astype(array.dtype.newbyteorder("<"), copy=False).tofile(partial_path)
    os.replace(partial_path, path)


def _write_shuffled(
    directory: Path, index: int, nodes: np.ndarray, neighbours: np.ndarray, partitions: int
) -> None:
    """Rows (node, neighbour) sorted by the node's partition, and the partition bounds."""
    rows = (nodes.astype(np.uint64) << SHIFT_32) | neighbours.astype(np.uint64)
    targets = node_partitions(nodes, partitions)
    order = np.argsort(targets, kind="stable")
    bounds = np.searchsorted(targets[order], np.arange(partitions + 1))
    _save_raw_atomically(directory / f"rows-{index:04d}.u64", rows[order])
    _save_raw_atomically(directory / f"bounds-{index:04d}.i64", bounds.astype(np.int64))


def _read_partition(source: Path, index: int, partitions: int) -> np.ndarray:
    """Slice `index` of every task's rows in `source`, without duplicates, sorted."""
    pieces = []
    bounds = np.fromfile(source / "bounds.i64", dtype="<i8").reshape(partitions, partitions + 1)
    for task in range(partitions):
        start, stop = int(bounds[task, index]), int(bounds[task, index + 1])
        if stop > start:
            pieces.append(
                np.fromfile(
                    source / f"rows-{task:04d}.u64", dtype="<u8", count=stop - start, offset=8 * start
                )
            )
    if not pieces:
        return np.empty(0, dtype=np.uint64)
    return unique(np.concatenate(pieces))


def _groups(nodes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For rows sorted by node: the first row of each node, and each row's group number."""
    starts = np.empty(len(nodes), dtype=bool)
    starts[:1] = True
    np.not_equal(nodes[1:], nodes[:-1], out=starts[1:])
    return np.flatnonzero(starts), np.cumsum(starts) - 1


def component_task(kind: str, source: str, directory: str, partitions: int, index: int) -> int:
    """One task of `PartitionedComponents`; returns, for a large-star, the number of its
    nodes that are neither a centre nor a leaf (0 everywhere = converged)."""
    output = Path(directory)
    result = 0
    if kind == "map":
        # An edge partition of stage 2: both directions of every edge.
        edges = pq.read_table(Path(source) / f"part-{index:04d}.parquet").column("edge").to_numpy()
        first, second = edges >> SHIFT_32, edges & UINT32_MASK
        _write_shuffled(
            output, index, np.concatenate([first, second]), np.concatenate([second, first]), partitions
        )
    elif kind == "large":
        rows = _read_partition(Path(source), index, partitions)
        nodes, neighbours = rows >> SHIFT_32, rows & UINT32_MASK
        starts, group = _groups(nodes)
        group_nodes = nodes[starts]
        # Rows are sorted, so a node's first row holds its smallest neighbour.
        smallest_neighbour = neighbours[starts]
        sizes = np.diff(np.append(starts, len(rows)))
        centre = smallest_neighbour > group_nodes
        leaf = (sizes == 1) & (smallest_neighbour < group_nodes)
        result = int(np.count_nonzero(~(centre | leaf)))
        smallest = np.minimum(group_nodes, smallest_neighbour)
        larger = neighbours > nodes
        # To the small-star: each re-linked edge keyed by its larger end.
        _write_shuffled(output, index, neighbours[larger], smallest[group[larger]], partitions)
        # If every task converged, these are the labels (node, smallest of its component).
        _save_raw_atomically(output / f"labels-{index:04d}.u64", (group_nodes << SHIFT_32) | smallest)
    elif kind == "small":
        # Rows (u, w), w < u, keyed by the larger end u.
        rows = _read_partition(Path(source), index, partitions)
        nodes, neighbours = rows >> SHIFT_32, rows & UINT32_MASK
        starts, group = _groups(nodes)
        smallest = neighbours[starts]  # every neighbour here is smaller than its node
        others = neighbours != smallest[group]
        first = np.concatenate([neighbours[others], nodes[starts]])
        second = np.concatenate([smallest[group][others], smallest])
        # To the next large-star: both directions.
        _write_shuffled(
            output, index, np.concatenate([first, second]), np.concatenate([second, first]), partitions
        )
    else:
        raise ValueError(f"unknown component operation {kind!r}")
    (output / f"result-{index:04d}.json.partial").write_text(json.dumps(result))
    os.replace(output / f"result-{index:04d}.json.partial", output / f"result-{index:04d}.json")
    return result
